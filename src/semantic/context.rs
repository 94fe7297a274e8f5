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

use crate::base::finding::{Diagnostic, Region};
use crate::base::rule::{Family, Rule, RuleSet};
use crate::knowledge::declared::Declared;
use crate::knowledge::spawner::{self, Kind};
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

/// What the rules can ask at any point of the walk.
pub struct Cx<'a> {
    pub path: &'a str,
    pub source: &'a str,
    pub options: Options<'a>,
    pub expansions: &'a Expansions,
    pub index: FileIndex<'a>,
    pub(super) scopes: ScopeStack,
    pub(super) frames: Vec<Frame<'a>>,
    pub(super) env: Vec<HashMap<String, Kind>>,
    pub(super) test_depth: usize,
    pub(super) items: Vec<String>,
    out: RefCell<Vec<Diagnostic>>,
    line_starts: std::cell::OnceCell<Vec<usize>>,
    /// Task-handle models by function body, shared by the rule families.
    models: RefCell<HashMap<usize, Rc<Handles<'a>>>>,
}

impl<'a> Cx<'a> {
    pub fn new(
        path: &'a str,
        source: &'a str,
        file: &'a syn::File,
        expansions: &'a Expansions,
        options: Options<'a>,
        is_test_file: bool,
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
            test_depth: usize::from(is_test_file),
            items: Vec::new(),
            out: RefCell::new(Vec::new()),
            line_starts: std::cell::OnceCell::new(),
            models: RefCell::new(HashMap::new()),
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

    /// Inside a loop body or a closure, below the enclosing `fn`?
    pub fn is_per_item(&self) -> bool {
        self.frames_in_fn()
            .any(|frame| matches!(frame, Frame::Loop | Frame::Closure))
    }

    pub fn can_await(&self) -> bool {
        for frame in self.frames.iter().rev() {
            match frame {
                Frame::Async => return true,
                Frame::Fn(f) => return f.is_async(),
                Frame::Closure => return false,
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
            spawner::is_known_path(p) || self.options.declared.is_spawner(p)
        })
    }

    pub fn resolve_expr_path(&self, expr: &Expr) -> Option<String> {
        match expr {
            Expr::Path(p) if p.qself.is_none() => self.resolve(&p.path),
            _ => None,
        }
    }

    pub fn kind_of_type(&self, ty: &Type) -> Option<Kind> {
        match peel_type(ty) {
            Type::Path(p) if p.qself.is_none() => {
                let last = p.path.segments.last()?;
                let name = last.ident.to_string();
                if matches!(
                    name.as_str(),
                    "Arc" | "Rc" | "Box" | "Lazy" | "LazyLock" | "OnceCell" | "OnceLock"
                ) {
                    return type_arguments(last).find_map(|inner| self.kind_of_type(inner));
                }
                spawner::kind_of_type_path(&self.resolve(&p.path)?)
            }
            _ => None,
        }
    }

    fn lookup_local(&self, name: &str) -> Option<Kind> {
        self.env
            .iter()
            .rev()
            .find_map(|scope| scope.get(name).copied())
            .or_else(|| {
                let ty = self.index.statics.get(name)?;
                self.kind_of_type(ty)
            })
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
        self.kind_within(expr, KIND_DEPTH)
    }

    /// [`Cx::kind_of_expr`], looking at most `depth` levels down.
    fn kind_within(&self, expr: &Expr, depth: usize) -> Option<Kind> {
        let depth = depth.checked_sub(1)?;
        match expr {
            Expr::Path(p) if p.qself.is_none() => {
                let ident = p.path.get_ident()?;
                self.lookup_local(&ident.to_string())
            }
            Expr::Field(f) => {
                let syn::Member::Named(member) = &f.member else {
                    return None;
                };
                if !is_self(&f.base) {
                    return None;
                }
                self.kind_of_type(self.field_type(&member.to_string())?)
            }
            Expr::Reference(r) => self.kind_within(&r.expr, depth),
            Expr::Paren(p) => self.kind_within(&p.expr, depth),
            Expr::Group(g) => self.kind_within(&g.expr, depth),
            Expr::Try(t) => self.kind_within(&t.expr, depth),
            Expr::Call(call) => {
                if let Some(arg) = smart_pointer_argument(call) {
                    return self.kind_within(arg, depth);
                }
                spawner::kind_of_constructor(&self.resolve_expr_path(&call.func)?)
            }
            Expr::MethodCall(m) => {
                let method = m.method.to_string();
                if matches!(method.as_str(), "unwrap" | "expect") {
                    return self.kind_within(&m.receiver, depth);
                }
                let receiver = self.kind_within(&m.receiver, depth)?;
                spawner::kind_after_method(receiver, &method)
            }
            _ => None,
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
            std::iter::once(0)
                .chain(self.source.match_indices('\n').map(|(i, _)| i + 1))
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

    /// The source text a span covers, whitespace folded.
    pub fn text(&self, span: Span) -> String {
        let region = Region::from_span(span);
        let rebased = Region {
            line: 1,
            end_line: region.end_line.saturating_sub(region.line) + 1,
            ..region
        };
        let text = slice_region(self.rest_from_line(region.line), rebased).unwrap_or_default();
        let folded = crate::base::fingerprint::normalise_line(&text);
        if folded.len() > 60 {
            let cut: String = folded.chars().take(57).collect();
            format!("{cut}...")
        } else {
            folded
        }
    }

    pub(super) fn bind(&mut self, name: String, kind: Option<Kind>) {
        if let Some(scope) = self.env.last_mut() {
            match kind {
                Some(kind) => {
                    scope.insert(name, kind);
                }
                None => {
                    // A shadowing binding of unknown kind hides the outer one.
                    if scope.contains_key(&name) || self.env.iter().any(|s| s.contains_key(&name)) {
                        if let Some(scope) = self.env.last_mut() {
                            scope.remove(&name);
                        }
                    }
                }
            }
        }
    }
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

    fn text(&self, span: Span) -> String {
        Cx::text(self, span)
    }
}
