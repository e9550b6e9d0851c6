//! `ntlm.relay`: the same NTLM server challenge in connections to two different servers, or
//! the same NTLMv2 proof from two different clients, within 60 s: a machine in the middle
//! passed the authentication on. The challenges and proofs are compared as keyed hashes in the
//! bounded tables of [`Shared`](crate::shared::Shared), across connections and workers; the
//! values themselves are never kept or written.

use std::net::IpAddr;

use super::ntlm_used::Carrier;
use super::{finding, own_authentication, who, Sentence};
use crate::detect::{catalog::RuleId, DetectContext, Finding, Wording};
use crate::event::Event;
use crate::shared::{WindowTable, RELAY_WINDOW_SECS};

/// Remembers `address` under `key`; the other address already there, if any.
fn other(table: &WindowTable<u64, IpAddr>, record: &Event, key: Option<u64>, address: IpAddr) -> Option<IpAddr> {
    table.with(record.timestamp, key?, |slot| slot.replace(address).filter(|seen| *seen != address))
}

pub fn check(record: &Event, cx: &DetectContext) -> Option<Finding> {
    if !own_authentication(record) {
        return None;
    }
    let ntlm = record.objects.ntlm.as_ref()?;
    let server = cx.flow.dest_ip;
    let client = cx.flow.src_ip;
    let other_server = other(&cx.shared.ntlm_challenges, record, ntlm.challenge_key, server);
    let other_client = other(&cx.shared.ntlm_proofs, record, ntlm.proof_key, client);
    let relayed = match (other_server, other_client) {
        (Some(elsewhere), _) => Relayed::Challenge(elsewhere),
        (None, Some(elsewhere)) => Relayed::Response(elsewhere),
        (None, None) => return None,
    };
    finding(RuleId::NtlmRelay, record, Sentence::NtlmRelay(Carrier::of(record, cx), relayed))
}

/// What was seen twice, and the other address it was seen with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relayed {
    /// The server's challenge was also issued by this other server.
    Challenge(IpAddr),
    /// The client's NTLMv2 response also came from this other client.
    Response(IpAddr),
}

pub fn words(w: &Wording, carrier: Carrier, relayed: &Relayed) -> String {
    let (client, server) = (w.flow.src_ip, w.flow.dest_ip);
    let how = match relayed {
        Relayed::Challenge(elsewhere) => format!("the NTLM challenge {server} sent was also issued by {elsewhere}"),
        Relayed::Response(elsewhere) => format!("the same NTLMv2 response also came from {elsewhere}"),
    };
    format!(
        "{} authenticated from {client} to {server} over {carrier}, and within {RELAY_WINDOW_SECS} s {how}: the authentication was relayed",
        who(w.evidence)
    )
}
