//! SMB, NTLM and Kerberos acceptance: our Samba captures (pcaps/smb/, facts from tshark in
//! pcaps/smb/expected.json, rule expectations from how each scenario was set up), and the SMB
//! facts Wireshark states for the public corpus (../shared/pcaps/tshark-facts.jsonl).

mod common;

use std::collections::BTreeSet;

use common::{project_expectations, project_pcap, read, read_with, shared_dir, shared_pcap, Run};
use serde_json::Value;

fn strings(value: &Value) -> Vec<String> {
    value.as_array().map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect()).unwrap_or_default()
}

fn smb2_name(hex: &str) -> Option<&'static str> {
    Some(match hex.to_ascii_lowercase().as_str() {
        "0x0202" => "2.0.2",
        "0x0210" => "2.1",
        "0x0300" => "3.0",
        "0x0302" => "3.0.2",
        "0x0311" => "3.1.1",
        _ => return None,
    })
}

fn has(run: &Run, path: &str, want: &Value) -> bool {
    run.values(path).contains(want)
}

/// Every capture of ours: the facts tshark states, and which rules must and must not fire.
#[test]
fn samba_captures_agree_with_tshark_and_their_scenarios() {
    let expected = project_expectations("smb");
    let mut failures = Vec::new();
    for capture in expected["captures"].as_array().expect("captures") {
        let file = capture["file"].as_str().expect("file");
        let run = read(&project_pcap(&format!("smb/{file}")));
        let mut fail = |what: String| failures.push(format!("{file}: {what}"));
        let fired: BTreeSet<String> = run.alert_rules().into_iter().collect();
        for rule in strings(&capture["must_fire"]) {
            if !fired.contains(&rule) {
                fail(format!("{rule} must fire (fired: {fired:?})"));
            }
        }
        for rule in strings(&capture["must_not_fire"]) {
            if fired.contains(&rule) {
                fail(format!("{rule} must not fire"));
            }
        }
        for conn in capture["tshark"]["connections"].as_array().into_iter().flatten() {
            for dialect in strings(&conn["smb1_dialects_offered"]) {
                if !has(&run, "smb.dialects_offered", &Value::from(dialect.clone())) {
                    fail(format!("SMB1 dialect {dialect:?} offered, not reported"));
                }
            }
            if let Some(dialect) = conn["smb1_dialect_negotiated"].as_str() {
                if !has(&run, "smb.dialect", &Value::from(dialect)) {
                    fail(format!("SMB1 dialect {dialect:?} negotiated, not reported"));
                }
            }
            for hex in strings(&conn["smb2_dialects_offered"]) {
                let name = smb2_name(&hex).map_or(hex.to_ascii_lowercase(), str::to_string);
                if !has(&run, "smb.dialects_offered", &Value::from(name.clone())) {
                    fail(format!("SMB2 dialect {name} offered, not reported"));
                }
            }
            for hex in strings(&conn["smb2_dialect_negotiated"]) {
                if let Some(name) = smb2_name(&hex) {
                    if !has(&run, "smb.dialect", &Value::from(name)) {
                        fail(format!("SMB2 dialect {name} negotiated, not reported"));
                    }
                }
            }
            for (theirs, ours) in
                [("server_signing_required", "smb.signing_required"), ("client_signing_required", "smb.client_signing_required")]
            {
                if let Some(flag) = conn[theirs].as_bool() {
                    if !has(&run, ours, &Value::from(flag)) {
                        fail(format!("{ours} should be {flag}"));
                    }
                }
            }
            for auth in conn["ntlm_auth"].as_array().into_iter().flatten() {
                // tshark's "none" (no NT response) with an empty user is SCHEMA.md's "anonymous".
                let version = match (auth["version"].as_str(), auth["user"].as_str()) {
                    (Some("none"), Some("")) => Value::from("anonymous"),
                    _ => auth["version"].clone(),
                };
                let found = run.records.iter().any(|r| {
                    let n = &r["ntlm"];
                    n["user"] == auth["user"] && n["domain"] == auth["domain"] && n["host"] == auth["host"] && n["version"] == version
                });
                if !found {
                    fail(format!("NTLM {} not reported as {}", auth["user"], auth["version"]));
                }
            }
            for tree in strings(&conn["trees"]) {
                if !has(&run, "smb.shares", &Value::from(tree.clone())) {
                    fail(format!("share {tree:?} not reported"));
                }
            }
            let encrypted = conn["transform_frames"].as_u64().unwrap_or(0) > 0 || conn["tree_encrypt_data"] == true;
            if encrypted && !has(&run, "smb.encrypted", &Value::from(true)) {
                fail("encrypted session not reported as encrypted".into());
            }
            let guest = conn["session_setups"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|s| s["smb2_session_flags_guest"] == true || s["smb1_action_guest"] == true);
            if guest && !has(&run, "smb.guest", &Value::from(true)) {
                fail("guest session not reported".into());
            }
        }
    }
    assert!(failures.is_empty(), "{} disagreements:\n{}", failures.len(), failures.join("\n"));
}

/// No NTLM response, hash or key leaves the sensor: nothing in the output looks like one.
#[test]
fn no_secret_material_in_smb_output() {
    for file in ["smb3-0311.pcap", "smb-ntlmv1.pcap", "smb1-only.pcap", "smb-null-session.pcap", "smb-kerberos.pcap"] {
        let run = read(&project_pcap(&format!("smb/{file}")));
        let found = common::secret_like_strings(&run);
        assert!(found.is_empty(), "{file}: {found:?}");
        assert!(!run.stdout.contains("Hardw1re-test"), "{file}: the test password leaked");
    }
}

/// The SMB facts Wireshark states for the public corpus: negotiated SMB2 dialects, SMB1
/// dialects offered, NTLM users and hosts, guest sessions, transform headers.
#[test]
fn public_corpus_smb_facts_agree_with_tshark() {
    let Some(shared) = shared_dir() else { return };
    let facts = std::fs::read_to_string(shared.join("pcaps/tshark-facts.jsonl")).expect("tshark-facts.jsonl");
    // Facts the sensor is not asked to see yet, each with its reason (NTLM inside LDAP binds...).
    let scope = std::fs::read_to_string(shared.join("pcaps/out-of-scope.jsonl")).unwrap_or_default();
    let out_of_scope: Vec<Value> = scope.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    let skipped = |path: &str, fact: &str, value: &Value| {
        out_of_scope.iter().any(|e| e["path"] == path && e["fact"] == fact && e["values"].as_array().is_some_and(|v| v.contains(value)))
    };
    let mut failures = Vec::new();
    let mut checked = 0;
    for line in facts.lines() {
        let entry: Value = serde_json::from_str(line).expect("facts line");
        let path = entry["path"].as_str().unwrap_or_default();
        let sets = &entry["sets"];
        let mut wants: Vec<(&str, Vec<Value>, &[&str])> = Vec::new();
        let negotiated: Vec<Value> =
            strings(&sets["smb2_dialect_negotiated"]).iter().filter_map(|h| smb2_name(h)).map(Value::from).collect();
        wants.push(("smb2 dialect", negotiated, &["smb.dialect"]));
        wants.push((
            "smb1 dialects offered",
            strings(&sets["smb1_dialects_offered"]).into_iter().map(Value::from).collect(),
            &["smb.dialects_offered"],
        ));
        let names = |key: &str| -> Vec<Value> {
            strings(&sets[key]).into_iter().map(|u| Value::from(if u == "NULL" { String::new() } else { u })).collect()
        };
        wants.push(("ntlm users", names("ntlm_user"), &["ntlm.user"]));
        wants.push(("ntlm hosts", names("ntlm_host"), &["ntlm.host"]));
        if entry["counts"]["sessflag_guest"].as_u64().unwrap_or(0) > 0 {
            wants.push(("guest", vec![Value::from(true)], &["smb.guest"]));
        }
        if entry["counts"]["smb2_transform"].as_u64().unwrap_or(0) > 0 {
            wants.push(("encrypted", vec![Value::from(true)], &["smb.encrypted"]));
        }
        for (fact, want, _) in wants.iter_mut() {
            want.retain(|value| !skipped(path, fact, value));
        }
        wants.retain(|(_, want, _)| !want.is_empty());
        if wants.is_empty() {
            continue;
        }
        let run = common::read_with(&[], &[&shared.join("pcaps").join(path)]);
        for (fact, want, paths) in wants {
            checked += 1;
            let have: Vec<Value> = paths.iter().flat_map(|p| run.values(p)).collect();
            let missing: Vec<&Value> = want.iter().filter(|w| !have.contains(w)).collect();
            if !missing.is_empty() {
                failures.push(format!("{path}: {fact}: missing {missing:?}"));
            }
        }
    }
    assert!(checked > 50, "only {checked} facts checked: is tshark-facts.jsonl complete?");
    assert!(failures.is_empty(), "{} of {checked} facts disagree:\n{}", failures.len(), failures.join("\n"));
}

/// An SMB connection is read for its whole life: smbclient reads a file twenty times (tshark:
/// 20 SMB2 READ requests, the last in frame 180), then connects `\\10.77.0.10\ADMIN$` on the
/// same session 0x00000000b261aec2 (frame 184), long after the session's first record. The
/// tree connect makes a further record of the session, and `smb.admin_share` fires on it.
#[test]
fn a_tree_connect_after_many_reads_is_seen() {
    let run = read(&project_pcap("smb/smb-reads-then-admin.pcap"));
    let session = "0x00000000b261aec2";
    let records: Vec<&Value> = run.of_type("smb").into_iter().filter(|r| r["smb"]["session_id"] == session).collect();
    assert_eq!(records.len(), 2, "the settled record, then a further one at the tree connect: {records:?}");
    let admin = r"\\10.77.0.10\ADMIN$";
    assert!(!strings(&records[0]["smb"]["shares"]).contains(&admin.to_string()));
    let last = strings(&records[1]["smb"]["shares"]);
    for share in [r"\\10.77.0.10\IPC$", r"\\10.77.0.10\share", admin] {
        assert!(last.contains(&share.to_string()), "{share} missing from the latest record: {last:?}");
    }
    // The further record carries the session's whole state, not only what changed.
    assert_eq!((records[1]["ntlm"]["user"].as_str(), records[1]["smb"]["status"].as_str()), (Some("hwuser"), Some("STATUS_SUCCESS")));
    let alerts = run.of_type("alert");
    let admin_alerts: Vec<&&Value> = alerts.iter().filter(|a| a["alert"]["rule"] == "smb.admin_share").collect();
    assert_eq!(admin_alerts.len(), 1);
    assert!(admin_alerts[0]["alert"]["message"].as_str().is_some_and(|m| m.contains("ADMIN$")));
    // What the first record raised is not raised again by the further one.
    assert_eq!(alerts.iter().filter(|a| a["alert"]["rule"] == "smb.session.unsigned").count(), 1);
}

/// A second SMB1 logon on a UID already logged on is a new logon: impacket sends its second
/// SESSION_SETUP with the first one's UID 14247 (0x37a7) and Samba keeps it (tshark: NTLMSSP
/// AUTHENTICATE of HARDWIRE\hwuser in frames 10 and 20, both answered STATUS_SUCCESS). Each
/// logon is a record of its own, and the unsigned SMB1 session fires `smb.session.unsigned`.
#[test]
fn a_second_smb1_logon_on_the_same_uid_is_reported() {
    let run = read(&project_pcap("smb/smb1-relogon.pcap"));
    let records: Vec<&Value> = run.of_type("smb").into_iter().filter(|r| r["smb"]["session_id"] == "0x00000000000037a7").collect();
    assert_eq!(records.len(), 2, "{records:?}");
    for record in &records {
        assert_eq!((record["ntlm"]["user"].as_str(), record["ntlm"]["domain"].as_str()), (Some("hwuser"), Some("HARDWIRE")));
        assert_eq!(record["smb"]["status"], "STATUS_SUCCESS");
        assert_eq!(record["smb"]["version"], 1);
    }
    let rules = run.alert_rules();
    assert_eq!(rules.iter().filter(|r| *r == "ntlm.used").count(), 2, "{rules:?}");
    assert!(rules.iter().any(|r| r == "smb.session.unsigned"), "{rules:?}");
}

/// `hardwire read -c` with a configuration whose `[limits]` are `limits`, written beside the
/// test's other files.
fn read_limited(name: &str, limits: &str, pcap: &std::path::Path) -> Run {
    let path = std::env::temp_dir().join(format!("hardwire-{name}-{}.toml", std::process::id()));
    std::fs::write(&path, format!("[limits]\n{limits}\n")).expect("config");
    let run = read_with(&["-c", path.to_str().expect("utf-8 path")], &[pcap]);
    let _ = std::fs::remove_file(&path);
    assert!(run.status.success(), "{}", run.stderr);
    run
}

/// A connection's tables are bounded: suricata-verify smb-length-5770 holds three sessions of
/// one connection (tcp.stream 4, SessionIds 0x9b71db6b00000006..8) that never finish their logon
/// (tshark: STATUS_MORE_PROCESSING_REQUIRED). With room for one session, each new one evicts the
/// older, whose record is written then instead of at close: the same records, two evictions.
#[test]
fn an_evicted_session_is_written_not_dropped() {
    let Some(pcap) = shared_pcap("suricata-verify/smb-length-5770/input.pcap") else { return };
    let sessions = |run: &Run| -> BTreeSet<String> {
        run.of_type("smb").iter().map(|r| format!("{}/{}", r["smb"]["session_id"], r["smb"]["status"])).collect()
    };
    let whole = read(&pcap);
    let bounded = read_limited("sessions", "max_smb_sessions = 1", &pcap);
    assert!(sessions(&whole).contains("\"0x9b71db6b00000006\"/\"STATUS_MORE_PROCESSING_REQUIRED\""));
    assert_eq!(sessions(&bounded), sessions(&whole));
    assert_eq!(bounded.stats()["memory"]["app_state_evicted"]["smb_sessions"], 2);
    assert!(whole.stats()["memory"].get("app_state_evicted").is_none());
}

/// pcaps/dcerpc/svcctl-contexts.pcap binds 71 contexts (70 random, svcctl as context 70), then
/// an alter_context adds svcctl as context 71, on which the calls go (tshark). With room for
/// one context, the bind's evict one another (70 counted) and the alter_context's the last of
/// them: RCreateServiceW is still read on context 71.
#[test]
fn dcerpc_contexts_past_their_cap_go_least_recently_used_first() {
    let run = read_limited("contexts", "max_dcerpc_contexts = 1", &project_pcap("dcerpc/svcctl-contexts.pcap"));
    let create = run.of_type("dcerpc").into_iter().find(|r| r["dcerpc"]["operation"] == "RCreateServiceW");
    assert_eq!(create.expect("RCreateServiceW")["dcerpc"]["command"], "%COMSPEC% /c whoami");
    assert_eq!(run.stats()["memory"]["app_state_evicted"]["dcerpc_contexts"], 71);
}

/// A lease break from smbd (make.sh lease_break, smbprotocol's clients): in smb-lease-break.pcap
/// tshark shows client A's CREATE of `lease.txt` (frame 14, answered at 15), client B's CREATE
/// answered STATUS_PENDING (31), the lease break notification to A (frame 32: SMB2 command 18
/// from the server, MessageId 0xffffffffffffffff), then B's open (37). smb-lease-break-midstream.pcap
/// is the same from frame 31 on: A's connection is picked up at the break itself. Issue 13 listed
/// such a break as an smb parse error; neither capture gives one, and both connections give
/// their records.
#[test]
fn a_lease_break_is_no_parse_error_even_mid_stream() {
    for file in ["smb-lease-break.pcap", "smb-lease-break-midstream.pcap"] {
        let run = read(&project_pcap(&format!("smb/{file}")));
        assert_eq!(run.stats()["parse_errors"].get("smb"), None, "{file}");
        assert_eq!(run.of_type("smb").len(), 2, "{file}");
    }
}

/// Windows servers answering related compound requests with compound responses (elements after
/// the first flagged SMB2_FLAGS_RELATED_OPERATIONS, walked by NextCommand): 75 such response
/// elements in zeek's smb2_100_small_files.pcap (CREATE + QUERY_INFO / CLOSE), 71 in
/// suricata-verify's smb2-delete (QUERY_DIRECTORY, QUERY_INFO, IOCTL), 14 in zeek's smb2_krb.pcap
/// (QUERY_DIRECTORY chains up to 11,880 bytes), counted by walking the NBSS payloads from port
/// 445. Every element is an SMB2 message where NextCommand says, so none is a parse error, and the
/// sessions' records are still written.
#[test]
fn real_compound_responses_parse_to_their_last_element() {
    for file in ["zeek/Traces/smb/smb2_100_small_files.pcap", "suricata-verify/smb2-delete/input.pcap", "zeek/Traces/krb/smb2_krb.pcap"] {
        let Some(pcap) = shared_pcap(file) else { return };
        let run = read(&pcap);
        assert_eq!(run.stats()["parse_errors"].get("smb"), None, "{file}");
        assert!(!run.of_type("smb").is_empty(), "{file}: no smb record");
    }
}
