//! Attacks on the sensor's TCP layer (Ptacek and Newsham's insertion and evasion): each capture
//! of `pcaps/evasion/` is `pcaps/dcerpc/psexec-svcctl.pcap` with the attacker's forged packets
//! added by `pcaps/evasion/make.py`. What must still be reported is what the clean capture
//! shows (tshark on it: frame 31 is the svcctl RCreateServiceW request, opnum 12, creating
//! HwSvc with `%COMSPEC% /c whoami`; frame 27 OpenSCManagerW, opnum 15; one TCP connection);
//! what the forged packets claim (opnum 2, another ISN, a reset...) must not be.

mod common;

use common::{project_pcap, read, Run};
use serde_json::Value;

/// The svcctl call the clean capture makes (tshark: `dcerpc.opnum == 12`, "CreateServiceW").
const CREATE_SERVICE_OPNUM: u64 = 12;
/// The opnum the decoy copies claim (make.py's DECOY_OPNUM).
const DECOY_OPNUM: u64 = 2;

fn run(name: &str) -> Run {
    read(&project_pcap(&format!("evasion/{name}")))
}

fn tcp_stat(run: &Run, counter: &str) -> u64 {
    run.stats()["tcp"][counter].as_u64().unwrap_or_else(|| panic!("stats.tcp.{counter} missing: {}", run.stats()))
}

fn remote_service_alerts(run: &Run) -> Vec<&Value> {
    run.of_type("alert").into_iter().filter(|a| a["alert"]["rule"] == "dcerpc.remote_service").collect()
}

/// The clean capture's findings: `dcerpc.remote_service` on RCreateServiceW of HwSvc, and no
/// record of the decoy's opnum.
fn assert_service_creation_seen(run: &Run, flows: u64) {
    let alerts = remote_service_alerts(run);
    assert!(!alerts.is_empty(), "dcerpc.remote_service did not fire: {:#?}", run.records);
    for alert in &alerts {
        let rpc = &alert["dcerpc"];
        assert_eq!(rpc["opnum"], CREATE_SERVICE_OPNUM, "{alert}");
        assert_eq!(rpc["operation"], "RCreateServiceW", "{alert}");
        assert_eq!(rpc["service_name"], "HwSvc", "{alert}");
        assert_eq!(rpc["command"], "%COMSPEC% /c whoami", "{alert}");
    }
    let opnums = run.values("dcerpc.opnum");
    assert!(!opnums.contains(&Value::from(DECOY_OPNUM)), "the decoy's opnum was reported: {opnums:?}");
    assert_eq!(run.stats()["flows"], flows, "{}", run.stats());
}

fn overlap_conflicts(run: &Run) -> Vec<&Value> {
    run.of_type("alert").into_iter().filter(|a| a["alert"]["rule"] == "stream.overlap.conflict").collect()
}

#[test]
fn a_forged_ack_ahead_of_the_data_makes_no_gap() {
    let run = run("forged-ack.pcap");
    assert_service_creation_seen(&run, 1);
    assert_eq!(tcp_stat(&run, "invalid_ack"), 1);
    assert_eq!(run.stats()["reassembly_gaps"], 0);
}

#[test]
fn a_decoy_syn_with_another_isn_does_not_fix_the_stream() {
    let run = run("decoy-syn.pcap");
    assert_service_creation_seen(&run, 1);
    assert_eq!(tcp_stat(&run, "out_of_window"), 0);
}

#[test]
fn an_rst_outside_the_window_does_not_end_the_connection() {
    let run = run("rst-out-of-window.pcap");
    // One connection: the RST did not close it and make the rest a second, mid-stream flow.
    assert_service_creation_seen(&run, 1);
    assert_eq!(tcp_stat(&run, "out_of_window"), 1);
}

#[test]
fn fins_outside_the_window_do_not_end_the_connection() {
    let run = run("fin-out-of-window.pcap");
    assert_service_creation_seen(&run, 1);
    assert_eq!(tcp_stat(&run, "out_of_window"), 2);
}

#[test]
fn a_ttl_limited_decoy_copy_is_not_used() {
    let run = run("ttl-decoy.pcap");
    assert_service_creation_seen(&run, 1);
    assert_eq!(tcp_stat(&run, "ttl_changed"), 1);
    assert!(overlap_conflicts(&run).is_empty(), "the decoy was not used, so nothing conflicts");
}

#[test]
fn a_decoy_copy_with_a_wrong_checksum_loses_to_the_right_one() {
    let run = run("bad-checksum.pcap");
    assert_service_creation_seen(&run, 1);
    assert_eq!(tcp_stat(&run, "bad_checksum"), 1);
    assert_eq!(overlap_conflicts(&run).len(), 1);
}

/// The base capture's checksums are all "wrong" (filled in by the card after capture): the
/// auto mode takes both sides as offloaded and uses everything.
#[test]
fn checksum_offload_is_recognised() {
    let run = read(&project_pcap("dcerpc/psexec-svcctl.pcap"));
    assert_service_creation_seen(&run, 1);
    assert_eq!(tcp_stat(&run, "bad_checksum"), 0);
    // Both sides are judged on their first four segments without data; from then on every
    // segment of theirs is taken as offloaded.
    assert!(tcp_stat(&run, "checksum_offloaded") > 10, "{}", run.stats());
}

#[test]
fn a_second_copy_with_other_bytes_raises_an_overlap_conflict_and_the_first_is_kept() {
    let run = run("overlap-conflict.pcap");
    assert_service_creation_seen(&run, 1);
    let conflicts = overlap_conflicts(&run);
    assert_eq!(conflicts.len(), 1, "{conflicts:#?}");
    let tcp = &conflicts[0]["tcp"];
    assert_eq!(tcp["direction"], "to_server");
    // Only the two opnum bytes differ, and the opnum 12 = 0x000c against 2 = 0x0002: one byte.
    assert_eq!(tcp["differing_bytes"], 1, "{tcp}");
    assert_eq!(tcp["kept"], "first");
    // The request's SMB2 WRITE is 308 bytes (tshark: tcp.len of frame 31), all overlapped.
    assert_eq!(tcp["overlap_bytes"], 308, "{tcp}");
    // Frame 31 starts 1639 bytes into the client's stream (tshark: relative seq 1640).
    assert_eq!(tcp["offset"], 1639, "{tcp}");
    assert_eq!(conflicts[0]["src_ip"], "10.77.0.20");
    assert_eq!(tcp_stat(&run, "overlap_conflicts"), 1);
}

#[test]
fn a_new_isn_on_the_same_ports_after_the_end_is_a_new_connection() {
    let run = run("port-reuse.pcap");
    // Two connections, each creating the service: both requests are seen, in two flows.
    let flows: std::collections::BTreeSet<u64> = run
        .of_type("dcerpc")
        .iter()
        .filter(|r| r["dcerpc"]["opnum"] == CREATE_SERVICE_OPNUM)
        .filter_map(|r| r["flow_id"].as_u64())
        .collect();
    assert_eq!(flows.len(), 2, "{:#?}", run.of_type("dcerpc"));
    assert_service_creation_seen(&run, 2);
}

#[test]
fn one_direction_only_is_delivered_without_acknowledgements() {
    let run = run("one-sided.pcap");
    // The client's calls, in order (tshark on the client's frames: 27 OpenSCManagerW, 31
    // CreateServiceW). Without the server's bind_ack the interface is not confirmed, so no
    // operation name and no remote_service alert: the app needs the answer for that.
    let opnums: Vec<Value> = run.of_type("dcerpc").iter().map(|r| r["dcerpc"]["opnum"].clone()).filter(|o| !o.is_null()).collect();
    assert_eq!(opnums, vec![Value::from(15), Value::from(CREATE_SERVICE_OPNUM)], "{:#?}", run.of_type("dcerpc"));
    let users = run.values("ntlm.user");
    assert!(!users.is_empty() && users.iter().all(|u| u == "hwadmin"), "{users:?}");
    assert_eq!(run.stats()["reassembly_gaps"], 0);
}

/// 20,000 one-byte segments ahead in the window, never acknowledged, then the request cut into
/// one-byte segments in reverse order: the request is still read, and what the flood held was
/// shed (furthest first) to stay under the per-direction cap. The work done per segment is
/// bounded in `hardwire_flow::reassembly`'s `one_byte_segments_cost_linear_work`, which counts
/// steps rather than time.
#[test]
fn a_one_byte_flood_is_shed_and_the_request_still_read() {
    let run = run("one-byte-flood.pcap");
    assert_service_creation_seen(&run, 1);
    // The cap (256 KiB) holds 256 Ki / (1 + 64) pieces: 4,033. The rest of the 20,308 is shed.
    let shed = tcp_stat(&run, "segments_shed");
    assert!((16_000..=20_000).contains(&shed), "{}", run.stats());
}

/// The request cut into IPv4 fragments of 64 bytes, last fragment first (tshark on the
/// capture: six fragments of ID 0x4857, reassembled into the CreateServiceW request): the
/// datagram is put back together and read as the clean capture's. Live, with the flow spread
/// over several workers, `tests/live.rs` replays the same capture.
#[test]
fn a_request_in_ip_fragments_is_reassembled() {
    let run = run("fragmented.pcap");
    assert_service_creation_seen(&run, 1);
    assert_eq!(run.stats()["fragments_dropped"], 0, "{}", run.stats());
    assert_eq!(run.stats()["reassembly_gaps"], 0, "{}", run.stats());
}
