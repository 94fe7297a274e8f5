//! What the CLI tests share: a scratch folder, files written into it, and
//! runs of the built binary in it.
#![allow(dead_code)] // each test binary uses its own part

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A folder under cargo's temp folder, removed when dropped.
pub fn scratch() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("tasklint-test-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("scratch dir")
}

/// Writes `text` to `relative` under `dir`, creating folders on the way.
pub fn write(dir: &Path, relative: &str, text: impl AsRef<[u8]>) {
    let path = dir.join(relative);
    std::fs::create_dir_all(path.parent().expect("has parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

/// The binary, to run in `dir` with `args`, without colour.
pub fn command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tasklint"));
    command.args(args).current_dir(dir).env("NO_COLOR", "1");
    command
}

/// Runs the binary in `dir` with `args`.
pub fn tasklint(dir: &Path, args: &[&str]) -> Output {
    command(dir, args).output().expect("tasklint runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A check that needs something installed from the network could not get
/// it: under CI (`CI` set) that is a failure; elsewhere the test says it
/// skipped the check, on the real standard error so that `cargo test`
/// shows it even when the test passes, and goes on.
pub fn skip_or_fail(what: &str, why: &str) {
    let message = format!("{what}: cannot be installed here: {}", why.trim());
    if std::env::var_os("CI").is_some() {
        panic!("{message}\n(CI is set, so a check that cannot run is a failure)");
    }
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "skipped: {message} (set CI=1 to make this a failure)"
    );
}

/// Runs an install script of `tests/support/` with its folder. With
/// `TASKLINT_TEST_OFFLINE` set, nothing is run and the install fails, as it
/// does where the registries are out of reach (how the skip is tested).
pub fn install(script: &Path, dir: &Path) -> Output {
    if std::env::var_os("TASKLINT_TEST_OFFLINE").is_some() {
        return Command::new("bash")
            .args(["-c", "echo 'TASKLINT_TEST_OFFLINE is set' >&2; exit 3"])
            .output()
            .expect("run bash");
    }
    Command::new("bash")
        .arg(script)
        .arg(dir)
        .output()
        .expect("run the install script")
}

/// Runs the test `name` of this test binary again, in a child with the
/// installs made to fail (`TASKLINT_TEST_OFFLINE`), with `CI` set or not:
/// whether it passed, and what it printed. How the honest skips are tested.
pub fn rerun_offline(name: &str, ci: bool) -> (bool, String) {
    let me = std::env::current_exe().expect("the test binary");
    let mut command = Command::new(me);
    command
        .args([name, "--exact"])
        .env("TASKLINT_TEST_OFFLINE", "1");
    if ci {
        command.env("CI", "true");
    } else {
        command.env_remove("CI");
    }
    let output = command.output().expect("run the test binary");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

/// Runs tasklint as the unprivileged `nobody` (so that permissions apply);
/// `None` when not root or `setpriv` is missing.
pub fn tasklint_unprivileged(dir: &Path, args: &[&str]) -> Option<Output> {
    let id = Command::new("id").arg("-u").output().ok()?;
    if String::from_utf8_lossy(&id.stdout).trim() != "0" {
        return None;
    }
    let output = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_tasklint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .ok()?;
    Some(output)
}

/// The validator's binary, installed under target/ on first use; `None`
/// where it cannot be installed (npm missing, or the registry out of
/// reach): the check is then skipped with the reason printed, unless `CI`
/// is set, where that fails the test.
pub fn sarif_validator() -> Option<PathBuf> {
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/install-sarif-multitool.sh");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sarif-multitool");
    let output = install(&script, &dir);
    if !output.status.success() {
        skip_or_fail(
            "the SARIF validator (npm package @microsoft/sarif-multitool)",
            &String::from_utf8_lossy(&output.stderr),
        );
        return None;
    }
    Some(PathBuf::from(
        String::from_utf8_lossy(&output.stdout).trim(),
    ))
}

/// Runs the SARIF `validator` on `sarif`, its log written to `log`: how many
/// problems it found, and what it printed. A validator that fails to run
/// fails the test.
pub fn sarif_problems(validator: &Path, sarif: &Path, log: &Path) -> (usize, String) {
    let output = Command::new(validator)
        .args([
            "validate",
            "--rule-kind",
            "Gh;Sarif",
            "--log",
            "ForceOverwrite",
            "--output",
        ])
        .arg(log)
        .arg(sarif)
        .output()
        .expect("run the validator");
    let printed = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "validator failed: {printed}");
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(log).expect("validation log")).expect("JSON");
    let problems = results["runs"][0]["results"].as_array().map_or(0, Vec::len);
    (problems, format!("{printed}\n{results}"))
}
