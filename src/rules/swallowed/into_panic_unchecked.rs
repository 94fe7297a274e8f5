use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{Expr, Stmt};

use crate::base::fasthash::FastMap;
use crate::base::finding::Region;
use crate::base::fix::{Edit, Fix};
use crate::base::rule::Severity;
use crate::base::rule::{Applicability, Family, Rule};
use crate::semantic::context::Cx;
use crate::syntax::macros::{macro_name, tokens_exit, tokens_mention};

pub static RULE: Rule = Rule {
    id: "into-panic-unchecked",
    family: Family::Swallowed,
    severity: Severity::Error,
    default_enabled: true,
    in_tests: true,
    crate_wide: false,
    summary: "`JoinError::into_panic` is called without checking `is_panic()` first",
    triggers: &[&["into_panic"]],
    body_words: &[],
    doc: include_str!("../../../lints/into-panic-unchecked.md"),
    fix: Applicability::Safe,
};

pub fn check(expr: &Expr, guarded: &[Region], fixes: &FastMap<Region, Fix>, cx: &Cx<'_>) {
    let Expr::MethodCall(m) = expr else { return };
    if m.method != "into_panic" || !m.args.is_empty() {
        return;
    }
    let region = Region::from_span(expr.span());
    if guarded.iter().any(|g| super::contains(*g, region)) {
        return;
    }
    let error = cx.text(m.receiver.span());
    cx.report_with_fix(
        &RULE,
        region,
        format!("`{error}.into_panic()` panics itself when the task was cancelled rather than panicking"),
        format!("check `{error}.is_panic()` first, or use `{error}.try_into_panic()`"),
        fixes.get(&region).cloned(),
    );
}

/// `resume_unwind(e.into_panic())` with `e` a plain name: the `e` and the
/// region of `e.into_panic()`.
fn resume_unwind_of(expr: &Expr) -> Option<(String, Region)> {
    let Expr::Call(call) = expr else { return None };
    if !crate::syntax::exprs::path_text(&call.func).ends_with("resume_unwind")
        || call.args.len() != 1
    {
        return None;
    }
    let arg = call.args.first()?;
    let Expr::MethodCall(m) = arg else {
        return None;
    };
    let Expr::Path(p) = &*m.receiver else {
        return None;
    };
    let name = p.path.get_ident()?.to_string();
    (m.method == "into_panic" && m.args.is_empty()).then(|| (name, Region::from_span(arg.span())))
}

/// The guard around `resume_unwind(e.into_panic())` at `code`: a cancelled
/// task's error is no longer turned into a panic of its own.
fn guard(name: &str, code: Region) -> Fix {
    Fix::safe(
        format!("re-raise the panic only when `{name}.is_panic()`"),
        vec![
            Edit::insert_before(code, format!("if {name}.is_panic() {{ ")),
            Edit::insert_after(code, " }"),
        ],
    )
}

/// Fixes for the `into_panic()`s of a block whose statement
/// `resume_unwind(e.into_panic());` can be guarded as it stands.
pub fn fixes_in_block(stmts: &[Stmt]) -> Vec<(Region, Fix)> {
    stmts
        .iter()
        .filter_map(|stmt| match stmt {
            Stmt::Expr(expr, Some(_)) => {
                let (name, at) = resume_unwind_of(expr)?;
                Some((at, guard(&name, Region::from_span(stmt.span()))))
            }
            _ => None,
        })
        .collect()
}

/// Fixes where the value of `resume_unwind(e.into_panic())` is `()` once
/// guarded: a `match` arm whose other arms are all `{}` or `()`, or the
/// only expression of an `if` without `else`.
pub fn fixes_in_expr(expr: &Expr) -> Vec<(Region, Fix)> {
    let is_unit = |e: &Expr| match e {
        Expr::Block(b) => b.block.stmts.is_empty() && b.label.is_none(),
        Expr::Tuple(t) => t.elems.is_empty(),
        _ => false,
    };
    match expr {
        Expr::Match(m) => {
            let mut found = Vec::new();
            for (i, arm) in m.arms.iter().enumerate() {
                let Some((name, at)) = resume_unwind_of(&arm.body) else {
                    continue;
                };
                let others_unit = m
                    .arms
                    .iter()
                    .enumerate()
                    .all(|(j, other)| j == i || is_unit(&other.body));
                if others_unit {
                    let body = Region::from_span(crate::syntax::spans::expr(&arm.body));
                    found.push((at, guard(&name, body)));
                }
            }
            found
        }
        Expr::If(e) if e.else_branch.is_none() => match e.then_branch.stmts.as_slice() {
            [Stmt::Expr(tail, None)] => resume_unwind_of(tail)
                .map(|(name, at)| {
                    let code = Region::from_span(crate::syntax::spans::expr(tail));
                    vec![(at, guard(&name, code))]
                })
                .unwrap_or_default(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

fn mentions(expr: &Expr, word: &str) -> bool {
    tokens_mention(&expr.to_token_stream(), word)
}

fn checks_kind(expr: &Expr) -> bool {
    mentions(expr, "is_panic") || mentions(expr, "is_cancelled")
}

/// Regions an expression makes safe: the branches of an `if` on
/// `is_panic()`/`is_cancelled()`, a match arm guarded by `is_panic()`, the
/// arms after one guarded by `is_cancelled()`, the arguments of
/// `e.is_panic().then(..)`.
pub fn guarded_by(expr: &Expr) -> Vec<Region> {
    match expr {
        Expr::If(e) if checks_kind(&e.cond) => {
            vec![Region::from_span(crate::syntax::spans::expr(expr))]
        }
        Expr::Match(m) => {
            if checks_kind(&m.expr) {
                return vec![Region::from_span(crate::syntax::spans::expr(expr))];
            }
            let mut regions = Vec::new();
            let mut after_cancelled = false;
            for arm in &m.arms {
                let guard = arm.guard.as_ref().map(|(_, g)| &**g);
                if after_cancelled || guard.is_some_and(|g| mentions(g, "is_panic")) {
                    regions.push(Region::from_span(crate::syntax::spans::expr(&arm.body)));
                }
                if guard.is_some_and(|g| mentions(g, "is_cancelled")) {
                    after_cancelled = true;
                }
            }
            regions
        }
        Expr::MethodCall(m)
            if matches!(m.method.to_string().as_str(), "then" | "then_some")
                && mentions(&m.receiver, "is_panic") =>
        {
            m.args.iter().map(|a| Region::from_span(a.span())).collect()
        }
        Expr::Binary(b) if matches!(b.op, syn::BinOp::And(_)) && checks_kind(&b.left) => {
            vec![Region::from_span(crate::syntax::spans::expr(&b.right))]
        }
        _ => Vec::new(),
    }
}

/// `if e.is_cancelled() { return; }`, `assert!(e.is_panic())`: the rest of the block is safe.
pub fn guarded_by_early_exit(stmts: &[Stmt], _cx: &Cx<'_>) -> Vec<Region> {
    let mut regions = Vec::new();
    for (i, stmt) in stmts.iter().enumerate() {
        let guards = match stmt {
            Stmt::Expr(Expr::If(e), _) => checks_kind(&e.cond) && exits(&e.then_branch),
            Stmt::Macro(m) => {
                macro_name(&m.mac).contains("assert") && tokens_mention(&m.mac.tokens, "is_panic")
            }
            _ => false,
        };
        if let (true, Some(first), Some(last)) = (guards, stmts.get(i + 1), stmts.last()) {
            regions.push(Region::covering(first.span(), last.span()));
        }
    }
    regions
}

fn exits(block: &syn::Block) -> bool {
    let tokens = block.to_token_stream();
    tokens_exit(&tokens)
        || tokens_mention(&tokens, "continue")
        || tokens_mention(&tokens, "panic")
        || tokens_mention(&tokens, "resume_unwind")
}
