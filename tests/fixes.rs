//! Fixes on the fixtures (clippy's `.fixed` files, as insta snapshots):
//! every fixture of a rule that has a fix is fixed with that rule alone
//! selected, unsafe fixes included, in rounds as `check --fix` does; the
//! fixed text is a snapshot, it parses, the rule no longer reports what was
//! fixed, and fixing it again changes nothing.

use std::collections::BTreeMap;
use std::sync::Mutex;

use tasklint::base::finding::Finding;
use tasklint::base::fix::{Applicability, Fix};
use tasklint::config::settings::Settings;
use tasklint::lint::crate_pass::lint_alone;
use tasklint::lint::engine::FileJob;
use tasklint::lint::fix::{applies, apply, MAX_ROUNDS};
use tasklint::rules;

fn lint(source: &str, settings: &Settings) -> Vec<Finding> {
    let job = FileJob {
        display: "fixture.rs".to_string(),
        is_test_file: false,
        settings,
        prefilter: true,
        skip_generated: false,
        handle_fields: None,
        krate: None,
    };
    lint_alone(source.to_string(), &job).findings
}

/// The text once every fix has been applied, and how many were.
fn fix_all(source: &str, settings: &Settings) -> (String, usize) {
    let mut text = source.to_string();
    let mut applied = 0;
    for _ in 0..MAX_ROUNDS {
        let findings = lint(&text, settings);
        let fixes: Vec<&Fix> = findings
            .iter()
            .filter_map(|f| f.fix.as_ref())
            .filter(|fix| applies(fix, true))
            .collect();
        let (fixed, done) = apply(&text, &fixes);
        if done.is_empty() {
            break;
        }
        applied += done.len();
        text = fixed;
    }
    (text, applied)
}

#[test]
fn fixed_fixtures_parse_are_quiet_and_stay_fixed() {
    let exercised: Mutex<BTreeMap<&str, usize>> = Mutex::default();
    insta::glob!("../fixtures", "*/*.rs", |path| {
        let id = path
            .parent()
            .and_then(|folder| folder.file_name())
            .and_then(|n| n.to_str())
            .expect("fixture folder is a rule id");
        let rule = rules::by_id(id).expect("fixture folder names a rule");
        if rule.fix == Applicability::DisplayOnly {
            return;
        }
        let mut settings = Settings::default();
        settings
            .apply_selection(Some(&[id.to_string()]), &[], &[])
            .expect("select the rule");
        let source = std::fs::read_to_string(path).expect("fixture is readable");
        let before = lint(&source, &settings);
        for finding in &before {
            if let Some(fix) = &finding.fix {
                assert_eq!(
                    fix.applicability,
                    rule.fix,
                    "{}: a fix of {id} is not of the rule's declared applicability",
                    path.display()
                );
            }
        }
        let (fixed, applied) = fix_all(&source, &settings);
        *exercised.lock().expect("lock").entry(rule.id).or_default() += applied;
        if let Err(err) = syn::parse_file(&fixed) {
            panic!(
                "{}: the fixed text does not parse: {err}\n{fixed}",
                path.display()
            );
        }
        let after = lint(&fixed, &settings);
        assert!(
            after.len() + applied <= before.len(),
            "{}: {applied} fixes applied, but {} of {} findings remain\n{fixed}",
            path.display(),
            after.len(),
            before.len()
        );
        assert!(
            after
                .iter()
                .all(|f| f.fix.as_ref().is_none_or(|fix| !applies(fix, true))),
            "{}: a fix is still offered after fixing",
            path.display()
        );
        let (again, more) = fix_all(&fixed, &settings);
        assert_eq!(
            (again.as_str(), more),
            (fixed.as_str(), 0),
            "fixing twice changed the text"
        );
        insta::assert_snapshot!(fixed);
    });
    for rule in rules::ALL {
        if rule.fix != Applicability::DisplayOnly {
            let count = exercised.lock().expect("lock").get(rule.id).copied();
            assert!(
                count.is_some_and(|n| n > 0),
                "no fixture of {} has a fix applied",
                rule.id
            );
        }
    }
}

/// Fixing and `--add-suppression`'s comments on every prefix of every
/// fixture (cut mid-token, mid-string) never panic, and fixes keep their
/// edits inside the text.
#[test]
fn fixing_truncated_fixtures_never_panics() {
    let mut settings = Settings::default();
    settings
        .apply_selection(Some(&["all".to_string()]), &[], &[])
        .expect("all");
    insta::glob!("../fixtures", "*/*.rs", |path| {
        let source = std::fs::read_to_string(path).expect("fixture is readable");
        let cuts = (0..source.len())
            .step_by(31)
            .filter(|i| source.is_char_boundary(*i));
        for cut in cuts {
            let text = &source[..cut];
            let findings = lint(text, &settings);
            for fix in findings.iter().filter_map(|f| f.fix.as_ref()) {
                assert!(fix
                    .edits
                    .iter()
                    .all(|e| e.start <= e.end && e.end <= text.len()));
            }
            let _ = fix_all(text, &settings);
            let refs: Vec<&Finding> = findings.iter().collect();
            let _ = tasklint::lint::fix::add_suppressions(text, &refs, "r");
        }
    });
}
