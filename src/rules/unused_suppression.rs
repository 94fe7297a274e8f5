use crate::finding::Severity;
use crate::rules::{Family, Rule};
use crate::suppress::MARKER;

/// Judged in [`crate::suppress`], where the comments are read.
pub static RULE: Rule = Rule {
    id: "unused-suppression",
    family: Family::General,
    severity: Severity::Note,
    default_enabled: true,
    summary: "a `// tasklint: allow(..)` comment silences nothing or names an unknown rule",
    triggers: &[&[MARKER]],
    body_words: &[],
    doc: include_str!("../../lints/unused-suppression.md"),
};
