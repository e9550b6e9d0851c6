//! The whole pipeline: an `Engine` fed several raw-IP frames per input (each prefixed by a
//! 2-byte length) with increasing timestamps, then finished. Raw IP gets the fuzzer to TCP and
//! the protocol state machines with the fewest bytes.
#![no_main]

#[path = "../targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::engine::run(data));
