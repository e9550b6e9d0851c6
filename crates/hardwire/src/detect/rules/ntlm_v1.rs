//! `ntlm.v1`: the AUTHENTICATE carries an LM / NTLMv1 response (crackable, relayable).

use super::ntlm_used::carrier;
use super::{finding, own_authentication};
use crate::detect::{catalog::RuleId, DetectContext, Finding};
use crate::event::{Event, NtlmKind, Outcome};

pub fn check(record: &Event, cx: &DetectContext) -> Option<Finding> {
    if !own_authentication(record) {
        return None;
    }
    let ntlm = record.objects.ntlm.as_ref()?;
    if ntlm.version != Some(NtlmKind::V1) {
        return None;
    }
    let user = ntlm.user.as_deref().unwrap_or("");
    // A refused logon is never called authenticated: its response is on the wire all the same.
    let outcome = if ntlm.status == Some(Outcome::Failure) { "failed to log on" } else { "authenticated" };
    finding(
        RuleId::NtlmV1,
        record,
        format!("{user} {outcome} to {} over {} with NTLMv1: the response can be cracked", cx.server(), carrier(record, cx)),
    )
}
