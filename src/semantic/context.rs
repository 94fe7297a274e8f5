//! What the rules can ask at any point of the walk ([`Cx`]): the imports
//! in scope, the enclosing constructs, the kinds of local values, same-file
//! items, and whether this is test code.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::{Block, Expr, ImplItemFn, ItemFn, Stmt, Type};

use crate::base::fasthash::FastMap;
use crate::base::finding::{Diagnostic, Region};
use crate::base::fix::Fix;
use crate::base::rule::{Family, Rule, RuleSet};
use crate::knowledge::declared::Declared;
use crate::knowledge::spawner::{self, Kind, Spawner};
use crate::semantic::crate_model::{CrateModel, FnFact, LazyModel, Ty};
use crate::semantic::frames::{FnFrame, Frame, SpawnCall, TaskBody};
use crate::semantic::handles::Handles;
use crate::semantic::lookup::Lookup;
use crate::semantic::resolve::ScopeStack;
use crate::semantic::spawns::spawn_of;
use crate::syntax::exprs::{
    is_future_adapter, is_self, peel_type, receiver_root_is_self, slice_region,
    smart_pointer_argument, type_arguments, type_name,
};
use crate::syntax::macros::{Expansion, Expansions};

/// The longest code quote in a message, in characters.
const QUOTE_CHARS: usize = 60;

/// Same-file functions, methods, struct fields and statics.
#[derive(Default)]
pub struct FileIndex<'a> {
    fns: HashMap<String, Vec<&'a ItemFn>>,
    methods: HashMap<String, Vec<(Option<String>, &'a ImplItemFn)>>,
    fields: HashMap<(String, String), &'a Type>,
    statics: HashMap<String, &'a Type>,
}

struct Indexer<'a, 'x> {
    index: &'x mut FileIndex<'a>,
    expansions: &'a Expansions,
    self_ty: Option<String>,
}

impl<'a> Visit<'a> for Indexer<'a, '_> {
    fn visit_item_fn(&mut self, f: &'a ItemFn) {
        self.index
            .fns
            .entry(f.sig.ident.to_string())
            .or_default()
            .push(f);
    }
    fn visit_item_impl(&mut self, i: &'a syn::ItemImpl) {
        let saved = self
            .self_ty
            .replace(type_name(&i.self_ty).unwrap_or_default());
        for item in &i.items {
            if let syn::ImplItem::Fn(f) = item {
                self.index
                    .methods
                    .entry(f.sig.ident.to_string())
                    .or_default()
                    .push((self.self_ty.clone(), f));
            }
        }
        self.self_ty = saved;
    }
    fn visit_item_struct(&mut self, s: &'a syn::ItemStruct) {
        for field in &s.fields {
            if let Some(ident) = &field.ident {
                self.index
                    .fields
                    .insert((s.ident.to_string(), ident.to_string()), &field.ty);
            }
        }
    }
    fn visit_item_static(&mut self, s: &'a syn::ItemStatic) {
        self.index.statics.insert(s.ident.to_string(), &s.ty);
    }
    fn visit_item_macro(&mut self, m: &'a syn::ItemMacro) {
        if m.ident.is_some() {
            return;
        }
        if let Some(Expansion::Items(items)) = self.expansions.get(&m.mac) {
            items.iter().for_each(|item| self.visit_item(item));
        }
    }
}

/// What the walk needs to know of a run's settings.
#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    pub enabled: &'a RuleSet,
    /// Report every rule in test code, not only those that look at it.
    pub lint_tests: bool,
    pub declared: &'a Declared,
}

/// The file's crate, as the walk sees it: the crate model and the file's
/// module path in it.
#[derive(Debug, Clone, Copy)]
pub struct CrateView<'a> {
    pub lazy: &'a LazyModel,
    pub module: &'a [String],
}

impl<'a> CrateView<'a> {
    /// The crate model, built on first use (see [`LazyModel`]).
    pub fn model(&self) -> &'a CrateModel {
        self.lazy.get()
    }
}

/// What the rules can ask at any point of the walk.
pub struct Cx<'a> {
    pub path: &'a str,
    pub source: &'a str,
    pub options: Options<'a>,
    pub expansions: &'a Expansions,
    pub index: FileIndex<'a>,
    pub(super) scopes: ScopeStack,
    pub(super) frames: Vec<Frame<'a>>,
    /// Local names and what their values are; `None`: a binding of a
    /// value the rules do not follow, which hides an outer one.
    pub(super) env: Vec<FastMap<String, Option<Ty>>>,
    pub krate: CrateView<'a>,
    /// The inline modules around this point, in the file.
    pub(super) modules: Vec<String>,
    pub(super) test_depth: usize,
    pub(super) items: Vec<String>,
    out: RefCell<Vec<Diagnostic>>,
    line_starts: std::cell::OnceCell<Vec<usize>>,
    /// Task-handle models by function body, shared by the rule families.
    models: RefCell<FastMap<usize, Rc<Handles<'a>>>>,
}

impl<'a> Cx<'a> {
    pub fn new(
        path: &'a str,
        source: &'a str,
        file: &'a syn::File,
        expansions: &'a Expansions,
        options: Options<'a>,
        is_test_file: bool,
        krate: CrateView<'a>,
    ) -> Cx<'a> {
        let mut index = FileIndex::default();
        Indexer {
            index: &mut index,
            expansions,
            self_ty: None,
        }
        .visit_file(file);
        Cx {
            path,
            source,
            options,
            expansions,
            index,
            scopes: ScopeStack::default(),
            frames: Vec::new(),
            env: Vec::new(),
            krate,
            modules: Vec::new(),
            test_depth: usize::from(is_test_file),
            items: Vec::new(),
            out: RefCell::new(Vec::new()),
            line_starts: std::cell::OnceCell::new(),
            models: RefCell::new(FastMap::default()),
        }
    }

    /// The task-handle model of function `f`, built once per body.
    pub fn handles(&self, f: &FnFrame<'a>) -> Rc<Handles<'a>> {
        let key = f.body as *const Block as usize;
        if let Some(model) = self.models.borrow().get(&key) {
            return Rc::clone(model);
        }
        let model = Rc::new(Handles::of_fn(Some(f.sig), f.body, self));
        self.models.borrow_mut().insert(key, Rc::clone(&model));
        model
    }

    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.out.into_inner()
    }

    /// Reports a finding, unless the rule is disabled or does not apply to test code here.
    pub fn report(
        &self,
        rule: &'static Rule,
        region: Region,
        message: String,
        help: impl Into<String>,
    ) {
        self.report_with_fix(rule, region, message, help, None);
    }

    /// [`Cx::report`], with the fix the rule offers (if any).
    pub fn report_with_fix(
        &self,
        rule: &'static Rule,
        region: Region,
        message: String,
        help: impl Into<String>,
        fix: Option<Fix>,
    ) {
        if !self.options.enabled.contains(rule) {
            return;
        }
        if self.in_test() && !self.options.lint_tests && !rule.in_tests {
            return;
        }
        self.out.borrow_mut().push(Diagnostic {
            rule,
            region,
            message,
            help: help.into(),
            item: self.items.join("::"),
            fix,
        });
    }

    pub fn is_enabled(&self, rule: &Rule) -> bool {
        self.options.enabled.contains(rule)
    }

    /// Would a finding of this family be kept here (test code aside)?
    pub fn family_applies(&self, family: Family) -> bool {
        !self.in_test() || self.options.lint_tests || matches!(family, Family::Swallowed)
    }

    pub fn in_test(&self) -> bool {
        self.test_depth > 0
    }

    pub fn frames(&self) -> &[Frame<'a>] {
        &self.frames
    }

    pub fn enclosing_fn(&self) -> Option<&FnFrame<'a>> {
        self.frames.iter().rev().find_map(|frame| match frame {
            Frame::Fn(f) => Some(f),
            _ => None,
        })
    }

    /// Frames between here and the enclosing `fn`, innermost first.
    pub fn frames_in_fn(&self) -> impl Iterator<Item = &Frame<'a>> {
        self.frames
            .iter()
            .rev()
            .take_while(|frame| !matches!(frame, Frame::Fn(_) | Frame::Impl { .. }))
    }

    /// Inside a loop body or a closure, below the enclosing `fn` and below
    /// the innermost run-once closure (whose body runs once, whatever loop
    /// or closure it sits in)?
    pub fn is_per_item(&self) -> bool {
        self.frames_in_fn()
            .take_while(|frame| !matches!(frame, Frame::RunOnce))
            .any(|frame| matches!(frame, Frame::Loop | Frame::Closure))
    }

    pub fn can_await(&self) -> bool {
        for frame in self.frames.iter().rev() {
            match frame {
                Frame::Async => return true,
                Frame::Fn(f) => return f.is_async(),
                Frame::Closure | Frame::RunOnce => return false,
                _ => {}
            }
        }
        false
    }

    pub fn in_drop(&self) -> bool {
        self.enclosing_fn().is_some_and(|f| f.is_drop)
    }

    pub fn self_type(&self) -> Option<&str> {
        self.frames.iter().rev().find_map(|frame| match frame {
            Frame::Impl { self_ty, .. } => self_ty.as_deref(),
            _ => None,
        })
    }

    /// The resolved path a path names, if it names a known external item.
    pub fn resolve(&self, path: &syn::Path) -> Option<String> {
        self.scopes.resolve(path, |p| {
            spawner::is_known_path(p)
                || self.options.declared.is_spawner(p)
                // The model knows functions by their `crate::` paths.
                || (p.starts_with("crate::") && self.krate.model().function(p).is_some())
        })
    }

    /// The crate function a call's path names: imported (`use
    /// crate::rt::spawn`), written from the crate root, or relative to this
    /// module (`spawn`, `rt::spawn`, `self::spawn`, `super::spawn`).
    pub fn crate_function(&self, path: &syn::Path) -> Option<(String, &'a FnFact)> {
        let model = self.krate.model();
        let last = path.segments.last()?;
        if !model.has_function_named(&crate::syntax::names::unraw(&last.ident)) {
            return None;
        }
        if let Some(resolved) = self.resolve(path) {
            return model.function(&resolved).map(|f| (resolved, f));
        }
        if path.leading_colon.is_some() {
            return None;
        }
        let segments = crate::syntax::names::segments(path);
        let mut here: Vec<String> = self.krate.module.to_vec();
        here.extend(self.modules.iter().cloned());
        let mut rest = segments.as_slice();
        let mut anchored = false;
        while let Some((first, tail)) = rest.split_first() {
            match first.as_str() {
                "self" => anchored = true,
                "super" => {
                    here.pop()?;
                    anchored = true;
                }
                _ => break,
            }
            rest = tail;
        }
        let candidate = |base: &[String]| {
            let mut full = vec!["crate".to_string()];
            full.extend(base.iter().cloned());
            full.extend(rest.iter().cloned());
            full.join("::")
        };
        let mut candidates = vec![candidate(&here)];
        if !anchored && rest.len() > 1 {
            candidates.push(candidate(&[]));
        }
        candidates
            .into_iter()
            .find_map(|path| model.function(&path).map(|f| (path, f)))
    }

    /// The crate function or method a call's callee names: a function
    /// ([`Cx::crate_function`]), `Type::f`, `Self::f`, or through a type
    /// parameter's bounds, `R::f` and `C::Assoc::f`.
    pub fn callee(&self, func: &Expr) -> Option<(String, &'a FnFact)> {
        let Expr::Path(p) = func else {
            return None;
        };
        if p.qself.is_some() {
            return None;
        }
        if let Some(found) = self.crate_function(&p.path) {
            return Some(found);
        }
        let model = self.krate.model();
        let last = p.path.segments.last()?;
        if p.path.segments.len() < 2 || !model.has_method_named(&last.ident.to_string()) {
            return None;
        }
        let segments = crate::syntax::names::segments(&p.path);
        let written = segments.join("::");
        match segments.as_slice() {
            [ty, name] => {
                let bounds = self.bounds_of(ty, None);
                if !bounds.is_empty() {
                    return bounds
                        .iter()
                        .find_map(|t| model.method(t, name))
                        .map(|f| (written, f));
                }
                let ty = if ty == "Self" {
                    self.self_type()?
                } else {
                    ty.as_str()
                };
                if self.resolve(&p.path).is_some() {
                    return None;
                }
                model.method(ty, name).map(|f| (written, f))
            }
            [param, assoc, name] => {
                let bounds = self.bounds_of(param, None);
                bounds
                    .iter()
                    .flat_map(|t| model.assoc_bounds(t, assoc))
                    .find_map(|t| model.method(t, name))
                    .map(|f| (written, f))
            }
            _ => None,
        }
    }

    /// The traits bounding type parameter `name` in the enclosing `impl`
    /// and function (or `sig`, for a function not entered yet); empty when
    /// `name` is not a type parameter.
    pub fn bounds_of(&self, name: &str, sig: Option<&syn::Signature>) -> Vec<String> {
        let mut generics: Vec<&syn::Generics> = Vec::new();
        for frame in &self.frames {
            match frame {
                Frame::Fn(f) => generics.push(&f.sig.generics),
                Frame::Impl {
                    generics: Some(g), ..
                } => generics.push(g),
                _ => {}
            }
        }
        if let Some(sig) = sig {
            generics.push(&sig.generics);
        }
        let trait_names = |bounds: &mut dyn Iterator<Item = &syn::TypeParamBound>| -> Vec<String> {
            bounds
                .filter_map(|b| match b {
                    syn::TypeParamBound::Trait(t) => {
                        t.path.segments.last().map(|s| s.ident.to_string())
                    }
                    _ => None,
                })
                .collect()
        };
        let mut found = Vec::new();
        for g in generics {
            for param in g.type_params() {
                if param.ident == name {
                    found.extend(trait_names(&mut param.bounds.iter()));
                    found.push(String::new());
                }
            }
            for predicate in g.where_clause.iter().flat_map(|w| &w.predicates) {
                if let syn::WherePredicate::Type(t) = predicate {
                    if matches!(&t.bounded_ty, Type::Path(p) if p.path.is_ident(name)) {
                        found.extend(trait_names(&mut t.bounds.iter()));
                    }
                }
            }
        }
        found
    }

    pub fn resolve_expr_path(&self, expr: &Expr) -> Option<String> {
        match expr {
            Expr::Path(p) if p.qself.is_none() => self.resolve(&p.path),
            _ => None,
        }
    }

    pub fn kind_of_type(&self, ty: &Type) -> Option<Kind> {
        self.ty_of_type(ty, None)?.kind()
    }

    /// What a written type is, for the rules: a kind type, a crate alias
    /// of one, a crate type, or a type parameter bounded by a crate trait.
    /// `sig`: the function whose parameters are being bound.
    pub fn ty_of_type(&self, ty: &Type, sig: Option<&syn::Signature>) -> Option<Ty> {
        match peel_type(ty) {
            Type::Path(p) if p.qself.is_none() => {
                let last = p.path.segments.last()?;
                let name = last.ident.to_string();
                if matches!(
                    name.as_str(),
                    "Arc" | "Rc" | "Box" | "Lazy" | "LazyLock" | "OnceCell" | "OnceLock"
                ) {
                    return type_arguments(last).find_map(|inner| self.ty_of_type(inner, sig));
                }
                if let Some(path) = self.resolve(&p.path) {
                    return spawner::kind_of_type_path(&path).map(Ty::Kind);
                }
                if p.path.segments.len() == 1 {
                    let bounds = self.bounds_of(&name, sig);
                    if !bounds.is_empty() {
                        return bounds
                            .into_iter()
                            .find(|t| self.krate.model().knows_type(t))
                            .map(Ty::Crate);
                    }
                }
                if !self.krate.model().names_type(&name) {
                    return None;
                }
                self.krate.model().path_ty(p, &self.scopes)
            }
            Type::ImplTrait(t) => self.krate.model().bound_type(t.bounds.iter()),
            Type::TraitObject(t) => self.krate.model().bound_type(t.bounds.iter()),
            _ => None,
        }
    }

    fn lookup_local(&self, name: &str) -> Option<Ty> {
        for scope in self.env.iter().rev() {
            if let Some(ty) = scope.get(name) {
                return ty.clone();
            }
        }
        let ty = self.index.statics.get(name)?;
        self.ty_of_type(ty, None)
    }

    /// The kind of a field of the current `impl`'s type, from its struct in this file.
    pub fn field_type(&self, field: &str) -> Option<&'a Type> {
        let self_ty = self.self_type()?;
        self.index
            .fields
            .get(&(self_ty.to_string(), field.to_string()))
            .copied()
    }

    /// The kind of value an expression evaluates to, where the file tells.
    pub fn kind_of_expr(&self, expr: &Expr) -> Option<Kind> {
        self.ty_of_expr(expr)?.kind()
    }

    /// What an expression evaluates to, where the file and the crate model tell.
    pub fn ty_of_expr(&self, expr: &Expr) -> Option<Ty> {
        self.ty_within(expr, KIND_DEPTH)
    }

    /// [`Cx::ty_of_expr`], looking at most `depth` levels down.
    fn ty_within(&self, expr: &Expr, depth: usize) -> Option<Ty> {
        let depth = depth.checked_sub(1)?;
        let model = self.krate.model();
        match expr {
            Expr::Path(p) if p.qself.is_none() => {
                let ident = p.path.get_ident()?;
                if ident == "self" {
                    return self.self_type().map(|t| Ty::Crate(t.to_string()));
                }
                self.lookup_local(&ident.to_string())
            }
            Expr::Field(f) => {
                let member = match &f.member {
                    syn::Member::Named(member) => member.to_string(),
                    syn::Member::Unnamed(index) => index.index.to_string(),
                };
                if is_self(&f.base) {
                    if let Some(ty) = self.field_type(&member) {
                        if let Some(found) = self.ty_of_type(ty, None) {
                            return Some(found);
                        }
                    }
                }
                match self.ty_within(&f.base, depth)? {
                    Ty::Crate(owner) => model.field(&owner, &member).cloned(),
                    Ty::Kind(_) => None,
                }
            }
            Expr::Reference(r) => self.ty_within(&r.expr, depth),
            Expr::Paren(p) => self.ty_within(&p.expr, depth),
            Expr::Group(g) => self.ty_within(&g.expr, depth),
            Expr::Try(t) => self.ty_within(&t.expr, depth),
            // `inner.lock().await`
            Expr::Await(a) => match &*a.base {
                Expr::MethodCall(m) if is_guard_method(&m.method.to_string()) => {
                    self.ty_within(&m.receiver, depth)
                }
                _ => None,
            },
            Expr::Call(call) => {
                if let Some(arg) = smart_pointer_argument(call) {
                    return self.ty_within(arg, depth);
                }
                if let Some(kind) = self
                    .resolve_expr_path(&call.func)
                    .and_then(|path| spawner::kind_of_constructor(&path))
                {
                    return Some(Ty::Kind(kind));
                }
                self.callee(&call.func)?.1.returns.clone()
            }
            Expr::MethodCall(m) => {
                let method = m.method.to_string();
                if matches!(method.as_str(), "unwrap" | "expect") || is_guard_method(&method) {
                    return self.ty_within(&m.receiver, depth);
                }
                match self.ty_within(&m.receiver, depth)? {
                    Ty::Kind(receiver) => {
                        spawner::kind_after_method(receiver, &method).map(Ty::Kind)
                    }
                    Ty::Crate(owner) => model.method(&owner, &method)?.returns.clone(),
                }
            }
            _ => None,
        }
    }

    /// A method of a crate type or trait called on `receiver`, by the
    /// receiver's type.
    pub fn crate_method(&self, receiver: &Expr, method: &str) -> Option<&'a FnFact> {
        match self.ty_of_expr(receiver)? {
            Ty::Crate(owner) => self.krate.model().method(&owner, method),
            Ty::Kind(_) => None,
        }
    }

    /// Is `expr` a call that spawns? Function spawners by resolved path,
    /// method spawners by the receiver's known kind.
    pub fn spawn_call(&self, expr: &'a Expr) -> Option<SpawnCall<'a>> {
        let spawn = spawn_of(expr, self, |receiver| self.kind_of_expr(receiver))?;
        let (region, task, receiver) = match expr {
            Expr::Call(call) => (
                Region::from_span(crate::syntax::spans::expr(&call.func)),
                call.args.first(),
                None,
            ),
            Expr::MethodCall(m) => (
                Region::covering(m.receiver.span(), m.method.span()),
                m.args.first(),
                Some(&*m.receiver),
            ),
            _ => return None,
        };
        Some(SpawnCall {
            expr,
            spawner: spawn.spawner,
            name: spawn.name,
            region,
            task,
            receiver,
            is_blocking: spawn.is_blocking,
        })
    }

    /// The body the spawned future or closure runs, where this file has it.
    pub fn task_body(&self, task: &'a Expr) -> Option<TaskBody<'a>> {
        match task {
            Expr::Async(a) => Some(TaskBody::Block(&a.block)),
            Expr::Closure(c) => match &*c.body {
                Expr::Block(b) => Some(TaskBody::Block(&b.block)),
                Expr::Async(a) => Some(TaskBody::Block(&a.block)),
                body => Some(TaskBody::Expr(body)),
            },
            Expr::Paren(p) => self.task_body(&p.expr),
            Expr::Group(g) => self.task_body(&g.expr),
            // `tokio::spawn({ let x = x.clone(); async move { .. } })`
            Expr::Block(b) => match b.block.stmts.last() {
                Some(Stmt::Expr(tail, None)) => self.task_body(tail),
                _ => None,
            },
            Expr::Call(call) => {
                if let Some(arg) = smart_pointer_argument(call) {
                    return self.task_body(arg);
                }
                let Expr::Path(p) = &*call.func else {
                    return None;
                };
                let segments = crate::syntax::names::segments(&p.path);
                match segments.as_slice() {
                    [name] if self.resolve(&p.path).is_none() => self.unique_fn(name),
                    [ty, name] if self.resolve(&p.path).is_none() => {
                        let ty = if ty == "Self" {
                            self.self_type()?.to_string()
                        } else {
                            ty.clone()
                        };
                        self.method_body(Some(&ty), name)
                    }
                    _ => None,
                }
            }
            Expr::MethodCall(m) => {
                let method = m.method.to_string();
                if is_future_adapter(&method) {
                    return self.task_body(&m.receiver);
                }
                if receiver_root_is_self(&m.receiver) {
                    self.method_body(self.self_type(), &method)
                } else {
                    self.method_body(None, &method)
                }
            }
            _ => None,
        }
    }

    fn unique_fn(&self, name: &str) -> Option<TaskBody<'a>> {
        match self.index.fns.get(name).map(Vec::as_slice) {
            Some([f]) => Some(TaskBody::Block(&f.block)),
            _ => None,
        }
    }

    fn method_body(&self, self_ty: Option<&str>, name: &str) -> Option<TaskBody<'a>> {
        let candidates = self.index.methods.get(name)?;
        let mut matching = candidates
            .iter()
            .filter(|(ty, _)| self_ty.is_none() || ty.as_deref() == self_ty);
        let (_, first) = matching.next()?;
        if matching.next().is_some() {
            return None;
        }
        Some(TaskBody::Block(&first.block))
    }

    /// The whole source lines a block spans: a cheap superset of its text,
    /// for gates like "does this body mention `.await` at all?".
    pub fn block_lines(&self, block: &Block) -> &'a str {
        let starts = self.line_starts();
        let first = block.brace_token.span.open().start().line;
        let last = block.brace_token.span.close().end().line;
        let from = starts.get(first.saturating_sub(1)).copied().unwrap_or(0);
        let to = starts.get(last).copied().unwrap_or(self.source.len());
        self.source.get(from..to).unwrap_or(self.source)
    }

    /// Where each line starts, by byte offset: found once per file, so that
    /// looking up a line does not take time in the file's size.
    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            // `memchr`, not `match_indices`: this runs over every linted file.
            std::iter::once(0)
                .chain(memchr::memchr_iter(b'\n', self.source.as_bytes()).map(|i| i + 1))
                .collect()
        })
    }

    /// The source from the start of `line` (1-based) on.
    fn rest_from_line(&self, line: usize) -> &'a str {
        let from = line
            .checked_sub(1)
            .and_then(|i| self.line_starts().get(i).copied())
            .unwrap_or(self.source.len());
        self.source.get(from..).unwrap_or("")
    }

    /// The text of `line` (1-based), as `str::lines` gives it.
    pub fn line(&self, line: usize) -> &'a str {
        self.rest_from_line(line).lines().next().unwrap_or("")
    }

    /// The source text a span covers, for a message: on one line, cut at a
    /// token boundary (see [`crate::text::snippet`]).
    pub fn text(&self, span: Span) -> String {
        let region = Region::from_span(span);
        let rebased = Region {
            line: 1,
            end_line: region.end_line.saturating_sub(region.line) + 1,
            ..region
        };
        let text = slice_region(self.rest_from_line(region.line), rebased).unwrap_or_default();
        crate::text::snippet::one_line(&text, QUOTE_CHARS)
    }

    pub(super) fn bind(&mut self, name: String, ty: Option<Ty>) {
        if ty.is_none() && !self.env.iter().any(|scope| scope.contains_key(&name)) {
            // Nothing to hide: keep the scopes small.
            return;
        }
        if let Some(scope) = self.env.last_mut() {
            // A binding of unknown kind hides an outer one.
            scope.insert(name, ty);
        }
    }

    /// `let mut cmd;` then `cmd = Command::new(..)`: the assignment gives a
    /// name declared without a value (or without a known one) its kind.
    pub(super) fn assign(&mut self, name: &str, value: &Expr) {
        // Only a name declared without a known value takes one.
        let unknown = self
            .env
            .iter()
            .rev()
            .find_map(|scope| scope.get(name))
            .is_some_and(Option::is_none);
        if !unknown {
            return;
        }
        let Some(ty) = self.ty_of_expr(value) else {
            return;
        };
        for scope in self.env.iter_mut().rev() {
            if let Some(slot) = scope.get_mut(name) {
                *slot = Some(ty);
                return;
            }
        }
    }

    /// Declares a name with no value yet (`let mut cmd;`).
    pub(super) fn declare(&mut self, name: String) {
        if let Some(scope) = self.env.last_mut() {
            scope.insert(name, None);
        }
    }
}

/// Methods that lend the value they are called on (a lock guard, a
/// reference): the rules follow them through.
fn is_guard_method(method: &str) -> bool {
    matches!(
        method,
        "lock" | "read" | "write" | "borrow" | "borrow_mut" | "blocking_lock" | "as_ref" | "get"
    )
}

/// `Arc::new(x)`, `Rc::new(x)`, `Box::new(x)`, `Box::pin(x)`, `Arc::clone(&x)`: the `x`.
const KIND_DEPTH: usize = 16;

impl<'a> Lookup<'a> for Cx<'a> {
    fn enclosing_fn(&self) -> Option<&FnFrame<'a>> {
        Cx::enclosing_fn(self)
    }

    fn expansions(&self) -> &'a Expansions {
        self.expansions
    }

    fn declared(&self) -> &'a Declared {
        self.options.declared
    }

    fn resolve(&self, path: &syn::Path) -> Option<String> {
        Cx::resolve(self, path)
    }

    fn resolve_expr_path(&self, expr: &Expr) -> Option<String> {
        Cx::resolve_expr_path(self, expr)
    }

    fn field_type(&self, field: &str) -> Option<&'a Type> {
        Cx::field_type(self, field)
    }

    fn kind_of_expr(&self, expr: &Expr) -> Option<Kind> {
        Cx::kind_of_expr(self, expr)
    }

    fn crate_spawn(&self, expr: &Expr) -> Option<(String, Spawner, bool)> {
        let model = self.krate.model();
        match expr {
            Expr::Call(call) => {
                let Expr::Path(p) = &*call.func else {
                    return None;
                };
                let last = p.path.segments.last()?;
                if !model.may_spawn(&crate::syntax::names::unraw(&last.ident)) {
                    return None;
                }
                let (path, fact) = self.callee(&call.func)?;
                Some((path, fact.spawner?, fact.tokio))
            }
            Expr::MethodCall(m) => {
                let method = m.method.to_string();
                if !model.may_spawn(&method) {
                    return None;
                }
                let fact = self.crate_method(&m.receiver, &method)?;
                let name = format!("{}.{method}", self.text(m.receiver.span()));
                Some((name, fact.spawner?, fact.tokio))
            }
            _ => None,
        }
    }

    fn crate_field_kind(&self, field: &str) -> Option<Kind> {
        self.krate.model().field(self.self_type()?, field)?.kind()
    }

    fn crate_handle(&self, ty: &Type) -> Option<(Kind, bool)> {
        let Type::Path(p) = peel_type(ty) else {
            return None;
        };
        let last = p.path.segments.last()?;
        if !self.krate.model().is_alias(&last.ident.to_string()) {
            return None;
        }
        let kind = self.krate.model().path_ty(p, &self.scopes)?.kind()?;
        let tokio = self.krate.model().is_tokio_handle(ty, &self.scopes);
        Some((kind, tokio))
    }

    fn text(&self, span: Span) -> String {
        Cx::text(self, span)
    }
}
