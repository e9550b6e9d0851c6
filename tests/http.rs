//! Integration tests: HTTP, WinRM, WebDAV and TLS records and their rules, on our captures
//! (pcaps/http, checked against expected.json) and on the public corpus (../shared).

mod common;

use std::collections::BTreeSet;

use common::{project_expectations, project_pcap, read, shared_pcap, Run};
use serde_json::Value;

/// Every string value at a dotted path.
fn strings(run: &Run, path: &str) -> BTreeSet<String> {
    run.values(path).iter().filter_map(|v| v.as_str().map(str::to_string)).collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn as_strings(value: &Value) -> Vec<String> {
    value.as_array().map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect()).unwrap_or_default()
}

#[test]
fn project_captures_agree_with_expected_json() {
    let expected = project_expectations("http");
    let entries = expected.as_array().expect("pcaps/http/expected.json is a list");
    assert!(!entries.is_empty());
    for entry in entries {
        let file = entry["file"].as_str().expect("file");
        let run = read(&project_pcap(&format!("http/{file}")));
        let fired: BTreeSet<String> = run.alert_rules().into_iter().collect();
        for rule in as_strings(&entry["must_fire"]) {
            assert!(fired.contains(&rule), "{file}: {rule} must fire; fired {fired:?}");
        }
        for rule in as_strings(&entry["must_not_fire"]) {
            assert!(!fired.contains(&rule), "{file}: {rule} must not fire");
        }
        for secret in as_strings(&entry["secrets"]) {
            assert!(!run.stdout.contains(&secret), "{file}: a secret reached the output");
        }
        let tshark = &entry["tshark"];
        let methods: BTreeSet<String> = as_strings(&tshark["methods"]).into_iter().collect();
        assert!(methods.is_subset(&strings(&run, "http.method")), "{file}: methods {methods:?}");
        for (fact, path) in [("ntlm_user", "ntlm.user"), ("ntlm_domain", "ntlm.domain"), ("ntlm_host", "ntlm.host")] {
            let want: BTreeSet<String> = as_strings(&tshark[fact]).into_iter().collect();
            assert!(want.is_subset(&strings(&run, path)), "{file}: {fact} {want:?}");
        }
        let statuses: BTreeSet<u64> = run.values("http.status").iter().filter_map(Value::as_u64).collect();
        for code in as_strings(&tshark["response_codes"]) {
            let code: u64 = code.parse().expect("status");
            // Interim responses are passed over, not paired.
            if code >= 200 {
                assert!(statuses.contains(&code), "{file}: status {code} in {statuses:?}");
            }
        }
        assert_eq!(run.stats()["parse_errors"], serde_json::json!({}), "{file}: parse errors");
    }
}

#[test]
fn basic_over_http_reports_the_user_only() {
    let run = read(&project_pcap("http/basic-http.pcap"));
    assert_eq!(strings(&run, "http.user"), set(&["alice"]));
    assert_eq!(strings(&run, "http.auth_scheme"), set(&["basic"]));
    assert_eq!(strings(&run, "http.auth_mech"), set(&["basic"]));
    assert!(strings(&run, "http.app").is_empty());
}

#[test]
fn http_is_found_on_a_port_nobody_registered() {
    let run = read(&project_pcap("http/http-nonstandard-port.pcap"));
    assert!(run.of_type("http").iter().all(|r| r["dest_port"] == 8081));
    assert_eq!(strings(&run, "http.user"), set(&["alice"]));
}

#[test]
fn ntlm_authenticate_carries_the_challenge_server_names_and_final_status() {
    let run = read(&project_pcap("http/ntlm-http.pcap"));
    let with_ntlm: Vec<&Value> = run.of_type("http").into_iter().filter(|r| r.get("ntlm").is_some()).collect();
    assert_eq!(with_ntlm.len(), 1, "one AUTHENTICATE");
    let record = with_ntlm[0];
    assert_eq!(record["http"]["status"], 200);
    assert_eq!(record["http"]["auth_mech"], "ntlm");
    assert_eq!(record["ntlm"]["version"], "v2");
    assert!(record["ntlm"]["server_nb_name"].is_string(), "CHALLENGE names kept: {record}");
}

#[test]
fn kerberos_over_negotiate() {
    let run = read(&project_pcap("http/negotiate-kerberos-http.pcap"));
    assert_eq!(strings(&run, "http.auth_scheme"), set(&["negotiate"]));
    assert_eq!(strings(&run, "http.auth_mech"), set(&["kerberos"]));
    assert_eq!(strings(&run, "kerberos.realm"), set(&["HARDWIRE.TEST"]));
    let rc4 = read(&project_pcap("http/negotiate-kerberos-rc4-http.pcap"));
    assert!(strings(&rc4, "kerberos.ticket_etype").contains("rc4-hmac"));
}

#[test]
fn winrm_records_say_app_and_encryption() {
    let clear = read(&project_pcap("http/winrm-ntlm-clear.pcap"));
    assert_eq!(strings(&clear, "http.app"), set(&["winrm"]));
    assert_eq!(strings(&clear, "http.encryption"), set(&["none"]));
    let encrypted = read(&project_pcap("http/winrm-ntlm-encrypted.pcap"));
    assert_eq!(strings(&encrypted, "http.encryption"), set(&["spnego"]));
    let credssp = read(&project_pcap("http/winrm-credssp.pcap"));
    assert_eq!(strings(&credssp, "http.auth_mech"), set(&["credssp"]));
    assert_eq!(strings(&credssp, "http.encryption"), set(&["credssp"]));
    // CredSSP's own TLS channel: the hellos ride in the tokens.
    assert!(!strings(&credssp, "tls.version").is_empty());
    let basic = read(&project_pcap("http/winrm-basic-http.pcap"));
    assert_eq!(strings(&basic, "http.user"), set(&["alice"]));
}

#[test]
fn winrm_over_tls_is_one_tls_record() {
    let run = read(&project_pcap("http/winrm-https-5986.pcap"));
    assert!(run.of_type("http").is_empty());
    let tls = run.of_type("tls");
    assert_eq!(tls.len(), 1);
    // tshark: supported_versions offers 0x0304; the ServerHello picks it.
    assert_eq!(tls[0]["tls"]["version"], "1.3");
}

#[test]
fn webdav_methods_and_the_miniredir_agent() {
    let run = read(&project_pcap("http/webdav-miniredir.pcap"));
    assert_eq!(strings(&run, "http.app"), set(&["webdav"]));
    let cadaver = read(&project_pcap("http/webdav-cadaver.pcap"));
    let webdav: BTreeSet<String> = cadaver
        .of_type("http")
        .iter()
        .filter(|r| r["http"]["app"] == "webdav")
        .filter_map(|r| r["http"]["method"].as_str().map(str::to_string))
        .collect();
    assert!(set(&["PROPFIND", "MKCOL", "PROPPATCH", "LOCK", "UNLOCK", "COPY", "MOVE"]).is_subset(&webdav), "{webdav:?}");
}

/// arkime/http-basicauth.test: user "userrrrr"; tshark: credentials "userrrrr:passworddddd".
#[test]
fn arkime_basic_auth_user_without_password() {
    let Some(pcap) = shared_pcap("arkime/http-basicauth.pcap") else { return };
    let run = read(&pcap);
    assert_eq!(strings(&run, "http.user"), set(&["userrrrr"]));
    assert!(run.alert_rules().contains(&"http.basic.cleartext".to_string()));
    for secret in ["passworddddd", "dXNlcnJycnI6cGFzc3dvcmRkZGRk", "cGFzc3dvcmRkZGRk"] {
        assert!(!run.stdout.contains(secret));
    }
}

/// Zeek's baselines for these traces log the user "test".
#[test]
fn zeek_basic_auth_with_colon_and_extra_space() {
    for trace in ["zeek/Traces/http/basic-auth-with-colon.pcap", "zeek/Traces/http/basic-auth-with-extra-space.pcap"] {
        let Some(pcap) = shared_pcap(trace) else { return };
        let run = read(&pcap);
        assert_eq!(strings(&run, "http.user"), set(&["test"]), "{trace}");
        assert_eq!(strings(&run, "http.auth_scheme"), set(&["basic"]), "{trace}");
    }
}

/// tshark-facts.jsonl: users, domains and hosts of the NTLM AUTHENTICATEs over HTTP.
#[test]
fn arkime_ntlm_synthetic_over_http() {
    let Some(pcap) = shared_pcap("arkime/ntlm_synthetic.pcap") else { return };
    let run = read(&pcap);
    let http_ntlm: Vec<&Value> = run.of_type("http").into_iter().filter(|r| r.get("ntlm").is_some()).collect();
    let users: BTreeSet<String> = http_ntlm.iter().filter_map(|r| r["ntlm"]["user"].as_str().map(str::to_string)).collect();
    let domains: BTreeSet<String> = http_ntlm.iter().filter_map(|r| r["ntlm"]["domain"].as_str().map(str::to_string)).collect();
    assert_eq!(users, set(&["dave", "eve"]));
    assert_eq!(domains, set(&["HTTPDOM", "HTTP6DOM"]));
    // Raw NTLMSSP inside Negotiate (as Windows sends it) is still NTLM.
    assert!(http_ntlm.iter().any(|r| r["http"]["auth_scheme"] == "negotiate" && r["http"]["auth_mech"] == "ntlm"));
}

#[test]
fn zeek_erspan_ntlm_over_http() {
    let Some(pcap) = shared_pcap("zeek/Traces/erspan.pcap") else { return };
    let run = read(&pcap);
    assert_eq!(strings(&run, "ntlm.user"), set(&["administrator"]));
    assert_eq!(strings(&run, "ntlm.domain"), set(&["sp"]));
    assert_eq!(strings(&run, "ntlm.host"), set(&["STEVE-PC"]));
    assert!(run.alert_rules().contains(&"ntlm.used".to_string()));
}

/// tshark-facts.jsonl's http_methods for methods.pcap, malformed request lines included.
#[test]
fn zeek_methods_every_method() {
    let Some(pcap) = shared_pcap("zeek/Traces/http/methods.pcap") else { return };
    let run = read(&pcap);
    let want = set(&["CCM_POST", "CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT", "TRACE"]);
    let have = strings(&run, "http.method");
    assert!(want.is_subset(&have), "missing {:?}", want.difference(&have).collect::<Vec<_>>());
}

#[test]
fn arkime_synthetic_winrm_in_clear() {
    let Some(pcap) = shared_pcap("arkime/arkime_synthetic.pcap") else { return };
    let run = read(&pcap);
    let winrm: Vec<&Value> =
        run.of_type("http").into_iter().filter(|r| r["http"]["uri"] == "/wsman" && r["http"]["method"] == "POST").collect();
    assert!(!winrm.is_empty());
    assert!(winrm.iter().all(|r| r["http"]["app"] == "winrm" && r["http"]["encryption"] == "none"));
    let rules = run.alert_rules();
    assert!(rules.contains(&"winrm.unencrypted".to_string()));
    assert!(rules.contains(&"http.basic.cleartext".to_string()));
    assert!(strings(&run, "http.auth_scheme").contains("basic"));
    assert!(!strings(&run, "tls.version").is_empty());
}

/// A connection is read for its whole life: curl sends twenty plain GETs on one keep-alive
/// connection, then a GET with `Authorization: Basic` (tshark: frame 105, `http.authbasic`
/// user alice, the 21st of 22 `http.request`s of tcp.stream 0), then a PROPFIND.
#[test]
fn credentials_and_webdav_after_twenty_quiet_requests() {
    let run = read(&project_pcap("http/http-keepalive-late-basic.pcap"));
    let records = run.of_type("http");
    assert_eq!(records.len(), 22);
    assert!(records[..20].iter().all(|r| r["http"]["user"].is_null() && r["http"]["method"] == "GET"));
    assert_eq!((records[20]["http"]["user"].as_str(), records[20]["http"]["auth_mech"].as_str()), (Some("alice"), Some("basic")));
    assert_eq!((records[21]["http"]["method"].as_str(), records[21]["http"]["status"].as_u64()), (Some("PROPFIND"), Some(501)));
    let rules = run.alert_rules();
    assert!(rules.contains(&"http.basic.cleartext".to_string()) && rules.contains(&"webdav.fallback".to_string()), "{rules:?}");
}
