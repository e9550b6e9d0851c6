//! Kerberos to a KDC: the `krb5` records against what Wireshark states for the public corpus
//! (../shared/pcaps/tshark-facts.jsonl, the `krb88_*` facts), TCP records split across
//! segments, UDP datagrams, and no secret in the output.

mod common;

use common::{project_pcap, read, shared_dir, shared_pcap, Run};
use serde_json::Value;

/// SCHEMA.md's etype names.
fn etype_name(number: i64) -> String {
    match number {
        1 => "des-cbc-crc".into(),
        3 => "des-cbc-md5".into(),
        16 => "des3-cbc-sha1".into(),
        17 => "aes128-cts-hmac-sha1-96".into(),
        18 => "aes256-cts-hmac-sha1-96".into(),
        19 => "aes128-cts-hmac-sha256-128".into(),
        20 => "aes256-cts-hmac-sha384-192".into(),
        23 => "rc4-hmac".into(),
        24 => "rc4-hmac-exp".into(),
        n => format!("etype-{n}"),
    }
}

fn fact_strings(sets: &Value, key: &str) -> Vec<String> {
    sets[key].as_array().map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect()).unwrap_or_default()
}

fn fact_numbers(sets: &Value, key: &str) -> Vec<i64> {
    fact_strings(sets, key).iter().filter_map(|s| s.parse().ok()).collect()
}

/// Every KDC fact tshark states for a capture of the corpus is in our `krb5` records: request
/// types, client and service names, offered etypes, ticket etypes, error codes, padata types.
#[test]
fn public_corpus_kdc_facts_agree_with_tshark() {
    let Some(shared) = shared_dir() else { return };
    let facts = std::fs::read_to_string(shared.join("pcaps/tshark-facts.jsonl")).expect("tshark-facts.jsonl");
    let mut failures = Vec::new();
    let mut checked = 0;
    for line in facts.lines() {
        let entry: Value = serde_json::from_str(line).expect("facts line");
        let sets = &entry["sets"];
        let path = entry["path"].as_str().unwrap_or_default();
        let lower = |key| fact_strings(sets, key).iter().map(|s| Value::from(s.to_lowercase())).collect::<Vec<_>>();
        let request_types: Vec<Value> = fact_numbers(sets, "krb88_msg_types")
            .iter()
            .filter_map(|m| match m {
                10 | 11 => Some("AS"),
                12 | 13 => Some("TGS"),
                _ => None,
            })
            .map(Value::from)
            .collect();
        let etypes = |key| fact_numbers(sets, key).into_iter().map(|e| Value::from(etype_name(e))).collect::<Vec<_>>();
        let numbers = |key| fact_numbers(sets, key).into_iter().map(Value::from).collect::<Vec<_>>();
        let wants = [
            ("request types", request_types, "krb5.request_type", false),
            ("cnames", lower("krb88_cnames"), "krb5.cname", true),
            ("snames", lower("krb88_snames"), "krb5.sname", true),
            ("offered etypes", etypes("krb88_req_etypes"), "krb5.req_etypes", false),
            ("ticket etypes", etypes("krb88_ticket_etypes"), "krb5.ticket_etype", false),
            ("error codes", numbers("krb88_error_codes"), "krb5.error_code", false),
            ("padata types", numbers("krb88_padata_types"), "krb5.padata_types", false),
        ];
        if wants.iter().all(|(_, want, _, _)| want.is_empty()) {
            continue;
        }
        let run = read(&shared.join("pcaps").join(path));
        for (fact, want, field, case_blind) in wants {
            let have: Vec<Value> = run
                .values(field)
                .into_iter()
                .map(|v| match v.as_str() {
                    Some(s) if case_blind => Value::from(s.to_lowercase()),
                    _ => v,
                })
                .collect();
            for value in want {
                checked += 1;
                if !have.contains(&value) {
                    failures.push(format!("{path}: {fact}: {value} not reported (have {have:?})"));
                }
            }
        }
    }
    assert!(checked > 100, "only {checked} KDC facts checked: is tshark-facts.jsonl complete?");
    assert!(failures.is_empty(), "{} of {checked} KDC facts disagree:\n{}", failures.len(), failures.join("\n"));
}

fn krb5_records(run: &Run) -> Vec<&Value> {
    run.of_type("krb5").into_iter().map(|r| &r["krb5"]).collect()
}

/// Suricata's bug 8278 captures: an AS-REQ and a TGS-REQ in one TCP connection, each record
/// sent in one segment, then split over two (the record mark alone first). Both are read
/// either way (tshark: testuser, krbtgt/DEMO.LOCAL, etypes 17 and 18).
#[test]
fn tcp_records_split_across_segments_are_read() {
    for capture in [
        "suricata-verify/bug-8278-krb5-01/evasion.1.flow.1.segment.pcap",
        "suricata-verify/bug-8278-krb5-02/evasion.1.flow.2.segments.pcap",
    ] {
        let Some(pcap) = shared_pcap(capture) else { return };
        let run = read(&pcap);
        let records = krb5_records(&run);
        let types: Vec<&str> = records.iter().filter_map(|r| r["request_type"].as_str()).collect();
        assert_eq!(types, ["AS", "TGS"], "{capture}");
        for record in records {
            assert_eq!(record["cname"], "testuser", "{capture}");
            assert_eq!(record["sname"], "krbtgt/DEMO.LOCAL", "{capture}");
            assert_eq!(record["req_etypes"], serde_json::json!(["aes256-cts-hmac-sha1-96", "aes128-cts-hmac-sha1-96"]), "{capture}");
        }
        assert_eq!(run.stats()["parse_errors"].get("krb5"), None, "{capture}");
    }
}

/// One AS-REQ in one UDP datagram (arkime krb5-udp.pcap; tshark: PA-ENC-TIMESTAMP and
/// PA-REQ-ENC-PA-REP, etypes 18 17 16 23); the record says UDP and how it was pre-authenticated.
#[test]
fn a_udp_request_is_a_record() {
    let Some(pcap) = shared_pcap("arkime/krb5-udp.pcap") else { return };
    let run = read(&pcap);
    let records = run.of_type("krb5");
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["proto"], "UDP");
    assert_eq!(records[0]["dest_port"], 88);
    let krb5 = &records[0]["krb5"];
    assert_eq!(krb5["request_type"], "AS");
    assert_eq!(krb5["preauth"], "enc_timestamp");
    assert_eq!(krb5["padata_types"], serde_json::json!([2, 149]));
    assert_eq!(krb5["req_etypes"][3], "rc4-hmac");
    assert_eq!(krb5.get("status"), None, "no reply in the capture");
}

/// No ticket, cipher text or key in the krb5 records of the corpus.
#[test]
fn no_secret_material_in_krb5_output() {
    for capture in [
        "suricata-verify/krb5-krb5_msg_type/input.pcap",
        "suricata-verify/krb5-kerberoasting/kerberoast.pcap",
        "suricata-verify/dcerpc/dcerpc-ctxids/input.pcap",
        "zeek/Traces/krb/kinit.pcap",
    ] {
        let Some(pcap) = shared_pcap(capture) else { return };
        let run = read(&pcap);
        assert!(!run.of_type("krb5").is_empty(), "{capture}: no krb5 record");
        let found = common::secret_like_strings(&run);
        assert!(found.is_empty(), "{capture}: {found:?}");
    }
}

/// The alerts of the rules this area owns, and how many occurrences each line stands for.
fn alert_counts(run: &Run) -> std::collections::BTreeMap<String, u64> {
    let mut counts = std::collections::BTreeMap::new();
    for alert in run.of_type("alert") {
        let rule = alert["alert"]["rule"].as_str().unwrap_or_default().to_string();
        *counts.entry(rule).or_default() += alert["alert"]["count"].as_u64().unwrap_or(0);
    }
    counts
}

/// Our MIT KDC captures (pcaps/kerberos/make.sh): each scenario raises exactly the alerts its
/// script provoked, with the occurrences it made (the counts follow from the script: 6 accounts
/// sprayed with a threshold of 5 are 2 occurrences, 12 wrong passwords with a threshold of 10
/// are 3, 12 unknown names are 3), and the AES-only baseline raises none.
#[test]
fn mit_kdc_scenarios_raise_what_they_provoked() {
    let expected: &[(&str, &[(&str, u64)])] = &[
        ("krb5-baseline.pcap", &[]),
        // GetNPUsers.py asks for RC4: the AS-REP's key is RC4 too.
        ("krb5-asrep-roast.pcap", &[("kerberos.asrep_roastable", 1), ("kerberos.rc4", 1)]),
        // kvno -e arcfour-hmac, for a service whose only key is RC4.
        ("krb5-kerberoast.pcap", &[("kerberos.kerberoast", 1), ("kerberos.rc4", 1)]),
        // getTGT.py -hashes: RC4 timestamp, RC4 reply key.
        ("krb5-overpass.pcap", &[("kerberos.preauth_rc4", 1), ("kerberos.rc4", 1)]),
        ("krb5-spray.pcap", &[("auth.spray", 2)]),
        ("krb5-bruteforce.pcap", &[("auth.bruteforce", 3)]),
        ("krb5-user-enum.pcap", &[("kerberos.user_enum", 3)]),
    ];
    for (file, alerts) in expected {
        let run = read(&project_pcap(&format!("kerberos/{file}")));
        let want: std::collections::BTreeMap<String, u64> = alerts.iter().map(|(rule, n)| (rule.to_string(), *n)).collect();
        assert_eq!(alert_counts(&run), want, "{file}");
        assert!(!run.of_type("krb5").is_empty(), "{file}: no krb5 record");
        assert_eq!(run.stats()["parse_errors"].get("krb5"), None, "{file}");
    }
}

/// The fields of the scenarios, as the script set them up: the accounts, the service, the
/// etypes each client was configured to use, UDP for MIT's small messages and TCP for impacket
/// and for the baseline's second logon (udp_preference_limit = 1).
#[test]
fn mit_kdc_records_say_what_the_scenario_did() {
    let baseline = read(&project_pcap("kerberos/krb5-baseline.pcap"));
    let records = baseline.of_type("krb5");
    let protos: Vec<&str> = records.iter().filter_map(|r| r["proto"].as_str()).collect();
    assert!(protos.contains(&"UDP") && protos.contains(&"TCP"), "{protos:?}");
    let logons: Vec<&Value> =
        records.iter().map(|r| &r["krb5"]).filter(|k| k["status"] == "success" && k["request_type"] == "AS").collect();
    assert_eq!(logons.iter().map(|k| k["cname"].as_str().unwrap_or_default()).collect::<Vec<_>>(), ["alice", "bob"]);
    for krb5 in logons {
        assert_eq!(krb5["preauth"], "enc_timestamp");
        assert_eq!(krb5["preauth_etype"], "aes256-cts-hmac-sha1-96");
        assert_eq!(krb5["realm"], "HARDWIRE.TEST");
        assert_eq!(krb5["sname"], "krbtgt/HARDWIRE.TEST");
    }
    let services: Vec<String> =
        baseline.values("krb5.sname").iter().filter_map(|v| v.as_str()).filter(|s| !s.starts_with("krbtgt")).map(str::to_string).collect();
    assert_eq!(services, ["host/ws1.hardwire.test", "HTTP/web.hardwire.test"]);
    assert!(baseline.values("krb5.ticket_etype").iter().all(|e| e == "aes256-cts-hmac-sha1-96"));
    let posture = &baseline.stats()["kerberos"];
    assert_eq!(posture["kdcs"]["10.88.0.10"]["as_requests"], 4);
    assert_eq!(posture["kdcs"]["10.88.0.10"]["fast"], 0);
    assert_eq!(posture["accounts_without_preauth"], 0);

    let roast = read(&project_pcap("kerberos/krb5-kerberoast.pcap"));
    let tgs: Vec<&Value> = roast.of_type("krb5").into_iter().map(|r| &r["krb5"]).filter(|k| k["request_type"] == "TGS").collect();
    assert_eq!(tgs.len(), 1);
    assert_eq!(tgs[0]["sname"], "MSSQLSvc/db1.hardwire.test:1433");
    assert_eq!(tgs[0]["cname"], "alice");
    assert_eq!(tgs[0]["req_etypes"], serde_json::json!(["rc4-hmac"]));
    assert_eq!(tgs[0]["ticket_etype"], "rc4-hmac");
    assert_eq!(roast.stats()["kerberos"]["weak_tickets"]["MSSQLSvc/db1.hardwire.test:1433"], 1);

    let asrep = read(&project_pcap("kerberos/krb5-asrep-roast.pcap"));
    let alert =
        &asrep.of_type("alert").into_iter().find(|a| a["alert"]["rule"] == "kerberos.asrep_roastable").expect("asrep alert")["krb5"];
    assert_eq!(
        (alert["cname"].as_str(), alert["preauth"].as_str(), alert["status"].as_str()),
        (Some("roastme"), Some("none"), Some("success"))
    );
    assert_eq!(asrep.stats()["kerberos"]["accounts_without_preauth"], 1);

    let overpass = read(&project_pcap("kerberos/krb5-overpass.pcap"));
    let alert =
        &overpass.of_type("alert").into_iter().find(|a| a["alert"]["rule"] == "kerberos.preauth_rc4").expect("overpass alert")["krb5"];
    assert_eq!((alert["cname"].as_str(), alert["preauth_etype"].as_str()), (Some("carol"), Some("rc4-hmac")));

    let enumeration = read(&project_pcap("kerberos/krb5-user-enum.pcap"));
    let statuses: Vec<Value> = enumeration.values("krb5.status");
    assert!(statuses.len() >= 12 && statuses.iter().all(|s| s == "KDC_ERR_C_PRINCIPAL_UNKNOWN"), "{statuses:?}");
    assert!(enumeration.values("krb5.error_code").iter().all(|c| c == 6));
}

/// No ticket, key, cipher text or password in what our captures produce.
#[test]
fn no_secret_material_from_the_mit_kdc_captures() {
    for file in ["krb5-baseline.pcap", "krb5-asrep-roast.pcap", "krb5-kerberoast.pcap", "krb5-overpass.pcap", "krb5-spray.pcap"] {
        let run = read(&project_pcap(&format!("kerberos/{file}")));
        let found = common::secret_like_strings(&run);
        assert!(found.is_empty(), "{file}: {found:?}");
        assert!(!run.stdout.contains("Hardw1re-krb-test") && !run.stdout.contains("Spring2026"), "{file}: a password leaked");
    }
}

/// A refused NTLM logon says so: Wireshark's SMB sample has SESSION_SETUPs answered
/// STATUS_LOGON_FAILURE (tshark: smb2.nt_status 0xc000006d) for "Tim Tester" and "user". Their
/// records carry `ntlm.status` "failure", and `ntlm.used` never calls them authenticated.
#[test]
fn a_failed_ntlm_logon_is_not_called_authenticated() {
    let Some(pcap) = shared_pcap("arkime/wireshark-smb-on-windows10.pcap") else { return };
    let run = read(&pcap);
    let mut failed = 0;
    for record in run.of_type("smb") {
        let refused = record["smb"]["status"] == "STATUS_LOGON_FAILURE";
        if refused && record["ntlm"].is_object() {
            failed += 1;
            assert_eq!(record["ntlm"]["status"], "failure", "{record}");
        }
        if record["smb"]["status"] == "STATUS_SUCCESS" && record["ntlm"].is_object() {
            assert_eq!(record["ntlm"]["status"], "success", "{record}");
        }
    }
    assert!(failed >= 2, "only {failed} failed logons");
    for alert in run.of_type("alert").into_iter().filter(|a| a["alert"]["rule"] == "ntlm.used") {
        let message = alert["alert"]["message"].as_str().unwrap_or_default();
        if alert["ntlm"]["status"] == "failure" {
            assert!(message.contains("failed to log on") && !message.contains("authenticated"), "{message}");
        }
    }
}

/// A thousand wrong SMB1 passwords for one account, then one for each of six other names
/// (pcaps/smb/make.sh logon_failures; tshark: 2012 STATUS_LOGON_FAILURE answers, impacket
/// trying NTLMv2 then NTLMv1 on each of 1006 connections): one auth.bruteforce story and one
/// auth.spray story, each a first line and one summary line whose counts add up to every
/// failure past the threshold, and no failure called "authenticated".
#[test]
fn thousands_of_failed_smb1_logons_are_one_story_with_a_count() {
    let run = read(&project_pcap("smb/smb1-logon-failures.pcap"));
    let failures = run.of_type("smb").iter().filter(|r| r["smb"]["status"] == "STATUS_LOGON_FAILURE").count();
    assert_eq!(failures, 2012);
    let lines = |rule: &str| run.of_type("alert").into_iter().filter(|a| a["alert"]["rule"] == rule).count();
    assert_eq!((lines("auth.bruteforce"), lines("auth.spray")), (2, 2));
    let counts = alert_counts(&run);
    // hwuser's 2000 failures from the 10th on (the thresholds are 10 failures, 5 accounts); the
    // other six names fail twice each, which crosses bruteforce for none of them.
    assert_eq!(counts["auth.bruteforce"], 2000 - 9);
    // Distinct accounts: hwuser, then alice..frank: the 5th account (dave) and every failure after.
    assert_eq!(counts["auth.spray"], 6);
    for alert in run.of_type("alert") {
        let message = alert["alert"]["message"].as_str().unwrap_or_default();
        assert!(!message.contains("authenticated"), "{message}");
    }
}

/// Wrong passwords over HTTP (pcaps/http/make.sh logon_failures): curl's Basic credentials for
/// six names, all answered 401 by Apache, then an NTLM logon as alice with a wrong password,
/// which Apache + gss-ntlmssp answers 401. The 5th name makes auth.spray; the NTLM record says
/// the logon failed, and ntlm.used says so.
#[test]
fn failed_http_logons_feed_the_spray_count() {
    let run = read(&project_pcap("http/http-logon-failures.pcap"));
    let basic: Vec<&Value> =
        run.of_type("http").into_iter().map(|r| &r["http"]).filter(|h| h["auth_mech"] == "basic" && h["status"] == 401).collect();
    assert_eq!(basic.len(), 6);
    let refused: Vec<&Value> = run.of_type("http").into_iter().filter(|r| r["ntlm"]["status"] == "failure").collect();
    assert_eq!(refused.len(), 1);
    assert_eq!((refused[0]["ntlm"]["user"].as_str(), refused[0]["http"]["status"].as_u64()), (Some("alice"), Some(401)));
    // erin (the 5th account), frank, then alice again over NTLM: 3 occurrences in 2 lines.
    assert_eq!(alert_counts(&run).get("auth.spray"), Some(&3));
    let used = run.of_type("alert").into_iter().find(|a| a["alert"]["rule"] == "ntlm.used").expect("ntlm.used");
    assert!(used["alert"]["message"].as_str().unwrap_or_default().starts_with("alice failed to log on"), "{used}");
}

/// The correlation tables are bounded and what they refuse is counted: with room for 2 keys,
/// the bruteforce table of the spray capture (one key per client and account, 6 accounts)
/// refuses 4 new keys, and the stats line says so; the spray itself (one key: the client) is
/// still seen.
#[test]
fn full_correlation_tables_shed_and_count() {
    let config = std::env::temp_dir().join(format!("hardwire-krb5-shed-{}.toml", std::process::id()));
    std::fs::write(&config, "[limits]\nmax_correlation_entries = 2\n").expect("writing the configuration");
    let run = common::read_with(&["--config", &config.to_string_lossy()], &[&project_pcap("kerberos/krb5-spray.pcap")]);
    let _ = std::fs::remove_file(&config);
    assert!(run.status.success(), "{}", run.stderr);
    assert_eq!(run.stats()["correlation_shed"], 4);
    assert_eq!(alert_counts(&run).get("auth.spray"), Some(&2));
}
