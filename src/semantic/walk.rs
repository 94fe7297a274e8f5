//! The per-file model and the walk that feeds rule checks.
//!
//! [`Walker`] visits a parsed file once, keeping what rules need to know at
//! each point ([`Cx`]): the imports in scope, the enclosing constructs
//! (`fn`, closure, loop, `async` block, `impl`), the kinds of local values
//! (a `Runtime`, a `JoinSet`, a `Command`), and whether this is test code.
//! Macro bodies are walked through their expansions.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::{
    Block, Expr, ExprCall, ExprMethodCall, FnArg, ImplItemFn, Item, ItemFn, Macro, Pat, Signature,
    Stmt, Type,
};

use crate::base::finding::{Diagnostic, Region};
use crate::base::rule::{Family, Rule, RuleSet};
use crate::knowledge::declared::Declared;
use crate::knowledge::spawner::{self, Kind, Spawner};
use crate::semantic::handles::Handles;
use crate::semantic::resolve::ScopeStack;
use crate::syntax::macros::{Expansion, Expansions, SelectMacro};

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

#[derive(Debug, Clone)]
pub struct FnFrame<'a> {
    pub name: String,
    pub sig: &'a Signature,
    pub body: &'a Block,
    pub attrs: &'a [syn::Attribute],
    /// `drop` in `impl Drop for ..`.
    pub is_drop: bool,
}

impl FnFrame<'_> {
    pub fn is_async(&self) -> bool {
        self.sig.asyncness.is_some()
    }

    /// Does the function carry this attribute (`should_panic`, `test`, ...)?
    pub fn has_attribute(&self, name: &str) -> bool {
        self.attrs
            .iter()
            .any(|attr| attr.path().segments.last().is_some_and(|s| s.ident == name))
    }
}

#[derive(Debug, Clone)]
pub enum Frame<'a> {
    Fn(FnFrame<'a>),
    Closure,
    Loop,
    Async,
    Impl {
        self_ty: Option<String>,
        is_drop: bool,
    },
}

/// The body of a spawned task: the `async` block, the closure's body, or the
/// same-file function the spawned future calls.
#[derive(Debug, Clone, Copy)]
pub enum TaskBody<'a> {
    Block(&'a Block),
    Expr(&'a Expr),
}

/// A call that spawns, with what the rules need about it.
#[derive(Debug, Clone)]
pub struct SpawnCall<'a> {
    pub expr: &'a Expr,
    pub spawner: Spawner,
    /// How the spawner is written: `tokio::spawn`, `rt.spawn`.
    pub name: String,
    /// The spawner's path or receiver and method, up to the `(`.
    pub region: Region,
    /// The spawned future or closure, when there is one.
    pub task: Option<&'a Expr>,
    /// For method spawners, the receiver.
    pub receiver: Option<&'a Expr>,
    pub is_blocking: bool,
}

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

/// The last path segment of a type, through references: `Server` for `&mut Server`.
pub fn type_name(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        Type::Reference(r) => type_name(&r.elem),
        Type::Paren(p) => type_name(&p.elem),
        Type::Group(g) => type_name(&g.elem),
        _ => None,
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
    scopes: ScopeStack,
    frames: Vec<Frame<'a>>,
    env: Vec<HashMap<String, Kind>>,
    test_depth: usize,
    items: Vec<String>,
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

    /// Can code here `.await`? (An `async fn` or `async` block, not crossing a closure.)
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
        let segments = crate::syntax::names::segments(path);
        self.scopes
            .resolve_segments(&segments, path.leading_colon.is_some(), |p| {
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
        match ty {
            Type::Reference(r) => self.kind_of_type(&r.elem),
            Type::Paren(p) => self.kind_of_type(&p.elem),
            Type::Group(g) => self.kind_of_type(&g.elem),
            Type::Path(p) if p.qself.is_none() => {
                let last = p.path.segments.last()?;
                let name = last.ident.to_string();
                if matches!(
                    name.as_str(),
                    "Arc" | "Rc" | "Box" | "Lazy" | "LazyLock" | "OnceCell" | "OnceLock"
                ) {
                    if let syn::PathArguments::AngleBracketed(args) = &last.arguments {
                        return args.args.iter().find_map(|arg| match arg {
                            syn::GenericArgument::Type(inner) => self.kind_of_type(inner),
                            _ => None,
                        });
                    }
                    return None;
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
        match expr {
            Expr::Call(call) => {
                let path = self.resolve_expr_path(&call.func)?;
                let spawner = spawner::function_spawner(&path)
                    .or_else(|| self.options.declared.spawner(&path))?;
                Some(SpawnCall {
                    expr,
                    spawner,
                    name: path_text(&call.func),
                    region: Region::from_span(crate::syntax::spans::expr(&call.func)),
                    task: call.args.first(),
                    receiver: None,
                    is_blocking: spawner::is_blocking_spawner(&path),
                })
            }
            Expr::MethodCall(m) => {
                let method = m.method.to_string();
                if !method.starts_with("spawn") {
                    return None;
                }
                let kind = self.kind_of_expr(&m.receiver)?;
                let spawner = spawner::method_spawner(kind, &method)?;
                Some(SpawnCall {
                    expr,
                    spawner,
                    name: format!("{}.{}", self.text(m.receiver.span()), method),
                    region: Region::covering(m.receiver.span(), m.method.span()),
                    task: m.args.first(),
                    receiver: Some(&m.receiver),
                    is_blocking: spawner::is_blocking_spawner(&method),
                })
            }
            _ => None,
        }
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

    fn bind(&mut self, name: String, kind: Option<Kind>) {
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
fn smart_pointer_argument(call: &ExprCall) -> Option<&Expr> {
    let Expr::Path(p) = &*call.func else {
        return None;
    };
    let segments = crate::syntax::names::segments(&p.path);
    let [ty, function] = segments.as_slice() else {
        return None;
    };
    let wraps = matches!(ty.as_str(), "Arc" | "Rc" | "Box")
        && matches!(function.as_str(), "new" | "pin" | "clone");
    if wraps && call.args.len() == 1 {
        call.args.first()
    } else {
        None
    }
}

/// Adapters that wrap a future without changing what it runs.
pub fn is_future_adapter(method: &str) -> bool {
    matches!(
        method,
        "instrument"
            | "in_current_span"
            | "boxed"
            | "boxed_local"
            | "fuse"
            | "with_current_subscriber"
            | "with_subscriber"
    )
}

pub fn is_self(expr: &Expr) -> bool {
    matches!(expr, Expr::Path(p) if p.path.is_ident("self"))
}

fn receiver_root_is_self(expr: &Expr) -> bool {
    match expr {
        Expr::MethodCall(m) => receiver_root_is_self(&m.receiver),
        Expr::Field(f) => receiver_root_is_self(&f.base),
        Expr::Reference(r) => receiver_root_is_self(&r.expr),
        Expr::Paren(p) => receiver_root_is_self(&p.expr),
        other => is_self(other),
    }
}

/// A path expression as written: `tokio::spawn`, `::tokio::task::spawn`.
pub fn path_text(expr: &Expr) -> String {
    match expr {
        Expr::Path(p) => {
            let mut text = String::new();
            if p.path.leading_colon.is_some() {
                text.push_str("::");
            }
            let segments = crate::syntax::names::segments(&p.path);
            text.push_str(&segments.join("::"));
            text
        }
        _ => String::new(),
    }
}

/// The text of a region of `source`, or `None` when it lies outside.
pub fn slice_region(source: &str, region: Region) -> Option<String> {
    let lines: Vec<&str> = source
        .lines()
        .skip(region.line.checked_sub(1)?)
        .take(region.end_line + 1 - region.line)
        .collect();
    if lines.is_empty() {
        return None;
    }
    let mut out = String::new();
    let last = lines.len() - 1;
    for (i, line) in lines.iter().enumerate() {
        let start = if i == 0 { region.column - 1 } else { 0 };
        let chars: Vec<char> = line.chars().collect();
        let end = if i == last {
            (region.end_column - 1).min(chars.len())
        } else {
            chars.len()
        };
        if start <= end {
            out.extend(&chars[start..end]);
        }
        if i != last {
            out.push('\n');
        }
    }
    Some(out)
}

/// Is this attribute list one that marks a test function?
fn is_test_fn(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        let path = attr.path();
        let last = crate::syntax::names::last_segment(path);
        matches!(
            last.as_str(),
            "test" | "bench" | "rstest" | "test_case" | "quickcheck" | "proptest"
        ) || is_cfg_test(attr)
    })
}

fn is_cfg_test(attr: &syn::Attribute) -> bool {
    if !attr.path().is_ident("cfg") {
        return false;
    }
    let syn::Meta::List(list) = &attr.meta else {
        return false;
    };
    crate::syntax::macros::tokens_mention(&list.tokens, "test")
        && !crate::syntax::macros::tokens_mention(&list.tokens, "not")
}

fn has_cfg_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(is_cfg_test)
}

/// How far down an expression (a receiver chain) [`Cx::kind_of_expr`] looks:
/// real chains that keep a kind are a few links long, and it is asked at
/// every link of a chain (quadratic time if each looked all the way down).
const KIND_DEPTH: usize = 16;

/// Walks a file, calling every check's hooks.
pub struct Walker<'a, 'c> {
    pub cx: Cx<'a>,
    checks: Vec<Box<dyn Check<'a> + 'c>>,
}

impl<'a, 'c> Walker<'a, 'c> {
    pub fn new(cx: Cx<'a>, checks: Vec<Box<dyn Check<'a> + 'c>>) -> Self {
        Walker { cx, checks }
    }

    pub fn run(mut self, file: &'a syn::File) -> Cx<'a> {
        // `#![cfg(test)]` at the top of a file: the whole file is test code.
        self.cx.test_depth += usize::from(has_cfg_test(&file.attrs));
        self.cx.scopes.push_module(&file.items);
        self.cx.env.push(HashMap::new());
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
                w.cx.env.push(HashMap::new());
                for input in &sig.inputs {
                    if let FnArg::Typed(typed) = input {
                        if let Pat::Ident(ident) = &*typed.pat {
                            let kind = w.cx.kind_of_type(&typed.ty);
                            w.cx.bind(ident.ident.to_string(), kind);
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
        self.cx.env.push(HashMap::new());
        for check in &mut self.checks {
            check.block(stmts, &self.cx);
        }
        for stmt in stmts {
            self.visit_stmt(stmt);
        }
        self.cx.env.pop();
        self.cx.scopes.pop();
    }

    fn walk_items(&mut self, items: &'a [Item]) {
        for item in items {
            self.visit_item(item);
        }
    }
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
                w.walk_items(items);
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
                w.with_frame(Frame::Impl { self_ty, is_drop }, |w| {
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
            let kind = match ty {
                Some(ty) => self.cx.kind_of_type(ty),
                None => local
                    .init
                    .as_ref()
                    .and_then(|init| self.cx.kind_of_expr(&init.expr)),
            };
            self.cx.bind(ident.ident.to_string(), kind);
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        for check in &mut self.checks {
            check.expr(expr, &self.cx);
        }
        match expr {
            Expr::Closure(c) => {
                self.with_frame(Frame::Closure, |w| visit::visit_expr_closure(w, c))
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
                        let kind = self.cx.kind_of_expr(&l.expr);
                        self.cx.bind(ident.ident.to_string(), kind);
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

/// Identifies an expression node while its file is walked, for matching
/// what a `block` hook saw with what `expr` sees later. The tree does not
/// move during a walk, so its address is enough (and far cheaper than a
/// span, which syn computes by printing the expression).
pub type ExprKey = usize;

pub fn expr_key(expr: &Expr) -> ExprKey {
    std::ptr::from_ref(expr) as usize
}

/// The value a `Result` or `Option` holds, where the code says it is taken out:
/// `x?`, `x.unwrap()`, `x.expect(..)`, `(x)`: the `x`.
/// `expr` with the wrappers `inner` sees through taken off, outermost first.
pub fn peel_by<'e>(mut expr: &'e Expr, inner: impl Fn(&'e Expr) -> Option<&'e Expr>) -> &'e Expr {
    while let Some(next) = inner(expr) {
        expr = next;
    }
    expr
}

/// What `(x)` and an invisible (macro) group hold: for [`peel_by`].
pub fn transparent(expr: &Expr) -> Option<&Expr> {
    match expr {
        Expr::Paren(p) => Some(&p.expr),
        Expr::Group(g) => Some(&g.expr),
        _ => None,
    }
}

pub fn peel_result(mut expr: &Expr) -> &Expr {
    loop {
        match expr {
            Expr::Try(t) => expr = &t.expr,
            Expr::Paren(p) => expr = &p.expr,
            Expr::MethodCall(m)
                if (m.method == "unwrap" && m.args.is_empty())
                    || (m.method == "expect" && m.args.len() == 1) =>
            {
                expr = &m.receiver
            }
            _ => return expr,
        }
    }
}

/// The method-call receiver chain's root: `cmd` for `cmd.arg(x).spawn()`.
pub fn chain_root(mut expr: &Expr) -> &Expr {
    loop {
        match expr {
            Expr::MethodCall(ExprMethodCall { receiver, .. }) => expr = receiver,
            Expr::Paren(p) => expr = &p.expr,
            Expr::Reference(r) => expr = &r.expr,
            _ => return expr,
        }
    }
}
