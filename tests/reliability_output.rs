//! The report, the baseline and the standard streams: nothing named by
//! `--output` is replaced unless it is a regular file, no temporary file is
//! shared or left behind, no option's file overwrites another's, write errors
//! are reported, broken pipes end quietly, and what a baseline or a
//! configuration holds cannot fake lines or be skipped unseen.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

mod support;
use support::{command, scratch, stderr, tasklint, write};

const LEAKY: &str = "pub fn start() {\n    tokio::spawn(async { loop { tick().await; } });\n}\n";

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[cfg(unix)]
fn file_type(path: &Path) -> std::fs::FileType {
    std::fs::symlink_metadata(path).expect("exists").file_type()
}

#[cfg(unix)]
#[test]
fn output_naming_a_fifo_or_a_device_is_written_in_place() {
    use std::os::unix::fs::FileTypeExt;
    let dir = scratch();
    let dir = dir.path();
    write(dir, "src/a.rs", LEAKY);
    let fifo = dir.join("pipe");
    let made = Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).expect("read fifo"))
    };
    let run = tasklint(
        dir,
        &["check", "src", "--format", "concise", "--output", "pipe"],
    );
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    assert!(reader
        .join()
        .expect("reader")
        .starts_with("src/a.rs:2:5: warning:"));
    assert!(file_type(&fifo).is_fifo(), "the FIFO was replaced");

    // A full device: the error is reported, the device stays. As root,
    // on a private copy of /dev/full (a regression must not destroy the
    // system's); others cannot replace /dev/full anyway.
    let full = if is_root() {
        let copy = dir.join("full");
        let made = Command::new("mknod")
            .arg(&copy)
            .args(["c", "1", "7"])
            .status();
        assert!(made.is_ok_and(|s| s.success()), "mknod");
        copy
    } else {
        PathBuf::from("/dev/full")
    };
    let full_arg = full.to_str().expect("UTF-8 path");
    let run = tasklint(dir, &["check", "src", "--output", full_arg]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        stderr(&run).contains(&format!(
            "cannot write --output file `{full_arg}`: No space left on device"
        )),
        "{}",
        stderr(&run)
    );
    assert!(file_type(&full).is_char_device(), "the device was replaced");
}

#[cfg(unix)]
#[test]
fn output_through_a_symlink_replaces_its_target_and_keeps_the_link() {
    let dir = scratch();
    let dir = dir.path();
    write(dir, "src/a.rs", LEAKY);
    write(dir, "reports/real.txt", "old\n");
    std::os::unix::fs::symlink("reports/real.txt", dir.join("link.txt")).expect("symlink");
    let run = tasklint(
        dir,
        &[
            "check", "src", "--format", "concise", "--output", "link.txt",
        ],
    );
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    assert!(file_type(&dir.join("link.txt")).is_symlink());
    let report = std::fs::read_to_string(dir.join("reports/real.txt")).expect("target");
    assert!(report.starts_with("src/a.rs:2:5: warning:"), "{report}");
    assert_eq!(names(&dir.join("reports")), ["real.txt"]);
}

#[cfg(unix)]
#[test]
fn output_to_dev_stdout_appends_to_what_the_shell_opened() {
    let dir = scratch();
    let dir = dir.path();
    write(dir, "src/a.rs", LEAKY);
    write(dir, "log.txt", "earlier line\n");
    let log = std::fs::OpenOptions::new()
        .append(true)
        .open(dir.join("log.txt"))
        .expect("open log");
    let run = command(
        dir,
        &[
            "check",
            "src",
            "--format",
            "concise",
            "--output",
            "/dev/stdout",
        ],
    )
    .stdout(Stdio::from(log))
    .output()
    .expect("runs");
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    let log = std::fs::read_to_string(dir.join("log.txt")).expect("log");
    assert!(
        log.starts_with("earlier line\nsrc/a.rs:2:5: warning:"),
        "{log}"
    );
    let run = tasklint(
        dir,
        &[
            "check",
            "src",
            "--format",
            "concise",
            "--output",
            "/dev/stdout",
        ],
    );
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    assert!(String::from_utf8_lossy(&run.stdout).starts_with("src/a.rs:2:5: warning:"));
}

#[cfg(unix)]
#[test]
fn output_keeps_the_mode_of_the_file_it_replaces() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch();
    let dir = dir.path();
    write(dir, "src/a.rs", LEAKY);
    write(dir, "private.txt", "secret\n");
    let private = dir.join("private.txt");
    std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let run = tasklint(dir, &["check", "src", "--output", "private.txt"]);
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    let mode = std::fs::metadata(&private)
        .expect("report")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    assert!(std::fs::read_to_string(&private)
        .expect("report")
        .contains("detached-endless-task"));
    if !is_root() {
        // A read-only report is not replaced behind the user's back.
        std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o400)).expect("chmod");
        let run = tasklint(dir, &["check", "src", "--output", "private.txt"]);
        assert_eq!(run.status.code(), Some(2));
        assert!(
            stderr(&run).contains("Permission denied"),
            "{}",
            stderr(&run)
        );
    }
}

#[cfg(unix)]
#[test]
fn a_file_at_the_old_temporary_name_is_left_alone() {
    let dir = scratch();
    let dir = dir.path();
    write(dir, "src/a.rs", LEAKY);
    write(dir, "precious.txt", "precious data\n");
    std::os::unix::fs::symlink("precious.txt", dir.join(".report.json.tasklint-tmp"))
        .expect("symlink");
    let run = tasklint(
        dir,
        &[
            "check",
            "src",
            "--format",
            "json",
            "--output",
            "report.json",
        ],
    );
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    assert_eq!(
        std::fs::read_to_string(dir.join("precious.txt")).expect("precious"),
        "precious data\n"
    );
    let report = std::fs::read_to_string(dir.join("report.json")).expect("report");
    serde_json::from_str::<serde_json::Value>(&report).expect("the report is JSON");
    assert_eq!(
        names(dir),
        [
            ".report.json.tasklint-tmp",
            "precious.txt",
            "report.json",
            "src"
        ]
    );
}

#[test]
fn concurrent_runs_writing_one_report_both_succeed() {
    let dir = scratch();
    let dir = dir.path();
    let many: String = (0..3000)
        .map(|i| format!("fn f{i}() {{ tokio::spawn(async {{ loop {{ w().await; }} }}); }}\n"))
        .collect();
    write(dir, "src/many.rs", many);
    let args = ["check", "src", "--format", "json", "--output", "out.json"];
    for _ in 0..5 {
        let runs: Vec<_> = (0..2)
            .map(|_| {
                command(dir, &args)
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("spawn")
            })
            .collect();
        for run in runs {
            let done = run.wait_with_output().expect("waits");
            assert_eq!(done.status.code(), Some(1), "{}", stderr(&done));
        }
        let report = std::fs::read_to_string(dir.join("out.json")).expect("report");
        let findings: serde_json::Value = serde_json::from_str(&report).expect("JSON");
        assert_eq!(findings.as_array().map(Vec::len), Some(3000));
        assert_eq!(names(dir), ["out.json", "src"]);
    }
}

/// Runs tasklint under strace with every `write` slowed down, so that a
/// signal reliably arrives while the report is being written. `None` when
/// strace cannot run here.
#[cfg(unix)]
fn slowed_run(dir: &Path, args: &[&str]) -> Option<std::process::Child> {
    let works = Command::new("strace")
        .args(["-o", "/dev/null", "true"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !works {
        return None;
    }
    Command::new("strace")
        .args(["-f", "-o", "/dev/null", "-e", "trace=write"])
        .args(["-e", "inject=write:delay_enter=500000"])
        .arg(env!("CARGO_BIN_EXE_tasklint"))
        .args(args)
        .current_dir(dir)
        .stderr(Stdio::null())
        .spawn()
        .ok()
}

#[cfg(unix)]
#[test]
fn sigterm_while_writing_the_report_removes_the_temporary_file() {
    let dir = scratch();
    let dir = dir.path();
    write(dir, "src/a.rs", LEAKY);
    let args = [
        "check",
        "src",
        "--format",
        "json",
        "--output",
        "report.json",
    ];
    let Some(mut run) = slowed_run(dir, &args) else {
        eprintln!("skipped: strace cannot run here");
        return;
    };
    let temporary = (0..200).find_map(|_| {
        let found = names(dir)
            .into_iter()
            .find(|n| n.ends_with(".tasklint-tmp"));
        if found.is_none() {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        found
    });
    assert!(temporary.is_some(), "no temporary file appeared");
    // strace's child is tasklint.
    let pgrep = Command::new("pgrep")
        .args(["-P", &run.id().to_string()])
        .output()
        .expect("pgrep");
    let pid = String::from_utf8_lossy(&pgrep.stdout).trim().to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status();
    assert!(killed.is_ok_and(|s| s.success()), "kill {pid}");
    let status = run.wait().expect("waits");
    assert_eq!(status.code(), Some(128 + 15));
    assert_eq!(names(dir), ["src"]);
}

#[test]
fn output_naming_the_baseline_or_the_configuration_is_refused() {
    let dir = scratch();
    let dir = dir.path();
    write(dir, "src/a.rs", LEAKY);
    // The baseline is written; the report that would overwrite it is not.
    let run = tasklint(
        dir,
        &[
            "check",
            "src",
            "--write-baseline",
            "same.json",
            "--output",
            "same.json",
        ],
    );
    assert_eq!(run.status.code(), Some(2));
    assert!(
        stderr(&run).contains("--output and --write-baseline name the same file `same.json`"),
        "{}",
        stderr(&run)
    );
    let baseline = std::fs::read_to_string(dir.join("same.json")).expect("baseline");
    assert!(baseline.contains("\"version\": 2"), "{baseline}");
    // The same file under another name.
    let run = tasklint(
        dir,
        &[
            "check",
            "src",
            "--baseline",
            "same.json",
            "--output",
            "./src/../same.json",
        ],
    );
    assert_eq!(run.status.code(), Some(2));
    assert!(stderr(&run).contains("--output and --baseline name the same file"));
    assert_eq!(
        std::fs::read_to_string(dir.join("same.json")).expect("baseline"),
        baseline
    );
    write(dir, "tasklint.toml", "lint-tests = true\n");
    for option in ["--output", "--write-baseline"] {
        let run = tasklint(
            dir,
            &[
                "check",
                "src",
                "--config",
                "tasklint.toml",
                option,
                "tasklint.toml",
            ],
        );
        assert_eq!(run.status.code(), Some(2), "{option}");
        assert!(stderr(&run).contains("and --config name the same file"));
        assert_eq!(
            std::fs::read_to_string(dir.join("tasklint.toml")).expect("config"),
            "lint-tests = true\n"
        );
    }
    // Refreshing a baseline in place is fine.
    let run = tasklint(
        dir,
        &[
            "check",
            "src",
            "--baseline",
            "same.json",
            "--write-baseline",
            "same.json",
        ],
    );
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
}

#[cfg(unix)]
#[test]
fn a_full_standard_output_is_an_error_and_a_closed_pipe_is_not() {
    let dir = scratch();
    let dir = dir.path();
    write(dir, "src/a.rs", LEAKY);
    let full = File::create("/dev/full").expect("/dev/full");
    let run = command(dir, &["check", "src", "--format", "json", "--exit-zero"])
        .stdout(Stdio::from(full))
        .output()
        .expect("runs");
    assert_eq!(run.status.code(), Some(2));
    assert!(
        stderr(&run)
            .contains("error: cannot write the report to standard output: No space left on device"),
        "{}",
        stderr(&run)
    );
    // `tasklint check | head -1`: the reader is gone; the exit code still
    // says whether there were findings.
    let many: String = (0..3000)
        .map(|i| format!("fn f{i}() {{ tokio::spawn(async {{ loop {{}} }}); }}\n"))
        .collect();
    write(dir, "src/many.rs", many);
    let mut run = command(dir, &["check", "src", "--format", "concise"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(run.stdout.take());
    let done = run.wait_with_output().expect("waits");
    assert_eq!(done.status.code(), Some(1), "{}", stderr(&done));
    assert!(!stderr(&done).contains("error:"), "{}", stderr(&done));
}

#[cfg(unix)]
#[test]
fn a_full_or_closed_standard_error_never_panics() {
    let dir = scratch();
    let dir = dir.path();
    let many: String = (0..3000)
        .map(|i| format!("fn f{i}() {{ tokio::spawn(async {{ loop {{}} }}); }}\n"))
        .collect();
    write(dir, "src/a.rs", many);
    let args = ["check", "src", "--format", "json", "--statistics"];
    let full = File::create("/dev/full").expect("/dev/full");
    let run = command(dir, &args)
        .stdout(Stdio::null())
        .stderr(Stdio::from(full))
        .status()
        .expect("runs");
    assert_eq!(run.code(), Some(1));
    let mut run = command(dir, &args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(run.stderr.take());
    assert_eq!(run.wait().expect("waits").code(), Some(1));
    let run = command(dir, &["explain", "no-such-rule"])
        .stderr(Stdio::from(File::create("/dev/full").expect("/dev/full")))
        .status()
        .expect("runs");
    assert_eq!(run.code(), Some(2));
}

#[test]
fn stale_baseline_entries_show_control_characters_escaped() {
    let dir = scratch();
    let dir = dir.path();
    write(dir, "src/a.rs", LEAKY);
    write(
        dir,
        "baseline.json",
        r#"{"version":1,"findings":[{"path":"src/a.rs","rule":"detached-endless-task","fingerprint":"x\u202e","message":"m\u001b[2J\u001b[31mFAKE\n::error file=x.rs::injected"}]}"#,
    );
    let run = tasklint(
        dir,
        &[
            "check",
            "src",
            "--format",
            "concise",
            "--baseline",
            "baseline.json",
        ],
    );
    assert_eq!(run.status.code(), Some(1));
    let err = stderr(&run);
    assert!(
        !err.contains('\u{1b}') && !err.contains('\u{202e}'),
        "{err:?}"
    );
    assert!(!err.lines().any(|l| l.starts_with("::")), "{err}");
    assert!(
        err.contains(
            r"src/a.rs [detached-endless-task] m\u{1b}[2J\u{1b}[31mFAKE\n::error file=x.rs::injected (x\u{202e})"
        ),
        "{err}"
    );
}

#[test]
fn invalid_toml_in_a_manifest_tasklint_table_is_an_error() {
    let dir = scratch();
    let dir = dir.path();
    write(dir, "src/a.rs", LEAKY);
    write(
        dir,
        "Cargo.toml",
        "[package]\nname = \"x\"\n[package.metadata.tasklint]\nignore = [\"all\"\n",
    );
    let run = tasklint(dir, &["check", "src"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        stderr(&run).contains("Cargo.toml:4: invalid TOML"),
        "{}",
        stderr(&run)
    );
    // The package's table wins, and the workspace's beside it is checked.
    write(
        dir,
        "Cargo.toml",
        "[package]\nname = \"x\"\n[package.metadata.tasklint]\nlint-tests = true\n\
         [workspace.metadata.tasklint]\nno-such-key = 1\n",
    );
    let run = tasklint(dir, &["check", "src"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        stderr(&run)
            .contains("Cargo.toml:6: unknown key `workspace.metadata.tasklint.no-such-key`"),
        "{}",
        stderr(&run)
    );
}

#[test]
fn a_duplicate_key_is_named() {
    let dir = scratch();
    let dir = dir.path();
    write(dir, "src/a.rs", LEAKY);
    write(
        dir,
        "tasklint.toml",
        "select = [\"all\"]\nselect = [\"all\"]\n",
    );
    let run = tasklint(dir, &["check", "src"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        stderr(&run).contains("tasklint.toml:2: invalid TOML: duplicate key `select`"),
        "{}",
        stderr(&run)
    );
}

#[cfg(unix)]
#[test]
fn endless_configuration_baseline_and_standard_input_are_refused() {
    let dir = scratch();
    let dir = dir.path();
    write(dir, "src/a.rs", LEAKY);
    let run = tasklint(dir, &["check", "src", "--config", "/dev/zero"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        stderr(&run).contains("cannot read configuration `/dev/zero`: larger than 16 MiB"),
        "{}",
        stderr(&run)
    );
    let run = tasklint(dir, &["check", "src", "--baseline", "/dev/zero"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        stderr(&run).contains("cannot read baseline `/dev/zero`: larger than 256 MiB"),
        "{}",
        stderr(&run)
    );
    let run = command(dir, &["check", "-"])
        .stdin(Stdio::from(File::open("/dev/zero").expect("/dev/zero")))
        .output()
        .expect("runs");
    // Like a file over `max-file-size`: a `parse-error`, read no further.
    assert_eq!(run.status.code(), Some(1));
    let out = String::from_utf8_lossy(&run.stdout);
    assert!(
        out.contains("standard input not linted: more than max-file-size"),
        "{out}"
    );
}

#[cfg(unix)]
#[test]
fn a_folder_that_denies_the_temporary_file_is_named() {
    use std::os::unix::fs::PermissionsExt;
    if is_root() {
        return; // root may write anywhere
    }
    let dir = scratch();
    let dir = dir.path();
    write(dir, "src/a.rs", LEAKY);
    std::fs::create_dir(dir.join("locked")).expect("mkdir");
    std::fs::set_permissions(dir.join("locked"), std::fs::Permissions::from_mode(0o555))
        .expect("chmod");
    let run = tasklint(dir, &["check", "src", "--output", "locked/report.txt"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        stderr(&run).contains("cannot create a temporary file in `locked`"),
        "{}",
        stderr(&run)
    );
}
