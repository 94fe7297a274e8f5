//! The binary as users call it: exit codes, formats, and bad inputs.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

mod support;
use support::{stderr, stdout, tasklint, write};

const LEAKY: &str = "pub fn start() {\n    tokio::spawn(async { loop { tick().await; } });\n}\n";
const CLEAN: &str =
    "pub fn start() -> tokio::task::JoinHandle<()> {\n    tokio::spawn(async {})\n}\n";

/// A fresh folder under the target directory, removed and recreated per test.
fn scratch(name: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "cli-{name}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

#[test]
fn clean_tree_exits_zero_and_findings_exit_one() {
    let dir = scratch("exit");
    write(&dir, "src/lib.rs", CLEAN);
    let clean = tasklint(&dir, &["check"]);
    assert_eq!(clean.status.code(), Some(0), "{}", stderr(&clean));
    assert!(stdout(&clean).contains("0 problems"));
    write(&dir, "src/leak.rs", LEAKY);
    let leaky = tasklint(&dir, &["check"]);
    assert_eq!(leaky.status.code(), Some(1));
    let zero = tasklint(&dir, &["check", "--exit-zero"]);
    assert_eq!(zero.status.code(), Some(0));
}

#[test]
fn human_format_is_rustc_style_with_help_and_summary() {
    let dir = scratch("human");
    write(&dir, "src/leak.rs", LEAKY);
    let out = stdout(&tasklint(&dir, &["check"]));
    assert!(
        out.contains("warning[detached-endless-task]: task spawned with `tokio::spawn`"),
        "{out}"
    );
    assert!(out.contains("┌─ src/leak.rs:2:5"), "{out}");
    assert!(out.contains("^^^^^^^^^^^^"), "{out}");
    assert!(out.contains("= help: keep the `JoinHandle`"), "{out}");
    assert!(
        out.ends_with("1 problem (0 errors, 1 warning) in 1 file; 1 file scanned\n"),
        "{out}"
    );
}

#[test]
fn concise_format_is_one_gcc_line_per_finding() {
    let dir = scratch("concise");
    write(&dir, "src/leak.rs", LEAKY);
    let output = tasklint(&dir, &["check", "--format", "concise"]);
    assert_eq!(
        stdout(&output),
        "src/leak.rs:2:5: warning: task spawned with `tokio::spawn` runs a loop that never ends (line 2) and its handle is dropped [detached-endless-task]\n"
    );
    assert!(
        stderr(&output).contains("1 problem"),
        "summary goes to stderr"
    );
    let quiet = tasklint(&dir, &["check", "--format", "concise", "--quiet"]);
    assert_eq!(stderr(&quiet), "");
}

#[test]
fn json_format_has_the_spec_schema() {
    let dir = scratch("json");
    write(&dir, "src/leak.rs", LEAKY);
    let output = tasklint(&dir, &["check", "--format", "json"]);
    let value: serde_json::Value =
        serde_json::from_str(&stdout(&output)).expect("stdout is JSON only");
    let findings = value.as_array().expect("an array");
    assert_eq!(findings.len(), 1);
    let f = &findings[0];
    assert_eq!(f["rule"], "detached-endless-task");
    assert_eq!(f["severity"], "warning");
    assert_eq!(f["path"], "src/leak.rs");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(2), Some(5))
    );
    assert_eq!(
        (f["end_line"].as_u64(), f["end_column"].as_u64()),
        (Some(2), Some(17))
    );
    assert!(f["message"]
        .as_str()
        .is_some_and(|m| m.contains("never ends")));
    assert!(f["help"].as_str().is_some_and(|h| !h.is_empty()));
    assert_eq!(f["fingerprint"].as_str().map(str::len), Some(16));
    let keys: Vec<&str> = f
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys.len(), 10, "{keys:?}");
}

#[test]
fn github_format_writes_workflow_commands() {
    let dir = scratch("github");
    write(&dir, "src/leak.rs", LEAKY);
    let out = stdout(&tasklint(&dir, &["check", "--format", "github"]));
    assert!(
        out.starts_with("::warning file=src/leak.rs,line=2,col=5,endLine=2,endColumn=17,title=tasklint (detached-endless-task)::task spawned"),
        "{out}"
    );
}

#[test]
fn one_unparsable_file_among_good_ones_is_reported_and_the_rest_linted() {
    let dir = scratch("parse");
    write(&dir, "src/leak.rs", LEAKY);
    write(&dir, "src/broken.rs", "fn spawn_it( {\n");
    write(&dir, "src/clean.rs", CLEAN);
    let output = tasklint(&dir, &["check", "--format", "concise"]);
    assert_eq!(output.status.code(), Some(1));
    let out = stdout(&output);
    assert!(
        out.contains("src/broken.rs:1:14: error: cannot parse file: unbalanced delimiter"),
        "{out}"
    );
    assert!(out.contains("src/leak.rs:2:5: warning:"), "{out}");
    assert!(stderr(&output).contains("3 files scanned"));
}

#[test]
fn non_utf8_file_is_a_parse_error_at_the_bad_byte() {
    let dir = scratch("utf8");
    write(
        &dir,
        "src/latin1.rs",
        b"// caf\xe9\nfn main() { tokio::spawn(run()); }\n",
    );
    let output = tasklint(&dir, &["check", "--format", "concise"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stdout(&output),
        "src/latin1.rs:1:7: error: file is not valid UTF-8 [parse-error]\n"
    );
}

#[test]
fn missing_path_is_a_usage_error() {
    let dir = scratch("missing");
    let output = tasklint(&dir, &["check", "no/such/dir"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("no/such/dir"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn empty_folder_is_clean_with_a_note() {
    let dir = scratch("empty");
    let output = tasklint(&dir, &["check"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stdout(&output).contains("0 problems (0 errors, 0 warnings) in 0 files; 0 files scanned")
    );
    assert!(stderr(&output).contains("no Rust files found"));
}

#[test]
fn unknown_rule_and_bad_flags_exit_two() {
    let dir = scratch("usage");
    let unknown = tasklint(&dir, &["check", "--select", "no-such-rule"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("unknown rule or family `no-such-rule`"));
    assert_eq!(
        tasklint(&dir, &["check", "--format", "xml"]).status.code(),
        Some(2)
    );
    assert_eq!(tasklint(&dir, &["explain", "nope"]).status.code(), Some(2));
}

#[test]
fn selection_by_family_id_and_all() {
    let dir = scratch("select");
    write(&dir, "src/lib.rs", "pub fn f() {\n    tokio::spawn(async { work().await });\n    std::thread::spawn(|| ());\n}\n");
    let rules = |args: &[&str]| {
        let mut all = vec!["check", "--format", "json"];
        all.extend_from_slice(args);
        let value: serde_json::Value =
            serde_json::from_str(&stdout(&tasklint(&dir, &all))).expect("json");
        let mut ids: Vec<String> = value
            .as_array()
            .expect("array")
            .iter()
            .map(|f| f["rule"].as_str().unwrap_or_default().to_string())
            .collect();
        ids.sort();
        ids
    };
    assert!(
        rules(&[]).is_empty(),
        "detached-spawn and detached-thread are off by default"
    );
    assert_eq!(
        rules(&["--select", "all"]),
        ["detached-spawn", "detached-thread"]
    );
    assert_eq!(
        rules(&["--select", "detached", "--ignore", "detached-thread"]),
        ["detached-spawn"]
    );
    assert_eq!(
        rules(&["--extend-select", "detached-thread"]),
        ["detached-thread"]
    );
}

#[test]
fn test_code_target_and_gitignored_files_are_skipped() {
    let dir = scratch("skips");
    write(
        &dir,
        "Cargo.toml",
        "[package]\nname = \"x\"\nversion = \"0.0.0\"\n",
    );
    write(&dir, "tests/it.rs", LEAKY);
    write(&dir, "examples/demo.rs", LEAKY);
    write(&dir, "src/net/tests.rs", LEAKY);
    write(&dir, "target/debug/build/out.rs", LEAKY);
    write(&dir, "vendor/dep/src/lib.rs", LEAKY);
    write(&dir, "ignored/leak.rs", LEAKY);
    write(&dir, ".gitignore", "ignored/\n");
    write(
        &dir,
        "src/generated.rs",
        format!("// @generated by a tool\n{LEAKY}"),
    );
    let output = tasklint(&dir, &["check", "--format", "concise"]);
    assert_eq!(stdout(&output), "", "{}", stderr(&output));
    let no_ignore = tasklint(&dir, &["check", "--format", "concise", "--no-ignore"]);
    assert!(stdout(&no_ignore).contains("ignored/leak.rs"));
    let named = tasklint(
        &dir,
        &["check", "--format", "concise", "target/debug/build/out.rs"],
    );
    assert!(
        stdout(&named).contains("target/debug/build/out.rs:2:5"),
        "named files are linted"
    );
    let excluded = tasklint(
        &dir,
        &[
            "check",
            "--format",
            "concise",
            "--no-ignore",
            "--exclude",
            "ignored/",
        ],
    );
    assert_eq!(stdout(&excluded), "");
}

#[test]
fn output_is_identical_whatever_the_thread_count() {
    let dir = scratch("jobs");
    for i in 0..40 {
        write(&dir, &format!("src/m{i}.rs"), LEAKY);
    }
    let one = tasklint(&dir, &["check", "--format", "json", "--jobs", "1"]);
    let two = tasklint(&dir, &["check", "--format", "json", "--jobs", "2"]);
    assert_eq!(one.stdout, two.stdout);
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&one.stdout)
            .expect("json")
            .as_array()
            .map(Vec::len),
        Some(40)
    );
}

#[test]
fn output_file_is_written_whole_or_not_at_all() {
    let dir = scratch("output");
    write(&dir, "src/leak.rs", LEAKY);
    let ok = tasklint(
        &dir,
        &["check", "--format", "concise", "--output", "report.txt"],
    );
    assert_eq!(ok.status.code(), Some(1));
    assert_eq!(stdout(&ok), "");
    let report = std::fs::read_to_string(dir.join("report.txt")).expect("report written");
    assert!(report.starts_with("src/leak.rs:2:5: warning:"));
    let bad = tasklint(&dir, &["check", "--output", "no/such/dir/report.txt"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("no/such/dir/report.txt"));
}

#[test]
fn statistics_count_findings_per_rule() {
    let dir = scratch("stats");
    write(&dir, "src/a.rs", LEAKY);
    write(&dir, "src/b.rs", LEAKY);
    let output = tasklint(&dir, &["check", "--format", "concise", "--statistics"]);
    assert!(
        stderr(&output).contains("     2  detached-endless-task"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn rules_and_explain_read_the_registry() {
    let dir = scratch("rules");
    let listed = tasklint(&dir, &["rules", "--format", "json"]);
    let rules: serde_json::Value = serde_json::from_slice(&listed.stdout).expect("json");
    let ids: Vec<&str> = rules
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert!(ids.contains(&"detached-endless-task") && ids.contains(&"parse-error"));
    let detached_spawn = rules
        .as_array()
        .expect("array")
        .iter()
        .find(|r| r["id"] == "detached-spawn")
        .expect("listed");
    assert_eq!(detached_spawn["family"], "detached");
    assert_eq!(detached_spawn["default_enabled"], false);
    let human = stdout(&tasklint(&dir, &["rules"]));
    assert!(human.contains("unreaped-child"));
    let explained = stdout(&tasklint(&dir, &["explain", "unreaped-child"]));
    assert!(explained.starts_with("# unreaped-child\n"));
    assert!(explained.contains("## Known limits"));
}

#[test]
fn exclude_globs_apply_to_trees_outside_the_current_directory() {
    let dir = scratch("outside");
    write(&dir, "tree/src/leak.rs", LEAKY);
    write(&dir, "tree/gen/leak.rs", LEAKY);
    write(&dir, "cwd/.keep", "");
    let tree = dir.join("tree");
    let tree = tree.to_str().expect("utf-8 path");
    let cwd = dir.join("cwd");
    let all = tasklint(&cwd, &["check", "--format", "concise", tree]);
    assert_eq!(stdout(&all).lines().count(), 2);
    let no_gen = tasklint(
        &cwd,
        &["check", "--format", "concise", "--exclude", "gen/", tree],
    );
    assert_eq!(stdout(&no_gen).lines().count(), 1, "{}", stdout(&no_gen));
    assert!(stdout(&no_gen).contains("tree/src/leak.rs"));
    let none = tasklint(
        &cwd,
        &["check", "--format", "concise", "--exclude", "*.rs", tree],
    );
    assert_eq!(stdout(&none), "");
}

#[test]
fn readme_shows_the_real_output_of_its_example_run() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    let start = readme.find("```text\n").expect("an output block") + "```text\n".len();
    let end = start + readme[start..].find("```\n").expect("block end");
    let output = tasklint(root, &["check", "examples/leaky-service"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        &readme[start..end],
        stdout(&output),
        "update the README's pasted run"
    );
}

#[test]
fn code_nested_too_deeply_is_a_parse_error_not_a_crash() {
    let dir = scratch("deep");
    let parens = format!(
        "fn f() {{ tokio::spawn(async {{}}); let x = {}1{}; }}\n",
        "(".repeat(20_000),
        ")".repeat(20_000)
    );
    let bangs = format!(
        "fn f() {{ tokio::spawn(async {{}}); let x = {}true; }}\n",
        "!".repeat(50_000)
    );
    let deep = format!("{}1{}", "(".repeat(20_000), ")".repeat(20_000));
    // Masked (`quiet` names no trigger word): the kept text is still too deep.
    let masked =
        format!("fn quiet() {{}}\nfn f() {{ tokio::spawn(async {{}}); let x = {deep}; }}\n");
    // Only a blanked body is deep: never parsed, so left to rustc.
    let blanked =
        format!("fn quiet() {{ let x = {deep}; }}\nfn f() {{ tokio::spawn(async {{}}); }}\n");
    write(&dir, "src/parens.rs", parens);
    write(&dir, "src/bangs.rs", bangs);
    write(&dir, "src/masked.rs", masked);
    write(&dir, "src/blanked.rs", blanked);
    write(&dir, "src/leak.rs", LEAKY);
    let output = tasklint(&dir, &["check", "--format", "concise"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let out = stdout(&output);
    assert!(out.contains("src/masked.rs:2:2539: error: cannot parse file: nested too deeply here (more than 5000 levels)"), "{out}");
    assert!(!out.contains("src/blanked.rs"), "{out}");
    assert!(out.contains("src/parens.rs:1:2539: error: cannot parse file: nested too deeply here (more than 5000 levels)"), "{out}");
    assert!(
        out.contains(
            "src/bangs.rs:1:5036: error: cannot parse file: nested too deeply here (more than 5000 levels)"
        ),
        "{out}"
    );
    assert!(out.contains("src/leak.rs:2:5: warning:"), "{out}");
}
