//! Which worker of `hardwire live` a frame goes to: a keyed hash of its two IP addresses that is
//! the same in both directions, so one worker sees the whole connection, fragments included
//! (only the first fragment carries the ports, so a hash of the ports would send the others
//! elsewhere).
//!
//! The hash is keyed (e.g. by a per-process [`std::hash::RandomState`]) so that nobody on the
//! wire can choose addresses that pile every flow onto one worker.

use std::hash::BuildHasher;
use std::net::IpAddr;

use crate::decoder::{walk, Step};
use crate::link::{network_layer, LinkType};

/// The symmetric hash of `frame`'s address pair (innermost IP header, tunnels and VLAN tags
/// looked through, as the engine does), or `None` for non-IP frames and frames that do not
/// decode.
pub fn shard_hash(key: &impl BuildHasher, link: LinkType, frame: &[u8]) -> Option<u64> {
    let (src, dst): (IpAddr, IpAddr) = match walk(network_layer(link, frame).ok()?).ok()? {
        Step::Packet(packet) => (packet.src, packet.dst),
        Step::Fragment(ip) => (ip.addresses.src(), ip.addresses.dst()),
        Step::NotIp => return None,
    };
    let (low, high) = if src <= dst { (src, dst) } else { (dst, src) };
    Some(key.hash_one((low, high)))
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
    fn the_hash_depends_on_the_key_and_the_addresses() {
        let syn = hex(SYN);
        let fixed = BuildHasherDefault::<DefaultHasher>::default();
        let keyed = RandomState::new();
        assert_ne!(shard_hash(&fixed, LinkType::Ethernet, &syn), shard_hash(&keyed, LinkType::Ethernet, &syn));
        // Another client address (byte 29 of the frame) is another pair.
        let mut other = syn.clone();
        other[29] ^= 1;
        assert_ne!(shard_hash(&fixed, LinkType::Ethernet, &syn), shard_hash(&fixed, LinkType::Ethernet, &other));
    }

    #[test]
    fn fragments_go_with_their_flow_and_non_ip_has_no_shard() {
        let key = RandomState::new();
        let mut fragment = hex(SYN);
        fragment[20] |= 0x20; // IPv4 More Fragments
        assert_eq!(shard_hash(&key, LinkType::Ethernet, &fragment), shard_hash(&key, LinkType::Ethernet, &hex(SYN_ACK)));
        let mut arp = hex(SYN);
        arp[12..14].copy_from_slice(&[0x08, 0x06]);
        assert_eq!(shard_hash(&key, LinkType::Ethernet, &arp), None);
        for cut in 0..hex(SYN).len() {
            let _ = shard_hash(&key, LinkType::Ethernet, &hex(SYN)[..cut]);
        }
    }
}
