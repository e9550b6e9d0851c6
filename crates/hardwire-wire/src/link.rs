//! Link types (libpcap DLT values) and the link-layer headers in front of IP.

use crate::error::DecodeError;

/// The link-layer types hardwire decodes. Built from the DLT value libpcap reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkType {
    /// DLT_EN10MB: Ethernet II, possibly with VLAN tags.
    Ethernet,
    /// DLT_LINUX_SLL: Linux cooked capture v1 (`tcpdump -i any` before libpcap 1.10).
    LinuxSll,
    /// DLT_LINUX_SLL2: Linux cooked capture v2 (`tcpdump -i any` since libpcap 1.10).
    LinuxSll2,
    /// DLT_RAW / LINKTYPE_RAW: an IPv4 or IPv6 packet with no link header.
    RawIp,
    /// LINKTYPE_IPV4: raw IPv4.
    Ipv4,
    /// LINKTYPE_IPV6: raw IPv6.
    Ipv6,
    /// DLT_NULL: BSD loopback, a 4-byte address family in the capturing host's byte order.
    Null,
    /// DLT_LOOP: OpenBSD loopback, the family in network byte order.
    Loop,
    /// DLT_PPP and DLT_PPP_SERIAL: PPP in HDLC-like framing (RFC 1662), the address and control
    /// bytes and the protocol field possibly compressed (RFC 1661).
    Ppp,
}

impl LinkType {
    /// Maps a libpcap DLT (or LINKTYPE) value to a link type we decode.
    pub fn from_dlt(dlt: i32) -> Result<Self, DecodeError> {
        Ok(match dlt {
            0 => LinkType::Null,
            1 => LinkType::Ethernet,
            9 | 50 => LinkType::Ppp,
            12 | 14 | 101 => LinkType::RawIp,
            108 => LinkType::Loop,
            113 => LinkType::LinuxSll,
            228 => LinkType::Ipv4,
            229 => LinkType::Ipv6,
            276 => LinkType::LinuxSll2,
            other => return Err(DecodeError::UnsupportedLink(other)),
        })
    }
}

/// EtherTypes we follow.
pub mod ethertype {
    pub const IPV4: u16 = 0x0800;
    pub const IPV6: u16 = 0x86DD;
    pub const VLAN: u16 = 0x8100;
    pub const QINQ: u16 = 0x88A8;
    pub const QINQ_OLD: u16 = 0x9100;
    pub const TRANSPARENT_ETHERNET: u16 = 0x6558;
    pub const ERSPAN_I_II: u16 = 0x88BE;
    pub const ERSPAN_III: u16 = 0x22EB;
}

/// What follows a link-layer header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum L3<'a> {
    /// An IP packet (v4 or v6, told by its version nibble).
    Ip(&'a [u8]),
    /// A protocol we do not follow (ARP, LLDP...). Not an error.
    Other,
}

/// Most VLAN tags we peel before giving up (QinQ is two; a few more are seen in the wild).
const MAX_VLAN_TAGS: usize = 8;

fn be16(data: &[u8], at: usize) -> Option<u16> {
    data.get(at..at + 2).map(|b| u16::from_be_bytes([b[0], b[1]]))
}

/// Follows an EtherType (after any VLAN tags) to the network layer.
pub fn after_ethertype(mut ethertype: u16, mut rest: &[u8]) -> Result<L3<'_>, DecodeError> {
    for _ in 0..MAX_VLAN_TAGS {
        match ethertype {
            ethertype::IPV4 | ethertype::IPV6 => return Ok(L3::Ip(rest)),
            ethertype::VLAN | ethertype::QINQ | ethertype::QINQ_OLD => {
                ethertype = be16(rest, 2).ok_or(DecodeError::Truncated("VLAN"))?;
                rest = &rest[4..];
            }
            _ => return Ok(L3::Other),
        }
    }
    Err(DecodeError::TooDeep)
}

/// Ethernet II: destination, source, EtherType.
pub fn ethernet(frame: &[u8]) -> Result<L3<'_>, DecodeError> {
    let ethertype = be16(frame, 12).ok_or(DecodeError::Truncated("Ethernet"))?;
    after_ethertype(ethertype, &frame[14..])
}

/// PPP: the address and control bytes (`ff 03`, left out under address/control field
/// compression), then the protocol, one byte when compressed (an odd first byte) or two.
fn ppp(frame: &[u8]) -> Result<L3<'_>, DecodeError> {
    let frame = frame.strip_prefix(&[0xff, 0x03]).unwrap_or(frame);
    let first = *frame.first().ok_or(DecodeError::Truncated("PPP"))?;
    let (protocol, rest) = match first & 1 {
        1 => (u16::from(first), &frame[1..]),
        _ => (be16(frame, 0).ok_or(DecodeError::Truncated("PPP"))?, &frame[2..]),
    };
    match protocol {
        // IPv4 and IPv6
        0x21 | 0x57 => Ok(L3::Ip(rest)),
        _ => Ok(L3::Other),
    }
}

/// The link header of `frame`, peeled according to `link`.
pub fn network_layer(link: LinkType, frame: &[u8]) -> Result<L3<'_>, DecodeError> {
    match link {
        LinkType::Ethernet => ethernet(frame),
        LinkType::RawIp | LinkType::Ipv4 | LinkType::Ipv6 => Ok(L3::Ip(frame)),
        LinkType::Ppp => ppp(frame),
        LinkType::LinuxSll => {
            // packet type, ARPHRD, address length, 8 address bytes, protocol
            let protocol = be16(frame, 14).ok_or(DecodeError::Truncated("Linux SLL"))?;
            after_ethertype(protocol, &frame[16..])
        }
        LinkType::LinuxSll2 => {
            // protocol, reserved, interface index, ARPHRD, packet type, address length, address
            let protocol = be16(frame, 0).ok_or(DecodeError::Truncated("Linux SLL2"))?;
            let rest = frame.get(20..).ok_or(DecodeError::Truncated("Linux SLL2"))?;
            after_ethertype(protocol, rest)
        }
        LinkType::Null | LinkType::Loop => {
            let family = frame.get(..4).ok_or(DecodeError::Truncated("loopback"))?;
            let family = [family[0], family[1], family[2], family[3]];
            // DLT_NULL is in the writer's byte order: accept either.
            let value = if link == LinkType::Loop {
                u32::from_be_bytes(family)
            } else if u32::from_le_bytes(family) < 0x100 {
                u32::from_le_bytes(family)
            } else {
                u32::from_be_bytes(family)
            };
            match value {
                // AF_INET everywhere; AF_INET6 is 24, 28 or 30 depending on the BSD.
                2 | 24 | 28 | 30 => Ok(L3::Ip(&frame[4..])),
                _ => Ok(L3::Other),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qinq_tags_are_peeled() {
        // dst, src, 0x88a8 tag, 0x8100 tag, IPv4
        let mut frame = vec![0u8; 12];
        frame.extend_from_slice(&[0x88, 0xa8, 0x00, 0x64, 0x81, 0x00, 0x00, 0xc8, 0x08, 0x00]);
        frame.extend_from_slice(&[0x45, 0, 0, 20]);
        assert_eq!(ethernet(&frame), Ok(L3::Ip(&[0x45, 0, 0, 20][..])));
    }

    #[test]
    fn endless_vlan_tags_are_refused() {
        let mut frame = vec![0u8; 12];
        for _ in 0..20 {
            frame.extend_from_slice(&[0x81, 0x00, 0x00, 0x01]);
        }
        assert_eq!(ethernet(&frame), Err(DecodeError::TooDeep));
    }

    #[test]
    fn truncated_headers_are_errors() {
        assert!(ethernet(&[0u8; 13]).is_err());
        assert!(network_layer(LinkType::LinuxSll2, &[0x08, 0x00, 0, 0]).is_err());
        assert!(network_layer(LinkType::Null, &[2, 0]).is_err());
    }

    #[test]
    fn ppp_with_and_without_compressed_fields() {
        let ip = &[0x45u8][..];
        assert_eq!(network_layer(LinkType::Ppp, &[0xff, 0x03, 0x00, 0x21, 0x45]), Ok(L3::Ip(ip)));
        assert_eq!(network_layer(LinkType::Ppp, &[0x00, 0x57, 0x45]), Ok(L3::Ip(ip)));
        assert_eq!(network_layer(LinkType::Ppp, &[0x21, 0x45]), Ok(L3::Ip(ip)));
        // LCP is not IP; an empty or cut frame is an error
        assert_eq!(network_layer(LinkType::Ppp, &[0xc0, 0x21, 1]), Ok(L3::Other));
        assert!(network_layer(LinkType::Ppp, &[0xff, 0x03]).is_err());
        assert!(network_layer(LinkType::Ppp, &[0x00]).is_err());
    }

    #[test]
    fn bsd_null_in_either_byte_order() {
        let le = [2u8, 0, 0, 0, 0x45];
        let be = [0u8, 0, 0, 2, 0x45];
        assert_eq!(network_layer(LinkType::Null, &le), Ok(L3::Ip(&[0x45][..])));
        assert_eq!(network_layer(LinkType::Null, &be), Ok(L3::Ip(&[0x45][..])));
    }
}
