//! Just enough of a classic pcap reader to pull one direction of one TCP connection out of a
//! public capture, for bodies too long to paste as a constant. Ethernet, IPv4, in-order
//! segments keyed by sequence number (retransmissions collapse).

use std::collections::BTreeMap;
use std::path::PathBuf;

/// `/work/shared/pcaps` seen from this crate (`../shared/pcaps` beside the checkout in CI).
pub fn shared_pcap(relative: &str) -> Option<Vec<u8>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/pcaps").join(relative);
    match std::fs::read(&path) {
        Ok(bytes) => Some(bytes),
        Err(e) => {
            eprintln!("SKIPPED: capture {} not readable ({e})", path.display());
            None
        }
    }
}

fn u16_be(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_be(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// The TCP payload bytes sent from `src_port` to `dst_port`, in sequence order.
pub fn tcp_stream(pcap: &[u8], src_port: u16, dst_port: u16) -> Vec<u8> {
    let magic = pcap.get(..4).expect("pcap header");
    let le = magic == [0xd4, 0xc3, 0xb2, 0xa1] || magic == [0x4d, 0x3c, 0xb2, 0xa1];
    let rd32 = |at: usize| -> usize {
        let b: [u8; 4] = pcap[at..at + 4].try_into().unwrap();
        (if le { u32::from_le_bytes(b) } else { u32::from_be_bytes(b) }) as usize
    };
    assert_eq!(rd32(20), 1, "Ethernet captures only");
    let mut segments = BTreeMap::new();
    let mut at = 24;
    while at + 16 <= pcap.len() {
        let caplen = rd32(at + 8);
        let frame = &pcap[at + 16..at + 16 + caplen];
        at += 16 + caplen;
        if u16_be(frame, 12) != Some(0x0800) {
            continue;
        }
        let ip = &frame[14..];
        let ihl = usize::from(ip[0] & 0x0f) * 4;
        let total = usize::from(u16_be(ip, 2).unwrap());
        if ip[9] != 6 {
            continue;
        }
        let tcp = &ip[ihl..total];
        let data_offset = usize::from(tcp[12] >> 4) * 4;
        if u16_be(tcp, 0) != Some(src_port) || u16_be(tcp, 2) != Some(dst_port) {
            continue;
        }
        let payload = &tcp[data_offset..];
        if !payload.is_empty() {
            segments.insert(u32_be(tcp, 4).unwrap(), payload.to_vec());
        }
    }
    let mut stream = Vec::new();
    let mut next_seq = segments.keys().next().copied();
    for (seq, payload) in segments {
        assert_eq!(Some(seq), next_seq, "gap in the captured stream");
        next_seq = Some(seq.wrapping_add(payload.len() as u32));
        stream.extend_from_slice(&payload);
    }
    stream
}

/// Decodes the hex constants of the fixtures.
pub fn unhex(hex: &str) -> Vec<u8> {
    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex")).collect()
}
