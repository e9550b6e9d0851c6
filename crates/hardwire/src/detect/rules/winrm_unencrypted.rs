//! `winrm.unencrypted`: a WinRM SOAP body travels in clear.

use hardwire_http::WinrmContent;

use super::{finding, who, Sentence};
use crate::detect::{catalog::RuleId, DetectContext, Finding, Wording};
use crate::event::{Event, HttpApp};

pub fn check(record: &Event, _cx: &DetectContext) -> Option<Finding> {
    let http = record.objects.http.as_ref()?;
    if http.request.app != Some(HttpApp::Winrm) || http.request.winrm_body != Some(WinrmContent::ClearSoap) {
        return None;
    }
    finding(RuleId::WinrmUnencrypted, record, Sentence::WinrmUnencrypted)
}

pub fn words(w: &Wording) -> String {
    format!("{}'s WinRM commands to {} travel unencrypted", who(w.evidence), w.server())
}
