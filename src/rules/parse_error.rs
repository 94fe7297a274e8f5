use crate::base::rule::Severity;
use crate::base::rule::{Applicability, Family, Rule};

pub static RULE: Rule = Rule {
    id: "parse-error",
    family: Family::General,
    severity: Severity::Error,
    default_enabled: true,
    in_tests: true,
    crate_wide: false,
    summary: "a source file could not be read or parsed",
    triggers: &[],
    body_words: &[],
    doc: include_str!("../../lints/parse-error.md"),
    fix: Applicability::DisplayOnly,
};
