//! hardwire_auth::inspect: any security blob (SPNEGO, raw NTLMSSP, Kerberos AP-REQ).
#![no_main]

#[path = "../targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::auth_inspect::run(data));
