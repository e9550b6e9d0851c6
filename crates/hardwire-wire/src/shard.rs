//! Which worker of `hardwire live` a frame goes to: a keyed hash of its flow that is the same in
//! both directions, so one worker sees the whole connection.
//!
//! The hash is keyed (e.g. by a per-process [`std::hash::RandomState`]) so that nobody on the
//! wire can choose addresses that pile every flow onto one worker.

use std::hash::BuildHasher;
use std::net::IpAddr;

use crate::decoder::{walk, Step};
use crate::ip::Transport;
use crate::link::{network_layer, LinkType};

const IP_PROTO_TCP: u8 = 6;
const IP_PROTO_UDP: u8 = 17;

/// The symmetric flow hash of `frame` (protocol and both endpoints, in a fixed order), or
/// `None` for what has no flow of its own here: IP fragments (their ports are in the first
/// fragment only), non-IP frames and frames that do not decode. Tunnels and VLAN tags are
/// looked through, as the engine does.
pub fn shard_hash(key: &impl BuildHasher, link: LinkType, frame: &[u8]) -> Option<u64> {
    let Ok(Step::Packet(packet)) = walk(network_layer(link, frame).ok()?) else { return None };
    let (protocol, src_port, dst_port) = match packet.transport {
        Transport::Tcp(segment) => (IP_PROTO_TCP, segment.src_port, segment.dst_port),
        Transport::Udp { src_port, dst_port, .. } => (IP_PROTO_UDP, src_port, dst_port),
        Transport::Other(protocol) => (protocol, 0, 0),
    };
    let a: (IpAddr, u16) = (packet.src, src_port);
    let b: (IpAddr, u16) = (packet.dst, dst_port);
    let (low, high) = if a <= b { (a, b) } else { (b, a) };
    Some(key.hash_one((protocol, low, high)))
}

#[cfg(test)]
mod tests {
    use std::hash::{BuildHasherDefault, DefaultHasher, RandomState};

    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    /// pcaps/smb/smb3-0311.pcap frame 1: SYN 10.77.0.20:59456 → 10.77.0.10:445 (Ethernet).
    const SYN: &str = "02000a4d000a02000a4d001408004500003c0907400040061cfe0a4d00140a4d000ae84001bd4b0b58d500000000a002faf027e00000020405b40402080ac1e9c0ac000000000103030a";
    /// The same capture, frame 2: the SYN-ACK back, 10.77.0.10:445 → 10.77.0.20:59456.
    const SYN_ACK: &str = "02000a4d001402000a4d000a08004500003c00004000400626050a4d000a0a4d001401bde8409b1d92464b0b58d6a012fe8886b20000020405b40402080a81caee55c1e9c0ac0103030a";

    #[test]
    fn both_directions_of_a_connection_hash_alike() {
        let key = RandomState::new();
        let there = shard_hash(&key, LinkType::Ethernet, &hex(SYN)).unwrap();
        let back = shard_hash(&key, LinkType::Ethernet, &hex(SYN_ACK)).unwrap();
        assert_eq!(there, back);
    }

    #[test]
    fn the_hash_depends_on_the_key_and_the_ports() {
        let syn = hex(SYN);
        let fixed = BuildHasherDefault::<DefaultHasher>::default();
        let keyed = RandomState::new();
        assert_ne!(shard_hash(&fixed, LinkType::Ethernet, &syn), shard_hash(&keyed, LinkType::Ethernet, &syn));
        // Another client port (bytes 34-35 of the frame) is another flow.
        let mut other_port = syn.clone();
        other_port[35] ^= 1;
        assert_ne!(shard_hash(&fixed, LinkType::Ethernet, &syn), shard_hash(&fixed, LinkType::Ethernet, &other_port));
    }

    #[test]
    fn fragments_and_non_ip_have_no_shard() {
        let key = RandomState::new();
        let mut fragment = hex(SYN);
        fragment[20] |= 0x20; // IPv4 More Fragments
        assert_eq!(shard_hash(&key, LinkType::Ethernet, &fragment), None);
        let mut arp = hex(SYN);
        arp[12..14].copy_from_slice(&[0x08, 0x06]);
        assert_eq!(shard_hash(&key, LinkType::Ethernet, &arp), None);
        for cut in 0..hex(SYN).len() {
            let _ = shard_hash(&key, LinkType::Ethernet, &hex(SYN)[..cut]);
        }
    }
}
