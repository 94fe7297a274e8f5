use super::{Disposal, Written};
use crate::base::finding::Region;
use crate::base::fix::{Edit, Fix};
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

pub fn check(call: &SpawnCall<'_>, disposal: &Disposal, written: Option<Written<'_>>, cx: &Cx<'_>) {
    if !disposal.is_immediate() {
        return; // `let _task = ..` keeps the task alive to the end of the scope
    }
    let end = Region::from_span(crate::syntax::spans::expr(call.expr));
    // `.detach()` on the call itself: `ex.spawn(f);`, or `let _ = ex.spawn(f);` without its `let _ = `.
    let edits = match written {
        Some(Written::Statement(stmt)) if std::ptr::eq(stmt, call.expr) => {
            Some(vec![Edit::insert_after(end, ".detach()")])
        }
        Some(Written::Underscore(prefix)) => Some(vec![
            Edit::replace(prefix, ""),
            Edit::insert_after(end, ".detach()"),
        ]),
        _ => None,
    };
    let fix =
        edits.map(|edits| Fix::unsafe_("call `.detach()` on the task so that it runs", edits));
    cx.report_with_fix(
        &RULE,
        call.region,
        format!(
            "the task from `{}` is dropped at once, which cancels it before it runs",
            call.name
        ),
        "call `.detach()` to let it run on its own, or keep the `Task` and `.await` it",
        fix,
    );
}
