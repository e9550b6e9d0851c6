//! `name.poisoning`: one host answers LLMNR, NBT-NS or mDNS queries for names that are not its
//! own, as Responder does: a name another host owns (it registered it over NBT-NS or announced
//! it over mDNS, or, when nobody did within the window, it answered first), whichever of the
//! two answered first; `correlation.poisoning_names` (3) distinct names within
//! `correlation.poisoning_window_secs` (300 s); or `wpad`. Only answers that give addresses for
//! a host name count: reverse lookups and service discovery redirect no one, a group name (a
//! workgroup, a domain) is answered by all its members, and a host answering its own question
//! (mDNS probes) answers for itself. A name's owner answering it is never a poisoner.
//!
//! Names are compared by their host part ([`host_of`]). The tables are in
//! [`Shared`](crate::shared::Shared), across flows and workers: the owners (claimed by
//! `app/names.rs` from registrations and announcements, guessed here from first answers); every
//! address answer is also noted for `ntlm.to_poisoner`, and a responder this rule fires on is
//! remembered as a poisoner, which then owns no name by answering first.

use std::net::IpAddr;

use super::{story, Sentence, Threshold};
use crate::app::names::{host_of, learn, Claim, NameOwner};
use crate::detect::{catalog::RuleId, DetectContext, Finding, Wording};
use crate::event::{Event, EventKind, NameObject};

/// Answered addresses noted per answer for `ntlm.to_poisoner`.
const MAX_NOTED: usize = 4;

/// What the owner table says of an answer's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Owner {
    /// The responder claimed the name: its own.
    Responder,
    /// Nobody else owns it (the responder may have become its owner by answering first).
    Nobody,
    /// Another host owns it.
    Other(IpAddr, Claim),
}

pub fn check(record: &Event, cx: &DetectContext) -> Option<Finding> {
    if !matches!(record.kind, EventKind::Name) {
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
    // Every address answer teaches a first responder's addresses (a dual-stack host answers
    // for itself from one address with the other); only one claiming the name for the
    // responder may contradict the owner. (The poisoner table is locked inside the owner
    // table's lock: nothing takes them the other way round.)
    let owner =
        shared.name_owners.with(now, host.clone(), |slot| owner_of(slot, name, |first| shared.poisoners.get(now, &first).is_some()));
    if !claims_itself(name) || owner == Owner::Responder {
        return None;
    }
    let many = shared.names_answered.observe(now, responder, &host);
    note_answer(cx, record, name);
    let c = &cx.config.correlation;
    let why = match owner {
        Owner::Other(owner, Claim::Registered) => Why::Registered(owner),
        Owner::Other(owner, Claim::Announced) => Why::Announced(owner),
        _ if host == "wpad" => Why::Wpad,
        Owner::Other(owner, Claim::FirstAnswer) => Why::Owned(owner),
        _ if many => Why::Many(Threshold { count: c.poisoning_names, secs: c.poisoning_window_secs }),
        _ => return None,
    };
    shared.poisoners.with(now, responder, |slot| *slot = Some(()));
    story(RuleId::NamePoisoning, record, Sentence::NamePoisoning(why))
}

/// Why the answer is a poisoner's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// Another host (this one) registered the name over NBT-NS...
    Registered(IpAddr),
    /// ...or announced it over mDNS.
    Announced(IpAddr),
    /// The name is `wpad`.
    Wpad,
    /// Another host (this one) answered for the name first, and nobody claimed it.
    Owned(IpAddr),
    /// The responder has answered this many names.
    Many(Threshold),
}

pub fn words(w: &Wording, why: &Why) -> String {
    let Some(name) = &w.evidence.name else { return String::new() };
    let why = match why {
        Why::Registered(owner) => format!("{owner} registered that name"),
        Why::Announced(owner) => format!("{owner} announced that name"),
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

/// The owner of the answer's name, and the answer taken into the entry of a first responder:
/// with nobody there it becomes the owner, the same host (by any address it answered with)
/// adds its addresses, and another host replaces a first responder found to be a poisoner.
/// A claimed name keeps its claimed addresses.
fn owner_of(slot: &mut Option<NameOwner>, name: &NameObject, is_poisoner: impl Fn(IpAddr) -> bool) -> Owner {
    let addresses = std::iter::once(name.responder).chain(name.answers.iter().copied());
    let first_answer = || {
        let mut owner = NameOwner { addresses: Vec::new(), claim: Claim::FirstAnswer };
        learn(&mut owner, addresses.clone());
        owner
    };
    let Some(owner) = slot else {
        *slot = Some(first_answer());
        return Owner::Nobody;
    };
    let first = owner.addresses.first().copied();
    match owner.claim {
        _ if owner.addresses.contains(&name.responder) && owner.claim != Claim::FirstAnswer => Owner::Responder,
        Claim::Registered | Claim::Announced => first.map_or(Owner::Nobody, |first| Owner::Other(first, owner.claim)),
        Claim::FirstAnswer if !addresses.clone().any(|a| owner.addresses.contains(&a)) => match first {
            Some(first) if !is_poisoner(first) => Owner::Other(first, Claim::FirstAnswer),
            _ => {
                *owner = first_answer();
                Owner::Nobody
            }
        },
        Claim::FirstAnswer => {
            // The same host under another of its addresses.
            learn(owner, addresses);
            Owner::Nobody
        }
    }
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
    fn unclaimed_the_first_responder_owns_the_name_under_all_its_addresses() {
        let mut owner = None;
        let never = |_| false;
        assert_eq!(owner_of(&mut owner, &answer("FS1", [10, 0, 0, 5], &[[10, 0, 0, 5]]), never), Owner::Nobody);
        // The same host answering from another address, giving the first: still the owner.
        assert_eq!(owner_of(&mut owner, &answer("FS1", [10, 0, 1, 5], &[[10, 0, 0, 5], [10, 0, 1, 5]]), never), Owner::Nobody);
        assert_eq!(owner_of(&mut owner, &answer("FS1", [10, 0, 1, 5], &[[10, 0, 1, 5]]), never), Owner::Nobody);
        let poisoner = answer("FS1", [10, 0, 0, 66], &[[10, 0, 0, 66]]);
        assert_eq!(owner_of(&mut owner, &poisoner, never), Owner::Other(IpAddr::from([10, 0, 0, 5]), Claim::FirstAnswer));
        // A first responder found to be a poisoner owns nothing: the next host takes the name.
        let mut owner = None;
        owner_of(&mut owner, &poisoner, never);
        let real = answer("FS1", [10, 0, 0, 5], &[[10, 0, 0, 5]]);
        assert_eq!(owner_of(&mut owner, &real, |a| a == IpAddr::from([10, 0, 0, 66])), Owner::Nobody);
        assert_eq!(owner.map(|o| o.addresses), Some(vec![IpAddr::from([10, 0, 0, 5])]));
    }

    #[test]
    fn a_claimed_name_is_its_claimants_whoever_answers_first() {
        let registered = NameOwner { addresses: vec![IpAddr::from([10, 0, 0, 5])], claim: Claim::Registered };
        let mut owner = Some(registered.clone());
        let never = |_| false;
        let poisoner = answer("FS1<00>", [10, 0, 0, 66], &[[10, 0, 0, 66]]);
        assert_eq!(owner_of(&mut owner, &poisoner, never), Owner::Other(IpAddr::from([10, 0, 0, 5]), Claim::Registered));
        assert_eq!(owner_of(&mut owner, &answer("FS1<20>", [10, 0, 0, 5], &[[10, 0, 0, 5]]), never), Owner::Responder);
        // Answers teach a claimed name no addresses.
        assert_eq!(owner, Some(registered));
    }
}
