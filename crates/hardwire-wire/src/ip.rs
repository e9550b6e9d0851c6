//! IP and transport headers, read through `etherparse`'s checked slices.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use etherparse::{IpNumber, Ipv6ExtensionSlice, LaxIpSlice, TcpOptionElement, TcpSlice, UdpSlice};

use crate::error::DecodeError;

/// TCP header flags we act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TcpFlags {
    pub syn: bool,
    pub ack: bool,
    pub fin: bool,
    pub rst: bool,
}

/// The TCP window scale option's largest shift (RFC 7323).
const MAX_WINDOW_SCALE: u8 = 14;

/// A TCP segment, borrowing its header and payload from the frame (or from the
/// defragmenter). The payload is the tail of `raw`, not a slice of its own: every packet's
/// decoded form is moved along the decoder's path, and is smaller so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TcpSegment<'a> {
    pub src_port: u16,
    pub dst_port: u16,
    pub seq: u32,
    pub ack: u32,
    pub flags: TcpFlags,
    /// Payload bytes the IP header announces but the capture does not hold (snap length).
    pub missing: u32,
    /// The advertised receive window, unscaled.
    pub window: u16,
    /// The window scale option, read on SYNs only (capped at 14, as RFC 7323 says).
    pub window_scale: Option<u8>,
    /// The TCP header's length (at most 60 bytes).
    header_len: u8,
    /// The whole TCP header and payload as captured, for the checksum.
    pub raw: &'a [u8],
}

impl<'a> TcpSegment<'a> {
    /// The segment's payload, as captured.
    pub fn payload(&self) -> &'a [u8] {
        self.raw.get(usize::from(self.header_len)..).unwrap_or_default()
    }
}

/// The transport layer of a decoded packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport<'a> {
    Tcp(TcpSegment<'a>),
    Udp {
        src_port: u16,
        dst_port: u16,
        payload: &'a [u8],
    },
    /// Any other IP protocol (ICMP...): counted, not followed.
    Other(u8),
}

/// An IP packet reduced to what flow tracking needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Packet<'a> {
    pub src: IpAddr,
    pub dst: IpAddr,
    /// IPv4 TTL or IPv6 hop limit.
    pub ttl: u8,
    pub transport: Transport<'a>,
}

/// The source and destination addresses of an IP header, as integers. An `IpAddr` is 17
/// byte-aligned bytes, and the compiler moved it a byte at a time from this layer into the
/// packet; these become `IpAddr`s once, where the packet is made.
#[derive(Clone, Copy)]
pub(crate) enum Addresses {
    V4(u32, u32),
    V6(u128, u128),
}

impl Addresses {
    pub fn src(self) -> IpAddr {
        match self {
            Addresses::V4(src, _) => IpAddr::V4(Ipv4Addr::from_bits(src)),
            Addresses::V6(src, _) => IpAddr::V6(Ipv6Addr::from_bits(src)),
        }
    }

    pub fn dst(self) -> IpAddr {
        match self {
            Addresses::V4(_, dst) => IpAddr::V4(Ipv4Addr::from_bits(dst)),
            Addresses::V6(_, dst) => IpAddr::V6(Ipv6Addr::from_bits(dst)),
        }
    }
}

/// The IP layer of a packet, before the transport is decoded.
pub(crate) struct IpLayer<'a> {
    pub addresses: Addresses,
    pub protocol: u8,
    /// IPv4 TTL or IPv6 hop limit.
    pub ttl: u8,
    pub payload: &'a [u8],
    /// Announced payload bytes beyond the end of the capture.
    pub missing: u32,
    /// Set for fragments, IPv4 and IPv6: (identification, offset in bytes, more fragments).
    pub fragment: Option<(u32, u32, bool)>,
}

/// The IP authentication header's protocol number: etherparse reads the IPv4 packets that carry one.
const IP_PROTO_AUTH: u8 = 51;

pub(crate) fn ip_layer(data: &[u8]) -> Result<IpLayer<'_>, DecodeError> {
    match plain_ipv4(data) {
        Some(ip) => Ok(ip),
        None => any_ip_layer(data),
    }
}

/// Any IP header, through etherparse: IPv6 and its extension headers, IPv4 options and
/// authentication headers.
fn any_ip_layer(data: &[u8]) -> Result<IpLayer<'_>, DecodeError> {
    let (slice, _ext_error) = LaxIpSlice::from_slice(data).map_err(|_| DecodeError::Malformed("IP"))?;
    let payload = slice.payload();
    // Where the IP header says the packet ends, against where the capture ends (snap length).
    let announced_end = match &slice {
        LaxIpSlice::Ipv4(v4) => usize::from(v4.header().total_len()),
        LaxIpSlice::Ipv6(v6) => 40 + usize::from(v6.header().payload_length()),
    };
    let payload_start = (payload.payload.as_ptr() as usize).saturating_sub(data.as_ptr() as usize);
    let missing = if payload.incomplete {
        let held_end = payload_start + payload.payload.len();
        u32::try_from(announced_end.saturating_sub(held_end)).unwrap_or(u32::MAX)
    } else {
        0
    };
    let fragment = match &slice {
        LaxIpSlice::Ipv4(v4) if payload.fragmented => {
            let h = v4.header();
            Some((u32::from(h.identification()), u32::from(h.fragments_offset().value()) * 8, h.more_fragments()))
        }
        // The fragment header the payload follows (etherparse stops at it when it fragments).
        LaxIpSlice::Ipv6(v6) if payload.fragmented => v6.extensions().clone().into_iter().find_map(|ext| match ext {
            Ipv6ExtensionSlice::Fragment(f) if f.is_fragmenting_payload() => {
                Some((f.identification(), u32::from(f.fragment_offset().value()) * 8, f.more_fragments()))
            }
            _ => None,
        }),
        _ => None,
    };
    Ok(IpLayer {
        addresses: match &slice {
            LaxIpSlice::Ipv4(v4) => Addresses::V4(u32::from_be_bytes(v4.header().source()), u32::from_be_bytes(v4.header().destination())),
            LaxIpSlice::Ipv6(v6) => {
                Addresses::V6(u128::from_be_bytes(v6.header().source()), u128::from_be_bytes(v6.header().destination()))
            }
        },
        protocol: payload.ip_number.0,
        ttl: match &slice {
            LaxIpSlice::Ipv4(v4) => v4.header().ttl(),
            LaxIpSlice::Ipv6(v6) => v6.header().hop_limit(),
        },
        payload: payload.payload,
        missing,
        fragment,
    })
}

/// An IPv4 header without options and not followed by an authentication header (nearly every
/// packet), read directly; `None` for anything else, which etherparse reads. Its lengths are
/// read as `LaxIpSlice` reads them: a total length beyond the capture leaves the rest missing,
/// one shorter than the header is ignored.
pub(crate) fn plain_ipv4(data: &[u8]) -> Option<IpLayer<'_>> {
    let (header, rest) = data.split_first_chunk::<20>()?;
    let protocol = header[9];
    if header[0] != 0x45 || protocol == IP_PROTO_AUTH {
        return None;
    }
    let (payload, missing) = match usize::from(u16::from_be_bytes([header[2], header[3]])).checked_sub(20) {
        Some(len) if len <= rest.len() => (&rest[..len], 0),
        // At most 65,515 bytes.
        Some(len) => (rest, u32::try_from(len - rest.len()).unwrap_or(u32::MAX)),
        None => (rest, 0),
    };
    let flags_offset = u16::from_be_bytes([header[6], header[7]]);
    // More fragments (0x2000) or an offset (the low 13 bits, in 8-byte units).
    let fragment = (flags_offset & 0x3fff != 0).then(|| {
        let id = u16::from_be_bytes([header[4], header[5]]);
        (u32::from(id), u32::from(flags_offset & 0x1fff) * 8, flags_offset & 0x2000 != 0)
    });
    let src = u32::from_be_bytes([header[12], header[13], header[14], header[15]]);
    let dst = u32::from_be_bytes([header[16], header[17], header[18], header[19]]);
    Some(IpLayer { addresses: Addresses::V4(src, dst), protocol, ttl: header[8], payload, missing, fragment })
}

/// Decodes the transport header of a complete (or snap-truncated) IP payload.
pub(crate) fn transport(protocol: u8, payload: &[u8], missing: u32) -> Result<Transport<'_>, DecodeError> {
    match IpNumber(protocol) {
        IpNumber::TCP => tcp_segment(payload, missing).map(Transport::Tcp),
        IpNumber::UDP => {
            let udp = UdpSlice::from_slice_lax(payload).map_err(|_| DecodeError::Truncated("UDP"))?;
            Ok(Transport::Udp { src_port: udp.source_port(), dst_port: udp.destination_port(), payload: udp.payload() })
        }
        IpNumber(other) => Ok(Transport::Other(other)),
    }
}

/// A TCP header and its payload, read as `TcpSlice` reads them (the header's length from its
/// data offset, 20 to 60 bytes, all captured), the options only of a SYN.
fn tcp_segment(segment: &[u8], missing: u32) -> Result<TcpSegment<'_>, DecodeError> {
    let header = segment.first_chunk::<20>().ok_or(DecodeError::Truncated("TCP"))?;
    let header_len = (header[12] >> 4) * 4;
    if header_len < 20 || segment.len() < usize::from(header_len) {
        return Err(DecodeError::Truncated("TCP"));
    }
    let flags = header[13];
    let syn = flags & 0x02 != 0;
    Ok(TcpSegment {
        src_port: u16::from_be_bytes([header[0], header[1]]),
        dst_port: u16::from_be_bytes([header[2], header[3]]),
        seq: u32::from_be_bytes([header[4], header[5], header[6], header[7]]),
        ack: u32::from_be_bytes([header[8], header[9], header[10], header[11]]),
        flags: TcpFlags { syn, ack: flags & 0x10 != 0, fin: flags & 0x01 != 0, rst: flags & 0x04 != 0 },
        missing,
        window: u16::from_be_bytes([header[14], header[15]]),
        window_scale: if syn { window_scale(segment) } else { None },
        header_len,
        raw: segment,
    })
}

fn window_scale(segment: &[u8]) -> Option<u8> {
    TcpSlice::from_slice(segment).ok()?.options_iterator().find_map(|option| match option {
        Ok(TcpOptionElement::WindowScale(shift)) => Some(shift.min(MAX_WINDOW_SCALE)),
        _ => None,
    })
}

/// Whether a TCP segment's checksum is right: `None` when it cannot be told (the capture holds
/// less than the segment, or the segment is too long for a checksum).
pub fn tcp_checksum_ok(src: IpAddr, dst: IpAddr, raw: &[u8], missing: u32) -> Option<bool> {
    if missing > 0 {
        return None;
    }
    let len = u32::try_from(raw.len()).ok()?;
    let mut sum: u64 = u64::from(len) + 6;
    match (src, dst) {
        (IpAddr::V4(s), IpAddr::V4(d)) => {
            sum += u64::from(u32::from(s) >> 16) + u64::from(u32::from(s) & 0xffff);
            sum += u64::from(u32::from(d) >> 16) + u64::from(u32::from(d) & 0xffff);
        }
        (IpAddr::V6(s), IpAddr::V6(d)) => {
            sum = add_with_carry(sum, add_with_carry(ones_complement_sum(&s.octets()), ones_complement_sum(&d.octets())));
        }
        _ => return None,
    }
    Some(fold(add_with_carry(sum, ones_complement_sum(raw))) == 0xffff)
}

/// The 16-bit big-endian words of `data` summed (odd length padded with a zero byte), not yet
/// folded. Eight bytes at a time, with the end-around carry (2^64 - 1 is a multiple of 2^16 - 1,
/// so folding the 64-bit sum gives the 16-bit one).
fn ones_complement_sum(data: &[u8]) -> u64 {
    let mut sum: u64 = 0;
    let mut chunks = data.chunks_exact(8);
    for chunk in &mut chunks {
        let word = u64::from_be_bytes([chunk[0], chunk[1], chunk[2], chunk[3], chunk[4], chunk[5], chunk[6], chunk[7]]);
        sum = add_with_carry(sum, word);
    }
    let mut rest = chunks.remainder().chunks_exact(2);
    let mut tail: u64 = 0;
    for pair in &mut rest {
        tail += u64::from(u16::from_be_bytes([pair[0], pair[1]]));
    }
    if let [last] = rest.remainder() {
        tail += u64::from(*last) << 8;
    }
    add_with_carry(sum, tail)
}

/// One's complement addition: the carry out of the top comes back in at the bottom.
fn add_with_carry(a: u64, b: u64) -> u64 {
    let (sum, carry) = a.overflowing_add(b);
    sum + u64::from(carry)
}

fn fold(mut sum: u64) -> u64 {
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    sum
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Addresses, protocol, TTL, where the payload starts and its length, bytes missing, fragment.
    type Reading = (IpAddr, IpAddr, u8, u8, usize, usize, u32, Option<(u32, u32, bool)>);

    /// What a layer read says, to compare two readings.
    fn fields(ip: &IpLayer<'_>) -> Reading {
        let start = ip.payload.as_ptr() as usize;
        (ip.addresses.src(), ip.addresses.dst(), ip.protocol, ip.ttl, start, ip.payload.len(), ip.missing, ip.fragment)
    }

    /// The TCP header as `TcpSlice` reads it.
    fn etherparse_tcp(segment: &[u8], missing: u32) -> Option<TcpSegment<'_>> {
        let tcp = TcpSlice::from_slice(segment).ok()?;
        Some(TcpSegment {
            src_port: tcp.source_port(),
            dst_port: tcp.destination_port(),
            seq: tcp.sequence_number(),
            ack: tcp.acknowledgment_number(),
            flags: TcpFlags { syn: tcp.syn(), ack: tcp.ack(), fin: tcp.fin(), rst: tcp.rst() },
            missing,
            window: tcp.window_size(),
            window_scale: if tcp.syn() { window_scale(segment) } else { None },
            header_len: u8::try_from(tcp.header_len()).ok()?,
            raw: tcp.slice(),
        })
    }

    proptest! {
        /// The direct IPv4 reading says what etherparse says of every header it takes: lengths
        /// short, long and exact, fragments, any protocol.
        #[test]
        fn plain_ipv4_reads_as_etherparse(
            mut data in proptest::collection::vec(any::<u8>(), 0..120),
            total_len in prop_oneof![0u16..140, any::<u16>()],
            flags_offset in prop_oneof![Just(0u16), Just(0x4000u16), Just(0x2000u16), any::<u16>()],
        ) {
            if data.len() >= 20 {
                data[0] = 0x45;
                data[2..4].copy_from_slice(&total_len.to_be_bytes());
                data[6..8].copy_from_slice(&flags_offset.to_be_bytes());
            }
            if let Some(plain) = plain_ipv4(&data) {
                let general = any_ip_layer(&data).expect("etherparse reads it too");
                prop_assert_eq!(fields(&plain), fields(&general));
            }
        }

        /// The direct TCP reading says what `TcpSlice` says, and fails where it fails.
        #[test]
        fn tcp_reads_as_etherparse(mut data in proptest::collection::vec(any::<u8>(), 0..100), offset in 0u8..16, syn: bool) {
            if data.len() >= 20 {
                data[12] = offset << 4 | (data[12] & 0x0f);
                data[13] = if syn { data[13] | 0x02 } else { data[13] & !0x02 };
            }
            prop_assert_eq!(tcp_segment(&data, 7).ok(), etherparse_tcp(&data, 7));
        }
    }
}
