//! The report, the baseline and the standard streams: nothing named by
//! `--output` is replaced unless it is a regular file, no temporary file is
//! shared or left behind, no option's file overwrites another's, write errors
//! are reported, broken pipes end quietly, and what a baseline or a
//! configuration holds cannot fake lines or be skipped unseen.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const LEAKY: &str = "pub fn start() {\n    tokio::spawn(async { loop { tick().await; } });\n}\n";

fn scratch() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("reliability-output-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("scratch dir")
}

fn write(dir: &Path, relative: &str, text: impl AsRef<[u8]>) {
    let path = dir.join(relative);
    std::fs::create_dir_all(path.parent().expect("has parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

fn command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tasklint"));
    command.args(args).current_dir(dir).env("NO_COLOR", "1");
    command
}

fn tasklint(dir: &Path, args: &[&str]) -> Output {
    command(dir, args).output().expect("tasklint runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

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
    assert_eq!(run.status.code(), Some(2));
    assert!(
        stderr(&run).contains("cannot read standard input: larger than 64 MiB"),
        "{}",
        stderr(&run)
    );
}
