use super::Disposal;
use crate::base::rule::Severity;
use crate::base::rule::{Applicability, Family, Rule};
use crate::semantic::context::Cx;
use crate::semantic::frames::SpawnCall;

pub static RULE: Rule = Rule {
    id: "dropped-task-cancels",
    family: Family::Detached,
    severity: Severity::Error,
    default_enabled: true,
    in_tests: true,
    crate_wide: false,
    summary:
        "a cancel-on-drop task (smol, async-executor, glommio) is dropped at once and never runs",
    triggers: &[&["spawn"]],
    body_words: &[],
    doc: include_str!("../../../lints/dropped-task-cancels.md"),
    fix: Applicability::Unsafe,
};

pub fn check(call: &SpawnCall<'_>, disposal: &Disposal, cx: &Cx<'_>) {
    if !disposal.is_immediate() {
        return; // `let _task = ..` keeps the task alive to the end of the scope
    }
    cx.report(
        &RULE,
        call.region,
        format!(
            "the task from `{}` is dropped at once, which cancels it before it runs",
            call.name
        ),
        "call `.detach()` to let it run on its own, or keep the `Task` and `.await` it",
    );
}
