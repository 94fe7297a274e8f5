use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{Expr, Pat, Stmt};

use super::handles_failure;
use crate::base::finding::Region;
use crate::base::fix::{Edit, Fix};
use crate::base::rule::Severity;
use crate::base::rule::{Applicability, Family, Rule};
use crate::knowledge::spawner::Kind;
use crate::semantic::context::Cx;
use crate::semantic::handles::{Class, Handles, Use};
use crate::syntax::exprs::{peel_by, transparent};
use crate::syntax::macros::tokens_mention;

pub static RULE: Rule = Rule {
    id: "ignored-join-error",
    family: Family::Swallowed,
    severity: Severity::Warning,
    default_enabled: true,
    in_tests: true,
    crate_wide: false,
    summary: "the result of joining a task is thrown away, hiding its panic",
    triggers: &[&["spawn"], &["JoinHandle"], &["join_next"], &["JoinSet"]],
    body_words: &[],
    doc: include_str!("../../../lints/ignored-join-error.md"),
    fix: Applicability::Unsafe,
};

/// A join whose `Err` is thrown away.
pub struct Discard {
    /// The join: `h.await`, `set.join_next().await`.
    pub region: Region,
    pub text: String,
    pub how: &'static str,
    pub fix: Option<Fix>,
}

pub fn report(discard: &Discard, cx: &Cx<'_>) {
    cx.report_with_fix(
        &RULE,
        discard.region,
        format!(
            "the `JoinError` from `{}` is {}, so a panic in the task goes unnoticed",
            discard.text, discard.how
        ),
        "handle the `Err`: propagate it with `?`, log it, or `std::panic::resume_unwind(e.into_panic())` when `e.is_panic()`",
        discard.fix.clone(),
    );
}

/// What the rule knows in a function: its handles, and the locals that hold
/// a join's `Result` (`let res = h.await;`, `while let Some(res) = set.join_next().await`).
pub struct Scope<'m, 'a> {
    pub model: &'m Handles<'a>,
    pub results: &'m [ResultBinding],
}

/// A local holding a join's `Result`.
#[derive(Debug, Clone)]
pub struct ResultBinding {
    pub name: String,
    /// Where its pattern binds it.
    pub at: (usize, usize),
}

/// The locals bound to a join's `Result` by this statement or expression.
pub fn result_bindings<'a>(
    expr: Option<&Expr>,
    local: Option<&syn::Local>,
    scope: &Scope<'_, 'a>,
    cx: &Cx<'a>,
) -> Vec<ResultBinding> {
    let mut out = Vec::new();
    let mut bind = |pat: &Pat, in_option_wanted: bool, joined: &Expr| {
        let Some(j) = join(joined, scope, cx).filter(|j| !j.wrapped) else {
            return;
        };
        let inner = match (pat, j.in_option) {
            (Pat::TupleStruct(ts), true) if ts.elems.len() == 1 && ts.path.is_ident("Some") => {
                ts.elems.first()
            }
            (Pat::Ident(_), false) if !in_option_wanted => Some(pat),
            _ => None,
        };
        if let Some(Pat::Ident(ident)) = inner {
            if ident.subpat.is_none() {
                let start = ident.ident.span().start();
                out.push(ResultBinding {
                    name: ident.ident.to_string(),
                    at: (start.line, start.column + 1),
                });
            }
        }
    };
    if let Some(local) = local {
        if let Some(init) = &local.init {
            let pat = match &local.pat {
                Pat::Type(t) => &*t.pat,
                other => other,
            };
            bind(pat, false, &init.expr);
        }
    }
    match expr {
        Some(Expr::If(e)) => {
            if let Expr::Let(l) = &*e.cond {
                bind(&l.pat, true, &l.expr);
            }
        }
        Some(Expr::While(w)) => {
            if let Expr::Let(l) = &*w.cond {
                bind(&l.pat, true, &l.expr);
            }
        }
        Some(Expr::Match(m)) => {
            for arm in &m.arms {
                bind(&arm.pat, true, &m.expr);
            }
        }
        _ => {}
    }
    out
}

/// A join expression: awaiting a task handle, or a `JoinSet`'s next result.
struct Join {
    region: Region,
    text: String,
    /// `Option<Result<..>>` (`join_next`) rather than `Result<..>`.
    in_option: bool,
    /// The join's result is wrapped (`timeout(d, h).await`) or one of many
    /// (`join_all(handles).await`): only the discarding forms apply.
    wrapped: bool,
}

fn join<'a>(expr: &Expr, scope: &Scope<'_, 'a>, cx: &Cx<'a>) -> Option<Join> {
    let expr = peel(expr);
    let mut wrapped = false;
    let in_option = match expr {
        Expr::Await(a) => {
            let mut base = peel_ref(&a.base);
            if let Some(inner) = wrapped_join(base, scope.model, cx) {
                wrapped = true;
                base = inner;
            }
            if let (false, Some(in_option)) = (wrapped, join_next(base, scope.model, cx)) {
                if aborted_set(base, scope.model) {
                    return None;
                }
                in_option
            } else {
                match scope.model.class_of(base, cx) {
                    Some(Class::Handle(k)) if k.join_error && k.kind != Kind::AbortHandle => {
                        if aborted_before(base, scope.model) {
                            return None;
                        }
                        false
                    }
                    Some(Class::Holder(k))
                        if wrapped && k.join_error && k.kind != Kind::AbortHandle =>
                    {
                        if aborted_before(base, scope.model) {
                            return None;
                        }
                        false
                    }
                    _ => return None,
                }
            }
        }
        Expr::MethodCall(m) if m.method == "try_join_next" => {
            join_next(expr, scope.model, cx)?;
            if aborted_set(expr, scope.model) {
                return None;
            }
            true
        }
        Expr::Path(p) => {
            let name = p.path.get_ident()?.to_string();
            let bound = scope
                .model
                .bound_at(&name, Region::from_span(crate::syntax::spans::expr(expr)))?;
            scope
                .results
                .iter()
                .find(|r| r.name == name && r.at == bound)?;
            false
        }
        _ => return None,
    };
    Some(Join {
        region: Region::from_span(expr.span()),
        text: cx.text(expr.span()),
        in_option,
        wrapped,
    })
}

/// `tokio::time::timeout(d, h)`, `join_all(handles)`: the `h` or `handles`.
fn wrapped_join<'e, 'a>(expr: &'e Expr, model: &Handles<'a>, cx: &Cx<'a>) -> Option<&'e Expr> {
    let Expr::Call(call) = expr else { return None };
    let func = crate::syntax::exprs::path_text(&call.func);
    let inner = match (func.rsplit("::").next(), call.args.len()) {
        (Some("timeout"), 2) => call.args.last()?,
        (Some("join_all"), 1) => call.args.first()?,
        _ => return None,
    };
    let inner = peel_ref(inner);
    model.class_of(inner, cx)?;
    Some(inner)
}

/// `set.join_next()`, `set.try_join_next()` on a `JoinSet`, or `futs.next()`
/// on a collection of tokio handles: `Some(true)` (the result is an `Option`).
fn join_next<'a>(expr: &Expr, model: &Handles<'a>, cx: &Cx<'a>) -> Option<bool> {
    let Expr::MethodCall(m) = expr else {
        return None;
    };
    let method = m.method.to_string();
    match (model.class_of(&m.receiver, cx), method.as_str()) {
        (
            Some(Class::JoinSet),
            "join_next" | "try_join_next" | "join_next_with_id" | "try_join_next_with_id",
        ) => Some(true),
        (Some(Class::Holder(k)), "next") if k.join_error && k.kind != Kind::AbortHandle => {
            Some(true)
        }
        _ => None,
    }
}

/// `set.abort_all(); while let Some(_) = set.join_next().await {}`: draining a cancelled set.
fn aborted_set(join_next: &Expr, model: &Handles<'_>) -> bool {
    let Expr::MethodCall(m) = join_next else {
        return false;
    };
    aborted_before(&m.receiver, model)
}

/// `h.abort(); let _ = h.await;`: waiting out a cancellation.
fn aborted_before(handle: &Expr, model: &Handles<'_>) -> bool {
    let Some(binding) = model.binding_of(handle) else {
        return false;
    };
    let at = Region::from_span(crate::syntax::spans::expr(handle));
    model
        .siblings(binding)
        .any(|b| b.happened_before(Use::Aborted, at) || b.happened_before(Use::AbortAll, at))
}

fn peel(expr: &Expr) -> &Expr {
    peel_by(expr, transparent)
}

/// Through parentheses and `&`.
fn peel_ref(expr: &Expr) -> &Expr {
    peel_by(expr, |e| match e {
        Expr::Reference(r) => Some(&*r.expr),
        _ => transparent(e),
    })
}

/// `if let PAT = h.await { BODY }` (no `else`) and `while let PAT = set.join_next().await { BODY }`:
/// reported unless the pattern and body handle the failure.
fn let_join<'a>(
    cond: &Expr,
    block: &syn::Block,
    how: &'static str,
    scope: &Scope<'_, 'a>,
    cx: &Cx<'a>,
) -> Vec<Discard> {
    let Expr::Let(l) = cond else {
        return Vec::new();
    };
    let Some(j) = join(&l.expr, scope, cx).filter(|j| !j.wrapped) else {
        return Vec::new();
    };
    let body = Expr::Block(syn::ExprBlock {
        attrs: Vec::new(),
        label: None,
        block: block.clone(),
    });
    if arm_handles(&l.pat, j.in_option, &body, cx) {
        Vec::new()
    } else {
        discard(j, how)
    }
}

fn discard(join: Join, how: &'static str) -> Vec<Discard> {
    vec![Discard {
        region: join.region,
        text: join.text,
        how,
        fix: None,
    }]
}

/// `let _ = h.await;` or `_ = h.await;` alone on its lines, `h` a task
/// handle: rewritten to re-raise the task's panic and ignore only its
/// cancellation. `prefix` is `let _ = ` or `_ = `, `stmt` the statement.
fn reraise_fix(prefix: Region, awaited: &Expr, stmt: Region, cx: &Cx<'_>) -> Option<Fix> {
    let indent = crate::rules::layout::whole_lines(cx, stmt)?;
    let unit = crate::base::fix::indent_unit(&indent);
    let after = Region::from_span(crate::syntax::spans::expr(awaited));
    let tail = crate::rules::layout::between_ends(after, stmt);
    let body = format!(
        " {{\n{indent}{unit}if err.is_panic() {{\n{indent}{unit}{unit}std::panic::resume_unwind(err.into_panic());\n{indent}{unit}}}\n{indent}}}"
    );
    Some(Fix::unsafe_(
        "re-raise the task's panic and ignore only its cancellation",
        vec![
            Edit::replace(prefix, "if let Err(err) = "),
            Edit::replace(tail, body),
        ],
    ))
}

/// A plain join of one task's handle (`h.await`, not `set.join_next()` or
/// `timeout(..)`), for [`reraise_fix`].
fn plain_await<'e, 'a>(
    expr: &'e Expr,
    scope: &Scope<'_, 'a>,
    cx: &Cx<'a>,
) -> Option<(&'e Expr, Join)> {
    if !matches!(expr, Expr::Await(_)) {
        return None;
    }
    let j = join(expr, scope, cx)?;
    (!j.in_option && !j.wrapped).then_some((expr, j))
}

/// `let _ = h.await;`, `let _r = h.await;` (never read), `h.await.ok();`.
pub fn block<'a>(stmts: &[Stmt], scope: &Scope<'_, 'a>, cx: &Cx<'a>) -> Vec<Discard> {
    let mut found = Vec::new();
    for (i, stmt) in stmts.iter().enumerate() {
        match stmt {
            Stmt::Local(local) => {
                let Some(init) = &local.init else { continue };
                let pat = match &local.pat {
                    Pat::Type(t) => &*t.pat,
                    other => other,
                };
                let discarded = match pat {
                    Pat::Wild(_) => true,
                    Pat::Ident(ident) if ident.ident.to_string().starts_with('_') => {
                        let name = ident.ident.to_string();
                        !stmts[i + 1..]
                            .iter()
                            .any(|s| tokens_mention(&s.to_token_stream(), &name))
                    }
                    _ => false,
                };
                if let Expr::Macro(m) = &*init.expr {
                    found.extend(join_macro(&m.mac, Some(pat), scope, cx));
                    continue;
                }
                if discarded {
                    let plain = matches!(local.pat, Pat::Wild(_)) && local.attrs.is_empty();
                    if let Some((awaited, j)) =
                        plain.then(|| plain_await(&init.expr, scope, cx)).flatten()
                    {
                        let prefix = crate::rules::layout::between_starts(
                            Region::from_span(local.let_token.span),
                            Region::from_span(crate::syntax::spans::expr(awaited)),
                        );
                        let fix = reraise_fix(prefix, awaited, Region::from_span(stmt.span()), cx);
                        found.extend(discard(j, "discarded").into_iter().map(|d| Discard {
                            fix: fix.clone(),
                            ..d
                        }));
                    } else if let Some(join) = join(strip_ok(&init.expr), scope, cx) {
                        found.extend(discard(join, "discarded"));
                    }
                }
            }
            Stmt::Expr(Expr::Assign(a), Some(_)) if matches!(&*a.left, Expr::Infer(_)) => {
                if let Expr::Macro(m) = &*a.right {
                    let wild = Pat::Wild(syn::PatWild {
                        attrs: Vec::new(),
                        underscore_token: Default::default(),
                    });
                    found.extend(join_macro(&m.mac, Some(&wild), scope, cx));
                }
                if let Some((awaited, j)) = plain_await(&a.right, scope, cx) {
                    let prefix = crate::rules::layout::between_starts(
                        Region::from_span(a.left.span()),
                        Region::from_span(crate::syntax::spans::expr(awaited)),
                    );
                    let fix = reraise_fix(prefix, awaited, Region::from_span(stmt.span()), cx);
                    found.extend(discard(j, "discarded").into_iter().map(|d| Discard {
                        fix: fix.clone(),
                        ..d
                    }));
                }
            }
            Stmt::Expr(awaited @ Expr::Await(a), Some(_)) => {
                // `Vec` is not `#[must_use]`: rustc is silent about `join_all(hs).await;`.
                if let Some(join) = join(awaited, scope, cx).filter(|j| j.wrapped) {
                    if matches!(peel_ref(&a.base), Expr::Call(c) if crate::syntax::exprs::path_text(&c.func).ends_with("join_all"))
                    {
                        found.extend(discard(join, "discarded"));
                    }
                }
            }
            Stmt::Macro(m) => found.extend(join_macro(&m.mac, None, scope, cx)),
            Stmt::Expr(Expr::Macro(m), Some(_)) => {
                found.extend(join_macro(&m.mac, None, scope, cx));
            }
            Stmt::Expr(Expr::MethodCall(m), Some(_)) if m.method == "ok" && m.args.is_empty() => {
                if let Some(join) = join(&m.receiver, scope, cx) {
                    found.extend(discard(join, "discarded by `.ok()`"));
                }
            }
            _ => {}
        }
    }
    found
}

/// `h.await.ok()`: the `h.await`.
fn strip_ok(expr: &Expr) -> &Expr {
    match peel(expr) {
        Expr::MethodCall(m) if m.method == "ok" && m.args.is_empty() => &m.receiver,
        other => other,
    }
}

/// The expression forms: `_ = h.await`, `.unwrap_or(..)`, `if let Ok(..)`,
/// `match`, `while let Some(_) = set.join_next().await`.
pub fn expr<'a>(expr: &Expr, scope: &Scope<'_, 'a>, cx: &Cx<'a>) -> Vec<Discard> {
    match expr {
        Expr::Assign(a) if matches!(&*a.left, Expr::Infer(_)) => {
            join(strip_ok(&a.right), scope, cx)
                .map(|j| discard(j, "discarded"))
                .unwrap_or_default()
        }
        Expr::MethodCall(m) => {
            let method = m.method.to_string();
            let how = match method.as_str() {
                // `.unwrap_or(Err(Error::TaskFailed))` still fails.
                "unwrap_or" if !m.args.first().is_some_and(|a| handles_failure(a, None, cx)) => {
                    "replaced by `.unwrap_or(..)`"
                }
                "unwrap_or_default" => "replaced by `.unwrap_or_default()`",
                "unwrap_or_else" if !closure_handles(m.args.first(), cx) => {
                    "replaced by `.unwrap_or_else(..)`"
                }
                "is_some" => "discarded",
                _ => return Vec::new(),
            };
            match join(&m.receiver, scope, cx) {
                Some(j) if !j.wrapped && j.in_option == (method == "is_some") => discard(j, how),
                _ => Vec::new(),
            }
        }
        Expr::If(e) if e.else_branch.is_none() => {
            let_join(&e.cond, &e.then_branch, "ignored by `if let`", scope, cx)
        }
        Expr::While(w) => let_join(&w.cond, &w.body, "ignored by `while let`", scope, cx),
        Expr::Match(m) => {
            let Some(j) = join(&m.expr, scope, cx).filter(|j| !j.wrapped) else {
                return Vec::new();
            };
            if match_handles(&m.arms, j.in_option, cx) {
                Vec::new()
            } else {
                discard(j, "ignored by a `match` arm")
            }
        }
        _ => Vec::new(),
    }
}

/// `.unwrap_or_else(|e| ..)` that uses `e`, logs, panics or propagates.
fn closure_handles(arg: Option<&Expr>, cx: &Cx<'_>) -> bool {
    let Some(Expr::Closure(c)) = arg else {
        return true; // a function path: it receives the error
    };
    let name = c.inputs.first().and_then(bound_name);
    handles_failure(&c.body, name.as_deref(), cx)
}

fn bound_name(pat: &Pat) -> Option<String> {
    match pat {
        Pat::Ident(i) if !i.ident.to_string().starts_with('_') => Some(i.ident.to_string()),
        Pat::Type(t) => bound_name(&t.pat),
        _ => None,
    }
}

/// What part of a join result a pattern takes the error with.
enum ErrPart<'p> {
    /// The pattern never matches an `Err` (`Ok(..)`, `None`).
    None,
    /// `Err(p)`: the error is matched by `p`.
    Err(&'p Pat),
    /// `r`, `Some(r)`: the whole result is bound.
    Whole(&'p Pat),
    /// `_`, `Some(_)`: matched and thrown away.
    Wild,
}

fn err_part(pat: &Pat, in_option: bool) -> ErrPart<'_> {
    match pat {
        Pat::Wild(_) | Pat::Rest(_) => ErrPart::Wild,
        Pat::Ident(i) if i.subpat.is_none() => {
            let name = i.ident.to_string();
            if name.starts_with(|c: char| c.is_uppercase()) {
                ErrPart::None // `None`, a constant or unit variant
            } else if name.starts_with('_') {
                ErrPart::Wild
            } else {
                ErrPart::Whole(pat)
            }
        }
        Pat::Paren(p) => err_part(&p.pat, in_option),
        Pat::Reference(r) => err_part(&r.pat, in_option),
        Pat::Or(or) => {
            // The most error-revealing case decides.
            let mut best = ErrPart::None;
            for case in &or.cases {
                match err_part(case, in_option) {
                    ErrPart::None => {}
                    part @ (ErrPart::Err(_) | ErrPart::Whole(_)) => return part,
                    ErrPart::Wild => best = ErrPart::Wild,
                }
            }
            best
        }
        Pat::TupleStruct(ts) => {
            let name = crate::syntax::names::last_segment(&ts.path);
            match (name.as_str(), in_option, ts.elems.first()) {
                ("Some", true, Some(inner)) if ts.elems.len() == 1 => err_part(inner, false),
                ("Err", false, Some(inner)) if ts.elems.len() == 1 => match inner {
                    Pat::Wild(_) | Pat::Rest(_) => ErrPart::Wild,
                    _ => ErrPart::Err(inner),
                },
                // `Some((id, res))` from `join_next_with_id`... `Ok((id, v))` etc.
                ("Some", true, Some(_)) => ErrPart::Wild,
                _ => ErrPart::None,
            }
        }
        Pat::Tuple(t) if in_option => t.elems.last().map_or(ErrPart::None, |p| err_part(p, true)),
        _ => ErrPart::None,
    }
}

/// Names a pattern binds (not `_`-prefixed).
fn pat_names(pat: &Pat, out: &mut Vec<String>) {
    match pat {
        Pat::Ident(i) => {
            if !i.ident.to_string().starts_with('_') {
                out.push(i.ident.to_string());
            }
            if let Some((_, sub)) = &i.subpat {
                pat_names(sub, out);
            }
        }
        Pat::TupleStruct(ts) => ts.elems.iter().for_each(|p| pat_names(p, out)),
        Pat::Tuple(t) => t.elems.iter().for_each(|p| pat_names(p, out)),
        Pat::Struct(s) => s.fields.iter().for_each(|f| pat_names(&f.pat, out)),
        Pat::Reference(r) => pat_names(&r.pat, out),
        Pat::Paren(p) => pat_names(&p.pat, out),
        Pat::Or(or) => or.cases.iter().for_each(|p| pat_names(p, out)),
        Pat::Type(t) => pat_names(&t.pat, out),
        _ => {}
    }
}

/// Does an arm (or `if let`/`while let` body) do something with the error
/// it matches? Arms that never see an error are fine.
fn arm_handles(pat: &Pat, in_option: bool, body: &Expr, cx: &Cx<'_>) -> bool {
    match err_part(pat, in_option) {
        ErrPart::None => false,
        ErrPart::Wild => handles_failure(body, None, cx),
        ErrPart::Err(p) | ErrPart::Whole(p) => {
            let mut names = Vec::new();
            pat_names(p, &mut names);
            names.iter().any(|n| handles_failure(body, Some(n), cx))
                || handles_failure(body, None, cx)
        }
    }
}

/// A `match` handles the error when every arm that can see one does
/// something with it, except an `is_cancelled()`-guarded arm beside one that
/// does, or a catch-all after an `is_panic()`-guarded arm that does.
fn match_handles(arms: &[syn::Arm], in_option: bool, cx: &Cx<'_>) -> bool {
    let sees_error: Vec<&syn::Arm> = arms
        .iter()
        .filter(|arm| !matches!(err_part(&arm.pat, in_option), ErrPart::None))
        .collect();
    let handled: Vec<bool> = sees_error
        .iter()
        .map(|arm| arm_handles(&arm.pat, in_option, &arm.body, cx))
        .collect();
    let guard_says = |arm: &syn::Arm, word: &str| {
        arm.guard
            .as_ref()
            .is_some_and(|(_, g)| tokens_mention(&g.to_token_stream(), word))
    };
    let any_handled = handled.iter().any(|h| *h);
    let mut panic_arm_handled = false;
    for (arm, handled) in sees_error.iter().zip(&handled) {
        if *handled {
            if guard_says(arm, "is_panic") {
                panic_arm_handled = true;
            }
            continue;
        }
        if guard_says(arm, "is_cancelled") && any_handled {
            continue;
        }
        if panic_arm_handled && arm.guard.is_none() {
            continue;
        }
        return false;
    }
    true
}

/// `select!` arms on a `JoinSet`'s next result whose pattern throws the
/// error away and whose handler does nothing with a failure:
/// `_ = set.join_next() => {}`, `Some(_) = set.join_next() => ..`, or one
/// that binds the result and never reads it.
pub fn select_arms<'a>(
    select: &crate::syntax::macros::SelectMacro,
    scope: &Scope<'_, 'a>,
    cx: &Cx<'a>,
) -> Vec<Discard> {
    let mut found = Vec::new();
    for arm in &select.arms {
        let future = peel_ref(&arm.future);
        if join_next(future, scope.model, cx).is_none() || aborted_set(future, scope.model) {
            continue;
        }
        // `None` or `Some(Ok(v))` alone: the arm never sees an error, and the
        // tool does not judge which branches a failed match disables.
        if matches!(err_part(&arm.pat, true), ErrPart::None) {
            continue;
        }
        if arm_handles(&arm.pat, true, &arm.handler, cx) {
            continue;
        }
        found.push(Discard {
            region: Region::from_span(arm.future.span()),
            text: cx.text(arm.future.span()),
            how: "discarded by a `select!` arm",
            fix: None,
        });
    }
    found
}

/// `let _ = tokio::join!(a, b);`, `let (_, _) = join!(a, b);`,
/// `join!(a, b);`, `let _ = try_join!(a, b);` where `a`, `b` are task
/// handles: each handle whose result the pattern throws away.
/// `pat` is `None` for a statement.
pub fn join_macro<'a>(
    mac: &syn::Macro,
    pat: Option<&Pat>,
    scope: &Scope<'_, 'a>,
    cx: &Cx<'a>,
) -> Vec<Discard> {
    let Some(last) = mac.path.segments.last() else {
        return Vec::new();
    };
    let try_join = if last.ident == "join" {
        false
    } else if last.ident == "try_join" {
        true
    } else {
        return Vec::new();
    };
    let Some(crate::syntax::macros::Expansion::Exprs(args)) = cx.expansions.get(mac) else {
        return Vec::new();
    };
    // Which results the pattern throws away, by position.
    let wild = |p: &Pat| match p {
        Pat::Wild(_) => true,
        Pat::Ident(i) => i.subpat.is_none() && i.ident.to_string().starts_with('_'),
        _ => false,
    };
    let discarded = |i: usize| match pat {
        // `try_join!(..);` is a `Result` statement: rustc's `unused_must_use` says so.
        None => !try_join,
        Some(p) if wild(p) => true,
        Some(Pat::Tuple(t)) if !try_join => t.elems.iter().nth(i).is_some_and(wild),
        _ => false,
    };
    let how = if try_join {
        "discarded with the `try_join!` result"
    } else {
        "discarded with the `join!` result"
    };
    let mut found = Vec::new();
    for (i, arg) in args.iter().enumerate() {
        if !discarded(i) {
            continue;
        }
        let handle = peel_ref(arg);
        let is_handle = matches!(
            scope.model.class_of(handle, cx),
            Some(Class::Handle(k)) if k.join_error && k.kind != Kind::AbortHandle
        );
        if !is_handle || aborted_before(handle, scope.model) {
            continue;
        }
        found.push(Discard {
            region: Region::from_span(crate::syntax::spans::expr(arg)),
            text: cx.text(crate::syntax::spans::expr(arg)),
            how,
            fix: None,
        });
    }
    found
}
