//! `check --fix`, `--unsafe-fixes`, `--diff` and `--add-suppression` as
//! users call them.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

mod support;
use support::{command, scratch, stderr, stdout, tasklint, write};

/// A safe fix (`tracker.close();`) and nothing else.
const TRACKER: &str = "use tokio_util::task::TaskTracker;\n\nasync fn run() {\n    let tracker = TaskTracker::new();\n    tracker.spawn(async {});\n    tracker.wait().await;\n}\n";
const TRACKER_FIXED: &str = "use tokio_util::task::TaskTracker;\n\nasync fn run() {\n    let tracker = TaskTracker::new();\n    tracker.spawn(async {});\n    tracker.close();\n    tracker.wait().await;\n}\n";
/// An unsafe fix (`let _ = handle.await;`).
const ABORT: &str =
    "async fn stop() {\n    let handle = tokio::spawn(async {});\n    handle.abort();\n}\n";
const ABORT_FIXED: &str = "async fn stop() {\n    let handle = tokio::spawn(async {});\n    handle.abort();\n    let _ = handle.await;\n}\n";

fn read(dir: &Path, relative: &str) -> String {
    std::fs::read_to_string(dir.join(relative)).expect("readable")
}

fn with_stdin(dir: &Path, args: &[&str], input: &str) -> Output {
    let mut child = command(dir, args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tasklint runs");
    if let Some(mut pipe) = child.stdin.take() {
        std::io::Write::write_all(&mut pipe, input.as_bytes()).expect("stdin written");
    }
    child.wait_with_output().expect("tasklint ends")
}

#[test]
fn diff_prints_a_unified_diff_writes_nothing_and_exits_one() {
    let dir = scratch();
    write(dir.path(), "src/tracker.rs", TRACKER);
    let run = tasklint(dir.path(), &["check", "--diff"]);
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    assert_eq!(
        stdout(&run),
        "--- src/tracker.rs\n+++ src/tracker.rs\n@@ -3,5 +3,6 @@\n async fn run() {\n     let tracker = TaskTracker::new();\n     tracker.spawn(async {});\n+    tracker.close();\n     tracker.wait().await;\n }\n"
    );
    assert!(
        stderr(&run).contains("would fix 1 problem in 1 file (tracker-wait-without-close: 1)"),
        "{}",
        stderr(&run)
    );
    assert_eq!(read(dir.path(), "src/tracker.rs"), TRACKER);
    // Nothing to fix: no diff, exit 0, even with findings left.
    write(dir.path(), "src/tracker.rs", TRACKER_FIXED);
    write(
        dir.path(),
        "src/leak.rs",
        "pub fn start() {\n    tokio::spawn(async { loop {} });\n}\n",
    );
    let clean = tasklint(dir.path(), &["check", "--diff"]);
    assert_eq!(clean.status.code(), Some(0), "{}", stderr(&clean));
    assert_eq!(stdout(&clean), "");
    // Findings a baseline hides are not fixed behind its back: refused.
    let refused = tasklint(dir.path(), &["check", "--fix", "--baseline", "b.json"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("cannot be used with"),
        "{}",
        stderr(&refused)
    );
}

#[test]
fn rules_lists_each_rules_fix_applicability() {
    let dir = scratch();
    let listed = tasklint(dir.path(), &["rules", "--format", "json"]);
    let rules: serde_json::Value = serde_json::from_str(&stdout(&listed)).expect("JSON");
    let fix_of = |id: &str| {
        rules
            .as_array()
            .and_then(|all| all.iter().find(|r| r["id"] == id))
            .map(|r| r["fix"].clone())
    };
    assert_eq!(fix_of("tracker-wait-without-close"), Some("safe".into()));
    assert_eq!(fix_of("ignored-join-error"), Some("unsafe".into()));
    assert_eq!(fix_of("detached-spawn"), Some("display-only".into()));
}

#[test]
fn fix_applies_safe_fixes_and_counts_the_unsafe_ones() {
    let dir = scratch();
    write(dir.path(), "src/tracker.rs", TRACKER);
    write(dir.path(), "src/abort.rs", ABORT);
    std::fs::set_permissions(
        dir.path().join("src/tracker.rs"),
        std::fs::Permissions::from_mode(0o640),
    )
    .expect("chmod");
    let run = tasklint(dir.path(), &["check", "--fix", "--format", "concise"]);
    // The abort is still there: exit 1.
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    assert_eq!(read(dir.path(), "src/tracker.rs"), TRACKER_FIXED);
    assert_eq!(read(dir.path(), "src/abort.rs"), ABORT);
    let mode = std::fs::metadata(dir.path().join("src/tracker.rs"))
        .expect("metadata")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o640, "the file keeps its mode");
    assert_eq!(
        stdout(&run),
        "src/abort.rs:3:5: warning: task `handle` is aborted but never awaited, so it may still be running when this code goes on [abort-without-await]\n"
    );
    let err = stderr(&run);
    assert!(
        err.contains("fixed 1 problem in 1 file (tracker-wait-without-close: 1); 1 remaining; 1 more fixable with --unsafe-fixes"),
        "{err}"
    );
    let again = tasklint(dir.path(), &["check", "--fix", "--unsafe-fixes"]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert_eq!(read(dir.path(), "src/abort.rs"), ABORT_FIXED);
    assert!(
        stderr(&again).contains("fixed 1 problem in 1 file (abort-without-await: 1); 0 remaining"),
        "{}",
        stderr(&again)
    );
    let leftovers: Vec<PathBuf> = std::fs::read_dir(dir.path().join("src"))
        .expect("src")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.to_string_lossy().contains("tasklint-tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_plain_check_says_how_many_fixes_are_available() {
    let dir = scratch();
    write(dir.path(), "src/tracker.rs", TRACKER);
    write(dir.path(), "src/abort.rs", ABORT);
    let run = tasklint(dir.path(), &["check", "--format", "concise"]);
    assert!(
        stderr(&run).contains("1 problem fixable with --fix (1 more with --unsafe-fixes)"),
        "{}",
        stderr(&run)
    );
}

#[test]
fn fix_on_standard_input_writes_the_fixed_text_to_standard_output() {
    let dir = scratch();
    let run = with_stdin(dir.path(), &["check", "--fix", "-"], TRACKER);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert_eq!(stdout(&run), TRACKER_FIXED);
    assert!(stderr(&run).contains("fixed 1 problem"), "{}", stderr(&run));
    // Unchanged text is written out too, and the findings left go to standard error.
    let kept = with_stdin(dir.path(), &["check", "--fix", "-"], ABORT);
    assert_eq!(kept.status.code(), Some(1));
    assert_eq!(stdout(&kept), ABORT);
    assert!(
        stderr(&kept).contains("[abort-without-await]"),
        "{}",
        stderr(&kept)
    );
    // `--stdin-filename`: the file on disk is not touched.
    write(dir.path(), "src/tracker.rs", TRACKER);
    let named = with_stdin(
        dir.path(),
        &["check", "--fix", "--stdin-filename", "src/tracker.rs"],
        TRACKER,
    );
    assert_eq!(stdout(&named), TRACKER_FIXED);
    assert_eq!(read(dir.path(), "src/tracker.rs"), TRACKER);
}

#[test]
fn fixes_keep_windows_line_endings() {
    let dir = scratch();
    write(dir.path(), "src/tracker.rs", TRACKER.replace('\n', "\r\n"));
    let run = tasklint(dir.path(), &["check", "--fix"]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert_eq!(
        read(dir.path(), "src/tracker.rs"),
        TRACKER_FIXED.replace('\n', "\r\n")
    );
}

#[test]
fn json_fixes_reproduce_the_fixed_text() {
    let dir = scratch();
    write(dir.path(), "src/tracker.rs", TRACKER);
    let run = tasklint(dir.path(), &["check", "--format", "json"]);
    let findings: serde_json::Value = serde_json::from_str(&stdout(&run)).expect("JSON");
    let fix = &findings[0]["fix"];
    assert_eq!(fix["applicability"], "safe");
    assert_eq!(fix["message"], "insert `tracker.close();` before waiting");
    let edit = &fix["edits"][0];
    assert_eq!(
        (
            &edit["line"],
            &edit["column"],
            &edit["end_line"],
            &edit["end_column"]
        ),
        (&6.into(), &1.into(), &6.into(), &1.into())
    );
    let start = edit["start_byte"].as_u64().expect("start") as usize;
    let end = edit["end_byte"].as_u64().expect("end") as usize;
    let content = edit["content"].as_str().expect("content");
    let fixed = format!("{}{content}{}", &TRACKER[..start], &TRACKER[end..]);
    assert_eq!(fixed, TRACKER_FIXED);
    // A finding without a fix has no `fix` key.
    write(
        dir.path(),
        "src/tracker.rs",
        "pub fn start() {\n    tokio::spawn(async { loop {} });\n}\n",
    );
    let plain = tasklint(dir.path(), &["check", "--format", "json"]);
    let findings: serde_json::Value = serde_json::from_str(&stdout(&plain)).expect("JSON");
    assert!(findings[0].get("fix").is_none(), "{findings}");
}

#[test]
fn add_suppression_comments_every_finding_once() {
    let dir = scratch();
    let source = "fn a() {}\n\npub async fn run(token: tokio_util::sync::CancellationToken, mut rx: tokio::sync::mpsc::Receiver<u32>) {\n    tokio::spawn(async { loop {} });\n    loop {\n        tokio::select! {\n            _ = token.cancelled() => {}\n            Some(n) = rx.recv() => println!(\"{n}\"),\n        }\n    }\n}\n";
    write(dir.path(), "src/lib.rs", source);
    let run = tasklint(
        dir.path(),
        &["check", "--add-suppression=adopted before review"],
    );
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert!(
        stderr(&run).contains("added 2 suppression comments to 1 file"),
        "{}",
        stderr(&run)
    );
    let annotated = read(dir.path(), "src/lib.rs");
    assert!(
        annotated.contains("    // tasklint: allow(detached-endless-task) adopted before review\n    tokio::spawn(async { loop {} });\n"),
        "{annotated}"
    );
    assert!(
        annotated.contains("            // tasklint: allow(swallowed-cancellation) adopted before review\n            _ = token.cancelled() => {}\n"),
        "{annotated}"
    );
    let check = tasklint(dir.path(), &["check", "--select", "all"]);
    assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));
    assert!(stdout(&check).contains("0 problems"), "{}", stdout(&check));
    let again = tasklint(dir.path(), &["check", "--add-suppression"]);
    assert!(stderr(&again).contains("added 0 suppression comments to 0 files"));
    assert_eq!(read(dir.path(), "src/lib.rs"), annotated);
}

#[test]
fn sarif_fixes_pass_microsofts_validator() {
    let dir = scratch();
    write(dir.path(), "src/tracker.rs", TRACKER);
    write(dir.path(), "src/abort.rs", ABORT);
    let run = tasklint(
        dir.path(),
        &["check", "--format", "sarif", "--output", "out.sarif"],
    );
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    let sarif: serde_json::Value =
        serde_json::from_str(&read(dir.path(), "out.sarif")).expect("JSON");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 2);
    let change = &results[1]["fixes"][0]["artifactChanges"][0];
    assert_eq!(change["artifactLocation"]["uri"], "src/tracker.rs");
    assert_eq!(
        change["replacements"][0]["insertedContent"]["text"],
        "    tracker.close();\n"
    );
    assert_eq!(
        results[0]["fixes"][0]["properties"]["applicability"],
        "unsafe"
    );
    let Some(validator) = support::sarif_validator() else {
        return;
    };
    let (problems, printed) = support::sarif_problems(
        &validator,
        &dir.path().join("out.sarif"),
        &dir.path().join("validation.sarif"),
    );
    assert_eq!(problems, 0, "the validator reported problems: {printed}");
}
