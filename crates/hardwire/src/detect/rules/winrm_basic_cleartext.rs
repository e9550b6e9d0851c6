//! `winrm.basic.cleartext`: Basic authentication to WinRM over plain HTTP.

use hardwire_http::AuthScheme;

use super::{finding, http_user, Sentence};
use crate::detect::{catalog::RuleId, DetectContext, Finding, Wording};
use crate::event::{Event, HttpApp};

pub fn check(record: &Event, _cx: &DetectContext) -> Option<Finding> {
    let http = record.objects.http.as_ref()?;
    if http.request.app != Some(HttpApp::Winrm) || http.request.scheme != Some(AuthScheme::Basic) {
        return None;
    }
    finding(RuleId::WinrmBasicCleartext, record, Sentence::WinrmBasicCleartext)
}

pub fn words(w: &Wording) -> String {
    format!("{} logged on to WinRM on {} with Basic over plain HTTP: the password is readable", http_user(w), w.server())
}
