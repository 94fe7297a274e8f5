//! `tasklint check --explain-model FILE`, through the binary as users call
//! it: what the crate model inferred for a file of a multi-file fixture
//! crate (`fixtures/crates/explain/`), and the exits for files it cannot
//! explain.

mod support;
use support::{stderr, stdout, tasklint, write};

const LIB: &str = "fixtures/crates/explain/src/lib.rs";

fn explain(file: &str) -> std::process::Output {
    tasklint(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")),
        &["check", "--explain-model", file],
    )
}

#[test]
fn explains_what_the_crate_model_inferred_for_a_file() {
    let output = explain(LIB);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let out = stdout(&output);
    for expected in [
        "model of fixtures/crates/explain/src/lib.rs\n",
        "  module:     crate (the crate root)\n",
        // The alias and the spawner, read from rt.rs.
        "    Task = JoinHandle\n",
        "    crate::rt::spawn returns JoinHandle; spawns (Detaching)  [fixtures/crates/explain/src/rt.rs:7]\n",
        "    Service.rt: RuntimeHandle\n",
        // `#[cfg(test)] mod helpers;`
        "  test modules:\n    helpers\n",
        "`crate::rt::spawn`  Detaching (dropping the handle detaches the task); by the crate model (`crate::rt::spawn`)\n",
        "`self.rt.spawn`  Detaching (dropping the handle detaches the task); by the spawner tables (a spawning method of RuntimeHandle)\n",
        "`ticker.await`  type: JoinHandle; handle: JoinHandle `ticker`, spawned by `crate::rt::spawn`  [test code]\n",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
    }
    assert!(
        !out.contains(env!("CARGO_MANIFEST_DIR")),
        "paths are shown relative: {out}"
    );
    insta::assert_snapshot!(out);
}

#[test]
fn a_file_declared_as_test_code_says_so() {
    let output = explain("fixtures/crates/explain/src/helpers.rs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let out = stdout(&output);
    assert!(out.contains("  module:     crate::helpers\n"), "{out}");
    assert!(
        out.contains("  test code:  yes, by a `#[cfg(test)] mod` declaration of it"),
        "{out}"
    );
    assert!(out.contains("`crate::rt::spawn`"), "{out}");
}

#[test]
fn a_file_that_cannot_be_explained_exits_two() {
    let dir = support::scratch();
    write(
        dir.path(),
        "src/broken.rs",
        "fn main() {\n    let x = ;\n}\n",
    );
    write(dir.path(), "src/latin1.rs", b"// caf\xe9\n".as_slice());
    let cases = [
        ("src/missing.rs", "error: `src/missing.rs` does not exist"),
        (
            "src",
            "error: `src` is a folder: --explain-model takes one Rust file",
        ),
        (
            "src/broken.rs",
            "error: `src/broken.rs` line 2, column 13: cannot parse file: expected an expression",
        ),
        ("src/latin1.rs", "error: `src/latin1.rs` is not valid UTF-8"),
        (
            "-",
            "error: --explain-model reads a file, not standard input",
        ),
    ];
    for (file, message) in cases {
        let output = tasklint(dir.path(), &["check", "--explain-model", file]);
        assert_eq!(output.status.code(), Some(2), "{file}");
        assert_eq!(stdout(&output), "", "{file}");
        assert!(
            stderr(&output).starts_with(message),
            "{file}: {}",
            stderr(&output)
        );
    }
    let both = tasklint(
        dir.path(),
        &["check", "--explain-model", "src/broken.rs", "src"],
    );
    assert_eq!(both.status.code(), Some(2));
    assert!(
        stderr(&both).contains("cannot be used with"),
        "{}",
        stderr(&both)
    );
}

#[test]
fn file_names_are_printed_escaped() {
    let dir = support::scratch();
    write(dir.path(), "Cargo.toml", "[package]\nname = \"x\"\n");
    let name = "src/a\u{1b}[2Jb.rs";
    write(
        dir.path(),
        name,
        "pub fn start() -> u8 {\n    tokio::spawn(async {});\n    0\n}\n",
    );
    let output = tasklint(dir.path(), &["check", "--explain-model", name]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let out = stdout(&output);
    assert!(!out.contains('\u{1b}'), "{out}");
    assert!(out.starts_with("model of src/a\\u{1b}[2Jb.rs\n"), "{out}");
    assert!(out.contains("  module:     crate::a\\u{1b}[2Jb\n"), "{out}");
    assert!(out.contains("`tokio::spawn`  Detaching"), "{out}");
}

#[test]
fn configured_spawners_are_named_as_such() {
    let dir = support::scratch();
    write(dir.path(), "Cargo.toml", "[package]\nname = \"x\"\n");
    write(
        dir.path(),
        "tasklint.toml",
        "detaching = [\"my_rt::spawn_named\"]\n",
    );
    write(
        dir.path(),
        "src/lib.rs",
        "use my_rt::spawn_named;\n\npub fn start() {\n    spawn_named(\"ticker\", async {});\n}\n",
    );
    let output = tasklint(dir.path(), &["check", "--explain-model", "src/lib.rs"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let out = stdout(&output);
    assert!(out.contains("  crate:      .\n"), "{out}");
    assert!(
        out.contains("  configured spawners: my_rt::spawn_named (Detaching)\n"),
        "{out}"
    );
    assert!(
        out.contains("  4:5      `spawn_named`  Detaching (dropping the handle detaches the task); by the configuration (`my_rt::spawn_named`)\n"),
        "{out}"
    );
    let unconfigured = stdout(&tasklint(
        dir.path(),
        &["check", "--explain-model", "src/lib.rs", "--no-config"],
    ));
    assert!(unconfigured.contains("spawns (0):"), "{unconfigured}");
}
