//! `name.poisoning`: one host answers LLMNR, NBT-NS or mDNS queries for names that are not its
//! own, as Responder does: `correlation.poisoning_names` (3) distinct names within
//! `correlation.poisoning_window_secs` (300 s), a name whose established owner (its first
//! responder in that window) is another host, or `wpad`. Only answers that give addresses for
//! a host name count: reverse lookups and service discovery redirect no one, a group name
//! (a workgroup, a domain) is answered by all its members, and a host answering its own
//! question (mDNS probes) answers for itself.
//!
//! Names are compared by their host part, so that one host's `FS1<00>`, `FS1<20>`, `fs1` and
//! `fs1.local` are one name, cut to NetBIOS's 15 characters. The tables are in
//! [`Shared`](crate::shared::Shared), across flows and workers; every address answer is also
//! noted for `ntlm.to_poisoner`, and a responder this rule fires on is remembered as a poisoner.

use std::net::IpAddr;

use super::{story, Sentence, Threshold};
use crate::detect::{catalog::RuleId, DetectContext, Finding, Wording};
use crate::event::{Event, EventKind, NameObject};

/// Addresses remembered per name as its owner's (a dual-stack host answers with several).
const MAX_OWNER_ADDRESSES: usize = 8;
/// What an owner entry holds beyond its own size: its host name (15 characters) and addresses.
pub const NAME_OWNER_HEAP_BYTES: usize = 15 + MAX_OWNER_ADDRESSES * size_of::<IpAddr>();
/// Answered addresses noted per answer for `ntlm.to_poisoner`.
const MAX_NOTED: usize = 4;

/// The host part of a name asked: `None` for a reverse lookup or an empty name.
pub fn host_of(query: &str) -> Option<String> {
    let lower = query.to_ascii_lowercase();
    if lower.ends_with(".in-addr.arpa") || lower.ends_with(".ip6.arpa") {
        return None;
    }
    let host = lower.split(['<', '.']).next().unwrap_or_default().trim();
    (!host.is_empty()).then(|| host.chars().take(15).collect())
}

pub fn check(record: &Event, cx: &DetectContext) -> Option<Finding> {
    if record.kind != EventKind::Name {
        return None;
    }
    let name = record.objects.name.as_ref()?;
    if name.querier == name.responder || name.group || name.answers.is_empty() {
        return None;
    }
    let host = host_of(&name.query)?;
    let now = record.timestamp;
    let shared = cx.shared;
    let responder = name.responder;
    // Every address answer teaches the owner's addresses (a dual-stack host answers for itself
    // from one address with the other); only one claiming the name for the responder may
    // contradict the owner.
    let owner = shared.name_owners.with(now, host.clone(), |slot| other_owner(slot, name));
    if !claims_itself(name) {
        return None;
    }
    let many = shared.names_answered.observe(now, responder, &host);
    note_answer(cx, record, name);
    let c = &cx.config.correlation;
    let why = if host == "wpad" {
        Why::Wpad
    } else if let Some(owner) = owner {
        Why::Owned(owner)
    } else if many {
        Why::Many(Threshold { count: c.poisoning_names, secs: c.poisoning_window_secs })
    } else {
        return None;
    };
    shared.poisoners.with(now, responder, |slot| *slot = Some(()));
    story(RuleId::NamePoisoning, record, Sentence::NamePoisoning(why))
}

/// Why the answer is a poisoner's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// The name is `wpad`.
    Wpad,
    /// Another host (this one) owns the name.
    Owned(IpAddr),
    /// The responder has answered this many names.
    Many(Threshold),
}

pub fn words(w: &Wording, why: &Why) -> String {
    let Some(name) = &w.evidence.name else { return String::new() };
    let why = match why {
        Why::Wpad => "WPAD: whoever answers it serves the clients' proxy settings".to_string(),
        Why::Owned(owner) => format!("{owner} answers for that name too"),
        Why::Many(threshold) => format!("it has answered {} or more different names within {} s", threshold.count, threshold.secs),
    };
    format!(
        "{} answered the {} query of {} for {} with {}: {why}, as a poisoner (Responder) does",
        name.responder,
        name.protocol.to_uppercase(),
        name.querier,
        name.query,
        list(&name.answers)
    )
}

/// The responder gives its own address for a name, not its own question's, not a group's.
fn claims_itself(name: &NameObject) -> bool {
    name.querier != name.responder && !name.group && name.answers.contains(&name.responder)
}

/// Records the answer under its name's owner; the owner when that is another host.
fn other_owner(slot: &mut Option<Vec<IpAddr>>, name: &NameObject) -> Option<IpAddr> {
    let addresses = std::iter::once(name.responder).chain(name.answers.iter().copied());
    let Some(owner) = slot else {
        *slot = Some(addresses.take(MAX_OWNER_ADDRESSES).collect());
        return None;
    };
    let first = owner.first().copied();
    if !addresses.clone().any(|a| owner.contains(&a)) {
        return first;
    }
    // The same host under another of its addresses.
    for address in addresses {
        if owner.len() < MAX_OWNER_ADDRESSES && !owner.contains(&address) {
            owner.push(address);
        }
    }
    None
}

/// `ntlm.to_poisoner` looks for the querier authenticating to the responder or to an address
/// it was given.
fn note_answer(cx: &DetectContext, record: &Event, name: &NameObject) {
    let targets = std::iter::once(name.responder).chain(name.answers.iter().copied().filter(|a| *a != name.responder));
    for target in targets.take(MAX_NOTED) {
        cx.shared.name_answers.with(record.timestamp, (name.querier, target), |slot| *slot = Some(name.clone()));
    }
}

fn list(addresses: &[IpAddr]) -> String {
    addresses.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(query: &str, responder: [u8; 4], answers: &[[u8; 4]]) -> NameObject {
        NameObject {
            protocol: "nbns",
            query: query.into(),
            querier: IpAddr::from([10, 0, 0, 20]),
            responder: IpAddr::from(responder),
            answers: answers.iter().map(|a| IpAddr::from(*a)).collect(),
            ttl: Some(30),
            group: false,
        }
    }

    #[test]
    fn one_host_name_under_its_spellings() {
        for query in ["FS1<00>", "FS1<20>", "fs1", "fs1.local", "FS1.corp.example"] {
            assert_eq!(host_of(query).as_deref(), Some("fs1"), "{query}");
        }
        assert_eq!(host_of("johanna-QEMU-Virtual-Machine.local"), host_of("JOHANNA-QEMU-VI<00>"));
        assert_eq!(host_of("7.2.0.10.in-addr.arpa"), None);
        assert_eq!(host_of("<00>"), None);
    }

    #[test]
    fn only_a_host_claiming_a_name_for_itself_counts() {
        assert!(claims_itself(&answer("FS1<20>", [10, 0, 0, 66], &[[10, 0, 0, 66]])));
        // A WINS server gives the owner's address; a reverse answer gives none.
        assert!(!claims_itself(&answer("FS1<20>", [10, 0, 0, 1], &[[10, 0, 0, 5]])));
        assert!(!claims_itself(&answer("5.0.0.10.in-addr.arpa", [10, 0, 0, 5], &[])));
        let mut group = answer("CORP<1c>", [10, 0, 0, 5], &[[10, 0, 0, 5]]);
        group.group = true;
        assert!(!claims_itself(&group));
    }

    #[test]
    fn the_first_responder_owns_the_name_under_all_its_addresses() {
        let mut owner = None;
        assert_eq!(other_owner(&mut owner, &answer("FS1", [10, 0, 0, 5], &[[10, 0, 0, 5]])), None);
        // The same host answering from another address, giving the first: still the owner.
        assert_eq!(other_owner(&mut owner, &answer("FS1", [10, 0, 1, 5], &[[10, 0, 0, 5], [10, 0, 1, 5]])), None);
        assert_eq!(other_owner(&mut owner, &answer("FS1", [10, 0, 1, 5], &[[10, 0, 1, 5]])), None);
        assert_eq!(other_owner(&mut owner, &answer("FS1", [10, 0, 0, 66], &[[10, 0, 0, 66]])), Some(IpAddr::from([10, 0, 0, 5])));
    }
}
