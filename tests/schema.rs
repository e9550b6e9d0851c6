//! Integration test: the `ntlm`, `ldap` and `name` objects we write against SCHEMA.md's field
//! lists, read from `../shared/SCHEMA.md` itself. Every field it lists for them appears in the
//! output of our captures, with its type; every field we write beyond it is one of the extras
//! below, and each of those is documented in ARCHITECTURE.md.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use common::{read_with, shared_dir, workspace_root};
use serde_json::Value;

/// The objects checked.
const OBJECTS: &[&str] = &["ntlm", "ldap", "name"];

/// Fields we write beyond SCHEMA.md (it is the contract: it may gain them, we do not edit it).
const EXTRAS: &[&str] = &[
    "ldap.message_id",
    "ldap.password_sent",
    "ldap.starttls",
    "ntlm.server_dns_domain",
    "ntlm.server_nb_domain",
    "stats.ldap_sasl_pdus",
    "stats.names",
];

/// SCHEMA.md's fields of `objects` and their types, from its tables: a row is
/// ``| `a.b`, `a.c` | type[, type...] | meaning |``, one type for all its fields or one each.
fn schema_fields(schema: &str, objects: &[&str]) -> BTreeMap<String, String> {
    let mut fields = BTreeMap::new();
    for line in schema.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let [_, names, types, ..] = cells[..] else { continue };
        let names: Vec<&str> = names.split(',').map(|n| n.trim().trim_matches('`')).collect();
        let types: Vec<&str> = types.split(',').map(str::trim).collect();
        for (i, name) in names.iter().enumerate() {
            let object = name.split('.').next().unwrap_or_default();
            if !objects.contains(&object) || !name.contains('.') {
                continue;
            }
            let kind = types.get(i).or(types.first()).copied().unwrap_or_default();
            // "array of strings" is an array.
            fields.insert(name.to_string(), kind.split_whitespace().next().unwrap_or_default().to_string());
        }
    }
    fields
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_u64() || n.is_i64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
        Value::Null => "null",
    }
}

/// Our captures with NTLM, LDAP and name traffic.
fn captures() -> Vec<PathBuf> {
    let root = workspace_root().expect("workspace root").join("pcaps");
    let mut out = Vec::new();
    for folder in ["ldap", "names", "mitm", "smb", "http"] {
        let Ok(entries) = std::fs::read_dir(root.join(folder)) else { continue };
        out.extend(entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "pcap")));
    }
    out.sort();
    out
}

#[test]
fn ntlm_ldap_and_name_fields_are_schema_md_s_with_their_types() {
    let Some(shared) = shared_dir() else { return };
    let schema = std::fs::read_to_string(shared.join("SCHEMA.md")).expect("reading SCHEMA.md");
    let expected = schema_fields(&schema, OBJECTS);
    // A sample of SCHEMA.md's rows, so that a change in its layout cannot empty the list.
    for (field, kind) in
        [("ntlm.user", "string"), ("ntlm.mic", "bool"), ("ldap.signing", "string"), ("name.answers", "array"), ("name.ttl", "integer")]
    {
        assert_eq!(expected.get(field).map(String::as_str), Some(kind), "{field} as SCHEMA.md reads");
    }
    let pcaps = captures();
    let paths: Vec<&std::path::Path> = pcaps.iter().map(PathBuf::as_path).collect();
    let run = read_with(&[], &paths);
    assert!(run.status.success(), "{}", run.stderr);
    let mut written: BTreeMap<String, BTreeSet<&'static str>> = BTreeMap::new();
    for record in &run.records {
        for object in OBJECTS {
            for (key, value) in record[*object].as_object().into_iter().flatten() {
                written.entry(format!("{object}.{key}")).or_default().insert(json_type(value));
            }
        }
        for (key, value) in record["stats"].as_object().into_iter().flatten() {
            written.entry(format!("stats.{key}")).or_default().insert(json_type(value));
        }
    }
    for (field, kind) in &expected {
        let types = written.get(field).unwrap_or_else(|| panic!("{field} (SCHEMA.md) is in no record of our captures"));
        assert_eq!(types.iter().copied().collect::<Vec<_>>(), [kind.as_str()], "{field}: SCHEMA.md says {kind}");
    }
    let architecture = std::fs::read_to_string(workspace_root().expect("workspace root").join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    for field in written.keys().filter(|f| OBJECTS.iter().any(|o| f.starts_with(&format!("{o}.")))) {
        assert!(
            expected.contains_key(field) || EXTRAS.contains(&field.as_str()),
            "{field} is written but neither in SCHEMA.md nor a known extra"
        );
    }
    for extra in EXTRAS {
        assert!(written.contains_key(*extra), "{extra} is listed as an extra but never written");
        assert!(architecture.contains(&format!("`{extra}`")), "{extra} is written beyond SCHEMA.md but not in ARCHITECTURE.md");
    }
}
