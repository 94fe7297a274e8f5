//! Reliability of what tasklint prints: file names and source text are data
//! (they cannot end a line, forge a finding or a workflow command, or send
//! control characters to a terminal), suppressions are real comments, and
//! rendering and suppression parsing stay linear on large inputs.

use std::path::Path;
use std::process::{Command, Output, Stdio};

mod support;
use support::{stdout, tasklint, write};

const LEAKY: &str = "fn main() {\n    tokio::spawn(async { loop {} });\n}\n";

fn tasklint_stdin(dir: &Path, args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tasklint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tasklint runs");
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), input.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("tasklint ends")
}

/// The regex of VS Code's and GitHub's `$gcc` problem matcher, by hand:
/// the file is everything before the first `:<digits>:` (lazily).
fn gcc_file_and_severity(line: &str) -> Option<(&str, &str)> {
    let bytes = line.as_bytes();
    for (at, _) in line.match_indices(':') {
        let digits = bytes[at + 1..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if digits == 0 || bytes.get(at + 1 + digits) != Some(&b':') {
            continue;
        }
        let rest = line[at + 2 + digits..].trim_start_matches(|c: char| c.is_ascii_digit());
        let rest = rest.strip_prefix(':').unwrap_or(rest).trim_start();
        for severity in ["error", "warning", "note"] {
            if rest.starts_with(&format!("{severity}:")) {
                return Some((&line[..at], severity));
            }
        }
    }
    None
}

#[test]
fn file_names_cannot_forge_lines_positions_or_workflow_commands() {
    let dir = tempfile::tempdir().expect("temp dir");
    let names = [
        "x\nevil.rs:9:9: error: INJECTED [fake-rule]\ny.rs",
        "a:1:2: error: x.rs",
        "::error title=PWNED::x.rs",
        "##[error]x.rs",
        "bidi\u{202e}sr.rs",
        "esc\u{1b}[2J.rs",
    ];
    for name in names {
        write(dir.path(), name, LEAKY);
    }
    for format in ["concise", "human"] {
        let output = tasklint(dir.path(), &["check", ".", "--format", format]);
        assert_eq!(output.status.code(), Some(1), "{format}");
        let out = stdout(&output);
        assert!(
            !out.contains('\u{1b}') && !out.contains('\u{202e}'),
            "{format}: {out}"
        );
        for line in out.lines() {
            assert!(
                !line.starts_with("evil.rs") && !line.starts_with("y.rs"),
                "{line}"
            );
            assert!(
                !line.starts_with("::") && !line.starts_with("##["),
                "{line}"
            );
            if format == "concise" {
                let (_, severity) = gcc_file_and_severity(line).expect("a gcc line");
                assert_eq!(severity, "warning", "{line}");
            }
        }
    }
    let concise = stdout(&tasklint(
        dir.path(),
        &["check", ".", "--format", "concise"],
    ));
    assert_eq!(concise.lines().count(), names.len(), "{concise}");
    for shown in [
        "x\\nevil.rs\\u{3a}9\\u{3a}9: error: INJECTED [fake-rule]\\ny.rs:2:5: warning:",
        "a\\u{3a}1\\u{3a}2: error: x.rs:2:5: warning:",
        "\\u{3a}:error title=PWNED::x.rs:2:5: warning:",
        "\\u{23}#[error]x.rs:2:5: warning:",
        "bidi\\u{202e}sr.rs:2:5: warning:",
        "esc\\u{1b}[2J.rs:2:5: warning:",
    ] {
        assert!(
            concise.lines().any(|l| l.starts_with(shown)),
            "{shown} in {concise}"
        );
    }
}

#[test]
fn machine_formats_keep_file_names_lossless() {
    let dir = tempfile::tempdir().expect("temp dir");
    let name = "a:1:2: error\nb.rs";
    write(dir.path(), name, LEAKY);
    let json = stdout(&tasklint(dir.path(), &["check", ".", "--format", "json"]));
    let findings: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(findings[0]["path"], name);
    let github = stdout(&tasklint(dir.path(), &["check", ".", "--format", "github"]));
    assert_eq!(github.lines().count(), 1, "{github}");
    assert!(
        github.starts_with("::warning file=a%3A1%3A2%3A error%0Ab.rs,line=2,"),
        "{github}"
    );
}

#[test]
fn stdin_filename_is_escaped_like_a_file_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    let name = "a.rs\nfake.rs:1:1: error: from stdin name [x]\nb.rs";
    let output = tasklint_stdin(
        dir.path(),
        &["check", "--format", "concise", "--stdin-filename", name],
        LEAKY,
    );
    let out = stdout(&output);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(
        out.starts_with(
            "a.rs\\nfake.rs\\u{3a}1\\u{3a}1: error: from stdin name [x]\\nb.rs:2:5: warning:"
        ),
        "{out}"
    );
}

#[test]
fn human_snippets_show_control_and_bidi_characters_visibly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let source = "fn main() {\n    \"\u{2066}\"; tokio::spawn(async { loop {} }); // \u{1b}[2J\u{1b}[31mRED \u{202e} \r end\n}\n";
    write(dir.path(), "a.rs", source);
    for color in ["never", "always"] {
        let out = stdout(&tasklint(dir.path(), &["check", "a.rs", "--color", color]));
        let snippet = out
            .lines()
            .find(|l| l.contains("RED"))
            .expect("the snippet line");
        assert!(
            snippet.contains("// ␛[2J␛[31mRED \\u{202e} ␍ end"),
            "{snippet:?}"
        );
        assert!(snippet.contains("\"\\u{2066}\"; "), "{snippet:?}");
        assert!(!out.contains('\u{202e}') && !out.contains('\r'), "{out:?}");
        // The position is the file's: `\u{2066}` is one column, not eight.
        assert!(out.contains("a.rs:2:10"), "{out}");
        if color == "never" {
            assert!(!out.contains('\u{1b}'), "{out:?}");
            // The underline still sits under `tokio::spawn`.
            let lines: Vec<&str> = out.lines().collect();
            let at = lines
                .iter()
                .position(|l| l.contains("RED"))
                .expect("snippet");
            let column = lines[at].find("tokio").expect("tokio");
            assert_eq!(lines[at + 1].find('^'), Some(column), "{out}");
        }
    }
}

#[test]
fn many_findings_in_one_file_render_in_every_format() {
    // Rendering once cost O(findings x lines); 10k findings then took
    // tens of seconds. Here: every finding is rendered, at its own line.
    let dir = tempfile::tempdir().expect("temp dir");
    let count = 10_000;
    let mut source = String::from("fn main() {\n");
    for i in 0..count {
        source.push_str(&format!(
            "    tokio::spawn(async move {{ loop {{ work{i}().await; }} }});\n"
        ));
    }
    source.push_str("}\n");
    write(dir.path(), "many.rs", &source);
    let human = stdout(&tasklint(dir.path(), &["check", "many.rs"]));
    assert_eq!(
        human.matches("warning[detached-endless-task]").count(),
        count
    );
    let last = format!(
        "{} │     tokio::spawn(async move {{ loop {{ work{}().await",
        count + 1,
        count - 1
    );
    assert!(human.contains(&last), "{last}");
    let sarif = stdout(&tasklint(
        dir.path(),
        &["check", "many.rs", "--format", "sarif"],
    ));
    let log: serde_json::Value = serde_json::from_str(&sarif).expect("sarif");
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), count);
    let hashes: std::collections::HashSet<&str> = results
        .iter()
        .map(|r| {
            r["partialFingerprints"]["primaryLocationLineHash"]
                .as_str()
                .expect("hash")
        })
        .collect();
    assert_eq!(hashes.len(), count, "each line hashes its own text");
}

#[test]
fn a_suppression_inside_a_string_literal_silences_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "a.rs",
        "fn main() {\n    tokio::spawn(async { loop {} });\n    let t = r\"\n// tasklint: allow-file(all)\n\";\n}\n",
    );
    write(
        dir.path(),
        "b.rs",
        "fn main() {\n    let b = \"\n// tasklint: allow(all)\n\"; tokio::spawn(async { loop {} });\n}\n",
    );
    write(
        dir.path(),
        "c.rs",
        "fn main() {\n    let q = '\"'; tokio::spawn(async { loop {} }); // tasklint: allow(detached-endless-task) a real comment\n}\n",
    );
    let out = stdout(&tasklint(
        dir.path(),
        &["check", ".", "--format", "concise"],
    ));
    assert!(out.contains("a.rs:2:5: warning:"), "{out}");
    assert!(out.contains("b.rs:4:4: warning:"), "{out}");
    // A `"` in a character literal opens no string: the comment after it is real.
    assert!(!out.contains("c.rs"), "{out}");
}

#[test]
fn a_long_allow_list_is_read_whole() {
    // 40k ids once took a minute (each id's column was counted from the
    // start of the line, and each finding hashed the whole line).
    let dir = tempfile::tempdir().expect("temp dir");
    let count = 40_000;
    let source = format!(
        "// tasklint: allow({}detached-endless-task)\nfn g() {{ tokio::spawn(async {{ loop {{}} }}); }}\n",
        "x, ".repeat(count)
    );
    write(dir.path(), "allow.rs", &source);
    let out = stdout(&tasklint(
        dir.path(),
        &["check", "allow.rs", "--format", "json"],
    ));
    let findings: serde_json::Value = serde_json::from_str(&out).expect("json");
    let findings = findings.as_array().expect("array");
    assert_eq!(
        findings.len(),
        count,
        "the leak is silenced, every unknown id reported"
    );
    let last = &findings[count - 1];
    assert_eq!(last["message"], "suppression names unknown rule `x`");
    assert_eq!(
        last["column"],
        "// tasklint: allow(".len() + 3 * (count - 1) + 1
    );
}
