//! Builds a large realistic capture for the throughput benchmark from the project's own
//! captures (pcaps/smb, pcaps/dcerpc, pcaps/http):
//!
//! - bulk SMB file transfers (pcaps/smb/smb-transfer-5mb.pcap) carry about three quarters of
//!   the bytes;
//! - every other SMB and DCE/RPC capture is replayed as many short sessions;
//! - WinRM and WebDAV (pcaps/http) as many HTTP sessions;
//! - background TCP (bulk on port 443) and UDP (DNS-sized datagrams on port 53).
//!
//! Each replayed session gets its own client address and ephemeral ports (private server
//! addresses are mapped onto a pool of servers), its own start time, and all sessions are
//! interleaved in time. Each replay also gets its own NTLM server challenges and NTLMv2 proofs
//! (in binary tokens and in base64 HTTP headers): copied unchanged, the same challenge would
//! reach many servers and the same proof come from many clients within a minute, which is what
//! `ntlm.relay` looks for, and the capture would be full of relays that never happened.
//! Checksums are not fixed: the replayed captures were recorded with checksum offload, and
//! hardwire's `auto` checksum mode takes such sides as offloaded.
//!
//! ```text
//! cargo run --release -p hardwire-sensor --example generate -- [--size-mb 400] [--out FILE]
//! ```
//! The default output is benches/data/mixed-<size>m.pcap. `--size-mb 2048` makes the 2 GB one.

#[path = "synth.rs"]
mod synth;

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use synth::{
    read_pcap, rewrite_endpoints, tcp_frame, udp_frame, Frame, PcapWriter, Rng, LINK_ETHERNET, TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN,
};

/// A session to replay: frames with times relative to its first frame.
struct Template {
    frames: Vec<Frame>,
    bytes: u64,
}

impl Template {
    fn new(mut frames: Vec<Frame>) -> Template {
        let t0 = frames.first().map_or(0, |f| f.ts_us);
        frames.iter_mut().for_each(|f| f.ts_us -= t0.min(f.ts_us));
        let bytes = frames.iter().map(|f| 16 + f.data.len() as u64).sum();
        Template { frames, bytes }
    }
}

/// One replay of a template.
struct Instance {
    template: usize,
    start_us: u64,
    /// Distinct per instance: picks the client address and the port offset.
    serial: u32,
    next: usize,
}

/// Ports kept as they are: server ports (anything below 1024, and the well-known high ones).
fn is_server_port(port: u16) -> bool {
    port < 1024 || matches!(port, 5985 | 5986 | 8080 | 8443)
}

fn is_private(ip: [u8; 4]) -> bool {
    ip[0] == 10 || (ip[0] == 172 && (16..32).contains(&ip[1])) || (ip[0] == 192 && ip[1] == 168) || ip[0] == 127
}

/// Rewrites a template frame for instance `serial`: the first private address of the template
/// (its client) becomes a per-instance client, other private addresses one of 64 servers,
/// ephemeral ports are shifted by a per-instance offset.
fn rewrite(frame: &mut [u8], first_ip: [u8; 4], serial: u32) {
    let client = [10, 1 + (serial >> 16) as u8 % 100, (serial >> 8) as u8, serial as u8];
    let server_pool = |ip: [u8; 4]| [10, 200, ip[2] ^ ((serial % 8) as u8), 1 + (ip[3] ^ ((serial / 8 % 8) as u8)) % 250];
    let port_offset = serial.wrapping_mul(7919) % 60_000;
    rewrite_endpoints(
        frame,
        |ip| match ip {
            ip if ip == first_ip => client,
            ip if is_private(ip) => server_pool(ip),
            ip => ip,
        },
        |port| if is_server_port(port) { port } else { 1024 + ((u32::from(port) - 1024 + port_offset) % 64_512) as u16 },
    );
}

/// The NTLMSSP signature that starts every NTLM message.
const NTLMSSP: &[u8] = b"NTLMSSP\0";

/// XORs `key` into `bytes[at..at + len]` if it lies inside.
fn scramble(bytes: &mut [u8], at: usize, len: usize, key: &[u8; 16]) {
    if let Some(field) = at.checked_add(len).and_then(|end| bytes.get_mut(at..end)) {
        field.iter_mut().zip(key).for_each(|(b, k)| *b ^= k);
    }
}

/// Makes the NTLM messages in `bytes` the replay's own: the CHALLENGE's server challenge
/// (offset 24, 8 bytes) and the NTProofStr of an NTLMv2 AUTHENTICATE (the first 16 bytes of
/// its NT response, a field whose length and offset are at 20 and 24) are XORed with `key`.
/// A bijection per replay: what was equal within a replay stays equal, nothing else is.
fn vary_ntlm(bytes: &mut [u8], key: &[u8; 16]) {
    let mut from = 0;
    while let Some(found) = bytes.get(from..).and_then(|rest| rest.windows(NTLMSSP.len()).position(|w| w == NTLMSSP)) {
        let at = from + found;
        let u16_at = |o: usize| bytes.get(at + o..at + o + 2).map_or(0, |b| u16::from_le_bytes([b[0], b[1]]) as usize);
        let u32_at = |o: usize| bytes.get(at + o..at + o + 4).map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize);
        match u32_at(8) {
            2 => scramble(bytes, at + 24, 8, key),
            3 if u16_at(20) > 24 => scramble(bytes, at + u32_at(24), 16, key),
            _ => {}
        }
        from = at + NTLMSSP.len();
    }
}

/// `vary_ntlm` inside the base64 tokens of HTTP `NTLM` and `Negotiate` authentication headers
/// (the same length once encoded again).
fn vary_ntlm_base64(payload: &mut [u8], key: &[u8; 16]) {
    for scheme in [&b"NTLM "[..], b"Negotiate "] {
        let mut from = 0;
        while let Some(found) = payload.get(from..).and_then(|rest| rest.windows(scheme.len()).position(|w| w == scheme)) {
            let start = from + found + scheme.len();
            let len =
                payload[start..].iter().position(|b| !(b.is_ascii_alphanumeric() || b"+/=".contains(b))).unwrap_or(payload.len() - start);
            if let Ok(mut token) = BASE64.decode(&payload[start..start + len]) {
                vary_ntlm(&mut token, key);
                let encoded = BASE64.encode(&token);
                if encoded.len() == len {
                    payload[start..start + len].copy_from_slice(encoded.as_bytes());
                }
            }
            from = start + len;
        }
    }
}

/// The NTLM challenges and proofs of one TCP frame made the replay's own (see `vary_ntlm`).
fn vary_ntlm_in_frame(frame: &mut [u8], serial: u32) {
    let Some((l4, _)) = synth::tcp_header(frame) else { return };
    let data_at = l4 + usize::from(frame[l4 + 12] >> 4) * 4;
    let Some(payload) = frame.get_mut(data_at..) else { return };
    let mut rng = Rng(0x51ed_2701_9b1c_4e3d ^ (u64::from(serial) << 17 | 1));
    let mut key = [0u8; 16];
    key.iter_mut().for_each(|b| *b = rng.next() as u8);
    vary_ntlm(payload, &key);
    vary_ntlm_base64(payload, &key);
}

/// The address of the first IPv4 sender of a template (its client, as captures start with a SYN).
fn first_source(template: &Template) -> [u8; 4] {
    template
        .frames
        .iter()
        .find_map(|f| synth::ipv4_transport(&f.data).map(|(ip, _, _)| f.data[ip + 12..ip + 16].try_into().unwrap_or_default()))
        .unwrap_or_default()
}

fn load(dir: &Path, keep: impl Fn(&str) -> bool) -> Vec<Template> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "pcap") && keep(&p.file_name().unwrap_or_default().to_string_lossy()))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .filter_map(|path| match read_pcap(&path) {
            Ok((LINK_ETHERNET, frames)) if !frames.is_empty() => Some(Template::new(frames)),
            _ => None,
        })
        .collect()
}

/// Background TCP: a connection that moves `segments` full segments from server to client.
fn background_tcp(rng: &mut Rng, segments: usize) -> Template {
    let (client, server) = ([172, 16, 0, 2], [10, 100, 0, 1]);
    let (cport, sport) = (40_000, 443);
    let mut payload = vec![0u8; 1448];
    payload.iter_mut().for_each(|b| *b = rng.next() as u8);
    payload[..5].copy_from_slice(&[0x17, 0x03, 0x03, 0x05, 0xa3]); // looks like TLS application data
    let (mut cseq, mut sseq) = (1000u32, 5000u32);
    let mut frames = vec![tcp_frame(client, cport, server, sport, cseq, 0, TCP_SYN, &[])];
    frames.push(tcp_frame(server, sport, client, cport, sseq, cseq + 1, TCP_SYN | TCP_ACK, &[]));
    cseq += 1;
    sseq += 1;
    frames.push(tcp_frame(client, cport, server, sport, cseq, sseq, TCP_ACK, &[]));
    for i in 0..segments {
        frames.push(tcp_frame(server, sport, client, cport, sseq, cseq, TCP_ACK | TCP_PSH, &payload));
        sseq = sseq.wrapping_add(payload.len() as u32);
        if i % 2 == 1 {
            frames.push(tcp_frame(client, cport, server, sport, cseq, sseq, TCP_ACK, &[]));
        }
    }
    frames.push(tcp_frame(server, sport, client, cport, sseq, cseq, TCP_FIN | TCP_ACK, &[]));
    frames.push(tcp_frame(client, cport, server, sport, cseq, sseq + 1, TCP_FIN | TCP_ACK, &[]));
    let frames = frames.into_iter().enumerate().map(|(i, data)| Frame { ts_us: i as u64 * 120, data }).collect();
    Template::new(frames)
}

/// Background UDP: a DNS-sized query and its answer.
fn background_udp(rng: &mut Rng) -> Template {
    let (client, server) = ([172, 16, 0, 2], [10, 0, 0, 53]);
    let mut query = vec![0u8; 40];
    let mut answer = vec![0u8; 120];
    query.iter_mut().chain(answer.iter_mut()).for_each(|b| *b = rng.next() as u8);
    let frames = vec![
        Frame { ts_us: 0, data: udp_frame(client, 50_000, server, 53, &query) },
        Frame { ts_us: 400, data: udp_frame(server, 53, client, 50_000, &answer) },
    ];
    Template::new(frames)
}

struct Args {
    size_mb: u64,
    out: Option<PathBuf>,
}

fn args() -> Args {
    let mut args = Args { size_mb: 400, out: None };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--size-mb" => args.size_mb = it.next().and_then(|v| v.parse().ok()).expect("--size-mb N"),
            "--out" => args.out = it.next().map(PathBuf::from),
            "--bench" => {} // cargo passes it to every target it runs with `cargo bench`
            other => panic!("unknown argument {other}; usage: generate [--size-mb N] [--out FILE]"),
        }
    }
    args
}

fn main() -> std::io::Result<()> {
    let args = args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf();
    let target = args.size_mb << 20;
    let out = args.out.unwrap_or_else(|| root.join(format!("benches/data/mixed-{}m.pcap", args.size_mb)));
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);

    let bulk = load(&root.join("pcaps/smb"), |n| n == "smb-transfer-5mb.pcap");
    let mut smb = load(&root.join("pcaps/smb"), |n| n != "smb-transfer-5mb.pcap");
    smb.extend(load(&root.join("pcaps/dcerpc"), |_| true));
    let http = load(&root.join("pcaps/http"), |_| true);
    let background = [background_tcp(&mut rng, 200), background_udp(&mut rng)];
    assert!(!bulk.is_empty() && !smb.is_empty() && !http.is_empty(), "the project's captures are missing");

    // Shares of the bytes, and how many replays of each family that makes.
    let mean = |family: &[Template]| family.iter().map(|t| t.bytes).sum::<u64>() / family.len() as u64;
    let families: [(&[Template], f64); 5] =
        [(&bulk, 0.74), (&smb, 0.06), (&http, 0.06), (&background[..1], 0.12), (&background[1..], 0.02)];
    let mut templates = Vec::new();
    let mut plan = Vec::new();
    // Packet time the capture spans: 1.5 s per MB, so about 10 minutes for 400 MB.
    let span_us = args.size_mb * 1_500_000;
    for (family, share) in families {
        let first = templates.len();
        let replays = ((target as f64 * share) / mean(family) as f64).ceil() as u64;
        for i in 0..replays {
            plan.push((rng.below(span_us), first + (i as usize % family.len())));
        }
        templates.extend(family.iter().map(|t| Template { frames: t.frames.clone(), bytes: t.bytes }));
    }
    plan.sort();
    let clients: Vec<[u8; 4]> = templates.iter().map(first_source).collect();

    let mut writer = PcapWriter::new(BufWriter::with_capacity(1 << 20, File::create(&out)?), LINK_ETHERNET)?;
    let mut pending = plan
        .into_iter()
        .enumerate()
        .map(|(serial, (start_us, template))| Instance { template, start_us, serial: serial as u32, next: 0 })
        .peekable();
    // Active replays by the time of their next frame.
    let mut active: BinaryHeap<Reverse<(u64, u32)>> = BinaryHeap::new();
    let mut instances = std::collections::HashMap::new();
    let base_us = 1_700_000_000_000_000u64;
    let mut frame = Vec::new();
    loop {
        let next_active = active.peek().map(|Reverse((t, _))| *t);
        let next_start = pending.peek().map(|i| i.start_us);
        let serial = match (next_active, next_start) {
            (_, Some(start)) if next_active.is_none_or(|t| start < t) => {
                let instance = pending.next().expect("peeked");
                let serial = instance.serial;
                active.push(Reverse((start, serial)));
                instances.insert(serial, instance);
                continue;
            }
            (Some(_), _) => active.pop().map(|Reverse((_, s))| s).expect("peeked"),
            (None, _) => break,
        };
        let Some(instance) = instances.get_mut(&serial) else { continue };
        let template = &templates[instance.template];
        let source = &template.frames[instance.next];
        frame.clear();
        frame.extend_from_slice(&source.data);
        rewrite(&mut frame, clients[instance.template], serial);
        vary_ntlm_in_frame(&mut frame, serial);
        writer.write(base_us + instance.start_us + source.ts_us, &frame)?;
        instance.next += 1;
        match template.frames.get(instance.next) {
            Some(next) => active.push(Reverse((instance.start_us + next.ts_us, serial))),
            None => {
                instances.remove(&serial);
            }
        }
    }
    let (bytes, packets) = (writer.bytes, writer.packets);
    writer.into_inner().into_inner().map_err(|e| e.into_error())?.sync_all()?;
    println!("{}: {} packets, {:.1} MB, {} s of packet time", out.display(), packets, bytes as f64 / 1e6, span_us / 1_000_000);
    Ok(())
}
