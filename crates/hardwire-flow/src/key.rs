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

/// The key's bytes go to the hasher in one write: the flow table hashes a key or two per
/// packet, and SipHash pays for every separate write the derived impl would make.
impl Hash for FlowKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let mut bytes = [0u8; 2 * 19 + 1];
        for (at, end) in [(0, &self.low), (19, &self.high)] {
            // the family, the address, the port
            match end.ip {
                IpAddr::V4(ip) => {
                    bytes[at] = 4;
                    bytes[at + 1..at + 5].copy_from_slice(&ip.octets());
                }
                IpAddr::V6(ip) => {
                    bytes[at] = 6;
                    bytes[at + 1..at + 17].copy_from_slice(&ip.octets());
                }
            }
            bytes[at + 17..at + 19].copy_from_slice(&end.port.to_be_bytes());
        }
        bytes[38] = self.protocol;
        state.write(&bytes);
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
