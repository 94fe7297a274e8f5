//! Every `fixtures/<rule-id>/*.rs` is linted with only that rule selected.
//! A line that must be reported carries `//~ <rule-id>` (or `//~^ <rule-id>`
//! for the line above); every other line must stay quiet. The rendered human
//! output of each fixture is an insta snapshot. Each fixture is linted as a
//! crate of its own, crate pass included.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use tasklint::config::settings::Settings;
use tasklint::lint::crate_pass::lint_alone;
use tasklint::lint::engine::FileJob;
use tasklint::report::render::{self, Format, Report};

/// Lines marked as expected for `rule` in a fixture.
fn expected_lines(source: &str, rule: &str) -> BTreeSet<usize> {
    let mut lines = BTreeSet::new();
    for (index, line) in source.lines().enumerate() {
        for marker in line.split("//~").skip(1) {
            let up = marker.chars().take_while(|c| *c == '^').count();
            let ids = marker[up..].trim();
            if ids.split([',', ' ']).any(|id| id == rule) {
                lines.insert(index + 1 - up);
            }
        }
    }
    lines
}

fn lint_fixture(path: &Path) -> (String, BTreeSet<usize>, BTreeSet<usize>) {
    let rule = path
        .parent()
        .and_then(Path::file_name)
        .and_then(|n| n.to_str())
        .expect("fixture folder is a rule id")
        .to_string();
    let source = std::fs::read_to_string(path).expect("fixture is readable");
    let mut settings = Settings::default();
    settings
        .apply_selection(Some(std::slice::from_ref(&rule)), &[], &[])
        .expect("fixture folder names a rule");
    let display = format!(
        "fixtures/{rule}/{}",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("")
    );
    let job = FileJob {
        display: display.clone(),
        is_test_file: false,
        settings: &settings,
        prefilter: true,
        skip_generated: false,
        handle_fields: None,
        krate: None,
    };
    let outcome = lint_alone(source.clone(), &job);
    for finding in &outcome.findings {
        let first = finding.message.chars().next().unwrap_or('x');
        assert!(
            first.is_lowercase() || first == '`',
            "{display}: message starts lowercase: {}",
            finding.message
        );
        assert!(
            !finding.message.ends_with('.'),
            "{display}: no trailing period: {}",
            finding.message
        );
        assert!(
            !finding.help.is_empty(),
            "{display}: every finding has a help line"
        );
    }
    let reported: BTreeSet<usize> = outcome.findings.iter().map(|f| f.region.line).collect();
    let expected = expected_lines(&source, &rule);
    let sources = HashMap::from([(display, source)]);
    let report = Report {
        findings: &outcome.findings,
        sources: &sources,
        files_scanned: 1,
        color: false,
    };
    (render::render(Format::Human, &report), expected, reported)
}

#[test]
fn fixtures_report_exactly_the_marked_lines() {
    insta::glob!("../fixtures", "*/*.rs", |path| {
        let (rendered, expected, reported) = lint_fixture(path);
        assert_eq!(
            expected,
            reported,
            "{}: marked lines (left) differ from reported lines (right)\n{rendered}",
            path.display()
        );
        insta::assert_snapshot!(rendered);
    });
}

#[test]
fn prefilter_does_not_change_findings() {
    insta::glob!("../fixtures", "*/*.rs", |path| {
        let source = std::fs::read_to_string(path).expect("fixture is readable");
        let mut settings = Settings::default();
        settings
            .apply_selection(Some(&["all".to_string()]), &[], &[])
            .expect("all");
        let run = |prefilter| {
            let job = FileJob {
                display: "fixture.rs".to_string(),
                is_test_file: false,
                settings: &settings,
                prefilter,
                skip_generated: false,
                handle_fields: None,
                krate: None,
            };
            let outcome = lint_alone(source.clone(), &job);
            outcome
                .findings
                .iter()
                .map(|f| (f.rule.id, f.region, f.message.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(run(true), run(false), "{}", path.display());
    });
}

#[test]
fn truncated_fixtures_never_crash_the_linter() {
    let mut settings = Settings::default();
    settings
        .apply_selection(Some(&["all".to_string()]), &[], &[])
        .expect("all");
    insta::glob!("../fixtures", "*/*.rs", |path| {
        let source = std::fs::read_to_string(path).expect("fixture is readable");
        let cuts: Vec<usize> = (0..source.len())
            .step_by(13)
            .filter(|i| source.is_char_boundary(*i))
            .collect();
        for cut in cuts {
            let job = FileJob {
                display: "truncated.rs".to_string(),
                is_test_file: false,
                settings: &settings,
                prefilter: false,
                skip_generated: false,
                handle_fields: None,
                krate: None,
            };
            let outcome = lint_alone(source[..cut].to_string(), &job);
            for finding in &outcome.findings {
                assert!(
                    !finding.message.starts_with("tasklint failed"),
                    "{} cut at byte {cut}: {}",
                    path.display(),
                    finding.message
                );
            }
        }
    });
}
