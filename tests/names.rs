//! Integration tests: LLMNR, NBT-NS and mDNS answers as `name` records, and the poisoning of
//! them. Expected values come from `pcaps/names/make.sh` (the names it looks up, the addresses
//! of its namespaces) and, for the public corpus, from tshark (quoted beside each assertion).

mod common;

use common::{project_pcap, read, read_with, shared_pcap, Run};
use serde_json::{json, Value};

const FILESRV: &str = "10.89.0.10";
const VICTIM: &str = "10.89.0.20";
const POISONER: &str = "10.89.0.66";
const WINS: &str = "10.89.0.5";
const RULES: &[&str] = &["name.poisoning", "ntlm.to_poisoner"];

fn alerts<'a>(run: &'a Run, rule: &str) -> Vec<&'a Value> {
    run.of_type("alert").into_iter().filter(|a| a["alert"]["rule"] == rule).collect()
}

/// (protocol, query, responder, answers) of every `name` record.
fn answered(run: &Run) -> Vec<(String, String, String, Value)> {
    let mut out: Vec<_> = run
        .of_type("name")
        .iter()
        .map(|r| {
            let n = &r["name"];
            (
                n["protocol"].as_str().unwrap_or("").to_string(),
                n["query"].as_str().unwrap_or("").to_string(),
                n["responder"].as_str().unwrap_or("").to_string(),
                n["answers"].clone(),
            )
        })
        .collect();
    out.sort_by(|a, b| (&a.0, &a.1, &a.2).cmp(&(&b.0, &b.1, &b.2)));
    out
}

fn row(protocol: &str, query: &str, responder: &str, answer: &str) -> (String, String, String, Value) {
    (protocol.to_string(), query.to_string(), responder.to_string(), json!([answer]))
}

#[test]
fn nmbd_answering_its_own_name_raises_nothing() {
    // make.sh: nmblookup FILESRV and FILESRV#20, then smbclient //FILESRV/share resolving by
    // broadcast (FILESRV<20>); nmbd on 10.89.0.10 answers each.
    let run = read(&project_pcap("names/baseline.pcap"));
    assert_eq!(
        answered(&run),
        [
            row("nbns", "FILESRV<00>", FILESRV, FILESRV),
            row("nbns", "FILESRV<20>", FILESRV, FILESRV),
            row("nbns", "FILESRV<20>", FILESRV, FILESRV)
        ]
    );
    for record in run.of_type("name") {
        assert_eq!(record["name"]["querier"], VICTIM);
        // nmbd's TTL for its names (tshark: nbns.ttl 259200)
        assert_eq!(record["name"]["ttl"], 259_200);
    }
    for rule in run.alert_rules() {
        assert!(!RULES.contains(&rule.as_str()), "{rule} fired on the baseline");
    }
    // alice logged on to FILESRV after nmbd's answer: NTLM, but to the name's owner.
    assert!(run.values("ntlm.user").contains(&json!("alice")));
    // Both protocols are in use, per host (the posture): the client's queries, nmbd's answers.
    let names = &run.stats()["names"]["nbns"];
    assert_eq!(names["queries"][VICTIM], 3);
    assert!(names["answers"][FILESRV].as_u64() >= Some(3), "{names}");
}

#[test]
fn a_responder_answering_every_name_is_a_poisoner_and_gets_the_victims_ntlm() {
    let run = read(&project_pcap("names/poison.pcap"));
    // make.sh: FILESRV answered by nmbd alone (before the poisoner starts), then by both; the
    // poisoner's answers for FILESRV2, PRINTSRV, WPAD (NBT-NS), intranet and wpad (LLMNR), and
    // FILESHARE<20> (smbclient's own broadcast).
    assert_eq!(
        answered(&run),
        [
            row("llmnr", "intranet", POISONER, POISONER),
            row("llmnr", "wpad", POISONER, POISONER),
            row("nbns", "FILESHARE<20>", POISONER, POISONER),
            row("nbns", "FILESRV2<00>", POISONER, POISONER),
            row("nbns", "FILESRV<00>", FILESRV, FILESRV),
            row("nbns", "FILESRV<00>", FILESRV, FILESRV),
            row("nbns", "FILESRV<00>", POISONER, POISONER),
            row("nbns", "PRINTSRV<00>", POISONER, POISONER),
            row("nbns", "WPAD<00>", POISONER, POISONER),
        ]
    );
    // Suppression folds the poisoner's answers to the victim into the first line and a count.
    let poisoning = alerts(&run, "name.poisoning");
    let counts: Vec<&Value> = poisoning.iter().map(|a| &a["alert"]["count"]).collect();
    assert_eq!(counts, [1, 5]);
    let first = poisoning[0];
    assert_eq!(first["name"]["query"], "FILESRV<00>");
    assert!(first["alert"]["message"].as_str().unwrap_or("").contains("10.89.0.10 answers for that name too"), "{first}");
    // One by one (no suppression): every poisoned answer but FILESRV2's (the poisoner's second
    // name: not yet three, owned by no other host, not WPAD), and none of nmbd's.
    let config = std::env::temp_dir().join(format!("hardwire-names-{}.toml", std::process::id()));
    std::fs::write(&config, "[suppression]\nwindow_secs = 0\n").expect("writing the configuration");
    let each = read_with(&["--config", &config.to_string_lossy()], &[&project_pcap("names/poison.pcap")]);
    let _ = std::fs::remove_file(&config);
    let mut queries: Vec<&str> = alerts(&each, "name.poisoning").iter().map(|a| a["name"]["query"].as_str().unwrap_or("")).collect();
    queries.sort();
    assert_eq!(queries, ["FILESHARE<20>", "FILESRV<00>", "PRINTSRV<00>", "WPAD<00>", "intranet", "wpad"]);
    for alert in alerts(&each, "name.poisoning") {
        assert_eq!(alert["name"]["responder"], POISONER);
        assert_eq!(alert["dest_ip"], POISONER);
        assert_eq!(alert["alert"]["severity"], "high");
        assert_eq!(alert["alert"]["mitre"], json!(["T1557.001"]));
    }
    // smbclient logged on as alice to the poisoner's SMB server right after its answer.
    let stolen = alerts(&run, "ntlm.to_poisoner");
    assert_eq!(stolen.len(), 1, "{stolen:?}");
    let alert = stolen[0];
    assert_eq!((&alert["src_ip"], &alert["dest_ip"], &alert["dest_port"]), (&json!(VICTIM), &json!(POISONER), &json!(445)));
    assert_eq!(alert["alert"]["severity"], "critical");
    assert_eq!(alert["alert"]["mitre"], json!(["T1557.001", "T1187"]));
    assert_eq!(alert["ntlm"]["user"], "alice");
    assert_eq!(alert["name"]["query"], "FILESHARE<20>");
    assert_eq!(alert["name"]["protocol"], "nbns");
    assert!(run.stdout.find("Hardw1re-names-test").is_none(), "the password is in the output");
}

#[test]
fn the_corpus_answers_agree_with_tshark() {
    // tshark: llmnr 0x200c "mypc" answered by 10.1.12.200 with 10.1.12.200 (TTL 30); mDNS
    // "mydevice.local" by 10.1.13.200; NBT-NS TESTHOST<00> (0xbeef) by 10.20.8.1 with
    // 10.20.8.77. The answer 0x5678 for FILESERVER<00> answers no query seen: no record.
    let Some(arkime) = shared_pcap("arkime/arkime_synthetic.pcap") else { return };
    let run = read(&arkime);
    assert_eq!(
        answered(&run),
        [
            row("llmnr", "mypc", "10.1.12.200", "10.1.12.200"),
            row("mdns", "mydevice.local", "10.1.13.200", "10.1.13.200"),
            row("nbns", "TESTHOST<00>", "10.20.8.1", "10.20.8.77")
        ]
    );
    // tshark: the mDNS probes of 10.0.2.7 for its own names, answered by itself: records, and
    // no poisoning (a host answering its own question).
    let Some(mdns) = shared_pcap("zeek/Traces/dns/mdns.pcap") else { return };
    let run = read(&mdns);
    let queries: Vec<Value> = run.values("name.query");
    assert!(queries.contains(&json!("johanna-QEMU-Virtual-Machine.local")) && queries.contains(&json!("7.2.0.10.in-addr.arpa")));
    // tshark: SCV answered over LLMNR by 192.168.199.1 and fe80::78da:c04d:12da:8a08, one dual-stack
    // host (each gives the other's address too), and over NBT-NS: no poisoning.
    for pcap in ["zeek/Traces/dns/mdns.pcap", "suricata-verify/smb2-ntlmssp-negotiateflags/input.pcap", "arkime/arkime_synthetic.pcap"] {
        let Some(path) = shared_pcap(pcap) else { return };
        let run = read(&path);
        for rule in run.alert_rules() {
            assert!(!RULES.contains(&rule.as_str()), "{pcap}: {rule} fired");
        }
    }
}

#[test]
fn a_full_query_table_sheds_and_counts() {
    // One entry for all: the queries after the first find the table full of live ones (each
    // waits 10 s for its answers) and are dropped and counted, not paired.
    let config = std::env::temp_dir().join(format!("hardwire-names-shed-{}.toml", std::process::id()));
    std::fs::write(&config, "[limits]\nmax_correlation_entries = 1\n").expect("writing the configuration");
    let run = read_with(&["--config", &config.to_string_lossy()], &[&project_pcap("names/poison.pcap")]);
    let _ = std::fs::remove_file(&config);
    assert!(run.status.success());
    assert!(run.stats()["correlation_shed"].as_u64() > Some(0), "{}", run.stats());
    let records = run.of_type("name").len();
    assert!((1..9).contains(&records), "{records} name records");
}

#[test]
fn mdns_through_avahi_answered_by_its_owner_then_by_the_poisoner() {
    // make.sh: getent hosts filesrv.local (nss-mdns through the victim's avahi-daemon), answered
    // by FILESRV's avahi-daemon; then the poisoner answers wpad.local, intranet.local and
    // fileshare.local. The victim's avahi also answers its own probes (victim.local and its
    // reverse name: tshark, responses from 10.89.0.20), which are no poisoning.
    let run = read(&project_pcap("names/mdns.pcap"));
    let rows = answered(&run);
    for expected in [
        row("mdns", "filesrv.local", FILESRV, FILESRV),
        row("mdns", "wpad.local", POISONER, POISONER),
        row("mdns", "intranet.local", POISONER, POISONER),
        row("mdns", "fileshare.local", POISONER, POISONER),
        row("mdns", "victim.local", VICTIM, VICTIM),
    ] {
        assert!(rows.contains(&expected), "{expected:?} not in {rows:?}");
    }
    for record in run.of_type("name") {
        assert_eq!(record["name"]["querier"], VICTIM);
        assert_eq!(record["name"]["ttl"], 120);
    }
    // WPAD at once, then fileshare.local as the third name: two alerts, folded into a line and
    // its count by suppression; none about FILESRV or the victim.
    let poisoning = alerts(&run, "name.poisoning");
    assert_eq!(poisoning.iter().map(|a| a["alert"]["count"].as_u64().unwrap_or(0)).sum::<u64>(), 2);
    assert_eq!(poisoning[0]["name"]["query"], "wpad.local");
    assert!(poisoning.iter().all(|a| a["name"]["responder"] == POISONER));
    assert!(alerts(&run, "ntlm.to_poisoner").is_empty());
    // tshark: 7 mDNS queries from 10.89.0.20 (3 probes, 4 lookups).
    assert_eq!(run.stats()["names"]["mdns"]["queries"][VICTIM], 7, "{}", run.stats());
}

/// The `name.poisoning` alerts of `pcap`, one by one (no suppression).
fn each_poisoning(pcap: &str) -> Vec<Value> {
    // (a file per capture: the tests of this binary run at once)
    let file = format!("hardwire-names-each-{}-{}.toml", std::process::id(), pcap.replace('/', "-"));
    let config = std::env::temp_dir().join(file);
    std::fs::write(&config, "[suppression]\nwindow_secs = 0\n").expect("writing the configuration");
    let run = read_with(&["--config", &config.to_string_lossy()], &[&project_pcap(pcap)]);
    let _ = std::fs::remove_file(&config);
    alerts(&run, "name.poisoning").into_iter().cloned().collect()
}

/// Checks a capture where the poisoner answers names FILESRV claimed: `rows` among its `name`
/// records, and one alert per query of `queries` (one by one), each naming the poisoner and
/// saying FILESRV `claimed` the name ("registered", "announced"). Returns the run.
fn poisoner_named(pcap: &str, rows: &[(String, String, String, Value)], queries: &[&str], claimed: &str) -> Run {
    let run = read(&project_pcap(pcap));
    let answered = answered(&run);
    for expected in rows {
        assert!(answered.contains(expected), "{expected:?} not in {answered:?}");
    }
    let alerts = each_poisoning(pcap);
    let mut fired: Vec<&str> = alerts.iter().map(|a| a["name"]["query"].as_str().unwrap_or("")).collect();
    fired.sort();
    assert_eq!(fired, queries);
    for alert in &alerts {
        assert_eq!(alert["name"]["responder"], POISONER, "{alert}");
        let message = alert["alert"]["message"].as_str().unwrap_or("");
        assert!(message.contains(&format!("{FILESRV} {claimed} that name")), "{message}");
    }
    run
}

#[test]
fn a_registered_name_answered_by_its_owner_raises_nothing() {
    // make.sh: nmbd starts on the capture and registers FILESRV<20>, <03>, <00> by broadcast
    // (tshark: frames 4-6, opcode 5, additional record addr 10.89.0.10), avahi announces
    // filesrv.local; then nmblookup FILESRV and getent hosts filesrv.local, answered by
    // 10.89.0.10 (frames 38 and 52).
    let run = read(&project_pcap("names/registered.pcap"));
    let rows = answered(&run);
    for expected in [row("nbns", "FILESRV<00>", FILESRV, FILESRV), row("mdns", "filesrv.local", FILESRV, FILESRV)] {
        assert!(rows.contains(&expected), "{expected:?} not in {rows:?}");
    }
    for rule in run.alert_rules() {
        assert!(!RULES.contains(&rule.as_str()), "{rule} fired on the registered baseline");
    }
}

#[test]
fn a_poisoner_answering_before_the_registered_owner_is_the_one_named() {
    // make.sh: FILESRV (10.89.0.10) registers its names and announces filesrv.local; then the
    // poisoner answers first (tshark: FILESRV<00> by 10.89.0.66 in frame 41 at 9.228 s, by
    // 10.89.0.10 in frame 42 at 9.252 s; filesrv.local by 10.89.0.66 in frame 67 at 16.764 s,
    // by 10.89.0.10 in frame 73 at 19.576 s) and alone over LLMNR (filesrv, frame 49).
    let run = poisoner_named(
        "names/poison-first.pcap",
        &[
            row("nbns", "FILESRV<00>", POISONER, POISONER),
            row("nbns", "FILESRV<00>", FILESRV, FILESRV),
            row("llmnr", "filesrv", POISONER, POISONER),
            row("mdns", "filesrv.local", POISONER, POISONER),
            row("mdns", "filesrv.local", FILESRV, FILESRV),
        ],
        &["FILESRV<00>", "filesrv", "filesrv.local"],
        "registered",
    );
    // The poisoner's answer comes first in the output as on the wire.
    let responders: Vec<Value> =
        run.of_type("name").iter().filter(|r| r["name"]["query"] == "FILESRV<00>").map(|r| r["name"]["responder"].clone()).collect();
    assert_eq!(responders, [json!(POISONER), json!(FILESRV)]);
}

#[test]
fn a_poisoner_answering_a_name_announced_over_mdns_is_the_one_named() {
    // make.sh: FILESRV runs avahi-daemon alone, which announces filesrv.local (tshark: frames
    // 7, 9, 10, responses from 10.89.0.10 giving 10.89.0.10, no query before them but its
    // own probes); the poisoner answers getent's filesrv.local first (frame 22 at 13.98 s,
    // avahi in frame 26 at 16.82 s), then FILESRV<00> over NBT-NS (frame 36) and filesrv over
    // LLMNR (frame 38) alone. The victim's avahi says goodbye to victim.local (frame 23, TTL 0).
    poisoner_named(
        "names/announced.pcap",
        &[
            row("mdns", "filesrv.local", POISONER, POISONER),
            row("mdns", "filesrv.local", FILESRV, FILESRV),
            row("nbns", "FILESRV<00>", POISONER, POISONER),
            row("llmnr", "filesrv", POISONER, POISONER),
        ],
        &["FILESRV<00>", "filesrv", "filesrv.local"],
        "announced",
    );
}

#[test]
fn a_name_registered_with_wins_and_answered_first_by_a_poisoner() {
    // make.sh: FILESRV's nmbd, a client of the WINS server 10.89.0.5, registers its names with
    // it (tshark: frames 35, 37, 39, opcode 15 multi-homed registration, unicast, additional
    // record addr 10.89.0.10; positive responses 36, 38, 40) and by broadcast. The WINS server
    // answers the victim's query for FILESRV<00> with 10.89.0.10 (frame 82): no poisoning. The
    // poisoner then answers the broadcast query first (frame 89 at 11.7206 s, nmbd in frame 90
    // at 11.7481 s).
    poisoner_named(
        "names/wins.pcap",
        &[
            row("nbns", "FILESRV<00>", WINS, FILESRV),
            row("nbns", "FILESRV<00>", POISONER, POISONER),
            row("nbns", "FILESRV<00>", FILESRV, FILESRV),
        ],
        &["FILESRV<00>"],
        "registered",
    );
}
