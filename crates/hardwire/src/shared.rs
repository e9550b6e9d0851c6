//! State shared by every worker of a sensor: what one connection teaches about a server must
//! hold for connections handled by other threads.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

/// The best SMB dialect each server has been seen to negotiate (for `smb.dialect.downgrade`).
/// Bounded: when full, the entry with the lowest dialect is forgotten first.
#[derive(Debug)]
pub struct DialectMemory {
    best: Mutex<HashMap<IpAddr, u16>>,
    capacity: usize,
}

impl DialectMemory {
    pub fn new(capacity: usize) -> Self {
        DialectMemory { best: Mutex::new(HashMap::new()), capacity: capacity.max(1) }
    }

    /// Records that `server` negotiated `dialect`; returns the best dialect it had negotiated
    /// before this one, if any.
    pub fn observe(&self, server: IpAddr, dialect: u16) -> Option<u16> {
        let mut best = match self.best.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        let before = best.get(&server).copied();
        if best.len() >= self.capacity && before.is_none() {
            if let Some(victim) = best.iter().min_by_key(|(_, d)| **d).map(|(ip, _)| *ip) {
                best.remove(&victim);
            }
        }
        let entry = best.entry(server).or_insert(dialect);
        *entry = (*entry).max(dialect);
        before
    }
}

/// Everything the workers of one sensor share.
#[derive(Debug)]
pub struct Shared {
    pub dialects: DialectMemory,
}

impl Shared {
    pub fn new(config: &crate::config::Config) -> Self {
        Shared { dialects: DialectMemory::new(config.limits.max_servers_remembered) }
    }
}
