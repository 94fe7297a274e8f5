//! Family `swallowed`: task failures and cancellations thrown away.
//!
//! One check feeds the three rules. It builds the [`Handles`] model of each
//! function when the walk enters its body, notes which `select!`s stand as
//! statements and which loops enclose what, and hands each expression to the
//! rules.

use std::rc::Rc;

use quote::ToTokens;
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::{Expr, Macro, Stmt};

use crate::base::fasthash::{FastMap, FastSet};
use crate::base::finding::Region;
use crate::semantic::context::Cx;
use crate::semantic::handles::{self, Handles};
use crate::semantic::walk::Check;
use crate::syntax::macros::{macro_name, tokens_mention, MacroKey, SelectMacro};

pub mod ignored_join_error;
pub mod into_panic_unchecked;
pub mod swallowed_cancellation;

#[derive(Default)]
pub struct Swallowed<'a> {
    /// The handle model of each function, by the address of its body.
    models: FastMap<usize, Rc<Handles<'a>>>,
    /// `select!`s whose value nobody uses: statements of a block.
    statement_macros: FastSet<MacroKey>,
    /// Every loop seen so far, with its region.
    loops: Vec<(Region, &'a Expr)>,
    /// Regions where `into_panic()` is known to be safe.
    guarded: Vec<Region>,
    /// Fixes for `into_panic()` calls whose surroundings allow a guard, by their region.
    panic_fixes: FastMap<Region, crate::base::fix::Fix>,
    /// Join expressions already reported (one finding per join).
    reported: FastSet<Region>,
    /// Locals holding a join's `Result`, by function body.
    results: FastMap<usize, Vec<ignored_join_error::ResultBinding>>,
    /// Bodies of `#[should_panic]` functions.
    should_panic: FastSet<usize>,
}

impl<'a> Swallowed<'a> {
    /// In a `#[should_panic]` test a panic is the expected outcome: swallowing
    /// or provoking one there is deliberate.
    fn expects_panic(&self, cx: &Cx<'_>) -> bool {
        cx.enclosing_fn().is_some_and(|f| {
            self.should_panic
                .contains(&(f.body as *const syn::Block as usize))
        })
    }

    fn is_should_panic_fn(cx: &Cx<'_>) -> bool {
        cx.enclosing_fn()
            .is_some_and(|f| f.has_attribute("should_panic"))
    }

    fn model(&self, cx: &Cx<'a>) -> Option<&Handles<'a>> {
        let body = cx.enclosing_fn()?.body;
        self.models
            .get(&(body as *const syn::Block as usize))
            .map(|model| &**model)
    }
}

impl<'a> Check<'a> for Swallowed<'a> {
    fn block(&mut self, stmts: &'a [Stmt], cx: &Cx<'a>) {
        if handles::is_fn_body(stmts, cx) && cx.in_test() && Self::is_should_panic_fn(cx) {
            if let Some(f) = cx.enclosing_fn() {
                self.should_panic
                    .insert(f.body as *const syn::Block as usize);
            }
        }
        if handles::is_fn_body(stmts, cx) && cx.is_enabled(&ignored_join_error::RULE) {
            // A join result is thrown away only where something is awaited or
            // joined (`.await`, `join!`, `join_all`, `try_join_next`): most
            // bodies need no model.
            let joins = |f: &crate::semantic::frames::FnFrame<'a>| {
                let text = cx.block_lines(f.body);
                text.contains("await") || text.contains("join")
            };
            if let Some(f) = cx.enclosing_fn().filter(|f| joins(f)) {
                let model = cx.handles(f);
                self.models
                    .insert(f.body as *const syn::Block as usize, model);
            }
        }
        for stmt in stmts {
            match stmt {
                Stmt::Macro(m) => {
                    self.statement_macros
                        .insert(crate::syntax::macros::key(&m.mac));
                }
                Stmt::Expr(Expr::Macro(m), Some(_)) => {
                    self.statement_macros
                        .insert(crate::syntax::macros::key(&m.mac));
                }
                _ => {}
            }
        }
        if cx.is_enabled(&ignored_join_error::RULE) && !self.expects_panic(cx) {
            self.judge_joins(cx, |scope| {
                let bound = stmts
                    .iter()
                    .filter_map(|stmt| match stmt {
                        Stmt::Local(local) => Some(local),
                        _ => None,
                    })
                    .flat_map(|local| {
                        ignored_join_error::result_bindings(None, Some(local), scope, cx)
                    })
                    .collect();
                (bound, ignored_join_error::block(stmts, scope, cx))
            });
        }
        if cx.is_enabled(&into_panic_unchecked::RULE) {
            self.guarded
                .extend(into_panic_unchecked::guarded_by_early_exit(stmts, cx));
            self.panic_fixes
                .extend(into_panic_unchecked::fixes_in_block(stmts));
        }
    }

    fn expr(&mut self, expr: &'a Expr, cx: &Cx<'a>) {
        if self.expects_panic(cx) {
            return;
        }
        if matches!(expr, Expr::While(_) | Expr::Loop(_) | Expr::ForLoop(_)) {
            self.loops
                .push((Region::from_span(crate::syntax::spans::expr(expr)), expr));
        }
        if cx.is_enabled(&ignored_join_error::RULE) {
            self.judge_joins(cx, |scope| {
                (
                    ignored_join_error::result_bindings(Some(expr), None, scope, cx),
                    ignored_join_error::expr(expr, scope, cx),
                )
            });
        }
        if cx.is_enabled(&into_panic_unchecked::RULE) {
            self.guarded.extend(into_panic_unchecked::guarded_by(expr));
            self.panic_fixes
                .extend(into_panic_unchecked::fixes_in_expr(expr));
            into_panic_unchecked::check(expr, &self.guarded, &self.panic_fixes, cx);
        }
    }

    fn select(&mut self, select: &'a SelectMacro, mac: &'a Macro, cx: &Cx<'a>) {
        if cx.is_enabled(&ignored_join_error::RULE) && !self.expects_panic(cx) {
            self.judge_joins(cx, |scope| {
                (
                    Vec::new(),
                    ignored_join_error::select_arms(select, scope, cx),
                )
            });
        }
        if !cx.is_enabled(&swallowed_cancellation::RULE)
            || !self
                .statement_macros
                .contains(&crate::syntax::macros::key(mac))
        {
            return;
        }
        let here = Region::from_span(mac.span());
        let innermost = self
            .loops
            .iter()
            .filter(|(r, _)| contains(*r, here))
            .max_by_key(|(r, _)| (r.line, r.column))
            .map(|(_, l)| *l);
        swallowed_cancellation::check(select, innermost, cx);
    }
}

impl<'a> Swallowed<'a> {
    /// Runs one `ignored-join-error` judgement against the enclosing body's
    /// model and the join results bound so far; records the new bindings it
    /// returns and reports what it found.
    fn judge_joins(
        &mut self,
        cx: &Cx<'a>,
        judge: impl FnOnce(
            &ignored_join_error::Scope<'_, 'a>,
        ) -> (
            Vec<ignored_join_error::ResultBinding>,
            Vec<ignored_join_error::Discard>,
        ),
    ) {
        let key = body_key(cx);
        let empty = Handles::default();
        let model = self.model(cx).unwrap_or(&empty);
        let results = self.results.get(&key).map_or(&[][..], Vec::as_slice);
        let (bound, found) = judge(&ignored_join_error::Scope { model, results });
        self.results.entry(key).or_default().extend(bound);
        self.report_joins(found, cx);
    }

    fn report_joins(&mut self, found: Vec<ignored_join_error::Discard>, cx: &Cx<'_>) {
        for discard in found {
            if self.reported.insert(discard.region) {
                ignored_join_error::report(&discard, cx);
            }
        }
    }
}

/// The enclosing function's body, as a map key (0 outside any function).
fn body_key(cx: &Cx<'_>) -> usize {
    cx.enclosing_fn()
        .map_or(0, |f| f.body as *const syn::Block as usize)
}

pub fn contains(outer: Region, inner: Region) -> bool {
    (outer.line, outer.column) <= (inner.line, inner.column)
        && (inner.end_line, inner.end_column) <= (outer.end_line, outer.end_column)
}

/// Logging and printing macros: `println!`, `log::warn!`, `tracing::error!`.
pub fn is_logging_macro(mac: &Macro) -> bool {
    matches!(
        macro_name(mac).as_str(),
        "println"
            | "eprintln"
            | "print"
            | "eprint"
            | "dbg"
            | "trace"
            | "debug"
            | "info"
            | "warn"
            | "error"
            | "event"
            | "log"
    )
}

/// Does this code do something with a failure: log or print, panic, or
/// propagate an `Err` (`?`, `Err(..)`, `return Err`, `bail!`)? Or mention `name`?
pub fn handles_failure(code: &Expr, name: Option<&str>, cx: &Cx<'_>) -> bool {
    if let Some(name) = name {
        if tokens_mention(&code.to_token_stream(), name) {
            return true;
        }
    }
    let mut finder = FailureHandling { cx, found: false };
    finder.visit_expr(code);
    finder.found
}

struct FailureHandling<'c, 'a> {
    cx: &'c Cx<'a>,
    found: bool,
}

impl<'ast> Visit<'ast> for FailureHandling<'_, '_> {
    fn visit_expr(&mut self, expr: &'ast Expr) {
        if self.found {
            return;
        }
        match expr {
            Expr::Try(_) => self.found = true,
            Expr::Call(call) => {
                let func = crate::syntax::exprs::path_text(&call.func);
                let last = func.rsplit("::").next().unwrap_or("");
                if matches!(last, "Err" | "resume_unwind" | "exit" | "abort") {
                    self.found = true;
                    return;
                }
                syn::visit::visit_expr(self, expr);
            }
            _ => syn::visit::visit_expr(self, expr),
        }
    }

    fn visit_macro(&mut self, mac: &'ast Macro) {
        let name = macro_name(mac);
        if is_logging_macro(mac)
            || matches!(
                name.as_str(),
                "panic"
                    | "unreachable"
                    | "unimplemented"
                    | "todo"
                    | "bail"
                    | "anyhow"
                    | "eyre"
                    | "ensure"
                    | "write"
                    | "writeln"
                    | "assert"
                    | "assert_eq"
                    | "assert_ne"
            )
            || name.starts_with("log_")
        {
            self.found = true;
            return;
        }
        if let Some(expansion) = self.cx.expansions.get(mac) {
            crate::syntax::macros::visit_expansion(self, expansion);
        }
    }

    fn visit_item(&mut self, _: &'ast syn::Item) {}
}
