//! The crate pass, tested through the binary as users call it: a fixture
//! crate whose structs are defined in one file and managed in another.

use std::process::Command;

fn tasklint(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_tasklint"))
        .args([
            "check",
            "--select",
            "unjoined-handle-field",
            "--format",
            "concise",
        ])
        .args(args)
        .output()
        .expect("tasklint runs");
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
