//! The house rules of docs/ARCHITECTURE.md, checked on the sources: a family imports the
//! kernel and itself only, the kernel imports no family, a transaction begins only in
//! `kernel/db.rs`, and "now" comes from the one clock.

use std::path::{Path, PathBuf};

const FAMILIES: &[&str] = &["participant", "queue", "hr", "ppob", "insurance"];
const ENTRY_FILES: &[&str] = &["app", "cli", "cli_auth", "cli_credentials", "config", "demo", "main"];

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn files_under(part: &str) -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(part);
    let mut paths = Vec::new();
    sources(&root, &mut paths);
    paths
        .into_iter()
        .map(|p| (p.display().to_string(), std::fs::read_to_string(&p).unwrap()))
        .collect()
}

/// Lines of `text` naming `crate::<module>` as a path segment (not `crate::<module>x`).
fn names(text: &str, module: &str) -> bool {
    let needle = format!("crate::{module}");
    text.match_indices(&needle).any(|(at, _)| {
        let next = text[at + needle.len()..].chars().next();
        !next.is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

#[test]
fn a_family_imports_the_kernel_and_itself_only() {
    let mut broken = Vec::new();
    for family in FAMILIES {
        for (path, text) in files_under(family) {
            for other in FAMILIES.iter().filter(|o| *o != family).chain(ENTRY_FILES) {
                if names(&text, other) {
                    broken.push(format!("{path} names crate::{other}"));
                }
            }
        }
    }
    assert!(broken.is_empty(), "{broken:#?}");
}

#[test]
fn the_kernel_imports_no_family_and_no_entry_file() {
    let mut broken = Vec::new();
    for (path, text) in files_under("kernel") {
        for other in FAMILIES.iter().chain(ENTRY_FILES) {
            if names(&text, other) {
                broken.push(format!("{path} names crate::{other}"));
            }
        }
    }
    assert!(broken.is_empty(), "{broken:#?}");
}

#[test]
fn transactions_begin_only_through_the_kernel() {
    let mut broken = Vec::new();
    for (path, text) in files_under("") {
        if path.ends_with("kernel/db.rs") {
            continue;
        }
        for needle in [".begin()", "begin_with(", "with_db!", "QueryBuilder"] {
            if text.contains(needle) {
                broken.push(format!("{path} uses {needle}"));
            }
        }
    }
    assert!(broken.is_empty(), "{broken:#?}");
}

#[test]
fn now_comes_from_the_clock() {
    let mut broken = Vec::new();
    for (path, text) in files_under("") {
        // The clock itself.
        if path.ends_with("kernel/clock.rs") {
            continue;
        }
        for needle in ["Utc::now()", "Local::now()"] {
            if text.contains(needle) {
                broken.push(format!("{path} calls {needle}"));
            }
        }
    }
    assert!(broken.is_empty(), "{broken:#?}");
}
