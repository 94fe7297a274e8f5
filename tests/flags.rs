//! The flags people type (issue 15, item 6): `--output-format`, `-q` in
//! every format, `--statistics` with `-q`, `-j`, and counts in the singular.

mod support;
use support::{scratch, stderr, stdout, tasklint, write};

const LEAKY: &str = "pub fn start() {\n    tokio::spawn(async { loop { tick().await; } });\n}\n";

#[test]
fn output_format_is_an_alias_of_format() {
    let dir = scratch();
    write(dir.path(), "src/leak.rs", LEAKY);
    let by_format = tasklint(dir.path(), &["check", "--format", "sarif"]);
    let by_alias = tasklint(dir.path(), &["check", "--output-format", "sarif"]);
    assert_eq!(by_alias.status.code(), Some(1), "{}", stderr(&by_alias));
    assert_eq!(stdout(&by_alias), stdout(&by_format));
    assert!(stdout(&by_alias).contains("\"version\": \"2.1.0\""));
    let by_equals = tasklint(dir.path(), &["check", "--output-format=concise"]);
    assert!(stdout(&by_equals).starts_with("src/leak.rs:2:5: warning:"));
    // No file named after the format is written.
    assert!(!dir.path().join("sarif").exists());
    let help = stdout(&tasklint(dir.path(), &["check", "--help"]));
    assert!(help.contains("output-format"), "{help}");
}

#[test]
fn quiet_prints_nothing_but_findings_in_every_format() {
    let dir = scratch();
    write(dir.path(), "src/leak.rs", LEAKY);
    for format in [
        "human",
        "concise",
        "json",
        "sarif",
        "github",
        "gitlab",
        "junit",
        "rdjson",
        "cargo-json",
    ] {
        let run = tasklint(dir.path(), &["check", "-q", "--format", format]);
        assert_eq!(run.status.code(), Some(1), "{format}: {}", stderr(&run));
        assert_eq!(stderr(&run), "", "{format}: nothing on standard error");
        let out = stdout(&run);
        assert!(!out.contains("1 problem ("), "{format}: no summary: {out}");
        assert!(
            !out.contains("1 file scanned"),
            "{format}: no summary: {out}"
        );
        assert!(out.contains("detached-endless-task"), "{format}: {out}");
    }
    let human = stdout(&tasklint(dir.path(), &["check", "--quiet"]));
    assert!(
        human.starts_with("warning[detached-endless-task]"),
        "{human}"
    );
    assert!(human.contains("= help: keep the `JoinHandle`"), "{human}");

    // Nothing found: nothing printed at all.
    write(dir.path(), "src/leak.rs", "pub fn fine() {}\n");
    let run = tasklint(dir.path(), &["check", "-q"]);
    assert_eq!(run.status.code(), Some(0));
    assert_eq!(stdout(&run), "");
    assert_eq!(stderr(&run), "");
}

#[test]
fn statistics_are_printed_with_quiet() {
    let dir = scratch();
    write(dir.path(), "src/a.rs", LEAKY);
    write(dir.path(), "src/b.rs", LEAKY);
    let run = tasklint(dir.path(), &["check", "-q", "--statistics"]);
    let err = stderr(&run);
    assert!(err.contains("     2  detached-endless-task\n"), "{err}");
    assert!(err.contains("files: 2 scanned"), "{err}");
    assert!(!err.contains("problems"), "no summary: {err}");
    assert!(!stdout(&run).contains("problems"), "{}", stdout(&run));
}

#[test]
fn j_is_short_for_jobs() {
    let dir = scratch();
    write(dir.path(), "src/a.rs", LEAKY);
    write(dir.path(), "src/b.rs", LEAKY);
    let short = tasklint(dir.path(), &["check", "--format", "json", "-j", "1"]);
    let long = tasklint(dir.path(), &["check", "--format", "json", "--jobs", "2"]);
    assert_eq!(short.status.code(), Some(1), "{}", stderr(&short));
    assert_eq!(stdout(&short), stdout(&long));
    let bad = tasklint(dir.path(), &["check", "-j", "many"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn one_finding_is_counted_in_the_singular() {
    let dir = scratch();
    write(dir.path(), "src/a.rs", LEAKY);
    let wrote = tasklint(
        dir.path(),
        &[
            "check",
            "--write-baseline",
            "baseline.json",
            "--format",
            "json",
        ],
    );
    assert!(
        stderr(&wrote).contains("wrote 1 finding to baseline `baseline.json`\n"),
        "{}",
        stderr(&wrote)
    );
    let hidden = tasklint(
        dir.path(),
        &["check", "--baseline", "baseline.json", "--format", "json"],
    );
    assert!(
        stderr(&hidden).contains("\n1 finding hidden by the baseline\n"),
        "{}",
        stderr(&hidden)
    );
    write(dir.path(), "src/b.rs", LEAKY);
    let two = tasklint(
        dir.path(),
        &[
            "check",
            "--write-baseline",
            "baseline.json",
            "--format",
            "json",
        ],
    );
    assert!(
        stderr(&two).contains("wrote 2 findings to baseline"),
        "{}",
        stderr(&two)
    );
}

#[test]
fn other_counts_are_singular_for_one() {
    let dir = scratch();
    write(
        dir.path(),
        "Cargo.toml",
        "[package]\nname = \"one\"\nversion = \"0.1.0\"\n",
    );
    write(
        dir.path(),
        "src/lib.rs",
        "type Task = tokio::task::JoinHandle<()>;\npub fn f() { tokio::spawn(async {}); }\n",
    );
    let explained = stdout(&tasklint(
        dir.path(),
        &["check", "--explain-model", "src/lib.rs"],
    ));
    assert!(explained.contains("crate model (1 fact):\n"), "{explained}");
    write(dir.path(), "tasklint.toml", "max-file-size = 1\n");
    let run = tasklint(dir.path(), &["check", "--format", "concise"]);
    assert!(
        stdout(&run).contains("bytes is more than max-file-size (1 byte) [parse-error]"),
        "{}",
        stdout(&run)
    );
}
