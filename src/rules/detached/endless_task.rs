use crate::base::finding::Region;
use crate::base::rule::Severity;
use crate::base::rule::{Applicability, Family, Rule};
use crate::semantic::context::Cx;
use crate::semantic::frames::{SpawnCall, TaskBody};

pub static RULE: Rule = Rule {
    id: "detached-endless-task",
    family: Family::Detached,
    severity: Severity::Warning,
    default_enabled: true,
    in_tests: false,
    crate_wide: false,
    summary: "a task that loops forever is spawned and its handle dropped",
    triggers: &[&["spawn"]],
    body_words: &[],
    doc: include_str!("../../../lints/detached-endless-task.md"),
    fix: Applicability::DisplayOnly,
};

/// Reports the spawn if its body has a loop nothing leaves; says whether it did.
pub fn check(call: &SpawnCall<'_>, body: TaskBody<'_>, cx: &Cx<'_>) -> bool {
    let Some(endless) = super::endless_loop(body, cx.expansions) else {
        return false;
    };
    let line = Region::from_span(endless.loop_token.span).line;
    cx.report(
        &RULE,
        call.region,
        format!(
            "task spawned with `{}` runs a loop that never ends (line {line}) and its handle is dropped",
            call.name
        ),
        "keep the `JoinHandle` and abort the task on shutdown, or let the loop `break` on a cancellation signal",
    );
    true
}
