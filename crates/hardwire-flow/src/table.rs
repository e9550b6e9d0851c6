//! A bounded flow table.
//!
//! Attackers choose 5-tuples, so the map's hash is seeded at random (foldhash's `RandomState`:
//! a per-process random seed plus one per table) and nobody off the sensor can aim keys at one
//! bucket; std's SipHash did the same at several times the cost (7 % of `hardwire read`).
//! Flows sit in a slab threaded on a least-recently-seen list: timeouts pop from its old end,
//! and when the table is full the least recently seen flow is evicted (and counted). Each flow
//! is also on the list of its tier, so a memory budget sheds the least recently seen flow of
//! the lowest tier first ([`TIERS`]). Every flow leaving the table is handed back to the
//! caller, which flushes it.

use std::collections::HashMap;

use foldhash::fast::RandomState;

use crate::key::{Direction, Endpoint, FlowKey};

/// One flow and the caller's state for it.
#[derive(Debug)]
pub struct Flow<T> {
    pub key: FlowKey,
    /// Unique within the table's owner; the same on every record of the connection.
    pub id: u64,
    pub client: Endpoint,
    pub server: Endpoint,
    pub first_seen_us: u64,
    pub last_seen_us: u64,
    pub state: T,
}

impl<T> Flow<T> {
    /// The direction of a packet sent by `src`.
    pub fn direction_from(&self, src: Endpoint) -> Direction {
        if src == self.client {
            Direction::ToServer
        } else {
            Direction::ToClient
        }
    }
}

const NIL: usize = usize::MAX;

/// Classes of flows a memory budget sheds in order: every flow of tier 0 goes (least recently
/// seen first) before any of tier 1, and so on. The layer above says what the tiers mean.
pub const TIERS: usize = 3;

/// A slot's place in one list.
#[derive(Debug, Clone, Copy)]
struct Links {
    /// Towards more recently seen flows.
    newer: usize,
    /// Towards less recently seen flows.
    older: usize,
}

const UNLINKED: Links = Links { newer: NIL, older: NIL };

/// The two ends of a list.
#[derive(Debug, Clone, Copy)]
struct Ends {
    newest: usize,
    oldest: usize,
}

const EMPTY: Ends = Ends { newest: NIL, oldest: NIL };

/// Which list: every flow by recency (timeouts, the flow cap), or one tier's flows by recency
/// (the memory budget).
#[derive(Debug, Clone, Copy)]
enum List {
    All,
    Tier(usize),
}

#[derive(Debug)]
struct Slot<T> {
    flow: Flow<T>,
    all: Links,
    in_tier: Links,
    tier: usize,
}

impl<T> Slot<T> {
    fn links(&mut self, list: List) -> &mut Links {
        match list {
            List::All => &mut self.all,
            List::Tier(_) => &mut self.in_tier,
        }
    }
}

/// The flow table. `T` is the per-flow state of the layer above.
#[derive(Debug)]
pub struct FlowTable<T> {
    index: HashMap<FlowKey, usize, RandomState>,
    /// The key and slot of the last flow found or made. Packets come in bursts (88 % of the
    /// benchmark capture's follow one of the same flow), and these skip the hash and the probe.
    last: Option<(FlowKey, usize)>,
    slots: Vec<Option<Slot<T>>>,
    free: Vec<usize>,
    all: Ends,
    tiers: [Ends; TIERS],
    capacity: usize,
    /// Flows ever created.
    pub created: u64,
    /// Flows pushed out because the table was full.
    pub evicted: u64,
}

impl<T> FlowTable<T> {
    /// A table that never holds more than `capacity` flows (at least one).
    pub fn new(capacity: usize) -> Self {
        FlowTable {
            index: HashMap::with_hasher(RandomState::default()),
            last: None,
            slots: Vec::new(),
            free: Vec::new(),
            all: EMPTY,
            tiers: [EMPTY; TIERS],
            capacity: capacity.max(1),
            created: 0,
            evicted: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// The slot of `key`, through the last lookup when it is the same flow.
    fn slot_of(&mut self, key: &FlowKey) -> Option<usize> {
        match self.last {
            Some((last_key, slot)) if last_key == *key => Some(slot),
            _ => {
                let slot = *self.index.get(key)?;
                self.last = Some((*key, slot));
                Some(slot)
            }
        }
    }

    /// The flow of `key`, marked as seen at `now_us`.
    pub fn get_mut(&mut self, key: &FlowKey, now_us: u64) -> Option<&mut Flow<T>> {
        let slot = self.slot_of(key)?;
        if slot != self.all.newest {
            self.unlink(slot, List::All);
            self.link_newest(slot, List::All);
        }
        let tier = self.slots.get(slot)?.as_ref()?.tier;
        if slot != self.tiers[tier].newest {
            self.unlink(slot, List::Tier(tier));
            self.link_newest(slot, List::Tier(tier));
        }
        let flow = &mut self.slots.get_mut(slot)?.as_mut()?.flow;
        flow.last_seen_us = flow.last_seen_us.max(now_us);
        Some(flow)
    }

    /// Moves the flow of `key` to `tier` (below [`TIERS`]), as its most recently seen flow.
    pub fn set_tier(&mut self, key: &FlowKey, tier: usize) {
        let tier = tier.min(TIERS - 1);
        let Some(slot) = self.slot_of(key) else { return };
        let Some(old) = self.slots.get(slot).and_then(Option::as_ref).map(|s| s.tier) else { return };
        if old != tier {
            self.unlink(slot, List::Tier(old));
            if let Some(s) = self.slots.get_mut(slot).and_then(Option::as_mut) {
                s.tier = tier;
            }
            self.link_newest(slot, List::Tier(tier));
        }
    }

    /// Inserts a new flow, in tier 0. When the table is full, the least recently seen flow is
    /// evicted and returned so the caller can flush it.
    pub fn insert(&mut self, flow: Flow<T>) -> (&mut Flow<T>, Option<Flow<T>>) {
        let evicted = if self.index.len() >= self.capacity {
            self.evicted += 1;
            self.pop_oldest()
        } else {
            None
        };
        self.created += 1;
        let key = flow.key;
        let slot = Slot { flow, all: UNLINKED, in_tier: UNLINKED, tier: 0 };
        let at = match self.free.pop() {
            Some(at) => {
                self.slots[at] = Some(slot);
                at
            }
            None => {
                self.slots.push(Some(slot));
                self.slots.len() - 1
            }
        };
        self.index.insert(key, at);
        self.last = Some((key, at));
        self.link_newest(at, List::All);
        self.link_newest(at, List::Tier(0));
        let flow = match self.slots[at].as_mut() {
            Some(slot) => &mut slot.flow,
            None => unreachable!("slot {at} was filled just above"),
        };
        (flow, evicted)
    }

    /// Removes a flow (closed connections).
    pub fn remove(&mut self, key: &FlowKey) -> Option<Flow<T>> {
        let slot = self.index.remove(key)?;
        self.take(slot)
    }

    /// Removes and returns the flows not seen for `idle_us` before `now_us`, oldest first.
    pub fn expire(&mut self, now_us: u64, idle_us: u64) -> Vec<Flow<T>> {
        let mut out = Vec::new();
        while let Some(slot) = self.slots.get(self.all.oldest).and_then(Option::as_ref) {
            if now_us.saturating_sub(slot.flow.last_seen_us) <= idle_us {
                break;
            }
            match self.pop_oldest() {
                Some(flow) => out.push(flow),
                None => break,
            }
        }
        out
    }

    /// Removes the least recently seen flow. Called until `None`, it empties the table oldest
    /// first (end of a capture, shutdown) one flow at a time, never holding a second copy of
    /// the table.
    pub fn pop_oldest(&mut self) -> Option<Flow<T>> {
        self.pop(self.all.oldest)
    }

    /// Removes the least recently seen flow of the lowest tier that has one, with its tier:
    /// what a memory budget gives up first. The flow found or made last (the packet's own,
    /// the newest of its tier) goes only when it is the last one left: a new connection is
    /// not given up for the ones it comes to join.
    pub fn shed(&mut self) -> Option<(usize, Flow<T>)> {
        let current = self.last.map(|(_, slot)| slot);
        let tier = self.tiers.iter().position(|ends| ends.oldest != NIL && Some(ends.oldest) != current);
        let tier = tier.or_else(|| self.tiers.iter().position(|ends| ends.oldest != NIL))?;
        self.pop(self.tiers[tier].oldest).map(|flow| (tier, flow))
    }

    fn pop(&mut self, slot: usize) -> Option<Flow<T>> {
        let key = self.slots.get(slot)?.as_ref()?.flow.key;
        self.index.remove(&key);
        self.take(slot)
    }

    fn take(&mut self, slot: usize) -> Option<Flow<T>> {
        if self.last.is_some_and(|(_, last)| last == slot) {
            self.last = None;
        }
        let tier = self.slots.get(slot)?.as_ref()?.tier;
        self.unlink(slot, List::All);
        self.unlink(slot, List::Tier(tier));
        let taken = self.slots.get_mut(slot)?.take()?;
        self.free.push(slot);
        Some(taken.flow)
    }

    fn ends(&mut self, list: List) -> &mut Ends {
        match list {
            List::All => &mut self.all,
            List::Tier(tier) => &mut self.tiers[tier],
        }
    }

    fn unlink(&mut self, slot: usize, list: List) {
        let Some(Links { newer, older }) = self.slots.get_mut(slot).and_then(Option::as_mut).map(|s| *s.links(list)) else { return };
        match self.slots.get_mut(newer).and_then(Option::as_mut) {
            Some(n) => n.links(list).older = older,
            None => self.ends(list).newest = older,
        }
        match self.slots.get_mut(older).and_then(Option::as_mut) {
            Some(o) => o.links(list).newer = newer,
            None => self.ends(list).oldest = newer,
        }
        if let Some(s) = self.slots.get_mut(slot).and_then(Option::as_mut) {
            *s.links(list) = UNLINKED;
        }
    }

    fn link_newest(&mut self, slot: usize, list: List) {
        let previous_newest = self.ends(list).newest;
        if let Some(s) = self.slots.get_mut(slot).and_then(Option::as_mut) {
            *s.links(list) = Links { newer: NIL, older: previous_newest };
        }
        match self.slots.get_mut(previous_newest).and_then(Option::as_mut) {
            Some(p) => p.links(list).newer = slot,
            None => self.ends(list).oldest = slot,
        }
        self.ends(list).newest = slot;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flow(port: u16, now: u64) -> Flow<()> {
        let client = Endpoint { ip: "10.0.0.1".parse().unwrap(), port };
        let server = Endpoint { ip: "10.0.0.2".parse().unwrap(), port: 445 };
        let key = FlowKey::of(client, server, 6);
        Flow { key, id: u64::from(port), client, server, first_seen_us: now, last_seen_us: now, state: () }
    }

    #[test]
    fn full_table_evicts_least_recently_seen() {
        let mut t = FlowTable::new(2);
        t.insert(flow(1, 0));
        t.insert(flow(2, 1));
        let k1 = flow(1, 0).key;
        t.get_mut(&k1, 5).unwrap();
        let (_, evicted) = t.insert(flow(3, 6));
        assert_eq!(evicted.unwrap().id, 2);
        assert_eq!((t.len(), t.evicted, t.created), (2, 1, 3));
    }

    #[test]
    fn idle_flows_expire_oldest_first() {
        let mut t = FlowTable::new(10);
        for port in 1..=5 {
            t.insert(flow(port, u64::from(port) * 10));
        }
        let gone: Vec<u64> = t.expire(45, 10).into_iter().map(|f| f.id).collect();
        assert_eq!(gone, vec![1, 2, 3]);
        assert_eq!(std::iter::from_fn(|| t.pop_oldest()).count(), 2);
        assert!(t.is_empty());
    }

    #[test]
    fn a_removed_flow_is_not_found_through_the_last_lookup() {
        let mut t = FlowTable::new(4);
        let (a, b) = (flow(1, 0).key, flow(2, 0).key);
        t.insert(flow(1, 0));
        t.insert(flow(2, 1));
        assert_eq!(t.get_mut(&a, 2).map(|f| f.id), Some(1));
        t.remove(&a);
        assert!(t.get_mut(&a, 3).is_none());
        // The recency list was not touched by the miss: B is both ends of it.
        assert_eq!((t.all.newest, t.all.oldest), (1, 1));
        t.insert(flow(3, 4));
        assert!(t.get_mut(&a, 5).is_none());
        assert_eq!(t.get_mut(&b, 6).map(|f| f.id), Some(2));
        let order: Vec<u64> = std::iter::from_fn(|| t.pop_oldest()).map(|f| f.id).collect();
        assert_eq!(order, vec![3, 2]);
    }

    #[test]
    fn slots_are_reused_and_links_stay_sound() {
        let mut t = FlowTable::new(3);
        for round in 0..100u16 {
            t.insert(flow(round, u64::from(round)));
            if round % 3 == 0 {
                t.remove(&flow(round, 0).key);
            }
        }
        assert!(t.len() <= 3);
        assert!(t.slots.len() <= 4);
        let held = t.len();
        assert_eq!(std::iter::from_fn(|| t.pop_oldest()).count(), held);
    }

    #[test]
    fn shedding_takes_the_lowest_tier_first_least_recently_seen_first() {
        let mut t = FlowTable::new(10);
        for port in 1..=5 {
            t.insert(flow(port, u64::from(port)));
        }
        // 1 and 2 are mid-authentication, 3 has protocol state, 4 and 5 are bulk.
        t.set_tier(&flow(1, 0).key, 2);
        t.set_tier(&flow(2, 0).key, 2);
        t.set_tier(&flow(3, 0).key, 1);
        // Seen again: 4 is now the most recently seen bulk flow, and the packet being handled
        // is its: it goes last, whatever its tier.
        t.get_mut(&flow(4, 0).key, 9).unwrap();
        let order: Vec<(usize, u64)> = std::iter::from_fn(|| t.shed()).map(|(tier, f)| (tier, f.id)).collect();
        assert_eq!(order, vec![(0, 5), (1, 3), (2, 1), (2, 2), (0, 4)]);
        assert!(t.is_empty() && t.pop_oldest().is_none());
    }

    #[test]
    fn tiers_do_not_change_the_order_of_timeouts() {
        let mut t = FlowTable::new(10);
        for port in 1..=4 {
            t.insert(flow(port, u64::from(port) * 10));
        }
        t.set_tier(&flow(2, 0).key, 2);
        t.set_tier(&flow(3, 0).key, 1);
        let gone: Vec<u64> = t.expire(100, 5).into_iter().map(|f| f.id).collect();
        assert_eq!(gone, vec![1, 2, 3, 4]);
        assert!(t.shed().is_none());
    }
}
