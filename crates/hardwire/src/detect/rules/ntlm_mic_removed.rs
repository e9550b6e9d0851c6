//! `ntlm.mic_removed`: an NTLMv2 AUTHENTICATE whose response's MsvAvFlags says a MIC is
//! present while the MIC field is absent or all zero (drop-the-MIC, CVE-2019-1040): a machine in
//! the middle stripped it to relay the authentication across protocols.

use super::ntlm_used::Carrier;
use super::{finding, own_authentication, who, Sentence};
use crate::detect::{catalog::RuleId, DetectContext, Finding, Wording};
use crate::event::Event;

pub fn check(record: &Event, cx: &DetectContext) -> Option<Finding> {
    if !own_authentication(record) {
        return None;
    }
    let ntlm = record.objects.ntlm.as_ref()?;
    if ntlm.mic_flagged != Some(true) || ntlm.mic != Some(false) {
        return None;
    }
    finding(RuleId::NtlmMicRemoved, record, Sentence::NtlmMicRemoved(Carrier::of(record, cx)))
}

pub fn words(w: &Wording, carrier: Carrier) -> String {
    format!(
        "{} authenticated to {} over {carrier} with an NTLMv2 response that announces a MIC the message does not carry: the MIC was removed in transit (CVE-2019-1040)",
        who(w.evidence),
        w.server()
    )
}
