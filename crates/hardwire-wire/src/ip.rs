//! IP and transport headers, read through `etherparse`'s checked slices.

use std::net::IpAddr;

use etherparse::{IpNumber, LaxIpSlice, TcpSlice, UdpSlice};

use crate::error::DecodeError;

/// TCP header flags we act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TcpFlags {
    pub syn: bool,
    pub ack: bool,
    pub fin: bool,
    pub rst: bool,
}

/// A TCP segment, borrowing its payload from the frame (or from the defragmenter).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TcpSegment<'a> {
    pub src_port: u16,
    pub dst_port: u16,
    pub seq: u32,
    pub ack: u32,
    pub flags: TcpFlags,
    pub payload: &'a [u8],
    /// Payload bytes the IP header announces but the capture does not hold (snap length).
    pub missing: u32,
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
    pub transport: Transport<'a>,
}

/// The IP layer of a packet, before the transport is decoded.
pub(crate) struct IpLayer<'a> {
    pub src: IpAddr,
    pub dst: IpAddr,
    pub protocol: u8,
    pub payload: &'a [u8],
    /// Announced payload bytes beyond the end of the capture.
    pub missing: u32,
    /// Set for IPv4 fragments: (identification, offset in bytes, more fragments).
    pub fragment: Option<(u16, u32, bool)>,
    /// IPv6 fragments are not reassembled; such packets are skipped.
    pub unreassembled_fragment: bool,
}

pub(crate) fn ip_layer(data: &[u8]) -> Result<IpLayer<'_>, DecodeError> {
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
    let (fragment, unreassembled_fragment) = match &slice {
        LaxIpSlice::Ipv4(v4) if payload.fragmented => {
            let h = v4.header();
            (Some((h.identification(), u32::from(h.fragments_offset().value()) * 8, h.more_fragments())), false)
        }
        LaxIpSlice::Ipv6(_) if payload.fragmented => (None, true),
        _ => (None, false),
    };
    Ok(IpLayer {
        src: slice.source_addr(),
        dst: slice.destination_addr(),
        protocol: payload.ip_number.0,
        payload: payload.payload,
        missing,
        fragment,
        unreassembled_fragment,
    })
}

/// Decodes the transport header of a complete (or snap-truncated) IP payload.
pub(crate) fn transport(protocol: u8, payload: &[u8], missing: u32) -> Result<Transport<'_>, DecodeError> {
    match IpNumber(protocol) {
        IpNumber::TCP => {
            let tcp = TcpSlice::from_slice(payload).map_err(|_| DecodeError::Truncated("TCP"))?;
            Ok(Transport::Tcp(TcpSegment {
                src_port: tcp.source_port(),
                dst_port: tcp.destination_port(),
                seq: tcp.sequence_number(),
                ack: tcp.acknowledgment_number(),
                flags: TcpFlags { syn: tcp.syn(), ack: tcp.ack(), fin: tcp.fin(), rst: tcp.rst() },
                payload: tcp.payload(),
                missing,
            }))
        }
        IpNumber::UDP => {
            let udp = UdpSlice::from_slice_lax(payload).map_err(|_| DecodeError::Truncated("UDP"))?;
            Ok(Transport::Udp { src_port: udp.source_port(), dst_port: udp.destination_port(), payload: udp.payload() })
        }
        IpNumber(other) => Ok(Transport::Other(other)),
    }
}
