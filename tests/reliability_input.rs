//! Reliability of what a run reads (issue 11): folders it cannot read,
//! special files, overlapping paths, standard input, odd file names, size
//! and thread limits, and many globs. Each test builds its input in a temp
//! folder and runs the binary.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

mod support;
use support::{stderr, stdout, write};

const LEAKY: &str = "fn main() { tokio::spawn(async { loop {} }); }\n";
const RULE: &str = "detached-endless-task";

fn tasklint(dir: &Path, args: &[&str]) -> Output {
    tasklint_as(dir, args, None)
}

/// Runs tasklint in `dir`, with these bytes on standard input.
fn tasklint_as(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tasklint"));
    command
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("tasklint runs");
    if let (Some(bytes), Some(mut pipe)) = (stdin, child.stdin.take()) {
        pipe.write_all(bytes).expect("stdin written");
    }
    child.wait_with_output().expect("tasklint ends")
}

fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// A temp folder that `nobody` can enter and read.
fn open_tempdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    chmod(dir.path(), 0o755);
    dir
}

#[test]
fn an_unreadable_folder_is_a_finding_and_the_run_goes_on() {
    let dir = open_tempdir();
    write(dir.path(), "src/ok.rs", LEAKY);
    write(dir.path(), "src/locked/b.rs", LEAKY);
    chmod(&dir.path().join("src"), 0o755);
    chmod(&dir.path().join("src/ok.rs"), 0o644);
    chmod(&dir.path().join("src/locked"), 0o000);
    let run = support::tasklint_unprivileged(dir.path(), &["check", "src", "--format", "concise"]);
    chmod(&dir.path().join("src/locked"), 0o755);
    let Some(run) = run else {
        return; // permissions do not stop root: needs setpriv
    };
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    let out = stdout(&run);
    assert!(out.contains("src/ok.rs:1:13: warning: "), "{out}");
    assert!(
        out.contains("src/locked:1:1: error: cannot read folder: Permission denied"),
        "{out}"
    );
    assert!(out.contains("[parse-error]"), "{out}");
}

#[test]
fn a_path_longer_than_the_system_allows_is_a_finding_and_the_run_goes_on() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "long/top.rs", LEAKY);
    // 2100 nested folders: a path of 4200 bytes, past PATH_MAX.
    // (A shell's `cd` fails past PATH_MAX; python's relative chdir does not.)
    let made = Command::new("python3")
        .args([
            "-c",
            "import os\nos.chdir('long')\nfor _ in range(2100):\n    os.mkdir('d'); os.chdir('d')",
        ])
        .current_dir(dir.path())
        .status();
    let Ok(made) = made else {
        return; // no python3 here
    };
    assert!(made.success());
    let run = tasklint(dir.path(), &["check", "long", "--format", "concise"]);
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    let out = stdout(&run);
    assert!(out.contains("long/top.rs:1:13: warning: "), "{out}");
    assert!(out.contains("error: cannot read folder: "), "{out}");
}

#[test]
fn an_unreadable_gitignore_is_a_warning() {
    let dir = open_tempdir();
    write(dir.path(), "src/a.rs", LEAKY);
    write(dir.path(), "src/.gitignore", "a.rs\n");
    chmod(&dir.path().join("src"), 0o755);
    chmod(&dir.path().join("src/a.rs"), 0o644);
    chmod(&dir.path().join("src/.gitignore"), 0o000);
    let Some(run) =
        support::tasklint_unprivileged(dir.path(), &["check", "src", "--format", "concise"])
    else {
        return;
    };
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    assert!(
        stderr(&run).contains("warning: cannot use `src/.gitignore`: Permission denied"),
        "{}",
        stderr(&run)
    );
    assert!(stdout(&run).contains("src/a.rs:1:13"), "{}", stdout(&run));
}

#[test]
fn a_fifo_or_device_named_on_the_command_line_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fifo = dir.path().join("x.rs");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("y.rs")).expect("symlink");
    for name in ["x.rs", "y.rs"] {
        let run = tasklint(dir.path(), &["check", name]);
        assert_eq!(run.status.code(), Some(2), "{name}: {}", stderr(&run));
        assert!(
            stderr(&run).contains(&format!("{name}: not a regular file")),
            "{}",
            stderr(&run)
        );
    }
}

#[test]
fn overlapping_paths_lint_each_file_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "src/a.rs", LEAKY);
    for args in [
        &[".", "src"][..],
        &["src/a.rs", "./src/a.rs"],
        &["./src", "src"],
        &["src", "src/../src/a.rs"],
    ] {
        let mut all = vec!["check", "--format", "concise"];
        all.extend_from_slice(args);
        let run = tasklint(dir.path(), &all);
        let out = stdout(&run);
        assert_eq!(out.matches(RULE).count(), 1, "{args:?}: {out}");
        assert!(stderr(&run).contains("1 file scanned"), "{}", stderr(&run));
    }
    // The form of the first path given is kept.
    let run = tasklint(
        dir.path(),
        &["check", "--format", "concise", "./src/a.rs", "src/a.rs"],
    );
    assert!(
        stdout(&run).starts_with("src/a.rs:1:13"),
        "{}",
        stdout(&run)
    );
}

#[test]
fn stdin_filename_replaces_the_file_on_disk() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "src/a.rs", LEAKY);
    write(dir.path(), "src/b.rs", LEAKY);
    let buffer = format!("\n\n{LEAKY}");
    let run = tasklint_as(
        dir.path(),
        &[
            "check",
            "src",
            "--stdin-filename",
            "./src/a.rs",
            "--format",
            "concise",
        ],
        Some(buffer.as_bytes()),
    );
    let out = stdout(&run);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(lines[0].starts_with("src/a.rs:3:13:"), "{out}");
    assert!(lines[1].starts_with("src/b.rs:1:13:"), "{out}");
}

#[test]
fn stdin_that_is_not_utf8_is_a_parse_error_like_a_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bytes = b"fn main() { tokio::spawn(async {}); } // \xff\n";
    write(dir.path(), "a.rs", bytes);
    let file = tasklint(dir.path(), &["check", "a.rs", "--format", "concise"]);
    let stdin = tasklint_as(
        dir.path(),
        &["check", "--stdin-filename", "a.rs", "--format", "concise"],
        Some(bytes),
    );
    assert_eq!(stdin.status.code(), Some(1), "{}", stderr(&stdin));
    assert!(
        stdout(&stdin).contains("a.rs:1:42: error: file is not valid UTF-8 [parse-error]"),
        "{}",
        stdout(&stdin)
    );
    assert_eq!(stdout(&stdin), stdout(&file));
}

#[test]
fn non_utf8_file_names_are_escaped_and_kept_apart() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("src")).expect("mkdir");
    let name = |byte: u8| {
        dir.path()
            .join("src")
            .join(std::ffi::OsStr::from_bytes(&[byte, b'.', b'r', b's']))
    };
    std::fs::write(name(0xff), LEAKY).expect("write");
    std::fs::write(
        name(0xfe),
        "// second file\n\n\nfn other(){\n        std::thread::spawn(|| {}); tokio::spawn(async { loop { tick().await; } });\n}\n",
    )
    .expect("write");
    let run = tasklint(dir.path(), &["check", "src", "--format", "concise"]);
    let out = stdout(&run);
    assert!(out.contains("src/\\xFE.rs:5:36: warning: "), "{out}");
    assert!(out.contains("src/\\xFF.rs:1:13: warning: "), "{out}");
    let human = tasklint(dir.path(), &["check", "src"]);
    assert!(stdout(&human).contains("in 2 files"), "{}", stdout(&human));
    assert!(
        stdout(&human).contains("src/\\xFE.rs:5:36"),
        "{}",
        stdout(&human)
    );
}

#[test]
fn a_file_over_max_file_size_is_reported_not_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "src/a.rs", LEAKY);
    // Sparse, 20 MiB: over the default limit of 10 MiB, and not read.
    let big = std::fs::File::create(dir.path().join("src/zeros.rs")).expect("create");
    big.set_len(20 << 20).expect("grow");
    let run = tasklint(dir.path(), &["check", "src", "--format", "concise"]);
    let out = stdout(&run);
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    assert!(
        out.contains("src/zeros.rs:1:1: error: file not linted: 20971520 bytes is more than max-file-size (10485760 bytes) [parse-error]"),
        "{out}"
    );
    assert!(out.contains("src/a.rs:1:13"), "{out}");
    // The limit is a setting.
    write(dir.path(), "tasklint.toml", "max-file-size = 30\n");
    let run = tasklint(dir.path(), &["check", "src/a.rs", "--format", "concise"]);
    assert!(
        stdout(&run).contains(
            "src/a.rs:1:1: error: file not linted: 47 bytes is more than max-file-size (30 bytes)"
        ),
        "{}",
        stdout(&run)
    );
    // Standard input too.
    let run = tasklint_as(
        dir.path(),
        &[
            "check",
            "--stdin-filename",
            "src/a.rs",
            "--format",
            "concise",
        ],
        Some(LEAKY.as_bytes()),
    );
    assert!(
        stdout(&run)
            .contains("error: standard input not linted: more than max-file-size (30 bytes)"),
        "{}",
        stdout(&run)
    );
    write(dir.path(), "tasklint.toml", "max-file-size = -1\n");
    let run = tasklint(dir.path(), &["check", "src/a.rs"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        stderr(&run).contains("`max-file-size`: expected a positive number of bytes"),
        "{}",
        stderr(&run)
    );
}

#[test]
fn huge_jobs_are_capped_and_zero_is_the_default() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "src/a.rs", LEAKY);
    for jobs in ["100000", "0", "1"] {
        let run = tasklint(
            dir.path(),
            &["check", "src", "--format", "concise", "--jobs", jobs],
        );
        assert_eq!(
            run.status.code(),
            Some(1),
            "--jobs {jobs}: {}",
            stderr(&run)
        );
        assert!(stdout(&run).contains(RULE));
    }
}

#[test]
fn many_per_file_ignores_entries_match_as_each_alone() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = String::from("[per-file-ignores]\n");
    for i in 0..500 {
        config.push_str(&format!("\"p{i}/*.rs\" = [\"all\"]\n"));
    }
    config.push_str("\"quiet/\" = [\"all\"]\n\"*_gen.rs\" = [\"detached\"]\n");
    write(dir.path(), "tasklint.toml", config);
    for i in 0..200 {
        write(dir.path(), &format!("tree/d{i}/f.rs"), LEAKY);
    }
    write(dir.path(), "p7/a.rs", LEAKY);
    write(dir.path(), "tree/quiet/deep/a.rs", LEAKY);
    write(dir.path(), "tree/x_gen.rs", LEAKY);
    let run = tasklint(dir.path(), &["check", ".", "--format", "concise"]);
    let out = stdout(&run);
    assert_eq!(out.matches(RULE).count(), 200, "{out}");
    for hidden in ["p7/a.rs", "quiet/deep/a.rs", "x_gen.rs"] {
        assert!(!out.contains(hidden), "{hidden}: {out}");
    }
}

#[test]
fn too_many_exclude_globs_say_so() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "src/a.rs", LEAKY);
    let globs: Vec<String> = (0..20_000).map(|i| format!("\"x{i}/**\"")).collect();
    write(
        dir.path(),
        "tasklint.toml",
        format!("exclude = [{}]\n", globs.join(",")),
    );
    let run = tasklint(dir.path(), &["check", "src"]);
    assert_eq!(run.status.code(), Some(2));
    let err = stderr(&run);
    assert!(
        err.contains("`exclude`: cannot compile 20000 globs together, too many"),
        "{err}"
    );
    assert!(!err.contains("expected valid globs"), "{err}");
}

#[test]
fn a_huge_manifest_is_refused_not_read_whole() {
    let dir = open_tempdir();
    let dir = dir.path();
    write(
        dir,
        "src/a.rs",
        "fn main() { tokio::spawn(async { loop {} }); }\n",
    );
    let mut manifest = String::from("[package]\nname = \"x\"\n# tasklint\n");
    manifest.push_str(&" ".repeat(17 << 20));
    write(dir, "Cargo.toml", manifest);
    let run = tasklint(dir, &["check", "src"]);
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    assert!(
        stderr(&run).contains("larger than 16 MiB"),
        "{}",
        stderr(&run)
    );
}
