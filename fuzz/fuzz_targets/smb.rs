//! hardwire-smb: NBSS framing of a stream, then each session message as the SMB state machine
//! reads it: SMB1 AndX blocks and their bodies, SMB2 compounds and their bodies, transform
//! headers, compression headers and their decompression (with a cap, as the engine uses).
#![no_main]

#[path = "../targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::smb::run(data));
