//! LLMNR, NBT-NS and mDNS: queries paired with their answers, one `name` record per answered
//! query and responder. A query and its answers are different UDP flows (the query goes to a
//! multicast or broadcast address, the answer comes back from the responder), and live they may
//! reach different workers, so the pending queries wait in a table of [`Shared`] (bounded by
//! `limits.max_correlation_entries`, for `correlation.name_answer_secs`, what does not fit
//! counted as shed). LLMNR and NBT-NS answers go back to the querier's address and port with the
//! query's id; mDNS answers are multicast with id 0 and are paired by the name asked, per
//! address family.
//!
//! [`Shared`]: crate::shared::Shared

use std::net::IpAddr;

use hardwire_flow::Endpoint;
use hardwire_names::{parse, Answer, Flavor, Message, OPCODE_QUERY, TYPE_NBSTAT};

use super::AppContext;
use crate::event::{EventKind, NameObject, Objects};

/// Distinct responders recorded per query: a query answered by the owner and a poisoner gives
/// a record each; a retransmitted answer gives none.
const MAX_RESPONDERS: usize = 4;
/// Names one mDNS query registers for pairing (a probe asks for a host's few names at once),
/// and names an LLMNR or NBT-NS query keeps (a real one asks one).
const MAX_MDNS_NAMES: usize = 8;
const MAX_QUERY_NAMES: usize = 4;
/// Addresses a record keeps (an NB answer may list a group's many members).
const MAX_RECORD_ADDRESSES: usize = hardwire_names::MAX_ADDRESSES;

/// What a pending query holds beyond its own size at its largest: its names (and an mDNS
/// key's), each at most 255 bytes, and its responders.
pub(crate) const PENDING_QUERY_HEAP_BYTES: usize =
    (MAX_QUERY_NAMES + 1) * (hardwire_names::MAX_NAME_BYTES + size_of::<String>()) + MAX_RESPONDERS * size_of::<IpAddr>();
/// What a `name` object holds beyond its own size at its largest: the name, the addresses.
pub(crate) const NAME_ANSWER_HEAP_BYTES: usize = hardwire_names::MAX_NAME_BYTES + MAX_RECORD_ADDRESSES * size_of::<IpAddr>();

/// What pairs an answer with its query.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum QueryKey {
    /// LLMNR and NBT-NS: the querier's address and port, and the query's id.
    Id { flavor: Flavor, querier: IpAddr, port: u16, id: u16 },
    /// mDNS: the name (lower case), per address family.
    Mdns { v6: bool, name: String },
}

/// A query waiting for its answers.
#[derive(Debug)]
pub(crate) struct PendingQuery {
    querier: IpAddr,
    /// The names asked, as asked.
    names: Vec<String>,
    /// Responders already recorded.
    answered_by: Vec<IpAddr>,
}

/// One datagram of a name protocol flow, sent from `ends.0` to `ends.1`.
pub(crate) fn datagram(flavor: Flavor, (from, to): (Endpoint, Endpoint), data: &[u8], cx: &mut AppContext) {
    let message = match parse(flavor, data) {
        Ok(message) => message,
        Err(_) => return cx.parse_error(flavor.as_str()),
    };
    // NBT-NS registrations, refreshes and releases are not resolution.
    if message.opcode != OPCODE_QUERY {
        return;
    }
    if message.response {
        answer(flavor, from.ip, to, &message, cx);
    } else {
        query(flavor, from, &message, cx);
    }
}

fn query(flavor: Flavor, from: Endpoint, message: &Message, cx: &mut AppContext) {
    // A node status query asks a host for its names, not for a name's address.
    let names: Vec<String> =
        message.questions.iter().filter(|q| q.qtype != TYPE_NBSTAT).take(MAX_QUERY_NAMES).map(|q| q.name.clone()).collect();
    if names.is_empty() {
        return;
    }
    cx.stats.names.query(flavor.as_str(), from.ip, cx.config.limits.max_posture_labels);
    let querier = from.ip;
    let remember = |slot: &mut Option<PendingQuery>, names: Vec<String>| {
        // A retransmission keeps the responders already recorded.
        slot.get_or_insert_with(|| PendingQuery { querier, names, answered_by: Vec::new() }).querier = querier;
    };
    let table = &cx.shared.name_queries;
    match flavor {
        Flavor::Mdns => {
            for name in names.into_iter().take(MAX_MDNS_NAMES) {
                let key = QueryKey::Mdns { v6: querier.is_ipv6(), name: name.to_ascii_lowercase() };
                table.with(cx.now, key, |slot| remember(slot, vec![name]));
            }
        }
        Flavor::Llmnr | Flavor::Nbns => {
            let key = QueryKey::Id { flavor, querier, port: from.port, id: message.id };
            table.with(cx.now, key, |slot| remember(slot, names));
        }
    }
}

fn answer(flavor: Flavor, responder: IpAddr, to: Endpoint, message: &Message, cx: &mut AppContext) {
    // A negative answer (NBT-NS "no such name") or one without records answers nothing.
    if message.rcode != 0 || message.answers.is_empty() {
        return;
    }
    cx.stats.names.answer(flavor.as_str(), responder, cx.config.limits.max_posture_labels);
    let mut records = Vec::new();
    let table = &cx.shared.name_queries;
    match flavor {
        Flavor::Mdns => {
            let mut seen: Vec<String> = Vec::new();
            for name in message.answers.iter().map(|a| a.name.to_ascii_lowercase()) {
                if seen.contains(&name) {
                    continue;
                }
                seen.push(name.clone());
                let key = QueryKey::Mdns { v6: responder.is_ipv6(), name };
                table.with(cx.now, key, |slot| pair(flavor, slot, responder, message, &mut records));
            }
        }
        Flavor::Llmnr | Flavor::Nbns => {
            let key = QueryKey::Id { flavor, querier: to.ip, port: to.port, id: message.id };
            table.with(cx.now, key, |slot| pair(flavor, slot, responder, message, &mut records));
        }
    }
    for name in records {
        cx.emit(EventKind::Name, Objects { name: Some(name), ..Objects::default() });
    }
}

/// The records one answer makes of the query in `slot`: one per name asked, once per responder.
fn pair(flavor: Flavor, slot: &mut Option<PendingQuery>, responder: IpAddr, message: &Message, out: &mut Vec<NameObject>) {
    let Some(pending) = slot else { return };
    if pending.answered_by.contains(&responder) || pending.answered_by.len() >= MAX_RESPONDERS {
        return;
    }
    pending.answered_by.push(responder);
    for query in &pending.names {
        let mut matching: Vec<&Answer> = message.answers.iter().filter(|a| a.name.eq_ignore_ascii_case(query)).collect();
        // LLMNR and NBT-NS answer one query: records under another spelling still answer it.
        if matching.is_empty() && flavor != Flavor::Mdns {
            matching = message.answers.iter().collect();
        }
        let Some(first) = matching.first() else { continue };
        let mut answers: Vec<IpAddr> = Vec::new();
        for address in matching.iter().flat_map(|a| &a.addresses) {
            if !answers.contains(address) && answers.len() < MAX_RECORD_ADDRESSES {
                answers.push(*address);
            }
        }
        out.push(NameObject {
            protocol: flavor.as_str(),
            query: query.clone(),
            querier: pending.querier,
            responder,
            answers,
            ttl: Some(first.ttl),
            group: first.group,
        });
    }
}
