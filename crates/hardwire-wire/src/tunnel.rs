//! GRE (RFC 2784/2890) and ERSPAN types I, II and III: how remote SPAN sessions deliver mirrored
//! traffic. We only ever look inside; the outer addresses are the mirroring switch's.

use crate::error::DecodeError;
use crate::link::{ethernet, ethertype, L3};

/// What a GRE packet carries, as far as a sensor cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GreInner<'a> {
    /// An Ethernet frame (transparent bridging, or ERSPAN of any type).
    Ethernet(&'a [u8]),
    /// An IP packet directly.
    Ip(&'a [u8]),
    /// Something else (PPTP, keepalives...).
    Other,
}

const FLAG_CHECKSUM: u16 = 0x8000;
const FLAG_KEY: u16 = 0x2000;
const FLAG_SEQUENCE: u16 = 0x1000;

/// Parses a GRE header and, for ERSPAN, the ERSPAN header behind it.
pub fn gre(payload: &[u8]) -> Result<GreInner<'_>, DecodeError> {
    let head = payload.get(..4).ok_or(DecodeError::Truncated("GRE"))?;
    let flags = u16::from_be_bytes([head[0], head[1]]);
    let protocol = u16::from_be_bytes([head[2], head[3]]);
    if flags & 0x0007 != 0 {
        // version 1 is PPTP's enhanced GRE: never a mirror
        return Ok(GreInner::Other);
    }
    let mut len = 4;
    for flag in [FLAG_CHECKSUM, FLAG_KEY, FLAG_SEQUENCE] {
        if flags & flag != 0 {
            len += 4;
        }
    }
    let rest = payload.get(len..).ok_or(DecodeError::Truncated("GRE"))?;
    match protocol {
        ethertype::IPV4 | ethertype::IPV6 => Ok(GreInner::Ip(rest)),
        ethertype::TRANSPARENT_ETHERNET => Ok(GreInner::Ethernet(rest)),
        // Type I has no sequence number and no ERSPAN header; type II has both.
        ethertype::ERSPAN_I_II if flags & FLAG_SEQUENCE == 0 => Ok(GreInner::Ethernet(rest)),
        ethertype::ERSPAN_I_II => {
            let inner = rest.get(8..).ok_or(DecodeError::Truncated("ERSPAN II"))?;
            Ok(GreInner::Ethernet(inner))
        }
        ethertype::ERSPAN_III => {
            let header = rest.get(..12).ok_or(DecodeError::Truncated("ERSPAN III"))?;
            // The O bit (last bit of the header) announces an 8-byte platform sub-header.
            let len = if header[11] & 0x01 != 0 { 20 } else { 12 };
            let inner = rest.get(len..).ok_or(DecodeError::Truncated("ERSPAN III"))?;
            Ok(GreInner::Ethernet(inner))
        }
        _ => Ok(GreInner::Other),
    }
}

/// Convenience: the network layer inside a GRE payload.
pub fn gre_network_layer(payload: &[u8]) -> Result<L3<'_>, DecodeError> {
    match gre(payload)? {
        GreInner::Ethernet(frame) => ethernet(frame),
        GreInner::Ip(packet) => Ok(L3::Ip(packet)),
        GreInner::Other => Ok(L3::Other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erspan_type_ii_skips_its_header() {
        // GRE with sequence, ERSPAN II, then an Ethernet frame
        let mut p = vec![0x10, 0x00, 0x88, 0xbe, 0, 0, 0, 1];
        p.extend_from_slice(&[0x10, 0x01, 0, 0, 0, 0, 0, 0]);
        let frame_start = p.len();
        p.extend_from_slice(&[0xaa; 14]);
        assert_eq!(gre(&p), Ok(GreInner::Ethernet(&p[frame_start..])));
    }

    #[test]
    fn erspan_type_iii_with_platform_subheader() {
        let mut p = vec![0x10, 0x00, 0x22, 0xeb, 0, 0, 0, 1];
        let mut erspan = [0u8; 12];
        erspan[11] = 0x01;
        p.extend_from_slice(&erspan);
        p.extend_from_slice(&[0u8; 8]);
        let frame_start = p.len();
        p.extend_from_slice(&[0xbb; 14]);
        assert_eq!(gre(&p), Ok(GreInner::Ethernet(&p[frame_start..])));
    }

    #[test]
    fn truncated_gre_is_an_error() {
        assert!(gre(&[0x30, 0x00, 0x88, 0xbe, 0, 0]).is_err());
    }
}
