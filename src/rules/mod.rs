//! The rule registry: every rule is declared once, beside its check, and
//! everything else (`rules`, `explain`, selection, SARIF, the prefilter)
//! reads [`ALL`].

use crate::base::finding::Severity;
use crate::config::settings::Settings;
use crate::semantic::walk::Check;

pub mod detached;
pub mod parse_error;
pub mod shutdown;
pub mod swallowed;
pub mod unused_suppression;

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
    pub summary: &'static str,
    /// What a file must contain for this rule to report anything in it:
    /// every word of at least one group. The prefilter skips other files.
    pub triggers: &'static [&'static [&'static str]],
    /// Words that, besides the triggers, keep a function's body from being
    /// masked before parsing (see [`crate::text::mask`]).
    pub body_words: &'static [&'static str],
    /// `lints/<id>.md`.
    pub doc: &'static str,
}

impl Rule {
    /// Does this rule look at test code (SPEC §1)?
    pub fn applies_to_tests(&self) -> bool {
        matches!(self.family, Family::Swallowed | Family::General)
            || self.id == "dropped-task-cancels"
    }
}

impl PartialEq for Rule {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

/// Every rule, in the order `tasklint rules` lists them.
pub static ALL: &[&Rule] = &[
    &detached::endless_task::RULE,
    &detached::detached_spawn::RULE,
    &detached::dropped_task_cancels::RULE,
    &detached::detached_thread::RULE,
    &detached::unreaped_child::RULE,
    &detached::spawn_in_drop::RULE,
    &swallowed::ignored_join_error::RULE,
    &swallowed::swallowed_cancellation::RULE,
    &swallowed::into_panic_unchecked::RULE,
    &shutdown::abort_without_await::RULE,
    &shutdown::abort_spawn_blocking::RULE,
    &shutdown::undrained_join_set::RULE,
    &shutdown::tracker_wait_without_close::RULE,
    &shutdown::unjoined_handle_field::RULE,
    &parse_error::RULE,
    &unused_suppression::RULE,
];

pub fn by_id(id: &str) -> Option<&'static Rule> {
    ALL.iter().copied().find(|r| r.id == id)
}

pub fn index_of(rule: &Rule) -> Option<usize> {
    ALL.iter().position(|r| r.id == rule.id)
}

/// The checks that can report any of the enabled rules.
pub fn checks<'a>(settings: &Settings) -> Vec<Box<dyn Check<'a> + 'a>> {
    let mut checks: Vec<Box<dyn Check<'a> + 'a>> = Vec::new();
    if settings
        .enabled_rules()
        .any(|r| r.family == Family::Detached)
    {
        checks.push(Box::new(detached::Detached::default()));
    }
    if settings
        .enabled_rules()
        .any(|r| r.family == Family::Swallowed)
    {
        checks.push(Box::new(swallowed::Swallowed::default()));
    }
    // `unjoined-handle-field` collects facts through the engine, for the crate pass.
    if settings
        .enabled_rules()
        .any(|r| r.family == Family::Shutdown && r.id != shutdown::unjoined_handle_field::RULE.id)
    {
        checks.push(Box::new(shutdown::Shutdown));
    }
    checks
}
