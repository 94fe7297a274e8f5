//! First pass: bindings and the collections filled with handles.

use crate::base::fasthash::FastMap;

use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::{Expr, Pat};

use super::classify::*;
use super::model::*;
use crate::base::finding::Region;
use crate::semantic::lookup::Lookup;

/// First pass: bindings and the collections filled with handles.
pub(super) struct Binder<'h, 'a, 'c> {
    pub(super) handles: &'h mut Handles<'a>,
    pub(super) cx: &'c dyn Lookup<'a>,
    pub(super) filled: &'h FastMap<String, HandleKind>,
    pub(super) newly_filled: FastMap<String, HandleKind>,
    /// Where the names of the pattern being bound are in force.
    pub(super) scope: Scope,
    /// The end of the innermost block: a `let` binds up to it.
    pub(super) block_end: (usize, usize),
    /// The end of the body an `if let` or `while let` condition binds for.
    pub(super) let_end: Option<(usize, usize)>,
}

impl<'a> Binder<'_, 'a, '_> {
    fn class(&self, expr: &Expr) -> Option<Class> {
        class_of_expr(self.handles, expr, self.cx)
    }

    /// Binds the names in `pat` to what matching `class` gives them.
    fn bind_pat(&mut self, pat: &Pat, class: Option<Class>, origin: Origin) {
        match pat {
            Pat::Ident(ident) => {
                let name = ident.ident.to_string();
                let region = Region::from_span(ident.ident.span());
                let (class, origin) = match (class, self.filled.get(&name)) {
                    (None, Some(kind)) => (Some(Class::Holder(*kind)), Origin::Filled),
                    (other, _) => (other, origin),
                };
                self.handles.bind(name, region, self.scope, class, origin);
            }
            Pat::Type(t) => {
                let class = class_of_type(&t.ty, self.cx).or(class);
                self.bind_pat(&t.pat, class, origin);
            }
            Pat::Reference(r) => self.bind_pat(&r.pat, class, origin),
            Pat::TupleStruct(ts) => {
                let last = crate::syntax::names::last_segment(&ts.path);
                let inner = match (class, last.as_str()) {
                    (Some(Class::Holder(k)), "Some") => Some(Class::Handle(k)),
                    (Some(Class::Guarded(k)), _) => Some(Class::Guarded(k)),
                    (Some(Class::Handle(k)), "Ok") => Some(Class::Handle(k)),
                    _ => None,
                };
                for elem in &ts.elems {
                    self.bind_pat(elem, inner, origin.clone());
                }
            }
            Pat::Tuple(t) => {
                // `(id, handle)`: a map entry or a pair; the handle is the last element.
                let n = t.elems.len();
                for (i, elem) in t.elems.iter().enumerate() {
                    let elem_class = if i + 1 == n { class } else { None };
                    self.bind_pat(elem, elem_class, origin.clone());
                }
            }
            Pat::Or(or) => {
                for case in &or.cases {
                    self.bind_pat(case, class, origin.clone());
                }
            }
            Pat::Struct(s) => {
                for field in &s.fields {
                    self.bind_pat(&field.pat, None, Origin::Local);
                }
            }
            Pat::Slice(s) => {
                for elem in &s.elems {
                    self.bind_pat(elem, None, Origin::Local);
                }
            }
            _ => {}
        }
    }

    fn origin_of(&self, expr: &Expr, class: Option<Class>) -> Origin {
        let expr = peel(expr);
        if let Some((_, name)) = spawned_handle(
            self.handles,
            crate::syntax::exprs::peel_result(expr),
            self.cx,
        ) {
            return Origin::Spawned(name);
        }
        if let (Some(Class::Handle(_) | Class::Guarded(_)), Some(root)) = (class, holder_root(expr))
        {
            return Origin::Element(root);
        }
        Origin::Local
    }

    /// Binds the names in `pat`, in force over `scope`.
    fn bind_in(&mut self, scope: Scope, pat: &Pat, class: Option<Class>, origin: Origin) {
        self.scope = scope;
        self.bind_pat(pat, class, origin);
    }

    /// An `if let` or `while let` condition: what it binds is in force in `body`.
    fn visit_let_cond(&mut self, cond: &'a Expr, body: &syn::Block) {
        let body = end(Region::from_span(crate::syntax::spans::block(body)));
        let outer = self.let_end.replace(body);
        self.visit_expr(cond);
        self.let_end = outer;
    }

    /// An element pattern bound from a holder expression (`for h in v`).
    fn bind_element(&mut self, scope: Scope, pat: &Pat, holder: &Expr) {
        let class = match self.class(holder) {
            Some(Class::Holder(k)) => Some(Class::Handle(k)),
            Some(Class::Guarded(k)) => Some(Class::Guarded(k)),
            _ => None,
        };
        let origin = holder_root(holder).map_or(Origin::Local, Origin::Element);
        self.bind_in(scope, pat, class, origin);
    }
}

impl Binder<'_, '_, '_> {
    /// A `let` binds from the end of its statement (its initialiser and
    /// `else` still see the name it shadows) to the end of its block.
    fn let_scope(&self, local: &syn::Local) -> Scope {
        (
            end(Region::from_span(local.semi_token.span)),
            self.block_end,
        )
    }
}

/// A closure's parameters are in force in the closure.
fn closure_scope(closure: &Expr) -> Scope {
    let region = Region::from_span(crate::syntax::spans::expr(closure));
    (start(region), end(region))
}

/// The holder an element expression comes from: `v` for `v.pop().unwrap()`, `self.tasks.drain(..)`.
pub(super) fn holder_root(expr: &Expr) -> Option<String> {
    let mut expr = peel(expr);
    loop {
        if let Some(name) = ref_name(expr) {
            return Some(name);
        }
        match expr {
            Expr::MethodCall(m) => expr = peel(&m.receiver),
            Expr::Await(a) => expr = peel(&a.base),
            _ => return None,
        }
    }
}

impl<'a> Visit<'a> for Binder<'_, 'a, '_> {
    fn visit_local(&mut self, local: &'a syn::Local) {
        if let Some(init) = &local.init {
            self.visit_expr(&init.expr);
            if let Some((_, diverge)) = &init.diverge {
                self.visit_expr(diverge);
            }
            let class = self.class(&init.expr);
            let origin = self.origin_of(&init.expr, class);
            let before = self.handles.bindings.len();
            self.bind_in(self.let_scope(local), &local.pat, class, origin);
            let pat = match &local.pat {
                Pat::Type(t) => &*t.pat,
                other => other,
            };
            if let Pat::Ident(ident) = pat {
                if self.handles.bindings.len() > before {
                    self.handles.bindings[before].decl = Some(local);
                }
                if let Some(kind) = local_kind(self.handles, &init.expr, self.cx, CLASS_DEPTH) {
                    let at = start(Region::from_span(ident.ident.span()));
                    self.handles.kinds.push((ident.ident.to_string(), at, kind));
                }
            }
        } else {
            self.bind_in(self.let_scope(local), &local.pat, None, Origin::Local);
        }
    }

    fn visit_block(&mut self, block: &'a syn::Block) {
        let end = end(Region::from_span(crate::syntax::spans::block(block)));
        let outer = std::mem::replace(&mut self.block_end, end);
        visit::visit_block(self, block);
        self.block_end = outer;
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::If(i) => {
                self.visit_let_cond(&i.cond, &i.then_branch);
                self.visit_block(&i.then_branch);
                if let Some((_, otherwise)) = &i.else_branch {
                    self.visit_expr(otherwise);
                }
            }
            Expr::While(w) => {
                self.visit_let_cond(&w.cond, &w.body);
                self.visit_block(&w.body);
            }
            Expr::Let(l) => {
                self.visit_expr(&l.expr);
                // Its names are in force after the scrutinee, in the body it guards.
                let scope = (
                    end(Region::from_span(crate::syntax::spans::expr(&l.expr))),
                    self.let_end.unwrap_or(self.block_end),
                );
                let class = self.class(&l.expr);
                let origin = match holder_root(&l.expr) {
                    Some(root) if matches!(class, Some(Class::Holder(_) | Class::Guarded(_))) => {
                        Origin::Element(root)
                    }
                    _ => self.origin_of(&l.expr, class),
                };
                self.bind_in(scope, &l.pat, class, origin);
            }
            Expr::ForLoop(f) => {
                self.visit_expr(&f.expr);
                let body = Region::from_span(crate::syntax::spans::block(&f.body));
                self.bind_element((start(body), end(body)), &f.pat, &f.expr);
                self.visit_block(&f.body);
            }
            Expr::Closure(c) => {
                // Parameters shadow what they are named after, in the closure.
                let scope = closure_scope(expr);
                for input in &c.inputs {
                    self.bind_in(scope, input, None, Origin::Local);
                }
                self.visit_expr(&c.body);
            }
            Expr::MethodCall(m) => {
                visit::visit_expr_method_call(self, m);
                let method = m.method.to_string();
                let receiver_class = self.class(&m.receiver);
                // `v.push(tokio::spawn(..))`: `v` holds handles.
                if matches!(
                    method.as_str(),
                    "push" | "push_back" | "push_front" | "insert" | "extend" | "append"
                ) {
                    let fills = m
                        .args
                        .iter()
                        .find_map(|arg| self.class(arg).and_then(Class::handle_kind));
                    if let (Some(kind), None) = (fills, receiver_class) {
                        if let Some(name) = ref_name(&m.receiver) {
                            if !name.starts_with("self.") {
                                self.newly_filled.insert(name, kind);
                            }
                        }
                    }
                }
                // `handles.into_iter().for_each(|h| h.abort())`: `h` is an element.
                if let Some(Class::Holder(_) | Class::Guarded(_)) = receiver_class {
                    for arg in &m.args {
                        if let Expr::Closure(c) = arg {
                            if let Some(first) = c.inputs.first() {
                                self.bind_element(closure_scope(arg), first, &m.receiver);
                            }
                        }
                    }
                }
            }
            _ => visit::visit_expr(self, expr),
        }
    }

    fn visit_arm(&mut self, arm: &'a syn::Arm) {
        let scope = (
            start(Region::from_span(arm.pat.span())),
            end(Region::from_span(crate::syntax::spans::expr(&arm.body))),
        );
        self.bind_in(scope, &arm.pat, None, Origin::Local);
        syn::visit::visit_arm(self, arm);
    }

    fn visit_item(&mut self, _: &'a syn::Item) {}

    fn visit_macro(&mut self, mac: &'a syn::Macro) {
        if let Some(expansion) = self.cx.expansions().get(mac) {
            crate::syntax::macros::visit_expansion(self, expansion);
        }
    }
}
