//! Integration tests: the adversary in the middle and the RPC calls that coerce, replicate and
//! execute. Expected values come from the captures' sources (`pcaps/mitm/make.sh` and the
//! scripts beside it) and from tshark, quoted beside each assertion.

mod common;

use common::{project_pcap, read, read_with, shared_pcap, Run};
use serde_json::Value;

/// The rules of issue 16 that read DCE/RPC.
const RPC_ATTACK_RULES: &[&str] = &["dcerpc.coercion", "dcerpc.dcsync", "dcerpc.remote_wmi", "dcerpc.print_driver", "dcerpc.zerologon"];

fn alerts<'a>(run: &'a Run, rule: &str) -> Vec<&'a Value> {
    run.of_type("alert").into_iter().filter(|a| a["alert"]["rule"] == rule).collect()
}

fn requests<'a>(run: &'a Run, operation: &str) -> Vec<&'a Value> {
    run.of_type("dcerpc").into_iter().filter(|r| r["dcerpc"]["operation"] == operation).collect()
}

fn no_rpc_attack_alert(run: &Run, what: &str) {
    for rule in run.alert_rules() {
        assert!(!RPC_ATTACK_RULES.contains(&rule.as_str()), "{what}: {rule} fired");
    }
}

#[test]
fn printerbug_and_dfscoerce_against_samba() {
    // coerce.py names \\10.79.0.66 (the listener of make.sh) in
    // RpcRemoteFindFirstPrinterChangeNotificationEx (tshark: spoolss.servername \\10.79.0.66)
    // and ServerName 10.79.0.66, RootShare "test" in NetrDfsRemoveStdRoot.
    let run = read(&project_pcap("mitm/coerce-samba.pcap"));
    let coercions = alerts(&run, "dcerpc.coercion");
    let mut seen: Vec<(String, String)> = coercions
        .iter()
        .map(|a| (a["dcerpc"]["operation"].as_str().unwrap_or("").to_string(), a["dcerpc"]["path"].as_str().unwrap_or("").to_string()))
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            ("NetrDfsRemoveStdRoot".to_string(), "\\\\10.79.0.66\\test".to_string()),
            ("RpcRemoteFindFirstPrinterChangeNotificationEx".to_string(), "\\\\10.79.0.66".to_string()),
        ]
    );
    for alert in &coercions {
        assert_eq!(alert["alert"]["severity"], "high");
        assert_eq!(alert["src_ip"], "10.79.0.20");
        assert_eq!(alert["dest_ip"], "10.79.0.10");
        assert_eq!(alert["ntlm"]["user"], "hwadmin");
    }
    // PetitPotam's bind to MS-EFSR over \lsarpc: Samba rejects it, no request follows.
    let efsr: Vec<&Value> =
        run.of_type("dcerpc").into_iter().filter(|r| r["dcerpc"]["interface"] == "c681d488-d850-11d0-8c52-00c04fd90f7e").collect();
    assert_eq!(efsr.len(), 1);
    assert_eq!(efsr[0]["dcerpc"]["interface_name"], "efsrpc");
    assert_eq!(efsr[0]["dcerpc"]["pipe"], "lsarpc");
    assert_eq!(efsr[0]["dcerpc"]["bind_result"], "provider_rejection");
    // The opening of the printer is no coercion.
    assert_eq!(requests(&run, "RpcOpenPrinter").len(), 1);
}

#[test]
fn benign_rpc_baselines_fire_no_attack_rule() {
    // rpcclient's srvinfo, enumprinters and netshareenum against the same Samba; the samr and
    // srvsvc session of pcaps/dcerpc.
    for pcap in ["mitm/rpcclient-baseline.pcap", "dcerpc/rpcclient-samr.pcap", "dcerpc/psexec-svcctl.pcap"] {
        let run = read(&project_pcap(pcap));
        assert!(!run.of_type("dcerpc").is_empty(), "{pcap}: no dcerpc record");
        no_rpc_attack_alert(&run, pcap);
    }
    let run = read(&project_pcap("mitm/rpcclient-baseline.pcap"));
    assert_eq!(requests(&run, "RpcEnumPrinters").len(), 1);
}

#[test]
fn zerologon_with_a_zero_credential() {
    // tshark -Y netlogon.clientcred: every NetrServerAuthenticate3 of this capture carries
    // Client Credential 0000000000000000, Acct Name BAS-AD-01$, Computer Name BAS-AD-01, from
    // 172.16.0.10 to 172.16.5.58.
    let Some(pcap) = shared_pcap("suricata-verify/dcerpc/zerologon/input.pcap") else { return };
    let run = read(&pcap);
    let attempts = requests(&run, "NetrServerAuthenticate3");
    assert!(attempts.len() >= 20, "{} attempts", attempts.len());
    for attempt in &attempts {
        assert_eq!(attempt["dcerpc"]["zero_credential"], true);
        assert_eq!(attempt["dcerpc"]["account"], "BAS-AD-01$");
        assert_eq!(attempt["dcerpc"]["computer"], "BAS-AD-01");
    }
    let fired = alerts(&run, "dcerpc.zerologon");
    assert!(!fired.is_empty());
    assert_eq!(fired[0]["alert"]["severity"], "critical");
    assert_eq!(fired[0]["src_ip"], "172.16.0.10");
    let total: u64 = fired.iter().map(|a| a["alert"]["count"].as_u64().unwrap_or(0)).sum();
    assert_eq!(total as usize, attempts.len(), "every attempt counted once, repeats folded");
    // NetrServerPasswordSet2 (the attack's next step) and the ReqChallenges fire nothing.
    assert!(fired.iter().all(|a| a["dcerpc"]["operation"] == "NetrServerAuthenticate3"));
    // The credential itself is never written: the only field about it is the flag.
    for record in run.of_type("dcerpc") {
        let fields = record["dcerpc"].as_object().expect("dcerpc object");
        assert!(fields.keys().all(|k| !k.contains("credential") || k == "zero_credential"), "{record}");
    }
}

#[test]
fn zerologon_over_tcp_and_with_authenticate2() {
    // tshark: NetrServerAuthenticate2 (opnum 15) with Client Credential 0000000000000000 from
    // 172.31.222.157 (three attempts) and from 192.168.56.104 (bug-5162, before its DCSync).
    for (capture, client) in [
        ("suricata-verify/dcerpc/dcerpc-dce-iface-many/input.pcap", "172.31.222.157"),
        ("suricata-verify/bug-5162/input.pcap", "192.168.56.104"),
    ] {
        let Some(pcap) = shared_pcap(capture) else { return };
        let run = read(&pcap);
        let fired = alerts(&run, "dcerpc.zerologon");
        assert!(!fired.is_empty(), "{capture}");
        assert!(fired.iter().all(|a| a["src_ip"] == client && a["dcerpc"]["operation"] == "NetrServerAuthenticate2"), "{capture}");
    }
}

#[test]
fn dcsync_unless_the_client_is_a_domain_controller() {
    // bug-5162: tshark dce_req_ops DRSUAPI:3 (DRSGetNCChanges) from 192.168.56.104 to
    // 192.168.56.102, authenticated with NTLM as DC$.
    let Some(pcap) = shared_pcap("suricata-verify/bug-5162/input.pcap") else { return };
    let run = read(&pcap);
    let fired = alerts(&run, "dcerpc.dcsync");
    assert_eq!(fired.len(), 1);
    assert_eq!(fired[0]["alert"]["severity"], "critical");
    assert_eq!(fired[0]["src_ip"], "192.168.56.104");
    assert_eq!(fired[0]["dcerpc"]["operation"], "IDL_DRSGetNCChanges");
    assert_eq!(fired[0]["dcerpc"]["interface_name"], "drsuapi");
    assert_eq!(fired[0]["ntlm"]["user"], "DC$");

    let dir = std::env::temp_dir().join(format!("hardwire-mitm-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch folder");
    let config = dir.join("dc.toml");
    std::fs::write(&config, "domain_controllers = [\"192.168.56.104/32\"]\n").expect("config");
    let run = read_with(&["--config", config.to_str().expect("utf-8")], &[&pcap]);
    assert!(run.status.success(), "{}", run.stderr);
    assert!(alerts(&run, "dcerpc.dcsync").is_empty(), "a configured domain controller replicates freely");
    assert!(!alerts(&run, "dcerpc.zerologon").is_empty(), "the other rules still run");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn print_driver_installation() {
    // tshark dce_req_ops SPOOLSS:89 (RpcAddPrinterDriverEx), user robin over SMB2.
    let Some(pcap) = shared_pcap("suricata-verify/smb-dce_iface/input.pcap") else { return };
    let run = read(&pcap);
    let fired = alerts(&run, "dcerpc.print_driver");
    assert_eq!(fired.len(), 1);
    assert_eq!(fired[0]["dcerpc"]["operation"], "RpcAddPrinterDriverEx");
    assert_eq!(fired[0]["dcerpc"]["pipe"], "spoolss");
    assert_eq!(fired[0]["ntlm"]["user"], "robin");
    // SPOOLSS:10 (RpcEnumPrinterDrivers, tshark: two requests) in the same capture is no
    // installation.
    assert_eq!(requests(&run, "RpcEnumPrinterDrivers").len(), 2);
}

#[test]
fn ntlmrelayx_relaying_smbclient_to_samba() {
    // make.sh: smbclient on 10.79.0.20 authenticates to ntlmrelayx.py on 10.79.0.66, which
    // relays to Samba on 10.79.0.10 (its log: "Authenticating against smb://10.79.0.10 as
    // WORKGROUP/HWADMIN SUCCEED"). tshark: the CHALLENGE of frame 24 (Samba to the relay) and
    // of frame 25 (the relay to the victim) carry the same server challenge, the AUTHENTICATEs
    // of frames 26 and 27 the same NTProofStr, MsvAvFlags 0x00000002 and target name
    // cifs/10.79.0.66.
    let run = read(&project_pcap("mitm/relay-smb.pcap"));
    let relay = alerts(&run, "ntlm.relay");
    assert_eq!(relay.len(), 1, "{relay:?}");
    assert_eq!(relay[0]["alert"]["severity"], "critical");
    assert_eq!(relay[0]["src_ip"], "10.79.0.66");
    assert_eq!(relay[0]["dest_ip"], "10.79.0.10");
    assert_eq!(relay[0]["ntlm"]["user"], "hwadmin");
    // The SPN the victim meant names the relay, not the server it reached.
    assert_eq!(relay[0]["ntlm"]["target_name"], "cifs/10.79.0.66");
    for session in run.of_type("smb").iter().filter(|r| !r["ntlm"].is_null()) {
        let ntlm = &session["ntlm"];
        assert_eq!((ntlm["mic"].as_bool(), ntlm["mic_flagged"].as_bool()), (Some(true), Some(true)), "{session}");
        assert_eq!(ntlm["target_name"], "cifs/10.79.0.66");
        assert_eq!((ntlm["signing"].as_bool(), ntlm["sealing"].as_bool()), (Some(true), Some(false)));
    }
    assert!(alerts(&run, "ntlm.mic_removed").is_empty(), "the MIC travelled intact");
    // Neither the challenge nor the proof is written, in any spelling (tshark -e
    // ntlmssp.ntlmserverchallenge, -e ntlmssp.ntlmv2_response.ntproofstr on this capture).
    let lower = run.stdout.to_lowercase();
    for secret in ["63aa88220640b1d8", "0b3b011cb51267bbc5ee58bba331a806"] {
        assert!(!lower.contains(secret), "{secret} written out");
    }
    assert!(!run.stdout.contains("challenge_key") && !run.stdout.contains("proof_key"));
}

#[test]
fn ntlmrelayx_removing_the_mic() {
    // make.sh: the same relay with `--remove-mic` (CVE-2019-1040). tshark: the victim's
    // AUTHENTICATE (frame 21, 10.79.0.20 to 10.79.0.66) carries MsvAvFlags 0x00000002 and a MIC
    // (ntlmssp.authenticate.mic 52159d01...); the relayed copy (frame 22, 10.79.0.66 to
    // 10.79.0.10) the same NTLMv2 response (NTProofStr 7aa29705..., MsvAvFlags still 0x00000002:
    // the relay cannot edit it without breaking the proof) but no MIC and no VERSION (negotiate
    // flags 0x22080205 become 0x20080205, the payload starts at offset 64, right after the
    // flags). Samba checks the MIC the flags announce ("ntlmssp_server_postauth: invalid
    // NTLMSSP_MIC" in its log) and answers STATUS_INVALID_PARAMETER (frame 23, 0xc000000d).
    let run = read(&project_pcap("mitm/relay-smb-nomic.pcap"));
    let fired = alerts(&run, "ntlm.mic_removed");
    assert_eq!(fired.len(), 1, "{fired:?}");
    assert_eq!((fired[0]["src_ip"].as_str(), fired[0]["dest_ip"].as_str()), (Some("10.79.0.66"), Some("10.79.0.10")));
    assert_eq!(fired[0]["ntlm"]["user"], "hwadmin");
    assert_eq!(fired[0]["ntlm"]["status"], "failure");
    let leg = |client: &str| {
        let sessions: Vec<&Value> = run.of_type("smb").into_iter().filter(|r| r["src_ip"] == client && !r["ntlm"].is_null()).collect();
        assert_eq!(sessions.len(), 1, "{client}: {sessions:?}");
        (sessions[0]["ntlm"]["mic"].as_bool(), sessions[0]["ntlm"]["mic_flagged"].as_bool())
    };
    assert_eq!(leg("10.79.0.20"), (Some(true), Some(true)), "the victim's own AUTHENTICATE keeps its MIC");
    assert_eq!(leg("10.79.0.66"), (Some(false), Some(true)), "the relayed one announces a MIC it lacks");
    // Both legs share the challenge and the proof: the relay is seen too.
    assert_eq!(alerts(&run, "ntlm.relay").len(), 1);
    let lower = run.stdout.to_lowercase();
    for secret in ["e2a59169796b4c2b", "7aa297055bef2f029bb7f47bd43c8a31", "52159d01416afa8cc23b1b9b3959dfe8"] {
        assert!(!lower.contains(secret), "{secret} written out");
    }
}

#[test]
fn no_other_capture_of_ours_has_its_mic_removed() {
    // Every other capture of pcaps/: real clients (smbclient, Windows-like impacket and Samba
    // peers, curl) and the plain relay, whose MIC travelled intact.
    let root = common::workspace_root().expect("workspace root").join("pcaps");
    let mut pending = vec![root];
    let mut read_files = 0;
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("pcaps folder") {
            let path = entry.expect("pcaps entry").path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            if path.is_dir() {
                pending.push(path);
            } else if name.contains(".pcap") && name != "relay-smb-nomic.pcap" {
                assert!(alerts(&read(&path), "ntlm.mic_removed").is_empty(), "{}", path.display());
                read_files += 1;
            }
        }
    }
    assert!(read_files > 50, "{read_files} captures read");
}

#[test]
fn ordinary_smb_is_no_relay() {
    // The same smbclient straight to Samba: one challenge, one proof, a MIC (tshark: MsvAvFlags
    // 0x00000002, target name cifs/10.79.0.10).
    let run = read(&project_pcap("mitm/smb-direct.pcap"));
    let ntlm = &run.of_type("smb")[0]["ntlm"];
    assert_eq!((ntlm["mic"].as_bool(), ntlm["mic_flagged"].as_bool()), (Some(true), Some(true)));
    assert_eq!(ntlm["target_name"], "cifs/10.79.0.10");
    for rule in ["ntlm.relay", "ntlm.mic_removed"] {
        assert!(alerts(&run, rule).is_empty(), "{rule}");
    }
    // impacket's client sends no MIC and does not claim one: no drop-the-MIC either.
    let run = read(&project_pcap("mitm/coerce-samba.pcap"));
    assert!(run.of_type("smb").iter().all(|s| s["ntlm"]["mic"] == false && s["ntlm"]["mic_flagged"] == false));
    assert!(alerts(&run, "ntlm.mic_removed").is_empty() && alerts(&run, "ntlm.relay").is_empty());
}

#[test]
fn dcsync_and_zerologon_against_a_samba_dc() {
    // pcaps/ldap/make.sh: impacket's secretsdump.py -just-dc as HARDWIRE\Administrator
    // (tshark: drsuapi opnum 3 from 10.79.2.20 to 10.79.2.10; NTLMSSP_AUTH Administrator,
    // HARDWIRE), Samba refusing what it asks for.
    let run = read(&project_pcap("ldap/dc-dcsync.pcap"));
    let fired = alerts(&run, "dcerpc.dcsync");
    assert_eq!(fired.len(), 1);
    assert_eq!((&fired[0]["src_ip"], &fired[0]["dest_ip"]), (&"10.79.2.20".into(), &"10.79.2.10".into()));
    assert_eq!(fired[0]["dcerpc"]["operation"], "IDL_DRSGetNCChanges");
    assert_eq!((&fired[0]["ntlm"]["user"], &fired[0]["ntlm"]["domain"]), (&"Administrator".into(), &"HARDWIRE".into()));
    for rule in run.alert_rules() {
        assert!(rule == "dcerpc.dcsync" || !RPC_ATTACK_RULES.contains(&rule.as_str()), "{rule}");
    }
    // zerologon.py: 8 NetrServerReqChallenge + NetrServerAuthenticate3 with Client Credential
    // 0000000000000000 for DC1$ (tshark, decoding port 49152 as DCE/RPC), each answered
    // 0xc0000022: every attempt fires, repeats folded into one line with their count.
    let run = read(&project_pcap("ldap/dc-zerologon.pcap"));
    let attempts = requests(&run, "NetrServerAuthenticate3");
    assert_eq!(attempts.len(), 8);
    assert!(attempts.iter().all(|a| a["dcerpc"]["zero_credential"] == true && a["dcerpc"]["account"] == "DC1$"));
    let fired = alerts(&run, "dcerpc.zerologon");
    let total: u64 = fired.iter().map(|a| a["alert"]["count"].as_u64().unwrap_or(0)).sum();
    assert_eq!(total, 8);
    assert!(fired.iter().all(|a| a["src_ip"] == "10.79.2.20" && a["alert"]["severity"] == "critical"));
    assert!(!run.stdout.contains("Hardw1re!Adm1n"));
}
