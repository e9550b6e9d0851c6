//! `hardwire_wire::Decoder::decode` on every link type; the first byte picks the link type, and
//! the decoder is fed the rest twice (the second time it may hold fragments from the first).
#![no_main]

use hardwire_wire::{Decoder, LinkType};
use libfuzzer_sys::fuzz_target;

const LINKS: [LinkType; 8] = [
    LinkType::Ethernet,
    LinkType::RawIp,
    LinkType::Ipv4,
    LinkType::Ipv6,
    LinkType::LinuxSll,
    LinkType::LinuxSll2,
    LinkType::Null,
    LinkType::Loop,
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, frame)) = data.split_first() else { return };
    let link = LINKS[usize::from(pick) % LINKS.len()];
    let mut decoder = Decoder::default();
    let _ = decoder.decode(0, link, frame);
    let _ = decoder.decode(1, link, frame);
    let _ = hardwire_wire::shard_hash(&std::hash::RandomState::new(), link, frame);
});
