use crate::base::finding::Severity;
use crate::lint::suppress::MARKER;
use crate::rules::{Family, Rule};

/// Judged in [`crate::lint::suppress`], where the comments are read.
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
