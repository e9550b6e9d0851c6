//! `hardwire_wire::Decoder::decode` on every link type; the first byte picks the link type, and
//! the decoder is fed the rest twice (the second time it may hold fragments from the first).
#![no_main]

#[path = "../targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::wire_decode::run(data));
