//! The bidirectional flow key.

use std::hash::{Hash, Hasher};
use std::net::IpAddr;

/// One end of a flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Endpoint {
    pub ip: IpAddr,
    pub port: u16,
}

/// Which way a packet travels, relative to the flow's client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    ToServer,
    ToClient,
}

impl Direction {
    pub fn index(self) -> usize {
        match self {
            Direction::ToServer => 0,
            Direction::ToClient => 1,
        }
    }

    pub fn reverse(self) -> Direction {
        match self {
            Direction::ToServer => Direction::ToClient,
            Direction::ToClient => Direction::ToServer,
        }
    }
}

/// A 5-tuple with its two endpoints in canonical order, so both directions find one flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowKey {
    pub low: Endpoint,
    pub high: Endpoint,
    pub protocol: u8,
}

/// Three integer writes: the flow table hashes a key or two per packet, and its hasher takes
/// whole integers much faster than a byte string. A v4 address and the v6 address with the same
/// low 32 bits hash alike; the keys still differ, so that costs a probe, never a wrong flow.
impl Hash for FlowKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u128(address_bits(self.low.ip));
        state.write_u128(address_bits(self.high.ip));
        state.write_u64(u64::from(self.low.port) << 24 | u64::from(self.high.port) << 8 | u64::from(self.protocol));
    }
}

fn address_bits(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(ip) => u128::from(u32::from(ip)),
        IpAddr::V6(ip) => u128::from(ip),
    }
}

impl FlowKey {
    /// The key of a packet from `src` to `dst`, and whether `src` is the key's `low` end.
    pub fn of(src: Endpoint, dst: Endpoint, protocol: u8) -> (FlowKey, bool) {
        if src <= dst {
            (FlowKey { low: src, high: dst, protocol }, true)
        } else {
            (FlowKey { low: dst, high: src, protocol }, false)
        }
    }
}
