//! Finding the public capture corpus (`../shared`) from tests.
//!
//! Tests look for it beside the workspace root, or where `HARDWIRE_SHARED` points. When it is
//! missing they say so and skip, except under `CI=true`, where a missing corpus is a failure.

use std::path::PathBuf;

/// The `shared/` folder, or `None` (after saying so) when it is absent outside CI.
pub fn shared_dir() -> Option<PathBuf> {
    let candidates =
        std::env::var_os("HARDWIRE_SHARED").map(PathBuf::from).into_iter().chain(workspace_root().map(|root| root.join("../shared")));
    for dir in candidates {
        if dir.join("pcaps").is_dir() {
            return Some(dir);
        }
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("../shared (the public capture corpus) is missing beside the checkout and HARDWIRE_SHARED is unset: CI must have it");
    }
    eprintln!("SKIPPED: ../shared is absent (set HARDWIRE_SHARED to the folder holding pcaps/)");
    None
}

/// The text of a file under `shared/`.
pub fn shared_file(name: &str) -> Option<String> {
    let path = shared_dir()?.join(name);
    Some(std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

/// The workspace root: the first ancestor of this crate holding a `Cargo.lock`.
pub fn workspace_root() -> Option<PathBuf> {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.ancestors().find(|d| d.join("Cargo.lock").is_file()).map(PathBuf::from)
}
