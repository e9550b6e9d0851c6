//! `ntlm.to_poisoner`: within `correlation.poisoner_auth_window_secs` (60 s) of a name answer
//! from a host `name.poisoning` fired on, the host that asked authenticates with NTLM (any
//! protocol) to the host that answered, or to the address it was given: its NTLM response is
//! in the attacker's hands. The answers wait in a bounded, time-limited table of
//! [`Shared`](crate::shared::Shared) (written by `name.poisoning`), so the name query and the
//! authentication meet whichever workers they reach.

use std::sync::Arc;

use super::ntlm_used::Carrier;
use super::{ntlm_authenticated, own_authentication, who, Sentence};
use crate::detect::{catalog::RuleId, DetectContext, Finding, Subject, Wording};
use crate::event::{Event, Objects};

pub fn check(record: &Event, cx: &DetectContext) -> Option<Finding> {
    if !own_authentication(record) || !ntlm_authenticated(record) {
        return None;
    }
    let (client, server) = (cx.flow.src_ip, cx.flow.dest_ip);
    let name = cx.shared.name_answers.get(record.timestamp, &(client, server))?;
    cx.shared.poisoners.get(record.timestamp, &name.responder)?;
    let evidence = Objects { name: Some(Box::new(name)), ..(*record.objects).clone() };
    let sentence = Sentence::NtlmToPoisoner(Carrier::of(record, cx));
    // About the record's user: the name answer added to the evidence names no user.
    Some(Finding { rule: RuleId::NtlmToPoisoner, sentence, evidence: Arc::new(evidence), subject: Subject::EvidenceUser, severity: None })
}

pub fn words(w: &Wording, carrier: Carrier) -> String {
    let Some(name) = &w.evidence.name else { return String::new() };
    format!(
        "{} authenticated with NTLM from {} to {} over {carrier} after {} answered its {} query for {}: the NTLM response is in the poisoner's hands",
        who(w.evidence),
        w.flow.src_ip,
        w.flow.dest_ip,
        name.responder,
        name.protocol.to_uppercase(),
        name.query
    )
}
