//! The rule registry: every rule is declared once, beside its check, and
//! everything else (`rules`, `explain`, selection, SARIF, the prefilter)
//! reads [`ALL`].

use crate::base::rule::RuleSet;
use crate::base::rule::{Family, Rule};
use crate::semantic::walk::Check;

pub mod detached;
pub(crate) mod layout;
pub mod parse_error;
pub mod shutdown;
pub mod swallowed;
pub mod unused_suppression;

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

/// Every name that selects rules: `all`, each rule id and each family name
/// (a family once), for "did you mean".
pub fn selector_names() -> impl Iterator<Item = &'static str> {
    let mut families: Vec<&'static str> = ALL.iter().map(|r| r.family.name()).collect();
    families.dedup();
    std::iter::once("all")
        .chain(ALL.iter().map(|r| r.id))
        .chain(families)
}

pub fn index_of(rule: &Rule) -> Option<usize> {
    ALL.iter().position(|r| r.id == rule.id)
}

/// The checks that can report any of the enabled rules.
pub fn checks<'a>(enabled: &RuleSet) -> Vec<Box<dyn Check<'a> + 'a>> {
    let mut checks: Vec<Box<dyn Check<'a> + 'a>> = Vec::new();
    if enabled.iter().any(|r| r.family == Family::Detached) {
        checks.push(Box::new(detached::Detached::default()));
    }
    if enabled.iter().any(|r| r.family == Family::Swallowed) {
        checks.push(Box::new(swallowed::Swallowed::default()));
    }
    // A crate-wide rule collects facts through the engine, for the crate pass.
    if enabled
        .iter()
        .any(|r| r.family == Family::Shutdown && !r.crate_wide)
    {
        checks.push(Box::new(shutdown::Shutdown));
    }
    checks
}
