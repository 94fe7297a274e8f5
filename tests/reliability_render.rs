//! Reliability of what tasklint prints: file names and source text are data
//! (they cannot end a line, forge a finding or a workflow command, or send
//! control characters to a terminal), suppressions are real comments, and
//! rendering and suppression parsing stay linear on large inputs.

use std::path::Path;
use std::process::{Command, Output};

fn write(dir: &Path, relative: &str, text: impl AsRef<[u8]>) {
    let path = dir.join(relative);
    std::fs::create_dir_all(path.parent().expect("has parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

fn tasklint(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tasklint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("tasklint runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn many_findings_in_one_file_render_in_every_format() {
    // Rendering once cost O(findings x lines); 10k findings then took
    // tens of seconds. Here: every finding is rendered, at its own line.
    let dir = tempfile::tempdir().expect("temp dir");
    let count = 10_000;
    let mut source = String::from("fn main() {\n");
    for i in 0..count {
        source.push_str(&format!(
            "    tokio::spawn(async move {{ loop {{ work{i}().await; }} }});\n"
        ));
    }
    source.push_str("}\n");
    write(dir.path(), "many.rs", &source);
    let human = stdout(&tasklint(dir.path(), &["check", "many.rs"]));
    assert_eq!(
        human.matches("warning[detached-endless-task]").count(),
        count
    );
    let last = format!(
        "{} │     tokio::spawn(async move {{ loop {{ work{}().await",
        count + 1,
        count - 1
    );
    assert!(human.contains(&last), "{last}");
    let sarif = stdout(&tasklint(
        dir.path(),
        &["check", "many.rs", "--format", "sarif"],
    ));
    let log: serde_json::Value = serde_json::from_str(&sarif).expect("sarif");
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), count);
    let hashes: std::collections::HashSet<&str> = results
        .iter()
        .map(|r| {
            r["partialFingerprints"]["primaryLocationLineHash"]
                .as_str()
                .expect("hash")
        })
        .collect();
    assert_eq!(hashes.len(), count, "each line hashes its own text");
}
