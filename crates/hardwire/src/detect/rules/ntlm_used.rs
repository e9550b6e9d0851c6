//! `ntlm.used`: an NTLMSSP AUTHENTICATE was seen (SMB, HTTP, DCE/RPC). Anonymous
//! AUTHENTICATEs carry no credential and are reported by `smb.anonymous` instead.

use super::finding;
use crate::detect::{catalog::RuleId, DetectContext, Finding};
use crate::event::Event;

/// "SMB", "HTTP" or "DCE/RPC", for sentences.
pub fn carrier(record: &Event) -> &'static str {
    match (&record.objects.smb, &record.objects.http, &record.objects.dcerpc) {
        (_, Some(_), _) => "HTTP",
        (_, _, Some(_)) => "DCE/RPC",
        _ => "SMB",
    }
}

pub fn check(record: &Event, cx: &DetectContext) -> Option<Finding> {
    let ntlm = record.objects.ntlm.as_ref()?;
    let version = ntlm.version.as_deref()?;
    if version == "anonymous" {
        return None;
    }
    let user = ntlm.user.as_deref().unwrap_or("");
    let message = format!(
        "{user} authenticated to {} over {} with NTLM{version} instead of Kerberos",
        cx.flow.dest_ip,
        carrier(record)
    );
    finding(RuleId::NtlmUsed, record, message)
}
