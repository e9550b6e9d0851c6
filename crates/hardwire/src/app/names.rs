//! LLMNR, NBT-NS and mDNS: queries paired with their answers, one `name` record per answered
//! query and responder. A query and its answers are different UDP flows (the query goes to a
//! multicast or broadcast address, the answer comes back from the responder), and live they may
//! reach different workers, so the pending queries wait in a table of [`Shared`] (bounded by
//! `limits.max_correlation_entries`, for `correlation.name_answer_secs`, what does not fit
//! counted as shed). LLMNR and NBT-NS answers go back to the querier's address and port with the
//! query's id; mDNS answers are multicast with id 0 and are paired by the name asked, per
//! address family.
//!
//! Who owns a name is what the hosts claim on the wire, as a Windows network establishes it:
//! an NBT-NS registration or refresh (RFC 1002 4.2.2, the address in its NB record) and an
//! mDNS announcement (an unsolicited multicast answer giving the sender's own address, RFC
//! 6762 8.3) claim a name for their host, a release or an mDNS goodbye (TTL 0) gives it up.
//! Claims wait in a table of [`Shared`] (`name_owners`, for
//! `correlation.poisoning_window_secs` after their last use), where `name.poisoning` finds
//! the owner of the name an answer gives; the first claim of a live entry holds, as its owner
//! defends it on the wire.
//!
//! [`Shared`]: crate::shared::Shared

use std::net::IpAddr;

use hardwire_flow::Endpoint;
use hardwire_names::{
    parse, Answer, Flavor, Message, OPCODE_MULTIHOMED_REGISTRATION, OPCODE_QUERY, OPCODE_REFRESH, OPCODE_REFRESH_ALT, OPCODE_REGISTRATION,
    OPCODE_RELEASE, TYPE_NB, TYPE_NBSTAT,
};

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

/// Addresses remembered per name as its owner's (a dual-stack or multi-homed host has several).
pub(crate) const MAX_OWNER_ADDRESSES: usize = 8;
/// What an owner entry holds beyond its own size: its host name (15 characters) and addresses.
pub(crate) const NAME_OWNER_HEAP_BYTES: usize = 15 + MAX_OWNER_ADDRESSES * size_of::<IpAddr>();

/// The host part of a name asked, lower case, cut to NetBIOS's 15 characters, so that one
/// host's `FS1<00>`, `FS1<20>`, `fs1` and `fs1.local` are one name: `None` for a reverse
/// lookup or an empty name (`__MSBROWSE__`'s, which starts with a control byte).
pub(crate) fn host_of(query: &str) -> Option<String> {
    let lower = query.to_ascii_lowercase();
    if lower.ends_with(".in-addr.arpa") || lower.ends_with(".ip6.arpa") {
        return None;
    }
    let host = lower.split(['<', '.']).next().unwrap_or_default().trim();
    (!host.is_empty()).then(|| host.chars().take(15).collect())
}

/// A name's owner: the key of `name_owners` is the name's [`host_of`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NameOwner {
    pub addresses: Vec<IpAddr>,
    pub claim: Claim,
}

/// How a host came to own a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Claim {
    /// It registered or refreshed it (NBT-NS).
    Registered,
    /// It announced it (mDNS).
    Announced,
    /// Nobody claimed it in the window: its first responder (`name.poisoning`'s guess).
    FirstAnswer,
}

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
    // NBT-NS registrations, refreshes and releases are not resolution: they say who owns a name.
    if message.opcode != OPCODE_QUERY {
        if flavor == Flavor::Nbns && !message.response {
            registration(&message, cx);
        }
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
                let key = QueryKey::Mdns { v6: responder.is_ipv6(), name: name.clone() };
                let asked = table.with(cx.now, key, |slot| pair(flavor, slot, responder, message, &mut records));
                if !asked && to.ip.is_multicast() {
                    announcement(&name, responder, message, cx);
                }
            }
        }
        Flavor::Llmnr | Flavor::Nbns => {
            let key = QueryKey::Id { flavor, querier: to.ip, port: to.port, id: message.id };
            table.with(cx.now, key, |slot| pair(flavor, slot, responder, message, &mut records));
        }
    }
    for name in records {
        cx.emit(EventKind::Name, Objects { name: Some(Box::new(name)), ..Objects::default() });
    }
}

/// The records one answer makes of the query in `slot`: one per name asked, once per responder.
/// Whether another host's query was waiting (a host's answer to its own probe announces).
fn pair(flavor: Flavor, slot: &mut Option<PendingQuery>, responder: IpAddr, message: &Message, out: &mut Vec<NameObject>) -> bool {
    let Some(pending) = slot else { return false };
    let asked = pending.querier != responder;
    if pending.answered_by.contains(&responder) || pending.answered_by.len() >= MAX_RESPONDERS {
        return asked;
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
    asked
}

/// An NBT-NS registration, refresh or release: a host claims each unique name of the
/// additional section for the addresses of its NB record, or gives it up.
fn registration(message: &Message, cx: &mut AppContext) {
    let release = match message.opcode {
        OPCODE_RELEASE => true,
        OPCODE_REGISTRATION | OPCODE_REFRESH | OPCODE_REFRESH_ALT | OPCODE_MULTIHOMED_REGISTRATION => false,
        _ => return,
    };
    for record in message.additional.iter().filter(|r| r.rtype == TYPE_NB && !r.group) {
        if let Some(host) = host_of(&record.name) {
            claim(cx, host, &record.addresses, Claim::Registered, release);
        }
    }
}

/// An mDNS answer nobody asked for, multicast: when its records for `name` give the sender's
/// own address, an announcement of its name (a goodbye, TTL 0, gives it up).
fn announcement(name: &str, sender: IpAddr, message: &Message, cx: &mut AppContext) {
    let records = message.answers.iter().filter(|a| a.name.eq_ignore_ascii_case(name));
    let addresses: Vec<IpAddr> = records.clone().flat_map(|a| &a.addresses).copied().take(MAX_OWNER_ADDRESSES).collect();
    if !addresses.contains(&sender) {
        return;
    }
    if let Some(host) = host_of(name) {
        let goodbye = records.clone().all(|a| a.ttl == 0);
        claim(cx, host, &addresses, Claim::Announced, goodbye);
    }
}

/// `addresses` claim `host`'s name, or give it up. A live claim by other addresses holds (its
/// owner defends the name on the wire); one by the same host gains the new addresses.
fn claim(cx: &AppContext, host: String, addresses: &[IpAddr], claim: Claim, release: bool) {
    if addresses.is_empty() {
        return;
    }
    cx.shared.name_owners.with(cx.now, host, |slot| {
        let same_host = slot.as_ref().is_some_and(|owner| owner.addresses.iter().any(|a| addresses.contains(a)));
        match slot {
            _ if release => {
                if same_host {
                    *slot = None;
                }
            }
            Some(owner) if owner.claim != Claim::FirstAnswer && !same_host => {}
            Some(owner) if same_host => {
                learn(owner, addresses.iter().copied());
                if owner.claim == Claim::FirstAnswer {
                    owner.claim = claim;
                }
            }
            _ => {
                let mut owner = NameOwner { addresses: Vec::new(), claim };
                learn(&mut owner, addresses.iter().copied());
                *slot = Some(owner);
            }
        }
    });
}

/// Adds the addresses `owner` does not have yet, up to [`MAX_OWNER_ADDRESSES`].
pub(crate) fn learn(owner: &mut NameOwner, addresses: impl Iterator<Item = IpAddr>) {
    for address in addresses {
        if owner.addresses.len() < MAX_OWNER_ADDRESSES && !owner.addresses.contains(&address) {
            owner.addresses.push(address);
        }
    }
}
