//! `winrm.unencrypted`: a WinRM SOAP body travels in clear.

use hardwire_http::WinrmContent;

use super::{finding, who};
use crate::detect::{catalog::RuleId, DetectContext, Finding};
use crate::event::{Event, HttpApp};

pub fn check(record: &Event, cx: &DetectContext) -> Option<Finding> {
    let http = record.objects.http.as_ref()?;
    if http.request.app != Some(HttpApp::Winrm) || http.request.winrm_body != Some(WinrmContent::ClearSoap) {
        return None;
    }
    finding(RuleId::WinrmUnencrypted, record, format!("{}'s WinRM commands to {} travel unencrypted", who(&record.objects), cx.server()))
}
