//! Plain pcap files and synthetic frames, shared by the capture generator, the throughput
//! benchmark and the flood tests (each includes this file with `#[path]`): a reader of classic
//! pcap files, a writer, builders of Ethernet/IPv4/TCP and UDP frames, and in-place rewriting of
//! addresses, ports, sequence numbers. Checksums are left as they are: hardwire does not verify
//! them.
#![allow(dead_code)] // each includer uses its own subset

use std::io::{self, Write};
use std::path::Path;

/// LINKTYPE_ETHERNET.
pub const LINK_ETHERNET: u32 = 1;

pub const TCP_FIN: u8 = 0x01;
pub const TCP_SYN: u8 = 0x02;
pub const TCP_RST: u8 = 0x04;
pub const TCP_PSH: u8 = 0x08;
pub const TCP_ACK: u8 = 0x10;

/// One captured frame and its time in microseconds.
#[derive(Debug, Clone)]
pub struct Frame {
    pub ts_us: u64,
    pub data: Vec<u8>,
}

/// Reads a classic pcap file (either byte order, micro- or nanosecond stamps): its link type
/// and frames. pcapng is not read.
pub fn read_pcap(path: &Path) -> io::Result<(u32, Vec<Frame>)> {
    let bytes = std::fs::read(path)?;
    let bad = |why: &str| io::Error::new(io::ErrorKind::InvalidData, format!("{}: {why}", path.display()));
    let magic = bytes.get(..4).ok_or_else(|| bad("too short"))?;
    let (big, nanos) = match magic {
        [0xd4, 0xc3, 0xb2, 0xa1] => (false, false),
        [0x4d, 0x3c, 0xb2, 0xa1] => (false, true),
        [0xa1, 0xb2, 0xc3, 0xd4] => (true, false),
        [0xa1, 0xb2, 0x3c, 0x4d] => (true, true),
        _ => return Err(bad("not a classic pcap file")),
    };
    let u32_at = |at: usize| -> Option<u32> {
        let b: [u8; 4] = bytes.get(at..at + 4)?.try_into().ok()?;
        Some(if big { u32::from_be_bytes(b) } else { u32::from_le_bytes(b) })
    };
    let link = u32_at(20).ok_or_else(|| bad("short header"))? & 0xffff;
    let mut frames = Vec::new();
    let mut at = 24;
    while let (Some(secs), Some(frac), Some(caplen)) = (u32_at(at), u32_at(at + 4), u32_at(at + 8)) {
        let start = at + 16;
        let Some(data) = bytes.get(start..start + caplen as usize) else { break };
        let micros = if nanos { u64::from(frac) / 1000 } else { u64::from(frac) };
        frames.push(Frame { ts_us: u64::from(secs) * 1_000_000 + micros, data: data.to_vec() });
        at = start + caplen as usize;
    }
    Ok((link, frames))
}

/// Writes a classic little-endian microsecond pcap file.
pub struct PcapWriter<W: Write> {
    out: W,
    /// Bytes written so far, headers included.
    pub bytes: u64,
    pub packets: u64,
}

impl<W: Write> PcapWriter<W> {
    pub fn new(mut out: W, link: u32) -> io::Result<Self> {
        let mut header = Vec::with_capacity(24);
        header.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
        header.extend_from_slice(&2u16.to_le_bytes());
        header.extend_from_slice(&4u16.to_le_bytes());
        header.extend_from_slice(&[0; 8]); // thiszone, sigfigs
        header.extend_from_slice(&262_144u32.to_le_bytes());
        header.extend_from_slice(&link.to_le_bytes());
        out.write_all(&header)?;
        Ok(PcapWriter { out, bytes: 24, packets: 0 })
    }

    pub fn write(&mut self, ts_us: u64, frame: &[u8]) -> io::Result<()> {
        let mut record = [0u8; 16];
        record[0..4].copy_from_slice(&((ts_us / 1_000_000) as u32).to_le_bytes());
        record[4..8].copy_from_slice(&((ts_us % 1_000_000) as u32).to_le_bytes());
        record[8..12].copy_from_slice(&(frame.len() as u32).to_le_bytes());
        record[12..16].copy_from_slice(&(frame.len() as u32).to_le_bytes());
        self.out.write_all(&record)?;
        self.out.write_all(frame)?;
        self.bytes += 16 + frame.len() as u64;
        self.packets += 1;
        Ok(())
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}

const ETH_HEADER: usize = 14;
const IPV4_HEADER: usize = 20;
const TCP_HEADER: usize = 20;
const UDP_HEADER: usize = 8;

fn ethernet_ipv4(frame: &mut Vec<u8>, src: [u8; 4], dst: [u8; 4], protocol: u8, l4_len: usize) {
    frame.extend_from_slice(&[0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00]);
    let total = (IPV4_HEADER + l4_len) as u16;
    frame.extend_from_slice(&[0x45, 0]);
    frame.extend_from_slice(&total.to_be_bytes());
    frame.extend_from_slice(&[0, 0, 0x40, 0, 64, protocol, 0, 0]);
    frame.extend_from_slice(&src);
    frame.extend_from_slice(&dst);
}

/// An Ethernet/IPv4/TCP frame.
#[allow(clippy::too_many_arguments)]
pub fn tcp_frame(src: [u8; 4], sport: u16, dst: [u8; 4], dport: u16, seq: u32, ack: u32, flags: u8, payload: &[u8]) -> Vec<u8> {
    let mut frame = Vec::with_capacity(ETH_HEADER + IPV4_HEADER + TCP_HEADER + payload.len());
    ethernet_ipv4(&mut frame, src, dst, 6, TCP_HEADER + payload.len());
    frame.extend_from_slice(&sport.to_be_bytes());
    frame.extend_from_slice(&dport.to_be_bytes());
    frame.extend_from_slice(&seq.to_be_bytes());
    frame.extend_from_slice(&ack.to_be_bytes());
    frame.extend_from_slice(&[0x50, flags, 0xff, 0xff, 0, 0, 0, 0]);
    frame.extend_from_slice(payload);
    frame
}

/// An Ethernet/IPv4/UDP frame.
pub fn udp_frame(src: [u8; 4], sport: u16, dst: [u8; 4], dport: u16, payload: &[u8]) -> Vec<u8> {
    let mut frame = Vec::with_capacity(ETH_HEADER + IPV4_HEADER + UDP_HEADER + payload.len());
    ethernet_ipv4(&mut frame, src, dst, 17, UDP_HEADER + payload.len());
    frame.extend_from_slice(&sport.to_be_bytes());
    frame.extend_from_slice(&dport.to_be_bytes());
    frame.extend_from_slice(&((UDP_HEADER + payload.len()) as u16).to_be_bytes());
    frame.extend_from_slice(&[0, 0]);
    frame.extend_from_slice(payload);
    frame
}

/// An Ethernet/IPv4 frame cut into fragments carrying `size` bytes of its IP payload each.
pub fn ipv4_fragments(frame: &[u8], size: usize, id: u16) -> Vec<Vec<u8>> {
    let (head, payload) = frame.split_at(ETH_HEADER + IPV4_HEADER);
    payload
        .chunks(size)
        .enumerate()
        .map(|(i, piece)| {
            let mut fragment = head.to_vec();
            let more = if (i + 1) * size < payload.len() { 0x2000 } else { 0 };
            fragment[16..18].copy_from_slice(&((IPV4_HEADER + piece.len()) as u16).to_be_bytes());
            fragment[18..20].copy_from_slice(&id.to_be_bytes());
            fragment[20..22].copy_from_slice(&(more | (i * size / 8) as u16).to_be_bytes());
            fragment.extend_from_slice(piece);
            fragment
        })
        .collect()
}

/// Issue 14's NTLMSSP amplification: `flows` connections from `client` to `server`:1433 (MS-SQL,
/// the fallback NTLM scanner's ground; 389 was, before the LDAP app), each one 65 KB segment
/// of AUTHENTICATE headers every 64 bytes whose names reach exactly to the
/// segment's end, sent as IPv4 fragments of 1,480 bytes. Every candidate is whole: those
/// reaching past 8 KiB are measured and refused, the last 127 are small enough to parse.
/// (Names reaching 40 bytes past the end, as this input first had, left every candidate
/// incomplete: the scanner waited for bytes that never came and parsed none.)
pub fn ntlm_amplification(client: [u8; 4], server: [u8; 4], flows: u16) -> Vec<Vec<u8>> {
    const SEGMENT: usize = 65_000 / 64 * 64;
    let mut frames = Vec::new();
    for flow in 0..flows {
        let port = 40_000 + flow;
        frames.push(tcp_frame(client, port, server, 1433, 100, 0, TCP_SYN, &[]));
        frames.push(tcp_frame(server, 1433, client, port, 500, 101, TCP_SYN | TCP_ACK, &[]));
        let mut segment = Vec::with_capacity(SEGMENT);
        while segment.len() < SEGMENT {
            let reach = (SEGMENT - segment.len() - 64).min(0xffff) as u16;
            segment.extend_from_slice(b"NTLMSSP\0\x03\0\0\0");
            for field in 0..6 {
                let (len, offset) = if (2..5).contains(&field) { (reach, 64u32) } else { (0, 64) };
                segment.extend_from_slice(&[len.to_le_bytes(), len.to_le_bytes()].concat());
                segment.extend_from_slice(&offset.to_le_bytes());
            }
            segment.extend_from_slice(&0xa288_8205u32.to_le_bytes());
        }
        let whole = tcp_frame(client, port, server, 1433, 101, 501, TCP_ACK, &segment);
        frames.extend(ipv4_fragments(&whole, 1480, flow));
    }
    frames
}

/// Where the IPv4 header and the TCP/UDP header of an untagged Ethernet frame start, and the
/// IP protocol; `None` for anything else (IPv6, VLAN tags, fragments).
pub fn ipv4_transport(frame: &[u8]) -> Option<(usize, usize, u8)> {
    if frame.get(12..14)? != [0x08, 0x00] {
        return None;
    }
    let ip = ETH_HEADER;
    let ihl = usize::from(frame.get(ip)? & 0x0f) * 4;
    let fragment = u16::from_be_bytes([*frame.get(ip + 6)?, *frame.get(ip + 7)?]) & 0x3fff;
    let protocol = *frame.get(ip + 9)?;
    let l4 = ip + ihl;
    (fragment == 0 && matches!(protocol, 6 | 17) && frame.len() >= l4 + 8).then_some((ip, l4, protocol))
}

/// Rewrites the IPv4 addresses and TCP/UDP ports of an Ethernet frame in place. Frames that are
/// not IPv4 TCP/UDP are left alone (returns false).
pub fn rewrite_endpoints(frame: &mut [u8], mut ip: impl FnMut([u8; 4]) -> [u8; 4], mut port: impl FnMut(u16) -> u16) -> bool {
    let Some((ip_at, l4, _)) = ipv4_transport(frame) else { return false };
    for at in [ip_at + 12, ip_at + 16] {
        let old: [u8; 4] = frame[at..at + 4].try_into().unwrap_or_default();
        frame[at..at + 4].copy_from_slice(&ip(old));
    }
    for at in [l4, l4 + 2] {
        let old = u16::from_be_bytes([frame[at], frame[at + 1]]);
        frame[at..at + 2].copy_from_slice(&port(old).to_be_bytes());
    }
    true
}

/// The TCP header of an Ethernet/IPv4 frame: (offset of the TCP header, flags).
pub fn tcp_header(frame: &[u8]) -> Option<(usize, u8)> {
    let (_, l4, protocol) = ipv4_transport(frame)?;
    (protocol == 6 && frame.len() >= l4 + TCP_HEADER).then(|| (l4, frame[l4 + 13]))
}

/// Adds `seq_delta` to the sequence number and `ack_delta` to the acknowledgment number of a
/// TCP frame in place.
pub fn shift_tcp(frame: &mut [u8], seq_delta: u32, ack_delta: u32) {
    let Some((l4, _)) = tcp_header(frame) else { return };
    for (at, delta) in [(l4 + 4, seq_delta), (l4 + 8, ack_delta)] {
        let old = u32::from_be_bytes([frame[at], frame[at + 1], frame[at + 2], frame[at + 3]]);
        frame[at..at + 4].copy_from_slice(&old.wrapping_add(delta).to_be_bytes());
    }
}

/// A small deterministic generator (xorshift64*), so generated captures are reproducible.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}
