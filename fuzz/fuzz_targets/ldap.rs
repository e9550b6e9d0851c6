//! hardwire_auth::ldap: LDAP messages framed from a stream, and SASL security layers.
#![no_main]

#[path = "../targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::ldap::run(data));
