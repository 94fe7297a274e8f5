//! First pass: bindings and the collections filled with handles.

use std::collections::HashMap;

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
    pub(super) filled: &'h HashMap<String, HandleKind>,
    pub(super) newly_filled: HashMap<String, HandleKind>,
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
                self.handles.bind(name, region, class, origin);
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

    /// An element pattern bound from a holder expression (`for h in v`).
    fn bind_element(&mut self, pat: &Pat, holder: &Expr) {
        let class = match self.class(holder) {
            Some(Class::Holder(k)) => Some(Class::Handle(k)),
            Some(Class::Guarded(k)) => Some(Class::Guarded(k)),
            _ => None,
        };
        let origin = holder_root(holder).map_or(Origin::Local, Origin::Element);
        self.bind_pat(pat, class, origin);
    }
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
            self.bind_pat(&local.pat, class, origin);
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
            self.bind_pat(&local.pat, None, Origin::Local);
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Let(l) => {
                self.visit_expr(&l.expr);
                let class = self.class(&l.expr);
                let origin = match holder_root(&l.expr) {
                    Some(root) if matches!(class, Some(Class::Holder(_) | Class::Guarded(_))) => {
                        Origin::Element(root)
                    }
                    _ => self.origin_of(&l.expr, class),
                };
                self.bind_pat(&l.pat, class, origin);
            }
            Expr::ForLoop(f) => {
                self.visit_expr(&f.expr);
                self.bind_element(&f.pat, &f.expr);
                self.visit_block(&f.body);
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
                                self.bind_element(first, &m.receiver);
                            }
                        }
                    }
                }
            }
            _ => visit::visit_expr(self, expr),
        }
    }

    fn visit_arm(&mut self, arm: &'a syn::Arm) {
        self.bind_pat(&arm.pat, None, Origin::Local);
        syn::visit::visit_arm(self, arm);
    }

    fn visit_item(&mut self, _: &'a syn::Item) {}

    fn visit_macro(&mut self, mac: &'a syn::Macro) {
        if let Some(expansion) = self.cx.expansions().get(mac) {
            crate::syntax::macros::visit_expansion(self, expansion);
        }
    }
}
