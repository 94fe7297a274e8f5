//! Every registered rule has its doc, its fixtures (reported and accepted
//! cases), and messages in the house style.

use std::path::Path;

use tasklint::rules;

const DOC_SECTIONS: &[&str] = &[
    "## What it does",
    "## Why is this bad",
    "## Example",
    "## Use instead",
    "## Fix safety",
    "## Known limits",
];

#[test]
fn every_rule_has_a_doc_with_every_section() {
    for rule in rules::ALL {
        let path = format!("lints/{}.md", rule.id);
        let on_disk =
            std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{path} is missing"));
        assert_eq!(on_disk, rule.doc, "{path} is not the doc the rule embeds");
        assert!(
            rule.doc.starts_with(&format!("# {}\n", rule.id)),
            "{path} must start with `# {}`",
            rule.id
        );
        for section in DOC_SECTIONS {
            assert!(rule.doc.contains(section), "{path} lacks `{section}`");
        }
    }
}

#[test]
fn every_doc_and_fixture_folder_belongs_to_a_rule() {
    for entry in std::fs::read_dir("lints").expect("lints/ exists") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        let id = name.trim_end_matches(".md");
        assert!(
            rules::by_id(id).is_some(),
            "lints/{name} documents no registered rule"
        );
    }
    for entry in std::fs::read_dir("fixtures").expect("fixtures/ exists") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        assert!(
            name == "crates" || rules::by_id(&name).is_some(),
            "fixtures/{name} is for no registered rule"
        );
    }
}

#[test]
fn every_rule_has_reported_and_accepted_fixtures() {
    for rule in rules::ALL {
        let dir = Path::new("fixtures").join(rule.id);
        let mut reported = 0;
        let mut accepted = 0;
        for entry in
            std::fs::read_dir(&dir).unwrap_or_else(|_| panic!("{} is missing", dir.display()))
        {
            let path = entry.expect("entry").path();
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("fixture is readable");
            if text.contains("//~") {
                reported += 1;
            }
            if path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("ok_"))
            {
                assert!(
                    !text.contains("//~"),
                    "{}: an `ok_` fixture marks no line",
                    path.display()
                );
                accepted += 1;
            }
        }
        assert!(
            reported > 0,
            "{} has no fixture with a `//~` marked line",
            dir.display()
        );
        assert!(
            accepted > 0,
            "{} has no `ok_*.rs` fixture of accepted code",
            dir.display()
        );
    }
}

#[test]
fn rule_metadata_follows_the_house_style() {
    for rule in rules::ALL {
        let id_ok = rule.id.chars().all(|c| c.is_ascii_lowercase() || c == '-');
        assert!(id_ok, "{}: ids are kebab-case", rule.id);
        let first = rule.summary.chars().next().expect("summary is not empty");
        assert!(
            first.is_lowercase() || first == '`',
            "{}: summary starts lowercase",
            rule.id
        );
        assert!(
            !rule.summary.ends_with('.'),
            "{}: summary has no trailing period",
            rule.id
        );
    }
}

/// Each promise of the README's Reliability section names the tests that
/// back it, in brackets: every one named must exist, and every promise
/// (a bullet or a bold-led paragraph) must name one, or say how it is tested.
#[test]
fn every_reliability_promise_names_tests_that_exist() {
    let readme = std::fs::read_to_string("README.md").expect("README.md");
    let section = readme
        .split("\n## Reliability\n")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("README has a Reliability section");
    let mut tests = String::new();
    for entry in std::fs::read_dir("tests").expect("tests/").flatten() {
        if entry
            .file_name()
            .to_string_lossy()
            .starts_with("reliability_")
        {
            tests.push_str(&std::fs::read_to_string(entry.path()).expect("readable"));
        }
    }
    let mut named = 0;
    for bracket in section.split('[').skip(1) {
        let Some((inside, _)) = bracket.split_once(']') else {
            continue;
        };
        for name in inside.split(',').map(|n| n.trim().trim_matches('`')) {
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit())
            {
                continue;
            }
            assert!(
                tests.contains(&format!("fn {name}(")),
                "README names `{name}`, which is no test in tests/reliability_*.rs"
            );
            named += 1;
        }
    }
    assert!(named >= 30, "only {named} tests named");
    // Every bullet is a promise: each names its tests.
    let mut bullet = String::new();
    for line in section.lines().chain(["- "]) {
        if line.starts_with("- ") || line.trim().is_empty() {
            assert!(
                bullet.is_empty() || bullet.contains("`]"),
                "a Reliability promise names no test: {bullet}"
            );
            bullet.clear();
        }
        if line.starts_with("- ") || (!bullet.is_empty() && line.starts_with("  ")) {
            bullet.push_str(line);
            bullet.push('\n');
        }
    }
}

/// Every `RULE` declared under `src/rules/` is in the registry, once.
#[test]
fn every_rule_in_src_rules_is_registered() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules");
    let mut declared = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("src/rules is readable") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("a source file");
            let Some(at) = text.find("pub static RULE: Rule = Rule {") else {
                continue;
            };
            let id = text[at..]
                .split("id: \"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .expect("a RULE names its id first");
            declared.push(id.to_string());
        }
    }
    declared.sort();
    let mut registered: Vec<String> = rules::ALL.iter().map(|r| r.id.to_string()).collect();
    registered.sort();
    let before = registered.len();
    registered.dedup();
    assert_eq!(before, registered.len(), "a rule is registered twice");
    assert_eq!(declared, registered, "src/rules/ against rules::ALL");
}

/// The README's rules table lists the registry's rules, in its order, with
/// their family, default severity and default state.
#[test]
fn the_readme_rules_table_matches_the_registry() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let rules_section = readme
        .split("\n## ")
        .find(|section| section.starts_with("Rules\n"))
        .expect("a Rules section");
    let rows: Vec<Vec<String>> = rules_section
        .lines()
        .filter(|line| line.starts_with("| `"))
        .map(|line| {
            line.trim_matches('|')
                .split(" | ")
                .take(4)
                .map(|cell| cell.trim().trim_matches('`').to_string())
                .collect()
        })
        .collect();
    let expected: Vec<Vec<String>> = rules::ALL
        .iter()
        .map(|rule| {
            vec![
                rule.id.to_string(),
                rule.family.name().to_string(),
                rule.severity.as_str().to_string(),
                if rule.default_enabled { "on" } else { "off" }.to_string(),
            ]
        })
        .collect();
    assert_eq!(rows, expected, "README.md's rules table against rules::ALL");
}

#[test]
fn every_fix_safety_section_names_the_rules_applicability() {
    use tasklint::base::fix::Applicability;
    for rule in rules::ALL {
        let section = rule
            .doc
            .split("## Fix safety")
            .nth(1)
            .and_then(|rest| rest.split("\n## ").next())
            .unwrap_or("");
        let says = match rule.fix {
            Applicability::Safe => "**safe**",
            Applicability::Unsafe => "**unsafe**",
            Applicability::DisplayOnly => "(display-only)",
        };
        assert!(
            section.contains(says),
            "lints/{}.md: its `## Fix safety` must say {says}",
            rule.id
        );
    }
}
