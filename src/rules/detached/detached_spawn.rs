use syn::{Expr, Stmt};

use super::Disposal;
use crate::finding::Severity;
use crate::rules::{Family, Rule};
use crate::signals;
use crate::walk::{Cx, SpawnCall, TaskBody};

pub static RULE: Rule = Rule {
    id: "detached-spawn",
    family: Family::Detached,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "a one-shot task is spawned and its handle dropped, detaching it",
    triggers: &["spawn"],
    doc: include_str!("../../../lints/detached-spawn.md"),
};

pub fn check(call: &SpawnCall<'_>, disposal: &Disposal, body: Option<TaskBody<'_>>, cx: &Cx<'_>) {
    if cx.is_per_item() || is_owned_elsewhere(call, body, cx) {
        return;
    }
    let name = &call.name;
    let message = match disposal {
        Disposal::UnreadBinding(binding) if binding.starts_with('_') => format!(
            "`{binding}` does not keep the task spawned with `{name}` attached: its handle is dropped at the end of the scope"
        ),
        Disposal::UnreadBinding(binding) => {
            format!("`{binding}`, the handle of the task spawned with `{name}`, is never used, so the task is detached")
        }
        _ => format!("the handle of the task spawned with `{name}` is dropped, so the task is detached"),
    };
    cx.report(
        &RULE,
        call.region,
        message,
        "keep the `JoinHandle` and await or abort it on shutdown, spawn onto a `JoinSet` or `TaskTracker`, or write `drop(handle)` if detaching is intended",
    );
}

/// The exemptions of SPEC §2: a task something else ends or watches.
fn is_owned_elsewhere(call: &SpawnCall<'_>, body: Option<TaskBody<'_>>, cx: &Cx<'_>) -> bool {
    if call.task.is_some_and(is_cancellable_future) {
        return true;
    }
    let Some(body) = body else { return false };
    if signals::body_watches_signal(body, cx) {
        return true;
    }
    let TaskBody::Block(block) = body else {
        return false;
    };
    let work = skip_leading_lets(&block.stmts);
    is_connection_driver(work) || is_actor_loop(work)
}

/// `fut.with_cancellation_token(&t)`, `t.run_until_cancelled(fut)`.
fn is_cancellable_future(task: &Expr) -> bool {
    let mut expr = task;
    while let Expr::MethodCall(m) = expr {
        let method = m.method.to_string();
        if method.contains("cancel") {
            return true;
        }
        expr = &m.receiver;
    }
    false
}

/// The statements after leading `let`s that do not await.
fn skip_leading_lets(stmts: &[Stmt]) -> &[Stmt] {
    let first_work = stmts
        .iter()
        .position(|stmt| !matches!(stmt, Stmt::Local(_)) || count_awaits(stmt) > 0)
        .unwrap_or(stmts.len());
    &stmts[first_work..]
}

/// One future awaited, its `Err` handled inside: `if let Err(e) = conn.await {..}`,
/// `match conn.await {..}`, `conn.await.unwrap_or_else(..)`.
fn is_connection_driver(work: &[Stmt]) -> bool {
    let [stmt] = work else { return false };
    let expr = match stmt {
        Stmt::Expr(expr, _) => expr,
        Stmt::Local(local) if matches!(local.pat, syn::Pat::Wild(_)) => match &local.init {
            Some(init) => &*init.expr,
            None => return false,
        },
        _ => return false,
    };
    if count_awaits(stmt) != 1 {
        return false;
    }
    match expr {
        Expr::If(e) => {
            matches!(&*e.cond, Expr::Let(l) if pattern_names_err(&l.pat) || e.else_branch.is_some())
        }
        Expr::Match(m) => m.arms.iter().any(|arm| pattern_names_err(&arm.pat)),
        Expr::MethodCall(m) => matches!(
            m.method.to_string().as_str(),
            "unwrap_or_else" | "map_err" | "inspect_err" | "or_else" | "unwrap_or_default"
        ),
        _ => false,
    }
}

fn pattern_names_err(pat: &syn::Pat) -> bool {
    match pat {
        syn::Pat::TupleStruct(ts) => ts.path.segments.last().is_some_and(|s| s.ident == "Err"),
        syn::Pat::Or(or) => or.cases.iter().any(pattern_names_err),
        _ => false,
    }
}

/// `while let Some(msg) = rx.recv().await { .. }`: ends when the senders are gone.
fn is_actor_loop(work: &[Stmt]) -> bool {
    let Some(Stmt::Expr(Expr::While(w), _)) = work.first() else {
        return false;
    };
    matches!(&*w.cond, Expr::Let(l) if matches!(&*l.expr, Expr::Await(_)))
}

fn count_awaits(stmt: &Stmt) -> usize {
    struct Awaits(usize);
    impl<'ast> syn::visit::Visit<'ast> for Awaits {
        fn visit_expr_await(&mut self, e: &'ast syn::ExprAwait) {
            self.0 += 1;
            syn::visit::visit_expr_await(self, e);
        }
        fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
        fn visit_expr_async(&mut self, _: &'ast syn::ExprAsync) {}
        fn visit_macro(&mut self, mac: &'ast syn::Macro) {
            if crate::macros::tokens_mention(&mac.tokens, "await") {
                self.0 += 1;
            }
        }
    }
    let mut awaits = Awaits(0);
    syn::visit::Visit::visit_stmt(&mut awaits, stmt);
    awaits.0
}
