//! The crate pass, tested through the binary as users call it: a fixture
//! crate whose structs are defined in one file and managed in another.

use std::process::Command;

/// `tasklint check` with only the crate pass's rule, in concise form.
fn check_command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tasklint"));
    command.args([
        "check",
        "--select",
        "unjoined-handle-field",
        "--format",
        "concise",
    ]);
    command
}

fn tasklint(args: &[&str]) -> String {
    let output = check_command().args(args).output().expect("tasklint runs");
    String::from_utf8(output.stdout).expect("output is UTF-8")
}

#[test]
fn fields_are_judged_on_the_whole_crate() {
    insta::assert_snapshot!(tasklint(&["fixtures/crates/handles"]));
}

#[test]
fn a_run_given_some_files_still_reads_the_rest_of_the_crate() {
    let whole = tasklint(&["fixtures/crates/handles"]);
    for file in ["defined.rs", "managed.rs"] {
        let path = format!("fixtures/crates/handles/src/{file}");
        let expected: String = whole
            .lines()
            .filter(|line| line.starts_with(&path))
            .map(|line| format!("{line}\n"))
            .collect();
        assert_eq!(tasklint(&[&path]), expected, "{path}");
    }
}

#[test]
fn without_a_cargo_toml_the_whole_run_is_one_crate() {
    let dir = std::env::temp_dir().join(format!("tasklint-crate-pass-{}", std::process::id()));
    let src = dir.join("src");
    std::fs::create_dir_all(&src).expect("temporary folder");
    if dir.ancestors().any(|d| d.join("Cargo.toml").is_file()) {
        return; // the temporary folder is inside a crate here: nothing to test
    }
    for file in ["lib.rs", "defined.rs", "managed.rs", "plain.rs"] {
        std::fs::copy(
            format!("fixtures/crates/handles/src/{file}"),
            src.join(file),
        )
        .expect("copy fixture");
    }
    let found = tasklint(&[&dir.to_string_lossy()]);
    std::fs::remove_dir_all(&dir).ok();
    let rules: Vec<&str> = found
        .lines()
        .map(|line| line.rsplit_once(": warning: ").map_or(line, |(_, m)| m))
        .collect();
    assert_eq!(
        rules,
        [
            "field `Leaky::task` holds a `JoinHandle` that is only ever stored, never awaited, joined or aborted [unjoined-handle-field]",
            "field `Reaper::reap_task` holds a `JoinHandle` that is only ever stored, never awaited, joined or aborted [unjoined-handle-field]",
        ]
    );
}

#[test]
fn standard_input_is_judged_with_the_rest_of_its_crate() {
    use std::io::Write;
    let path = "fixtures/crates/handles/src/defined.rs";
    let text = std::fs::read_to_string(path).expect("fixture is readable");
    let mut child = check_command()
        .args(["--stdin-filename", path])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("tasklint runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("write stdin");
    let output = child.wait_with_output().expect("tasklint ends");
    let found = String::from_utf8(output.stdout).expect("UTF-8");
    let whole = tasklint(&["fixtures/crates/handles"]);
    let expected: String = whole
        .lines()
        .filter(|line| line.starts_with(path))
        .map(|line| format!("{line}\n"))
        .collect();
    assert_eq!(found, expected);
}
