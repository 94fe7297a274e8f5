use syn::spanned::Spanned;
use syn::Expr;

use crate::base::finding::Region;
use crate::base::rule::Severity;
use crate::base::rule::{Applicability, Family, Rule};
use crate::semantic::context::Cx;
use crate::semantic::handles::Class;

pub static RULE: Rule = Rule {
    id: "abort-spawn-blocking",
    family: Family::Shutdown,
    severity: Severity::Warning,
    default_enabled: true,
    in_tests: false,
    crate_wide: false,
    summary: "`abort()` on a `spawn_blocking` task does nothing once it has started",
    triggers: &[&["spawn_blocking"]],
    // `self.task.abort()` in a body that names nothing else of the task.
    body_words: &["abort"],
    doc: include_str!("../../../lints/abort-spawn-blocking.md"),
    fix: Applicability::DisplayOnly,
};

pub fn check(call: &Expr, receiver: &Expr, cx: &Cx<'_>) {
    let handle = cx.text(receiver.span());
    cx.report(
        &RULE,
        Region::from_span(call.span()),
        format!("`{handle}` runs a `spawn_blocking` closure, which `abort()` cannot stop once it has started"),
        "have the closure check a stop flag (an `AtomicBool` or a channel) and set it instead, then await the handle",
    );
}

/// `AbortOnDropHandle::new(h)` (tokio-util), where `h` is a `spawn_blocking`
/// task's handle, spawned right there or bound in the same function: the
/// guard's abort on drop cannot stop the closure once it has started.
pub fn check_guard<'a>(call: &'a syn::ExprCall, cx: &Cx<'a>) {
    let Expr::Path(func) = &*call.func else {
        return;
    };
    let segments = &func.path.segments;
    let n = segments.len();
    if n < 2 || segments[n - 1].ident != "new" || segments[n - 2].ident != "AbortOnDropHandle" {
        return;
    }
    // Another crate's `AbortOnDropHandle` is not tokio-util's.
    if !cx
        .resolve(&func.path)
        .is_some_and(|path| crate::knowledge::spawner::is_abort_guard_constructor(&path))
    {
        return;
    }
    let Some(arg) = call.args.first() else { return };
    let blocking = match crate::syntax::exprs::peel_result(arg) {
        spawn @ (Expr::Call(_) | Expr::MethodCall(_)) => {
            cx.spawn_call(spawn).is_some_and(|s| s.is_blocking)
        }
        handle @ Expr::Path(_) => cx.enclosing_fn().is_some_and(|f| {
            matches!(
                cx.handles(f).class_of(handle, cx),
                Some(Class::Handle(k)) if k.blocking
            )
        }),
        _ => false,
    };
    if blocking {
        let handle = cx.text(arg.span());
        cx.report(
            &RULE,
            Region::from_span(call.span()),
            format!("`AbortOnDropHandle` aborts `{handle}`, a `spawn_blocking` task, when dropped; `abort()` cannot stop the closure once it has started"),
            "have the closure check a stop flag (an `AtomicBool` or a channel) that the owner sets when dropped, instead of relying on the abort",
        );
    }
}
