use quote::ToTokens;
use syn::{Expr, Stmt};

use super::Disposal;
use crate::base::rule::Severity;
use crate::base::rule::{Applicability, Family, Rule};
use crate::semantic::context::Cx;
use crate::semantic::frames::{SpawnCall, TaskBody};
use crate::semantic::signals;

pub static RULE: Rule = Rule {
    id: "detached-spawn",
    family: Family::Detached,
    severity: Severity::Warning,
    default_enabled: false,
    in_tests: false,
    crate_wide: false,
    summary: "a one-shot task is spawned and its handle dropped, detaching it",
    triggers: &[&["spawn"]],
    body_words: &[],
    doc: include_str!("../../../lints/detached-spawn.md"),
    fix: Applicability::DisplayOnly,
};

pub fn check(call: &SpawnCall<'_>, disposal: &Disposal, body: Option<TaskBody<'_>>, cx: &Cx<'_>) {
    // A task whose body returns a `Result` loses an error when detached, not
    // just a task: the exemptions that say who ends the task (per item, a
    // signal, an owner, an actor loop) say nothing about where its `Err` goes.
    let loses_error = body.is_some_and(super::returns_result);
    // The handles of a `.map(..)` closure thrown away together: one-shot
    // spawns in a closure, not per-item spawns that each drop their own.
    let per_item = cx.is_per_item() && *disposal != Disposal::Mapped;
    if !loses_error && (per_item || is_owned_elsewhere(call, body, cx)) {
        return;
    }
    if loses_error && call.task.is_some_and(is_cancellable_future) {
        return;
    }
    let name = &call.name;
    let lost = if loses_error {
        " and the `Err` it returns is lost"
    } else {
        ""
    };
    let message = match disposal {
        Disposal::UnreadBinding(binding) if binding.starts_with('_') => format!(
            "`{binding}` does not keep the task spawned with `{name}` attached: its handle is dropped at the end of the scope{lost}"
        ),
        Disposal::UnreadBinding(binding) => {
            format!("`{binding}`, the handle of the task spawned with `{name}`, is never used, so the task is detached{lost}")
        }
        Disposal::Mapped => format!(
            "the handles of the tasks spawned with `{name}` in `.map(..)` are thrown away together, so every task is detached{lost}"
        ),
        _ => format!("the handle of the task spawned with `{name}` is dropped, so the task is detached{lost}"),
    };
    let help = if loses_error {
        "keep the `JoinHandle` and handle its `Result` (await it, or spawn onto a `JoinSet` that is drained), or handle the error inside the task (log it)"
    } else {
        "keep the `JoinHandle` and await or abort it on shutdown, spawn onto a `JoinSet` or `TaskTracker`, or write `drop(handle)` if detaching is intended"
    };
    cx.report(&RULE, call.region, message, help);
}

/// The exemptions of SPEC §2, and those the corpus review added: a task
/// something else ends, watches or owns.
fn is_owned_elsewhere(call: &SpawnCall<'_>, body: Option<TaskBody<'_>>, cx: &Cx<'_>) -> bool {
    let Some(task) = call.task else { return false };
    if is_cancellable_future(task)
        || is_handed_in(task)
        || mentions_owner_link(TaskBody::Expr(task))
    {
        return true;
    }
    let Some(body) = body else { return false };
    if signals::body_watches_signal(body, cx) || mentions_owner_link(body) {
        return true;
    }
    let TaskBody::Block(block) = body else {
        return false;
    };
    is_connection_driver(&block.stmts) || is_actor_loop(&block.stmts)
}

/// A future built elsewhere and handed in (`fn execute(&self, fut: F) {
/// tokio::spawn(fut) }`, `let (svc, worker) = pair(); tokio::spawn(worker)`):
/// its body is not visible here, and the code that built it decides how it ends.
fn is_handed_in(task: &Expr) -> bool {
    match task {
        Expr::Path(_) | Expr::Field(_) => true,
        Expr::Paren(p) => is_handed_in(&p.expr),
        Expr::MethodCall(m) if crate::syntax::exprs::is_future_adapter(&m.method.to_string()) => {
            is_handed_in(&m.receiver)
        }
        Expr::Call(call) => {
            matches!(&*call.func, Expr::Path(p) if p.path.segments.len() == 2
                && p.path.segments[0].ident == "Box" && p.path.segments[1].ident == "pin")
                && call.args.first().is_some_and(is_handed_in)
        }
        _ => false,
    }
}

/// A body that holds its owner only through a `Weak` (it ends when the
/// owner is dropped), or that is handed a stop/shutdown handle (whoever holds
/// the other end owns it).
fn mentions_owner_link(body: TaskBody<'_>) -> bool {
    let tokens = match body {
        TaskBody::Block(b) => b.to_token_stream(),
        TaskBody::Expr(e) => e.to_token_stream(),
    };
    any_ident(&tokens, &|ident| {
        ident == "upgrade" || signals::is_shutdown_name(ident, &[])
    })
}

fn any_ident(tokens: &proc_macro2::TokenStream, pred: &dyn Fn(&str) -> bool) -> bool {
    tokens.clone().into_iter().any(|tree| match tree {
        proc_macro2::TokenTree::Ident(i) => pred(&i.to_string()),
        proc_macro2::TokenTree::Group(g) => any_ident(&g.stream(), pred),
        _ => false,
    })
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

/// The connection-driver idiom: the body awaits one future and handles its
/// outcome inside (`if let Err(e) = conn.await {..}`, `match conn.await
/// {..}`, `conn.await.unwrap_or_else(..)`, `let e = conn.await; log(e)`);
/// statements before it may not await.
fn is_connection_driver(stmts: &[Stmt]) -> bool {
    let awaits: usize = stmts.iter().map(count_awaits).sum();
    if awaits != 1 {
        return false;
    }
    let Some(position) = stmts.iter().position(|s| count_awaits(s) == 1) else {
        return false;
    };
    match &stmts[position] {
        // `conn.await;` throws the outcome away.
        Stmt::Expr(Expr::Await(_), _) => false,
        Stmt::Expr(Expr::If(e), _) => {
            matches!(&*e.cond, Expr::Let(l) if pattern_names_err(&l.pat) || e.else_branch.is_some())
                || count_awaits_expr(&e.cond) == 1
        }
        Stmt::Expr(Expr::Match(m), _) => m.arms.iter().any(|arm| pattern_names_err(&arm.pat)),
        Stmt::Expr(Expr::MethodCall(m), _) => matches!(
            m.method.to_string().as_str(),
            "unwrap_or_else" | "map_err" | "inspect_err" | "or_else" | "unwrap_or_default"
        ),
        // `let e = conn.await;` with `e` read afterwards.
        Stmt::Local(local) => match &local.pat {
            syn::Pat::Ident(ident) => {
                super::mentioned_in(&ident.ident.to_string(), &stmts[position + 1..])
            }
            syn::Pat::Wild(_) => false,
            _ => true,
        },
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

/// `while let Some(msg) = rx.recv().await { .. }` at the body's top level:
/// the task ends when the senders (or the stream) are gone.
fn is_actor_loop(stmts: &[Stmt]) -> bool {
    stmts.iter().any(|stmt| {
        matches!(stmt, Stmt::Expr(Expr::While(w), _)
            if matches!(&*w.cond, Expr::Let(l) if count_awaits_expr(&l.expr) > 0))
    })
}

fn count_awaits_expr(expr: &Expr) -> usize {
    count_awaits(&Stmt::Expr(expr.clone(), None))
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
            if crate::syntax::macros::tokens_mention(&mac.tokens, "await") {
                self.0 += 1;
            }
        }
    }
    let mut awaits = Awaits(0);
    syn::visit::Visit::visit_stmt(&mut awaits, stmt);
    awaits.0
}
