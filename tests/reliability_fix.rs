//! `check --fix` never leaves a file half-written: a file it cannot
//! write stops the run before any file is written.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Output;

mod support;
use support::{stderr, tasklint, write};

const TRACKER: &str = "use tokio_util::task::TaskTracker;\n\nasync fn run() {\n    let tracker = TaskTracker::new();\n    tracker.spawn(async {});\n    tracker.wait().await;\n}\n";

fn read(dir: &Path, relative: &str) -> String {
    std::fs::read_to_string(dir.join(relative)).expect("readable")
}

/// Runs tasklint as `nobody` when root (permissions do not stop root);
/// as the current user otherwise.
fn tasklint_as_user(dir: &Path, args: &[&str]) -> Output {
    support::tasklint_unprivileged(dir, args).unwrap_or_else(|| tasklint(dir, args))
}

#[test]
fn a_read_only_file_is_a_clear_error_and_nothing_is_written() {
    // A folder `nobody` may enter and write, so that only the file's own
    // permission stops the fix.
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).expect("chmod");
    write(dir.path(), "a_writable.rs", TRACKER);
    write(dir.path(), "b_locked.rs", TRACKER);
    for (name, mode) in [("a_writable.rs", 0o666), ("b_locked.rs", 0o444)] {
        std::fs::set_permissions(dir.path().join(name), std::fs::Permissions::from_mode(mode))
            .expect("chmod");
    }
    let run = tasklint_as_user(dir.path(), &["check", "--fix", "--no-config", "."]);
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    let err = stderr(&run);
    assert!(
        err.contains("error: cannot write the fixed file `./b_locked.rs`: Permission denied"),
        "{err}"
    );
    assert_eq!(read(dir.path(), "b_locked.rs"), TRACKER);
    assert_eq!(
        read(dir.path(), "a_writable.rs"),
        TRACKER,
        "no file is written when one cannot be"
    );
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "no temporary file is left: {names:?}");
}
