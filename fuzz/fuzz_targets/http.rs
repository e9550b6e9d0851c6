//! hardwire-http: the first byte picks a parser: request head, response head, chunked body
//! decoder, Authorization / WWW-Authenticate values, TLS hello; the sniffers run on everything.
#![no_main]

#[path = "../targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::http::run(data));
