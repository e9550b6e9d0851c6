//! `winrm.credssp`: CredSSP authentication delegates the user's credentials to the server.

use hardwire_http::AuthScheme;

use super::{finding, who, Sentence};
use crate::detect::{catalog::RuleId, DetectContext, Finding, Wording};
use crate::event::Event;

pub fn check(record: &Event, _cx: &DetectContext) -> Option<Finding> {
    if record.objects.http.as_ref()?.request.scheme != Some(AuthScheme::CredSsp) {
        return None;
    }
    finding(RuleId::WinrmCredssp, record, Sentence::WinrmCredssp)
}

pub fn words(w: &Wording) -> String {
    format!("{} delegates its credentials to {} with CredSSP", who(w.evidence), w.server())
}
