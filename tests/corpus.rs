//! Replays captures through the real `hardwire` binary: every capture of the public corpus
//! (`../shared/pcaps`, every capture file there) reads clean with tshark's packet count, and the inputs and
//! link layers the CLI promises (several files, stdin, gzip, `tcpdump -i any`, VLAN and QinQ,
//! ERSPAN, IPv6, IPv4 fragments) are decoded to the addresses inside.
//!
//! Expected values come from tshark: `../shared/pcaps/tshark-facts.jsonl` for the corpus,
//! `pcaps/core/expected.json` (written by `pcaps/core/make.sh`) for our own captures.

mod common;

use std::collections::BTreeSet;
use std::io::Write;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

use common::{project_expectations, project_pcap, read, read_with, shared_dir, shared_pcap};

/// One corpus entry of `tshark-facts.jsonl`: the capture and tshark's frame count.
struct Fact {
    path: String,
    packets: u64,
}

fn corpus_facts(shared: &Path) -> Vec<Fact> {
    let facts = shared.join("pcaps/tshark-facts.jsonl");
    let text = std::fs::read_to_string(&facts).unwrap_or_else(|e| panic!("{}: {e}", facts.display()));
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let fact: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{}: {e}: {line}", facts.display()));
            Fact {
                path: fact["path"].as_str().expect("a path in every fact").to_string(),
                packets: fact["packets"].as_u64().expect("a packet count in every fact"),
            }
        })
        .collect()
}

/// Everything wrong with one `hardwire read` of `pcap` (empty when it reads clean).
fn problems_reading(pcap: &Path, expected_packets: u64) -> Vec<String> {
    let output = match Command::new(env!("CARGO_BIN_EXE_hardwire")).arg("read").arg(pcap).output() {
        Ok(output) => output,
        Err(e) => return vec![format!("cannot run hardwire: {e}")],
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    let mut problems = Vec::new();
    if !output.status.success() {
        problems.push(format!("exit {:?}: {}", output.status.code(), stderr.trim()));
    }
    if stderr.contains("panicked") {
        problems.push(format!("panic: {}", stderr.trim()));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut last = None;
    for (number, line) in stdout.lines().enumerate() {
        match serde_json::from_str::<Value>(line) {
            Ok(record) => last = Some(record),
            Err(e) => problems.push(format!("line {} is not JSON ({e}): {line:.120}", number + 1)),
        }
    }
    match last {
        Some(record) if record["event_type"] == "stats" => {
            let packets = record["stats"]["packets"].as_u64();
            if packets != Some(expected_packets) {
                problems.push(format!("stats.packets {packets:?}, tshark counts {expected_packets}"));
            }
        }
        Some(_) => problems.push("the last line is not the stats line".to_string()),
        None => problems.push("no output at all".to_string()),
    }
    problems
}

/// Corpus captures the sensor cannot read yet, each with the issue that makes it read them. A
/// capture leaves this list in the commit that makes it read clean (the test fails until then).
const KNOWN_FAILURES: &[(&str, u32)] = &[];

/// The capture files under `pcaps/`, relative to it.
fn capture_files(dir: &Path, root: &Path, found: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("a directory entry").path();
        let name = path.to_string_lossy();
        if path.is_dir() {
            capture_files(&path, root, found);
        } else if [".pcap", ".pcapng", ".cap", ".pcap.gz"].iter().any(|ext| name.ends_with(ext)) {
            found.insert(path.strip_prefix(root).expect("under the root").to_string_lossy().into_owned());
        }
    }
}

/// Every capture of the corpus, all of them checked before failing, so one run lists every
/// capture that needs work.
#[test]
fn every_corpus_capture_reads_clean_with_tsharks_packet_count() {
    let Some(shared) = shared_dir() else { return };
    let facts = corpus_facts(&shared);
    let mut on_disk = BTreeSet::new();
    capture_files(&shared.join("pcaps"), &shared.join("pcaps"), &mut on_disk);
    let listed: BTreeSet<String> = facts.iter().map(|fact| fact.path.clone()).collect();
    assert_eq!(listed, on_disk, "tshark-facts.jsonl should list every capture of the corpus");
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).min(4);
    let chunk = facts.len().div_ceil(workers);
    let outcomes: Vec<(String, Vec<String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = facts
            .chunks(chunk)
            .map(|part| {
                let shared = &shared;
                scope.spawn(move || {
                    part.iter()
                        .map(|fact| (fact.path.clone(), problems_reading(&shared.join("pcaps").join(&fact.path), fact.packets)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("a corpus worker panicked")).collect()
    });
    let mut failures = Vec::new();
    for (path, problems) in outcomes {
        match (KNOWN_FAILURES.iter().find(|(known, _)| *known == path), problems.is_empty()) {
            (Some((_, issue)), true) => failures.push(format!("{path}: reads clean now, take it off KNOWN_FAILURES (issue {issue})")),
            (None, false) => failures.push(format!("{path}: {}", problems.join("; "))),
            _ => {}
        }
    }
    assert!(failures.is_empty(), "{} of {} captures fail:\n{}", failures.len(), facts.len(), failures.join("\n"));
}

/// tshark's frame count for a corpus capture.
fn tshark_packets(relative: &str) -> u64 {
    let shared = shared_dir().expect("corpus present (checked by the caller)");
    corpus_facts(&shared)
        .into_iter()
        .find(|fact| fact.path == relative)
        .unwrap_or_else(|| panic!("{relative} is not in tshark-facts.jsonl"))
        .packets
}

#[test]
fn several_files_in_one_run_count_the_sum_of_their_packets() {
    let names = ["arkime/http-basicauth.pcap", "arkime/krb5-tcp.pcap", "zeek/Traces/erspan.pcap"];
    let Some(paths) = names.iter().map(|name| shared_pcap(name)).collect::<Option<Vec<PathBuf>>>() else { return };
    let refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    let run = read_with(&[], &refs);
    assert!(run.status.success(), "exit {:?}: {}", run.status, run.stderr);
    let sum: u64 = names.iter().map(|name| tshark_packets(name)).sum();
    assert_eq!(run.stats()["packets"], sum);
}

#[test]
fn a_dash_reads_the_capture_from_stdin() {
    let Some(pcap) = shared_pcap("arkime/smbtorture-ntlmssp.pcap") else { return };
    let mut child = Command::new(env!("CARGO_BIN_EXE_hardwire"))
        .args(["read", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("running hardwire");
    let bytes = std::fs::read(&pcap).expect("reading the capture");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || stdin.write_all(&bytes));
    let output = child.wait_with_output().expect("waiting for hardwire");
    writer.join().expect("writer thread").expect("writing stdin");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let from_file = read(&pcap);
    assert_eq!(String::from_utf8_lossy(&output.stdout), from_file.stdout, "stdin and file give different output");
    assert_eq!(from_file.stats()["packets"], tshark_packets("arkime/smbtorture-ntlmssp.pcap"));
}

/// A scratch folder of this test process, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("hardwire-corpus-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("creating a scratch folder");
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn a_gzip_copy_gives_the_same_output_as_the_plain_file() {
    let Some(pcap) = shared_pcap("suricata-verify/smb2-01/smb2-peter.pcap") else { return };
    let scratch = Scratch::new("gzip");
    let gz = scratch.0.join("smb2-peter.pcap.gz");
    let mut encoder = flate2::write::GzEncoder::new(std::fs::File::create(&gz).expect("creating .gz"), flate2::Compression::default());
    encoder.write_all(&std::fs::read(&pcap).expect("reading the capture")).expect("compressing");
    encoder.finish().expect("finishing the gzip stream");
    let plain = read(&pcap);
    let inflated = read(&gz);
    assert_eq!(inflated.stdout, plain.stdout);
    assert_eq!(plain.stats()["packets"], tshark_packets("suricata-verify/smb2-01/smb2-peter.pcap"));
}

/// What the wire layer itself makes of a capture: the (source, destination) addresses of every
/// decoded packet, and how many frames failed to decode.
fn decoded_addresses(pcap: &Path) -> (BTreeSet<(IpAddr, IpAddr)>, u64) {
    let mut capture = pcap::Capture::from_file(pcap).unwrap_or_else(|e| panic!("{}: {e}", pcap.display()));
    let link = hardwire_wire::LinkType::from_dlt(capture.get_datalink().0).expect("a link type hardwire knows");
    let mut decoder = hardwire_wire::Decoder::new(hardwire_wire::DecoderLimits::default());
    let mut addresses = BTreeSet::new();
    let mut errors = 0;
    while let Ok(packet) = capture.next_packet() {
        let now_us = packet.header.ts.tv_sec as u64 * 1_000_000 + packet.header.ts.tv_usec as u64;
        match decoder.decode(now_us, link, packet.data, |decoded| (decoded.src, decoded.dst)) {
            Ok(Some(pair)) => {
                addresses.insert(pair);
            }
            Ok(None) => {}
            Err(_) => errors += 1,
        }
    }
    (addresses, errors)
}

fn ip(text: &str) -> IpAddr {
    text.parse().expect("an address")
}

/// One of our captures against the counts `make.sh` stored from tshark; returns the run.
fn our_capture_matches_tshark(name: &str) -> common::Run {
    let expected = &project_expectations("core")[name];
    assert!(expected.is_object(), "pcaps/core/expected.json has no entry for {name}");
    let run = read(&project_pcap(&format!("core/{name}")));
    let stats = run.stats();
    assert_eq!(stats["packets"], expected["packets"], "{name}: packets");
    assert_eq!(stats["decode_errors"], 0, "{name}: decode errors");
    run
}

#[test]
fn tcpdump_any_captures_sll2_and_sll_are_read() {
    for name in ["any-sll2.pcap", "any-sll.pcap"] {
        let run = our_capture_matches_tshark(name);
        // Two curl connections to the loopback server (make.sh), each seen as one flow.
        assert_eq!(run.stats()["flows"], 2, "{name}: flows");
        let (addresses, errors) = decoded_addresses(&project_pcap(&format!("core/{name}")));
        assert_eq!(errors, 0, "{name}");
        assert_eq!(addresses, BTreeSet::from([(ip("127.0.0.1"), ip("127.0.0.1"))]), "{name}");
    }
}

/// The documentation addresses `pcaps/core/make.sh` gives the client and server.
fn make_sh_peers() -> BTreeSet<(IpAddr, IpAddr)> {
    let (server, client) = (ip("192.0.2.1"), ip("192.0.2.2"));
    BTreeSet::from([(client, server), (server, client)])
}

#[test]
fn vlan_and_qinq_frames_are_decoded_to_their_ip_packets() {
    for name in ["vlan.pcap", "qinq.pcap"] {
        let expected = &project_expectations("core")[name];
        assert_eq!(expected["vlan_frames"], expected["packets"], "{name}: every frame is tagged");
        let run = our_capture_matches_tshark(name);
        assert_eq!(run.stats()["flows"], 1, "{name}: the one HTTP connection");
        let (addresses, errors) = decoded_addresses(&project_pcap(&format!("core/{name}")));
        assert_eq!((addresses, errors), (make_sh_peers(), 0), "{name}");
    }
    assert!(project_expectations("core")["qinq.pcap"]["qinq_frames"].as_u64() > Some(0));
    // VLAN-tagged captures of the corpus (tshark -Y vlan), QinQ and MPLS among them.
    for name in [
        "arkime/krb5-tcp.pcap",
        "arkime/smb-smb1-ascii.pcap",
        "suricata-verify/filestore-filecontainer-smb/filecontainer-smb.pcap",
        "arkime/arkime_synthetic.pcap",
    ] {
        let Some(pcap) = shared_pcap(name) else { return };
        let run = read(&pcap);
        assert_eq!(run.stats()["decode_errors"], 0, "{name}");
        assert!(run.stats()["flows"].as_u64() > Some(0), "{name}: no flow seen");
        let (addresses, errors) = decoded_addresses(&pcap);
        assert_eq!(errors, 0, "{name}");
        assert!(!addresses.is_empty(), "{name}: nothing decoded");
    }
}

#[test]
fn ipv4_fragments_are_reassembled() {
    // Kernel-fragmented UDP: three datagrams, three fragments each; then fragroute-cut HTTP.
    for name in ["ipv4-fragments.pcap", "http-fragments.pcap"] {
        let expected = &project_expectations("core")[name];
        assert!(expected["fragments"].as_u64() > Some(0), "{name}: make.sh should have made fragments");
        let run = our_capture_matches_tshark(name);
        assert_eq!(run.stats()["flows"], 1, "{name}");
        assert_eq!(run.stats()["fragments_dropped"], 0, "{name}");
        let (addresses, errors) = decoded_addresses(&project_pcap(&format!("core/{name}")));
        assert_eq!(errors, 0, "{name}");
        assert!(addresses.is_subset(&make_sh_peers()) && !addresses.is_empty(), "{name}: {addresses:?}");
    }
}

/// zeek/Traces/erspan.pcap: a SharePoint browsing session (192.168.69.10 ⇄ 192.168.69.2)
/// mirrored by ERSPAN from 10.200.0.3 to 10.200.0.224, 55 of its outer packets fragmented.
#[test]
fn erspan_yields_the_mirrored_flows_with_their_inner_addresses() {
    let name = "zeek/Traces/erspan.pcap";
    let Some(pcap) = shared_pcap(name) else { return };
    let run = read(&pcap);
    let stats = run.stats();
    assert_eq!(stats["packets"], tshark_packets(name));
    assert_eq!(stats["decode_errors"], 0);
    assert_eq!(stats["fragments_dropped"], 0);
    assert!(stats["flows"].as_u64() > Some(1), "flows: {}", stats["flows"]);
    let (addresses, errors) = decoded_addresses(&pcap);
    assert_eq!(errors, 0);
    let (client, server) = (ip("192.168.69.10"), ip("192.168.69.2"));
    assert!(addresses.contains(&(client, server)) && addresses.contains(&(server, client)), "{addresses:?}");
    let mirror = [ip("10.200.0.3"), ip("10.200.0.224")];
    assert!(addresses.iter().all(|(s, d)| !mirror.contains(s) && !mirror.contains(d)), "the mirror's addresses leaked: {addresses:?}");
    // tshark: 11 HTTP requests, all from 192.168.69.10 to 192.168.69.2.
    let http = run.of_type("http");
    assert!(!http.is_empty(), "no http record from the mirrored SharePoint session");
    for record in http {
        assert_eq!((record["src_ip"].as_str(), record["dest_ip"].as_str()), (Some("192.168.69.10"), Some("192.168.69.2")));
    }
}

#[test]
fn ipv6_captures_are_decoded() {
    // tshark -Y ipv6: SMB2 over IPv6 (fe80::... link-local peers) and the arkime synthetic mix.
    for name in
        ["suricata-verify/smb2-01/smb2-peter.pcap", "suricata-verify/smb2-ntlmssp-negotiateflags/input.pcap", "arkime/ntlm_synthetic.pcap"]
    {
        let Some(pcap) = shared_pcap(name) else { return };
        let run = read(&pcap);
        assert_eq!(run.stats()["decode_errors"], 0, "{name}");
        let (addresses, errors) = decoded_addresses(&pcap);
        assert_eq!(errors, 0, "{name}");
        assert!(addresses.iter().any(|(s, d)| s.is_ipv6() && d.is_ipv6()), "{name}: no IPv6 packet decoded");
    }
}
