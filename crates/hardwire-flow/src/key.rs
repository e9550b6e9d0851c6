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
///
/// Made, hashed and compared on every packet, so it is plain aligned integers: `IpAddr` is 17
/// byte-aligned bytes, and copying keys built of it cost unaligned loads that stalled on the
/// narrower stores before them. Hashing is three integer writes, which the table's hasher takes
/// much faster than a byte string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FlowKey {
    low_address: u128,
    high_address: u128,
    /// The low end's port, the high end's port, the protocol, and one bit per end for IPv6 (a
    /// v4 address and the v6 address with the same bits are different ends).
    ports_protocol_families: u64,
}

impl FlowKey {
    /// The key of a packet from `src` to `dst`.
    pub fn of(src: Endpoint, dst: Endpoint, protocol: u8) -> FlowKey {
        // Both ends IPv4 (nearly every packet): each end as one integer, address then port,
        // ordered as `End`s order them, so the key is the one `of_ends` makes, without the
        // 128-bit comparisons (a fifth of the engine's own work per packet).
        if let (IpAddr::V4(s), IpAddr::V4(d)) = (src.ip, dst.ip) {
            let s = u64::from(u32::from(s)) << 16 | u64::from(src.port);
            let d = u64::from(u32::from(d)) << 16 | u64::from(dst.port);
            let (low, high) = if s <= d { (s, d) } else { (d, s) };
            return FlowKey {
                low_address: u128::from(low >> 16),
                high_address: u128::from(high >> 16),
                ports_protocol_families: (low & 0xffff) << 32 | (high & 0xffff) << 16 | u64::from(protocol) << 8,
            };
        }
        FlowKey::of_ends(End::of(src), End::of(dst), protocol)
    }

    fn of_ends(src: End, dst: End, protocol: u8) -> FlowKey {
        let (low, high) = if src <= dst { (src, dst) } else { (dst, src) };
        FlowKey {
            low_address: low.address,
            high_address: high.address,
            ports_protocol_families: u64::from(low.port) << 32
                | u64::from(high.port) << 16
                | u64::from(protocol) << 8
                | u64::from(low.v6) << 1
                | u64::from(high.v6),
        }
    }

    pub fn protocol(&self) -> u8 {
        (self.ports_protocol_families >> 8) as u8
    }
}

/// An endpoint as integers, ordered by family, address, then port.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct End {
    v6: bool,
    address: u128,
    port: u16,
}

impl End {
    fn of(endpoint: Endpoint) -> End {
        match endpoint.ip {
            IpAddr::V4(ip) => End { v6: false, address: u128::from(u32::from(ip)), port: endpoint.port },
            IpAddr::V6(ip) => End { v6: true, address: u128::from(ip), port: endpoint.port },
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// The IPv4 shortcut makes the key the general path makes, either way round.
        #[test]
        fn ipv4_keys_are_the_general_ones(a: u32, b: u32, a_port: u16, b_port: u16, protocol: u8) {
            let (a, b) = (Endpoint { ip: IpAddr::from(a.to_be_bytes()), port: a_port }, Endpoint { ip: IpAddr::from(b.to_be_bytes()), port: b_port });
            let general = FlowKey::of_ends(End::of(a), End::of(b), protocol);
            prop_assert_eq!(FlowKey::of(a, b, protocol), general);
            prop_assert_eq!(FlowKey::of(b, a, protocol), general);
            // One host talking to itself: the ports decide the order.
            let b = Endpoint { ip: a.ip, ..b };
            prop_assert_eq!(FlowKey::of(a, b, protocol), FlowKey::of_ends(End::of(a), End::of(b), protocol));
            prop_assert_eq!(FlowKey::of(b, a, protocol), FlowKey::of_ends(End::of(a), End::of(b), protocol));
        }
    }

    fn end(ip: &str, port: u16) -> Endpoint {
        Endpoint { ip: ip.parse().expect("an address"), port }
    }

    #[test]
    fn both_directions_have_one_key_and_every_field_tells_keys_apart() {
        let (a, b) = (end("10.0.0.1", 50000), end("10.0.0.2", 445));
        let key = FlowKey::of(a, b, 6);
        assert_eq!(key, FlowKey::of(b, a, 6));
        assert_eq!(key.protocol(), 6);
        let others = [
            FlowKey::of(a, b, 17),
            FlowKey::of(end("10.0.0.1", 50001), b, 6),
            FlowKey::of(a, end("10.0.0.2", 139), 6),
            FlowKey::of(end("10.0.0.3", 50000), b, 6),
            // The same 32 bits as a v6 address are another host.
            FlowKey::of(end("::a00:1", 50000), end("::a00:2", 445), 6),
            FlowKey::of(a, end("::a00:2", 445), 6),
            // Swapped ports are another connection.
            FlowKey::of(end("10.0.0.1", 445), end("10.0.0.2", 50000), 6),
        ];
        for other in others {
            assert_ne!(key, other, "{other:?}");
        }
    }
}
