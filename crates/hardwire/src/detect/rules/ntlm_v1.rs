//! `ntlm.v1`: the AUTHENTICATE carries an LM / NTLMv1 response (crackable, relayable).

use super::ntlm_used::Carrier;
use super::{finding, own_authentication, Sentence};
use crate::detect::{catalog::RuleId, DetectContext, Finding, Wording};
use crate::event::{Event, NtlmKind, Outcome};

pub fn check(record: &Event, cx: &DetectContext) -> Option<Finding> {
    if !own_authentication(record) {
        return None;
    }
    if record.objects.ntlm.as_ref()?.version != Some(NtlmKind::V1) {
        return None;
    }
    finding(RuleId::NtlmV1, record, Sentence::NtlmV1(Carrier::of(record, cx)))
}

pub fn words(w: &Wording, carrier: Carrier) -> String {
    let ntlm = w.evidence.ntlm.as_ref();
    let user = ntlm.and_then(|n| n.user.as_deref()).unwrap_or("");
    // A refused logon is never called authenticated: its response is on the wire all the same.
    let outcome = if ntlm.is_some_and(|n| n.status == Some(Outcome::Failure)) { "failed to log on" } else { "authenticated" };
    format!("{user} {outcome} to {} over {carrier} with NTLMv1: the response can be cracked", w.server())
}
