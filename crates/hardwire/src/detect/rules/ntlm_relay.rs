//! `ntlm.relay`: the same NTLM server challenge in connections to two different servers, or
//! the same NTLMv2 proof from two different clients, within 60 s: a machine in the middle
//! passed the authentication on. The challenges and proofs are compared as keyed hashes in the
//! bounded tables of [`Shared`](crate::shared::Shared), across connections and workers; the
//! values themselves are never kept or written.

use std::net::IpAddr;

use super::ntlm_used::carrier;
use super::{finding, own_authentication, who};
use crate::detect::{catalog::RuleId, DetectContext, Finding};
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
    let how = match (other_server, other_client) {
        (Some(elsewhere), _) => format!("the NTLM challenge {server} sent was also issued by {elsewhere}"),
        (None, Some(elsewhere)) => format!("the same NTLMv2 response also came from {elsewhere}"),
        (None, None) => return None,
    };
    let message = format!(
        "{} authenticated from {client} to {server} over {}, and within {RELAY_WINDOW_SECS} s {how}: the authentication was relayed",
        who(&record.objects),
        carrier(record, cx)
    );
    finding(RuleId::NtlmRelay, record, message)
}
