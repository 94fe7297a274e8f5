//! `cargo tasklint` in a real Cargo workspace (`fixtures/crates/workspace`:
//! members `a` and `b`, `excluded` in `workspace.exclude`, and `outside`,
//! a member beside the root's folder), run as cargo runs it. Each test works
//! on a copy in a temporary folder outside this repository, so that cargo
//! finds no other `Cargo.toml` above it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod support;
use support::{stderr, stdout, write};

const CARGO_TASKLINT: &str = env!("CARGO_BIN_EXE_cargo-tasklint");

/// A copy of the workspace fixture: the folder holding `root/` and `outside/`.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("tasklint-workspace-")
        .tempdir()
        .expect("temp dir");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/crates/workspace");
    copy(&fixture, dir.path());
    dir
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("fixture readable") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// `cargo tasklint ARGS` in `dir`, as cargo starts it.
fn cargo_tasklint(dir: &Path, args: &[&str]) -> Output {
    Command::new(CARGO_TASKLINT)
        .arg("tasklint")
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("cargo-tasklint runs")
}

/// The paths of the concise findings, in order.
fn reported(output: &Output) -> Vec<String> {
    stdout(output)
        .lines()
        .map(|line| line.split(':').next().unwrap_or("").to_string())
        .collect()
}

fn concise(dir: &Path, args: &[&str]) -> (Output, Vec<String>) {
    let mut all = args.to_vec();
    all.extend(["--format", "concise"]);
    let output = cargo_tasklint(dir, &all);
    let paths = reported(&output);
    (output, paths)
}

fn root(ws: &tempfile::TempDir) -> PathBuf {
    ws.path().join("root")
}

#[test]
fn at_the_root_it_lints_every_member_but_not_the_excluded_crate() {
    let ws = workspace();
    let (output, paths) = concise(&root(&ws), &[]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(
        paths,
        ["../outside/src/lib.rs", "a/src/lib.rs", "b/src/lib.rs"]
    );
}

#[test]
fn in_a_members_folder_it_lints_that_package_alone() {
    let ws = workspace();
    let (_, paths) = concise(&root(&ws).join("a"), &[]);
    assert_eq!(paths, ["src/lib.rs"]);
    let (_, paths) = concise(&root(&ws).join("a/src"), &[]);
    assert_eq!(paths, ["../src/lib.rs"]);
    let (_, paths) = concise(&ws.path().join("outside"), &[]);
    assert_eq!(paths, ["src/lib.rs"]);
    // A path given is linted as given, as `tasklint check` would.
    let (_, paths) = concise(&root(&ws).join("a"), &["../b"]);
    assert_eq!(paths, ["../b/src/lib.rs"]);
}

#[test]
fn in_an_excluded_crate_it_is_a_package_of_its_own() {
    let ws = workspace();
    let (_, paths) = concise(&root(&ws).join("excluded"), &[]);
    assert_eq!(paths, ["src/lib.rs"]);
}

#[test]
fn package_workspace_and_exclude_pick_packages_as_cargo_does() {
    let ws = workspace();
    let in_a = root(&ws).join("a");
    let (_, paths) = concise(&in_a, &["-p", "b", "--package", "outside"]);
    assert_eq!(paths, ["../../outside/src/lib.rs", "../b/src/lib.rs"]);
    let (_, paths) = concise(&in_a, &["-p", "b@0.1.0"]);
    assert_eq!(paths, ["../b/src/lib.rs"]);
    let (_, paths) = concise(&in_a, &["--workspace"]);
    assert_eq!(
        paths,
        ["../../outside/src/lib.rs", "../b/src/lib.rs", "src/lib.rs"]
    );
    let (_, paths) = concise(
        &in_a,
        &["--workspace", "--exclude", "outside", "--exclude", "a"],
    );
    assert_eq!(paths, ["../b/src/lib.rs"]);
    // `check` given explicitly takes the same flags.
    let (_, paths) = concise(&in_a, &["check", "-p", "a"]);
    assert_eq!(paths, ["src/lib.rs"]);
}

#[test]
fn package_flags_that_name_nothing_are_errors() {
    let ws = workspace();
    let unknown = cargo_tasklint(&root(&ws), &["-p", "excluded"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("package `excluded` is not a member of the workspace")
            && stderr(&unknown).contains("(members: a, b, outside)"),
        "{}",
        stderr(&unknown)
    );
    // In cargo, `--exclude` names packages: a file glob there says where globs go.
    let glob = cargo_tasklint(&root(&ws), &["--workspace", "--exclude", "src/gen/**"]);
    assert_eq!(glob.status.code(), Some(2));
    assert!(
        stderr(&glob).contains("--exclude-path"),
        "{}",
        stderr(&glob)
    );
    let alone = cargo_tasklint(&root(&ws), &["--exclude", "a"]);
    assert_eq!(alone.status.code(), Some(2));
    assert!(stderr(&alone).contains("--workspace"), "{}", stderr(&alone));
    // The package flags are `cargo tasklint`'s.
    let direct = Command::new(env!("CARGO_BIN_EXE_tasklint"))
        .args(["check", "-p", "a"])
        .current_dir(root(&ws))
        .output()
        .expect("tasklint runs");
    assert_eq!(direct.status.code(), Some(2));
    assert!(
        stderr(&direct).contains("are for `cargo tasklint`"),
        "{}",
        stderr(&direct)
    );
}

#[test]
fn exclude_path_takes_file_globs_in_cargo_tasklint() {
    let ws = workspace();
    let (_, paths) = concise(&root(&ws), &["--exclude-path", "b/"]);
    assert_eq!(paths, ["../outside/src/lib.rs", "a/src/lib.rs"]);
}

#[test]
fn manifest_path_starts_from_that_manifest() {
    let ws = workspace();
    let (_, paths) = concise(ws.path(), &["--manifest-path", "root/Cargo.toml"]);
    assert_eq!(
        paths,
        [
            "outside/src/lib.rs",
            "root/a/src/lib.rs",
            "root/b/src/lib.rs"
        ]
    );
    let (_, paths) = concise(ws.path(), &["--manifest-path", "root/b/Cargo.toml"]);
    assert_eq!(paths, ["root/b/src/lib.rs"]);
    let missing = cargo_tasklint(ws.path(), &["--manifest-path", "nowhere/Cargo.toml"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("cannot read the workspace"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn a_root_package_alone_leaves_out_the_packages_below_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let package = |name: &str| {
        format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n")
    };
    let leaky = "pub fn go() {\n    tokio::spawn(async { loop {} });\n}\n";
    write(
        dir.path(),
        "Cargo.toml",
        format!("{}\n[workspace]\nmembers = [\"inner\"]\n", package("top")),
    );
    write(dir.path(), "src/lib.rs", leaky);
    write(dir.path(), "inner/Cargo.toml", package("inner"));
    write(dir.path(), "inner/src/lib.rs", leaky);
    let (_, paths) = concise(dir.path(), &[]);
    assert_eq!(paths, ["src/lib.rs"]);
    let (_, paths) = concise(dir.path(), &["--workspace"]);
    assert_eq!(paths, ["inner/src/lib.rs", "src/lib.rs"]);
}

#[test]
fn without_a_manifest_or_cargo_it_walks_the_folder_and_says_so() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "leak.rs",
        "pub fn go() {\n    tokio::spawn(async { loop {} });\n}\n",
    );
    let (output, paths) = concise(dir.path(), &[]);
    assert_eq!(paths, ["leak.rs"]);
    assert!(
        stderr(&output).contains("note: no Cargo workspace found")
            && stderr(&output).contains("linting the current folder instead"),
        "{}",
        stderr(&output)
    );
    // No cargo at all: the same, in a workspace too.
    let ws = workspace();
    let output = Command::new(CARGO_TASKLINT)
        .args(["tasklint", "--format", "concise"])
        .current_dir(root(&ws))
        .env("CARGO", ws.path().join("no-such-cargo"))
        .output()
        .expect("cargo-tasklint runs");
    assert!(
        stderr(&output)
            .contains("note: no Cargo workspace found (failed to start `cargo metadata`"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        reported(&output),
        ["a/src/lib.rs", "b/src/lib.rs", "excluded/src/lib.rs"]
    );
    // With a package flag, no workspace is an error, not a walk.
    let flagged = cargo_tasklint(dir.path(), &["-p", "a"]);
    assert_eq!(flagged.status.code(), Some(2), "{}", stderr(&flagged));
}

#[test]
fn help_describes_how_packages_are_picked() {
    let help = cargo_tasklint(Path::new("."), &["--help"]);
    assert_eq!(help.status.code(), Some(0));
    let text = stdout(&help);
    for expected in [
        "Usage: cargo tasklint check",
        "-p, --package <SPEC>",
        "--workspace",
        "--exclude <SPEC>",
        "--manifest-path <PATH>",
        "--exclude-path <EXCLUDE>",
        "in a member's folder      that package alone",
        "`workspace.exclude`",
        "the current folder\nis walked instead",
    ] {
        assert!(
            text.contains(expected),
            "`{expected}` missing from:\n{text}"
        );
    }
}

// Baselines: paths relative to the baseline's folder.

fn tasklint(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tasklint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("tasklint runs")
}

#[test]
fn a_baseline_written_at_the_root_matches_from_any_folder() {
    let ws = workspace();
    let root = root(&ws);
    let written = cargo_tasklint(&root, &["--write-baseline", "tasklint-baseline.json"]);
    assert_eq!(written.status.code(), Some(0), "{}", stderr(&written));
    let text = std::fs::read_to_string(root.join("tasklint-baseline.json")).expect("written");
    let baseline: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(baseline["version"], 2);
    let paths: Vec<&str> = baseline["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|e| e["path"].as_str())
        .collect();
    assert_eq!(
        paths,
        ["../outside/src/lib.rs", "a/src/lib.rs", "b/src/lib.rs"]
    );
    // From a member's folder, through cargo and without.
    let in_a = root.join("a");
    for output in [
        cargo_tasklint(&in_a, &["--baseline", "../tasklint-baseline.json"]),
        cargo_tasklint(
            &in_a,
            &["--workspace", "--baseline", "../tasklint-baseline.json"],
        ),
        tasklint(&in_a, &["check", "--baseline", "../tasklint-baseline.json"]),
        tasklint(
            &ws.path().join("outside"),
            &["check", "--baseline", "../root/tasklint-baseline.json"],
        ),
        tasklint(
            ws.path(),
            &[
                "check",
                "root/a",
                "outside",
                "--baseline",
                "root/tasklint-baseline.json",
            ],
        ),
    ] {
        assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
        assert!(
            stderr(&output).contains("hidden by the baseline")
                && !stderr(&output).contains("warning"),
            "{}",
            stderr(&output)
        );
    }
    // A new finding in a member is still reported.
    write(
        &in_a,
        "src/new.rs",
        "pub fn more() {\n    tokio::spawn(async { loop {} });\n}\n",
    );
    let (output, paths) = concise(&in_a, &["--baseline", "../tasklint-baseline.json"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(paths, ["src/new.rs"]);
}

#[test]
fn stale_entries_are_found_from_any_folder() {
    let ws = workspace();
    let root = root(&ws);
    cargo_tasklint(&root, &["--write-baseline", "tasklint-baseline.json"]);
    write(&root, "b/src/lib.rs", "pub fn fixed() {}\n");
    let output = cargo_tasklint(
        &root.join("a"),
        &["--workspace", "--baseline", "../tasklint-baseline.json"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stderr(&output);
    let warnings: Vec<&str> = text.lines().filter(|l| l.starts_with("warning")).collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].starts_with(
            "warning: baseline entry no longer matches: ../b/src/lib.rs [detached-endless-task]"
        ),
        "{warnings:?}"
    );
}

#[test]
fn a_baseline_that_matches_nothing_at_all_says_so() {
    let ws = workspace();
    let root = root(&ws);
    cargo_tasklint(&root, &["--write-baseline", "tasklint-baseline.json"]);
    // Moved two folders down, its `../outside/..` names no file either.
    std::fs::create_dir_all(ws.path().join("elsewhere/deeper")).expect("mkdir");
    std::fs::rename(
        root.join("tasklint-baseline.json"),
        ws.path().join("elsewhere/deeper/tasklint-baseline.json"),
    )
    .expect("move the baseline");
    let output = cargo_tasklint(
        &root,
        &["--baseline", "../elsewhere/deeper/tasklint-baseline.json"],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains(
            "warning: baseline `../elsewhere/deeper/tasklint-baseline.json` matches nothing at all: none of the 3 files it names exists"
        ),
        "{}",
        stderr(&output)
    );
    // One whose files this run did not lint (a pre-commit run on other
    // files) says nothing.
    cargo_tasklint(&root, &["--write-baseline", "tasklint-baseline.json"]);
    write(&root, "c.rs", "pub fn clean() {}\n");
    let other = tasklint(
        &root,
        &["check", "c.rs", "--baseline", "tasklint-baseline.json"],
    );
    assert_eq!(other.status.code(), Some(0));
    assert!(!stderr(&other).contains("warning"), "{}", stderr(&other));
}

#[test]
fn a_version_1_baseline_is_still_read_from_the_folder_it_was_written_in() {
    let ws = workspace();
    let root = root(&ws);
    let json = tasklint(&root, &["check", "a", "--format", "json"]);
    let findings: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("json");
    let entries: Vec<serde_json::Value> = findings
        .as_array()
        .expect("array")
        .iter()
        .map(|f| {
            serde_json::json!({
                "path": f["path"], "rule": f["rule"],
                "fingerprint": f["fingerprint"], "message": f["message"],
            })
        })
        .collect();
    let v1 = serde_json::json!({ "version": 1, "findings": entries });
    write(&root, "old-baseline.json", v1.to_string());
    let here = tasklint(&root, &["check", "a", "--baseline", "old-baseline.json"]);
    assert_eq!(here.status.code(), Some(0), "{}", stderr(&here));
    let elsewhere = tasklint(
        &root.join("a"),
        &["check", "--baseline", "../old-baseline.json"],
    );
    assert_eq!(elsewhere.status.code(), Some(1));
    assert!(
        stderr(&elsewhere).contains("it is of version 1")
            && stderr(&elsewhere).contains("--write-baseline"),
        "{}",
        stderr(&elsewhere)
    );
}

// Configuration that extends.

/// Appends `text` to the file at `relative` under `dir`.
fn append(dir: &Path, relative: &str, text: &str) {
    let path = dir.join(relative);
    let mut old = std::fs::read_to_string(&path).unwrap_or_default();
    old.push_str(text);
    std::fs::write(path, old).expect("write");
}

/// The workspace with a tasklint.toml beside `root/`, which the workspace
/// table extends, and a table in member `a`.
fn configured() -> tempfile::TempDir {
    let ws = workspace();
    write(
        ws.path(),
        "tasklint.toml",
        "shutdown-words = [\"halt\"]\nexclude = [\"root/b/\"]\n",
    );
    append(
        ws.path(),
        "root/Cargo.toml",
        "\n[workspace.metadata.tasklint]\nextend = \"../tasklint.toml\"\nseverity = { detached-endless-task = \"error\" }\ndetaching = [\"my_rt::spawn\"]\n",
    );
    append(
        ws.path(),
        "root/a/Cargo.toml",
        "\n[package.metadata.tasklint]\nlint-tests = true\n",
    );
    ws
}

#[test]
fn a_members_table_extends_the_workspace_configuration() {
    let ws = configured();
    let root = root(&ws);
    let shown = tasklint(&root, &["check", "--show-settings", "a/src/lib.rs"]);
    assert_eq!(shown.status.code(), Some(0), "{}", stderr(&shown));
    let text = stdout(&shown);
    for expected in [
        "settings for a/src/lib.rs\n",
        "  from:           a/Cargo.toml [package.metadata.tasklint]\n",
        "  extending:      Cargo.toml [workspace.metadata.tasklint]\n",
        "  extending:      ../tasklint.toml\n",
        "    detached-endless-task       error\n",
        "  lint-tests:     true\n",
        "  detaching:      my_rt::spawn\n",
        "  shutdown-words: halt\n",
    ] {
        assert!(
            text.contains(expected),
            "`{expected}` missing from:\n{text}"
        );
    }
    // What the settings say is what a run does: `a` reports an error (the
    // workspace's severity), `b` is excluded by the outer file's glob,
    // relative to that file's folder.
    let (output, _) = concise(&root, &[]);
    let out = stdout(&output);
    assert!(
        out.contains("a/src/lib.rs:4:5: error: task spawned"),
        "{out}"
    );
    assert!(!out.contains("b/src/lib.rs"), "{out}");
    // `outside` has no table and is not below the root: the nearest
    // configuration up its own folders applies, not the workspace's table.
    let outside = tasklint(
        &ws.path().join("outside"),
        &["check", "--show-settings", "src/lib.rs"],
    );
    assert!(
        stdout(&outside).contains("from:           ../tasklint.toml\n  excluded:"),
        "{}",
        stdout(&outside)
    );
}

#[test]
fn show_files_lists_what_a_run_would_lint() {
    let plain = tempfile::tempdir().expect("temp dir");
    let shown = tasklint(plain.path(), &["check", "--show-settings", "x.rs"]);
    assert!(
        stdout(&shown).contains("from:           no configuration file (the defaults)"),
        "{}",
        stdout(&shown)
    );
    let ws = configured();
    let listed = cargo_tasklint(&root(&ws), &["--show-files"]);
    assert_eq!(listed.status.code(), Some(0), "{}", stderr(&listed));
    assert_eq!(stdout(&listed), "../outside/src/lib.rs\na/src/lib.rs\n");
    let listed = tasklint(ws.path(), &["check", "--show-files", "root"]);
    assert_eq!(
        stdout(&listed),
        "root/a/src/lib.rs\nroot/excluded/src/lib.rs\n"
    );
}

#[test]
fn an_extend_cycle_is_a_configuration_error_naming_the_file_and_key() {
    let ws = configured();
    append(ws.path(), "tasklint.toml", "extend = \"root/Cargo.toml\"\n");
    let output = tasklint(&root(&ws), &["check", "b"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.contains(
            "tasklint.toml:3: `extend`: `root/Cargo.toml` extends this file again, a cycle: "
        ) && err.contains("a cycle: Cargo.toml -> ../tasklint.toml -> Cargo.toml"),
        "{err}"
    );
}

#[test]
fn a_bad_extend_is_a_configuration_error_naming_the_file_and_key() {
    let ws = workspace();
    append(
        ws.path(),
        "root/a/Cargo.toml",
        "\n[package.metadata.tasklint]\nextend = \"../missing.toml\"\n",
    );
    let output = tasklint(&root(&ws), &["check", "a"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("a/Cargo.toml:8: `package.metadata.tasklint.extend`: expected the path of a configuration file"),
        "{}",
        stderr(&output)
    );
    write(ws.path(), "root/a/tasklint.toml", "extend = 3\n");
    let output = tasklint(&root(&ws), &["check", "a"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("a/tasklint.toml:1: `extend`: expected the path"),
        "{}",
        stderr(&output)
    );
}

// Installation that is honest.

fn repository_file(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .unwrap_or_else(|err| panic!("{path}: {err}"))
}

#[test]
fn the_licence_files_match_the_manifest() {
    let manifest = repository_file("Cargo.toml");
    assert!(manifest.contains("license = \"MIT OR Apache-2.0\""));
    assert!(repository_file("LICENSE-MIT").contains("Permission is hereby granted, free of charge"));
    let apache = repository_file("LICENSE-APACHE");
    assert!(apache.contains("Apache License") && apache.contains("Version 2.0, January 2004"));
}

#[test]
fn the_install_recipes_pin_a_commit_and_cache_the_binary() {
    let readme = repository_file("README.md");
    let recipes = repository_file("docs/recipes.md");
    for (name, text) in [("README.md", &readme), ("docs/recipes.md", &recipes)] {
        assert!(text.contains("cargo install --locked --path ."), "{name}");
        assert!(
            !text.contains("cargo install --path ."),
            "{name}: unlocked install"
        );
    }
    let is_commit = |rev: &str| rev.len() == 40 && rev.bytes().all(|b| b.is_ascii_hexdigit());
    let pre_commit_rev = recipes
        .lines()
        .find_map(|l| l.trim().strip_prefix("rev: "))
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the pre-commit recipe has a rev");
    assert!(is_commit(pre_commit_rev), "{pre_commit_rev}");
    assert!(recipes.contains("pre-commit autoupdate"));
    let actions_rev = recipes
        .lines()
        .find_map(|l| l.trim().strip_prefix("TASKLINT_REV: "))
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the Actions recipe pins a revision");
    assert!(is_commit(actions_rev), "{actions_rev}");
    for expected in [
        "uses: actions/cache@v4",
        "~/.cargo/bin/tasklint\n",
        "key: tasklint-${{ runner.os }}-${{ env.TASKLINT_REV }}",
        "if: steps.tasklint-cache.outputs.cache-hit != 'true'",
        "--rev \"$TASKLINT_REV\"",
    ] {
        assert!(recipes.contains(expected), "`{expected}` missing");
    }
    // Every tasklint command of the workflow is one the built binary takes.
    let ws = workspace();
    let commands: Vec<Vec<&str>> = recipes
        .lines()
        .filter_map(|l| l.trim().strip_prefix("run: tasklint "))
        .map(|command| command.split_whitespace().collect())
        .collect();
    assert_eq!(commands.len(), 2, "{commands:?}");
    for args in commands {
        let output = tasklint(&root(&ws), &args);
        assert_ne!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    assert!(root(&ws).join("tasklint.sarif").is_file());
}
