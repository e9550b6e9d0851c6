//! The bidirectional flow key.

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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FlowKey {
    pub low: Endpoint,
    pub high: Endpoint,
    pub protocol: u8,
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
