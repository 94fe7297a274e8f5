//! Second pass: what happens to each binding, where.

use crate::base::fasthash::FastSet;

use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::{Block, Expr, Pat};

use super::classify::*;
use super::model::*;
use crate::base::finding::Region;
use crate::semantic::lookup::Lookup;
use crate::syntax::exprs::{peel_by, transparent};
use crate::syntax::macros::{tokens_mention, Expansion};

/// Methods that call their closure argument on the spot, so the closure's
/// body belongs to the body around it.
pub(super) const INLINE_ADAPTERS: &[&str] = &[
    "for_each",
    "try_for_each",
    "map",
    "inspect",
    "filter",
    "filter_map",
    "and_then",
    "map_or",
    "map_or_else",
    "is_some_and",
    "retain",
    "take_if",
    "then",
    "then_some",
];

/// Second pass: what happens to each binding, where.
pub(super) struct Recorder<'h, 'a, 'c> {
    pub(super) handles: &'h mut Handles<'a>,
    pub(super) cx: &'c dyn Lookup<'a>,
    /// Mentions already classified by their parent expression.
    pub(super) claimed: FastSet<crate::syntax::exprs::ExprKey>,
    /// The function body's tail expression: its value is returned.
    pub(super) tail: Option<crate::syntax::exprs::ExprKey>,
    /// Closures called on the spot by the method they are passed to.
    pub(super) inline: FastSet<crate::syntax::exprs::ExprKey>,
    /// The body being walked, in `handles.bodies`.
    pub(super) body: usize,
}

impl<'a> Recorder<'_, 'a, '_> {
    /// Walks `f` as the new body `body`.
    fn in_body(&mut self, body: Body, f: impl FnOnce(&mut Self)) {
        self.handles.bodies.push(body);
        let outer = std::mem::replace(&mut self.body, self.handles.bodies.len() - 1);
        f(self);
        self.body = outer;
    }

    fn in_loop(&mut self, block: &Block) {
        let region = Region::from_span(crate::syntax::spans::block(block));
        self.handles.bodies[self.body]
            .loops
            .push((start(region), end(region)));
    }

    /// Records `what` for the binding `child` names, if it names one.
    fn record(&mut self, child: &'a Expr, what: Use, at: &'a Expr) {
        let Some(index) = self.index_of(child) else {
            return;
        };
        self.claimed
            .insert(crate::syntax::exprs::expr_key(peel_ref(child)));
        self.handles.bindings[index].events.push(Event {
            what,
            expr: Some(at),
            region: Region::from_span(crate::syntax::spans::expr(at)),
        });
    }

    fn index_of(&mut self, expr: &Expr) -> Option<usize> {
        let name = ref_name(expr)?;
        let at = Region::from_span(crate::syntax::spans::expr(expr));
        if name.starts_with("self.") {
            if let Some(i) = self.handles.bindings.iter().position(|b| b.name == name) {
                return Some(i);
            }
            let class = class_of_expr(self.handles, peel(expr), self.cx)?;
            self.handles.bindings.push(Binding {
                name,
                class,
                origin: Origin::Field,
                region: at,
                decl: None,
                events: Vec::new(),
            });
            return Some(self.handles.bindings.len() - 1);
        }
        if !self.handles.bindings.iter().any(|b| b.name == name) {
            return None; // most names are not handles: skip the positional lookup
        }
        self.handles.index_at(&name, start(at))
    }
}

/// Through parentheses, `&`, `.as_mut()` and `.as_ref()`.
pub(super) fn peel_ref(expr: &Expr) -> &Expr {
    peel_by(expr, |e| match e {
        Expr::Reference(r) => Some(&*r.expr),
        Expr::MethodCall(m)
            if m.args.is_empty()
                && matches!(m.method.to_string().as_str(), "as_mut" | "as_ref") =>
        {
            Some(&*m.receiver)
        }
        _ => transparent(e),
    })
}

pub(super) fn method_use(method: &str) -> Use {
    match method {
        "abort" => Use::Aborted,
        "abort_all" => Use::AbortAll,
        "join_next" | "try_join_next" | "join_next_with_id" | "try_join_next_with_id" | "next" => {
            Use::JoinNext
        }
        "join_all" | "shutdown" | "detach_all" => Use::Drained,
        "join" => Use::Joined,
        "is_finished" | "id" | "abort_handle" | "len" | "is_empty" | "is_some" | "is_none" => {
            Use::Queried
        }
        "detach" => Use::Detached,
        "take" | "drain" | "into_iter" | "pop" | "pop_front" | "pop_back" | "remove"
        | "into_values" | "iter" | "iter_mut" | "values" | "values_mut" | "replace" => Use::Taken,
        _ => Use::Used,
    }
}

impl<'a> Visit<'a> for Recorder<'_, 'a, '_> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Await(a) => {
                self.handles
                    .awaits
                    .insert(crate::syntax::exprs::expr_key(&a.base), expr);
                self.record(&a.base, Use::Awaited, expr);
            }
            Expr::MethodCall(m) => {
                let method = m.method.to_string();
                if m.args.is_empty() && matches!(method.as_str(), "abort" | "abort_all") {
                    self.handles.aborts.push(expr);
                }
                if INLINE_ADAPTERS.contains(&method.as_str()) {
                    for arg in &m.args {
                        if let Expr::Closure(_) = arg {
                            self.inline.insert(crate::syntax::exprs::expr_key(arg));
                        }
                    }
                }
                self.record(&m.receiver, method_use(&method), expr);
                let stores = matches!(
                    m.method.to_string().as_str(),
                    "push" | "push_back" | "push_front" | "insert" | "send" | "extend" | "replace"
                );
                for arg in &m.args {
                    self.record(arg, if stores { Use::Stored } else { Use::Passed }, expr);
                }
            }
            Expr::Call(call) => {
                let func = crate::syntax::exprs::path_text(&call.func);
                let what = match func.as_str() {
                    "drop" | "std::mem::drop" | "mem::drop" | "core::mem::drop" => Use::Dropped,
                    "std::mem::forget" | "mem::forget" | "forget" => Use::Forgotten,
                    "Some" | "Ok" | "Box::new" | "Box::pin" | "Arc::new" => Use::Stored,
                    // Combinators that await what they are given.
                    _ if matches!(
                        func.rsplit("::").next(),
                        Some(
                            "timeout"
                                | "join_all"
                                | "try_join_all"
                                | "join"
                                | "try_join"
                                | "select"
                        )
                    ) =>
                    {
                        Use::Awaited
                    }
                    _ => Use::Passed,
                };
                for arg in &call.args {
                    self.record(arg, what, expr);
                }
            }
            Expr::Return(r) => {
                if let Some(value) = &r.expr {
                    self.record(value, Use::Returned, expr);
                }
            }
            Expr::Assign(a) => {
                let what = if matches!(&*a.left, Expr::Infer(_)) {
                    Use::Dropped
                } else {
                    Use::Stored
                };
                self.record(&a.right, what, expr);
            }
            Expr::Struct(s) => {
                for field in &s.fields {
                    self.record(&field.expr, Use::Stored, expr);
                }
            }
            Expr::ForLoop(f) => {
                self.record(&f.expr, Use::Taken, expr);
                self.in_loop(&f.body);
            }
            Expr::Loop(l) => self.in_loop(&l.body),
            Expr::While(w) => self.in_loop(&w.body),
            Expr::Closure(c) if !self.inline.contains(&crate::syntax::exprs::expr_key(expr)) => {
                let body = Body::new(crate::syntax::spans::expr(&c.body), c.asyncness.is_some());
                return self.in_body(body, |r| visit::visit_expr(r, expr));
            }
            Expr::Async(a) => {
                let body = Body::new(crate::syntax::spans::block(&a.block), true);
                return self.in_body(body, |r| visit::visit_expr(r, expr));
            }
            Expr::Path(_) | Expr::Field(_)
                if !self.claimed.contains(&crate::syntax::exprs::expr_key(expr)) =>
            {
                let what = if self.tail == Some(crate::syntax::exprs::expr_key(expr)) {
                    Use::Returned
                } else {
                    Use::Used
                };
                self.record(expr, what, expr);
            }
            _ => {}
        }
        visit::visit_expr(self, expr);
    }

    fn visit_local(&mut self, local: &'a syn::Local) {
        if let Some(init) = &local.init {
            if matches!(local.pat, Pat::Wild(_)) {
                self.record(&init.expr, Use::Dropped, &init.expr);
            }
        }
        visit::visit_local(self, local);
    }

    fn visit_item(&mut self, _: &'a syn::Item) {}

    fn visit_macro(&mut self, mac: &'a syn::Macro) {
        match self.cx.expansions().get(mac) {
            // A `select!` arm's future and `join!`'s arguments are awaited.
            Some(Expansion::Select(select)) => {
                for arm in &select.arms {
                    self.record(&arm.future, Use::Awaited, &arm.future);
                }
            }
            Some(Expansion::Exprs(exprs))
                if matches!(
                    crate::syntax::macros::macro_name(mac).as_str(),
                    "join" | "try_join" | "join_all"
                ) =>
            {
                for e in exprs {
                    self.record(e, Use::Awaited, e);
                }
            }
            _ => {}
        }
        if let Some(expansion) = self.cx.expansions().get(mac) {
            crate::syntax::macros::visit_expansion(self, expansion);
            return;
        }
        // Unparsed tokens still use the names they mention.
        let at = Region::from_span(mac.span());
        for index in 0..self.handles.bindings.len() {
            let binding = &self.handles.bindings[index];
            let bare = binding.name.trim_start_matches("self.");
            // Not a local whose block has ended (or that is not bound yet).
            let in_force = || {
                binding.name.starts_with("self.")
                    || self.handles.names.iter().any(|n| {
                        n.index == Some(index) && n.from <= start(at) && start(at) < n.until
                    })
            };
            if start(binding.region) < start(at) && tokens_mention(&mac.tokens, bare) && in_force()
            {
                self.handles.bindings[index].events.push(Event {
                    what: Use::Used,
                    expr: None,
                    region: at,
                });
            }
        }
    }
}
