//! Integration tests: LDAP binds. Public captures of `../shared/pcaps` with tshark as the oracle
//! (the values quoted beside each assertion are tshark's), and our own against a Samba AD DC
//! (`pcaps/ldap/make.sh`, whose arguments are the oracle).

mod common;

use common::{project_pcap, read, secret_like_strings, shared_pcap, Run};
use serde_json::Value;

const LDAP_RULES: &[&str] = &["ldap.cleartext_bind", "ldap.unsigned_bind"];

fn binds(run: &Run) -> Vec<&Value> {
    run.of_type("ldap").into_iter().filter(|r| r["ldap"]["bind_type"].is_string()).collect()
}

fn alerts<'a>(run: &'a Run, rule: &str) -> Vec<&'a Value> {
    run.of_type("alert").into_iter().filter(|a| a["alert"]["rule"] == rule).collect()
}

/// The output never holds the password, in any field or form.
fn no_password(run: &Run, password: &str, what: &str) {
    assert!(!run.stdout.contains(password), "{what}: the password is in the output");
    assert!(secret_like_strings(run).is_empty(), "{what}: {:?}", secret_like_strings(run));
}

#[test]
fn simple_binds_in_clear_fire_cleartext_bind_and_never_show_the_password() {
    // tshark -Y ldap.simple: (capture, ldap.name, ldap.simple)
    for (pcap, dn, password) in [
        ("zeek/Traces/ldap/ldap-add.pcap", "cn=admin,dc=example,dc=com", "zeek"),
        ("zeek/Traces/ldap/ldap-who-am-i.pcap", "cn=admin,dc=example,dc=com", "zeek"),
        ("zeek/Traces/ldap/ldap_escaping_test.pcapng", "cn=admin,dc=nodomain", "myldappass"),
        ("arkime/arkime_synthetic.pcap", "cn=admin,dc=example,dc=com", "testpass"),
    ] {
        let Some(path) = shared_pcap(pcap) else { return };
        let run = read(&path);
        let simple: Vec<&Value> = binds(&run).into_iter().filter(|b| b["ldap"]["bind_dn"] == dn).collect();
        assert!(!simple.is_empty(), "{pcap}: no bind of {dn}");
        for bind in &simple {
            assert_eq!(bind["ldap"]["bind_type"], "simple", "{pcap}");
            assert_eq!(bind["ldap"]["password_sent"], true, "{pcap}");
            assert_eq!(bind["ldap"]["tls"], false, "{pcap}");
        }
        let fired = alerts(&run, "ldap.cleartext_bind");
        assert!(!fired.is_empty(), "{pcap}: ldap.cleartext_bind did not fire");
        assert!(fired.iter().all(|a| a["ldap"]["bind_dn"] == dn && a["alert"]["severity"] == "high"), "{pcap}");
        no_password(&run, password, pcap);
    }
}

#[test]
fn sicily_ntlm_bind_of_a_windows_client() {
    // tshark: bindRequest sicilyNegotiate, bindResponse (matchedDN: the CHALLENGE),
    // bindRequest sicilyResponse User: ADHACKING.LOCAL\User1, bindResponse success; then a
    // searchRequest in clear.
    let Some(path) = shared_pcap("zeek/Traces/ldap/aduser1-ntlm.pcap") else { return };
    let run = read(&path);
    let binds = binds(&run);
    assert_eq!(binds.len(), 1, "the three steps are one bind");
    let bind = binds[0];
    assert_eq!(bind["ldap"]["bind_type"], "sicily");
    assert_eq!(bind["ldap"]["result"], "success");
    assert_eq!(bind["ldap"]["signing"], "none");
    assert_eq!(bind["ntlm"]["user"], "User1");
    assert_eq!(bind["ntlm"]["domain"], "ADHACKING.LOCAL");
    assert_eq!(bind["ntlm"]["server_nb_name"], "WIN-VGO56I95EAK");
    assert_eq!(bind["ntlm"]["status"], "success");
    let rules = run.alert_rules();
    assert!(rules.contains(&"ldap.unsigned_bind".to_string()) && rules.contains(&"ntlm.used".to_string()), "{rules:?}");
}

#[test]
fn gss_spnego_kerberos_bind_followed_by_a_clear_search() {
    // tshark: bindRequest(1440128865) "User1" sasl GSS-SPNEGO, Kerberos AP-REQ for
    // ldap/WIN-VGO56I95EAK (realm ADHACKING.LOCAL, ticket etype 18); bindResponse success;
    // searchRequest(1319382063) as a bare LDAPMessage: no security layer.
    let Some(path) = shared_pcap("zeek/Traces/ldap/aduser1.pcap") else { return };
    let run = read(&path);
    let binds = binds(&run);
    assert_eq!(binds.len(), 1);
    let bind = binds[0];
    assert_eq!(bind["ldap"]["sasl_mech"], "GSS-SPNEGO");
    assert_eq!(bind["ldap"]["bind_dn"], "User1");
    assert_eq!(bind["ldap"]["message_id"], 1440128865u32);
    assert_eq!(bind["ldap"]["signing"], "none");
    assert_eq!(bind["kerberos"]["sname"], "ldap/WIN-VGO56I95EAK");
    assert_eq!(bind["kerberos"]["realm"], "ADHACKING.LOCAL");
    assert_eq!(bind["kerberos"]["ticket_etype"], "aes256-cts-hmac-sha1-96");
    assert_eq!(alerts(&run, "ldap.unsigned_bind").len(), 1);
}

#[test]
fn every_bind_of_a_connection_with_sasl_ntlm_and_failures() {
    // tshark on arkime/ntlm_synthetic.pcap: bindRequest(1) "cn=anon" simple -> success;
    // bindRequest(2) NTLMSSP_NEGOTIATE -> saslBindInProgress, bindRequest(3) NTLMSSP_AUTH
    // LDAPDOM\frank -> success; SASL NTLM NEGOTIATE -> saslBindInProgress, AUTH SASLDOM\grace
    // -> success; "cn=anon" simple -> invalidCredentials.
    let Some(path) = shared_pcap("arkime/ntlm_synthetic.pcap") else { return };
    let run = read(&path);
    let binds = binds(&run);
    let summary: Vec<(String, String, String)> = binds
        .iter()
        .map(|b| {
            let text = |v: &Value| v.as_str().unwrap_or("").to_string();
            (text(&b["ldap"]["bind_type"]), text(&b["ldap"]["result"]), text(&b["ntlm"]["user"]))
        })
        .collect();
    let expect = |t: &str, r: &str, u: &str| (t.to_string(), r.to_string(), u.to_string());
    assert_eq!(
        summary,
        [
            expect("simple", "success", ""),
            expect("sicily", "success", "frank"),
            expect("sasl", "success", "grace"),
            expect("simple", "invalidCredentials", "")
        ]
    );
    // An empty password is no cleartext password.
    assert!(alerts(&run, "ldap.cleartext_bind").is_empty());
    assert_eq!(binds[2]["ldap"]["sasl_mech"], "NTLM");
}

#[test]
fn starttls_ends_what_can_be_read() {
    // tshark: extendedReq(1) 1.3.6.1.4.1.1466.20037, extendedResp(1) success, then TLS.
    for pcap in ["zeek/Traces/ldap/ldap-starttls.pcap", "suricata-verify/ldap-starttls/input.pcap"] {
        let Some(path) = shared_pcap(pcap) else { return };
        let run = read(&path);
        let records = run.of_type("ldap");
        assert_eq!(records.len(), 1, "{pcap}");
        assert_eq!(records[0]["ldap"]["starttls"], true, "{pcap}");
        assert_eq!(records[0]["ldap"]["result"], "success", "{pcap}");
        assert_eq!(run.stats()["parse_errors"].as_object().map(|m| m.len()), Some(0), "{pcap}: {}", run.stats());
    }
}

#[test]
fn other_sasl_mechanisms_and_hostile_searches() {
    // tshark: SCRAM-SHA-512 and SRP binds end in success; CRAM-MD5 answered only
    // saslBindInProgress.
    for (pcap, mech, result) in [
        ("zeek/Traces/ldap/sasl-scram-sha-512.pcap", "SCRAM-SHA-512", "success"),
        ("zeek/Traces/ldap/sasl-srp-who-am-i.pcap", "SRP", "success"),
        ("suricata-verify/ldap-bind/ldap.pcap", "CRAM-MD5", "saslBindInProgress"),
    ] {
        let Some(path) = shared_pcap(pcap) else { return };
        let run = read(&path);
        let binds = binds(&run);
        assert_eq!(binds.len(), 1, "{pcap}");
        assert_eq!((&binds[0]["ldap"]["sasl_mech"], &binds[0]["ldap"]["result"]), (&Value::from(mech), &Value::from(result)), "{pcap}");
        // None of these can sign or seal the way Windows binds do: no LDAP rule fires.
        for rule in run.alert_rules() {
            assert!(!LDAP_RULES.contains(&rule.as_str()), "{pcap}: {rule}");
        }
    }
    // Filters nested thousands deep (Zeek's recursion tests): searches are skipped by their
    // length, never descended into.
    for pcap in ["zeek/Traces/ldap/asn1-max-recursion.pcap", "zeek/Traces/ldap/ldap-max-recursion.pcap"] {
        let Some(path) = shared_pcap(pcap) else { return };
        let run = read(&path);
        assert!(run.stats()["parse_errors"].get("ldap").is_none(), "{pcap}: {}", run.stats());
    }
}

/// Fields common to the Samba captures: the DC, no parse error, nothing secret-looking, and
/// never a password of `make.sh`.
fn samba(pcap: &str) -> Run {
    let run = read(&project_pcap(&format!("ldap/{pcap}")));
    for record in run.of_type("ldap") {
        assert_eq!(
            (&record["src_ip"], &record["dest_ip"], &record["dest_port"]),
            (&"10.79.2.20".into(), &"10.79.2.10".into(), &389.into()),
            "{pcap}"
        );
    }
    assert_eq!(run.stats()["parse_errors"], serde_json::json!({}), "{pcap}");
    for password in ["Al1ce!Hardw1re", "Wr0ng!guess"] {
        no_password(&run, password, pcap);
    }
    run
}

#[test]
fn samba_simple_binds_in_clear() {
    // make.sh: ldap3's anonymous bind, then alice's simple bind (tshark: bindRequest(1)
    // "<ROOT>" simple -> success, bindRequest(5) "CN=alice,CN=Users,dc=hardwire,dc=test"
    // simple -> success).
    let run = samba("ldap-simple.pcap");
    let binds = binds(&run);
    assert_eq!(binds.len(), 2);
    assert_eq!((&binds[0]["ldap"]["bind_type"], &binds[0]["ldap"]["result"]), (&"anonymous".into(), &"success".into()));
    assert_eq!(binds[1]["ldap"]["bind_dn"], "CN=alice,CN=Users,dc=hardwire,dc=test");
    assert_eq!((&binds[1]["ldap"]["bind_type"], &binds[1]["ldap"]["result"]), (&"simple".into(), &"success".into()));
    let fired = alerts(&run, "ldap.cleartext_bind");
    assert_eq!(fired.len(), 1, "the anonymous bind sends no password");
    assert_eq!(fired[0]["ldap"]["bind_dn"], "CN=alice,CN=Users,dc=hardwire,dc=test");
}

#[test]
fn samba_failed_simple_binds_feed_bruteforce_and_spray() {
    // make.sh: 11 wrong passwords for alice on one connection, then one each for bob, carol,
    // dave, erin and frank (tshark: 16 bindResponse invalidCredentials).
    let run = samba("ldap-simple-failures.pcap");
    let binds = binds(&run);
    assert_eq!(binds.len(), 16);
    assert!(binds.iter().all(|b| b["ldap"]["result"] == "invalidCredentials"));
    let alice = binds.iter().filter(|b| b["ldap"]["bind_dn"] == "CN=alice,CN=Users,dc=hardwire,dc=test").count();
    assert_eq!(alice, 11, "every bind of the one connection");
    assert_eq!(binds.iter().filter(|b| b["flow_id"] == binds[0]["flow_id"]).count(), 11);
    // auth.bruteforce: the 10th failure for alice; auth.spray: the 5th account (erin).
    let brute = alerts(&run, "auth.bruteforce");
    assert!(!brute.is_empty() && brute.iter().all(|a| a["ldap"]["bind_dn"] == "CN=alice,CN=Users,dc=hardwire,dc=test"), "{brute:?}");
    let spray = alerts(&run, "auth.spray");
    assert!(!spray.is_empty(), "no spray");
    assert_eq!(spray[0]["ldap"]["bind_dn"], "CN=erin,CN=Users,dc=hardwire,dc=test");
    assert!(!alerts(&run, "ldap.cleartext_bind").is_empty(), "a refused password still crossed the wire");
}

#[test]
fn samba_sasl_binds_and_their_security_layer() {
    // (capture, mechanism, signing as make.sh asked for it, whether ldap.unsigned_bind fires)
    for (pcap, mech, signing, unsigned) in [
        ("ldap-spnego-ntlm-seal.pcap", "GSS-SPNEGO", "sealed", false),
        ("ldap-spnego-ntlm-plain.pcap", "GSS-SPNEGO", "none", true),
        ("ldap-gssapi-sealed.pcap", "GSSAPI", "sealed", false),
        ("ldap-gssapi-signed.pcap", "GSSAPI", "signed", false),
        ("ldap-gssapi-plain.pcap", "GSSAPI", "none", true),
    ] {
        let run = samba(pcap);
        let binds = binds(&run);
        assert_eq!(binds.len(), 1, "{pcap}: the SASL rounds are one bind");
        let bind = binds[0];
        assert_eq!(bind["ldap"]["sasl_mech"], mech, "{pcap}");
        assert_eq!(bind["ldap"]["result"], "success", "{pcap}");
        assert_eq!(bind["ldap"]["signing"], signing, "{pcap}");
        if mech == "GSSAPI" {
            // tshark: the AP-REQ's sname ldap/dc1.hardwire.test, realm HARDWIRE.TEST.
            assert_eq!(bind["kerberos"]["sname"], "ldap/dc1.hardwire.test", "{pcap}");
            assert_eq!(bind["kerberos"]["realm"], "HARDWIRE.TEST", "{pcap}");
        } else {
            // tshark: NTLMSSP_AUTH, User: HARDWIRE\alice; the flags say what the layer is.
            assert_eq!((&bind["ntlm"]["user"], &bind["ntlm"]["domain"]), (&"alice".into(), &"HARDWIRE".into()), "{pcap}");
            assert_eq!(bind["ntlm"]["sealing"], signing == "sealed", "{pcap}");
            assert_eq!(bind["ntlm"]["status"], "success", "{pcap}");
        }
        assert_eq!(!alerts(&run, "ldap.unsigned_bind").is_empty(), unsigned, "{pcap}");
        assert!(alerts(&run, "ldap.cleartext_bind").is_empty(), "{pcap}");
    }
}

#[test]
fn samba_starttls_hides_the_simple_bind_inside() {
    // make.sh: ldapsearch -x -ZZ (tshark: extendedReq(1) LDAP_START_TLS_OID, extendedResp(1)),
    // then alice's simple bind, inside TLS.
    let run = samba("ldap-starttls.pcap");
    let records = run.of_type("ldap");
    assert_eq!(records.len(), 1);
    assert_eq!((&records[0]["ldap"]["starttls"], &records[0]["ldap"]["result"]), (&true.into(), &"success".into()));
    assert!(run.of_type("alert").is_empty(), "{:?}", run.alert_rules());
}

#[test]
fn simple_binds_after_the_clients_ttl_changed_are_seen() {
    // The client's handshake has TTL 251, its data TTL 52: the server's ACKs of the data say
    // the host took it, so the TCP layer learns the new TTL (ARCHITECTURE.md, "The TCP layer").
    // tshark: bindRequest(1) simple "xxxxxxxxxxx@xx.xxx.xxxxx.net", bindResponse(1) success;
    // bindRequest(3) simple "CN=xxxxxxxx,OU=Users,...", bindResponse(3) success.
    for pcap in ["zeek/Traces/ldap/simpleauth.pcap", "zeek/Traces/ldap/simpleauth-diff-port.pcap"] {
        let Some(path) = shared_pcap(pcap) else { return };
        let run = read(&path);
        let found: Vec<(&str, u64)> = binds(&run)
            .iter()
            .map(|b| (b["ldap"]["bind_dn"].as_str().unwrap_or(""), b["ldap"]["message_id"].as_u64().unwrap_or(0)))
            .collect();
        assert_eq!(
            found,
            [("xxxxxxxxxxx@xx.xxx.xxxxx.net", 1), ("CN=xxxxxxxx,OU=Users,OU=Accounts,DC=xx,DC=xxx,DC=xxxxx,DC=net", 3)],
            "{pcap}"
        );
        for bind in binds(&run) {
            assert_eq!(bind["ldap"]["bind_type"], "simple", "{pcap}");
            assert_eq!(bind["ldap"]["result"], "success", "{pcap}");
            assert_eq!(bind["ldap"]["password_sent"], true, "{pcap}");
        }
        assert_eq!(alerts(&run, "ldap.cleartext_bind").len(), 2, "{pcap}");
        no_password(&run, "passwor8d1", pcap);
        no_password(&run, "/dev/rdsk/c0t0d0s0", pcap);
    }
}

#[test]
fn samba_binds_inside_an_integrity_layer_are_read() {
    // make.sh: rebind.py (Samba's gensec, GSSAPI with an integrity layer only) binds as alice,
    // searches, then sends bob's simple bind and a search inside that layer. tshark: the SASL
    // rounds bindRequest(1..3) "<ROOT>" sasl, bindResponse(3) success; then every PDU is a SASL
    // buffer ("SASL GSS-API Integrity", RFC 4121 wrap tokens with flags 0x04 or 0x05, not Sealed,
    // EC 12, RRC 12): searchRequest(4) (frame 60), searchResEntry, searchResRef and
    // searchResDone(4) in one buffer (frame 61), bindRequest(5)
    // "CN=bob,CN=Users,dc=hardwire,dc=test" simple (frame 62). tshark decodes no buffer after
    // that bind; frame 64's (tshark -x: 05 04 05 ff 00 0c 00 0c, the 12-octet checksum, then
    // 30 0c 02 01 05 61 07 0a 01 00) is bindResponse(5) success, as rebind.py printed
    // ("second bind 0"). Seven SASL buffers in all (frames 60 to 68).
    let run = samba("ldap-gssapi-signed-rebind.pcap");
    let binds = binds(&run);
    assert_eq!(binds.len(), 2, "{binds:?}");
    let (first, second) = (&binds[0]["ldap"], &binds[1]["ldap"]);
    assert_eq!((&first["sasl_mech"], &first["result"], &first["signing"]), (&"GSSAPI".into(), &"success".into(), &"signed".into()));
    assert_eq!(binds[0]["kerberos"]["sname"], "ldap/dc1.hardwire.test");
    assert_eq!(binds[1]["flow_id"], binds[0]["flow_id"], "one connection");
    assert_eq!(second["bind_dn"], "CN=bob,CN=Users,dc=hardwire,dc=test");
    assert_eq!((&second["bind_type"], &second["message_id"], &second["result"]), (&"simple".into(), &5.into(), &"success".into()));
    assert_eq!((&second["password_sent"], &second["signing"]), (&true.into(), &"signed".into()));
    // Integrity is no secrecy: bob's password crossed the wire readable.
    let fired = alerts(&run, "ldap.cleartext_bind");
    assert_eq!(fired.len(), 1);
    assert_eq!(fired[0]["ldap"]["bind_dn"], "CN=bob,CN=Users,dc=hardwire,dc=test");
    assert!(alerts(&run, "ldap.unsigned_bind").is_empty());
    assert_eq!(run.stats()["ldap_sasl_pdus"], serde_json::json!({"read": 7, "unread": 0}));
}

#[test]
fn sasl_buffers_are_read_when_signed_and_counted_when_sealed() {
    // tshark -Y ldap.sasl_buffer_length: "SASL GSS-API Integrity" frames 12 to 14 of the signed
    // capture, "Privacy" frames 26 to 28 and 13 to 18 of the sealed ones.
    for (pcap, read, unread) in [("ldap-gssapi-signed.pcap", 3, 0), ("ldap-gssapi-sealed.pcap", 0, 3), ("ldap-spnego-ntlm-seal.pcap", 0, 6)]
    {
        let run = samba(pcap);
        assert_eq!(run.stats()["ldap_sasl_pdus"], serde_json::json!({"read": read, "unread": unread}), "{pcap}");
    }
    let run = samba("ldap-gssapi-plain.pcap");
    assert!(run.stats().get("ldap_sasl_pdus").is_none(), "no layer, no count");
}
