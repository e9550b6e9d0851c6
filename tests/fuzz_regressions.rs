//! Every input a fuzzer ever crashed on, replayed as an ordinary test: the files under
//! fuzz/regressions/<target>/ go through the same function the fuzz target runs
//! (fuzz/targets.rs), which must return without panicking. A few inputs of each target's
//! corpus (fuzz/seeds/<target>/, picked from the fuzzers' corpora across sizes) go through it
//! too, so the target code itself stays exercised and compiling.

#[path = "../fuzz/targets.rs"]
mod targets;

use std::path::PathBuf;

fn replay(target: &str, run: fn(&[u8])) {
    let fuzz = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut files: Vec<PathBuf> = ["regressions", "seeds"]
        .iter()
        .filter_map(|kind| std::fs::read_dir(fuzz.join(kind).join(target)).ok())
        .flat_map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no inputs for {target} under fuzz/seeds or fuzz/regressions");
    for file in files {
        let input = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        // A panic names the file: the test harness prints this line above it.
        eprintln!("replaying {}", file.display());
        run(&input);
    }
}

#[test]
fn wire_decode() {
    replay("wire_decode", targets::wire_decode::run);
}

#[test]
fn smb() {
    replay("smb", targets::smb::run);
}

#[test]
fn xca() {
    replay("xca", targets::xca::run);
}

#[test]
fn auth_inspect() {
    replay("auth_inspect", targets::auth_inspect::run);
}

#[test]
fn http() {
    replay("http", targets::http::run);
}

#[test]
fn dcerpc() {
    replay("dcerpc", targets::dcerpc::run);
}

#[test]
fn names() {
    replay("names", targets::names::run);
}

#[test]
fn ldap() {
    replay("ldap", targets::ldap::run);
}

#[test]
fn engine() {
    replay("engine", targets::engine::run);
}
