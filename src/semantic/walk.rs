//! The per-file model and the walk that feeds rule checks.
//!
//! [`Walker`] visits a parsed file once, keeping what rules need to know at
//! each point ([`Cx`]): the imports in scope, the enclosing constructs
//! (`fn`, closure, loop, `async` block, `impl`), the kinds of local values
//! (a `Runtime`, a `JoinSet`, a `Command`), and whether this is test code.
//! Macro bodies are walked through their expansions.

use syn::visit::{self, Visit};
use syn::{Block, Expr, FnArg, ImplItemFn, Item, ItemFn, Macro, Pat, Signature, Stmt};

use crate::base::fasthash::FastMap;
use crate::semantic::context::Cx;
use crate::semantic::frames::{FnFrame, Frame};
use crate::syntax::exprs::{has_cfg_test, is_test_fn, type_name};
use crate::syntax::macros::{Expansion, SelectMacro};

/// A rule check: hooks the walker calls, in source order.
pub trait Check<'a> {
    /// A block's statements, before they are walked.
    fn block(&mut self, _stmts: &'a [Stmt], _cx: &Cx<'a>) {}
    /// Every expression, before its children.
    fn expr(&mut self, _expr: &'a Expr, _cx: &Cx<'a>) {}
    /// A `select!` invocation, before its arms are walked.
    fn select(&mut self, _select: &'a SelectMacro, _mac: &'a Macro, _cx: &Cx<'a>) {}
    /// A function or method with a body, before it is walked.
    fn enter_fn(&mut self, _frame: &FnFrame<'a>, _cx: &Cx<'a>) {}
    /// A struct definition.
    fn item_struct(&mut self, _item: &'a syn::ItemStruct, _cx: &Cx<'a>) {}
}

pub struct Walker<'a, 'c> {
    pub cx: Cx<'a>,
    checks: Vec<Box<dyn Check<'a> + 'c>>,
    /// Closures passed to a run-once method or constructor, by address.
    run_once: Vec<*const syn::ExprClosure>,
}

impl<'a, 'c> Walker<'a, 'c> {
    pub fn new(cx: Cx<'a>, checks: Vec<Box<dyn Check<'a> + 'c>>) -> Self {
        Walker {
            cx,
            checks,
            run_once: Vec::new(),
        }
    }

    pub fn run(mut self, file: &'a syn::File) -> Cx<'a> {
        // `#![cfg(test)]` at the top of a file: the whole file is test code.
        self.cx.test_depth += usize::from(has_cfg_test(&file.attrs));
        self.cx.scopes.push_module(&file.items);
        self.cx.env.push(FastMap::default());
        for item in &file.items {
            self.visit_item(item);
        }
        self.cx
    }

    fn with_frame(&mut self, frame: Frame<'a>, f: impl FnOnce(&mut Self)) {
        self.cx.frames.push(frame);
        f(self);
        self.cx.frames.pop();
    }

    fn with_test(&mut self, is_test: bool, f: impl FnOnce(&mut Self)) {
        self.cx.test_depth += usize::from(is_test);
        f(self);
        self.cx.test_depth -= usize::from(is_test);
    }

    fn with_item(&mut self, name: String, f: impl FnOnce(&mut Self)) {
        self.cx.items.push(name);
        f(self);
        self.cx.items.pop();
    }

    fn walk_fn(
        &mut self,
        name: String,
        sig: &'a Signature,
        body: &'a Block,
        attrs: &'a [syn::Attribute],
        is_drop: bool,
    ) {
        let frame = FnFrame {
            name: name.clone(),
            sig,
            body,
            attrs,
            is_drop,
        };
        let is_test = is_test_fn(attrs);
        self.with_item(name, |w| {
            w.with_test(is_test, |w| {
                for check in &mut w.checks {
                    check.enter_fn(&frame, &w.cx);
                }
                w.cx.env.push(FastMap::default());
                for input in &sig.inputs {
                    if let FnArg::Typed(typed) = input {
                        if let Pat::Ident(ident) = &*typed.pat {
                            let ty = w.cx.ty_of_type(&typed.ty, Some(sig));
                            w.cx.bind(ident.ident.to_string(), ty);
                        }
                    }
                }
                w.with_frame(Frame::Fn(frame), |w| w.visit_block(body));
                w.cx.env.pop();
            });
        });
    }

    fn walk_stmts(&mut self, stmts: &'a [Stmt]) {
        self.cx
            .scopes
            .push_block(stmts.iter().filter_map(|s| match s {
                Stmt::Item(item) => Some(item),
                _ => None,
            }));
        self.cx.env.push(FastMap::default());
        for check in &mut self.checks {
            check.block(stmts, &self.cx);
        }
        for stmt in stmts {
            self.visit_stmt(stmt);
        }
        self.cx.env.pop();
        self.cx.scopes.pop();
    }

    /// Notes the closures among a run-once call's arguments.
    fn note_run_once(&mut self, args: &syn::punctuated::Punctuated<Expr, syn::Token![,]>) {
        for arg in args {
            if let Expr::Closure(c) = arg {
                self.run_once.push(c as *const syn::ExprClosure);
            }
        }
    }

    fn walk_items(&mut self, items: &'a [Item]) {
        for item in items {
            self.visit_item(item);
        }
    }
}

/// Methods whose closure runs once per key or once per process:
/// `entry(k).or_insert_with(|| ..)`, `cell.get_or_init(|| ..)`,
/// `opt.get_or_insert_with(|| ..)`, `ONCE.call_once(|| ..)`.
fn is_run_once_method(method: &syn::Ident) -> bool {
    [
        "or_insert_with",
        "or_insert_with_key",
        "get_or_init",
        "get_or_try_init",
        "get_or_insert_with",
        "call_once",
        "call_once_force",
    ]
    .iter()
    .any(|name| method == name)
}

/// `Lazy::new(|| ..)`, `LazyLock::new(|| ..)`, `LazyCell::new(|| ..)`.
fn is_run_once_constructor(func: &Expr) -> bool {
    let Expr::Path(p) = func else { return false };
    let segments = &p.path.segments;
    segments.len() >= 2
        && segments[segments.len() - 1].ident == "new"
        && matches!(
            segments[segments.len() - 2].ident.to_string().as_str(),
            "Lazy" | "LazyLock" | "LazyCell"
        )
}

impl<'a> Visit<'a> for Walker<'a, '_> {
    fn visit_item_mod(&mut self, m: &'a syn::ItemMod) {
        let Some((_, items)) = &m.content else {
            return;
        };
        let is_test = has_cfg_test(&m.attrs);
        self.with_test(is_test, |w| {
            w.with_item(m.ident.to_string(), |w| {
                w.cx.scopes.push_module(items);
                w.cx.modules.push(m.ident.to_string());
                w.walk_items(items);
                w.cx.modules.pop();
                w.cx.scopes.pop();
            });
        });
    }

    fn visit_item_fn(&mut self, f: &'a ItemFn) {
        self.walk_fn(f.sig.ident.to_string(), &f.sig, &f.block, &f.attrs, false);
    }

    fn visit_item_impl(&mut self, i: &'a syn::ItemImpl) {
        let self_ty = type_name(&i.self_ty);
        let is_drop = i
            .trait_
            .as_ref()
            .and_then(|(_, path, _)| path.segments.last())
            .is_some_and(|s| s.ident == "Drop");
        let is_test = has_cfg_test(&i.attrs);
        let name = self_ty.clone().unwrap_or_else(|| "impl".to_string());
        self.with_test(is_test, |w| {
            w.with_item(name, |w| {
                let frame = Frame::Impl {
                    self_ty,
                    is_drop,
                    generics: Some(&i.generics),
                };
                w.with_frame(frame, |w| {
                    for item in &i.items {
                        w.visit_impl_item(item);
                    }
                });
            });
        });
    }

    fn visit_impl_item_fn(&mut self, f: &'a ImplItemFn) {
        let in_drop_impl = matches!(
            self.cx.frames.last(),
            Some(Frame::Impl { is_drop: true, .. })
        );
        let is_drop = in_drop_impl && f.sig.ident == "drop";
        self.walk_fn(f.sig.ident.to_string(), &f.sig, &f.block, &f.attrs, is_drop);
    }

    fn visit_trait_item_fn(&mut self, f: &'a syn::TraitItemFn) {
        if let Some(body) = &f.default {
            self.walk_fn(f.sig.ident.to_string(), &f.sig, body, &f.attrs, false);
        }
    }

    fn visit_item_struct(&mut self, s: &'a syn::ItemStruct) {
        for check in &mut self.checks {
            check.item_struct(s, &self.cx);
        }
    }

    fn visit_item_macro(&mut self, m: &'a syn::ItemMacro) {
        if m.ident.is_some() {
            return;
        }
        self.visit_macro(&m.mac);
    }

    fn visit_block(&mut self, block: &'a Block) {
        self.walk_stmts(&block.stmts);
    }

    fn visit_local(&mut self, local: &'a syn::Local) {
        visit::visit_local(self, local);
        let (pat, ty) = match &local.pat {
            Pat::Type(t) => (&*t.pat, Some(&*t.ty)),
            other => (other, None),
        };
        if let Pat::Ident(ident) = pat {
            let name = ident.ident.to_string();
            if local.init.is_none() && ty.is_none() {
                // `let mut cmd;`: an assignment gives it its kind.
                self.cx.declare(name);
                return;
            }
            let ty = match ty {
                Some(ty) => self.cx.ty_of_type(ty, None),
                None => local
                    .init
                    .as_ref()
                    .and_then(|init| self.cx.ty_of_expr(&init.expr)),
            };
            self.cx.bind(name, ty);
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        for check in &mut self.checks {
            check.expr(expr, &self.cx);
        }
        match expr {
            Expr::Closure(c) => {
                let frame = if self.run_once.contains(&(c as *const syn::ExprClosure)) {
                    Frame::RunOnce
                } else {
                    Frame::Closure
                };
                self.with_frame(frame, |w| visit::visit_expr_closure(w, c))
            }
            Expr::MethodCall(m) if is_run_once_method(&m.method) => {
                self.note_run_once(&m.args);
                visit::visit_expr_method_call(self, m);
            }
            Expr::Call(call) if is_run_once_constructor(&call.func) => {
                self.note_run_once(&call.args);
                visit::visit_expr_call(self, call);
            }
            Expr::Async(a) => self.with_frame(Frame::Async, |w| visit::visit_expr_async(w, a)),
            Expr::Loop(l) => self.with_frame(Frame::Loop, |w| visit::visit_expr_loop(w, l)),
            Expr::ForLoop(l) => {
                self.visit_expr(&l.expr);
                self.with_frame(Frame::Loop, |w| {
                    w.visit_pat(&l.pat);
                    w.visit_block(&l.body);
                });
            }
            Expr::While(l) => self.with_frame(Frame::Loop, |w| visit::visit_expr_while(w, l)),
            Expr::Let(l) => {
                visit::visit_expr_let(self, l);
                // `if let Ok(h) = Handle::try_current()`: `h` is a runtime handle.
                if let Pat::TupleStruct(ts) = &*l.pat {
                    if let (Some(Pat::Ident(ident)), 1) = (ts.elems.first(), ts.elems.len()) {
                        let ty = self.cx.ty_of_expr(&l.expr);
                        self.cx.bind(ident.ident.to_string(), ty);
                    }
                }
            }
            Expr::Assign(a) => {
                visit::visit_expr_assign(self, a);
                if let Expr::Path(p) = &*a.left {
                    if let Some(ident) = p.path.get_ident() {
                        self.cx.assign(&ident.to_string(), &a.right);
                    }
                }
            }
            _ => visit::visit_expr(self, expr),
        }
    }

    fn visit_macro(&mut self, mac: &'a Macro) {
        let Some(expansion) = self.cx.expansions.get(mac) else {
            return;
        };
        match expansion {
            Expansion::Exprs(exprs) => exprs.iter().for_each(|e| self.visit_expr(e)),
            Expansion::Stmts(stmts) => self.walk_stmts(stmts),
            Expansion::Items(items) => self.walk_items(items),
            Expansion::Select(select) => {
                for check in &mut self.checks {
                    check.select(select, mac, &self.cx);
                }
                crate::syntax::macros::visit_select(self, select);
            }
        }
    }
}
