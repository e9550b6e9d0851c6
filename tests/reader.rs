//! Capture files read as tshark reads them: a pcapng whose interfaces have different snapshot
//! lengths and link types (which libpcap refuses), from `pcaps/reader/make.sh`, with tshark's
//! counts in `pcaps/reader/expected.json`.

mod common;

use common::{project_expectations, project_pcap, read};

#[test]
fn pcapng_with_many_interfaces_and_snapshot_lengths() {
    let expected = &project_expectations("reader")["many-interfaces.pcapng"];
    assert!(expected["interfaces"].as_u64() > Some(40), "the capture should have many interfaces: {expected}");
    let run = read(&project_pcap("reader/many-interfaces.pcapng"));
    let stats = run.stats();
    assert_eq!(stats["packets"], expected["packets"], "tshark's packet count");
    assert_eq!(stats["bytes"], expected["bytes"], "tshark's bytes on the wire");
    assert_eq!(stats["decode_errors"], 0, "every link type decoded");
    // The captures it merges hold SMB and HTTP sessions: they are still seen.
    assert!(!run.of_type("smb").is_empty() && !run.of_type("http").is_empty(), "SMB and HTTP records");
}
