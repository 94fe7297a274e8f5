use crate::base::finding::Severity;
use crate::rules::{Family, Rule};

pub static RULE: Rule = Rule {
    id: "parse-error",
    family: Family::General,
    severity: Severity::Error,
    default_enabled: true,
    summary: "a source file could not be read or parsed",
    triggers: &[],
    body_words: &[],
    doc: include_str!("../../lints/parse-error.md"),
};
