//! Throughput of hardwire on one large capture, in one run:
//!
//! (a) a bare libpcap read loop, the floor (and, for information, the same loop over the
//!     reader `hardwire read` uses for classic pcap files, sensor/src/capture.rs);
//! (b) decoding and flow tracking only (`hardwire_wire::Decoder` and a `FlowTable`);
//! (c) the full `hardwire read` path on one thread (engine, suppressor, JSON lines to a sink);
//! (d) the same with worker threads: the reader shards frames by a keyed symmetric flow hash
//!     (`hardwire_wire::shard_hash`) to one engine per worker, batches over bounded channels;
//! then the cost per packet of a SYN flood as it grows (100k against 1M half-open connections).
//!
//! Each stage prints Gbit/s, packets/s, its ratio to (a) and its peak RSS (VmHWM, reset before
//! each stage through /proc/self/clear_refs).
//!
//! ```text
//! cargo run --release -p hardwire-sensor --example generate     # once: benches/data/mixed-400m.pcap
//! cargo bench -p hardwire-sensor --bench throughput [-- FILE] [--workers N]
//! ```

#[path = "synth.rs"]
mod synth;

/// The input side of `hardwire read`, so (b), (c) and (d) read the capture as it does.
#[allow(dead_code)]
#[path = "../sensor/src/capture.rs"]
mod capture;

use std::hash::RandomState;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hardwire::{Config, Engine, Event, LinkType, Shared, Suppressor, Timestamp};
use hardwire_flow::{Endpoint, Flow, FlowKey, FlowTable};
use hardwire_sinks::JsonLines;
use hardwire_wire::{Decoder, DecoderLimits, Transport};

/// What one stage measured.
struct Measure {
    packets: u64,
    bytes: u64,
    elapsed: Duration,
    peak_rss_kb: u64,
    note: String,
}

impl Measure {
    fn gbps(&self) -> f64 {
        self.bytes as f64 * 8.0 / self.elapsed.as_secs_f64() / 1e9
    }

    fn pps(&self) -> f64 {
        self.packets as f64 / self.elapsed.as_secs_f64()
    }
}

/// Peak resident set of this process since the last reset, in kB.
fn peak_rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status.lines().find_map(|l| l.strip_prefix("VmHWM:")).and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok()).unwrap_or(0)
}

/// Resets VmHWM to the current RSS (Linux ≥ 4.0), so each stage reports its own peak.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Runs `body` on every packet of the capture through libpcap.
fn each_packet_libpcap(path: &Path, mut body: impl FnMut(&[u8])) -> (u64, u64) {
    let mut capture = pcap::Capture::from_file(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let (mut packets, mut bytes) = (0u64, 0u64);
    while let Ok(packet) = capture.next_packet() {
        packets += 1;
        bytes += u64::from(packet.header.len);
        body(packet.data);
    }
    (packets, bytes)
}

/// Runs `body` on every packet of the capture, read as `hardwire read` reads it.
fn each_packet(path: &Path, mut body: impl FnMut(Timestamp, LinkType, &[u8], usize)) -> (u64, u64) {
    let mut input = capture::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let (mut packets, mut bytes) = (0u64, 0u64);
    while let Ok(Some(frame)) = input.next_frame() {
        let link = LinkType::from_dlt(frame.dlt).expect("a link type hardwire decodes");
        packets += 1;
        bytes += u64::from(frame.wire_len);
        body(Timestamp::from_secs_micros(frame.ts_secs, frame.ts_micros), link, frame.data, frame.wire_len as usize);
    }
    (packets, bytes)
}

/// One byte per cache line is read so the data is really touched.
fn touch(frame: &[u8], checksum: &mut u8) {
    *checksum ^= frame.iter().step_by(64).fold(0, |a, b| a ^ b);
}

fn stage(note: impl FnOnce() -> String, run: impl FnOnce() -> (u64, u64)) -> Measure {
    reset_peak_rss();
    let start = Instant::now();
    let (packets, bytes) = run();
    let elapsed = start.elapsed();
    Measure { packets, bytes, elapsed, peak_rss_kb: peak_rss_kb(), note: note() }
}

/// (a) libpcap alone.
fn bare_read(path: &Path) -> Measure {
    let mut checksum = 0u8;
    let m = stage(String::new, || each_packet_libpcap(path, |frame| touch(frame, &mut checksum)));
    std::hint::black_box(checksum);
    m
}

/// (a') the file reader of `hardwire read` alone.
fn bare_file_read(path: &Path) -> Measure {
    let mut checksum = 0u8;
    let m = stage(String::new, || each_packet(path, |_, _, frame, _| touch(frame, &mut checksum)));
    std::hint::black_box(checksum);
    m
}

/// (b) decode and flow tracking: the engine's first two layers, no reassembly or protocols.
fn decode_and_flows(path: &Path, config: &Config) -> Measure {
    let mut decoder = Decoder::new(DecoderLimits::default());
    let mut flows: FlowTable<()> = FlowTable::new(config.limits.max_flows);
    let mut errors = 0u64;
    let m = stage(String::new, || {
        each_packet(path, |ts, link, frame, _| {
            let decoded = decoder.decode(ts.0, link, frame, |packet| {
                let (protocol, sport, dport) = match packet.transport {
                    Transport::Tcp(s) => (6, s.src_port, s.dst_port),
                    Transport::Udp { src_port, dst_port, .. } => (17, src_port, dst_port),
                    Transport::Other(_) => return,
                };
                let src = Endpoint { ip: packet.src, port: sport };
                let dst = Endpoint { ip: packet.dst, port: dport };
                let key = FlowKey::of(src, dst, protocol);
                if flows.get_mut(&key, ts.0).is_none() {
                    let flow = Flow { key, id: 0, client: src, server: dst, first_seen_us: ts.0, last_seen_us: ts.0, state: () };
                    flows.insert(flow);
                }
            });
            if decoded.is_err() {
                errors += 1;
            }
        })
    });
    Measure { note: format!("{} flows, {errors} decode errors", flows.created), ..m }
}

/// What the output stage of `hardwire read` does with events: suppression, then JSON lines.
struct Output {
    suppressor: Suppressor,
    sink: JsonLines<io::Sink>,
    lines: u64,
}

impl Output {
    fn new(config: &Config, shared: &Shared) -> Output {
        Output { suppressor: Suppressor::new(&config.suppression).within(shared), sink: JsonLines::new(io::sink()), lines: 0 }
    }

    fn write(&mut self, events: &mut Vec<Event>) {
        let Output { suppressor, sink, lines } = self;
        for event in events.drain(..) {
            suppressor.offer(event, &mut |e| {
                *lines += 1;
                sink.write_event(&e).expect("writing to a sink");
            });
        }
    }

    fn finish(&mut self, engine: &mut Engine) {
        let mut events = Vec::new();
        engine.finish(&mut events);
        self.write(&mut events);
        let Output { suppressor, sink, lines } = self;
        suppressor.flush(&mut |e| {
            *lines += 1;
            sink.write_event(&e).expect("writing to a sink");
        });
    }
}

/// (c) the full `hardwire read` path on one thread.
fn full_single(path: &Path, config: &Arc<Config>) -> Measure {
    let shared = Arc::new(Shared::new(config));
    let mut output = Output::new(config, &shared);
    let mut engine = Engine::new(config.clone(), shared);
    let mut events = Vec::new();
    let m = stage(String::new, || {
        let counts = each_packet(path, |ts, link, frame, wire_len| {
            engine.feed(ts, link, frame, wire_len, &mut events);
            if !events.is_empty() {
                output.write(&mut events);
            }
        });
        output.finish(&mut engine);
        counts
    });
    let stats = engine.stats();
    Measure { note: format!("{} lines, {} flows, {} evicted", output.lines, stats.flows, stats.flows_evicted), ..m }
}

/// Frames travel to the workers in batches: one buffer of bytes and the frames' places in it.
#[derive(Default)]
struct Batch {
    bytes: Vec<u8>,
    /// (timestamp, start, end, wire length)
    frames: Vec<(Timestamp, usize, usize, usize)>,
}

const BATCH_FRAMES: usize = 256;

/// (d) the reader shards by flow to `workers` engines, each on its own thread.
fn full_workers(path: &Path, config: &Arc<Config>, workers: usize) -> Measure {
    let shared = Arc::new(Shared::for_workers(config, workers));
    let key = RandomState::new();
    let mut lines_total = 0u64;
    let m = stage(String::new, || {
        let mut to_workers: Vec<SyncSender<Batch>> = Vec::new();
        let mut recycled: Vec<Receiver<Batch>> = Vec::new();
        let mut handles = Vec::new();
        for index in 0..workers {
            let (tx, rx) = sync_channel::<Batch>(16);
            let (back_tx, back_rx) = sync_channel::<Batch>(16);
            let mut engine = Engine::worker(config.clone(), shared.clone(), index as u64, workers as u64);
            let (config, shared) = (config.clone(), shared.clone());
            let link = capture::open(path).ok().and_then(|mut input| input.next_frame().ok().flatten().map(|frame| frame.dlt));
            let link = LinkType::from_dlt(link.expect("a first frame")).expect("link type");
            handles.push(std::thread::spawn(move || {
                let mut output = Output::new(&config, &shared);
                let mut events = Vec::new();
                for mut batch in rx {
                    for &(ts, start, end, wire_len) in &batch.frames {
                        engine.feed(ts, link, &batch.bytes[start..end], wire_len, &mut events);
                        if !events.is_empty() {
                            output.write(&mut events);
                        }
                    }
                    batch.bytes.clear();
                    batch.frames.clear();
                    let _ = back_tx.try_send(batch);
                }
                output.finish(&mut engine);
                output.lines
            }));
            to_workers.push(tx);
            recycled.push(back_rx);
        }
        let mut batches: Vec<Batch> = (0..workers).map(|_| Batch::default()).collect();
        let mut rr = 0usize;
        let counts = each_packet(path, |ts, link, frame, wire_len| {
            // Frames without a flow (fragments, non-IP) go round-robin, as in live mode.
            let worker = match hardwire_wire::shard_hash(&key, link, frame) {
                Some(hash) => (hash % workers as u64) as usize,
                None => {
                    rr = rr.wrapping_add(1);
                    rr % workers
                }
            };
            let batch = &mut batches[worker];
            let start = batch.bytes.len();
            batch.bytes.extend_from_slice(frame);
            batch.frames.push((ts, start, batch.bytes.len(), wire_len));
            if batch.frames.len() == BATCH_FRAMES {
                let fresh = recycled[worker].try_recv().unwrap_or_default();
                let full = std::mem::replace(batch, fresh);
                to_workers[worker].send(full).expect("worker alive");
            }
        });
        for (worker, batch) in batches.into_iter().enumerate() {
            to_workers[worker].send(batch).expect("worker alive");
        }
        drop(to_workers);
        lines_total = handles.into_iter().map(|h| h.join().expect("worker")).sum();
        counts
    });
    Measure { note: format!("{workers} workers + reader, {lines_total} lines"), ..m }
}

/// Cost per packet of a SYN flood of `count` distinct half-open connections, fed to one engine
/// straight from memory (the frame is rewritten in place, no capture file).
fn syn_flood_ns_per_packet(config: &Arc<Config>, count: u32) -> (f64, u64, u64) {
    let mut engine = Engine::new(config.clone(), Arc::new(Shared::new(config)));
    let mut frame = synth::tcp_frame([10, 0, 0, 1], 1024, [10, 250, 0, 1], 445, 1, 0, synth::TCP_SYN, &[]);
    let mut events = Vec::new();
    let start = Instant::now();
    for i in 0..count {
        // a distinct client address and port per SYN: 10.x.y.z:port
        frame[26..30].copy_from_slice(&[10, (i >> 24) as u8 | 0x40, (i >> 16) as u8, (i >> 8) as u8]);
        frame[34..36].copy_from_slice(&(1024 + (i & 0xff) as u16).to_be_bytes());
        engine.feed(Timestamp(1_700_000_000_000_000 + u64::from(i) * 10), LinkType::Ethernet, &frame, frame.len(), &mut events);
        events.clear();
    }
    let ns = start.elapsed().as_nanos() as f64 / f64::from(count);
    let stats = engine.stats();
    (ns, stats.flows_active, stats.flows_evicted)
}

/// The adversarial inputs of issue 14, each a list of frames in memory, fed through the full
/// path (engine, suppressor, JSON lines) like (c).
fn adversarial_inputs() -> Vec<(&'static str, Vec<Vec<u8>>)> {
    let (inside, server) = ([10, 1, 0, 5], [10, 250, 0, 1]);
    // 300,000 SYNs to distinct outside addresses on 445: an alert and a window each
    let outbound = (0..300_000u32)
        .map(|i| {
            synth::tcp_frame(
                inside,
                1024 + (i % 50_000) as u16,
                [100, 64 | (i >> 16) as u8, (i >> 8) as u8, i as u8],
                445,
                i,
                0,
                synth::TCP_SYN,
                &[],
            )
        })
        .collect();
    // ten flows to 1433, each one 65 KB segment of AUTHENTICATE headers, as IPv4 fragments
    let amplification = synth::ntlm_amplification(inside, server, 10);
    // one flow to 445 whose 64 KB arrive as one-byte segments, last byte first
    let mut one_byte = vec![synth::tcp_frame(inside, 50_000, server, 445, 0, 0, synth::TCP_SYN, &[])];
    one_byte.extend((1..=65_536u32).rev().map(|seq| synth::tcp_frame(inside, 50_000, server, 445, seq, 1, synth::TCP_ACK, b"x")));
    vec![
        ("SYN flood to outside addresses (300,000)", outbound),
        ("NTLMSSP amplification (10 x 65 KB, fragments)", amplification),
        ("one-byte segments, reversed (65,536)", one_byte),
    ]
}

/// (e) ns per packet of each adversarial input through the full path, and the NTLMSSP messages
/// the fallback scanner parsed.
fn adversarial_ns_per_packet(config: &Arc<Config>, frames: &[Vec<u8>]) -> (f64, u64) {
    let shared = Arc::new(Shared::new(config));
    let mut output = Output::new(config, &shared);
    let mut engine = Engine::new(config.clone(), shared);
    let mut events = Vec::new();
    let start = Instant::now();
    for (i, frame) in frames.iter().enumerate() {
        engine.feed(Timestamp(1_700_000_000_000_000 + i as u64 * 10), LinkType::Ethernet, frame, frame.len(), &mut events);
        if !events.is_empty() {
            output.write(&mut events);
        }
    }
    output.finish(&mut engine);
    (start.elapsed().as_nanos() as f64 / frames.len() as f64, engine.stats().ntlm_scan_parsed)
}

fn print_machine() {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo.lines().find_map(|l| l.strip_prefix("model name")).map(|v| v.trim_start_matches([' ', '\t', ':'])).unwrap_or("?");
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem = meminfo.lines().find_map(|l| l.strip_prefix("MemTotal:")).map(str::trim).unwrap_or("?");
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("machine: {cpus} CPUs, {model}, {mem} memory");
}

fn main() {
    let mut file: Option<PathBuf> = None;
    let mut workers = std::thread::available_parallelism().map_or(2, |n| n.get()).max(2);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--bench" => {}
            "--workers" => workers = args.next().and_then(|v| v.parse().ok()).expect("--workers N"),
            other => file = Some(PathBuf::from(other)),
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf();
    let path = file.unwrap_or_else(|| root.join("benches/data/mixed-400m.pcap"));
    if !path.exists() {
        eprintln!("{} is missing: run `cargo run --release -p hardwire-sensor --example generate` first", path.display());
        std::process::exit(2);
    }
    let config = Arc::new(Config::default());
    print_machine();
    let size = std::fs::metadata(&path).map_or(0, |m| m.len());
    println!("capture: {} ({:.0} MB)", path.display(), size as f64 / 1e6);
    // Warm the page cache so (a) does not pay for the disk.
    each_packet(&path, |_, _, _, _| {});

    let stages = [
        ("(a) libpcap read loop", bare_read(&path)),
        ("(a') file reader loop", bare_file_read(&path)),
        ("(b) decode + flow tracking", decode_and_flows(&path, &config)),
        ("(c) full, single thread", full_single(&path, &config)),
        ("(d) full, worker threads", full_workers(&path, &config, workers)),
    ];
    let floor = stages[0].1.pps();
    println!();
    println!("| stage | Gbit/s | packets/s | ratio to (a) | peak RSS | notes |");
    println!("|---|---:|---:|---:|---:|---|");
    for (name, m) in &stages {
        println!(
            "| {name} | {:.2} | {:.0} | {:.2} | {:.1} MB | {} packets in {:.2} s; {} |",
            m.gbps(),
            m.pps(),
            m.pps() / floor,
            m.peak_rss_kb as f64 / 1024.0,
            m.packets,
            m.elapsed.as_secs_f64(),
            m.note
        );
    }
    println!();
    println!("SYN flood, one engine, default limits (max_flows {}):", config.limits.max_flows);
    println!("| half-open connections | ns/packet | flows held | evicted |");
    println!("|---:|---:|---:|---:|");
    for count in [100_000, 1_000_000] {
        let (ns, held, evicted) = syn_flood_ns_per_packet(&config, count);
        println!("| {count} | {ns:.0} | {held} | {evicted} |");
    }
    let normal = stages[3].1.elapsed.as_nanos() as f64 / stages[3].1.packets.max(1) as f64;
    println!();
    println!("(e) adversarial inputs beside the normal mix, full path on one thread like (c):");
    println!("| input | packets | ns/packet | ratio to the mix's | NTLMSSP messages parsed |");
    println!("|---|---:|---:|---:|---:|");
    println!("| the normal mix, (c) | {} | {normal:.0} | 1.00 | |", stages[3].1.packets);
    for (name, frames) in adversarial_inputs() {
        let (ns, parsed) = adversarial_ns_per_packet(&config, &frames);
        println!("| {name} | {} | {ns:.0} | {:.2} | {parsed} |", frames.len(), ns / normal);
    }
}
