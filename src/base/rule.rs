//! What a rule is: its id, family, default severity, trigger words and
//! documentation, declared once beside its check (the registry is
//! [`crate::rules::ALL`]); and sets of enabled rules.

use std::fmt;

use serde::{Deserialize, Serialize};

pub use crate::base::fix::Applicability;

/// The text that starts a suppression comment (`// tasklint: allow(..)`):
/// the prefilter lets a file that holds it through.
pub const SUPPRESSION_MARKER: &str = "tasklint:";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        match text {
            "note" => Some(Severity::Note),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Family {
    Detached,
    Swallowed,
    Shutdown,
    /// Rules about the run itself: `parse-error`, `unused-suppression`.
    General,
}

impl Family {
    pub fn name(self) -> &'static str {
        match self {
            Family::Detached => "detached",
            Family::Swallowed => "swallowed",
            Family::Shutdown => "shutdown",
            Family::General => "general",
        }
    }
}

#[derive(Debug)]
pub struct Rule {
    pub id: &'static str,
    pub family: Family,
    pub severity: Severity,
    pub default_enabled: bool,
    /// Does this rule look at test code without `lint-tests` (SPEC §1)?
    pub in_tests: bool,
    /// Reported by the crate pass, after every file's own stage, from
    /// facts the files leave; not by a check of the per-file walk.
    pub crate_wide: bool,
    pub summary: &'static str,
    /// What a file must contain for this rule to report anything in it:
    /// every word of at least one group. The prefilter skips other files.
    pub triggers: &'static [&'static [&'static str]],
    /// Words that, besides the triggers, keep a function's body from being
    /// masked before parsing (see [`crate::text::mask`]).
    pub body_words: &'static [&'static str],
    /// `lints/<id>.md`.
    pub doc: &'static str,
    /// How safe its fixes are; `DisplayOnly` when it offers none (its
    /// help says what to do). Its doc's `## Fix safety` says why.
    pub fix: Applicability,
}

impl PartialEq for Rule {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

/// A set of rules: the ones a run has enabled.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleSet {
    rules: Vec<&'static Rule>,
}

impl RuleSet {
    pub fn new(rules: impl IntoIterator<Item = &'static Rule>) -> RuleSet {
        let mut set = RuleSet::default();
        for rule in rules {
            set.insert(rule);
        }
        set
    }

    pub fn contains(&self, rule: &Rule) -> bool {
        self.rules.iter().any(|r| r.id == rule.id)
    }

    pub fn insert(&mut self, rule: &'static Rule) {
        if !self.contains(rule) {
            self.rules.push(rule);
        }
    }

    pub fn remove(&mut self, rule: &Rule) {
        self.rules.retain(|r| r.id != rule.id);
    }

    /// The rules, in the order they were added.
    pub fn iter(&self) -> impl Iterator<Item = &'static Rule> + '_ {
        self.rules.iter().copied()
    }
}
