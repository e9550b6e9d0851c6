//! `winrm.basic.cleartext`: Basic authentication to WinRM over plain HTTP.

use hardwire_http::AuthScheme;

use super::finding;
use crate::detect::{catalog::RuleId, DetectContext, Finding};
use crate::event::{Event, HttpApp};

pub fn check(record: &Event, cx: &DetectContext) -> Option<Finding> {
    let http = record.objects.http.as_ref()?;
    if http.request.app != Some(HttpApp::Winrm) || http.request.scheme != Some(AuthScheme::Basic) {
        return None;
    }
    let user = http.user.as_deref().unwrap_or("");
    finding(
        RuleId::WinrmBasicCleartext,
        record,
        format!("{user} logged on to WinRM on {} with Basic over plain HTTP: the password is readable", cx.server()),
    )
}
