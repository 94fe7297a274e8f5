//! What the CLI tests share: a scratch folder, files written into it, and
//! runs of the built binary in it.
#![allow(dead_code)] // each test binary uses its own part

use std::path::Path;
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
