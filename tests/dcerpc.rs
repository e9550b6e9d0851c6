//! Integration tests: DCE/RPC directly over TCP and over SMB named pipes. Expected values come
//! from Wireshark (`../shared/pcaps/tshark-facts.jsonl`, or tshark on the capture, quoted
//! beside the assertion) and from `pcaps/dcerpc/expected.json`.

mod common;

use std::collections::BTreeSet;

use common::{project_expectations, project_pcap, read, shared_pcap, Run};
use serde_json::Value;

/// Captures where every DCE/RPC PDU travels directly over TCP (tshark finds none inside SMB).
const TCP_CAPTURES: &[&str] = &[
    "zeek/Traces/dce-rpc/bind-ack-no-inband-null.pcap",
    "zeek/Traces/dce-rpc/cs_window7-join_stream092.pcap",
    "zeek/Traces/dce-rpc/dce_rpc_netlogon.pcapng",
    "zeek/Traces/dce-rpc/dce_rpc_ntlm.pcapng",
    "zeek/Traces/dce-rpc/kerberos135_auth.pcapng",
    "zeek/Traces/dce-rpc/ntlm-empty-av-sequence.pcap",
    "zeek/Traces/dce-rpc/ntlm-unterminated-av-sequence.pcap",
    "suricata-verify/bug-5133/input.pcap",
    "suricata-verify/dcerpc-issue-7187-01/test.pcap",
    "suricata-verify/dcerpc/dce-gap-handling/input.pcap",
    "suricata-verify/dcerpc/dcerpc-auth3-5133/input.pcap",
    "suricata-verify/dcerpc/dcerpc-bind-no-frag-flag/input.pcap",
    "suricata-verify/dcerpc/dcerpc-dce-iface-01/20171220_smb_psexec_mimikatz_ticket_dump-s2.pcap",
    "suricata-verify/dcerpc/dcerpc-dce-iface-02/input.pcap",
    "suricata-verify/dcerpc/dcerpc-dce-iface-many/input.pcap",
    "suricata-verify/dcerpc/dcerpc-dce-stub-data-02/input.pcap",
    "suricata-verify/dcerpc/dcerpc-dce-stub-data-03/input.pcap",
    "suricata-verify/dcerpc/dcerpc-dce-stub-data-04/input.pcap",
    "suricata-verify/dcerpc/dcerpc-dce-stub-data-05/input.pcap",
    "suricata-verify/dcerpc/dcerpc-dcepayload-15/input.pcap",
    "suricata-verify/dcerpc/dcerpc-dcepayload-16/input.pcap",
    "suricata-verify/dcerpc/dcerpc-dcepayload-17/input.pcap",
    "suricata-verify/dcerpc/dcerpc-dcepayload-18/input.pcap",
    "suricata-verify/dcerpc/dcerpc-dcepayload-19/input.pcap",
    "suricata-verify/dcerpc/dcerpc-dcepayload-20/input.pcap",
    "arkime/dcerpc_synthetic.pcap",
];

/// Captures mixing TCP and named pipes, and pipe-only ones whose SMB conversation starts at
/// the negotiate.
const MIXED_AND_PIPE_CAPTURES: &[&str] = &[
    "zeek/Traces/dce-rpc/20-fids.pcap",
    "zeek/Traces/dce-rpc/20-fids-no-close.pcap",
    "suricata-verify/dcerpc/dcerpc-ctxids/input.pcap",
    "suricata-verify/dcerpc/dcerpc-smb-ctxid/input.pcap",
    "suricata-verify/dcerpc/zerologon/input.pcap",
    "suricata-verify/dcerpc-smb-test-01/input.pcap",
    "suricata-verify/filestore-filecontainer-smb1-data-offset/input.pcap",
    "suricata-verify/smb-dce_iface/input.pcap",
];

/// Pipe conversations whose SMB connection the capture joins at the CREATE of the pipe, without
/// the TREE_CONNECT to IPC$ (SMB2 `atsvc`; SMB1 `\lsarpc` in mapi.pcap).
const MIDSTREAM_PIPE_CAPTURES: &[&str] = &[
    "suricata-verify/dcerpc/dcerpc-3109/input.pcap",
    "suricata-verify/smb2-04/20171220_smb_at_schedule.pcap",
    "zeek/Traces/dce-rpc/mapi.pcap",
];

/// Wireshark's interface names where ours (the Microsoft specifications') differ.
fn our_interface_name(wireshark: &str) -> String {
    match wireshark {
        "RPC_NETLOGON" => "NETLOGON".to_string(),
        "ISystemActivator" => "IREMOTESCMACTIVATOR".to_string(),
        other => other.to_uppercase(),
    }
}

/// The facts tshark recorded for one capture.
fn facts(relative: &str) -> Value {
    let text = hardwire::test_support::shared_file("pcaps/tshark-facts.jsonl").expect("facts");
    text.lines()
        .map(|line| serde_json::from_str::<Value>(line).expect("facts line"))
        .find(|entry| entry["path"] == relative)
        .unwrap_or_else(|| panic!("no tshark facts for {relative}"))
}

fn strings(value: &Value) -> BTreeSet<String> {
    value.as_array().map(|items| items.iter().filter_map(|v| v.as_str().map(str::to_string)).collect()).unwrap_or_default()
}

fn dcerpc_records(run: &Run) -> Vec<&Value> {
    run.of_type("dcerpc").into_iter().map(|record| &record["dcerpc"]).collect()
}

/// What is missing from our records compared with tshark: bind UUIDs (`dce_bind_uuids`) and
/// requests (`dce_req_ops`, `NAME:opnum`; `DCERPC` is Wireshark's name for an interface it
/// does not know or a request whose bind it did not see, and interfaces we do not know are
/// reported by UUID only).
fn disagreements(relative: &str) -> Vec<String> {
    let Some(pcap) = shared_pcap(relative) else { return Vec::new() };
    let run = read(&pcap);
    let facts = facts(relative);
    let records = dcerpc_records(&run);
    let interfaces: BTreeSet<String> = records.iter().filter_map(|r| r["interface"].as_str().map(str::to_string)).collect();
    let mut missing: Vec<String> =
        strings(&facts["sets"]["dce_bind_uuids"]).difference(&interfaces).map(|uuid| format!("{relative}: bind {uuid}")).collect();
    for op in strings(&facts["sets"]["dce_req_ops"]) {
        let (name, opnum) = op.rsplit_once(':').expect("NAME:opnum");
        let opnum: u64 = opnum.parse().expect("opnum");
        let wanted = our_interface_name(name);
        let seen = records.iter().any(|r| {
            r["opnum"].as_u64() == Some(opnum)
                && (name == "DCERPC" || r["interface_name"].as_str().is_none_or(|ours| ours.to_uppercase() == wanted))
        });
        if !seen {
            missing.push(format!("{relative}: request {op}"));
        }
    }
    missing
}

fn assert_agree(captures: &[&str]) {
    let missing: Vec<String> = captures.iter().flat_map(|c| disagreements(c)).collect();
    assert!(missing.is_empty(), "not seen: {missing:#?}");
}

#[test]
fn tcp_captures_agree_with_tshark() {
    assert_agree(TCP_CAPTURES);
}

#[test]
fn mixed_and_pipe_captures_agree_with_tshark() {
    assert_agree(MIXED_AND_PIPE_CAPTURES);
}

#[test]
fn midstream_pipe_captures_agree_with_tshark() {
    assert_agree(MIDSTREAM_PIPE_CAPTURES);
}

/// The records of a capture's `dcerpc` requests with this operation.
fn operations<'a>(run: &'a Run, operation: &str) -> Vec<&'a Value> {
    dcerpc_records(run).into_iter().filter(|r| r["operation"] == operation).collect()
}

#[test]
fn ntlm_over_tcp_names_the_user() {
    let Some(pcap) = shared_pcap("zeek/Traces/dce-rpc/dce_rpc_ntlm.pcapng") else { return };
    let run = read(&pcap);
    assert!(run.alert_rules().contains(&"ntlm.used".to_string()), "{}", run.stdout);
    // tshark: ntlmssp.auth.username Administrator, domain BLACKCLOVER, host CBTH-WS-1.
    let alert = run.of_type("alert").into_iter().find(|a| a["alert"]["rule"] == "ntlm.used").expect("ntlm.used");
    assert_eq!(alert["ntlm"]["user"], "Administrator");
    assert_eq!(alert["ntlm"]["domain"], "BLACKCLOVER");
    assert_eq!(alert["ntlm"]["host"], "CBTH-WS-1");
    assert!(alert["dcerpc"].is_object(), "the evidence is the DCE/RPC record");
    // The bind record waits for the AUTHENTICATE (in the alter_context) to name the user.
    let bind = dcerpc_records(&run).into_iter().find(|r| r["bind_result"].is_string()).expect("bind record");
    assert_eq!(bind["interface_name"], "IRemUnknown2");
    let bind_line = run.of_type("dcerpc").into_iter().find(|r| r["dcerpc"]["bind_result"].is_string()).unwrap();
    assert_eq!(bind_line["ntlm"]["user"], "Administrator");
    assert!(bind_line.get("src_port").is_some() && bind_line["dcerpc"].get("pipe").is_none(), "no pipe over TCP");
}

#[test]
fn kerberos_over_tcp_rides_on_the_records() {
    let Some(pcap) = shared_pcap("zeek/Traces/dce-rpc/kerberos135_auth.pcapng") else { return };
    let run = read(&pcap);
    // tshark: kerberos.realm SRT-AD.LOCAL, SNameString RPCSS / BLACKCLOVER-DC.SRT-AD.local;
    // facts: krb_etypes 18 (AES-256), so no kerberos.rc4.
    let request = run.of_type("dcerpc").into_iter().find(|r| r["dcerpc"]["opnum"] == 4).expect("RemoteCreateInstance");
    assert_eq!(request["kerberos"]["realm"], "SRT-AD.LOCAL");
    assert_eq!(request["kerberos"]["sname"], "RPCSS/BLACKCLOVER-DC.SRT-AD.local");
    assert_eq!(request["dcerpc"]["auth_level"], "connect");
    assert!(!run.alert_rules().contains(&"kerberos.rc4".to_string()));
}

#[test]
fn service_creation_over_tcp_with_packet_privacy() {
    // bug-5133: svcctl over a dynamic TCP port, NTLMSSP at packet privacy (tshark: auth_level 6),
    // RCreateServiceA (opnum 24) twice; ntlmssp.auth.username Backdoor.
    let Some(pcap) = shared_pcap("suricata-verify/bug-5133/input.pcap") else { return };
    let run = read(&pcap);
    let creates = operations(&run, "RCreateServiceA");
    assert_eq!(creates.len(), 2);
    for create in &creates {
        assert_eq!(create["interface"], "367abb81-9844-35f1-ad32-98f038001003");
        assert_eq!(create["auth_level"], "privacy");
        assert!(create.get("command").is_none(), "the stub is ciphertext");
    }
    let alert = run.of_type("alert").into_iter().find(|a| a["alert"]["rule"] == "dcerpc.remote_service").expect("remote_service");
    assert_eq!(alert["alert"]["severity"], "high");
    assert_eq!(alert["ntlm"]["user"], "Backdoor");
    assert_eq!(alert["dcerpc"]["operation"], "RCreateServiceA");
    // The endpoint mapper call on 135 before it (tshark: EPM:3).
    assert!(!operations(&run, "ept_map").is_empty());
}

#[test]
fn psexec_over_tcp_with_spnego() {
    // suricata-verify dcerpc-dce-iface-01: svcctl over TCP, SPNEGO (auth_type 9) at privacy,
    // tshark: "Unknown operation 45" = RCreateServiceWOW64W.
    let Some(pcap) = shared_pcap("suricata-verify/dcerpc/dcerpc-dce-iface-01/20171220_smb_psexec_mimikatz_ticket_dump-s2.pcap") else {
        return;
    };
    let run = read(&pcap);
    assert!(!operations(&run, "RCreateServiceWOW64W").is_empty());
    assert!(run.alert_rules().contains(&"dcerpc.remote_service".to_string()));
    assert!(!run.alert_rules().contains(&"dcerpc.remote_task".to_string()));
}

#[test]
fn at_job_over_the_atsvc_pipe() {
    // suricata-verify dcerpc-smb-ctxid: tshark atsvc_JobInfo.command is
    // "cmd /c whoami.exe > c:\windows\temp\at.txt" (quotes included).
    let Some(pcap) = shared_pcap("suricata-verify/dcerpc/dcerpc-smb-ctxid/input.pcap") else { return };
    let run = read(&pcap);
    let jobs = operations(&run, "NetrJobAdd");
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0]["pipe"], "atsvc");
    assert_eq!(jobs[0]["command"], r#""cmd /c whoami.exe > c:\windows\temp\at.txt""#);
    let alert = run.of_type("alert").into_iter().find(|a| a["alert"]["rule"] == "dcerpc.remote_task").expect("remote_task");
    assert_eq!(alert["dcerpc"]["command"], jobs[0]["command"]);
    assert!(alert["smb"].is_object(), "the SMB session is evidence");
}

#[test]
fn at_job_in_ndr64() {
    // suricata-verify smb2-04: the bind_ack accepts NDR64 for context 1; tshark
    // atsvc_JobInfo.command is c:\mimikatz.exe.
    let Some(pcap) = shared_pcap("suricata-verify/smb2-04/20171220_smb_at_schedule.pcap") else { return };
    let run = read(&pcap);
    let jobs = operations(&run, "NetrJobAdd");
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0]["command"], r"c:\mimikatz.exe");
    assert!(run.alert_rules().contains(&"dcerpc.remote_task".to_string()));
}

#[test]
fn service_creation_over_smb1_pipe() {
    // filestore-filecontainer-smb1-data-offset: SMB1 svcctl CreateServiceW (opnum 12); tshark
    // "Binary Path Name" below, ServiceName the same random name as the first executable.
    let Some(pcap) = shared_pcap("suricata-verify/filestore-filecontainer-smb1-data-offset/input.pcap") else { return };
    let run = read(&pcap);
    let creates = operations(&run, "RCreateServiceW");
    assert_eq!(creates.len(), 1);
    let binary = r"C:\WINDOWS\12zcytvobte007cok1akhmrr_jud32303366jbc3p9x9my1rl9gwtlqfjqx20osk.exe C:\WINDOWS\hbik424zgeokk9qen4582wxohkmu02ijclid3fyg42lpfgdhn1mwc_yty5bdcf3g.exe";
    assert_eq!(creates[0]["command"], binary);
    assert_eq!(creates[0]["service_name"], "12zcytvobte007cok1akhmrr_jud32303366jbc3p9x9my1rl9gwtlqfjqx20osk");
    assert_eq!(creates[0]["pipe"], "svcctl");
    assert!(run.alert_rules().contains(&"dcerpc.remote_service".to_string()));
}

#[test]
fn psexec_over_smb2_pipe_and_its_own_pipe() {
    // dcerpc-smb-test-01: svcctl RCreateServiceWOW64W (tshark "Unknown operation 45") for
    // PSEXESVC, then PsExec's own protocol on the PSEXESVC pipe, which is not DCE/RPC and not
    // an error.
    let Some(pcap) = shared_pcap("suricata-verify/dcerpc-smb-test-01/input.pcap") else { return };
    let run = read(&pcap);
    let creates = operations(&run, "RCreateServiceWOW64W");
    assert_eq!(creates.len(), 1);
    assert_eq!(creates[0]["service_name"], "PSEXESVC");
    let alert = run.of_type("alert").into_iter().find(|a| a["alert"]["rule"] == "dcerpc.remote_service").expect("remote_service");
    let message = alert["alert"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("PSEXESVC") && message.contains("RCreateServiceWOW64W"), "{message}");
    assert!(run.stats()["parse_errors"].get("dcerpc").is_none(), "{}", run.stats());
}

#[test]
fn resynchronises_after_a_gap() {
    // dce-gap-handling: the capture loses segments mid-conversation; tshark still sees SAMR
    // requests 0 and 3 after the alter_context.
    let Some(pcap) = shared_pcap("suricata-verify/dcerpc/dce-gap-handling/input.pcap") else { return };
    let run = read(&pcap);
    let opnums: BTreeSet<u64> = dcerpc_records(&run).iter().filter_map(|r| r["opnum"].as_u64()).collect();
    assert!(opnums.is_superset(&BTreeSet::from([0, 3])), "{opnums:?}");
}

/// Lower case, without `\PIPE\` or a leading backslash, as SCHEMA.md spells `dcerpc.pipe`.
fn pipe_name(raw: &str) -> String {
    let lower = raw.to_lowercase();
    let trimmed = lower.trim_start_matches('\\');
    trimmed.strip_prefix("pipe\\").unwrap_or(trimmed).to_string()
}

#[test]
fn our_captures_meet_their_expectations() {
    let expectations = project_expectations("dcerpc");
    let mut failures = Vec::new();
    for entry in expectations.as_array().expect("a list of captures") {
        let file = entry["file"].as_str().expect("file");
        let run = read(&project_pcap(&format!("dcerpc/{file}")));
        let records = dcerpc_records(&run);
        let field = |name: &str| -> BTreeSet<String> { records.iter().filter_map(|r| r[name].as_str().map(str::to_string)).collect() };
        let tshark = &entry["tshark"];
        let alerts: BTreeSet<String> = run.alert_rules().into_iter().collect();
        for uuid in strings(&tshark["bind_uuids"]).difference(&field("interface")) {
            failures.push(format!("{file}: bind {uuid} not reported"));
        }
        let ops: BTreeSet<String> =
            records.iter().filter_map(|r| Some(format!("{}:{}", r["interface"].as_str()?, r["opnum"].as_u64()?))).collect();
        for op in strings(&tshark["req_ops"]).difference(&ops) {
            failures.push(format!("{file}: request {op} not reported"));
        }
        let pipes: BTreeSet<String> = strings(&tshark["pipes"]).iter().map(|p| pipe_name(p)).collect();
        for pipe in pipes.difference(&field("pipe")) {
            failures.push(format!("{file}: pipe {pipe} not reported"));
        }
        for rule in strings(&entry["must_fire"]).difference(&alerts) {
            failures.push(format!("{file}: {rule} did not fire"));
        }
        for rule in strings(&entry["must_not_fire"]).intersection(&alerts) {
            failures.push(format!("{file}: {rule} fired"));
        }
        if let Some(command) = entry["command"].as_str() {
            if !field("command").contains(command) {
                failures.push(format!("{file}: command {command:?} not reported, have {:?}", field("command")));
            }
        }
        if entry["command_with_nt_password"].is_string() && !field("command").is_empty() {
            failures.push(format!("{file}: a command read from a privacy stub"));
        }
        if run.stats()["parse_errors"].get("dcerpc").is_some() {
            failures.push(format!("{file}: dcerpc parse errors {}", run.stats()["parse_errors"]));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Contexts come from the bind and alter_context too: pcaps/dcerpc/svcctl-contexts-oneside.pcap
/// is svcctl-contexts.pcap cut to what the client sent (make-contexts.sh, tcpdump 'src host
/// 10.77.1.20'): a bind of 71 contexts (70 random, svcctl last), an alter_context adding svcctl
/// as context 71, then OpenSCManagerW (opnum 15) and RCreateServiceW (opnum 12) on context 71 in
/// fragments (tshark), no server byte at all. The whole capture raises it as well.
#[test]
fn remote_service_is_seen_from_the_client_side_alone() {
    for file in ["svcctl-contexts.pcap", "svcctl-contexts-oneside.pcap"] {
        let run = read(&project_pcap(&format!("dcerpc/{file}")));
        let calls: Vec<&Value> = run.of_type("dcerpc").into_iter().filter(|r| r["dcerpc"]["operation"] == "RCreateServiceW").collect();
        assert_eq!(calls.len(), 1, "{file}");
        assert_eq!(calls[0]["dcerpc"]["interface_name"], "svcctl", "{file}");
        assert_eq!(calls[0]["dcerpc"]["command"], "%COMSPEC% /c whoami", "{file}");
        assert!(run.alert_rules().contains(&"dcerpc.remote_service".to_string()), "{file}");
    }
}

/// svcctl-contexts-midstream.pcap is svcctl-contexts.pcap from the alter_context on (editcap,
/// make-contexts.sh): the sensor never sees the SMB CREATE of the pipe nor the bind, only the
/// alter_context naming svcctl as context 71 and the fragmented calls on it (tshark).
#[test]
fn alter_context_is_enough_when_the_capture_starts_after_the_bind() {
    let run = read(&project_pcap("dcerpc/svcctl-contexts-midstream.pcap"));
    let calls: Vec<(String, String)> = run
        .of_type("dcerpc")
        .into_iter()
        .filter_map(|r| Some((r["dcerpc"]["interface_name"].as_str()?.to_string(), r["dcerpc"]["operation"].as_str()?.to_string())))
        .collect();
    assert_eq!(calls, [("svcctl".to_string(), "ROpenSCManagerW".to_string()), ("svcctl".to_string(), "RCreateServiceW".to_string())]);
    assert!(run.alert_rules().contains(&"dcerpc.remote_service".to_string()));
}

/// DCE/RPC over SMB1's core commands: smb1-write-read.pcap writes svcctl with SMB_COM_WRITE
/// (0x0B; tshark frames 17, 23, 28: bind, opnum 15, opnum 12 with lpBinaryPathName
/// `%COMSPEC% /c whoami`) and reads the answers with READ_ANDX (frame 22: bind_ack accepted).
/// rpcclient-smb1.pcap is Samba's own client over SMB1 TRANSACTION (frame 48: srvsvc opnum 15).
#[test]
fn dcerpc_over_smb1_core_write_and_transaction() {
    let run = read(&project_pcap("dcerpc/smb1-write-read.pcap"));
    let records = run.of_type("dcerpc");
    let bind = records.iter().find(|r| r["dcerpc"]["bind_result"].is_string()).expect("a bind record");
    assert_eq!(
        (bind["dcerpc"]["interface"].as_str(), bind["dcerpc"]["bind_result"].as_str()),
        (Some("367abb81-9844-35f1-ad32-98f038001003"), Some("accepted"))
    );
    let create = records.iter().find(|r| r["dcerpc"]["opnum"] == 12).expect("RCreateServiceW");
    assert_eq!(create["dcerpc"]["pipe"], "svcctl");
    assert_eq!(create["dcerpc"]["command"], "%COMSPEC% /c whoami");
    assert_eq!(create["smb"]["version"], 1);
    assert!(run.alert_rules().contains(&"dcerpc.remote_service".to_string()));

    let run = read(&project_pcap("dcerpc/rpcclient-smb1.pcap"));
    let share_enum = run.of_type("dcerpc").into_iter().find(|r| r["dcerpc"]["interface_name"] == "srvsvc" && r["dcerpc"]["opnum"] == 15);
    assert_eq!(share_enum.expect("NetrShareEnum")["smb"]["version"], 1);
}

/// SMB2 related compounds (MS-SMB2 3.3.5.2.7.2): in svcctl-compound.pcap (make-contexts.sh,
/// smbprotocol's compounds) tshark's frame 14 is a CREATE of `svcctl` and a WRITE related to it
/// (`smb2.flags.chained`) whose FileId is the placeholder ffffffff-ffff-ffff-ffff-ffffffffffff,
/// carrying the bind to svcctl (367abb81-9844-35f1-ad32-98f038001003); frame 16 answers the
/// CREATE with FileId ac9f34ef-0000-0000-9d26-5e7b00000000, frame 23 reads the bind_ack from it,
/// frames 25 and 29 write opnums 15 and 12 to it. One pipe, one conversation: the bind names the
/// interface of the calls.
#[test]
fn a_bind_in_a_related_compound_reaches_the_pipe_its_create_opens() {
    let run = read(&project_pcap("dcerpc/svcctl-compound.pcap"));
    let records = run.of_type("dcerpc");
    let binds: Vec<&Value> = records.iter().copied().filter(|r| r["dcerpc"]["bind_result"].is_string()).collect();
    assert_eq!(binds.len(), 1, "{binds:?}");
    assert_eq!(
        (binds[0]["dcerpc"]["pipe"].as_str(), binds[0]["dcerpc"]["interface"].as_str(), binds[0]["dcerpc"]["bind_result"].as_str()),
        (Some("svcctl"), Some("367abb81-9844-35f1-ad32-98f038001003"), Some("accepted"))
    );
    let calls: Vec<(Option<&str>, Option<u64>)> = records
        .iter()
        .filter(|r| r["dcerpc"]["opnum"].is_u64())
        .map(|r| (r["dcerpc"]["interface_name"].as_str(), r["dcerpc"]["opnum"].as_u64()))
        .collect();
    assert_eq!(calls, [(Some("svcctl"), Some(15)), (Some("svcctl"), Some(12))]);
    assert!(run.alert_rules().contains(&"dcerpc.remote_service".to_string()));
}
