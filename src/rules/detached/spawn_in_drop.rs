use crate::base::rule::Severity;
use crate::base::rule::{Applicability, Family, Rule};
use crate::semantic::context::Cx;
use crate::semantic::frames::SpawnCall;

pub static RULE: Rule = Rule {
    id: "spawn-in-drop",
    family: Family::Detached,
    severity: Severity::Warning,
    default_enabled: true,
    in_tests: false,
    crate_wide: false,
    summary: "a task is spawned inside `Drop::drop`",
    triggers: &[&["spawn"]],
    body_words: &[],
    doc: include_str!("../../../lints/spawn-in-drop.md"),
    fix: Applicability::DisplayOnly,
};

pub fn check(call: &SpawnCall<'_>, cx: &Cx<'_>) {
    cx.report(
        &RULE,
        call.region,
        format!(
            "task spawned with `{}` in `Drop::drop` may never run at runtime shutdown, and outlives the value",
            call.name
        ),
        "move the cleanup into an `async fn close(self)` (or `shutdown`) that callers await before dropping the value",
    );
}
