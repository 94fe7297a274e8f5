use super::Disposal;
use crate::base::rule::Severity;
use crate::base::rule::{Applicability, Family, Rule};
use crate::semantic::context::Cx;
use crate::semantic::frames::SpawnCall;

pub static RULE: Rule = Rule {
    id: "detached-thread",
    family: Family::Detached,
    severity: Severity::Warning,
    default_enabled: false,
    in_tests: false,
    crate_wide: false,
    summary: "a thread is spawned and its `JoinHandle` dropped, detaching it",
    triggers: &[&["spawn"]],
    body_words: &[],
    doc: include_str!("../../../lints/detached-thread.md"),
    fix: Applicability::DisplayOnly,
};

pub fn check(call: &SpawnCall<'_>, disposal: &Disposal, cx: &Cx<'_>) {
    if matches!(disposal, Disposal::UnwaitedChild(_)) {
        return;
    }
    cx.report(
        &RULE,
        call.region,
        format!("the handle of the thread spawned with `{}` is dropped, so the thread is detached", call.name),
        "keep the `JoinHandle` and `join()` it, use `std::thread::scope`, or write `drop(handle)` if detaching is intended",
    );
}
