//! Shared by the integration tests: run the real `hardwire` binary on a capture and read its
//! JSON lines; find our own captures (`pcaps/`) and the public corpus (`../shared`).
#![allow(dead_code)] // each test binary uses its own subset

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

pub use hardwire::test_support::{shared_dir, workspace_root};

pub mod brokers;

/// What one `hardwire read` run produced.
pub struct Run {
    pub status: std::process::ExitStatus,
    pub records: Vec<Value>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Records of one `event_type`.
    pub fn of_type(&self, event_type: &str) -> Vec<&Value> {
        self.records.iter().filter(|r| r["event_type"] == event_type).collect()
    }

    /// Ids of the alerts that fired.
    pub fn alert_rules(&self) -> Vec<String> {
        self.of_type("alert").iter().filter_map(|a| a["alert"]["rule"].as_str().map(str::to_string)).collect()
    }

    /// Every value at a dotted path (`smb.dialect`) over all records, arrays flattened.
    pub fn values(&self, path: &str) -> Vec<Value> {
        let mut out = Vec::new();
        for record in &self.records {
            let mut cur = record;
            for part in path.split('.') {
                cur = &cur[part];
            }
            match cur {
                Value::Null => {}
                Value::Array(items) => out.extend(items.iter().cloned()),
                other => out.push(other.clone()),
            }
        }
        out
    }

    /// The `stats` line (the last line).
    pub fn stats(&self) -> &Value {
        let last = self.records.last().expect("no output at all");
        assert_eq!(last["event_type"], "stats", "the stats line must be last");
        &last["stats"]
    }
}

/// Runs `hardwire read` with extra arguments; every stdout line must be JSON.
pub fn read_with(args: &[&str], pcaps: &[&Path]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hardwire"));
    cmd.arg("read").args(args).args(pcaps);
    let output = cmd.output().expect("running hardwire");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let records = stdout.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"))).collect();
    assert!(!stderr.contains("panicked"), "hardwire panicked: {stderr}");
    Run { status: output.status, records, stdout, stderr }
}

/// Runs `hardwire read` on one capture and requires a clean exit.
pub fn read(pcap: &Path) -> Run {
    let run = read_with(&[], &[pcap]);
    assert!(run.status.success(), "{}: exit {:?}: {}", pcap.display(), run.status, run.stderr);
    run
}

/// Strings of the output that look like secret material (a long run of hex digits or base64: a
/// response, a hash, a key, a ticket), apart from the community id, as `field: value`.
pub fn secret_like_strings(run: &Run) -> Vec<String> {
    fn long_blob(s: &str) -> bool {
        let hex = s.chars().filter(|c| c.is_ascii_hexdigit()).count();
        (s.len() >= 32 && hex == s.len())
            || (s.len() >= 40 && !s.contains(' ') && s.chars().all(|c| c.is_ascii_alphanumeric() || "+/=".contains(c)))
    }
    fn walk(value: &Value, key: &str, out: &mut Vec<String>) {
        match value {
            Value::String(s) if key != "community_id" && long_blob(s) => out.push(format!("{key}: {s}")),
            Value::Array(items) => items.iter().for_each(|v| walk(v, key, out)),
            Value::Object(map) => map.iter().for_each(|(k, v)| walk(v, k, out)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    for record in &run.records {
        walk(record, "", &mut found);
    }
    found
}

/// A capture of ours, under `pcaps/`.
pub fn project_pcap(relative: &str) -> PathBuf {
    let path = workspace_root().expect("workspace root").join("pcaps").join(relative);
    assert!(path.is_file(), "{} is missing from the project", path.display());
    path
}

/// A capture of the public corpus, or `None` (skipping, loudly) when `../shared` is absent.
pub fn shared_pcap(relative: &str) -> Option<PathBuf> {
    let path = shared_dir()?.join("pcaps").join(relative);
    assert!(path.is_file(), "{} is missing from ../shared", path.display());
    Some(path)
}

/// The `expected.json` of one folder of ours (`pcaps/smb/expected.json`...).
pub fn project_expectations(folder: &str) -> Value {
    let path = workspace_root().expect("workspace root").join("pcaps").join(folder).join("expected.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
