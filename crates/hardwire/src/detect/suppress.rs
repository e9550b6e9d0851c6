//! Alert suppression: the same (rule, client address, server address, user) inside the window
//! is written once at once with `count` 1; further occurrences are counted, and when the window
//! closes one more line (with the timestamp of the last occurrence) carries how many there were.
//!
//! One suppressor serves a whole sensor (the output stage), so it holds across workers. It holds
//! at most `suppression.max_windows` windows: past that the oldest closes early (its summary is
//! written, nothing is dropped) and is counted, so alerts on ever new addresses (a SYN flood to
//! outside addresses) cannot grow it without bound. Its windows count against the budget of
//! the shared state ([`SharedBudget`]): past it, the oldest window closes early too.
//!
//! Alerts come in raised, their sentences unworded; only the lines written are worded
//! ([`Event::worded`]), so an alert folded into a count costs no sentence.

use std::collections::BTreeMap;
use std::mem::size_of;
use std::net::IpAddr;
use std::sync::Arc;

use foldhash::fast::RandomState;
use hashbrown::{Equivalent, HashMap};

use crate::config::Suppression;
use crate::detect::catalog::RuleId;
use crate::event::{Event, EventKind, Objects};
use crate::shared::SharedBudget;
use crate::time::Timestamp;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    rule: RuleId,
    client: Option<IpAddr>,
    server: Option<IpAddr>,
    user: Option<String>,
}

/// A key as an alert gives it, its user borrowed from the alert: looked up without a copy (the
/// copy is made only for a new window). Hashes as the [`Key`] it stands for.
#[derive(Hash)]
struct KeyRef<'a> {
    rule: RuleId,
    client: Option<IpAddr>,
    server: Option<IpAddr>,
    user: Option<&'a str>,
}

impl KeyRef<'_> {
    fn to_key(&self) -> Key {
        Key { rule: self.rule, client: self.client, server: self.server, user: self.user.map(str::to_owned) }
    }
}

impl Equivalent<Key> for KeyRef<'_> {
    fn equivalent(&self, key: &Key) -> bool {
        self.rule == key.rule && self.client == key.client && self.server == key.server && self.user == key.user.as_deref()
    }
}

#[derive(Debug)]
struct Window {
    suppressed: u64,
    /// The last suppressed occurrence: the summary line is written from it. Boxed: an event
    /// is large, and it would be copied with every window the map moves.
    last: Option<Box<Event>>,
    /// What `last` costs, as counted against the budget (beyond [`window_bytes`]).
    last_bytes: usize,
}

/// What an open window costs beyond its user name (held twice): its key in both maps, the
/// window, and map overhead.
const WINDOW_BYTES: usize = 2 * size_of::<Key>() + size_of::<Window>() + size_of::<(Timestamp, u64)>() + 128;

/// What an open window costs before its last suppressed occurrence.
fn window_bytes(user: Option<&str>) -> usize {
    WINDOW_BYTES + 2 * user.map_or(0, str::len)
}

/// What a window's last suppressed occurrence adds: the event and the objects it alone holds,
/// with what their boxes hold.
fn last_event_bytes(event: &Event) -> usize {
    size_of::<Event>() + size_of::<Objects>() + event.objects.boxed_bytes()
}

/// Collapses repeated alerts and words the ones written. Events that are not raised alerts pass
/// through untouched.
#[derive(Debug)]
pub struct Suppressor {
    window_us: u64,
    /// Keys hold addresses and user names from the wire: the hash is randomly seeded, as the
    /// flow table's is, and cheaper than std's SipHash, which was 2.5 % of `hardwire read`.
    /// hashbrown's map (std's own) for its lookup by an [`Equivalent`] key.
    open: HashMap<Key, Window, RandomState>,
    /// The open windows by opening time (and order of opening): each event closes the ones
    /// that ran out from the front, without a walk over every open window.
    by_age: BTreeMap<(Timestamp, u64), Key>,
    /// Windows opened so far: orders windows opened at the same time.
    opened: u64,
    max_windows: usize,
    /// Windows closed before their time to stay within `max_windows` or the budget.
    pub closed_early: u64,
    budget: Arc<SharedBudget>,
}

impl Suppressor {
    pub fn new(settings: &Suppression) -> Self {
        Suppressor {
            window_us: settings.window_secs.saturating_mul(1_000_000),
            open: HashMap::default(),
            by_age: BTreeMap::new(),
            opened: 0,
            max_windows: settings.max_windows.max(1),
            closed_early: 0,
            budget: SharedBudget::unlimited(),
        }
    }

    /// The suppressor of a sensor whose shared state is `shared`: its windows count against
    /// the shared budget.
    pub fn within(mut self, shared: &crate::shared::Shared) -> Self {
        self.budget = shared.budget.clone();
        self
    }

    /// Passes `event` on to `out` unless it repeats an alert inside its window.
    pub fn offer(&mut self, event: Event, out: &mut impl FnMut(Event)) {
        self.close_windows(event.timestamp, out);
        let EventKind::Raised(alert) = &event.kind else {
            out(event);
            return;
        };
        if self.window_us == 0 {
            out(event.worded(1));
            return;
        }
        let key = KeyRef {
            rule: alert.rule,
            client: event.flow.as_ref().map(|f| f.src_ip),
            server: event.flow.as_ref().map(|f| f.dest_ip),
            user: alert.user(&event.objects),
        };
        match self.open.get_mut(&key) {
            Some(window) => {
                window.suppressed += 1;
                let bytes = last_event_bytes(&event);
                if bytes != window.last_bytes {
                    self.budget.add(bytes);
                    self.budget.sub(std::mem::replace(&mut window.last_bytes, bytes));
                }
                match &mut window.last {
                    Some(last) => **last = event,
                    None => window.last = Some(Box::new(event)),
                }
            }
            None => {
                if self.open.len() >= self.max_windows || (self.budget.over() && !self.open.is_empty()) {
                    let oldest = self.by_age.pop_first().and_then(|(_, key)| self.forget(&key));
                    self.closed_early += 1;
                    Self::summarise(oldest.into_iter().collect(), out);
                }
                let key = key.to_key();
                self.opened += 1;
                self.budget.add(window_bytes(key.user.as_deref()));
                self.by_age.insert((event.timestamp, self.opened), key.clone());
                self.open.insert(key, Window { suppressed: 0, last: None, last_bytes: 0 });
                out(event.worded(1));
            }
        }
    }

    /// Closes the windows that have run out by `now`.
    pub fn close_windows(&mut self, now: Timestamp, out: &mut impl FnMut(Event)) {
        let mut expired: Vec<Window> = Vec::new();
        while let Some(entry) = self.by_age.first_entry() {
            if now.0.saturating_sub(entry.key().0 .0) < self.window_us {
                break;
            }
            let key = entry.remove();
            expired.extend(self.forget(&key));
        }
        // Most events close no window.
        if !expired.is_empty() {
            Self::summarise(expired, out);
        }
    }

    /// Takes a window out of the open ones (its place in `by_age` is the caller's to remove).
    fn forget(&mut self, key: &Key) -> Option<Window> {
        let window = self.open.remove(key)?;
        self.budget.sub(window_bytes(key.user.as_deref()) + window.last_bytes);
        Some(window)
    }

    /// End of input: every open window writes its summary.
    pub fn flush(&mut self, out: &mut impl FnMut(Event)) {
        let all: Vec<Window> = std::mem::take(&mut self.by_age).into_values().filter_map(|key| self.forget(&key)).collect();
        Self::summarise(all, out);
    }

    fn summarise(mut windows: Vec<Window>, out: &mut impl FnMut(Event)) {
        windows.sort_by_key(|w| w.last.as_ref().map(|e| e.timestamp));
        for window in windows {
            let Some(last) = window.last else { continue };
            out(last.worded(window.suppressed));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::catalog::Severity;
    use crate::detect::{Raised, Sentence, Subject};
    use crate::event::{Krb5Object, LdapObject};

    fn alert(objects: Objects) -> Event {
        let raised = Raised { rule: RuleId::SmbGuest, severity: Severity::High, sentence: Sentence::SmbGuest, subject: Subject::Nobody };
        Event { timestamp: Timestamp(1), flow: None, kind: EventKind::Raised(raised), objects: Arc::new(objects) }
    }

    /// A window's last suppressed occurrence is counted with what the boxes of its evidence
    /// hold, whichever occurrence it is now; a closed window gives all of it back.
    #[test]
    fn the_last_occurrence_counts_what_its_boxes_hold() {
        let mut suppressor = Suppressor::new(&Suppression::default());
        let mut written = Vec::new();
        let held = |s: &Suppressor| s.budget.bytes();
        suppressor.offer(alert(Objects::default()), &mut |e| written.push(e));
        let window = held(&suppressor);
        assert_eq!(window, WINDOW_BYTES);
        let event = size_of::<Event>() + size_of::<Objects>();
        suppressor.offer(alert(Objects::default()), &mut |e| written.push(e));
        assert_eq!(held(&suppressor), window + event);
        let krb5 = Objects { krb5: Some(Box::default()), ..Objects::default() };
        suppressor.offer(alert(krb5), &mut |e| written.push(e));
        assert_eq!(held(&suppressor), window + event + size_of::<Krb5Object>());
        let ldap = Objects { ldap: Some(Box::default()), ..Objects::default() };
        suppressor.offer(alert(ldap), &mut |e| written.push(e));
        assert_eq!(held(&suppressor), window + event + size_of::<LdapObject>());
        suppressor.flush(&mut |e| written.push(e));
        assert_eq!((held(&suppressor), written.len()), (0, 2));
    }
}
