//! Community ID v1 (<https://github.com/corelight/community-id-spec>): base64 of the SHA-1 of
//! seed, addresses, protocol and ports, ordered so both directions hash alike.

use base64::Engine as _;
use sha1::{Digest, Sha1};

use crate::key::Endpoint;

/// The Community ID v1 string (`"1:..."`) of a flow, with the given seed (0 by default).
pub fn community_id(seed: u16, a: Endpoint, b: Endpoint, protocol: u8) -> String {
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
    format!("1:{}", base64::engine::general_purpose::STANDARD.encode(hasher.finalize()))
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
        assert_eq!(community_id(0, ep("128.232.110.120", 34855), ep("66.35.250.204", 80), 6), "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
        assert_eq!(community_id(0, ep("66.35.250.204", 80), ep("128.232.110.120", 34855), 6), "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
    }
}
