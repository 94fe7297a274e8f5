use syn::spanned::Spanned;
use syn::Expr;

use crate::finding::{Region, Severity};
use crate::rules::{Family, Rule};
use crate::walk::Cx;

pub static RULE: Rule = Rule {
    id: "abort-without-await",
    family: Family::Shutdown,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "a task is aborted and never awaited, so it may still be running",
    // A handle is known only from a spawn, a `JoinHandle` type or a `JoinSet`
    // in the same file; these are rarer than `abort` in huge generated files.
    triggers: &[&["spawn"], &["JoinHandle"], &["JoinSet"]],
    doc: include_str!("../../../lints/abort-without-await.md"),
};

/// Later uses of an aborted handle that do not wait for it.
pub const HANDLE_BENIGN: &[&str] = &["abort", "is_finished", "id", "abort_handle"];
/// Later uses of an `abort_all()`ed set that do not drain it.
pub const SET_BENIGN: &[&str] = &["abort_all", "len", "is_empty"];

pub fn check_handle(call: &Expr, receiver: &Expr, cx: &Cx<'_>) {
    let handle = cx.text(receiver.span());
    cx.report(
        &RULE,
        Region::from_span(call.span()),
        format!("task `{handle}` is aborted but never awaited, so it may still be running when this code goes on"),
        format!("await the handle after aborting it (`let _ = {handle}.await;` returns once the task has stopped)"),
    );
}

pub fn check_set(call: &Expr, receiver: &Expr, cx: &Cx<'_>) {
    let set = cx.text(receiver.span());
    cx.report(
        &RULE,
        Region::from_span(call.span()),
        format!("join set `{set}` is aborted but never drained, so its tasks may still be running when this code goes on"),
        format!("use `{set}.shutdown().await`, which aborts every task and waits for them to stop"),
    );
}
