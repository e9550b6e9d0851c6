//! The walk from a captured frame to an IP packet: link header, VLAN tags, tunnels, IP,
//! fragments, transport.

use crate::defrag::{DefragLimits, Defragmenter, FragmentOutcome};
use crate::error::DecodeError;
use crate::ip::{ip_layer, plain_ipv4, transport, IpLayer, Packet};
use crate::link::{ethertype, network_layer, LinkType, L3};
use crate::tunnel::gre_network_layer;

/// GRE's IP protocol number.
const IP_PROTO_GRE: u8 = 47;
/// How many IP-in-tunnel layers we peel (ERSPAN in GRE in IP is one).
const MAX_TUNNEL_DEPTH: usize = 4;

/// Limits of the decoder.
#[derive(Debug, Clone, Copy, Default)]
pub struct DecoderLimits {
    pub defrag: DefragLimits,
}

/// Decodes frames; keeps only the state IPv4 reassembly needs.
#[derive(Debug, Default)]
pub struct Decoder {
    defrag: Defragmenter,
    /// The payload of the last datagram reassembled, borrowed by the packet returned for it.
    reassembled: Vec<u8>,
}

/// Where the walk from a frame ends (the live sharder takes it too).
pub(crate) enum Step<'a> {
    Packet(Packet<'a>),
    Fragment(IpLayer<'a>),
    NotIp,
}

pub(crate) fn walk(mut l3: L3<'_>) -> Result<Step<'_>, DecodeError> {
    for _ in 0..MAX_TUNNEL_DEPTH {
        let L3::Ip(data) = l3 else { return Ok(Step::NotIp) };
        let ip = ip_layer(data)?;
        if ip.fragment.is_some() {
            return Ok(Step::Fragment(ip));
        }
        if ip.protocol == IP_PROTO_GRE {
            l3 = gre_network_layer(ip.payload)?;
            continue;
        }
        let transport = transport(ip.protocol, ip.payload, ip.missing)?;
        let (src, dst) = (ip.addresses.src(), ip.addresses.dst());
        return Ok(Step::Packet(Packet { src, dst, ttl: ip.ttl, transport }));
    }
    Err(DecodeError::TooDeep)
}

/// Ethernet, then IPv4 without options, not fragmented, not GRE: nearly every frame, read
/// without the general walk's steps (a third of its cost). `None` for anything else, errors
/// included, which the walk then reads.
fn ethernet_ipv4(link: LinkType, frame: &[u8]) -> Option<Packet<'_>> {
    if link != LinkType::Ethernet || frame.get(12..14)? != ethertype::IPV4.to_be_bytes() {
        return None;
    }
    let ip = plain_ipv4(frame.get(14..)?)?;
    if ip.fragment.is_some() || ip.protocol == IP_PROTO_GRE {
        return None;
    }
    let transport = transport(ip.protocol, ip.payload, ip.missing).ok()?;
    Some(Packet { src: ip.addresses.src(), dst: ip.addresses.dst(), ttl: ip.ttl, transport })
}

impl Decoder {
    pub fn new(limits: DecoderLimits) -> Self {
        Decoder { defrag: Defragmenter::new(limits.defrag), reassembled: Vec::new() }
    }

    /// Datagrams the defragmenter dropped (limits, timeouts).
    pub fn fragments_dropped(&self) -> u64 {
        self.defrag.dropped
    }

    /// Bytes the defragmenter holds.
    pub fn fragment_bytes_held(&self) -> usize {
        self.defrag.held_bytes()
    }

    /// Decodes one frame captured at `now_us` (microseconds since the epoch) and hands the
    /// packet to `handle`, whose result is returned.
    ///
    /// `Ok(None)` is a frame with nothing for us (ARP, a fragment that does not complete a
    /// datagram yet); `Err` is a frame that is malformed. The packet is lent where it was
    /// decoded: returned, it was copied through each layer's result (a tenth of the engine's
    /// cost per packet).
    pub fn decode<'a, R>(
        &'a mut self,
        now_us: u64,
        link: LinkType,
        frame: &'a [u8],
        handle: impl FnOnce(&Packet<'a>) -> R,
    ) -> Result<Option<R>, DecodeError> {
        if let Some(ref packet) = ethernet_ipv4(link, frame) {
            return Ok(Some(handle(packet)));
        }
        // Matched in place: `?` would move the packet out of the result first.
        let fragment = match walk(network_layer(link, frame)?) {
            Ok(Step::Packet(ref packet)) => return Ok(Some(handle(packet))),
            Ok(Step::NotIp) => return Ok(None),
            Ok(Step::Fragment(ip)) => ip,
            Err(error) => return Err(error),
        };
        let Some((id, offset, more)) = fragment.fragment else { return Ok(None) };
        let (src, dst) = (fragment.addresses.src(), fragment.addresses.dst());
        let outcome = self.defrag.add(now_us, src, dst, fragment.protocol, id, offset, more, fragment.payload);
        let FragmentOutcome::Complete(payload) = outcome else { return Ok(None) };
        self.reassembled = payload;
        // A reassembled datagram is decoded once more; a fragment inside it is not followed.
        let (protocol, ttl) = (fragment.protocol, fragment.ttl);
        if protocol == IP_PROTO_GRE {
            return match walk(gre_network_layer(&self.reassembled)?) {
                Ok(Step::Packet(ref packet)) => Ok(Some(handle(packet))),
                Ok(_) => Ok(None),
                Err(error) => Err(error),
            };
        }
        let transport = transport(protocol, &self.reassembled, 0)?;
        Ok(Some(handle(&Packet { src, dst, ttl, transport })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ip::Transport;

    /// An IPv4 + TCP header around `payload` (checksums are not verified by the decoder).
    fn ipv4_tcp(id: u16, frag_offset_units: u16, more: bool, l4: &[u8]) -> Vec<u8> {
        let total = 20 + l4.len() as u16;
        let flags = if more { 0x2000 } else { 0 } | frag_offset_units;
        let mut p = vec![
            0x45,
            0,
            (total >> 8) as u8,
            total as u8,
            (id >> 8) as u8,
            id as u8,
            (flags >> 8) as u8,
            flags as u8,
            64,
            6,
            0,
            0,
            10,
            0,
            0,
            1,
            10,
            0,
            0,
            2,
        ];
        p.extend_from_slice(l4);
        p
    }

    fn tcp_header(payload: &[u8]) -> Vec<u8> {
        let mut t = vec![0x04, 0xd2, 0x01, 0xbd, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0];
        t.extend_from_slice(payload);
        t
    }

    #[test]
    fn raw_ip_tcp_decodes() {
        let frame = ipv4_tcp(1, 0, false, &tcp_header(b"hi"));
        let mut d = Decoder::default();
        let packet = d.decode(0, LinkType::RawIp, &frame, |p| *p).unwrap().unwrap();
        match packet.transport {
            Transport::Tcp(seg) => {
                assert_eq!((seg.src_port, seg.dst_port, seg.payload()), (1234, 445, &b"hi"[..]));
                assert_eq!(seg.missing, 0);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn fragmented_tcp_is_reassembled() {
        let l4 = tcp_header(b"0123456789abcdef0123");
        let first = ipv4_tcp(7, 0, true, &l4[..24]);
        let second = ipv4_tcp(7, 3, false, &l4[24..]);
        let mut d = Decoder::default();
        assert_eq!(d.decode(0, LinkType::RawIp, &second, |p| *p).unwrap(), None);
        let packet = d.decode(1, LinkType::RawIp, &first, |p| *p).unwrap().unwrap();
        let Transport::Tcp(seg) = packet.transport else { panic!() };
        assert_eq!(seg.payload(), b"0123456789abcdef0123");
    }

    /// An IPv6 header and a fragment header (offset in 8-byte units) around `part`.
    fn ipv6_fragment(id: u32, offset_units: u16, more: bool, part: &[u8]) -> Vec<u8> {
        let mut p = vec![0x60, 0, 0, 0];
        p.extend_from_slice(&(8 + part.len() as u16).to_be_bytes());
        p.extend_from_slice(&[44, 64]);
        p.extend_from_slice(&[0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        p.extend_from_slice(&[0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
        p.extend_from_slice(&[6, 0]);
        p.extend_from_slice(&(offset_units << 3 | u16::from(more)).to_be_bytes());
        p.extend_from_slice(&id.to_be_bytes());
        p.extend_from_slice(part);
        p
    }

    #[test]
    fn fragmented_ipv6_tcp_is_reassembled() {
        let l4 = tcp_header(b"0123456789abcdef0123");
        let mut d = Decoder::default();
        assert_eq!(d.decode(0, LinkType::RawIp, &ipv6_fragment(0x1234_5678, 3, false, &l4[24..]), |p| *p).unwrap(), None);
        let first = ipv6_fragment(0x1234_5678, 0, true, &l4[..24]);
        let packet = d.decode(1, LinkType::RawIp, &first, |p| *p).unwrap().unwrap();
        assert_eq!(packet.ttl, 64);
        let Transport::Tcp(seg) = packet.transport else { panic!() };
        assert_eq!((seg.dst_port, seg.payload()), (445, &b"0123456789abcdef0123"[..]));
    }

    #[test]
    fn snap_truncated_payload_is_reported_missing() {
        let frame = ipv4_tcp(1, 0, false, &tcp_header(&[0u8; 100]));
        let mut d = Decoder::default();
        let packet = d.decode(0, LinkType::RawIp, &frame[..80], |p| *p).unwrap().unwrap();
        let Transport::Tcp(seg) = packet.transport else { panic!() };
        assert_eq!((seg.payload().len(), seg.missing), (40, 60));
    }
}
