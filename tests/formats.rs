//! The CI and review formats (issue 15, item 7), each read back as its
//! consumer reads it: GitLab Code Quality and reviewdog's rdjson with
//! serde_json against their required fields, JUnit with an XML parser (and,
//! where it can be installed, a published schema and a CI publisher's
//! reader), cargo-json with `cargo_metadata::Message`, rust-analyzer's reader.
//! Also SARIF's links to the rules' documentation (item 8).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

mod support;
use support::{scratch, skip_or_fail, stderr, stdout, tasklint, write};

/// A file name that is data: quotes, markup and an ampersand.
const ODD: &str = "src/a \"b\" <c> & 'd'.rs";

/// Three findings in two files: `detached-endless-task` in each (after an
/// `é` in the odd one, so byte and character columns differ), and an
/// unknown suppression id (a warning) and an unused one (a note).
fn project() -> tempfile::TempDir {
    let dir = scratch();
    write(
        dir.path(),
        "src/lib.rs",
        "pub fn start() {\n    tokio::spawn(async { loop { tick().await; } });\n}\n",
    );
    write(
        dir.path(),
        ODD,
        "fn f() {\n    let é = 1; tokio::spawn(async { loop { tick().await; } });\n}\nfn g() {} // tasklint: allow(nope)\nfn h() {} // tasklint: allow(detached-spawn)\n",
    );
    dir
}

fn run(dir: &Path, format: &str) -> String {
    let output = tasklint(dir, &["check", "--format", format]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    stdout(&output)
}

#[test]
fn gitlab_code_quality_has_its_required_fields() {
    let dir = project();
    let issues: serde_json::Value = serde_json::from_str(&run(dir.path(), "gitlab")).expect("JSON");
    let issues = issues.as_array().expect("an array of issues");
    assert_eq!(issues.len(), 4);
    let mut fingerprints = HashSet::new();
    for issue in issues {
        for field in ["description", "check_name", "fingerprint", "severity"] {
            assert!(issue[field].is_string(), "{field} in {issue}");
        }
        assert!(issue["location"]["path"].is_string(), "{issue}");
        assert!(issue["location"]["lines"]["begin"]
            .as_u64()
            .is_some_and(|l| l >= 1));
        assert!(["info", "minor", "major", "critical", "blocker"]
            .contains(&issue["severity"].as_str().unwrap()));
        assert!(fingerprints.insert(issue["fingerprint"].as_str().unwrap().to_string()));
    }
    let odd: Vec<&serde_json::Value> = issues
        .iter()
        .filter(|i| i["location"]["path"] == ODD)
        .collect();
    assert_eq!(odd.len(), 3, "the file name comes back exactly: {issues:?}");
    let note = odd
        .iter()
        .find(|i| i["description"] == "suppression of `detached-spawn` silenced nothing")
        .expect("the note");
    assert_eq!(note["severity"], "info");
    assert_eq!(note["check_name"], "unused-suppression");
    let leak = &issues[0];
    assert_eq!(leak["check_name"], "detached-endless-task");
    assert_eq!(leak["severity"], "major");
    assert_eq!(leak["location"]["lines"]["begin"], 2);
}

#[test]
fn junit_has_a_suite_per_file_and_a_failure_per_finding() {
    let dir = project();
    let xml = run(dir.path(), "junit");
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(root.attribute("tests"), Some("4"));
    assert_eq!(root.attribute("failures"), Some("4"));
    let suites: Vec<roxmltree::Node> = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    let names: Vec<&str> = suites.iter().filter_map(|s| s.attribute("name")).collect();
    assert_eq!(names, [ODD, "src/lib.rs"], "file names come back exactly");
    for suite in &suites {
        let cases: Vec<roxmltree::Node> = suite
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        assert_eq!(
            suite.attribute("tests"),
            Some(cases.len().to_string().as_str())
        );
        for case in cases {
            assert!(case.attribute("name").is_some());
            assert_eq!(case.attribute("classname"), suite.attribute("name"));
            let failure = case
                .children()
                .find(|n| n.has_tag_name("failure"))
                .expect("a failure per finding");
            assert!(failure.attribute("message").is_some());
            assert!(failure.text().is_some_and(|t| t.contains("\nhelp: ")));
        }
    }
    let first = suites[1]
        .children()
        .find(|n| n.has_tag_name("testcase"))
        .unwrap();
    assert_eq!(
        first.attribute("name"),
        Some("detached-endless-task at 2:5")
    );

    validate_junit(dir.path(), &xml, 4);

    // Nothing found: one passing test case, so CI shows a green run.
    write(dir.path(), ODD, "fn fine() {}\n");
    write(dir.path(), "src/lib.rs", "fn fine() {}\n");
    let output = tasklint(dir.path(), &["check", "--format", "junit"]);
    assert_eq!(output.status.code(), Some(0));
    let xml = stdout(&output);
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let cases: Vec<roxmltree::Node> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 1);
    assert!(!doc.descendants().any(|n| n.has_tag_name("failure")));
    validate_junit(dir.path(), &xml, 0);
}

/// Against the JUnit schema pytest validates its own reports with, and read
/// by junitparser (what CI result publishers use), where they can be
/// installed.
fn validate_junit(dir: &Path, xml: &str, failures: usize) {
    let Some((site, xsd)) = format_validators() else {
        return;
    };
    let report = dir.join("report.xml");
    std::fs::write(&report, xml).expect("write the report");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/validate_junit.py");
    let output = Command::new("python3")
        .arg(script)
        .arg(&xsd)
        .arg(&report)
        .arg(failures.to_string())
        .env("PYTHONPATH", &site)
        .output()
        .expect("run python3");
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "JUnit validation failed:\n{printed}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    if failures > 0 {
        assert!(printed.contains(&format!("{ODD} | ")), "{printed}");
    }
}

/// The folder of the Python validators and the JUnit schema, installed
/// under target/ on first use; `None` (the skip said) where they cannot be.
fn format_validators() -> Option<(PathBuf, PathBuf)> {
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/install-format-validators.sh");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("format-validators");
    let output = support::install(&script, &dir);
    if !output.status.success() {
        skip_or_fail(
            "the JUnit schema check (xmlschema, junitparser)",
            &String::from_utf8_lossy(&output.stderr),
        );
        return None;
    }
    let printed = String::from_utf8_lossy(&output.stdout);
    let mut lines = printed.lines();
    let site = PathBuf::from(lines.next().expect("the site folder"));
    let xsd = PathBuf::from(lines.next().expect("the schema"));
    Some((site, xsd))
}

#[test]
fn rdjson_counts_columns_in_bytes() {
    let dir = project();
    let document: serde_json::Value =
        serde_json::from_str(&run(dir.path(), "rdjson")).expect("JSON");
    assert_eq!(document["source"]["name"], "tasklint");
    let diagnostics = document["diagnostics"].as_array().expect("diagnostics");
    assert_eq!(diagnostics.len(), 4);
    for d in diagnostics {
        assert!(d["message"].is_string(), "{d}");
        assert!(d["location"]["path"].is_string(), "{d}");
        assert!(d["location"]["range"]["start"]["line"].as_u64().is_some());
        assert!(["ERROR", "WARNING", "INFO"].contains(&d["severity"].as_str().unwrap()));
        let id = d["code"]["value"].as_str().expect("the rule id");
        let url = d["code"]["url"].as_str().expect("the rule's doc");
        assert!(url.ends_with(&format!("/lints/{id}.md")), "{url}");
    }
    let leak = diagnostics
        .iter()
        .find(|d| d["location"]["path"] == ODD && d["code"]["value"] == "detached-endless-task")
        .expect("the leak in the odd file");
    // `    let é = 1; ` is 15 characters and 16 bytes: the spawn starts at
    // byte column 17 and `tokio::spawn` (12 bytes) ends before column 29.
    assert_eq!(leak["location"]["range"]["start"]["column"], 17);
    assert_eq!(leak["location"]["range"]["end"]["column"], 29);
    assert_eq!(leak["severity"], "WARNING");
}

#[test]
fn cargo_json_lines_are_compiler_messages_rust_analyzer_reads() {
    let dir = project();
    write(
        dir.path(),
        "Cargo.toml",
        "[package]\nname = \"odd-crate\"\nversion = \"0.3.1\"\nedition = \"2021\"\n",
    );
    let out = run(dir.path(), "cargo-json");
    let sources = [
        (
            "src/lib.rs",
            std::fs::read_to_string(dir.path().join("src/lib.rs")).unwrap(),
        ),
        (ODD, std::fs::read_to_string(dir.path().join(ODD)).unwrap()),
    ];
    let mut seen = Vec::new();
    for line in out.lines() {
        let message: cargo_metadata::Message = serde_json::from_str(line).expect("a cargo message");
        let cargo_metadata::Message::CompilerMessage(message) = message else {
            panic!("not a compiler message: {line}");
        };
        assert!(
            message.package_id.repr.ends_with("#odd-crate@0.3.1"),
            "{}",
            message.package_id.repr
        );
        assert_eq!(message.target.name, "odd_crate");
        assert!(message.target.is_lib());
        let diagnostic = message.message;
        let code = diagnostic.code.as_ref().expect("the rule id as the code");
        assert!(
            tasklint::rules::by_id(&code.code).is_some(),
            "{}",
            code.code
        );
        assert_eq!(code.explanation, None);
        let rendered = diagnostic.rendered.as_deref().expect("rendered text");
        assert!(rendered.contains(&diagnostic.message), "{rendered}");
        assert!(rendered.contains(&format!("[{}]", code.code)), "{rendered}");
        let [help] = diagnostic.children.as_slice() else {
            panic!("one child, the help: {:?}", diagnostic.children);
        };
        assert_eq!(
            help.level,
            cargo_metadata::diagnostic::DiagnosticLevel::Help
        );
        assert!(
            rendered.contains(&format!("help: {}", help.message)),
            "{rendered}"
        );
        let [span] = diagnostic.spans.as_slice() else {
            panic!("one span: {:?}", diagnostic.spans);
        };
        assert!(span.is_primary);
        let source = &sources
            .iter()
            .find(|(path, _)| *path == span.file_name)
            .expect("a linted file")
            .1;
        let quoted = &source[span.byte_start as usize..span.byte_end as usize];
        let line = &span.text[0];
        let highlighted: String = line
            .text
            .chars()
            .skip(line.highlight_start - 1)
            .take(line.highlight_end - line.highlight_start)
            .collect();
        assert_eq!(quoted, highlighted, "bytes and columns agree");
        assert_eq!(span.column_start, line.highlight_start);
        seen.push((
            span.file_name.clone(),
            span.line_start,
            span.column_start,
            code.code.clone(),
        ));
    }
    assert_eq!(
        seen,
        [
            (ODD.to_string(), 2, 16, "detached-endless-task".to_string()),
            (ODD.to_string(), 4, 30, "unused-suppression".to_string()),
            (ODD.to_string(), 5, 30, "unused-suppression".to_string()),
            (
                "src/lib.rs".to_string(),
                2,
                5,
                "detached-endless-task".to_string()
            ),
        ]
    );
}

#[test]
fn sarif_links_each_rule_to_its_documentation() {
    let dir = project();
    let sarif: serde_json::Value = serde_json::from_str(&run(dir.path(), "sarif")).expect("JSON");
    let driver = &sarif["runs"][0]["tool"]["driver"];
    let home = env!("CARGO_PKG_REPOSITORY");
    assert!(
        home.starts_with("https://"),
        "Cargo.toml names the repository"
    );
    assert_eq!(driver["informationUri"], home);
    let rules = driver["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), tasklint::rules::ALL.len());
    for rule in rules {
        let id = rule["id"].as_str().expect("an id");
        let uri = rule["helpUri"].as_str().expect("a helpUri");
        assert_eq!(uri, format!("{home}/blob/HEAD/lints/{id}.md"));
        let doc = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("lints/{id}.md"));
        assert!(doc.is_file(), "{uri} points at {}", doc.display());
    }
}

#[test]
fn file_names_are_data_in_every_new_format() {
    let dir = scratch();
    let name = "a:1:2: error\nb<&>\u{1b}.rs";
    write(
        dir.path(),
        name,
        "pub fn start() {\n    tokio::spawn(async { loop { tick().await; } });\n}\n",
    );
    for format in ["gitlab", "rdjson"] {
        let value: serde_json::Value =
            serde_json::from_str(&run(dir.path(), format)).expect("JSON");
        let path = if format == "gitlab" {
            &value[0]["location"]["path"]
        } else {
            &value["diagnostics"][0]["location"]["path"]
        };
        assert_eq!(path, name, "{format}");
    }
    let line = run(dir.path(), "cargo-json");
    assert_eq!(line.lines().count(), 1, "one message, one line: {line}");
    let message: cargo_metadata::Message = serde_json::from_str(line.trim()).expect("a message");
    let cargo_metadata::Message::CompilerMessage(message) = message else {
        panic!("{line}");
    };
    assert_eq!(message.message.spans[0].file_name, name);

    // XML 1.0 cannot carry ESC: it is shown as `\u{1b}`; the rest comes back.
    let xml = run(dir.path(), "junit");
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let suite = doc
        .descendants()
        .find(|n| n.has_tag_name("testsuite"))
        .expect("a suite");
    assert_eq!(
        suite.attribute("name"),
        Some("a:1:2: error\nb<&>\\u{1b}.rs")
    );
}
