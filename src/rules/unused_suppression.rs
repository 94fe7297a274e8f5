use crate::base::rule::Severity;
use crate::base::rule::{Applicability, Family, Rule, SUPPRESSION_MARKER};

/// Judged in [`crate::lint::suppress`], where the comments are read.
pub static RULE: Rule = Rule {
    id: "unused-suppression",
    family: Family::General,
    severity: Severity::Note,
    default_enabled: true,
    in_tests: true,
    crate_wide: false,
    summary: "a `// tasklint: allow(..)` comment silences nothing or names an unknown rule",
    triggers: &[&[SUPPRESSION_MARKER]],
    body_words: &[],
    doc: include_str!("../../lints/unused-suppression.md"),
    fix: Applicability::DisplayOnly,
};
