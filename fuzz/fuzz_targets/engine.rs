//! The whole pipeline: an `Engine` fed several raw-IP frames per input (each prefixed by a
//! 2-byte length) with increasing timestamps, then finished. Raw IP gets the fuzzer to TCP and
//! the protocol state machines with the fewest bytes.
#![no_main]

use std::sync::{Arc, OnceLock};

use hardwire::{Config, Engine, LinkType, Shared, Timestamp};
use libfuzzer_sys::fuzz_target;

fn config() -> Arc<Config> {
    static CONFIG: OnceLock<Arc<Config>> = OnceLock::new();
    CONFIG.get_or_init(|| Arc::new(Config::default())).clone()
}

fuzz_target!(|data: &[u8]| {
    let config = config();
    let shared = Arc::new(Shared::new(&config));
    let mut engine = Engine::new(config, shared);
    let mut events = Vec::new();
    let mut rest = data;
    let mut now = 1_700_000_000_000_000u64;
    while let [hi, lo, tail @ ..] = rest {
        let len = usize::from(u16::from_be_bytes([*hi, *lo])).min(tail.len());
        let (frame, next) = tail.split_at(len);
        engine.feed(Timestamp(now), LinkType::RawIp, frame, frame.len(), &mut events);
        events.clear();
        now += 1_000;
        rest = next;
    }
    engine.finish(&mut events);
});
