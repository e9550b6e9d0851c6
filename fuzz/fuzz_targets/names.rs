//! hardwire-names: one LLMNR, NBT-NS or mDNS datagram, its protocol picked by the first byte.
#![no_main]

#[path = "../targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::names::run(data));
