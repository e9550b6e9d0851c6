//! `hardwire report` on captures whose content is known from their sources: the servers,
//! clients, accounts and counts of the report's JSON come from `pcaps/*/expected.json` (written
//! from tshark and from how each scenario was set up) and `../shared/pcaps/tshark-facts.jsonl`,
//! never from hardwire's own output. The HTML is opened in headless Chromium.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use common::{project_pcap, shared_dir, workspace_root};

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hardwire-report-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}

/// Runs `hardwire report --json` over `inputs` and returns the JSON report and the terminal text.
fn report(inputs: &[&Path], name: &str) -> (Value, String) {
    report_with(&[], inputs, name)
}

/// The same with more options (`--top`...).
fn report_with(options: &[&str], inputs: &[&Path], name: &str) -> (Value, String) {
    let json = tmp(&format!("{name}.json"));
    let output = Command::new(env!("CARGO_BIN_EXE_hardwire"))
        .arg("report")
        .arg("--json")
        .arg(&json)
        .args(options)
        .args(inputs)
        .output()
        .expect("running hardwire");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "hardwire report {inputs:?}: {stderr}");
    let text = std::fs::read_to_string(&json).expect("the JSON report");
    (serde_json::from_str(&text).expect("the JSON report parses"), String::from_utf8_lossy(&output.stdout).into_owned())
}

/// `10.77.0.10 (FS1)` -> `10.77.0.10`.
fn address(host: &str) -> String {
    host.split(' ').next().unwrap_or_default().to_string()
}

fn strs<'a>(values: impl IntoIterator<Item = &'a Value>) -> BTreeSet<String> {
    values.into_iter().filter_map(Value::as_str).map(str::to_string).collect()
}

fn finding<'a>(report: &'a Value, id: &str) -> Option<&'a Value> {
    report["findings"].as_array()?.iter().find(|f| f["id"] == id)
}

/// Names in a finding's `servers` / `clients` / `accounts` list.
fn names(finding: &Value, list: &str) -> BTreeSet<String> {
    strs(finding[list]["items"].as_array().into_iter().flatten().map(|i| &i["name"]))
}

fn expected(folder: &str) -> Value {
    let path = workspace_root().expect("workspace root").join("pcaps").join(folder).join("expected.json");
    serde_json::from_str(&std::fs::read_to_string(&path).expect("expected.json")).expect("expected.json parses")
}

/// Per SMB capture: SMB1 servers, dialects, signing requirement per server, NTLM accounts and
/// counts, and which findings appear, all against `pcaps/smb/expected.json` (tshark, setup).
#[test]
fn smb_captures_report_what_their_sources_say() {
    let expected = expected("smb");
    let captures = expected["captures"].as_array().expect("captures");
    assert!(captures.len() >= 15, "the SMB corpus shrank");
    for capture in captures {
        let file = capture["file"].as_str().expect("file");
        let (report, _) = report(&[&project_pcap(&format!("smb/{file}"))], file);
        let conns = capture["tshark"]["connections"].as_array().expect("connections");

        let smb1: BTreeSet<String> = conns
            .iter()
            .filter(|c| c["smb1_dialect_negotiated"].is_string())
            .map(|c| c["server"].as_str().unwrap_or_default().to_string())
            .collect();
        let got: BTreeSet<String> =
            report["smb"]["smb1_servers"].as_array().expect("smb1_servers").iter().filter_map(Value::as_str).map(address).collect();
        assert_eq!(got, smb1, "{file}: SMB1 servers");

        let mut dialects: BTreeSet<String> = strs(conns.iter().map(|c| &c["smb1_dialect_negotiated"]));
        for c in conns {
            dialects.extend(
                strs(c["smb2_dialect_negotiated"].as_array().into_iter().flatten()).into_iter().filter(|d| !d.starts_with("2.???")),
            );
        }
        let got = strs(report["smb"]["dialects"].as_array().expect("dialects").iter().map(|d| &d["name"]));
        assert_eq!(got, dialects, "{file}: dialects in use");

        for row in report["smb"]["servers"].as_array().expect("servers") {
            let server = address(row["server"].as_str().unwrap_or_default());
            let required: BTreeSet<bool> =
                conns.iter().filter(|c| c["server"] == server.as_str()).filter_map(|c| c["server_signing_required"].as_bool()).collect();
            let want = match (required.contains(&true), required.contains(&false)) {
                (true, false) => "yes",
                (false, true) => "no",
                (true, true) => "mixed",
                (false, false) => panic!("{file}: server {server} is not in the capture's connections"),
            };
            assert_eq!(row["signing_required"], want, "{file}: signing required on {server}");
        }

        // The report counts an authentication once per SMB session: a second logon of the same
        // account on the same connection and UID (smb1-relogon.pcap) is the same session.
        let mut ntlm: Vec<&Value> = Vec::new();
        for c in conns {
            let mut logons = BTreeSet::new();
            for a in c["ntlm_auth"].as_array().into_iter().flatten() {
                if logons.insert([&a["user"], &a["domain"], &a["host"], &a["version"]].map(Value::to_string)) {
                    ntlm.push(a);
                }
            }
        }
        let with_response: Vec<&&Value> = ntlm.iter().filter(|a| a["version"] == "v1" || a["version"] == "v2").collect();
        let auth = &report["authentication"];
        assert_eq!(auth["ntlm"], with_response.len(), "{file}: NTLM authentications");
        assert_eq!(auth["ntlm_v1"], with_response.iter().filter(|a| a["version"] == "v1").count(), "{file}: NTLMv1");
        let accounts: BTreeSet<String> = ntlm
            .iter()
            .map(|a| match (a["domain"].as_str().unwrap_or_default(), a["user"].as_str().unwrap_or_default()) {
                (_, "") => "(anonymous)".to_string(),
                ("", user) => user.to_string(),
                (domain, user) => format!("{domain}\\{user}"),
            })
            .collect();
        if let Some(f) = finding(&report, "ntlm.used") {
            assert_eq!(names(f, "accounts"), accounts, "{file}: NTLM accounts");
            let clients: BTreeSet<String> = conns.iter().map(|c| c["client"].as_str().unwrap_or_default().to_string()).collect();
            assert_eq!(names(f, "clients").iter().map(|c| address(c)).collect::<BTreeSet<_>>(), clients, "{file}: NTLM clients");
        }

        for rule in capture["must_fire"].as_array().expect("must_fire") {
            let rule = rule.as_str().unwrap_or_default();
            let f = finding(&report, rule).unwrap_or_else(|| panic!("{file}: {rule} must be a finding"));
            assert!(f["count"].as_u64() >= Some(1) && !f["remediation"].as_str().unwrap_or_default().is_empty(), "{file}: {f}");
            assert!(!f["examples"].as_array().expect("examples").is_empty(), "{file}: {rule} has no example flow");
        }
        for rule in capture["must_not_fire"].as_array().expect("must_not_fire") {
            assert!(finding(&report, rule.as_str().unwrap_or_default()).is_none(), "{file}: {rule} must not be a finding");
        }
        let smb_area = report["areas"].as_array().expect("areas").iter().find(|a| a["area"] == "smb").expect("the SMB area");
        assert_eq!(smb_area["observed"], true, "{file}");
    }
}

/// Lateral movement: the command lines of the DCE/RPC captures, as their scripts sent them.
#[test]
fn lateral_movement_shows_the_command_lines_sent() {
    for capture in expected("dcerpc").as_array().expect("captures") {
        let file = capture["file"].as_str().expect("file");
        let Some(command) = capture["command"].as_str() else { continue };
        let (report, text) = report(&[&project_pcap(&format!("dcerpc/{file}"))], file);
        let commands = strs(report["lateral_movement"]["events"].as_array().expect("events").iter().map(|e| &e["command"]));
        assert!(commands.contains(command), "{file}: {command:?} not in {commands:?}");
        assert!(text.contains(command), "{file}: the terminal summary lacks {command:?}");
        let rules: Vec<&str> = capture["must_fire"]
            .as_array()
            .expect("must_fire")
            .iter()
            .filter_map(Value::as_str)
            .filter(|r| r.starts_with("dcerpc.remote"))
            .collect();
        for rule in rules {
            let f = finding(&report, rule).unwrap_or_else(|| panic!("{file}: {rule}"));
            assert_eq!(f["area"], "lateral_movement");
            assert!(names(f, "details").iter().any(|d| d.contains(command)), "{file}: {rule} evidence lacks the command: {f}");
        }
    }
}

/// A capture and `hardwire read`'s JSON lines of it give the same report: one aggregation.
#[test]
fn a_capture_and_its_json_lines_give_the_same_report() {
    let pcaps: Vec<PathBuf> =
        ["smb/smb-admin-share.pcap", "http/winrm-basic-http.pcap", "dcerpc/psexec-svcctl.pcap", "smb/smb-kerberos.pcap"]
            .iter()
            .map(|p| project_pcap(p))
            .collect();
    for pcap in &pcaps {
        let name = pcap.file_name().and_then(|n| n.to_str()).unwrap_or("x").to_string();
        let jsonl = tmp(&format!("{name}.jsonl"));
        let status =
            Command::new(env!("CARGO_BIN_EXE_hardwire")).args(["read", "-o"]).arg(&jsonl).arg(pcap).status().expect("hardwire read");
        assert!(status.success());
        let (mut from_capture, _) = report(&[pcap], &format!("{name}-capture"));
        let (mut from_json, _) = report(&[&jsonl], &format!("{name}-json"));
        from_capture["inputs"] = Value::Null;
        from_json["inputs"] = Value::Null;
        assert_eq!(from_capture, from_json, "{name}");
        assert!(from_capture["totals"]["packets"].as_u64() > Some(0), "{name}");

        // The same lines through stdin, gzip-compressed.
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &std::fs::read(&jsonl).expect("jsonl")).expect("gzip");
        let json_out = tmp(&format!("{name}-stdin.json"));
        let mut child = Command::new(env!("CARGO_BIN_EXE_hardwire"))
            .args(["report", "--json"])
            .arg(&json_out)
            .arg("-")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("hardwire report -");
        std::io::Write::write_all(child.stdin.as_mut().expect("stdin"), &gz.finish().expect("gzip")).expect("stdin");
        drop(child.stdin.take());
        assert!(child.wait().expect("wait").success());
        let mut from_stdin: Value = serde_json::from_str(&std::fs::read_to_string(&json_out).expect("report")).expect("JSON");
        from_stdin["inputs"] = Value::Null;
        assert_eq!(from_stdin, from_json, "{name} through stdin");
    }
}

/// The public corpus: NTLM accounts tshark sees in SMB captures of real Windows machines.
#[test]
fn shared_captures_name_the_ntlm_accounts_tshark_sees() {
    let Some(shared) = shared_dir() else { return };
    let facts = std::fs::read_to_string(shared.join("pcaps/tshark-facts.jsonl")).expect("tshark-facts.jsonl");
    for path in ["arkime/wireshark-smb-on-windows10.pcap", "suricata-verify/bug-5133/input.pcap"] {
        let fact: Value =
            facts.lines().filter_map(|l| serde_json::from_str::<Value>(l).ok()).find(|f| f["path"] == path).expect("facts of the capture");
        let users: BTreeSet<String> =
            strs(fact["sets"]["ntlm_user"].as_array().expect("ntlm_user")).into_iter().filter(|u| u != "NULL").collect();
        let (report, _) = report(&[&shared.join("pcaps").join(path)], &path.replace('/', "_"));
        let f = finding(&report, "ntlm.used").unwrap_or_else(|| panic!("{path}: no NTLM finding"));
        let got: BTreeSet<String> = names(f, "accounts")
            .iter()
            .map(|a| a.rsplit('\\').next().unwrap_or_default().to_string())
            .filter(|a| a != "(anonymous)")
            .collect();
        assert_eq!(got, users, "{path}: NTLM accounts");
    }
}

/// Kerberos from the KDC's port: the ticket etypes tshark sees in the replies of the public
/// Kerberos captures are the report's, and so are the client names of the successful exchanges.
#[test]
fn shared_kdc_captures_give_the_ticket_etypes_tshark_sees() {
    let Some(shared) = shared_dir() else { return };
    let facts = std::fs::read_to_string(shared.join("pcaps/tshark-facts.jsonl")).expect("tshark-facts.jsonl");
    let etype = |n: &str| match n {
        "17" => "aes128-cts-hmac-sha1-96".to_string(),
        "18" => "aes256-cts-hmac-sha1-96".to_string(),
        "23" => "rc4-hmac".to_string(),
        other => format!("etype-{other}"),
    };
    let mut checked = 0;
    for path in ["suricata-verify/krb5-krb5_msg_type/input.pcap", "suricata-verify/krb5-kerberoasting/kerberoast.pcap"] {
        let fact: Value =
            facts.lines().filter_map(|l| serde_json::from_str::<Value>(l).ok()).find(|f| f["path"] == path).expect("facts of the capture");
        let want: BTreeSet<String> =
            fact["sets"]["krb88_ticket_etypes"].as_array().expect("ticket etypes").iter().filter_map(Value::as_str).map(etype).collect();
        let (report, _) = report(&[&shared.join("pcaps").join(path)], &path.replace('/', "_"));
        let got = strs(report["kerberos"]["ticket_etypes"].as_array().expect("ticket_etypes").iter().map(|e| &e["name"]));
        assert_eq!(got, want, "{path}: ticket etypes");
        let kerberos = report["areas"].as_array().expect("areas").iter().find(|a| a["area"] == "kerberos").expect("the Kerberos area");
        assert_eq!(kerberos["observed"], true, "{path}");
        checked += 1;
    }
    assert_eq!(checked, 2);
}

/// Kerberos attacks recorded by `pcaps/kerberos/make.sh` against an MIT KDC: the accounts the
/// script set up (roastme without pre-authentication, twelve wrong passwords for dave) are the
/// report's, and the spray (one wrong password for six users) is a credential finding.
#[test]
fn kerberos_attacks_name_the_accounts_the_script_used() {
    let realm = "@HARDWIRE.TEST";
    let cases: [(&str, &str, &[&str]); 3] = [
        ("krb5-asrep-roast.pcap", "kerberos.asrep_roastable", &["roastme"]),
        ("krb5-bruteforce.pcap", "auth.bruteforce", &["dave"]),
        // The script's six accounts (USERS in pcaps/kerberos/make.sh), each refused once.
        ("krb5-spray.pcap", "auth.spray", &["alice", "bob", "carol", "dave", "erin", "frank"]),
    ];
    for (file, rule, accounts) in cases {
        let (report, _) = report_with(&["--top", "10"], &[&project_pcap(&format!("kerberos/{file}"))], file);
        let f = finding(&report, rule).unwrap_or_else(|| panic!("{file}: {rule} must be a finding"));
        if !accounts.is_empty() {
            let want: BTreeSet<String> = accounts.iter().map(|a| format!("{a}{realm}")).collect();
            assert_eq!(names(f, "accounts"), want, "{file}: {rule} accounts");
        }
        let area = if rule.starts_with("auth.") { "credentials" } else { "kerberos" };
        assert_eq!(f["area"], area, "{file}");
        assert!(report["kerberos"]["as_exchanges"].as_u64().is_some(), "{file}");
    }
}

/// The accounts a spray tried are its finding's, from every failed logon of its client (the
/// alert lines, one story per client, name only the last): six Basic names answered 401 and
/// alice's NTLM logon refused (pcaps/http/make.sh logon_failures); with the default `--top` of
/// 5, five and "1 more". The refused NTLM logon is counted as refused, outside the NTLM share.
#[test]
fn a_spray_lists_every_account_tried_and_refused_ntlm_is_not_ntlm_use() {
    let capture = project_pcap("http/http-logon-failures.pcap");
    let (full, _) = report_with(&["--top", "20"], &[&capture], "spray-top20");
    let spray = finding(&full, "auth.spray").expect("auth.spray");
    let bare: BTreeSet<String> = names(spray, "accounts").iter().map(|a| a.rsplit('\\').next().unwrap_or_default().to_string()).collect();
    let script: BTreeSet<String> = ["alice", "bob", "carol", "dave", "erin", "frank"].map(String::from).into();
    assert_eq!(bare, script, "{spray}");
    assert_eq!(names(spray, "accounts").len(), 7, "Basic alice and NTLM HARDWIRE\\alice are two accounts: {spray}");
    let auth = &full["authentication"];
    assert_eq!((auth["ntlm"].as_u64(), auth["ntlm_failed"].as_u64(), auth["ntlm_percent"].as_u64()), (Some(0), Some(1), None), "{auth}");
    let (short, text) = report(&[&capture], "spray-top5");
    let spray = finding(&short, "auth.spray").expect("auth.spray");
    assert_eq!((spray["accounts"]["items"].as_array().map(Vec::len), spray["accounts"]["more"].as_u64()), (Some(5), Some(2)), "{spray}");
    assert!(text.contains("1 more refused"), "{text}");
    let refused = Command::new(env!("CARGO_BIN_EXE_hardwire")).args(["report", "--top", "0"]).arg(&capture).output().expect("hardwire");
    assert!(!refused.status.success() && String::from_utf8_lossy(&refused.stderr).contains("--top"));
}

/// The chromium binary, or `None` outside CI (under CI its absence fails: install-deps.sh installs it).
fn chromium() -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser"].iter().find_map(|name| {
        std::env::var_os("PATH").and_then(|paths| std::env::split_paths(&paths).map(|d| d.join(name)).find(|p| p.is_file()))
    });
    if found.is_none() {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "chromium is missing under CI (deploy/install-deps.sh installs it)");
        eprintln!("SKIPPED: chromium is not installed (deploy/install-deps.sh installs it)");
    }
    found
}

/// Runs headless Chromium on `page` with `args`, in a network namespace of its own (nothing it
/// does can leave the machine), with its background services off and a network log.
fn run_chromium(chromium: &Path, page: &Path, profile: &Path, netlog: &Path, args: &[&str]) -> std::process::Output {
    let _ = std::fs::remove_dir_all(profile);
    let mut cmd = Command::new("unshare");
    cmd.args(["--net", "--"]).arg(chromium).args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--disable-default-apps",
        "--no-first-run",
        "--no-pings",
        "--disable-breakpad",
        "--enable-logging=stderr",
        "--v=0",
    ]);
    cmd.arg(format!("--user-data-dir={}", profile.display())).arg(format!("--log-net-log={}", netlog.display())).args(args);
    cmd.arg(format!("file://{}", page.display()));
    cmd.output().expect("running chromium")
}

/// Requests the page itself made: URL requests whose top frame is the file (Chromium's own
/// background services, switched off as far as flags allow, have no such frame).
fn page_requests(netlog: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(netlog).expect("net log");
    // Chromium leaves the last event list open when it is killed; it exits cleanly here.
    let log: Value = serde_json::from_str(&text).expect("net log parses");
    let mut urls = Vec::new();
    for event in log["events"].as_array().into_iter().flatten() {
        let params = &event["params"];
        let Some(url) = params["url"].as_str() else { continue };
        let from_page = params["initiator"] == "null" || params["network_isolation_key"].as_str().is_some_and(|k| k.starts_with("file://"));
        if from_page && !url.starts_with("file:") {
            urls.push(url.to_string());
        }
    }
    urls
}

/// Chromium's console lines that came from the report, not from the browser's own pages: a busy
/// machine makes chromium's built-in UI (chrome://resources) log "Slow network is detected".
fn page_console_messages(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|line| line.contains(":CONSOLE") && !line.contains("source: chrome://")).collect()
}

/// The HTML report in a real browser: it renders (screenshot), logs nothing to the console,
/// requests nothing, and the key figures (from the captures' sources) are in the rendered DOM.
#[test]
fn html_report_renders_offline_in_chromium() {
    let root = workspace_root().expect("workspace root");
    let mut inputs: Vec<PathBuf> = Vec::new();
    for folder in ["smb", "http", "dcerpc"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("pcaps").join(folder))
            .expect("pcaps folder")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "pcap"))
            .collect();
        files.sort();
        inputs.extend(files);
    }
    let html = tmp("report.html");
    let output = Command::new(env!("CARGO_BIN_EXE_hardwire"))
        .arg("report")
        .arg("--html")
        .arg(&html)
        .args(&inputs)
        .output()
        .expect("hardwire report");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let page = std::fs::read_to_string(&html).expect("the HTML report");
    // Self-contained: nothing that could make the browser fetch anything.
    for banned in ["<script", "src=", "url(", "@import", "href=\"http", "<link", "<iframe"] {
        assert!(!page.to_lowercase().contains(banned), "the HTML holds {banned:?}");
    }

    let Some(chromium) = chromium() else { return };
    let screenshot = tmp("report.png");
    let profile = tmp("chromium-profile");
    let netlog = tmp("netlog-shot.json");
    let shot =
        run_chromium(&chromium, &html, &profile, &netlog, &["--window-size=1280,2400", &format!("--screenshot={}", screenshot.display())]);
    let stderr = String::from_utf8_lossy(&shot.stderr);
    assert!(shot.status.success(), "chromium --screenshot: {stderr}");
    let png = std::fs::read(&screenshot).expect("the screenshot");
    assert!(png.starts_with(b"\x89PNG") && png.len() > 50_000, "the screenshot is not a rendered page ({} bytes)", png.len());
    assert_eq!(page_console_messages(&stderr), Vec::<&str>::new(), "console messages from the page");
    assert_eq!(page_requests(&netlog), Vec::<String>::new(), "the page made network requests");

    let netlog = tmp("netlog-dom.json");
    let dom = run_chromium(&chromium, &html, &profile, &netlog, &["--dump-dom"]);
    let stderr = String::from_utf8_lossy(&dom.stderr);
    assert!(dom.status.success(), "chromium --dump-dom: {stderr}");
    assert_eq!(page_console_messages(&stderr), Vec::<&str>::new(), "console messages from the page");
    assert_eq!(page_requests(&netlog), Vec::<String>::new(), "the page made network requests");
    let dom = String::from_utf8_lossy(&dom.stdout);
    // From pcaps/*/expected.json and EXPECTED.md: the SMB server and client, the NTLM account,
    // the PsExec command line, the WinRM Basic user, SMB1 and the dialects negotiated.
    for figure in [
        "10.77.0.10",
        "10.77.0.20",
        "HARDWIRE\\hwuser",
        "%COMSPEC% /c whoami",
        "Servers still speak SMB1",
        "NT LM 0.12",
        "3.1.1",
        "alice",
        "Set-SmbServerConfiguration -RequireSecuritySignature $true",
        "NTLM versus Kerberos, per server",
        "Findings by severity",
        "SMB dialects in use",
    ] {
        let escaped = figure.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
        assert!(dom.contains(figure) || dom.contains(&escaped), "{figure:?} is not in the rendered page");
    }
    for id in ["id=\"areas\"", "id=\"findings\"", "id=\"smb-servers\"", "id=\"auth-servers\"", "id=\"lateral\"", "<svg"] {
        assert!(dom.contains(id), "{id} is not in the rendered page");
    }
    eprintln!("screenshot: {}", screenshot.display());
}

/// Lines that are not hardwire JSON are counted and skipped; a file that is neither JSON nor a
/// capture is a clear error.
#[test]
fn unreadable_inputs() {
    let jsonl = tmp("mixed.jsonl");
    std::fs::write(&jsonl, "{\"event_type\":\"smb\",\"timestamp\":\"2026-01-01T00:00:00.000000Z\",\"src_ip\":\"10.0.0.1\",\"dest_ip\":\"10.0.0.2\",\"flow_id\":1,\"smb\":{\"dialect\":\"2.1\",\"signing_required\":false}}\n{not json\n{\"x\":1}\n").expect("write");
    let (report, text) = report(&[&jsonl], "mixed");
    assert_eq!(report["totals"]["unreadable_lines"], 2);
    assert_eq!(report["smb"]["servers"][0]["server"], "10.0.0.2");
    assert_eq!(report["smb"]["servers"][0]["signing_required"], "no");
    assert!(text.contains("2 lines that were not hardwire JSON"), "{text}");
    let junk = tmp("junk.bin");
    std::fs::write(&junk, b"\x00\x01\x02 not a capture").expect("write");
    let output = Command::new(env!("CARGO_BIN_EXE_hardwire")).arg("report").arg(&junk).output().expect("hardwire report");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("junk.bin"), "{}", String::from_utf8_lossy(&output.stderr));
}
