//! The broker sinks against real servers (Debian's `redis-server`, `nats-server -js`) that the
//! test starts and kills by PID on loopback ports it picks: a broker killed in the middle of a
//! run and restarted still gets every line (the lines on the broker are the file sink's lines of
//! the same run, duplicates no more than the lines whose send failed); a broker that never
//! returns fills the spool to its bound, then drops are counted and reading goes on.
//!
//! The run reads a pcap stream from stdin, fed in parts, so the broker can be killed between
//! parts while `hardwire read` is still running. Waits are bounded polls on what the sensor says
//! (its stderr) or what the broker holds, never timed assertions. The TLS tests run the same
//! servers with TLS only, on certificates the test makes, each asking for a client certificate.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread::sleep;
use std::time::{Duration, Instant};

use common::brokers::{free_port, lines_on, project_stream, Certs, Kind, Server, PATIENCE};
use hardwire_sinks::redis::Reply;

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hardwire-sinks-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// The `[output]` section for one broker at `address`, small queues so an outage reaches the spool.
fn config(kind: Kind, address: &str, spool: &Path, spool_max_bytes: u64, drain_secs: u64) -> String {
    let broker = match kind {
        Kind::Redis => format!("[output.redis]\nserver = \"{address}\"\nmode = \"rpush\"\nkey = \"lines\"\n"),
        Kind::Nats => {
            format!("[output.nats]\nservers = [\"{address}\"]\nmax_bytes = 67108864\nstream = \"lines\"\nsubject_prefix = \"hw\"\n")
        }
    };
    format!(
        "sensor = \"probe-1\"\n[output]\nqueue_lines = 8\nbatch_lines = 4\ntimeout_secs = 2\ndrain_secs = {drain_secs}\nspool_max_bytes = {spool_max_bytes}\nspool_dir = \"{}\"\n{broker}",
        spool.display()
    )
}

/// `hardwire read -` running, fed through its stdin; its stderr lines arrive on a channel.
struct Reading {
    child: Child,
    stdin: Option<ChildStdin>,
    stderr: Receiver<String>,
    said: Vec<String>,
}

impl Reading {
    fn start(config: &Path, output: &Path) -> Reading {
        let mut child = Command::new(env!("CARGO_BIN_EXE_hardwire"))
            .arg("read")
            .arg("-c")
            .arg(config)
            .arg("-o")
            .arg(output)
            .arg("-")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting hardwire read");
        let (tx, stderr) = mpsc::channel();
        let pipe = child.stderr.take().expect("stderr");
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let stdin = child.stdin.take();
        Reading { child, stdin, stderr, said: Vec::new() }
    }

    fn feed(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).expect("feeding hardwire");
        stdin.flush().expect("feeding hardwire");
    }

    /// Waits for a stderr line containing `text`.
    fn wait_until_it_says(&mut self, text: &str) {
        let start = Instant::now();
        while !self.said.iter().any(|l| l.contains(text)) {
            assert!(start.elapsed() < PATIENCE, "hardwire never said {text:?}; it said {:#?}", self.said);
            if let Ok(line) = self.stderr.recv_timeout(Duration::from_millis(100)) {
                self.said.push(line);
            }
        }
    }

    /// Closes stdin and waits for the exit; the stderr lines.
    fn finish(mut self) -> Vec<String> {
        drop(self.stdin.take());
        let start = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("waiting") {
                break status;
            }
            assert!(start.elapsed() < PATIENCE * 2, "hardwire read did not finish");
            sleep(Duration::from_millis(50));
        };
        self.said.extend(self.stderr.iter());
        assert!(status.success(), "exit {status:?}: {:#?}", self.said);
        assert!(!self.said.iter().any(|l| l.contains("panicked")), "{:#?}", self.said);
        self.said
    }
}

/// The closing summary `hardwire read` prints per sink: `delivered N, failed N, ...`.
fn summary(said: &[String], sink: &str) -> BTreeMap<String, u64> {
    let line =
        said.iter().find(|l| l.starts_with(&format!("hardwire: {sink}: delivered"))).unwrap_or_else(|| panic!("no summary: {said:#?}"));
    let figures = line.split_once(": delivered").map(|(_, rest)| format!("delivered{rest}")).unwrap_or_default();
    figures
        .split(", ")
        .filter_map(|pair| {
            let (name, value) = pair.split_once(' ')?;
            Some((name.to_string(), value.parse().ok()?))
        })
        .collect()
}

/// `hardwire fetch SOURCE`: its lines.
fn fetch(source: &str) -> Vec<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_hardwire")).args(["fetch", source]).output().expect("hardwire fetch");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8").lines().map(str::to_string).collect()
}

fn file_lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path).expect("output file").lines().map(str::to_string).collect()
}

/// Kill the broker after the first part was delivered, feed the second while it is down,
/// restart it and feed the rest: the broker ends with every line of the file sink.
fn broker_killed_mid_run_gets_every_line(kind: Kind, test: &str) {
    if !kind.available(test) {
        return;
    }
    let dir = scratch_dir(test);
    let mut server = Server::start(kind, free_port(), &dir.join("broker"));
    let config_path = dir.join("hardwire.toml");
    std::fs::write(&config_path, config(kind, &server.address(), &dir.join("spool"), 1 << 30, 60)).expect("config");
    let output = dir.join("out.jsonl");
    let parts = project_stream(3);
    assert_eq!(parts.len(), 3);

    let mut reading = Reading::start(&config_path, &output);
    reading.feed(&parts[0]);
    reading.feed(&parts[1]);
    let start = Instant::now();
    while lines_on(&server, "lines").is_empty() {
        assert!(start.elapsed() < PATIENCE, "nothing reached the broker");
        sleep(Duration::from_millis(50));
    }
    server.kill();
    reading.feed(&parts[2]);
    reading.wait_until_it_says("holding lines");
    server.restart();
    let said = reading.finish();

    let written = file_lines(&output);
    assert!(written.len() > 100, "the captures give lines: {}", written.len());
    assert!(written.iter().all(|l| l.contains("\"host\":\"probe-1\"")), "host on every line");
    let mut on_broker = lines_on(&server, "lines");
    let figures = summary(
        &said,
        match kind {
            Kind::Redis => "redis",
            Kind::Nats => "nats",
        },
    );
    assert!(figures["failed"] > 0, "the kill was noticed: {figures:?}");
    assert_eq!(figures["dropped"], 0, "{figures:?}");
    assert_eq!(figures["left"], 0, "{figures:?}");
    let stored = on_broker.len();
    on_broker.sort();
    on_broker.dedup();
    let duplicates = (stored - on_broker.len()) as u64;
    assert!(duplicates <= figures["failed"], "{duplicates} duplicates, {figures:?}");
    let mut expected = written.clone();
    expected.sort();
    assert_eq!(on_broker, expected, "the broker holds exactly the file sink's lines");
    // In order: the broker's order is the file's (duplicates aside).
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn redis_killed_mid_run_and_restarted_gets_every_line() {
    broker_killed_mid_run_gets_every_line(Kind::Redis, "redis_killed_mid_run_and_restarted_gets_every_line");
}

#[test]
fn nats_killed_mid_run_and_restarted_gets_every_line() {
    broker_killed_mid_run_gets_every_line(Kind::Nats, "nats_killed_mid_run_and_restarted_gets_every_line");
}

/// The broker's lines are a subsequence of the offered ones: in order, none foreign. On failure,
/// says where the order broke and where that line was offered, so a rare failure can be read.
fn assert_in_order(on_broker: &[String], offered: &[String]) {
    let mut next = 0;
    for (index, line) in on_broker.iter().enumerate() {
        match offered[next..].iter().position(|o| o == line) {
            Some(at) => next += at + 1,
            None => panic!(
                "the broker has the spool's lines, then the second run's, in order: broker line {index} of {} \
                 is not offered after offered line {next} of {}; it is offered at {:?}: {line}",
                on_broker.len(),
                offered.len(),
                offered.iter().enumerate().filter(|(_, o)| *o == line).map(|(i, _)| i).collect::<Vec<_>>(),
            ),
        }
    }
}

/// The broker is never there: the spool fills to its bound, the oldest lines are dropped and
/// counted, reading finishes with every line in the file; a later run with the broker up
/// delivers what the spool kept.
#[test]
fn a_broker_that_never_returns_fills_the_spool_then_drops_are_counted() {
    let test = "a_broker_that_never_returns_fills_the_spool_then_drops_are_counted";
    if !Kind::Nats.available(test) {
        return;
    }
    let dir = scratch_dir(test);
    let port = free_port();
    let spool = dir.join("spool");
    let bound = 1 << 16;
    let config_path = dir.join("hardwire.toml");
    std::fs::write(&config_path, config(Kind::Nats, &format!("127.0.0.1:{port}"), &spool, bound, 1)).expect("config");
    let output = dir.join("out.jsonl");
    let mut reading = Reading::start(&config_path, &output);
    for part in project_stream(1) {
        reading.feed(&part);
    }
    let said = reading.finish();
    let written = file_lines(&output);
    let plain = Command::new(env!("CARGO_BIN_EXE_hardwire")).arg("read").arg("-").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn();
    let mut plain = plain.expect("hardwire read");
    let stream = project_stream(1).concat();
    let mut stdin = plain.stdin.take().expect("stdin");
    std::thread::spawn(move || stdin.write_all(&stream));
    let plain = plain.wait_with_output().expect("hardwire read");
    let last = |text: &str| text.lines().last().map(str::to_string).unwrap_or_default();
    let packets = |line: String| serde_json::from_str::<serde_json::Value>(&line).expect("stats")["stats"]["packets"].clone();
    assert_eq!(
        packets(last(&String::from_utf8_lossy(&plain.stdout))),
        packets(written.last().cloned().unwrap_or_default()),
        "reading went on"
    );

    let figures = summary(&said, "nats");
    // The spool's segments in order (fixed-width hex names): the lines it keeps, oldest first.
    // They are the lines still in memory at the end (the oldest undelivered, put back in front)
    // and the newest spooled; what was between them was dropped at the bound.
    let mut segments: Vec<PathBuf> = std::fs::read_dir(spool.join("nats")).expect("spool folder").flatten().map(|e| e.path()).collect();
    segments.sort();
    let mut bytes = 0;
    let mut spooled: Vec<String> = Vec::new();
    for segment in &segments {
        let text = std::fs::read_to_string(segment).expect("segment");
        bytes += text.len() as u64;
        // Each line is framed `<message id> <event_type> <JSON>`.
        spooled.extend(text.lines().map(|l| l.splitn(3, ' ').nth(2).expect("a framed line").to_string()));
    }
    let kept = spooled.len() as u64;
    let mut in_written = written.iter();
    assert!(spooled.iter().all(|line| in_written.any(|w| w == line)), "the spool keeps lines of the run, in order");
    assert!(bytes <= bound, "the spool stays in its bound: {bytes}");
    assert!(figures["dropped"] > 0, "{figures:?}");
    assert_eq!(figures["delivered"], 0, "{figures:?}");
    assert_eq!(figures["left"], kept, "{figures:?}");
    assert_eq!(figures["dropped"] + kept, written.len() as u64, "every line is delivered, kept or counted: {figures:?}");

    // The broker comes back for the next run: the spool is delivered first, in order.
    let server = Server::start(Kind::Nats, port, &dir.join("broker"));
    // Time enough to drain, however loaded the machine.
    std::fs::write(&config_path, config(Kind::Nats, &format!("127.0.0.1:{port}"), &spool, bound, 60)).expect("config");
    let mut reading = Reading::start(&config_path, &dir.join("second.jsonl"));
    reading.feed(&project_stream(1)[0]);
    let said = reading.finish();
    let second = file_lines(&dir.join("second.jsonl"));
    let figures = summary(&said, "nats");
    // The new lines queue behind the spool, which is at its bound: the oldest may be dropped again.
    assert_eq!(figures["delivered"] + figures["dropped"], kept + second.len() as u64, "{figures:?}");
    assert_eq!(figures["left"], 0, "{figures:?}");
    let on_broker = lines_on(&server, "lines");
    assert_eq!(on_broker.len() as u64, figures["delivered"]);
    let offered = [spooled, second].concat();
    assert_in_order(&on_broker, &offered);
    assert_eq!(on_broker.last(), offered.last(), "the newest line arrives");
    let _ = std::fs::remove_dir_all(dir);
}

/// Redis modes as Suricata writes them: `list` pushes on the left (a reader popping on the right
/// gets the oldest first), `stream` adds entries with one field, `eve`.
#[test]
fn redis_modes_write_as_suricata_does() {
    let test = "redis_modes_write_as_suricata_does";
    if !Kind::Redis.available(test) {
        return;
    }
    let dir = scratch_dir(test);
    let server = Server::start(Kind::Redis, free_port(), &dir.join("broker"));
    let capture = common::project_pcap("smb/smb-guest.pcap");
    let config_path = dir.join("hardwire.toml");
    std::fs::write(&config_path, format!("[output.redis]\nserver = \"{}\"\nmode = \"list\"\nkey = \"suricata\"\n", server.address()))
        .expect("config");
    let run = common::read_with(&["-c", config_path.to_str().expect("utf-8")], &[&capture]);
    assert!(run.status.success(), "{}", run.stderr);
    let written: Vec<String> = run.stdout.lines().map(str::to_string).collect();
    let mut listed = lines_on(&server, "suricata");
    listed.reverse();
    assert_eq!(listed, written, "LPUSH: the oldest line at the right end");
    assert_eq!(fetch(&format!("redis://{}/suricata", server.address())), written, "hardwire fetch reads a list oldest first");

    std::fs::write(
        &config_path,
        format!("[output.redis]\nserver = \"{}\"\nmode = \"stream\"\nkey = \"eve-stream\"\nstream_maxlen = 1000\n", server.address()),
    )
    .expect("config");
    let run = common::read_with(&["-c", config_path.to_str().expect("utf-8")], &[&capture]);
    assert!(run.status.success(), "{}", run.stderr);
    let mut client = hardwire_sinks::redis::RedisClient::connect(&server.address(), Duration::from_secs(10), None).expect("client");
    let Reply::Array(Some(entries)) = client.command(&[b"XRANGE", b"eve-stream", b"-", b"+"]).expect("XRANGE") else {
        panic!("XRANGE answered no entries")
    };
    let fields: Vec<(String, String)> = entries
        .iter()
        .filter_map(|entry| match entry {
            Reply::Array(Some(parts)) => match parts.get(1) {
                Some(Reply::Array(Some(pair))) => match pair.as_slice() {
                    [Reply::Bulk(Some(field)), Reply::Bulk(Some(value))] => {
                        Some((String::from_utf8_lossy(field).into_owned(), String::from_utf8_lossy(value).into_owned()))
                    }
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        })
        .collect();
    let expected: Vec<(String, String)> = run.stdout.lines().map(|l| ("eve".to_string(), l.to_string())).collect();
    assert_eq!(fields, expected, "one entry per line, field `eve`, in order");
    let lines: Vec<String> = run.stdout.lines().map(str::to_string).collect();
    assert_eq!(fetch(&format!("redis://{}/eve-stream", server.address())), lines, "hardwire fetch reads a stream's `eve` fields");
    let _ = std::fs::remove_dir_all(dir);
}

/// Two sensors send to one JetStream stream and one Redis stream: `hardwire report` over either
/// broker is the report over both sensors' files, and names the broker without its password.
#[test]
fn a_report_over_the_fleets_broker_covers_every_sensor() {
    let test = "a_report_over_the_fleets_broker_covers_every_sensor";
    if !Kind::Nats.available(test) || !Kind::Redis.available(test) {
        return;
    }
    let dir = scratch_dir(test);
    let nats = Server::start(Kind::Nats, free_port(), &dir.join("nats"));
    let redis = Server::start(Kind::Redis, free_port(), &dir.join("redis"));
    let mut files = Vec::new();
    for (sensor, capture) in [("fs-floor2", "smb/smb-admin-share.pcap"), ("dc-core", "http/winrm-basic-http.pcap")] {
        let config_path = dir.join(format!("{sensor}.toml"));
        let config = format!(
            "sensor = \"{sensor}\"\n[output.nats]\nservers = [\"{}\"]\nmax_bytes = 67108864\nstream = \"FLEET\"\n[output.redis]\nserver = \"{}\"\nmode = \"stream\"\nkey = \"fleet\"\n",
            nats.address(),
            redis.address()
        );
        std::fs::write(&config_path, config).expect("config");
        let file = dir.join(format!("{sensor}.jsonl"));
        let status = Command::new(env!("CARGO_BIN_EXE_hardwire"))
            .arg("read")
            .arg("-c")
            .arg(&config_path)
            .arg("-o")
            .arg(&file)
            .arg(common::project_pcap(capture))
            .status()
            .expect("hardwire read");
        assert!(status.success());
        files.push(file);
    }
    let report = |inputs: &[&str], name: &str| {
        let json = dir.join(format!("{name}.json"));
        let out =
            Command::new(env!("CARGO_BIN_EXE_hardwire")).arg("report").arg("--json").arg(&json).args(inputs).output().expect("report");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let mut value: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).expect("report")).expect("JSON");
        let inputs = value["inputs"].take();
        (value, inputs)
    };
    let paths: Vec<&str> = files.iter().map(|f| f.to_str().expect("utf-8")).collect();
    let (from_files, _) = report(&paths, "files");
    let (from_nats, named) = report(&[&format!("nats://someone:secret@{}/FLEET", nats.address())], "nats");
    assert_eq!(from_nats, from_files, "the JetStream stream gives the report of both sensors' files");
    assert!(!named.to_string().contains("secret") && named.to_string().contains("FLEET"), "{named}");
    let (from_redis, _) = report(&[&format!("redis://{}/fleet", redis.address())], "redis");
    assert_eq!(from_redis, from_files, "the Redis stream gives it too");
    let _ = std::fs::remove_dir_all(dir);
}

/// A TOML inline table of TLS settings for `certs` (the client certificate when `with_certificate`).
fn tls_table(ca: &Path, certs: &Certs, with_certificate: bool, server_name: Option<&str>) -> String {
    let mut parts = vec![format!("ca = {:?}", ca.display().to_string())];
    if with_certificate {
        parts.push(format!("cert = {:?}", certs.client_cert.display().to_string()));
        parts.push(format!("key = {:?}", certs.client_key.display().to_string()));
    }
    parts.extend(server_name.map(|name| format!("server_name = {name:?}")));
    format!("{{ {} }}", parts.join(", "))
}

/// Both sinks over TLS to servers that speak nothing else and ask for the sensor's certificate
/// (Redis from the first byte, NATS after its INFO): every line arrives; `hardwire fetch` reads
/// both back over TLS (`rediss://`, `tls://` with `?ca=&cert=&key=`); `check-config` accepts
/// the files.
#[test]
fn redis_and_nats_over_tls_get_every_line() {
    let test = "redis_and_nats_over_tls_get_every_line";
    if !Kind::Nats.available(test) || !Kind::Redis.available(test) {
        return;
    }
    let dir = scratch_dir(test);
    let certs = Certs::make(&dir.join("certs"));
    let redis = Server::start_tls(Kind::Redis, free_port(), &dir.join("redis"), &certs);
    let nats = Server::start_tls(Kind::Nats, free_port(), &dir.join("nats"), &certs);
    let config_path = dir.join("hardwire.toml");
    // Redis by address (its IP in the certificate), NATS by the name the certificate carries.
    let config = format!(
        "sensor = \"probe-tls\"\n[output.redis]\nserver = \"{}\"\nmode = \"rpush\"\nkey = \"lines\"\ntls = {}\n[output.nats]\nservers = [\"{}\"]\nmax_bytes = 67108864\nstream = \"lines\"\n[output.nats.tls]\nca = {:?}\ncert = {:?}\nkey = {:?}\nserver_name = \"localhost\"\n",
        redis.address(),
        tls_table(&certs.ca, &certs, true, None),
        nats.address(),
        certs.ca.display().to_string(),
        certs.client_cert.display().to_string(),
        certs.client_key.display().to_string(),
    );
    std::fs::write(&config_path, config).expect("config");
    let check = Command::new(env!("CARGO_BIN_EXE_hardwire")).arg("check-config").arg(&config_path).output().expect("check-config");
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));

    let capture = common::project_pcap("smb/smb-admin-share.pcap");
    let run = common::read_with(&["-c", config_path.to_str().expect("utf-8")], &[&capture]);
    assert!(run.status.success(), "{}", run.stderr);
    let written: Vec<String> = run.stdout.lines().map(str::to_string).collect();
    assert!(written.len() > 5, "{}", run.stdout);
    let said: Vec<String> = run.stderr.lines().map(str::to_string).collect();
    for sink in ["redis", "nats"] {
        let figures = summary(&said, sink);
        assert_eq!((figures["delivered"], figures["failed"], figures["dropped"]), (written.len() as u64, 0, 0), "{sink}: {figures:?}");
    }
    assert_eq!(lines_on(&redis, "lines"), written, "every line reaches Redis over TLS, in order");
    assert_eq!(lines_on(&nats, "lines"), written, "every line reaches JetStream over TLS, in order");

    let query = format!("?ca={}&cert={}&key={}", certs.ca.display(), certs.client_cert.display(), certs.client_key.display());
    // An `rpush` list is read from its right end (`list` mode's oldest): newest first here.
    let mut fetched = fetch(&format!("rediss://{}/lines{query}", redis.address()));
    fetched.reverse();
    assert!(fetched == written, "hardwire fetch over TLS from Redis: {} lines", fetched.len());
    let fetched = fetch(&format!("tls://{}/lines{query}&server_name=localhost", nats.address()));
    assert!(fetched == written, "and from JetStream: {} lines", fetched.len());
    let _ = std::fs::remove_dir_all(dir);
}

/// A CA that did not sign the broker's certificate: every attempt fails on the handshake, the
/// sensor says why once, counts the lines as failed and dropped (no spool), and reads on; a
/// sensor without TLS to a TLS-only NATS is told the server requires it. `check-config` names a
/// missing or broken file without connecting.
#[test]
fn a_wrong_ca_is_refused_with_its_reason_and_reading_goes_on() {
    let test = "a_wrong_ca_is_refused_with_its_reason_and_reading_goes_on";
    if !Kind::Nats.available(test) {
        return;
    }
    let dir = scratch_dir(test);
    let certs = Certs::make(&dir.join("certs"));
    let nats = Server::start_tls(Kind::Nats, free_port(), &dir.join("nats"), &certs);
    let capture = common::project_pcap("smb/smb-admin-share.pcap");
    let plain = common::read_with(&[], &[&capture]);
    assert!(plain.status.success());
    let config_path = dir.join("hardwire.toml");
    for (tls, reason) in [
        (format!("tls = {}\n", tls_table(&certs.other_ca, &certs, true, None)), "invalid peer certificate: UnknownIssuer"),
        (String::new(), "the server requires TLS"),
    ] {
        let config = format!(
            "[output]\nqueue_lines = 100000\ndrain_secs = 1\n[output.nats]\nservers = [\"{}\"]\nmax_bytes = 67108864\nstream = \"lines\"\n{tls}",
            nats.address()
        );
        std::fs::write(&config_path, config).expect("config");
        let run = common::read_with(&["-c", config_path.to_str().expect("utf-8")], &[&capture]);
        assert!(run.status.success(), "{}", run.stderr);
        let records = |run: &common::Run| run.records.iter().filter(|r| r["event_type"] != "stats").cloned().collect::<Vec<_>>();
        assert_eq!(records(&run), records(&plain), "the file sink's lines are those of a run without brokers");
        assert_eq!(run.stats()["packets"], plain.stats()["packets"], "reading went on");
        let said: Vec<String> = run.stderr.lines().map(str::to_string).collect();
        assert_eq!(said.iter().filter(|l| l.contains(reason) && l.contains("holding lines")).count(), 1, "said once: {said:#?}");
        let figures = summary(&said, "nats");
        assert!(figures["failed"] > 0, "{figures:?}");
        assert_eq!((figures["delivered"], figures["dropped"]), (0, plain.records.len() as u64), "{figures:?}");
    }
    let tls = hardwire_sinks::tls::TlsClient::load(&certs.client(true)).expect("the test's certificates");
    let auth = hardwire_sinks::nats::Auth::default();
    let mut client =
        hardwire_sinks::nats::NatsClient::connect(&nats.address(), Duration::from_secs(10), &auth, "test", Some(&tls)).expect("client");
    let info = client.api("$JS.API.STREAM.INFO.lines", &serde_json::json!({}));
    assert!(info.is_err_and(|e| e.to_string().contains("stream not found")), "nothing got through: no stream was made");

    let not_pem = dir.join("not-pem.txt");
    std::fs::write(&not_pem, "hello\n").expect("file");
    let missing = dir.join("missing.pem");
    for (ca, complaint) in [(&missing, "No such file"), (&not_pem, "no certificate in PEM"), (&certs.client_key, "no certificate in PEM")] {
        let config = format!(
            "[output.nats]\nservers = [\"{}\"]\nmax_bytes = 67108864\ntls = {}\n",
            nats.address(),
            tls_table(ca, &certs, false, None)
        );
        std::fs::write(&config_path, config).expect("config");
        let check = Command::new(env!("CARGO_BIN_EXE_hardwire")).arg("check-config").arg(&config_path).output().expect("check-config");
        let stderr = String::from_utf8_lossy(&check.stderr);
        assert!(!check.status.success() && stderr.contains(complaint) && stderr.contains(&ca.display().to_string()), "{stderr}");
    }
    let config = format!("[output.redis]\nserver = \"{}\"\ntls = {{ cert = {:?}, key = {:?} }}\n", nats.address(), certs.ca, certs.ca);
    std::fs::write(&config_path, config).expect("config");
    let check = Command::new(env!("CARGO_BIN_EXE_hardwire")).arg("check-config").arg(&config_path).output().expect("check-config");
    assert!(String::from_utf8_lossy(&check.stderr).contains("no private key"), "{}", String::from_utf8_lossy(&check.stderr));
    let config = format!("[output.redis]\ntls = {{ cert = {:?}, key = {:?} }}\n", certs.client_cert, certs.server_key);
    std::fs::write(&config_path, config).expect("config");
    let check = Command::new(env!("CARGO_BIN_EXE_hardwire")).arg("check-config").arg(&config_path).output().expect("check-config");
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert!(!check.status.success() && stderr.contains("client.pem"), "a key that is not the certificate's: {stderr}");
    let _ = std::fs::remove_dir_all(dir);
}
