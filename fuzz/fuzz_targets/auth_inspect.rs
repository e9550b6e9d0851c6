//! hardwire_auth::inspect: any security blob (SPNEGO, raw NTLMSSP, Kerberos AP-REQ).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(token) = hardwire_auth::inspect(data) {
        let _ = hardwire_auth::mechanism_of(&token);
        let _ = token.ap_req();
        let _ = token.ntlm_authenticate();
        let _ = token.ntlm_challenge();
    }
});
