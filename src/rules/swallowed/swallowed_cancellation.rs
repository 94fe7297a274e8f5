use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::Expr;

use super::is_logging_macro;
use crate::base::finding::Region;
use crate::base::fix::{self, Edit, Fix};
use crate::base::rule::Severity;
use crate::base::rule::{Applicability, Family, Rule};
use crate::rules::layout;
use crate::semantic::context::Cx;
use crate::semantic::frames::Frame;
use crate::semantic::signals;
use crate::syntax::macros::SelectMacro;

pub static RULE: Rule = Rule {
    id: "swallowed-cancellation",
    family: Family::Swallowed,
    severity: Severity::Warning,
    default_enabled: true,
    in_tests: true,
    crate_wide: false,
    summary: "a `select!` arm in a loop receives a cancellation or shutdown signal and carries on",
    triggers: &[&["select!"], &["select_biased!"]],
    body_words: &[],
    doc: include_str!("../../../lints/swallowed-cancellation.md"),
    fix: Applicability::Unsafe,
};

/// `loop_expr` is the innermost loop around the `select!`, when the walk saw one.
pub fn check(select: &SelectMacro, loop_expr: Option<&Expr>, cx: &Cx<'_>) {
    if !in_loop(cx) {
        return;
    }
    let Some(loop_expr) = loop_expr else { return };
    // What the loop checks, found once for all the arms (not a walk of the
    // loop per arm: a `select!` with many arms would take quadratic time).
    let mut checks: Option<LoopChecks> = None;
    for arm in &select.arms {
        let future = peel_adapters(&arm.future);
        let is_signal = signals::is_signal_future(future, cx) || is_os_signal_stream(future, cx);
        if !is_signal || !does_nothing(&arm.handler) {
            continue;
        }
        let receiver = signal_receiver(future);
        let checks = checks.get_or_insert_with(|| LoopChecks::of(loop_expr));
        if checks.watches(receiver.as_deref()) {
            continue;
        }
        let future = cx.text(arm.future.span());
        cx.report_with_fix(
            &RULE,
            Region::covering(arm.pat.span(), arm.future.span()),
            format!("the cancellation signal `{future}` is swallowed: this `select!` arm does nothing and the loop goes on"),
            "`break` or `return` when the signal fires, or set a flag the loop checks",
            break_fix(&arm.handler, cx),
        );
    }
}

/// `break` as the handler of the arm: `()` and `continue` become `break`,
/// a block gets `break;` as its last statement (after its logging).
fn break_fix(handler: &Expr, cx: &Cx<'_>) -> Option<Fix> {
    let region = Region::from_span(crate::syntax::spans::expr(handler));
    let edits = match handler {
        Expr::Tuple(_) | Expr::Continue(_) => vec![Edit::replace(region, "break")],
        Expr::Block(b) => {
            let close = Region::from_span(b.block.brace_token.span.close());
            let mut edits = Vec::new();
            if let Some(last) = b.block.stmts.last() {
                let needs_semicolon = match last {
                    syn::Stmt::Expr(_, semi) => semi.is_none(),
                    syn::Stmt::Macro(m) => m.semi_token.is_none(),
                    _ => false,
                };
                if needs_semicolon {
                    edits.push(Edit::insert_after(Region::from_span(last.span()), ";"));
                }
            }
            match (b.block.stmts.last(), layout::starts_line(cx, close)) {
                // `}` on its own line: `break;` on a line of its own above it.
                (last, Some(indent)) if region.line != close.line => {
                    let inner = match last {
                        Some(last) => layout::starts_line(cx, Region::from_span(last.span()))
                            .unwrap_or_else(|| format!("{indent}{}", fix::indent_unit(&indent))),
                        None => format!("{indent}{}", fix::indent_unit(&indent)),
                    };
                    edits.push(Edit::insert(close.line, 1, format!("{inner}break;\n")));
                }
                (None, _) => edits = vec![Edit::replace(region, "{ break; }")],
                (Some(_), _) => edits.push(Edit::insert_before(close, "break; ")),
            }
            edits
        }
        _ => return None,
    };
    Some(Fix::unsafe_(
        "`break` out of the loop when the signal fires",
        edits,
    ))
}

/// `sigterm.recv()` where `let mut sigterm = signal(SignalKind::terminate())?;`
/// in the same function.
fn is_os_signal_stream(future: &Expr, cx: &Cx<'_>) -> bool {
    let Expr::MethodCall(m) = future else {
        return false;
    };
    if m.method != "recv" {
        return false;
    }
    let Some(name) = signals::receiver_name(&m.receiver) else {
        return false;
    };
    let Some(f) = cx.enclosing_fn() else {
        return false;
    };
    let mut finder = SignalLocal {
        name: &name,
        cx,
        found: false,
    };
    finder.visit_block(f.body);
    finder.found
}

struct SignalLocal<'n, 'c, 'a> {
    name: &'n str,
    cx: &'c Cx<'a>,
    found: bool,
}

impl<'ast> Visit<'ast> for SignalLocal<'_, '_, '_> {
    fn visit_local(&mut self, local: &'ast syn::Local) {
        let pat = match &local.pat {
            syn::Pat::Type(t) => &*t.pat,
            other => other,
        };
        if let (syn::Pat::Ident(ident), Some(init)) = (pat, &local.init) {
            if ident.ident == self.name
                && crate::semantic::signals::is_os_signal(&init.expr, self.cx)
            {
                self.found = true;
            }
        }
        syn::visit::visit_local(self, local);
    }

    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

/// `stop_rx.recv().fuse()`: the `stop_rx.recv()`.
fn peel_adapters(mut future: &Expr) -> &Expr {
    while let Expr::MethodCall(m) = future {
        if !crate::syntax::exprs::is_future_adapter(&m.method.to_string()) {
            break;
        }
        future = &m.receiver;
    }
    future
}

/// Is the `select!` in a loop body, without a closure or `async` block between?
fn in_loop(cx: &Cx<'_>) -> bool {
    matches!(cx.frames().last(), Some(Frame::Loop))
}

/// Empty, `()`, `continue`, or only logging.
fn does_nothing(handler: &Expr) -> bool {
    match handler {
        Expr::Tuple(t) => t.elems.is_empty(),
        Expr::Continue(c) => c.label.is_none(),
        Expr::Paren(p) => does_nothing(&p.expr),
        Expr::Macro(m) => is_logging_macro(&m.mac),
        Expr::Block(b) if b.label.is_none() => b.block.stmts.iter().all(|stmt| match stmt {
            syn::Stmt::Expr(e, _) => does_nothing(e),
            syn::Stmt::Macro(m) => is_logging_macro(&m.mac),
            syn::Stmt::Item(_) => true,
            syn::Stmt::Local(_) => false,
        }),
        _ => false,
    }
}

/// `token` for `token.cancelled()`, `shutdown_rx` for `self.shutdown_rx.changed()`.
fn signal_receiver(future: &Expr) -> Option<String> {
    match future {
        Expr::MethodCall(m) => signals::receiver_name(&m.receiver),
        Expr::Paren(p) => signal_receiver(&p.expr),
        Expr::Reference(r) => signal_receiver(&r.expr),
        _ => None,
    }
}

/// How a loop watches signals other than by a `select!` arm: a flag-like
/// `while` condition (`while !token.is_cancelled()`, `while running.load(..)`),
/// an `is_cancelled()` check in the body, or a state check (`borrow()`,
/// `has_changed()`, ..) of some receivers.
struct LoopChecks {
    any: bool,
    receivers: std::collections::HashSet<String>,
}

impl LoopChecks {
    fn of(loop_expr: &Expr) -> LoopChecks {
        if let Expr::While(w) = loop_expr {
            if is_flag(&w.cond) {
                return LoopChecks {
                    any: true,
                    receivers: Default::default(),
                };
            }
        }
        let mut finder = StateCheck {
            any: false,
            receivers: Default::default(),
        };
        finder.visit_expr(loop_expr);
        LoopChecks {
            any: finder.any,
            receivers: finder.receivers,
        }
    }

    /// Does the loop watch the signal of `receiver` another way?
    fn watches(&self, receiver: Option<&str>) -> bool {
        self.any || receiver.is_some_and(|r| self.receivers.contains(r))
    }
}

fn is_flag(cond: &Expr) -> bool {
    match cond {
        Expr::Unary(u) => is_flag(&u.expr),
        Expr::Paren(p) => is_flag(&p.expr),
        Expr::Path(_) | Expr::Field(_) => true,
        Expr::MethodCall(m) => m.args.len() <= 1 && !matches!(&*m.receiver, Expr::Lit(_)),
        Expr::Binary(b) if matches!(b.op, syn::BinOp::And(_) | syn::BinOp::Or(_)) => {
            is_flag(&b.left) || is_flag(&b.right)
        }
        _ => false,
    }
}

struct StateCheck {
    any: bool,
    receivers: std::collections::HashSet<String>,
}

impl<'ast> Visit<'ast> for StateCheck {
    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        let method = m.method.to_string();
        if method == "is_cancelled" {
            self.any = true;
        } else if matches!(
            method.as_str(),
            "borrow" | "borrow_and_update" | "has_changed" | "try_recv" | "is_closed"
        ) {
            if let Some(receiver) = signals::receiver_name(&m.receiver) {
                self.receivers.insert(receiver);
            }
        }
        syn::visit::visit_expr_method_call(self, m);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        if crate::syntax::macros::tokens_mention(&mac.tokens, "is_cancelled") {
            self.any = true;
        }
    }

    fn visit_item(&mut self, _: &'ast syn::Item) {}
}
