//! The crate model, tested through the binary as users call it: a fixture
//! crate whose spawners, runtimes, commands and handle types are declared
//! in one file and used in another. A line that must be reported carries
//! `//~ <rule-id>`; every other line must stay quiet, whether the whole
//! crate is linted or each file alone (as a pre-commit hook names them).
//! `fixtures/crates/fields` does the same for handles kept in fields: join
//! sets, tuple structs, guards and `Drop` impls in other files.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

const CRATE: &str = "fixtures/crates/reach";
const FIELDS: &str = "fixtures/crates/fields";

/// (path, line, rule) of every finding of `tasklint check <paths>`.
fn findings(paths: &[&Path]) -> BTreeSet<(String, usize, String)> {
    let output = Command::new(env!("CARGO_BIN_EXE_tasklint"))
        .args([
            "check",
            "--no-config",
            "--select",
            "all",
            "--format",
            "concise",
        ])
        .args(paths)
        .output()
        .expect("tasklint runs");
    assert!(output.status.code().is_some_and(|c| c <= 1), "{output:?}");
    String::from_utf8(output.stdout)
        .expect("output is UTF-8")
        .lines()
        .map(|line| {
            let mut parts = line.splitn(4, ':');
            let path = parts.next().expect("a path").to_string();
            let number = parts.next().and_then(|n| n.parse().ok()).expect("a line");
            let rule = line
                .rsplit_once('[')
                .and_then(|(_, rule)| rule.strip_suffix(']'))
                .expect("a rule id")
                .to_string();
            (path, number, rule)
        })
        .collect()
}

fn sources(krate: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![PathBuf::from(krate).join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("fixture folder") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The marked lines of one file.
fn expected(path: &Path) -> BTreeSet<(String, usize, String)> {
    let text = std::fs::read_to_string(path).expect("fixture is readable");
    text.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let (_, rule) = line.split_once("//~ ")?;
            Some((
                path.to_string_lossy().into_owned(),
                i + 1,
                rule.trim().to_string(),
            ))
        })
        .collect()
}

fn whole_crate(krate: &str, at_least: usize) {
    let all: BTreeSet<_> = sources(krate).iter().flat_map(|p| expected(p)).collect();
    assert!(all.len() >= at_least, "the fixture marks its findings");
    assert_eq!(findings(&[Path::new(krate)]), all);
}

fn each_file_alone(krate: &str) {
    for path in sources(krate) {
        assert_eq!(findings(&[&path]), expected(&path), "{}", path.display());
    }
}

#[test]
fn the_whole_crate_reports_exactly_the_marked_lines() {
    whole_crate(CRATE, 8);
}

#[test]
fn each_file_alone_still_sees_the_rest_of_its_crate() {
    each_file_alone(CRATE);
}

#[test]
fn fields_across_files_report_exactly_the_marked_lines() {
    whole_crate(FIELDS, 5);
}

#[test]
fn fields_judged_from_one_file_still_see_the_rest_of_the_crate() {
    each_file_alone(FIELDS);
}
