//! State shared by every worker of a sensor: what one connection teaches about a server must
//! hold for connections handled by other threads.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::hash::{BuildHasher, Hash};
use std::mem::size_of;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use foldhash::fast::RandomState;
use hashbrown::hash_map::Entry;

use crate::app::names::{NameOwner, PendingQuery, QueryKey, NAME_ANSWER_HEAP_BYTES, NAME_OWNER_HEAP_BYTES, PENDING_QUERY_HEAP_BYTES};
use crate::event::NameObject;
use crate::time::Timestamp;

/// What an entry of a map costs beyond its key and value (buckets, nodes, allocator): an
/// estimate, like the sizes of the values' own vectors.
const ENTRY_OVERHEAD: usize = 64;

/// The bytes the state shared by a sensor's workers holds (suppression windows, server memory,
/// correlation tables), counted where entries are added and removed, against its part of the
/// sensor's budget: half of `limits.memory_budget` × workers. Past that, each of them sheds
/// its own way (the oldest suppression window closes early, the server with the lowest dialect
/// is forgotten, a correlation table refuses new keys); the workers' flows get the rest.
#[derive(Debug)]
pub struct SharedBudget {
    /// The sensor's budget (every worker's).
    sensor_bytes: usize,
    workers: usize,
    bytes: AtomicUsize,
}

impl SharedBudget {
    pub fn new(per_worker: usize, workers: usize) -> Self {
        let workers = workers.max(1);
        SharedBudget { sensor_bytes: per_worker.saturating_mul(workers), workers, bytes: AtomicUsize::new(0) }
    }

    /// A budget nothing is ever over (tables built on their own, in tests).
    pub fn unlimited() -> Arc<Self> {
        Arc::new(SharedBudget::new(usize::MAX, 1))
    }

    /// Bytes held now by the shared state.
    pub fn bytes(&self) -> usize {
        self.bytes.load(Ordering::Relaxed)
    }

    /// One worker's share of them.
    pub fn per_worker(&self) -> usize {
        self.bytes() / self.workers
    }

    /// The shared state holds more than its half of the sensor's budget: it sheds.
    pub fn over(&self) -> bool {
        self.bytes() > self.sensor_bytes / 2
    }

    pub fn add(&self, bytes: usize) {
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
    }

    pub fn sub(&self, bytes: usize) {
        // Never below zero, whatever the order of concurrent updates.
        let _ = self.bytes.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |held| Some(held.saturating_sub(bytes)));
    }
}

/// Independent parts of [`DialectMemory`], each behind its own lock: workers learning about
/// different servers rarely wait for each other.
const SHARDS: usize = 16;

/// The best SMB dialect each server has been seen to negotiate (for `smb.dialect.downgrade`).
/// Bounded by `limits.max_servers_remembered` (split evenly over its shards) and the shared
/// budget: when a shard is full, or the shared state over its budget, the server with the
/// lowest best dialect is forgotten first, found in O(log n), and counted.
#[derive(Debug)]
pub struct DialectMemory {
    shards: Vec<Mutex<Shard>>,
    /// Addresses come from the wire: the shard is chosen by a randomly seeded hash.
    hasher: RandomState,
    per_shard: usize,
    budget: Arc<SharedBudget>,
    forgotten: AtomicU64,
}

/// What one remembered server costs: its entries in both maps.
const SERVER_BYTES: usize = 2 * (size_of::<IpAddr>() + size_of::<u16>() + ENTRY_OVERHEAD);

#[derive(Debug, Default)]
struct Shard {
    best: HashMap<IpAddr, u16>,
    /// The same entries ordered by dialect, lowest first: the eviction order.
    by_dialect: BTreeSet<(u16, IpAddr)>,
}

impl DialectMemory {
    pub fn new(capacity: usize, budget: Arc<SharedBudget>) -> Self {
        DialectMemory {
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
            hasher: RandomState::default(),
            per_shard: capacity.div_ceil(SHARDS).max(1),
            budget,
            forgotten: AtomicU64::new(0),
        }
    }

    /// Servers forgotten to stay within the cap or the budget.
    pub fn forgotten(&self) -> u64 {
        self.forgotten.load(Ordering::Relaxed)
    }

    /// Records that `server` negotiated `dialect`; returns the best dialect it had negotiated
    /// before this one, if any.
    pub fn observe(&self, server: IpAddr, dialect: u16) -> Option<u16> {
        let mut hasher = self.hasher.build_hasher();
        server.hash(&mut hasher);
        let index = (std::hash::Hasher::finish(&hasher) % SHARDS as u64) as usize;
        let mut shard = lock(&self.shards[index]);
        let before = shard.best.get(&server).copied();
        match before {
            Some(best) if best >= dialect => {}
            Some(best) => {
                shard.by_dialect.remove(&(best, server));
                shard.by_dialect.insert((dialect, server));
                shard.best.insert(server, dialect);
            }
            None => {
                if shard.best.len() >= self.per_shard || self.budget.over() {
                    if let Some((_, victim)) = shard.by_dialect.pop_first() {
                        shard.best.remove(&victim);
                        self.budget.sub(SERVER_BYTES);
                        self.forgotten.fetch_add(1, Ordering::Relaxed);
                    }
                }
                shard.by_dialect.insert((dialect, server));
                shard.best.insert(server, dialect);
                self.budget.add(SERVER_BYTES);
            }
        }
        before
    }
}

/// A poisoned lock still holds consistent data here (every update is a single insert or
/// remove): carry on with it.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    match mutex.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// A bounded table whose entries live for a window of packet time after their last update:
/// the correlation state of the rules that look across connections (and, live, across
/// workers). When it is full (or the shared state over its budget), expired entries are swept
/// (at most once per quarter window); a new key that still finds no room is not stored, and
/// counted in [`WindowTable::shed`].
#[derive(Debug)]
pub struct WindowTable<K, V> {
    inner: Mutex<WindowInner<K, V>>,
    capacity: usize,
    window_us: u64,
    shed: AtomicU64,
    budget: Arc<SharedBudget>,
    /// What one entry costs, its value's own vector at its largest included.
    entry_bytes: usize,
}

/// The entries, each with the time of its last update. Keys come from the wire: the hash is
/// randomly seeded (foldhash, as the flow table's), and cheaper than std's SipHash. An entry is
/// updated where it lies: no key hashed twice, no value moved out and back.
#[derive(Debug)]
struct WindowInner<K, V> {
    /// A slot left empty by an update is removed at once: every entry holds a value.
    entries: hashbrown::HashMap<K, (Timestamp, Option<V>), RandomState>,
    last_sweep: Timestamp,
}

impl<K: Hash + Eq, V> WindowTable<K, V> {
    /// A table whose values hold at most `value_heap_bytes` beyond their own size.
    pub fn new(capacity: usize, window_secs: u64, budget: Arc<SharedBudget>, value_heap_bytes: usize) -> Self {
        WindowTable {
            inner: Mutex::new(WindowInner { entries: hashbrown::HashMap::default(), last_sweep: Timestamp(0) }),
            capacity: capacity.max(1),
            window_us: window_secs.saturating_mul(1_000_000),
            shed: AtomicU64::new(0),
            budget,
            entry_bytes: size_of::<K>() + size_of::<(Timestamp, V)>() + value_heap_bytes + ENTRY_OVERHEAD,
        }
    }

    /// Hands `update` the live entry of `key` (`None` when absent or older than the window); what
    /// it leaves in the slot is stored, stamped `now`.
    pub fn with<R>(&self, now: Timestamp, key: K, update: impl FnOnce(&mut Option<V>) -> R) -> R {
        let mut guard = lock(&self.inner);
        let inner = &mut *guard;
        let window = self.window_us;
        let live = |stamp: Timestamp| now.0.saturating_sub(stamp.0) <= window;
        let before = inner.entries.len();
        let key = match inner.entries.entry(key) {
            Entry::Occupied(mut entry) => {
                let (stamp, slot) = entry.get_mut();
                if !live(*stamp) {
                    *slot = None;
                }
                let result = update(slot);
                if slot.is_some() {
                    *stamp = now;
                } else {
                    entry.remove();
                    self.budget.sub(self.entry_bytes);
                }
                return result;
            }
            Entry::Vacant(entry) => entry.into_key(),
        };
        let mut slot = None;
        let result = update(&mut slot);
        if slot.is_some() {
            let full = |len: usize| len >= self.capacity || (len >= before && self.budget.over());
            if full(before) && now.0.saturating_sub(inner.last_sweep.0) > window / 4 {
                inner.entries.retain(|_, (stamp, _)| live(*stamp));
                inner.last_sweep = now;
            }
            let after = inner.entries.len();
            if full(after) {
                self.shed.fetch_add(1, Ordering::Relaxed);
            } else {
                inner.entries.insert(key, (now, slot));
                self.budget.add(self.entry_bytes);
            }
            self.budget.sub((before - after) * self.entry_bytes);
        }
        result
    }

    /// Entries held now.
    pub fn len(&self) -> usize {
        lock(&self.inner).entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The live entry of `key`, left as it is (its time is not renewed).
    pub fn get(&self, now: Timestamp, key: &K) -> Option<V>
    where
        V: Clone,
    {
        let inner = lock(&self.inner);
        let (stamp, value) = inner.entries.get(key)?;
        (now.0.saturating_sub(stamp.0) <= self.window_us).then(|| value.clone()).flatten()
    }

    /// New entries refused because the table was full of live ones.
    pub fn shed(&self) -> u64 {
        self.shed.load(Ordering::Relaxed)
    }
}

/// Events per key inside a sliding window, for "N times within T" rules: the times of the last
/// `threshold` events are kept, no more.
#[derive(Debug)]
pub struct RateTable<K> {
    table: WindowTable<K, VecDeque<Timestamp>>,
    threshold: usize,
}

impl<K: Hash + Eq> RateTable<K> {
    pub fn new(capacity: usize, window_secs: u64, threshold: usize, budget: Arc<SharedBudget>) -> Self {
        let threshold = threshold.max(1);
        RateTable { table: WindowTable::new(capacity, window_secs, budget, threshold * size_of::<Timestamp>()), threshold }
    }

    /// Counts one event of `key` at `now`; true when it makes `threshold` inside the window.
    pub fn hit(&self, now: Timestamp, key: K) -> bool {
        let window = self.table.window_us;
        let threshold = self.threshold;
        self.table.with(now, key, |slot| {
            let times = slot.get_or_insert_with(VecDeque::new);
            times.retain(|t| now.0.saturating_sub(t.0) <= window);
            if times.len() >= threshold {
                times.pop_front();
            }
            times.push_back(now);
            times.len() >= threshold
        })
    }

    pub fn table(&self) -> &WindowTable<K, VecDeque<Timestamp>> {
        &self.table
    }
}

/// Distinct values per key inside a sliding window, for "N distinct within T" rules: each
/// key keeps the last time it saw each of at most `threshold` values (hashes of them, not the
/// values), no more.
#[derive(Debug)]
pub struct DistinctTable<K> {
    table: WindowTable<K, Vec<(u64, Timestamp)>>,
    threshold: usize,
}

impl<K: Hash + Eq> DistinctTable<K> {
    pub fn new(capacity: usize, window_secs: u64, threshold: usize, budget: Arc<SharedBudget>) -> Self {
        let threshold = threshold.max(1);
        DistinctTable { table: WindowTable::new(capacity, window_secs, budget, threshold * size_of::<(u64, Timestamp)>()), threshold }
    }

    /// Notes `value` for `key` at `now`; true when `key` has seen `threshold` distinct values
    /// inside the window.
    pub fn observe(&self, now: Timestamp, key: K, value: &str) -> bool {
        self.observe_hash(now, key, value_hash(value))
    }

    /// [`observe`](Self::observe) of a value by its [`value_hash`].
    pub fn observe_hash(&self, now: Timestamp, key: K, hash: u64) -> bool {
        let window = self.table.window_us;
        let threshold = self.threshold;
        self.table.with(now, key, |slot| {
            let seen = slot.get_or_insert_with(Vec::new);
            seen.retain(|(h, t)| *h != hash && now.0.saturating_sub(t.0) <= window);
            if seen.len() >= threshold {
                seen.remove(0);
            }
            seen.push((hash, now));
            seen.len() >= threshold
        })
    }

    pub fn table(&self) -> &WindowTable<K, Vec<(u64, Timestamp)>> {
        &self.table
    }
}

/// A value's hash for [`DistinctTable`]: std's SipHash with fixed keys, so one value hashes
/// the same in every worker.
pub fn value_hash(value: &str) -> u64 {
    use std::hash::Hasher;
    let mut hasher = std::hash::DefaultHasher::new();
    hasher.write(value.as_bytes());
    hasher.finish()
}

/// Everything the workers of one sensor share.
#[derive(Debug)]
pub struct Shared {
    /// What all of this holds (and the output stage's suppressor), against its budget.
    pub budget: Arc<SharedBudget>,
    pub dialects: DialectMemory,
    /// Netlogon secure-channel attempts per client (`dcerpc.zerologon`).
    pub netlogon_attempts: RateTable<IpAddr>,
    /// Accounts each client failed to log on as (`auth.spray`).
    pub failed_accounts: DistinctTable<IpAddr>,
    /// Failed logons per client and account (`auth.bruteforce`).
    pub failed_logons: RateTable<(IpAddr, u64)>,
    /// Names the KDC did not know, per client (`kerberos.user_enum`).
    pub unknown_principals: DistinctTable<IpAddr>,
    /// User services each client asked tickets for (`kerberos.kerberoast`).
    pub service_tickets: DistinctTable<IpAddr>,
    /// `ntlm.relay`: the server each NTLM challenge was issued by, keyed by the challenge's
    /// keyed hash (never the challenge)...
    pub ntlm_challenges: WindowTable<u64, IpAddr>,
    /// ...and the client each NTLMv2 proof came from, keyed by the proof's keyed hash.
    pub ntlm_proofs: WindowTable<u64, IpAddr>,
    /// LLMNR, NBT-NS and mDNS queries waiting for their answers (`app/names.rs`).
    pub(crate) name_queries: WindowTable<QueryKey, PendingQuery>,
    /// `name.poisoning`: each name's owner, as claimed (`app/names.rs`) or first to answer...
    pub(crate) name_owners: WindowTable<String, NameOwner>,
    /// ...the distinct names each responder answered...
    pub names_answered: DistinctTable<IpAddr>,
    /// ...and the responders it fired on.
    pub poisoners: WindowTable<IpAddr, ()>,
    /// `ntlm.to_poisoner`: the last name answer per (querier, responder or address given).
    pub name_answers: WindowTable<(IpAddr, IpAddr), NameObject>,
}

impl Shared {
    /// The state of a sensor with one engine (`hardwire read`).
    pub fn new(config: &crate::config::Config) -> Self {
        Shared::for_workers(config, 1)
    }

    /// The state `workers` engines share: its budget is its half of theirs.
    pub fn for_workers(config: &crate::config::Config, workers: usize) -> Self {
        let limits = &config.limits;
        let c = &config.correlation;
        let entries = limits.max_correlation_entries;
        let budget = Arc::new(SharedBudget::new(limits.memory_budget, workers));
        let b = || budget.clone();
        Shared {
            dialects: DialectMemory::new(limits.max_servers_remembered, b()),
            netlogon_attempts: RateTable::new(entries, NETLOGON_WINDOW_SECS, NETLOGON_ATTEMPTS, b()),
            failed_accounts: DistinctTable::new(entries, c.spray_window_secs, c.spray_accounts, b()),
            failed_logons: RateTable::new(entries, c.bruteforce_window_secs, c.bruteforce_failures, b()),
            unknown_principals: DistinctTable::new(entries, c.user_enum_window_secs, c.user_enum_names, b()),
            service_tickets: DistinctTable::new(entries, c.kerberoast_window_secs, c.kerberoast_services, b()),
            ntlm_challenges: WindowTable::new(entries, RELAY_WINDOW_SECS, b(), 0),
            ntlm_proofs: WindowTable::new(entries, RELAY_WINDOW_SECS, b(), 0),
            name_queries: WindowTable::new(entries, c.name_answer_secs, b(), PENDING_QUERY_HEAP_BYTES),
            name_owners: WindowTable::new(entries, c.poisoning_window_secs, b(), NAME_OWNER_HEAP_BYTES),
            names_answered: DistinctTable::new(entries, c.poisoning_window_secs, c.poisoning_names, b()),
            poisoners: WindowTable::new(entries, c.poisoning_window_secs, b(), 0),
            name_answers: WindowTable::new(entries, c.poisoner_auth_window_secs, b(), NAME_ANSWER_HEAP_BYTES),
            budget,
        }
    }

    /// New keys the correlation tables refused because they were full of live entries.
    pub fn correlation_shed(&self) -> u64 {
        self.netlogon_attempts.table().shed()
            + self.failed_accounts.table().shed()
            + self.failed_logons.table().shed()
            + self.unknown_principals.table().shed()
            + self.service_tickets.table().shed()
            + self.ntlm_challenges.shed()
            + self.ntlm_proofs.shed()
            + self.name_queries.shed()
            + self.name_owners.shed()
            + self.names_answered.table().shed()
            + self.poisoners.shed()
            + self.name_answers.shed()
    }
}

/// `ntlm.relay`: a challenge or proof seen twice within this many seconds.
pub const RELAY_WINDOW_SECS: u64 = 60;

/// `dcerpc.zerologon`: this many NetrServerAuthenticate calls from one client...
pub const NETLOGON_ATTEMPTS: usize = 5;
/// ...within this many seconds.
pub const NETLOGON_WINDOW_SECS: u64 = 60;

#[cfg(test)]
mod tests {
    use super::*;

    const SEC: u64 = 1_000_000;

    #[test]
    fn window_entries_expire_and_the_table_stays_bounded() {
        let table: WindowTable<u32, u32> = WindowTable::new(2, 60, SharedBudget::unlimited(), 0);
        table.with(Timestamp(0), 1, |slot| *slot = Some(10));
        assert_eq!(table.with(Timestamp(30 * SEC), 1, |slot| *slot), Some(10));
        // Touched at 30 s: still live at 80 s, gone at 200 s.
        assert_eq!(table.with(Timestamp(80 * SEC), 1, |slot| *slot), Some(10));
        assert_eq!(table.with(Timestamp(200 * SEC), 1, |slot| slot.take()), None);
        table.with(Timestamp(200 * SEC), 2, |slot| *slot = Some(2));
        table.with(Timestamp(200 * SEC), 3, |slot| *slot = Some(3));
        table.with(Timestamp(200 * SEC), 4, |slot| *slot = Some(4));
        assert_eq!(table.len(), 2);
        assert_eq!(table.shed(), 1);
        // Once the live ones expire, a sweep makes room.
        table.with(Timestamp(400 * SEC), 5, |slot| *slot = Some(5));
        assert_eq!((table.len(), table.shed()), (1, 1));
    }

    #[test]
    fn rate_counts_inside_a_sliding_window() {
        let rate: RateTable<u8> = RateTable::new(16, 60, 3, SharedBudget::unlimited());
        assert!(!rate.hit(Timestamp(0), 7));
        assert!(!rate.hit(Timestamp(10 * SEC), 7));
        assert!(rate.hit(Timestamp(20 * SEC), 7));
        // 90 s: the events of 0 s and 10 s are out of the window.
        assert!(!rate.hit(Timestamp(90 * SEC), 7));
        assert!(!rate.hit(Timestamp(90 * SEC), 8));
    }

    #[test]
    fn distinct_values_inside_a_sliding_window() {
        let distinct: DistinctTable<u8> = DistinctTable::new(16, 60, 3, SharedBudget::unlimited());
        assert!(!distinct.observe(Timestamp(0), 1, "alice"));
        // The same value again is not a new one.
        assert!(!distinct.observe(Timestamp(SEC), 1, "alice"));
        assert!(!distinct.observe(Timestamp(2 * SEC), 1, "bob"));
        assert!(distinct.observe(Timestamp(3 * SEC), 1, "carol"));
        assert!(distinct.observe(Timestamp(4 * SEC), 1, "dave"));
        // Another key counts on its own; 100 s later the first values are out of the window.
        assert!(!distinct.observe(Timestamp(4 * SEC), 2, "alice"));
        assert!(!distinct.observe(Timestamp(100 * SEC), 1, "erin"));
        assert_eq!(distinct.table().len(), 2);
    }

    #[test]
    fn the_memory_is_bounded_and_forgets_the_lowest_dialect_first() {
        let memory = DialectMemory::new(SHARDS * 4, SharedBudget::unlimited());
        let server = |i: u32| IpAddr::from(i.to_be_bytes());
        // One server that negotiated 3.1.1, then many at 2.0.2.
        assert_eq!(memory.observe(server(0), 0x0311), None);
        for i in 1..10_000 {
            memory.observe(server(i), 0x0202);
        }
        let held: usize = memory.shards.iter().map(|s| s.lock().map(|s| s.best.len()).unwrap_or(0)).sum();
        assert!(held <= SHARDS * 4, "{held} servers held");
        // The 3.1.1 server is remembered: a downgrade to 2.0.2 is still seen.
        assert_eq!(memory.observe(server(0), 0x0202), Some(0x0311));
    }
}
