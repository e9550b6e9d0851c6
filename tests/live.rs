//! Integration tests of `hardwire live`: captures replayed with tcpreplay into a veth pair whose
//! far end sits in a network namespace of its own, `/metrics` scraped over real HTTP, records
//! compared with what `hardwire read` says of the same captures, SIGTERM for a clean exit with
//! the final `stats` line. And a bad configuration refused before anything starts.
//!
//! Every packet stays on the veth pair (whose frames are addressed to no local MAC, so the host
//! drops them after the capture has seen them) or on loopback. Waits are bounded polls, never
//! timed assertions.

mod common;

use common::brokers::{free_port, lines_on, Kind, Server};

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::sleep;
use std::time::{Duration, Instant};

use serde_json::Value;

use common::brokers::PATIENCE;

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// A name unique to this test process and call, short enough for an interface (15 bytes).
fn unique(prefix: &str) -> String {
    format!("{prefix}{}x{}", std::process::id() % 100_000, NEXT.fetch_add(1, Ordering::Relaxed))
}

fn scratch_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(unique("hardwire-live-"));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn run(program: &str, args: &[&str]) -> Result<(), String> {
    let out = Command::new(program).args(args).output().map_err(|e| format!("{program}: {e}"))?;
    match out.status.success() {
        true => Ok(()),
        false => Err(format!("{program} {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim())),
    }
}

/// A veth pair: `host` in this namespace (hardwire captures there), `peer` inside `netns`
/// (tcpreplay sends there). Removed on drop.
struct Veth {
    netns: String,
    host: String,
    peer: String,
}

impl Veth {
    fn create() -> Result<Veth, String> {
        Veth::named("hw")
    }

    /// A pair whose namespace and interfaces are named after `prefix` (a branch's tests keep to
    /// their own names).
    fn named(prefix: &str) -> Result<Veth, String> {
        let veth = Veth { netns: unique(&format!("{prefix}ns")), host: unique(&format!("{prefix}h")), peer: unique(&format!("{prefix}p")) };
        run("ip", &["netns", "add", &veth.netns])?;
        run("ip", &["link", "add", &veth.host, "type", "veth", "peer", "name", &veth.peer, "netns", &veth.netns])?;
        // No IPv6 chatter (router solicitations, MLD) and no forwarding of the replayed frames.
        for (key, value) in [("net.ipv6.conf.{}.disable_ipv6", "1"), ("net.ipv4.conf.{}.forwarding", "0")] {
            run("sysctl", &["-qw", &format!("{}={value}", key.replace("{}", &veth.host))])?;
            run("ip", &["netns", "exec", &veth.netns, "sysctl", "-qw", &format!("{}={value}", key.replace("{}", &veth.peer))])?;
        }
        run("ip", &["link", "set", &veth.host, "up"])?;
        run("ip", &["netns", "exec", &veth.netns, "ip", "link", "set", &veth.peer, "up"])?;
        Ok(veth)
    }
}

impl Drop for Veth {
    fn drop(&mut self) {
        let _ = run("ip", &["link", "del", &self.host]);
        let _ = run("ip", &["netns", "del", &self.netns]);
    }
}

/// Whether this machine lets us make namespaces; the reason when it does not.
fn namespaces_unavailable() -> Option<String> {
    let uid = Command::new("id").arg("-u").output().ok().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    if uid.as_deref() != Some("0") {
        return Some("not root".to_string());
    }
    if Command::new("ip").arg("-V").output().is_err() {
        return Some("no `ip` command (iproute2)".to_string());
    }
    None
}

fn tcpreplay_present() -> bool {
    Command::new("tcpreplay").arg("-V").output().is_ok()
}

/// GET /metrics over real HTTP; the body, or `None` while nothing answers.
fn scrape(port: u16) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    stream.write_all(b"GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let (head, body) = response.split_once("\r\n\r\n")?;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(head.contains("text/plain; version=0.0.4"), "{head}");
    Some(body.to_string())
}

/// The sample value of one series (`name` or `name{labels}`), 0 when absent.
fn sample(metrics: &str, series: &str) -> f64 {
    metrics.lines().find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok()).unwrap_or(0.0)
}

/// Polls `probe` until it says yes, or gives up after [`PATIENCE`].
fn wait_for(what: &str, mut probe: impl FnMut() -> bool) {
    let start = Instant::now();
    while !probe() {
        assert!(start.elapsed() < PATIENCE, "gave up waiting for {what}");
        sleep(Duration::from_millis(100));
    }
}

/// Sends SIGTERM and waits (bounded) for the exit.
fn terminate(child: &mut Child) -> std::process::ExitStatus {
    run("kill", &["-TERM", &child.id().to_string()]).expect("kill -TERM");
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("waiting for hardwire") {
            return status;
        }
        if start.elapsed() > PATIENCE {
            let _ = child.kill();
            panic!("hardwire did not exit within {PATIENCE:?} of SIGTERM");
        }
        sleep(Duration::from_millis(100));
    }
}

/// Starts `hardwire live` on the veth pair's host end, writing to `output`, and waits until
/// `/metrics` answers on `port`.
fn start_live(veth: &Veth, workers: &str, port: u16, output: &Path, config: Option<&Path>) -> Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hardwire"));
    command.args(["live", "-i", &veth.host, "--workers", workers, "--bpf", "ip", "--metrics", &format!("127.0.0.1:{port}")]);
    if let Some(config) = config {
        command.arg("--config").arg(config);
    }
    let child = command.arg("-o").arg(output).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().expect("starting hardwire live");
    wait_for("/metrics to answer", || scrape(port).is_some());
    child
}

/// Replays one capture into the namespace and waits until the scrape counts `sent` packets in
/// all (every packet reaches a worker, none dropped on the way).
fn replay_counted(veth: &Veth, pcap: &Path, port: u16, sent: u64) {
    let replayed = Command::new("ip")
        .args(["netns", "exec", &veth.netns, "tcpreplay", "-q", "-i", &veth.peer])
        .arg(pcap)
        .output()
        .expect("running tcpreplay");
    assert!(replayed.status.success(), "tcpreplay: {}", String::from_utf8_lossy(&replayed.stderr));
    wait_for("every packet to be counted", || scrape(port).is_some_and(|m| sample(&m, "hardwire_packets_total") as u64 >= sent));
}

/// SIGTERM, and a clean exit without a panic.
fn stop(child: &mut Child) {
    let status = terminate(child);
    let mut stderr = String::new();
    let _ = child.stderr.take().map(|mut e| e.read_to_string(&mut stderr));
    assert!(status.success(), "exit {status:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// A record as both modes must agree on it: without the time (packet time offline, replay
/// time live) and the flow id (numbered per worker live).
fn comparable(record: &Value) -> String {
    let mut record = record.clone();
    if let Some(fields) = record.as_object_mut() {
        fields.remove("timestamp");
        fields.remove("flow_id");
    }
    record.to_string()
}

fn lines(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"))).collect()
}

#[test]
fn live_capture_matches_offline_reading_and_exits_cleanly() {
    if let Some(reason) = namespaces_unavailable() {
        eprintln!("SKIPPED live_capture_matches_offline_reading_and_exits_cleanly: cannot make network namespaces here ({reason})");
        return;
    }
    if !tcpreplay_present() {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "tcpreplay is missing under CI (deploy/install-deps.sh installs it)");
        eprintln!("SKIPPED live_capture_matches_offline_reading_and_exits_cleanly: tcpreplay is not installed (deploy/install-deps.sh)");
        return;
    }
    let pcaps = [
        common::project_pcap("smb/smb3-0311.pcap"),
        common::project_pcap("smb/smb-guest.pcap"),
        common::project_pcap("smb/smb-ntlmv1.pcap"),
    ];
    let pcap_refs: Vec<&Path> = pcaps.iter().map(PathBuf::as_path).collect();
    let offline = common::read_with(&[], &pcap_refs);
    assert!(offline.status.success(), "{}", offline.stderr);
    let expected_packets = offline.stats()["packets"].as_u64().expect("stats.packets");

    let veth = Veth::create().expect("making the veth pair and namespace");
    let dir = scratch_dir();
    let output = dir.join("live.jsonl");
    let port = free_port();
    let mut child = start_live(&veth, "3", port, &output, None);

    // One capture at a time, each counted before the next: the workers run concurrently, so
    // what a flow learns from another through the shared state (the downgrade memory) follows
    // the order in which the workers reach them, which is packet order only when the captures
    // are far apart, as they are on a real network and as they are here.
    let offline_smb = offline.of_type("smb").len() as f64;
    let mut sent = 0;
    for pcap in &pcaps {
        sent += common::read(pcap).stats()["packets"].as_u64().expect("stats.packets");
        replay_counted(&veth, pcap, port, sent);
    }
    assert_eq!(sent, expected_packets);
    wait_for("every smb record to be counted", || {
        scrape(port).is_some_and(|m| sample(&m, "hardwire_events_total{event_type=\"smb\"}") >= offline_smb)
    });
    let metrics = scrape(port).expect("scrape");
    assert_eq!(sample(&metrics, "hardwire_packets_total") as u64, expected_packets, "{metrics}");
    assert_eq!(sample(&metrics, "hardwire_bytes_total") as u64, offline.stats()["bytes"].as_u64().unwrap_or(0), "{metrics}");
    assert_eq!(sample(&metrics, "hardwire_queue_drops_total"), 0.0, "{metrics}");
    assert_eq!(sample(&metrics, "hardwire_kernel_drops_total"), 0.0, "{metrics}");
    // Every frame was handled, so every byte its queue counted was given back.
    assert!(metrics.contains("# TYPE hardwire_queued_bytes gauge"), "{metrics}");
    assert_eq!(sample(&metrics, "hardwire_queued_bytes"), 0.0, "{metrics}");
    assert!(metrics.contains("# TYPE hardwire_capture_lag_seconds gauge"), "{metrics}");
    // The budget of the three workers (the default), what they hold against it, nothing shed.
    assert_eq!(sample(&metrics, "hardwire_memory_budget_bytes"), 3.0 * 268_435_456.0, "{metrics}");
    assert!(sample(&metrics, "hardwire_memory_bytes") > 0.0, "{metrics}");
    assert_eq!(sample(&metrics, "hardwire_memory_flows_shed_total{tier=\"bulk\"}"), 0.0, "{metrics}");

    stop(&mut child);

    let live = lines(&output);
    let last = live.last().expect("live output");
    assert_eq!(last["event_type"], "stats", "the final line must be the stats line");
    assert_eq!(last["stats"]["packets"].as_u64(), Some(expected_packets));
    assert_eq!(last["stats"]["queue_drops"].as_u64(), Some(0));
    assert!(last["stats"]["kernel_drops"].is_u64(), "{last}");

    // The same records and alerts as offline, whatever they are.
    let sorted = |records: &[Value]| {
        let mut out: Vec<String> = records.iter().filter(|r| r["event_type"] != "stats").map(comparable).collect();
        out.sort();
        out
    };
    let (live_records, offline_records) = (sorted(&live), sorted(&offline.records));
    assert!(!offline_records.is_empty(), "the captures should give records");
    let only_live: Vec<&String> = live_records.iter().filter(|r| !offline_records.contains(r)).collect();
    let only_offline: Vec<&String> = offline_records.iter().filter(|r| !live_records.contains(r)).collect();
    assert_eq!(
        live_records, offline_records,
        "live and offline records differ:\nonly live: {only_live:#?}\nonly offline: {only_offline:#?}"
    );
    assert_eq!(last["stats"]["alerts"], offline.stats()["alerts"]);
    assert_eq!(last["stats"]["events"], offline.stats()["events"]);

    // The scrape taken before the stop already counted the records of the connections that
    // had ended (all of them: these captures close their connections).
    assert_eq!(sample(&metrics, "hardwire_events_total{event_type=\"smb\"}"), offline_smb, "{metrics}");
    let _ = std::fs::remove_dir_all(dir);
}

/// The broker is down from the start: the capture counts every packet all the same (nothing
/// waits for the broker), the lines wait in the spool, and once the broker is up they all reach
/// it; `/metrics` shows the sink's figures on the way.
#[test]
fn live_keeps_its_packet_counts_with_the_broker_down() {
    let test = "live_keeps_its_packet_counts_with_the_broker_down";
    if let Some(reason) = namespaces_unavailable() {
        eprintln!("SKIPPED {test}: cannot make network namespaces here ({reason})");
        return;
    }
    if !tcpreplay_present() {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "tcpreplay is missing under CI (deploy/install-deps.sh installs it)");
        eprintln!("SKIPPED {test}: tcpreplay is not installed (deploy/install-deps.sh)");
        return;
    }
    if !Kind::Nats.available(test) {
        return;
    }
    let pcaps = [common::project_pcap("smb/smb-guest.pcap"), common::project_pcap("http/winrm-basic-http.pcap")];
    let dir = scratch_dir();
    let broker_port = free_port();
    let config = dir.join("fleet.toml");
    std::fs::write(
        &config,
        format!(
            "sensor = \"live-1\"\n[output]\nqueue_lines = 4\nbatch_lines = 2\ntimeout_secs = 2\ndrain_secs = 60\nspool_dir = \"{}\"\n\
             [output.nats]\nservers = [\"127.0.0.1:{broker_port}\"]\nmax_bytes = 67108864\nstream = \"live\"\n",
            dir.join("spool").display()
        ),
    )
    .expect("config");
    let veth = Veth::create().expect("making the veth pair and namespace");
    let output = dir.join("live.jsonl");
    let port = free_port();
    let mut child = start_live(&veth, "2", port, &output, Some(&config));
    let mut sent = 0;
    for pcap in &pcaps {
        sent += common::read(pcap).stats()["packets"].as_u64().expect("stats.packets");
        replay_counted(&veth, pcap, port, sent);
    }
    let queued = "hardwire_sink_queued{sink=\"nats\"}";
    // The memory queue fills before the spool takes the rest: a scrape between the two sees
    // lines queued and none spooled yet, so wait for both.
    let spooled = "hardwire_sink_spooled_total{sink=\"nats\"}";
    wait_for("the lines to wait for the broker, the overflow on disk", || {
        scrape(port).is_some_and(|m| sample(&m, queued) > 0.0 && sample(&m, spooled) > 0.0)
    });
    let metrics = scrape(port).expect("scrape");
    assert_eq!(sample(&metrics, "hardwire_packets_total") as u64, sent, "{metrics}");
    assert_eq!(sample(&metrics, "hardwire_queue_drops_total"), 0.0, "{metrics}");
    assert_eq!(sample(&metrics, "hardwire_sink_delivered_total{sink=\"nats\"}"), 0.0, "{metrics}");

    // The broker comes up: everything waiting reaches it.
    let server = Server::start(Kind::Nats, broker_port, &dir.join("broker"));
    wait_for("the spool to be delivered", || {
        scrape(port).is_some_and(|m| sample(&m, queued) == 0.0 && sample(&m, "hardwire_sink_delivered_total{sink=\"nats\"}") > 0.0)
    });
    stop(&mut child);
    let written: Vec<String> = std::fs::read_to_string(&output).expect("output").lines().map(str::to_string).collect();
    let last: Value = serde_json::from_str(written.last().expect("lines")).expect("JSON");
    assert_eq!(last["event_type"], "stats");
    assert_eq!(last["host"], "live-1");
    assert_eq!(last["stats"]["packets"].as_u64(), Some(sent));
    assert_eq!(last["stats"]["sinks"]["nats"]["dropped"].as_u64(), Some(0), "{last}");
    let mut on_broker = lines_on(&server, "live");
    on_broker.sort();
    let mut expected = written;
    expected.sort();
    assert_eq!(on_broker, expected, "the broker holds exactly the file's lines");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_bad_configuration_is_refused_before_anything_starts() {
    let dir = scratch_dir();
    let config = dir.join("bad.toml");
    std::fs::write(&config, "# a sensor\n[live]\nworkers = \"many\"\n").expect("writing config");
    let output = dir.join("never.jsonl");
    let port = free_port();
    let result = Command::new(env!("CARGO_BIN_EXE_hardwire"))
        .args(["live", "-i", "lo", "--metrics", &format!("127.0.0.1:{port}")])
        .arg("--config")
        .arg(&config)
        .arg("-o")
        .arg(&output)
        .output()
        .expect("running hardwire live");
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(!result.status.success(), "a bad configuration must be refused");
    assert!(stderr.contains("bad.toml") && stderr.contains("line 3") && stderr.contains("invalid type"), "{stderr}");
    assert!(result.stdout.is_empty(), "nothing may be written: {}", String::from_utf8_lossy(&result.stdout));
    assert!(!output.exists(), "no output file may be created");
    // The daemon has exited, so a probe of its port would prove nothing (and another process may
    // hold it by now): what it says tells whether capture or /metrics ever started.
    assert!(!stderr.contains("capturing on"), "nothing may start: {stderr}");

    // Values the file's grammar accepts but the daemon cannot use are refused just as early.
    for (text, key) in [("[live]\ntimeout_ms = 0\n", "timeout_ms"), ("[live]\nqueue_bytes = 1000\n", "queue_bytes")] {
        std::fs::write(&config, text).expect("writing config");
        let result = Command::new(env!("CARGO_BIN_EXE_hardwire"))
            .args(["live", "-i", "lo", "--metrics", &format!("127.0.0.1:{port}")])
            .arg("--config")
            .arg(&config)
            .output()
            .expect("running hardwire live");
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert!(!result.status.success() && stderr.contains(key), "{stderr}");
        assert!(result.stdout.is_empty());
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_example_configurations_pass_check_config() {
    for example in ["deploy/hardwire.toml", "deploy/fleet.toml"] {
        let example = common::workspace_root().expect("workspace root").join(example);
        let result =
            Command::new(env!("CARGO_BIN_EXE_hardwire")).arg("check-config").arg(&example).output().expect("running hardwire check-config");
        assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    }
}

/// Waits (bounded) for `child` to exit on its own; its status and stderr.
fn exit_of(child: Child, what: &str) -> (std::process::ExitStatus, String) {
    let mut child = child;
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for hardwire") {
            break status;
        }
        if start.elapsed() > PATIENCE {
            let _ = child.kill();
            panic!("hardwire kept running after {what} for {PATIENCE:?}");
        }
        sleep(Duration::from_millis(100));
    };
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        let _ = pipe.read_to_string(&mut stderr);
    }
    (status, stderr)
}

/// `hardwire live` on loopback with a filter that matches nothing, a `stats` line every second.
fn quiet_command(dir: &Path, output: &Path, extra: &[&str]) -> Command {
    let config = dir.join("quiet.toml");
    std::fs::write(&config, "[live]\nstats_interval_secs = 1\nworkers = 2\n").expect("writing config");
    let mut command = Command::new(env!("CARGO_BIN_EXE_hardwire"));
    command
        .args(["live", "-i", "lo", "--bpf", "tcp port 9"])
        .args(extra)
        .arg("--config")
        .arg(&config)
        .arg("-o")
        .arg(output)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    command
}

fn quiet_daemon(dir: &Path, output: &Path, extra: &[&str]) -> Child {
    quiet_command(dir, output, extra).spawn().expect("starting hardwire live")
}

/// A small tmpfs, unmounted on drop.
struct Tmpfs(PathBuf);

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = run("umount", &[&self.0.to_string_lossy()]);
    }
}

/// Writing the output fails (a full disk): the daemon exits non-zero, naming the cause, instead
/// of idling with its capture stopped.
#[test]
fn a_full_disk_ends_the_daemon_with_the_cause() {
    if let Some(reason) = namespaces_unavailable() {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "CI runs as root: {reason}");
        eprintln!("SKIPPED a_full_disk_ends_the_daemon_with_the_cause: cannot mount a tmpfs here ({reason})");
        return;
    }
    let dir = scratch_dir();
    let mount = dir.join("full");
    std::fs::create_dir_all(&mount).expect("mount point");
    run("mount", &["-t", "tmpfs", "-o", "size=64k", "hwfull", &mount.to_string_lossy()]).expect("mounting a small tmpfs");
    let tmpfs = Tmpfs(mount.clone());
    // Fill it up, all but nothing.
    let mut filler = std::fs::File::create(mount.join("filler")).expect("filler");
    while filler.write_all(&[0u8; 4096]).is_ok() {}
    let output = mount.join("out.jsonl");
    let daemon = quiet_daemon(&dir, &output, &["--metrics", "off"]);
    let (status, stderr) = exit_of(daemon, "its output disk filled up");
    assert!(!status.success(), "exit status {status:?}: {stderr}");
    assert!(stderr.contains("writing output") && stderr.contains("No space left on device"), "{stderr}");
    drop(tmpfs);
    let _ = std::fs::remove_dir_all(dir);
}

/// A worker that panics (a bug, injected here through `HARDWIRE_FAULT`, which debug builds
/// read) ends the daemon: it exits non-zero with the panic as the cause, instead of capturing
/// on with a worker gone, and what the other threads held is still written (the final stats
/// line).
#[test]
fn a_worker_panic_ends_the_daemon_with_the_cause() {
    let dir = scratch_dir();
    let output = dir.join("out.jsonl");
    let daemon =
        quiet_command(&dir, &output, &["--metrics", "off"]).env("HARDWIRE_FAULT", "worker-panic").spawn().expect("starting hardwire live");
    let (status, stderr) = exit_of(daemon, "a worker panicked");
    assert_eq!(status.code(), Some(1), "{stderr}");
    // The last line of the daemon's own: the cause it exits with.
    let cause = stderr.lines().rfind(|l| l.starts_with("hardwire: ")).unwrap_or_default();
    assert!(cause.contains("the hw-worker-0 thread panicked: injected fault"), "{stderr}");
    let written = lines(&output);
    assert!(written.last().is_some_and(|l| l["event_type"] == "stats"), "the final stats line: {written:?}");
    let _ = std::fs::remove_dir_all(dir);
}

/// SIGHUP reopens the output file; made unwritable before that (the daemon runs as `nobody`),
/// the reopen fails and the daemon exits non-zero, naming the file.
#[test]
fn an_unwritable_output_at_sighup_ends_the_daemon() {
    use std::os::unix::fs::PermissionsExt;
    if let Some(reason) = namespaces_unavailable() {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "CI runs as root: {reason}");
        eprintln!("SKIPPED an_unwritable_output_at_sighup_ends_the_daemon: needs root to drop to nobody ({reason})");
        return;
    }
    let dir = scratch_dir();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod the scratch folder");
    let output = dir.join("out.jsonl");
    let daemon = quiet_daemon(&dir, &output, &["--metrics", "off", "--user", "nobody"]);
    wait_for("the first stats line", || lines(&output).iter().any(|l| l["event_type"] == "stats"));
    std::fs::set_permissions(&output, std::fs::Permissions::from_mode(0o444)).expect("chmod the output");
    run("kill", &["-HUP", &daemon.id().to_string()]).expect("kill -HUP");
    let (status, stderr) = exit_of(daemon, "its output became unwritable and SIGHUP came");
    assert!(!status.success(), "exit status {status:?}: {stderr}");
    assert!(stderr.contains("reopening") && stderr.contains("out.jsonl") && stderr.contains("Permission denied"), "{stderr}");
    let _ = std::fs::remove_dir_all(dir);
}

/// A client sending its request a byte a second holds nothing: a concurrent scrape is answered
/// while it is still sending, and the server closes it before its request is complete.
#[test]
fn a_slow_metrics_client_does_not_delay_a_scrape() {
    let dir = scratch_dir();
    let port = free_port();
    let mut daemon = quiet_daemon(&dir, &dir.join("out.jsonl"), &["--metrics", &format!("127.0.0.1:{port}")]);
    wait_for("the metrics endpoint", || scrape(port).is_some());
    let head = b"GET /metrics HTTP/1.1\r\nHost: localhost\r\nUser-Agent: slowly\r\n\r\n";
    let mut slow = TcpStream::connect(("127.0.0.1", port)).expect("the slow client connects");
    slow.set_read_timeout(Some(Duration::from_millis(100))).expect("read timeout");
    slow.write_all(&head[..1]).expect("the first byte");
    let slow_client = std::thread::spawn(move || {
        // Sends a byte a second until the server closes the connection; how many it sent.
        for (sent, byte) in head.iter().enumerate().skip(1) {
            sleep(Duration::from_secs(1));
            let mut answer = [0u8; 256];
            match slow.read(&mut answer) {
                Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
                _ => return sent,
            }
            if slow.write_all(std::slice::from_ref(byte)).is_err() {
                return sent;
            }
        }
        head.len()
    });
    for _ in 0..3 {
        assert!(scrape(port).is_some_and(|m| m.contains("hardwire_packets_total")), "a scrape beside the slow client");
    }
    assert!(!slow_client.is_finished(), "the scrapes were answered while the slow client was still sending");
    let sent = slow_client.join().expect("the slow client");
    assert!(sent < head.len(), "the server let the slow client send its whole request ({sent} bytes)");
    assert!(terminate(&mut daemon).success());
    let _ = std::fs::remove_dir_all(dir);
}

/// The client of `pcaps/evasion/fragmented.pcap` (make.py's CLIENT).
const FRAGMENTED_CLIENT: [u8; 4] = [10, 77, 0, 20];

/// `copies` replays of a classic pcap (little-endian, as scapy writes them) in one file, replay
/// `k` with its client 10.77.`k`.20 instead of 10.77.0.20 (the IPv4 header checksum fixed) and
/// its times `k` ms later, all in time order: `copies` connections between different address
/// pairs, whose packets and fragments interleave.
fn with_clients(pcap: &[u8], copies: u8) -> Vec<u8> {
    let mut frames = Vec::new();
    for k in 0..copies {
        let mut at = 24;
        while let Some(record) = pcap.get(at..at + 16) {
            let word = |i: usize| u32::from_le_bytes([record[i], record[i + 1], record[i + 2], record[i + 3]]);
            let time = u64::from(word(0)) * 1_000_000 + u64::from(word(4)) + u64::from(k) * 1000;
            let mut frame = pcap[at + 16..at + 16 + word(8) as usize].to_vec();
            if frame.get(12..14) == Some(&[0x08, 0x00]) {
                for field in [26, 30] {
                    if frame[field..field + 4] == FRAGMENTED_CLIENT[..] {
                        frame[field + 2] = k;
                    }
                }
                frame[24..26].fill(0);
                let ihl = usize::from(frame[14] & 0x0f) * 4;
                let mut sum = frame[14..14 + ihl].chunks(2).map(|w| u32::from(u16::from_be_bytes([w[0], w[1]]))).sum::<u32>();
                while sum > 0xffff {
                    sum = (sum & 0xffff) + (sum >> 16);
                }
                frame[24..26].copy_from_slice(&(!(sum as u16)).to_be_bytes());
            }
            frames.push((time, frame));
            at += 16 + word(8) as usize;
        }
    }
    frames.sort_by_key(|(time, _)| *time);
    let mut out = pcap[..24].to_vec();
    for (time, frame) in frames {
        let len = (frame.len() as u32).to_le_bytes();
        out.extend_from_slice(&((time / 1_000_000) as u32).to_le_bytes());
        out.extend_from_slice(&((time % 1_000_000) as u32).to_le_bytes());
        out.extend_from_slice(&len);
        out.extend_from_slice(&len);
        out.extend_from_slice(&frame);
    }
    out
}

/// Issue 12: live, every packet of a flow reaches the same worker, IP fragments included (only
/// a datagram's first fragment carries the ports). `pcaps/evasion/fragmented.pcap` is the
/// psexec capture with its RCreateServiceW request in six IPv4 fragments, last first; eight
/// copies from eight clients go to four workers. Were fragments sent anywhere but to their
/// flow's worker, most copies would lose the request (a copy's flow lands on a given worker one
/// time in four); each must raise `dcerpc.remote_service`, as `hardwire read` does.
#[test]
fn fragments_reach_their_flows_worker_live() {
    let test = "fragments_reach_their_flows_worker_live";
    let ci = std::env::var("CI").as_deref() == Ok("true");
    if let Some(reason) = namespaces_unavailable() {
        assert!(!ci, "{test}: cannot make network namespaces under CI ({reason})");
        eprintln!("SKIPPED {test}: cannot make network namespaces here ({reason})");
        return;
    }
    if !tcpreplay_present() {
        assert!(!ci, "tcpreplay is missing under CI (deploy/install-deps.sh installs it)");
        eprintln!("SKIPPED {test}: tcpreplay is not installed (deploy/install-deps.sh)");
        return;
    }
    const COPIES: u8 = 8;
    let dir = scratch_dir();
    let pcap = dir.join("fragmented-x8.pcap");
    let original = std::fs::read(common::project_pcap("evasion/fragmented.pcap")).expect("reading the capture");
    std::fs::write(&pcap, with_clients(&original, COPIES)).expect("writing the copies");
    let offline = common::read(&pcap);
    assert!(offline.status.success(), "{}", offline.stderr);
    let clients = |records: &[Value]| {
        let mut out: Vec<String> = records
            .iter()
            .filter(|r| r["event_type"] == "alert" && r["alert"]["rule"] == "dcerpc.remote_service")
            .map(|r| r["src_ip"].as_str().unwrap_or_default().to_string())
            .collect();
        out.sort();
        out
    };
    let expected: Vec<String> = (0..COPIES).map(|k| format!("10.77.{k}.20")).collect();
    assert_eq!(clients(&offline.records), expected, "offline, each copy raises the alert");

    let veth = Veth::named("tcp-").expect("making the veth pair and namespace");
    let output = dir.join("live.jsonl");
    let port = free_port();
    let mut child = start_live(&veth, "4", port, &output, None);
    let sent = offline.stats()["packets"].as_u64().expect("stats.packets");
    replay_counted(&veth, &pcap, port, sent);
    stop(&mut child);

    let live = lines(&output);
    let stats = &live.last().expect("live output")["stats"];
    assert_eq!(stats["packets"].as_u64(), Some(sent), "{stats}");
    assert_eq!(stats["queue_drops"].as_u64(), Some(0), "{stats}");
    assert_eq!(stats["fragments_dropped"].as_u64(), Some(0), "{stats}");
    assert_eq!(clients(&live), expected, "live, with four workers, each copy raises the alert");
    let _ = std::fs::remove_dir_all(dir);
}
