//! The per-function model the function-local `shutdown` rules share: one
//! walk of a function body that knows which locals, parameters and fields
//! hold task handles, join sets and task trackers, and in which body
//! (`async fn`, `async` block, synchronous closure) each piece of code runs.
//!
//! This is deliberately small and local; it may later give way to a shared
//! task-handle model.

use std::collections::HashMap;

use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::{Block, Expr, FnArg, Pat, Stmt, Type};

use super::{
    abort_spawn_blocking, abort_without_await, tracker_wait_without_close, undrained_join_set,
};
use crate::finding::Region;
use crate::macros::Expansion;
use crate::spawner::{self, Kind, Spawner};
use crate::walk::{is_self, Cx, FnFrame};

/// A task handle: `JoinHandle` (awaitable) or `AbortHandle` (not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Handle {
    /// From `spawn_blocking`: `abort()` does nothing once the closure runs.
    pub blocking: bool,
    pub awaitable: bool,
}

/// What the rules know about a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    /// One task handle.
    One(Handle),
    /// An `Option`, collection or lock holding task handles.
    Many(Handle),
    JoinSet,
    Tracker,
    /// A value whose `spawn` methods spawn (a runtime, its handle, a `LocalSet`).
    Spawns(Kind),
}

impl Value {
    /// What a pattern or loop variable takes out of this value.
    fn element(self) -> Option<Value> {
        match self {
            Value::Many(h) => Some(Value::One(h)),
            _ => None,
        }
    }

    fn of_kind(kind: Kind) -> Option<Value> {
        let handle = |blocking, awaitable| Handle {
            blocking,
            awaitable,
        };
        Some(match kind {
            Kind::JoinHandle => Value::One(handle(false, true)),
            Kind::BlockingJoinHandle => Value::One(handle(true, true)),
            Kind::AbortHandle => Value::One(handle(false, false)),
            Kind::JoinSet => Value::JoinSet,
            Kind::TaskTracker => Value::Tracker,
            Kind::Runtime | Kind::RuntimeHandle | Kind::LocalSet => Value::Spawns(kind),
            _ => return None,
        })
    }
}

/// What a later mention of a handle is looked for by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    /// A local or parameter: `h`.
    Local(String),
    /// A field of `self`: `.task`.
    Field(String),
}

/// The root a receiver chain starts from: `h` in `h.abort()`, `.task` in
/// `self.task.as_ref().unwrap().abort()`.
pub fn root_key(expr: &Expr) -> Option<Key> {
    match expr {
        Expr::Path(p) => p.path.get_ident().map(|i| Key::Local(i.to_string())),
        Expr::Field(f) => match &f.member {
            syn::Member::Named(name) if is_self(&f.base) => Some(Key::Field(name.to_string())),
            _ => root_key(&f.base),
        },
        Expr::MethodCall(m) => root_key(&m.receiver),
        Expr::Index(i) => root_key(&i.expr),
        Expr::Paren(p) => root_key(&p.expr),
        Expr::Group(g) => root_key(&g.expr),
        Expr::Reference(r) => root_key(&r.expr),
        Expr::Unary(u) => root_key(&u.expr),
        Expr::Await(a) => root_key(&a.base),
        Expr::Try(t) => root_key(&t.expr),
        _ => None,
    }
}

/// `x`, `&x`, `&mut x`, `(x)`: the name `x`.
pub fn plain_name(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Path(p) => p.path.get_ident().map(ToString::to_string),
        Expr::Reference(r) => plain_name(&r.expr),
        Expr::Paren(p) => plain_name(&p.expr),
        Expr::Group(g) => plain_name(&g.expr),
        _ => None,
    }
}

#[derive(Debug, Clone)]
struct Binding {
    value: Option<Value>,
    /// Where an element binding came from (`self.task` for `Some(h) = self.task.take()`).
    origin: Option<Key>,
}

/// A body code runs in: the function's own, an `async` block, or a closure
/// that is not run on the spot.
struct Body<'a> {
    tokens: TokenSource<'a>,
    is_async: bool,
    /// Start positions of the bodies of the loops entered inside this body.
    loops: Vec<(usize, usize)>,
    flat: Option<Vec<Tok>>,
}

#[derive(Clone, Copy)]
enum TokenSource<'a> {
    Block(&'a Block),
    Expr(&'a Expr),
}

/// Methods that call their closure argument on the spot, so the closure's
/// body belongs to the body around it.
const INLINE_ADAPTERS: &[&str] = &[
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

/// Walks one function's body and hands what it finds to the rules.
pub fn analyse<'a>(frame: &FnFrame<'a>, cx: &Cx<'a>) {
    let mut model = Model {
        cx,
        scopes: vec![HashMap::new()],
        bodies: Vec::new(),
        is_main: frame.name == "main" && cx.self_type().is_none(),
    };
    for input in &frame.sig.inputs {
        if let FnArg::Typed(typed) = input {
            let value = model.value_of_type(&typed.ty);
            model.bind_pat(&typed.pat, value, None, true);
        }
    }
    model
        .bodies
        .push(Body::new(TokenSource::Block(frame.body), frame.is_async()));
    model.visit_block(frame.body);
}

impl<'a> Body<'a> {
    fn new(tokens: TokenSource<'a>, is_async: bool) -> Self {
        Body {
            tokens,
            is_async,
            loops: Vec::new(),
            flat: None,
        }
    }
}

pub struct Model<'c, 'a> {
    pub cx: &'c Cx<'a>,
    scopes: Vec<HashMap<String, Binding>>,
    bodies: Vec<Body<'a>>,
    /// The body of `fn main`: when it returns, the runtime shuts down and
    /// waits out every task anyway.
    is_main: bool,
}

impl<'a> Model<'_, 'a> {
    fn lookup(&self, name: &str) -> Option<&Binding> {
        self.scopes.iter().rev().find_map(|scope| scope.get(name))
    }

    fn bind(&mut self, name: String, value: Option<Value>, origin: Option<Key>) {
        if let Some(scope) = self.scopes.last_mut() {
            scope.insert(name, Binding { value, origin });
        }
    }

    /// Binds the names a pattern introduces: a plain name takes `value`,
    /// a destructured one (`Some(h)`, `(id, h)`) takes its element.
    fn bind_pat(&mut self, pat: &Pat, value: Option<Value>, origin: Option<Key>, whole: bool) {
        match pat {
            Pat::Ident(ident) if ident.subpat.is_none() => {
                let value = if whole {
                    value
                } else {
                    value.and_then(Value::element)
                };
                self.bind(ident.ident.to_string(), value, origin);
            }
            Pat::Type(t) => {
                let typed = self.value_of_type(&t.ty);
                let (value, whole) = match typed {
                    Some(v) => (Some(v), true),
                    None => (value, whole),
                };
                self.bind_pat(&t.pat, value, origin, whole);
            }
            Pat::Reference(r) => self.bind_pat(&r.pat, value, origin, whole),
            Pat::Paren(p) => self.bind_pat(&p.pat, value, origin, whole),
            _ => {
                let mut names = PatNames(Vec::new());
                names.visit_pat(pat);
                let element = if whole {
                    value.and_then(Value::element)
                } else {
                    value
                        .and_then(Value::element)
                        .or(value.filter(|v| matches!(v, Value::One(_))))
                };
                for name in names.0 {
                    self.bind(name, element, origin.clone());
                }
            }
        }
    }

    /// The value a written type holds.
    pub fn value_of_type(&self, ty: &Type) -> Option<Value> {
        if let Some(value) = self.cx.kind_of_type(ty).and_then(Value::of_kind) {
            return Some(value);
        }
        match ty {
            Type::Reference(r) => self.value_of_type(&r.elem),
            Type::Paren(p) => self.value_of_type(&p.elem),
            Type::Group(g) => self.value_of_type(&g.elem),
            Type::Path(p) if p.qself.is_none() => {
                let last = p.path.segments.last()?;
                let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
                    return None;
                };
                args.args.iter().find_map(|arg| match arg {
                    syn::GenericArgument::Type(inner) => match self.value_of_type(inner)? {
                        Value::One(h) | Value::Many(h) => Some(Value::Many(h)),
                        other @ (Value::JoinSet | Value::Tracker) => Some(other),
                        Value::Spawns(_) => None,
                    },
                    _ => None,
                })
            }
            _ => None,
        }
    }

    /// The value an expression evaluates to, where this function tells.
    pub fn value_of(&self, expr: &Expr) -> Option<Value> {
        match expr {
            Expr::Path(p) if p.qself.is_none() => {
                if let Some(ident) = p.path.get_ident() {
                    if let Some(binding) = self.lookup(&ident.to_string()) {
                        return binding.value;
                    }
                }
                self.cx.kind_of_expr(expr).and_then(Value::of_kind)
            }
            Expr::Field(f) => match &f.member {
                syn::Member::Named(name) if is_self(&f.base) => {
                    self.value_of_type(self.cx.field_type(&name.to_string())?)
                }
                _ => None,
            },
            Expr::Paren(p) => self.value_of(&p.expr),
            Expr::Group(g) => self.value_of(&g.expr),
            Expr::Reference(r) => self.value_of(&r.expr),
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => self.value_of(&u.expr),
            Expr::Try(t) => self.value_of(&t.expr),
            Expr::Await(a) => match &*a.base {
                Expr::MethodCall(m)
                    if matches!(m.method.to_string().as_str(), "lock" | "read" | "write") =>
                {
                    self.value_of(&a.base)
                }
                _ => None,
            },
            Expr::Call(_) => self
                .spawned(expr)
                .or_else(|| self.cx.kind_of_expr(expr).and_then(Value::of_kind)),
            Expr::MethodCall(m) => {
                if let Some(value) = self.spawned(expr) {
                    return Some(value);
                }
                let method = m.method.to_string();
                match method.as_str() {
                    "unwrap" | "expect" | "take" | "as_ref" | "as_mut" | "as_deref"
                    | "as_deref_mut" | "lock" | "write" | "read" | "borrow" | "borrow_mut"
                    | "get_mut" | "iter" | "iter_mut" | "into_iter" | "drain" | "values"
                    | "values_mut" | "into_values" | "pop" | "pop_front" | "pop_back"
                    | "remove" | "swap_remove" | "first" | "last" | "get" | "clone"
                    | "unwrap_or_default" => self.value_of(&m.receiver),
                    "abort_handle" => match self.value_of(&m.receiver)? {
                        Value::One(h) => Some(Value::One(Handle {
                            awaitable: false,
                            ..h
                        })),
                        _ => None,
                    },
                    "collect" => self.collects_spawns(&m.receiver),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// `(0..n).map(|_| tokio::spawn(..)).collect()`: handles.
    fn collects_spawns(&self, chain: &Expr) -> Option<Value> {
        let mut expr = chain;
        while let Expr::MethodCall(m) = expr {
            for arg in &m.args {
                if let Expr::Closure(c) = arg {
                    let tail = match &*c.body {
                        Expr::Block(b) => match b.block.stmts.last() {
                            Some(Stmt::Expr(e, None)) => e,
                            _ => continue,
                        },
                        other => other,
                    };
                    if let Some(Value::One(h)) = self.spawned(tail) {
                        return Some(Value::Many(h));
                    }
                }
            }
            expr = &m.receiver;
        }
        None
    }

    /// The handle a spawn call returns.
    fn spawned(&self, expr: &Expr) -> Option<Value> {
        let expr = crate::rules::detached::peel_result(expr);
        match expr {
            Expr::Call(call) => {
                let path = self.cx.resolve_expr_path(&call.func)?;
                let spawner = spawner::function_spawner(&path)
                    .or_else(|| self.cx.settings.configured_spawner(&path))?;
                (spawner == Spawner::Detaching).then_some(Value::One(Handle {
                    blocking: spawner::is_blocking_spawner(&path),
                    awaitable: true,
                }))
            }
            Expr::MethodCall(m) => {
                let method = m.method.to_string();
                if !method.starts_with("spawn") {
                    return None;
                }
                let receiver = self.value_of(&m.receiver).or_else(|| {
                    // `set.build_task().name("x").spawn(..)`
                    let Expr::MethodCall(inner) = &*m.receiver else {
                        return None;
                    };
                    let root = crate::walk::chain_root(&inner.receiver);
                    match self.value_of(root) {
                        Some(Value::JoinSet) => Some(Value::JoinSet),
                        _ => None,
                    }
                })?;
                let blocking = spawner::is_blocking_spawner(&method);
                let handle = |awaitable| {
                    Value::One(Handle {
                        blocking,
                        awaitable,
                    })
                };
                match receiver {
                    Value::JoinSet => Some(handle(false)),
                    Value::Tracker => Some(handle(true)),
                    Value::Spawns(kind) => match spawner::method_spawner(kind, &method)? {
                        Spawner::Detaching => Some(handle(true)),
                        _ => None,
                    },
                    _ => None,
                }
            }
            _ => None,
        }
    }

    fn body(&self) -> Option<&Body<'a>> {
        self.bodies.last()
    }

    /// Is the code being walked in `main`'s own body (not a task it spawns)?
    fn in_main_body(&self) -> bool {
        self.is_main && self.bodies.len() == 1
    }

    /// Is the code being walked in a body that can `.await`?
    pub fn can_await(&self) -> bool {
        self.body().is_some_and(|b| b.is_async)
    }

    /// Is `key` mentioned after `expr` in the body around it (or anywhere in
    /// the loop around it, which runs again), other than by the `benign` methods?
    pub fn mentioned_later(&mut self, keys: &[Key], expr: &Expr, benign: &[&str]) -> bool {
        let region = Region::from_span(expr.span());
        let own = (
            (region.line, region.column),
            (region.end_line, region.end_column),
        );
        let Some(body) = self.bodies.last_mut() else {
            return true;
        };
        let from = body.loops.first().copied().unwrap_or(own.1).min(own.1);
        let tokens = body.flat.get_or_insert_with(|| {
            let stream = match body.tokens {
                TokenSource::Block(b) => b.to_token_stream(),
                TokenSource::Expr(e) => e.to_token_stream(),
            };
            let mut out = Vec::new();
            flatten(stream, &mut out);
            out
        });
        keys.iter()
            .any(|key| mentions(tokens, key, from, own, benign))
    }

    fn walk_stmts(&mut self, stmts: &'a [Stmt]) {
        self.scopes.push(HashMap::new());
        for (i, stmt) in stmts.iter().enumerate() {
            match stmt {
                Stmt::Local(local) => {
                    if let Some(init) = &local.init {
                        self.visit_expr(&init.expr);
                        if let Some((_, diverge)) = &init.diverge {
                            self.visit_expr(diverge);
                        }
                    }
                    let value = local.init.as_ref().and_then(|i| self.value_of(&i.expr));
                    let origin = local.init.as_ref().and_then(|i| root_key(&i.expr));
                    self.bind_pat(&local.pat, value, origin, true);
                    self.local_let(local, value, &stmts[i + 1..]);
                }
                Stmt::Item(_) => {}
                Stmt::Expr(expr, _) => self.visit_expr(expr),
                Stmt::Macro(m) => self.visit_macro(&m.mac),
            }
        }
        self.scopes.pop();
    }

    /// A `let` of a new join set or task tracker: judged on the statements after it.
    fn local_let(&mut self, local: &'a syn::Local, value: Option<Value>, rest: &'a [Stmt]) {
        let Some(init) = &local.init else { return };
        let (pat, typed) = match &local.pat {
            Pat::Type(t) => (&*t.pat, Some(&*t.ty)),
            other => (other, None),
        };
        let Pat::Ident(ident) = pat else { return };
        let value = typed.and_then(|ty| self.value_of_type(ty)).or(value);
        let constructed = matches!(
            crate::rules::detached::peel_result(&init.expr),
            Expr::Call(_) | Expr::MethodCall(_)
        );
        if !constructed {
            return;
        }
        let name = ident.ident.to_string();
        match value {
            Some(Value::JoinSet) if self.can_await() => {
                let region = Region::covering(local.let_token.span, ident.ident.span());
                undrained_join_set::check(&name, region, rest, self.cx);
            }
            Some(Value::Tracker) if matches!(init.expr.as_ref(), Expr::Call(_)) => {
                tracker_wait_without_close::check(&name, rest, self.cx);
            }
            _ => {}
        }
    }

    fn visit_closure_with(
        &mut self,
        c: &'a syn::ExprClosure,
        inline: Option<(Option<Value>, Option<Key>)>,
    ) {
        let is_inline = inline.is_some();
        if !is_inline {
            let is_async = c.asyncness.is_some();
            self.bodies
                .push(Body::new(TokenSource::Expr(&c.body), is_async));
        }
        self.scopes.push(HashMap::new());
        let (value, origin) = inline.unwrap_or((None, None));
        for input in &c.inputs {
            self.bind_pat(input, value, origin.clone(), true);
        }
        self.visit_expr(&c.body);
        self.scopes.pop();
        if !is_inline {
            self.bodies.pop();
        }
    }

    fn in_loop(&mut self, start: proc_macro2::Span, f: impl FnOnce(&mut Self)) {
        let at = start.start();
        if let Some(body) = self.bodies.last_mut() {
            body.loops.push((at.line, at.column + 1));
        }
        f(self);
        if let Some(body) = self.bodies.last_mut() {
            body.loops.pop();
        }
    }

    /// `handles.push(tokio::spawn(..))`: `handles` now holds task handles.
    fn collect_into(&mut self, m: &syn::ExprMethodCall) {
        let method = m.method.to_string();
        if !matches!(
            method.as_str(),
            "push" | "push_back" | "push_front" | "insert"
        ) {
            return;
        }
        let Some(name) = plain_name(&m.receiver) else {
            return;
        };
        let Some(Value::One(handle)) = m.args.last().and_then(|arg| self.value_of(arg)) else {
            return;
        };
        if let Some(binding) = self.scopes.iter_mut().rev().find_map(|s| s.get_mut(&name)) {
            if binding.value.is_none() {
                binding.value = Some(Value::Many(handle));
            }
        }
    }

    fn method_call(&mut self, expr: &'a Expr, m: &'a syn::ExprMethodCall) {
        self.collect_into(m);
        if !m.args.is_empty() {
            return;
        }
        let method = m.method.to_string();
        match method.as_str() {
            "abort" => {
                let Some(Value::One(handle) | Value::Many(handle)) = self.value_of(&m.receiver)
                else {
                    return;
                };
                if !self.can_await() {
                    return;
                }
                if handle.blocking {
                    abort_spawn_blocking::check(expr, &m.receiver, self.cx);
                } else if handle.awaitable && !self.in_main_body() {
                    let keys = self.keys_of(&m.receiver);
                    if !self.mentioned_later(&keys, expr, abort_without_await::HANDLE_BENIGN) {
                        abort_without_await::check_handle(expr, &m.receiver, self.cx);
                    }
                }
            }
            "abort_all" => {
                if self.value_of(&m.receiver) != Some(Value::JoinSet)
                    || !self.can_await()
                    || self.in_main_body()
                {
                    return;
                }
                let keys = self.keys_of(&m.receiver);
                if !self.mentioned_later(&keys, expr, abort_without_await::SET_BENIGN) {
                    abort_without_await::check_set(expr, &m.receiver, self.cx);
                }
            }
            _ => {}
        }
    }

    /// The names under which a later use of a receiver's handle would show.
    fn keys_of(&self, receiver: &Expr) -> Vec<Key> {
        let mut keys = Vec::new();
        if let Some(key) = root_key(receiver) {
            if let Key::Local(name) = &key {
                if let Some(origin) = self.lookup(name).and_then(|b| b.origin.clone()) {
                    keys.push(origin);
                }
            }
            keys.push(key);
        }
        keys
    }
}

impl<'a> Visit<'a> for Model<'_, 'a> {
    fn visit_block(&mut self, block: &'a Block) {
        self.walk_stmts(&block.stmts);
    }

    fn visit_item(&mut self, _: &'a syn::Item) {}

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::MethodCall(m) => {
                self.method_call(expr, m);
                self.visit_expr(&m.receiver);
                let method = m.method.to_string();
                let inline = INLINE_ADAPTERS.contains(&method.as_str());
                let element = inline
                    .then(|| self.value_of(&m.receiver))
                    .flatten()
                    .and_then(|v| v.element().or(Some(v)));
                let origin = root_key(&m.receiver);
                for arg in &m.args {
                    match arg {
                        Expr::Closure(c) if inline => {
                            self.visit_closure_with(c, Some((element, origin.clone())))
                        }
                        _ => self.visit_expr(arg),
                    }
                }
            }
            Expr::Closure(c) => self.visit_closure_with(c, None),
            Expr::Async(a) => {
                self.bodies
                    .push(Body::new(TokenSource::Block(&a.block), true));
                self.visit_block(&a.block);
                self.bodies.pop();
            }
            Expr::Loop(l) => {
                self.in_loop(l.body.brace_token.span.open(), |m| m.visit_block(&l.body))
            }
            Expr::While(w) => {
                self.scopes.push(HashMap::new());
                self.visit_expr(&w.cond);
                self.in_loop(w.body.brace_token.span.open(), |m| m.visit_block(&w.body));
                self.scopes.pop();
            }
            Expr::ForLoop(f) => {
                self.visit_expr(&f.expr);
                let value = self.value_of(&f.expr);
                let origin = root_key(&f.expr);
                self.scopes.push(HashMap::new());
                self.bind_pat(&f.pat, value, origin, false);
                self.in_loop(f.body.brace_token.span.open(), |m| m.visit_block(&f.body));
                self.scopes.pop();
            }
            Expr::If(i) => {
                self.scopes.push(HashMap::new());
                self.visit_expr(&i.cond);
                self.visit_block(&i.then_branch);
                self.scopes.pop();
                if let Some((_, else_branch)) = &i.else_branch {
                    self.visit_expr(else_branch);
                }
            }
            Expr::Let(l) => {
                self.visit_expr(&l.expr);
                let value = self.value_of(&l.expr);
                self.bind_pat(&l.pat, value, root_key(&l.expr), true);
            }
            Expr::Match(m) => {
                self.visit_expr(&m.expr);
                let value = self.value_of(&m.expr);
                let origin = root_key(&m.expr);
                for arm in &m.arms {
                    self.scopes.push(HashMap::new());
                    self.bind_pat(&arm.pat, value, origin.clone(), true);
                    if let Some((_, guard)) = &arm.guard {
                        self.visit_expr(guard);
                    }
                    self.visit_expr(&arm.body);
                    self.scopes.pop();
                }
            }
            _ => visit::visit_expr(self, expr),
        }
    }

    fn visit_macro(&mut self, mac: &'a syn::Macro) {
        match self.cx.expansions.get(mac) {
            Some(Expansion::Exprs(exprs)) => exprs.iter().for_each(|e| self.visit_expr(e)),
            Some(Expansion::Stmts(stmts)) => self.walk_stmts(stmts),
            Some(Expansion::Select(select)) => {
                for arm in &select.arms {
                    self.visit_expr(&arm.future);
                    self.scopes.push(HashMap::new());
                    self.bind_pat(&arm.pat, None, None, true);
                    if let Some(guard) = &arm.guard {
                        self.visit_expr(guard);
                    }
                    self.visit_expr(&arm.handler);
                    self.scopes.pop();
                }
                select.fallbacks.iter().for_each(|e| self.visit_expr(e));
            }
            Some(Expansion::Items(_)) | None => {}
        }
    }
}

/// The names a pattern binds.
struct PatNames(Vec<String>);

impl<'ast> Visit<'ast> for PatNames {
    fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
        self.0.push(p.ident.to_string());
        visit::visit_pat_ident(self, p);
    }
}

/// A token with its position, for "is this name used later?" questions that
/// must see inside macros too.
#[derive(Debug)]
struct Tok {
    at: (usize, usize),
    kind: TokKind,
}

#[derive(Debug, PartialEq)]
enum TokKind {
    Ident(String),
    Punct(char),
    Other,
}

fn flatten(stream: TokenStream, out: &mut Vec<Tok>) {
    for tree in stream {
        let start = tree.span().start();
        let at = (start.line, start.column + 1);
        match tree {
            TokenTree::Group(g) => {
                out.push(Tok {
                    at,
                    kind: TokKind::Other,
                });
                flatten(g.stream(), out);
                let end = g.span_close().start();
                out.push(Tok {
                    at: (end.line, end.column + 1),
                    kind: TokKind::Other,
                });
            }
            TokenTree::Ident(i) => out.push(Tok {
                at,
                kind: TokKind::Ident(i.to_string()),
            }),
            TokenTree::Punct(p) => out.push(Tok {
                at,
                kind: TokKind::Punct(p.as_char()),
            }),
            TokenTree::Literal(_) => out.push(Tok {
                at,
                kind: TokKind::Other,
            }),
        }
    }
}

type Pos = (usize, usize);

/// Is `key` mentioned at or after `from`, outside `own`, other than by a
/// call of one of the `benign` methods on it?
fn mentions(tokens: &[Tok], key: &Key, from: Pos, own: (Pos, Pos), benign: &[&str]) -> bool {
    let is_dot = |i: usize| {
        matches!(
            tokens.get(i),
            Some(Tok {
                kind: TokKind::Punct('.'),
                ..
            })
        )
    };
    for (i, tok) in tokens.iter().enumerate() {
        if tok.at < from || (tok.at >= own.0 && tok.at < own.1) {
            continue;
        }
        let TokKind::Ident(word) = &tok.kind else {
            continue;
        };
        let preceded_by_dot = i > 0 && is_dot(i - 1);
        let hit = match key {
            Key::Local(name) => word == name && !preceded_by_dot,
            Key::Field(name) => word == name && preceded_by_dot,
        };
        if !hit {
            continue;
        }
        let benign_call = is_dot(i + 1)
            && matches!(tokens.get(i + 2), Some(Tok { kind: TokKind::Ident(m), .. }) if benign.contains(&m.as_str()));
        if !benign_call {
            return true;
        }
    }
    false
}
