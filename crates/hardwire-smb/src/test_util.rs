//! Helpers for the unit tests.

/// Decodes a hex string (test constants); panics on bad hex, which is a test bug.
pub(crate) fn hex(s: &str) -> Vec<u8> {
    let s: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    s.chunks(2).map(|p| u8::from_str_radix(std::str::from_utf8(p).unwrap(), 16).unwrap()).collect()
}

/// The SMB message inside a captured TCP payload that starts with a 4-byte NBSS header.
pub(crate) fn nbss_payload(s: &str) -> Vec<u8> {
    hex(s).split_off(4)
}
