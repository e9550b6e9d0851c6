//! Community ID v1 (<https://github.com/corelight/community-id-spec>): base64 of the SHA-1 of
//! seed, addresses, protocol and ports, ordered so both directions hash alike.

use base64::Engine as _;
use sha1::{Digest, Sha1};

use crate::key::Endpoint;

/// `"1:"` and the base64 of a 20-byte SHA-1.
const LEN: usize = 2 + 28;

/// A Community ID v1 string (`"1:..."`), held inline: every record and alert of a flow carries
/// it, and copying it costs no allocation.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct CommunityId([u8; LEN]);

impl CommunityId {
    pub fn as_str(&self) -> &str {
        // Always "1:" and base64 characters (see `community_id`), so always UTF-8.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The same text as bytes, without the UTF-8 check (JSON lines copy it as it is).
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for CommunityId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for CommunityId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The Community ID v1 of a flow, with the given seed (0 by default).
pub fn community_id(seed: u16, a: Endpoint, b: Endpoint, protocol: u8) -> CommunityId {
    let (first, second) = if (a.ip, a.port) <= (b.ip, b.port) { (a, b) } else { (b, a) };
    let mut hasher = Sha1::new();
    hasher.update(seed.to_be_bytes());
    for ip in [first.ip, second.ip] {
        match ip {
            std::net::IpAddr::V4(v4) => hasher.update(v4.octets()),
            std::net::IpAddr::V6(v6) => hasher.update(v6.octets()),
        }
    }
    hasher.update([protocol, 0]);
    hasher.update(first.port.to_be_bytes());
    hasher.update(second.port.to_be_bytes());
    let mut id = [0u8; LEN];
    id[..2].copy_from_slice(b"1:");
    // 20 bytes always encode to 28 characters, so the slice is exactly large enough
    let _ = base64::engine::general_purpose::STANDARD.encode_slice(hasher.finalize(), &mut id[2..]);
    CommunityId(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ep(ip: &str, port: u16) -> Endpoint {
        Endpoint { ip: ip.parse().unwrap(), port }
    }

    /// Test vectors from the Community ID specification's baseline (community-id-spec,
    /// baseline/baseline_deflt.json).
    #[test]
    fn specification_vectors() {
        assert_eq!(community_id(0, ep("128.232.110.120", 34855), ep("66.35.250.204", 80), 6).as_str(), "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
        assert_eq!(community_id(0, ep("66.35.250.204", 80), ep("128.232.110.120", 34855), 6).as_str(), "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
    }
}
