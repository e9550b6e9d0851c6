//! The command line as a newcomer meets it: help texts, `rules`, `check-config`, `-o`, and one
//! clear stderr line (naming the file) for whatever cannot be read.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{project_pcap, read, read_with};
use hardwire::test_support::shared_file;

fn hardwire(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hardwire")).args(args).output().expect("running hardwire")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A scratch folder of this test, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("hardwire-cli-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("creating a scratch folder");
        Scratch(dir)
    }

    fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, contents).expect("writing a scratch file");
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn help_explains_the_commands_and_the_inputs() {
    for args in [&["--help"][..], &["read", "--help"]] {
        let output = hardwire(args);
        assert!(output.status.success(), "{args:?}");
        let help = text(&output.stdout).to_lowercase();
        for needle in ["pcap", "json lines", "stdin"] {
            assert!(help.contains(needle), "`hardwire {}` does not mention {needle}:\n{help}", args.join(" "));
        }
    }
    let help = text(&hardwire(&["--help"]).stdout);
    for command in ["read", "rules", "check-config"] {
        assert!(help.contains(command), "--help does not list {command}");
    }
}

#[test]
fn rules_lists_every_rule_of_the_catalog() {
    let Some(catalog) = shared_file("RULES.md") else { return };
    // The catalog's tables: `| \`rule.id\` | severity | ...`.
    let published: Vec<(&str, &str)> = catalog
        .lines()
        .filter_map(|line| {
            let mut cells = line.strip_prefix("| `")?.split('|');
            let id = cells.next()?.trim().trim_end_matches('`');
            Some((id, cells.next()?.trim()))
        })
        .collect();
    assert!(published.len() > 10, "RULES.md: too few rule ids found: {published:?}");
    let output = hardwire(&["rules"]);
    assert!(output.status.success());
    let listed: Vec<(String, String)> = text(&output.stdout)
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            Some((words.next()?.to_string(), words.next()?.to_string()))
        })
        .collect();
    let ids: Vec<&str> = listed.iter().map(|(id, _)| id.as_str()).collect();
    let catalog_ids: Vec<&str> = hardwire::RuleId::ALL.iter().map(|rule| rule.id()).collect();
    assert_eq!(ids, catalog_ids, "`hardwire rules` does not list the catalog");
    // Which RULES.md rules the catalog must hold is the catalog's own unit test; here every
    // rule listed is a published id with its published severity.
    for (id, severity) in &listed {
        let published = published.iter().find(|(p, _)| p == id);
        assert_eq!(published.map(|(_, s)| *s), Some(severity.as_str()), "`hardwire rules` lists {id} as {severity}");
    }
}

#[test]
fn check_config_accepts_a_good_file_and_names_the_line_of_a_bad_one() {
    let scratch = Scratch::new("config");
    let good = scratch.write("good.toml", "");
    let output = hardwire(&["check-config", good.to_str().expect("utf-8 path")]);
    assert!(output.status.success(), "an empty config is the defaults: {}", text(&output.stderr));
    if let Some(deployed) = common::workspace_root().map(|root| root.join("deploy/hardwire.toml")).filter(|p| p.is_file()) {
        let output = hardwire(&["check-config", deployed.to_str().expect("utf-8 path")]);
        assert!(output.status.success(), "deploy/hardwire.toml: {}", text(&output.stderr));
    }
    let bad = scratch.write("bad.toml", "# a comment\n\n[limits]\nmax_flows = \"many\"\n");
    let output = hardwire(&["check-config", bad.to_str().expect("utf-8 path")]);
    assert!(!output.status.success(), "a string where a number belongs was accepted");
    let stderr = text(&output.stderr);
    assert!(stderr.contains("bad.toml"), "the error does not name the file: {stderr}");
    assert!(stderr.contains("line 4") || stderr.contains(":4:"), "the error does not name line 4: {stderr}");
    let broken = scratch.write("broken.toml", "[limits\n");
    let output = hardwire(&["check-config", broken.to_str().expect("utf-8 path")]);
    assert!(!output.status.success(), "broken TOML was accepted");
    assert!(text(&output.stderr).contains("line 1"), "{}", text(&output.stderr));
}

#[test]
fn output_file_holds_the_same_lines_as_stdout() {
    let pcap = project_pcap("smb/smb-ntlmv1.pcap");
    let scratch = Scratch::new("output");
    let out = scratch.0.join("out.jsonl");
    let to_file = read_with(&["-o", out.to_str().expect("utf-8 path")], &[&pcap]);
    assert!(to_file.status.success(), "{}", to_file.stderr);
    assert!(to_file.stdout.is_empty(), "-o still wrote to stdout");
    let written = std::fs::read_to_string(&out).expect("the -o file");
    assert_eq!(written, read(&pcap).stdout);
    assert!(written.lines().count() > 1, "expected records beside the stats line");
}

/// Runs `hardwire read` on `path` and requires a refusal: non-zero exit, one stderr line
/// naming the file, and still a stats line.
fn refused(path: &Path) -> String {
    let run = read_with(&[], &[path]);
    assert!(!run.status.success(), "{} was accepted", path.display());
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one stderr line wanted: {:?}", run.stderr);
    assert!(lines[0].contains(&path.display().to_string()), "the line does not name the file: {}", lines[0]);
    assert_eq!(run.stats()["packets"], 0);
    lines[0].to_string()
}

#[test]
fn unreadable_inputs_get_one_line_naming_the_file() {
    let scratch = Scratch::new("unreadable");
    let missing = refused(&scratch.0.join("no-such.pcap"));
    assert!(missing.to_lowercase().contains("no such file"), "{missing}");
    let directory = refused(&scratch.0);
    assert!(directory.to_lowercase().contains("directory"), "{directory}");
    let not_capture = refused(&scratch.write("notes.pcap", "just some notes, not packets\n"));
    assert!(not_capture.contains("not a capture"), "{not_capture}");
}

#[test]
fn a_refused_file_after_a_good_one_still_reports_the_good_one() {
    let good = project_pcap("smb/smb-ntlmv1.pcap");
    let scratch = Scratch::new("mixed");
    let bad = scratch.write("bad.pcap", "nope");
    let run = read_with(&[], &[&good, &bad]);
    assert!(!run.status.success());
    assert!(run.stderr.contains("bad.pcap"), "{}", run.stderr);
    assert!(run.stats()["packets"].as_u64() > Some(0), "the good file's packets are not counted");
}
