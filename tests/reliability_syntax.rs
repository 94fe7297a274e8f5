//! Deep, long and odd syntax: never an abort or a hang, and the rest of the
//! run still reported (issue 11).

mod support;
use support::{stderr, stdout, tasklint, write};

const PRE: &str = "fn main() { tokio::spawn(async { loop {} }); ";

#[test]
fn nesting_without_brackets_is_a_parse_error_and_the_run_goes_on() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    write(dir, "src/ok.rs", format!("{PRE}}}\n"));
    let n = 20_000;
    let deep = [
        (
            "generic",
            format!(
                "{PRE}let x: {}u8{} = 1; }}\n",
                "Vec<".repeat(n),
                ">".repeat(n)
            ),
        ),
        (
            "fnptr",
            format!("{PRE}let x: {}u8 = 1; }}\n", "fn() -> ".repeat(n)),
        ),
        (
            "closure",
            format!("{PRE}let x = {}1; }}\n", "|| ".repeat(2 * n)),
        ),
        (
            "ret",
            format!("{PRE}let x = {}1; }}\n", "return ".repeat(2 * n)),
        ),
        ("assign", format!("{PRE}{}1; }}\n", "a = ".repeat(2 * n))),
        (
            "binop",
            format!("{PRE}let x = {}1; }}\n", "1 + ".repeat(15 * n)),
        ),
        (
            "calls",
            format!("{PRE}let x = f{}; }}\n", "()?.a".repeat(5 * n)),
        ),
        (
            "elseif",
            format!("{PRE}if a {{}}{} }}\n", " else if a {}".repeat(5 * n)),
        ),
    ];
    for (name, text) in &deep {
        write(dir, &format!("src/{name}.rs"), text);
    }
    let output = tasklint(dir, &["check", "src", "--format", "concise"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let out = stdout(&output);
    for (name, _) in &deep {
        assert!(
            out.contains(&format!("src/{name}.rs:1:"))
                && out.contains("cannot parse file: nested too deeply here"),
            "{name}: {out}"
        );
    }
    assert!(out.contains("src/ok.rs:1:13: warning:"), "{out}");
}

#[test]
fn deep_nesting_under_the_limit_is_parsed_on_a_grown_stack() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    // Deeper than the worker threads' stack would take: parsed, walked and
    // dropped on a stack grown for it.
    let n = 2000;
    write(
        dir,
        "generic.rs",
        format!(
            "{PRE}let x: {}u8{} = 1; }}\n",
            "Vec<".repeat(n),
            ">".repeat(n)
        ),
    );
    write(
        dir,
        "ret.rs",
        format!("{PRE}let x = {}1; }}\n", "return ".repeat(2 * n)),
    );
    let output = tasklint(dir, &["check", ".", "--format", "concise"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let out = stdout(&output);
    assert!(!out.contains("parse-error"), "{out}");
    assert!(
        out.contains("generic.rs:1:13: warning:") && out.contains("ret.rs:1:13: warning:"),
        "{out}"
    );
}

#[test]
fn a_deep_sibling_read_by_the_crate_pass_does_not_abort() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    write(
        dir,
        "krate/Cargo.toml",
        "[package]\nname = \"k\"\nversion = \"0.1.0\"\n",
    );
    write(
        dir,
        "krate/src/lib.rs",
        "pub struct S { h: tokio::task::JoinHandle<()> }\nimpl S { pub fn new() -> S { S { h: tokio::spawn(async {}) } } }\n",
    );
    let n = 20_000;
    write(
        dir,
        "krate/src/deep.rs",
        format!(
            "{PRE}let x: {}u8{} = 1; }}\n",
            "Vec<".repeat(n),
            ">".repeat(n)
        ),
    );
    let output = tasklint(dir, &["check", "krate/src/lib.rs", "--format", "concise"]);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{:?} {}",
        output.status,
        stderr(&output)
    );
}

#[test]
fn char_literals_do_not_fool_the_depth_guard() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    let n = 20_000;
    // `'é'` is one char: the `')'` after it holds no bracket, so this nests n deep.
    write(
        dir,
        "bypass.rs",
        format!(
            "{PRE}let x = {}1{}; }}\n",
            "f('é',')',".repeat(n),
            ")".repeat(n)
        ),
    );
    let output = tasklint(dir, &["check", "bypass.rs", "--format", "concise"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("nested too deeply"),
        "{}",
        stdout(&output)
    );
    // Valid and shallow, with brackets in char literals after a `'é'`.
    let lines = "    if matches!(c, 'é' | '(') { return; }\n".repeat(1100);
    write(
        dir,
        "shallow.rs",
        format!(
            "fn main() {{\n    tokio::spawn(async {{ loop {{}} }});\n    let c = 'x';\n{lines}}}\n"
        ),
    );
    let output = tasklint(dir, &["check", "shallow.rs", "--format", "concise"]);
    let out = stdout(&output);
    assert!(!out.contains("parse-error"), "{out}");
    assert!(
        out.contains("shallow.rs:2:5: warning:") && out.contains("detached-endless-task"),
        "{out}"
    );
}

#[test]
fn a_file_under_inner_cfg_test_is_test_code() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    write(
        dir,
        "cfgtest.rs",
        "#![cfg(test)]\nfn g() { tokio::spawn(async { loop {} }); }\n",
    );
    write(
        dir,
        "app.rs",
        "#![allow(dead_code)]\nfn g() { tokio::spawn(async { loop {} }); }\n",
    );
    let output = tasklint(dir, &["check", ".", "--format", "concise"]);
    let out = stdout(&output);
    assert!(!out.contains("cfgtest.rs"), "{out}");
    assert!(out.contains("app.rs:2:10: warning:"), "{out}");
}

#[test]
fn raw_identifiers_resolve_like_plain_ones() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    write(
        dir,
        "raw.rs",
        "fn main() { tokio::r#spawn(async { loop {} }); }\n",
    );
    write(
        dir,
        "used.rs",
        "use tokio::r#spawn as go;\nfn main() { go(async { loop {} }); }\n",
    );
    let output = tasklint(dir, &["check", ".", "--format", "concise"]);
    let out = stdout(&output);
    assert!(
        out.contains("raw.rs:1:13: warning:") && out.contains("detached-endless-task"),
        "{out}"
    );
    assert!(out.contains("used.rs:2:13: warning:"), "{out}");
}

#[test]
fn a_select_with_thousands_of_arms_is_judged_arm_by_arm() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    // The loop's checks are found once for all the arms (quadratic before):
    // `t1` is watched by `borrow()`, every other swallowed arm is reported.
    let n = 3000;
    let arms: String = (0..n)
        .map(|i| format!("            _ = t{i}.cancelled() => {{}}\n"))
        .collect();
    write(
        dir,
        "sel.rs",
        format!("async fn f() {{\n    loop {{\n        let _ = t1.borrow();\n        tokio::select! {{\n{arms}        }}\n    }}\n}}\n"),
    );
    let output = tasklint(dir, &["check", "sel.rs", "--format", "concise"]);
    let out = stdout(&output);
    assert_eq!(
        out.matches("[swallowed-cancellation]").count(),
        n - 1,
        "{}",
        stderr(&output)
    );
    assert!(
        out.contains("sel.rs:5:13: warning: the cancellation signal `t0.cancelled()`"),
        "{out}"
    );
    assert!(!out.contains("`t1.cancelled()`"), "{out}");
    let last = n + 4;
    assert!(
        out.contains(&format!(
            "sel.rs:{last}:13: warning: the cancellation signal `t{}.cancelled()`",
            n - 1
        )),
        "{out}"
    );
}

#[test]
fn many_handle_fields_in_one_file_are_each_reported_at_their_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    // A field's line is looked up in a line index (a scan of the text per
    // field before: quadratic time).
    let n = 20_000;
    let structs: String = (0..n)
        .map(|i| format!("struct S{i} {{ h: tokio::task::JoinHandle<()> }}\n"))
        .collect();
    write(
        dir,
        "fields.rs",
        format!("{structs}fn main() {{ tokio::spawn(async {{}}); }}\n"),
    );
    let output = tasklint(dir, &["check", "fields.rs", "--format", "concise"]);
    let out = stdout(&output);
    assert_eq!(
        out.matches("[unjoined-handle-field]").count(),
        n,
        "{}",
        stderr(&output)
    );
    assert!(
        out.contains("fields.rs:1:13: warning: field `S0::h`"),
        "{out}"
    );
    assert!(
        out.contains(&format!("fields.rs:{n}:17: warning: field `S{}::h`", n - 1)),
        "{out}"
    );
}

#[test]
fn long_method_chains_are_judged_link_by_link_in_linear_time() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    // Each link asked for its receiver's class and kind all the way down the
    // chain (and exponentially often along a chain of `.spawn()`), and
    // printed the whole chain for its span.
    let chain = ".abort()".repeat(2000);
    let spawns = ".spawn(async {})".repeat(1000);
    let body: String = (0..8)
        .map(|_| {
            format!(
                "    tokio::spawn(async {{}}){chain};\n    set{spawns};\n    let x = a{};\n",
                ".b()".repeat(2000)
            )
        })
        .collect();
    write(
        dir,
        "chains.rs",
        format!("async fn f() {{\n    let set = tokio::task::JoinSet::new();\n{body}    tokio::spawn(async {{ loop {{}} }});\n}}\n"),
    );
    let output = tasklint(dir, &["check", "chains.rs", "--format", "concise"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let out = stdout(&output);
    assert!(!out.contains("parse-error"), "{out}");
    assert!(out.contains("detached-endless-task"), "{out}");
}
