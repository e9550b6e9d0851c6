//! Damaged captures: cut at many offsets, bytes flipped, absurd record lengths, a broken pcapng
//! block, an empty file, a text file. Each is made at test time in a scratch folder from a real
//! capture and read by the real binary in a child process with a bounded wait (a hang bound, not
//! a timing assertion).
//!
//! Required of every run: no panic, no hang, exit 0 or a non-zero exit with ONE stderr line
//! naming the file, every stdout line JSON and the `stats` line last; after a cut inside a
//! record, the records read before it are still counted.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use common::{project_pcap, shared_pcap};

/// Beyond this a run is a hang.
const HANG_BOUND: Duration = Duration::from_secs(60);

/// A scratch folder of this test, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("hardwire-damage-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("creating a scratch folder");
        Scratch(dir)
    }

    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, bytes).expect("writing a damaged capture");
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// How one bounded run ended.
struct Outcome {
    exit: Option<i32>,
    records: Vec<Value>,
    stderr: String,
}

/// Runs `hardwire read path`, output to files (no pipe to fill), killed beyond the hang bound.
/// Returns the outcome, or the one problem that makes the rest moot.
fn run_bounded(path: &Path) -> Result<Outcome, String> {
    let out_path = path.with_extension("stdout");
    let err_path = path.with_extension("stderr");
    let create = |p: &Path| std::fs::File::create(p).map_err(|e| format!("{}: {e}", p.display()));
    let mut child = Command::new(env!("CARGO_BIN_EXE_hardwire"))
        .arg("read")
        .arg(path)
        .stdin(Stdio::null())
        .stdout(create(&out_path)?)
        .stderr(create(&err_path)?)
        .spawn()
        .map_err(|e| format!("cannot run hardwire: {e}"))?;
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() > HANG_BOUND => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("hang: still running after {HANG_BOUND:?}"));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(2)),
            Err(e) => return Err(format!("waiting for hardwire: {e}")),
        }
    };
    let stdout = std::fs::read_to_string(&out_path).unwrap_or_default();
    let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
    let _ = std::fs::remove_file(&out_path);
    let _ = std::fs::remove_file(&err_path);
    let mut records = Vec::new();
    for line in stdout.lines() {
        records.push(serde_json::from_str(line).map_err(|e| format!("stdout line is not JSON ({e}): {line:.120}"))?);
    }
    Ok(Outcome { exit: status.code(), records, stderr })
}

/// Everything wrong with reading `path` (empty when it behaves): see the file's doc.
fn problems(path: &Path) -> Result<Outcome, String> {
    let outcome = run_bounded(path)?;
    let name = path.display().to_string();
    if outcome.stderr.contains("panicked") || outcome.stderr.contains("RUST_BACKTRACE") {
        return Err(format!("panic: {}", outcome.stderr.trim()));
    }
    match outcome.exit {
        None => return Err(format!("killed by a signal; stderr: {}", outcome.stderr.trim())),
        Some(0) => {}
        Some(code) => {
            let lines: Vec<&str> = outcome.stderr.lines().collect();
            if lines.len() != 1 || !lines[0].contains(&name) {
                return Err(format!("exit {code} wants one stderr line naming {name}, got: {:?}", outcome.stderr));
            }
        }
    }
    match outcome.records.last() {
        Some(last) if last["event_type"] == "stats" => {}
        _ => return Err("the stats line is not last".to_string()),
    }
    Ok(outcome)
}

/// What a damaged variant must report beyond a clean outcome.
#[derive(Clone, Copy)]
enum Expect {
    Nothing,
    /// `stats.packets` counts at least these records, read before the damage.
    AtLeast(u64),
}

impl Expect {
    fn check(self, outcome: &Outcome) -> Result<(), String> {
        let Expect::AtLeast(packets) = self else { return Ok(()) };
        let counted = outcome.records.last().and_then(|s| s["stats"]["packets"].as_u64()).unwrap_or(0);
        if counted < packets {
            return Err(format!("stats.packets {counted}, but {packets} complete records precede the damage"));
        }
        Ok(())
    }
}

/// Runs every damaged variant and fails once, listing every variant that misbehaved.
fn require_clean(label: &str, variants: Vec<(PathBuf, Expect)>) {
    let total = variants.len();
    let failures: Vec<String> = std::thread::scope(|scope| {
        let workers = 2;
        let chunk = variants.len().div_ceil(workers).max(1);
        let handles: Vec<_> = variants
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .filter_map(|(path, check)| {
                            let verdict = problems(path).and_then(|outcome| check.check(&outcome));
                            verdict.err().map(|why| format!("{}: {why}", path.display()))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("a damage worker panicked")).collect()
    });
    assert!(failures.is_empty(), "{label}: {} of {total} damaged captures misbehave:\n{}", failures.len(), failures.join("\n"));
}

/// The record boundaries of a classic pcap file: offset of each record header.
fn pcap_records(bytes: &[u8]) -> Vec<usize> {
    let little = bytes.get(..4) == Some(&[0xd4, 0xc3, 0xb2, 0xa1][..]) || bytes.get(..4) == Some(&[0x4d, 0x3c, 0xb2, 0xa1][..]);
    let u32_at = |at: usize| {
        let b: [u8; 4] = bytes.get(at..at + 4)?.try_into().ok()?;
        Some(if little { u32::from_le_bytes(b) } else { u32::from_be_bytes(b) })
    };
    let mut offsets = Vec::new();
    let mut at = 24;
    while let Some(caplen) = u32_at(at + 8) {
        offsets.push(at);
        at += 16 + caplen as usize;
    }
    offsets
}

/// The inputs: classic pcaps of ours (Ethernet, SLL2) and a pcapng of the corpus.
fn inputs() -> Vec<(String, Vec<u8>)> {
    let mut paths =
        vec![project_pcap("smb/smb1-impacket.pcap"), project_pcap("core/any-sll2.pcap"), project_pcap("core/http-fragments.pcap")];
    paths.extend(shared_pcap("zeek/Traces/dce-rpc/dce_rpc_ntlm.pcapng"));
    paths.extend(shared_pcap("arkime/smbtorture-ntlmssp.pcap"));
    paths
        .into_iter()
        .map(|p| (p.file_name().expect("a file name").to_string_lossy().into_owned(), std::fs::read(&p).expect("reading a capture")))
        .collect()
}

#[test]
fn truncation_at_many_offsets() {
    let scratch = Scratch::new("truncate");
    let mut variants = Vec::new();
    for (name, bytes) in inputs() {
        let records = pcap_records(&bytes);
        // Every 97th byte, every byte of the global header, every byte of the first record header.
        let mut cuts: Vec<usize> = (0..bytes.len()).step_by(97).chain(0..24).chain(24..40).collect();
        cuts.sort_unstable();
        cuts.dedup();
        for cut in cuts.into_iter().filter(|&c| c < bytes.len()) {
            let path = scratch.write(&format!("{name}.cut{cut}"), &bytes[..cut]);
            // Records that end before the cut (classic pcap only) are still reported.
            let complete = records.windows(2).filter(|w| w[1] <= cut).count() as u64;
            variants.push((path, if records.is_empty() { Expect::Nothing } else { Expect::AtLeast(complete) }));
        }
    }
    require_clean("truncation", variants);
}

/// xorshift64: a fixed-seed generator, so a failure names a variant that can be made again.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn flipped_bytes_at_random_positions() {
    let scratch = Scratch::new("flip");
    let mut rng = XorShift(0x6861_7264_7769_7265); // "hardwire"
    let mut variants = Vec::new();
    for (name, bytes) in inputs() {
        for variant in 0..120 {
            let mut damaged = bytes.clone();
            for _ in 0..=rng.below(8) {
                let at = rng.below(damaged.len());
                damaged[at] ^= 1 << rng.below(8);
            }
            variants.push((scratch.write(&format!("{name}.flip{variant}"), &damaged), Expect::Nothing));
        }
        // Payload-only damage keeps the file readable: whole random bytes past the headers.
        for variant in 0..40 {
            let mut damaged = bytes.clone();
            for _ in 0..16 {
                let at = 40 + rng.below(damaged.len() - 40);
                damaged[at] = rng.next() as u8;
            }
            variants.push((scratch.write(&format!("{name}.bytes{variant}"), &damaged), Expect::Nothing));
        }
    }
    require_clean("flipped bytes", variants);
}

#[test]
fn absurd_lengths_in_a_pcap_record_header() {
    let scratch = Scratch::new("lengths");
    let mut variants = Vec::new();
    for (name, bytes) in inputs() {
        let records = pcap_records(&bytes);
        if records.len() < 4 {
            continue; // pcapng: see the block test
        }
        let little = bytes[..4] == [0xd4, 0xc3, 0xb2, 0xa1];
        let put = |buf: &mut Vec<u8>, at: usize, value: u32| {
            let b = if little { value.to_le_bytes() } else { value.to_be_bytes() };
            buf[at..at + 4].copy_from_slice(&b);
        };
        let get = |at: usize| {
            let b: [u8; 4] = bytes[at..at + 4].try_into().expect("4 bytes");
            if little {
                u32::from_le_bytes(b)
            } else {
                u32::from_be_bytes(b)
            }
        };
        let snaplen = get(16);
        // Damage the third record: the two before it must still be counted.
        let header = records[2];
        let caplen = get(header + 8);
        let cases: [(&str, usize, u32); 6] = [
            ("caplen-ffffffff", 8, u32::MAX),
            ("caplen-over-snaplen", 8, snaplen.saturating_add(1)),
            ("caplen-huge", 8, 0x7fff_ffff),
            ("caplen-zero", 8, 0),
            ("len-below-caplen", 12, caplen.saturating_sub(1)),
            ("len-zero", 12, 0),
        ];
        for (case, field, value) in cases {
            let mut damaged = bytes.clone();
            put(&mut damaged, header + field, value);
            variants.push((scratch.write(&format!("{name}.{case}"), &damaged), Expect::AtLeast(2)));
        }
        let mut damaged = bytes.clone();
        put(&mut damaged, 16, 0);
        variants.push((scratch.write(&format!("{name}.snaplen-zero"), &damaged), Expect::Nothing));
    }
    require_clean("absurd lengths", variants);
}

#[test]
fn a_pcapng_with_a_broken_block_length() {
    let Some(path) = shared_pcap("zeek/Traces/dce-rpc/dce_rpc_ntlm.pcapng") else { return };
    let bytes = std::fs::read(&path).expect("reading the capture");
    // Block boundaries: type (4), total length (4), ..., total length again (4).
    let mut blocks = Vec::new();
    let mut at = 0;
    while let Some(len) = bytes.get(at + 4..at + 8).map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")) as usize) {
        if len < 12 {
            break;
        }
        blocks.push(at);
        at += len;
    }
    assert!(blocks.len() > 4, "expected a section header, an interface and packets");
    let scratch = Scratch::new("pcapng");
    let mut variants = Vec::new();
    for (index, &block) in blocks.iter().enumerate().take(6) {
        for (case, value) in [("zero", 0u32), ("eleven", 11), ("odd", 13), ("huge", 0xffff_fff0), ("max", u32::MAX)] {
            let mut damaged = bytes.clone();
            damaged[block + 4..block + 8].copy_from_slice(&value.to_le_bytes());
            variants.push((scratch.write(&format!("block{index}-{case}.pcapng"), &damaged), Expect::Nothing));
        }
        // The trailing copy of the length disagrees with the leading one.
        let len = u32::from_le_bytes(bytes[block + 4..block + 8].try_into().expect("4 bytes")) as usize;
        let mut damaged = bytes.clone();
        damaged[block + len - 4] ^= 0x40;
        variants.push((scratch.write(&format!("block{index}-trailer.pcapng"), &damaged), Expect::Nothing));
    }
    require_clean("pcapng block lengths", variants);
}

/// Files that are no capture at all: a clean refusal, with the reason.
#[test]
fn an_empty_file_and_a_text_file_are_refused_with_one_line() {
    let scratch = Scratch::new("notcapture");
    let cases = [("empty.pcap", &b""[..]), ("notes.txt", &b"this is not a capture\nat all\n"[..]), ("short.pcap", &[0xd4, 0xc3, 0xb2][..])];
    for (name, bytes) in cases {
        let path = scratch.write(name, bytes);
        let outcome = problems(&path).unwrap_or_else(|why| panic!("{name}: {why}"));
        assert_ne!(outcome.exit, Some(0), "{name} was accepted");
        assert_eq!(outcome.records.last().expect("stats")["stats"]["packets"], 0, "{name}");
    }
}
