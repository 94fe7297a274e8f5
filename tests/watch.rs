//! `check --watch` as users run it: the built binary watching a scratch
//! crate, edited while it runs, ended with Ctrl-C (SIGINT).
//!
//! The deadlines only keep a broken watch from hanging the test run; no
//! test depends on how fast anything happens.

mod support;

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

/// Long enough for a debug build on a loaded machine.
const DEADLINE: Duration = Duration::from_secs(30);

const CLEAN: &str = "pub fn ok() {}\n";
/// A task that loops forever and whose handle is dropped:
/// `detached-endless-task`, on by default.
const LEAK: &str = "pub fn f() {\n    tokio::spawn(async {\n        loop {}\n    });\n}\n";
const CLEAN_REPORT: &str = "0 problems (0 errors, 0 warnings) in 0 files; 1 file scanned";
const LEAK_REPORT: &str = "1 problem (0 errors, 1 warning) in 1 file; 1 file scanned";

/// A scratch crate with one clean file.
fn scratch_crate() -> tempfile::TempDir {
    let dir = support::scratch();
    support::write(
        dir.path(),
        "Cargo.toml",
        "[package]\nname = \"watched\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    support::write(dir.path(), "src/lib.rs", CLEAN);
    dir
}

/// A running `tasklint check --watch`, its output read line by line on
/// threads. Killed when dropped, so a failing test leaves nothing behind.
struct Watch {
    child: Child,
    stdout: Receiver<String>,
    stderr: Receiver<String>,
    /// Every line read so far, for the failure messages.
    seen: String,
}

impl Watch {
    fn start(dir: &Path, args: &[&str]) -> Watch {
        let mut child = support::command(dir, args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("tasklint starts");
        Watch {
            stdout: lines(child.stdout.take().expect("stdout")),
            stderr: lines(child.stderr.take().expect("stderr")),
            child,
            seen: String::new(),
        }
    }

    /// Waits for a line of standard output containing `wanted`.
    fn stdout_line(&mut self, wanted: &str) {
        let found = wait_for(&self.stdout, wanted, &mut self.seen, "stdout");
        assert!(found, "no `{wanted}` on stdout; so far:\n{}", self.seen);
    }

    /// Waits for a line of standard error containing `wanted`.
    fn stderr_line(&mut self, wanted: &str) {
        let found = wait_for(&self.stderr, wanted, &mut self.seen, "stderr");
        assert!(found, "no `{wanted}` on stderr; so far:\n{}", self.seen);
    }

    /// Sends SIGINT and waits for the exit; returns its status and the rest
    /// of standard output and standard error.
    fn interrupt(mut self) -> (ExitStatus, String, String) {
        let pid = libc::pid_t::try_from(self.child.id()).expect("pid fits");
        // SAFETY: kill(2) on our own child, which has not been waited yet.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0, "kill");
        let started = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                break status;
            }
            assert!(
                started.elapsed() < DEADLINE,
                "still running {DEADLINE:?} after SIGINT; output:\n{}",
                self.seen
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        let rest = |lines: &Receiver<String>| lines.iter().collect::<Vec<_>>().join("\n");
        (status, rest(&self.stdout), rest(&self.stderr))
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The lines of `from`, sent as they come; the channel closes at its end.
fn lines(from: impl Read + Send + 'static) -> Receiver<String> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(from).lines() {
            let Ok(line) = line else { break };
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    receiver
}

/// Reads lines until one contains `wanted` (true), the stream ends or the
/// deadline passes (false), keeping each in `seen`.
fn wait_for(lines: &Receiver<String>, wanted: &str, seen: &mut String, name: &str) -> bool {
    let deadline = Instant::now() + DEADLINE;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let Ok(line) = lines.recv_timeout(left) else {
            return false;
        };
        seen.push_str(&format!("{name}: {line}\n"));
        if line.contains(wanted) {
            return true;
        }
    }
}

#[test]
fn relints_on_save_and_ends_on_ctrl_c() {
    let dir = scratch_crate();
    let mut watch = Watch::start(dir.path(), &["check", "--watch"]);
    watch.stdout_line(CLEAN_REPORT);
    watch.stderr_line("watching for changes");

    support::write(dir.path(), "src/lib.rs", LEAK);
    watch.stdout_line("warning[detached-endless-task]");
    watch.stdout_line(LEAK_REPORT);
    watch.stderr_line("note: `src/lib.rs` changed; linting again");

    support::write(dir.path(), "src/lib.rs", CLEAN);
    watch.stdout_line(CLEAN_REPORT);

    let (status, stdout, stderr) = watch.interrupt();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    // Standard output is a pipe here: reports, never escape sequences.
    assert!(!stdout.contains('\x1b'), "{stdout:?}");
}

#[test]
fn build_output_git_and_cache_changes_do_not_relint() {
    let dir = scratch_crate();
    let mut watch = Watch::start(dir.path(), &["check", "--watch", "."]);
    watch.stdout_line(CLEAN_REPORT);
    watch.stderr_line("watching for changes");

    // Written before the change that counts: had any of them woken the
    // watch, it would be named as the cause of the next run.
    for path in [
        "target/debug/build/watched-1/out/generated.rs",
        "target/debug/deps/watched.d",
        ".git/index",
        ".tasklint_cache/entry",
        ".tasklint_cache/nested/entry.rs",
        "notes.txt",
    ] {
        support::write(dir.path(), path, LEAK);
    }
    support::write(dir.path(), "src/lib.rs", LEAK);
    watch.stdout_line(LEAK_REPORT);

    let (status, _, stderr) = watch.interrupt();
    assert_eq!(status.code(), Some(0), "{stderr}");
    let causes: Vec<&str> = stderr
        .lines()
        .filter_map(|line| line.strip_prefix("note: `")?.split_once("` changed"))
        .map(|(path, _)| path)
        .collect();
    // One run, or two if the write of `src/lib.rs` was seen in two parts.
    assert!(!causes.is_empty(), "{stderr}");
    assert!(
        causes.iter().all(|cause| *cause == "src/lib.rs"),
        "{stderr}"
    );
}

#[test]
fn a_bad_configuration_is_printed_and_the_watch_goes_on() {
    let dir = scratch_crate();
    support::write(dir.path(), "tasklint.toml", "select = [\"no-such-rule\"]\n");
    let mut watch = Watch::start(dir.path(), &["check", "--watch"]);
    // Also on the first run: the user fixes the file and saves.
    watch.stderr_line("no-such-rule");
    watch.stderr_line("watching for changes");

    support::write(dir.path(), "tasklint.toml", "select = [\"detached\"]\n");
    watch.stdout_line(CLEAN_REPORT);

    support::write(dir.path(), "tasklint.toml", "select = [\n");
    watch.stderr_line("error: ");

    support::write(dir.path(), "tasklint.toml", "select = [\"all\"]\n");
    support::write(dir.path(), "src/lib.rs", LEAK);
    watch.stdout_line("warning[detached-endless-task]");

    let (status, _, stderr) = watch.interrupt();
    assert_eq!(status.code(), Some(0), "{stderr}");
}

#[test]
fn flags_that_make_no_sense_with_watch_are_refused() {
    let dir = scratch_crate();
    let refused: &[&[&str]] = &[
        &["--fix"],
        &["--diff"],
        &["--add-suppression"],
        &["--add-suppression=reason"],
        &["--write-baseline", "baseline.json"],
        &["--output", "report.txt"],
        &["--show-settings", "src/lib.rs"],
        &["--show-files"],
        &["--explain-model", "src/lib.rs"],
        &["--stdin-filename", "src/lib.rs"],
        &["-"],
        &["src", "-"],
    ];
    for flags in refused {
        let mut args = vec!["check", "--watch"];
        args.extend_from_slice(flags);
        let output = support::tasklint(dir.path(), &args);
        let stderr = support::stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("'--watch' cannot be used with"),
            "{args:?}: {stderr}"
        );
    }
    // `cargo tasklint` shares the flags.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_cargo-tasklint"))
        .args(["tasklint", "--watch", "--fix"])
        .current_dir(dir.path())
        .output()
        .expect("cargo-tasklint runs");
    assert_eq!(
        output.status.code(),
        Some(2),
        "{}",
        support::stderr(&output)
    );
}

#[test]
fn what_cannot_be_watched_is_an_error_at_once() {
    let dir = scratch_crate();
    for args in [
        &["check", "--watch", "missing"][..],
        &["check", "--watch", "--config", "missing.toml"],
        &["check", "--watch", "--baseline", "missing.json"],
        &["check", "--watch", "--select", "no-such-rule"],
    ] {
        let output = support::tasklint(dir.path(), args);
        let stderr = support::stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
        assert!(support::stdout(&output).is_empty(), "{args:?}");
    }
}
