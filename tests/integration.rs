//! The binary as users run it: configuration, suppressions, baselines,
//! output formats, standard input and the options of `check`, each in a
//! folder of its own under the system's temporary folder.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

mod support;

const TASKLINT: &str = env!("CARGO_BIN_EXE_tasklint");
const CARGO_TASKLINT: &str = env!("CARGO_BIN_EXE_cargo-tasklint");

/// A one-line detached spawn: `detached-endless-task` reports it at column 5.
const SPAWN: &str = "async fn start() {\n    tokio::spawn(async { loop {} });\n}\n";

struct Project {
    dir: PathBuf,
}

impl Project {
    fn new(name: &str) -> Project {
        let dir = std::env::temp_dir().join(format!("tasklint-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create the test folder");
        Project { dir }
    }

    fn file(&self, path: &str, text: &str) -> &Project {
        let path = self.dir.join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("create folders");
        std::fs::write(path, text).expect("write a test file");
        self
    }

    fn path(&self, path: &str) -> PathBuf {
        self.dir.join(path)
    }

    fn run(&self, args: &[&str]) -> Run {
        self.run_in(".", args, None)
    }

    fn run_in(&self, cwd: &str, args: &[&str], stdin: Option<&str>) -> Run {
        run(TASKLINT, &self.dir.join(cwd), args, stdin)
    }
}

impl Drop for Project {
    /// Kept when the test failed, to look at.
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

fn run(program: &str, cwd: &Path, args: &[&str], stdin: Option<&str>) -> Run {
    let mut child = Command::new(program)
        .args(args)
        .current_dir(cwd)
        .env_remove("NO_COLOR")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run tasklint");
    if let Some(text) = stdin {
        let mut pipe = child.stdin.take().expect("stdin is piped");
        pipe.write_all(text.as_bytes()).expect("write stdin");
    }
    Run(child.wait_with_output().expect("tasklint finishes"))
}

struct Run(Output);

impl Run {
    fn code(&self) -> i32 {
        self.0.status.code().expect("an exit code")
    }
    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }
    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.0.stderr).into_owned()
    }
    /// `path:line:rule` of each finding, from `--format json` output.
    fn findings(&self) -> Vec<String> {
        let json: serde_json::Value = serde_json::from_str(&self.stdout())
            .unwrap_or_else(|err| panic!("not JSON ({err}): {}\n{}", self.stdout(), self.stderr()));
        json.as_array()
            .expect("an array")
            .iter()
            .map(|f| {
                format!(
                    "{}:{}:{}",
                    f["path"].as_str().unwrap(),
                    f["line"],
                    f["rule"].as_str().unwrap()
                )
            })
            .collect()
    }
}

// Configuration

#[test]
fn tasklint_toml_sets_selection_and_severity() {
    let p = Project::new("config-basic");
    p.file(
        "tasklint.toml",
        "select = [\"detached\"]\nseverity = { detached-endless-task = \"error\" }\n",
    )
    .file("src/lib.rs", SPAWN);
    let run = p.run(&["check", "--format", "json"]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert!(
        run.stdout().contains("\"severity\": \"error\""),
        "{}",
        run.stdout()
    );
    assert_eq!(run.findings(), ["src/lib.rs:2:detached-endless-task"]);
}

#[test]
fn the_nearest_configuration_wins_per_file() {
    let p = Project::new("config-nearest");
    p.file(".tasklint.toml", "ignore = [\"detached-endless-task\"]\n")
        .file("src/lib.rs", SPAWN)
        .file(
            "member/Cargo.toml",
            "[package]\nname = \"member\"\n\n[package.metadata.tasklint]\nextend-select = [\"detached-endless-task\"]\n",
        )
        .file("member/src/lib.rs", SPAWN)
        .file("other/Cargo.toml", "[workspace]\n\n[workspace.metadata.tasklint]\nlint-tests = true\n")
        .file("other/tests/t.rs", SPAWN)
        .file("plain/Cargo.toml", "[package]\nname = \"plain\"\n")
        .file("plain/src/lib.rs", SPAWN);
    let run = p.run(&["check", "--format", "json"]);
    // `plain`'s Cargo.toml has no tasklint table, so the root's file applies.
    assert_eq!(
        run.findings(),
        [
            "member/src/lib.rs:2:detached-endless-task",
            "other/tests/t.rs:2:detached-endless-task"
        ],
        "{}",
        run.stderr()
    );
    // The configuration nearest the file, not the current directory, applies.
    let run = p.run_in(
        "member",
        &["check", "--format", "json", "../src/lib.rs"],
        None,
    );
    assert_eq!(run.findings(), Vec::<String>::new());
}

/// Code under `cfg(all(test, ..))` or `cfg(any(test, feature = ..))` is test
/// code: the `detached` family skips it, the `swallowed` family does not, and
/// `lint-tests = true` brings back every rule.
#[test]
fn cfg_all_and_any_with_test_are_test_code_until_lint_tests() {
    let source = "\
#[cfg(all(test, feature = \"x\"))]
mod tests {
    async fn t() {
        tokio::spawn(async { loop {} });
        let h = tokio::spawn(async {});
        let _ = h.await;
    }
}

#[cfg(any(test, feature = \"test-util\"))]
pub async fn helper() {
    tokio::spawn(async { loop {} });
}
";
    let p = Project::new("config-cfg-test");
    p.file("src/lib.rs", source)
        .file("lint-tests.toml", "lint-tests = true\n");
    let run = p.run(&["check", "--format", "json"]);
    assert_eq!(run.findings(), ["src/lib.rs:6:ignored-join-error"]);
    let run = p.run(&["check", "--format", "json", "--config", "lint-tests.toml"]);
    assert_eq!(
        run.findings(),
        [
            "src/lib.rs:4:detached-endless-task",
            "src/lib.rs:6:ignored-join-error",
            "src/lib.rs:12:detached-endless-task"
        ],
        "{}",
        run.stderr()
    );
}

#[test]
fn flags_override_configuration_and_config_options_choose_it() {
    let p = Project::new("config-override");
    p.file("tasklint.toml", "ignore = [\"detached-endless-task\"]\n")
        .file(
            "strict.toml",
            "severity = { detached-endless-task = \"note\" }\n",
        )
        .file("src/lib.rs", SPAWN);
    assert_eq!(
        p.run(&["check", "--format", "json"]).findings(),
        Vec::<String>::new()
    );
    let run = p.run(&[
        "check",
        "--format",
        "json",
        "--select",
        "detached-endless-task",
    ]);
    assert_eq!(run.findings(), ["src/lib.rs:2:detached-endless-task"]);
    let run = p.run(&["check", "--format", "json", "--no-config"]);
    assert_eq!(run.findings(), ["src/lib.rs:2:detached-endless-task"]);
    let run = p.run(&["check", "--format", "json", "--config", "strict.toml"]);
    assert_eq!(run.code(), 0, "a note does not fail the run");
    assert!(
        run.stdout().contains("\"severity\": \"note\""),
        "{}",
        run.stdout()
    );
}

#[test]
fn exclude_and_per_file_ignores_are_relative_to_the_configuration() {
    let p = Project::new("config-globs");
    p.file(
        "tasklint.toml",
        "exclude = [\"generated/\"]\n[per-file-ignores]\n\"src/bin/**\" = [\"detached\"]\n",
    )
    .file("src/lib.rs", SPAWN)
    .file("src/bin/tool.rs", SPAWN)
    .file("generated/out.rs", SPAWN);
    let run = p.run(&["check", "--format", "json"]);
    assert_eq!(run.findings(), ["src/lib.rs:2:detached-endless-task"]);
    // A file named on the command line is linted unless --force-exclude.
    let run = p.run(&["check", "--format", "json", "generated/out.rs"]);
    assert_eq!(run.findings(), ["generated/out.rs:2:detached-endless-task"]);
    let run = p.run(&[
        "check",
        "--format",
        "json",
        "--force-exclude",
        "generated/out.rs",
    ]);
    assert_eq!(run.findings(), Vec::<String>::new());
    let run = p.run(&[
        "check",
        "--format",
        "json",
        "--force-exclude",
        "--exclude",
        "src/lib.rs",
        "src/lib.rs",
    ]);
    assert_eq!(run.findings(), Vec::<String>::new()); // Globs match however the path is written.
    let run = p.run_in(
        "src",
        &[
            "check",
            "--format",
            "json",
            "../src/bin/tool.rs",
            "../src/lib.rs",
        ],
        None,
    );
    assert_eq!(run.findings(), ["../src/lib.rs:2:detached-endless-task"]);
}

#[test]
fn configured_spawners_are_treated_like_the_built_in_ones() {
    let p = Project::new("config-spawners");
    p.file(
        "tasklint.toml",
        "extend-select = [\"detached-spawn\"]\ndetaching = [\"my_rt::spawn_named\", \"crate::rt::go\"]\ncancel-on-drop = [\"exec::run\"]\nowning = [\"pool::submit\"]\n",
    )
    .file(
        "src/lib.rs",
        "use my_rt::spawn_named;\nasync fn a() {\n    spawn_named(async {});\n    exec::run(async {});\n    pool::submit(async {});\n    crate::rt::go(async {});\n}\n",
    )
    // No built-in trigger word at all: read during the walk and skipped by
    // the built-in words, it is read again for the configured ones.
    .file(
        "src/other.rs",
        "async fn b() {\n    exec::run(async {});\n}\n",
    );
    let run = p.run(&["check", "--format", "json"]);
    assert_eq!(
        run.findings(),
        [
            "src/lib.rs:3:detached-spawn",
            "src/lib.rs:4:dropped-task-cancels",
            "src/lib.rs:6:detached-spawn",
            "src/other.rs:2:dropped-task-cancels"
        ],
        "{}",
        run.stderr()
    );
}

#[test]
fn bad_configurations_exit_2_naming_the_file_and_key() {
    let cases: &[(&str, &str, &str)] = &[
        ("unknown-key", "selct = [\"all\"]\n", "unknown key `selct`"),
        (
            "unknown-rule",
            "select = [\"detached-spawm\"]\n",
            "`select`: expected a rule id",
        ),
        (
            "unknown-severity-rule",
            "[severity]\nnope = \"error\"\n",
            "`severity.nope`",
        ),
        (
            "bad-level",
            "severity = { detached-endless-task = \"fatal\" }\n",
            "\"error\", \"warning\" or \"note\"",
        ),
        (
            "bad-glob",
            "exclude = [\"{src\"]\n",
            "`exclude`: expected a valid glob",
        ),
        (
            "bad-type",
            "lint-tests = \"yes\"\n",
            "`lint-tests`: expected true or false",
        ),
        (
            "not-an-array",
            "ignore = \"detached-endless-task\"\n",
            "`ignore`: expected an array",
        ),
        (
            "bad-path",
            "detaching = [\"my rt::spawn\"]\n",
            "`detaching`: expected a path",
        ),
        (
            "per-file-rule",
            "[per-file-ignores]\n\"tests/**\" = [\"nope\"]\n",
            "`per-file-ignores.\"tests/**\"`",
        ),
        ("not-toml", "select = [\n", "invalid TOML"),
    ];
    for (name, text, expected) in cases {
        let p = Project::new(&format!("bad-{name}"));
        p.file("tasklint.toml", text).file("src/lib.rs", SPAWN);
        let run = p.run(&["check"]);
        assert_eq!(run.code(), 2, "{name}: {}", run.stderr());
        let stderr = run.stderr();
        assert!(
            stderr.contains("tasklint.toml:"),
            "{name}: names the file: {stderr}"
        );
        assert!(stderr.contains(expected), "{name}: {stderr}");
    }
    let p = Project::new("bad-metadata");
    p.file(
        "Cargo.toml",
        "[package]\nname = \"x\"\n\n[package.metadata.tasklint]\nlint_tests = true\n",
    )
    .file("src/lib.rs", SPAWN);
    let run = p.run(&["check"]);
    assert_eq!(run.code(), 2);
    assert!(
        run.stderr()
            .contains("Cargo.toml:5: unknown key `package.metadata.tasklint.lint_tests`"),
        "{}",
        run.stderr()
    );
    let run = p.run(&["check", "--config", "missing.toml"]);
    assert_eq!(run.code(), 2);
    assert!(run.stderr().contains("missing.toml"), "{}", run.stderr());
}

// Suppressions

#[test]
fn suppression_comments_silence_their_line_item_and_file() {
    let p = Project::new("suppress");
    p.file(
        "src/lib.rs",
        "async fn a() {
    tokio::spawn(async {}); // tasklint: allow(detached-spawn) same line
    // tasklint: allow(detached-spawn) line before
    tokio::spawn(async {});
    tokio::spawn(async {});
}

// tasklint: allow(all) the whole item
async fn b() {
    tokio::spawn(async {});
    std::process::Command::new(\"x\").spawn().unwrap();
}
",
    )
    .file(
        "src/other.rs",
        "// tasklint: allow-file(detached-spawn)\nasync fn c() {\n    tokio::spawn(async {});\n}\n",
    );
    let run = p.run(&[
        "check",
        "--format",
        "json",
        "--extend-select",
        "detached-spawn",
    ]);
    assert_eq!(
        run.findings(),
        ["src/lib.rs:5:detached-spawn"],
        "{}",
        run.stderr()
    );
}

// Baseline

#[test]
fn a_baseline_survives_edits_above_its_findings_and_reports_stale_entries() {
    let p = Project::new("baseline");
    p.file("src/lib.rs", SPAWN).file("src/other.rs", SPAWN);
    let run = p.run(&[
        "check",
        "--write-baseline",
        "baseline.json",
        "--format",
        "json",
    ]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert!(
        run.stderr().contains("wrote 2 findings to baseline"),
        "{}",
        run.stderr()
    );
    let recorded = std::fs::read_to_string(p.path("baseline.json")).expect("the baseline");
    assert!(recorded.contains("\"fingerprint\""), "{recorded}");

    // Lines added above the finding: still hidden.
    p.file(
        "src/lib.rs",
        &format!("use std::io;\n\n/// Starts.\n{SPAWN}"),
    );
    let run = p.run(&["check", "--baseline", "baseline.json", "--format", "json"]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert_eq!(run.findings(), Vec::<String>::new());

    // A new finding is reported; the fixed one is a stale entry (a warning
    // on standard error that does not change the exit code).
    p.file(
        "src/lib.rs",
        &format!("{SPAWN}async fn more() {{\n    tokio::spawn(async {{ loop {{ tick().await; }} }});\n}}\n"),
    );
    p.file("src/other.rs", "fn fixed() {}\n");
    let run = p.run(&["check", "--baseline", "baseline.json", "--format", "json"]);
    assert_eq!(run.findings(), ["src/lib.rs:5:detached-endless-task"]);
    assert!(
        run.stderr().contains(
            "warning: baseline entry no longer matches: src/other.rs [detached-endless-task]"
        ),
        "{}",
        run.stderr()
    );
    // A run that does not scan a file does not call its entries stale.
    let run = p.run(&[
        "check",
        "--baseline",
        "baseline.json",
        "--format",
        "json",
        "src/lib.rs",
    ]);
    assert!(
        !run.stderr().contains("no longer matches"),
        "{}",
        run.stderr()
    );

    p.file("bad.json", "[]");
    let run = p.run(&["check", "--baseline", "bad.json"]);
    assert_eq!(run.code(), 2);
    assert!(run.stderr().contains("bad.json"), "{}", run.stderr());
}

// Output formats

#[test]
fn github_commands_escape_properties_and_messages() {
    let p = Project::new("github");
    p.file("src/a,b:c.rs", SPAWN)
        .file("src/lib.rs", "fn f() {} // tasklint: allow(100%,x)\n");
    let run = p.run(&["check", "--format", "github"]);
    let out = run.stdout();
    assert!(
        out.contains("::warning file=src/a%2Cb%3Ac.rs,line=2,col=5,endLine=2,endColumn=17,title=tasklint (detached-endless-task)::task spawned with `tokio::spawn` runs a loop that never ends (line 2) and its handle is dropped\n"),
        "{out}"
    );
    assert!(out.contains("::warning file=src/lib.rs,line=1,col=30,endLine=1,endColumn=34,title=tasklint (unused-suppression)::suppression names unknown rule `100%25`"), "{out}");
    assert!(
        !run.stdout().lines().any(|l| !l.starts_with("::")),
        "only commands on stdout: {out}"
    );
}

#[test]
fn sarif_passes_microsofts_validator() {
    let p = Project::new("sarif");
    p.file("src/lib.rs", SPAWN).file(
        "src/naïve dir/x.rs",
        "fn f() {\n    let é = 1; std::thread::spawn(|| {});\n}\n// tasklint: allow(nope)\n",
    );
    let run = p.run(&[
        "check",
        "--format",
        "sarif",
        "--select",
        "all",
        "--output",
        "out.sarif",
    ]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p.path("out.sarif")).expect("written"))
            .expect("JSON");
    let run0 = &sarif["runs"][0];
    assert_eq!(run0["columnKind"], "unicodeCodePoints");
    let rules = run0["tool"]["driver"]["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), tasklint::rules::ALL.len());
    for rule in rules {
        let id = rule["id"].as_str().expect("an id");
        let doc = tasklint::rules::by_id(id).expect("a registered rule").doc;
        assert_eq!(rule["help"]["markdown"], doc, "{id}: help is lints/{id}.md");
    }
    let uris: Vec<&str> = run0["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(uris.contains(&"src/na%C3%AFve%20dir/x.rs"), "{uris:?}");
    let thread = run0["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "detached-thread")
        .expect("the thread finding");
    // `é` is one code point: the spawn starts at column 16.
    assert_eq!(
        thread["locations"][0]["physicalLocation"]["region"]["startColumn"],
        16
    );

    let Some(validator) = support::sarif_validator() else {
        return;
    };
    let (problems, printed) = support::sarif_problems(
        &validator,
        &p.path("out.sarif"),
        &p.path("validation.sarif"),
    );
    println!("{printed}");
    assert_eq!(problems, 0, "the validator reported problems:\n{printed}");
}

/// Item 9 of issue 15: where the validator cannot be installed, the SARIF
/// test says it skipped the check and passes, unless `CI` is set, where it
/// fails. Runs that test in a child of this test binary with the installs
/// made to fail (`TASKLINT_TEST_OFFLINE`).
#[test]
fn the_sarif_validator_check_skips_offline_and_fails_under_ci() {
    if std::env::var_os("TASKLINT_TEST_OFFLINE").is_some() {
        return;
    }
    let run = |ci: bool| support::rerun_offline("sarif_passes_microsofts_validator", ci);
    let (passed, text) = run(false);
    assert!(passed, "{text}");
    assert!(text.contains("1 passed"), "{text}");
    assert!(
        text.contains("skipped: the SARIF validator (npm package @microsoft/sarif-multitool): cannot be installed here: TASKLINT_TEST_OFFLINE is set"),
        "{text}"
    );
    let (passed, text) = run(true);
    assert!(!passed, "{text}");
    assert!(
        text.contains("CI is set, so a check that cannot run is a failure"),
        "{text}"
    );
}

// Standard input and the options of `check`

#[test]
fn standard_input_is_linted_under_the_given_path_with_its_settings() {
    let p = Project::new("stdin");
    p.file(
        "sub/tasklint.toml",
        "severity = { detached-endless-task = \"error\" }\n",
    );
    let run = p.run_in(
        ".",
        &[
            "check",
            "--format",
            "concise",
            "--stdin-filename",
            "sub/src/new.rs",
        ],
        Some(SPAWN),
    );
    assert_eq!(run.code(), 1);
    assert_eq!(
        run.stdout(),
        "sub/src/new.rs:2:5: error: task spawned with `tokio::spawn` runs a loop that never ends (line 2) and its handle is dropped [detached-endless-task]\n"
    );
    let run = p.run_in(".", &["check", "--format", "concise", "-"], Some(SPAWN));
    assert!(
        run.stdout().starts_with("-:2:5: warning:"),
        "{}",
        run.stdout()
    );
    // Excluded names give nothing with --force-exclude, as editors call it.
    let run = p.run_in(
        ".",
        &[
            "check",
            "--force-exclude",
            "--exclude",
            "sub/",
            "--stdin-filename",
            "sub/a.rs",
        ],
        Some(SPAWN),
    );
    assert_eq!(run.code(), 0, "{}", run.stdout());
}

#[test]
fn exit_zero_quiet_statistics_output_color_and_jobs() {
    let p = Project::new("options");
    p.file("src/lib.rs", SPAWN)
        .file("src/b.rs", SPAWN)
        .file("src/c.rs", SPAWN);
    let run = p.run(&["check", "--exit-zero"]);
    assert_eq!(run.code(), 0);

    let run = p.run(&["check", "--format", "concise", "--quiet"]);
    assert_eq!(run.code(), 1);
    assert_eq!(run.stderr(), "");
    assert_eq!(run.stdout().lines().count(), 3);

    let run = p.run(&["check", "--format", "concise", "--statistics"]);
    assert!(
        run.stderr().contains("     3  detached-endless-task\n"),
        "{}",
        run.stderr()
    );

    let run = p.run(&["check", "--format", "json", "--output", "report.json"]);
    assert_eq!(run.stdout(), "");
    let written = std::fs::read_to_string(p.path("report.json")).expect("written");
    assert!(written.contains("detached-endless-task"));
    let run = p.run(&["check", "--output", "no/such/folder/report.txt"]);
    assert_eq!(run.code(), 2);
    assert!(
        run.stderr().contains("no/such/folder/report.txt"),
        "{}",
        run.stderr()
    );

    assert!(p
        .run(&["check", "--color", "always"])
        .stdout()
        .contains('\u{1b}'));
    assert!(!p
        .run(&["check", "--color", "never"])
        .stdout()
        .contains('\u{1b}'));
    assert!(
        !p.run(&["check"]).stdout().contains('\u{1b}'),
        "auto: not a terminal"
    );

    let one = p
        .run(&["check", "--format", "json", "--jobs", "1"])
        .stdout();
    let two = p
        .run(&["check", "--format", "json", "--jobs", "2"])
        .stdout();
    assert_eq!(one, two);
}

// Where it lives

#[test]
fn cargo_tasklint_lints_the_package_of_the_current_directory() {
    let p = Project::new("cargo");
    p.file(
        "Cargo.toml",
        "[workspace]\nmembers = [\"a\", \"b\"]\nresolver = \"2\"\n",
    )
    .file(
        "a/Cargo.toml",
        "[package]\nname = \"a\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .file("a/src/lib.rs", SPAWN)
    .file(
        "b/Cargo.toml",
        "[package]\nname = \"b\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .file("b/src/lib.rs", SPAWN);
    let cwd = p.path("a/src");
    let whole = run(
        CARGO_TASKLINT,
        &cwd,
        &["tasklint", "--format", "concise"],
        None,
    );
    assert_eq!(whole.code(), 1, "{}", whole.stderr());
    let paths: Vec<String> = whole
        .stdout()
        .lines()
        .map(|l| l.split(':').next().unwrap_or("").to_string())
        .collect();
    // As `cargo clippy`: in a member's folder, that package alone
    // (tests/workspace.rs has the rest).
    assert_eq!(paths, ["../src/lib.rs"]);
    let one = run(
        CARGO_TASKLINT,
        &cwd,
        &["tasklint", "check", "lib.rs", "--format", "concise"],
        None,
    );
    assert_eq!(one.stdout().lines().count(), 1, "{}", one.stdout());
}

#[test]
fn the_pre_commit_hook_is_declared_as_the_spec_says() {
    let hooks = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"),
    )
    .expect(".pre-commit-hooks.yaml");
    for line in [
        "- id: tasklint",
        "entry: tasklint check --force-exclude",
        "language: rust",
        "types: [rust]",
        "require_serial: true",
    ] {
        assert!(hooks.contains(line), "missing `{line}`");
    }
}
