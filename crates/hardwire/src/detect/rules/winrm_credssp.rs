//! `winrm.credssp`: CredSSP authentication delegates the user's credentials to the server.

use hardwire_http::AuthScheme;

use super::{finding, who};
use crate::detect::{catalog::RuleId, DetectContext, Finding};
use crate::event::Event;

pub fn check(record: &Event, cx: &DetectContext) -> Option<Finding> {
    let http = record.objects.http.as_ref()?;
    if http.request.scheme != Some(AuthScheme::CredSsp) {
        return None;
    }
    finding(RuleId::WinrmCredssp, record, format!("{} delegates its credentials to {} with CredSSP", who(&record.objects), cx.server()))
}
