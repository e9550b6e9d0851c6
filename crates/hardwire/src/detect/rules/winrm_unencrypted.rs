//! `winrm.unencrypted`: a WinRM SOAP body travels in clear.

use super::{finding, who};
use crate::detect::{catalog::RuleId, DetectContext, Finding};
use crate::event::Event;

pub fn check(record: &Event, cx: &DetectContext) -> Option<Finding> {
    let http = record.objects.http.as_ref()?;
    if http.app.as_deref() != Some("winrm") || http.encryption.as_deref() != Some("none") {
        return None;
    }
    finding(RuleId::WinrmUnencrypted, record, format!("{}'s WinRM commands to {} travel unencrypted", who(&record.objects), cx.server()))
}
