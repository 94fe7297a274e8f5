//! Task handles followed through a function body.
//!
//! [`Handles::of_fn`] finds the values in a function that are task handles
//! (a local bound from a spawner, an element of a collection filled from
//! one, a parameter or `self` field typed `JoinHandle<..>`), the collections
//! holding them, the `JoinSet`s and `TaskTracker`s, and records every place
//! each one is used — awaited, aborted, moved, returned, dropped — in source
//! order. It also knows in which body each piece of code runs ([`Body`]: the
//! function's own, an `async` block, a closure not called on the spot), so
//! rules can tell where awaiting is possible at all.
//!
//! The `swallowed` family reads handles, holders and sets; the function-local
//! `shutdown` rules also read trackers, [`Class::Guarded`] values, the bodies
//! and [`Handles::aborts`].
//!
//! Call it from [`crate::semantic::walk::Check::block`] when the block is the
//! function's body ([`is_fn_body`]): the body's own `use`s are then in scope
//! for path resolution. The model is per function and name based: nested
//! closures and `async` blocks share it, nested `fn` items get their own.
//!
//! ```text
//! fn block(&mut self, stmts: &'a [Stmt], cx: &Cx<'a>) {
//!     let Some(f) = cx.enclosing_fn().filter(|_| handles::is_fn_body(stmts, cx)) else { return };
//!     let model = Handles::of_fn(Some(f.sig), f.body, cx);
//!     for handle in model.handles() {          // also `model.bindings` for holders and sets
//!         for event in &handle.events {        // source order
//!             if event.what == Use::Aborted && !handle.happens_after(Use::Awaited, event.region) { .. }
//!         }
//!     }
//! }
//! ```

use std::collections::{HashMap, HashSet};

use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::{Block, Expr, FnArg, Pat, Signature, Stmt, Type};

use crate::base::finding::Region;
use crate::knowledge::spawner::{Kind, Spawner};
use crate::semantic::context::Cx;
use crate::syntax::exprs::{is_self, peel_by, transparent};
use crate::syntax::macros::{tokens_mention, Expansion};

/// What a value holding tasks is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// One task's handle.
    Handle(HandleKind),
    /// Several (or an optional one): `Vec`, `Option`, maps, `FuturesUnordered`,
    /// or an iterator over them.
    Holder(HandleKind),
    /// A tokio `JoinSet`.
    JoinSet,
    /// A `tokio_util` `TaskTracker`.
    Tracker,
    /// Handles behind a lock or shared pointer (`Mutex<Option<JoinHandle<T>>>`,
    /// `Arc<JoinHandle<T>>`), or taken out of one: they can be aborted, not joined as written.
    Guarded(HandleKind),
    /// A join set behind a lock or in a container (`Mutex<JoinSet<T>>`, `Option<JoinSet<T>>`).
    GuardedSet,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HandleKind {
    /// `JoinHandle`, `BlockingJoinHandle`, `ThreadJoinHandle`, `AbortHandle`
    /// (`JoinSet::spawn`), or `JoinHandle` for a cancel-on-drop `Task`.
    pub kind: Kind,
    /// Awaiting it yields `Result<T, JoinError>` (tokio's handles; not
    /// async-std's or smol's, which resume the task's panic).
    pub join_error: bool,
    /// From `spawn_blocking` (on any spawner): `abort()` cannot stop it once it runs.
    pub blocking: bool,
}

impl Class {
    pub fn handle_kind(self) -> Option<HandleKind> {
        match self {
            Class::Handle(k) | Class::Holder(k) => Some(k),
            Class::JoinSet | Class::Tracker | Class::Guarded(_) | Class::GuardedSet => None,
        }
    }

    /// The class of a lock, shared pointer or container of this.
    fn guarded(self) -> Option<Class> {
        match self {
            Class::Handle(k) | Class::Holder(k) | Class::Guarded(k) => Some(Class::Guarded(k)),
            Class::JoinSet | Class::GuardedSet => Some(Class::GuardedSet),
            Class::Tracker => None,
        }
    }
}

/// Where a binding's value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// `let h = tokio::spawn(..)`: the spawner as written.
    Spawned(String),
    /// An element taken out of a holder: `for h in handles`, `if let Some(h) = self.task.take()`.
    Element(String),
    /// A parameter with a written type.
    Param,
    /// A `self` field with a written type (the binding's name is `self.field`).
    Field,
    /// A `let` with a written type, or a copy of another binding.
    Local,
    /// A collection filled with handles later on (`v.push(tokio::spawn(..))`).
    Filled,
}

/// What happens to a binding at one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    Awaited,
    Aborted,
    /// `set.abort_all()`.
    AbortAll,
    /// `set.join_next()`, `set.try_join_next()`, `futs.next()`.
    JoinNext,
    /// `set.join_all()`, `set.shutdown()`, `set.detach_all()`.
    Drained,
    /// A thread handle's `join()`.
    Joined,
    /// `is_finished()`, `id()`, `abort_handle()`, `len()`, `is_empty()`.
    Queried,
    /// `drop(h)`.
    Dropped,
    /// `std::mem::forget(h)`.
    Forgotten,
    /// `task.detach()`.
    Detached,
    /// `return h`, or the function's tail.
    Returned,
    /// Assigned to a place, put in a struct literal, pushed or inserted somewhere.
    Stored,
    /// Passed to a function or method.
    Passed,
    /// Iterated or taken apart: `for h in v`, `v.drain(..)`, `opt.take()`.
    Taken,
    /// Any other mention (a macro's tokens included).
    Used,
}

#[derive(Debug, Clone)]
pub struct Event<'a> {
    pub what: Use,
    /// The expression where it happens: the `.await`, the method call, the call.
    pub expr: Option<&'a Expr>,
    pub region: Region,
}

#[derive(Debug, Clone)]
pub struct Binding<'a> {
    /// `h`, or `self.task` for a field.
    pub name: String,
    pub class: Class,
    pub origin: Origin,
    /// The binding's pattern (or first mention, for fields).
    pub region: Region,
    /// The `let` that binds it, when its pattern is just the name (`let h`, `let h: T`).
    pub decl: Option<&'a syn::Local>,
    /// In source order.
    pub events: Vec<Event<'a>>,
}

impl Binding<'_> {
    /// Does `what` happen to this binding after `at`?
    pub fn happens_after(&self, what: Use, at: Region) -> bool {
        self.events
            .iter()
            .any(|e| e.what == what && start(e.region) > start(at))
    }

    /// Did `what` happen to this binding before `at`?
    pub fn happened_before(&self, what: Use, at: Region) -> bool {
        self.events
            .iter()
            .any(|e| e.what == what && start(e.region) < start(at))
    }
}

/// The task handles, holders and join sets of one function.
#[derive(Debug, Default)]
pub struct Handles<'a> {
    /// Bindings in source order of their declaration.
    pub bindings: Vec<Binding<'a>>,
    /// Every `let`/pattern name, with its position and class (`None` shadows).
    names: Vec<(String, (usize, usize), Option<usize>)>,
    /// Locals of a spawning kind (`let rt = Runtime::new()?`), by position.
    kinds: Vec<(String, (usize, usize), Kind)>,
    /// Where code runs: the function's own body first, then every `async`
    /// block and every closure not called on the spot.
    pub bodies: Vec<Body>,
    /// Every `x.abort()` and `x.abort_all()`, whatever `x` is: chains such as
    /// `self.task.take().unwrap().abort()` name no binding.
    pub aborts: Vec<&'a Expr>,
    /// `x.await` by the `x` awaited.
    awaits: HashMap<crate::syntax::exprs::ExprKey, &'a Expr>,
}

/// A body code runs in.
#[derive(Debug)]
pub struct Body {
    /// An `async fn`, `async` block or `async` closure: code here can `.await`.
    pub is_async: bool,
    start: (usize, usize),
    end: (usize, usize),
    /// The bodies of the loops in it (not in nested bodies).
    loops: Vec<((usize, usize), (usize, usize))>,
}

impl Body {
    fn new(span: proc_macro2::Span, is_async: bool) -> Body {
        let region = Region::from_span(span);
        Body {
            is_async,
            start: start(region),
            end: end(region),
            loops: Vec::new(),
        }
    }

    fn contains(&self, at: (usize, usize)) -> bool {
        self.start <= at && at < self.end
    }
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

/// Is `stmts` the body of the function the walk is in?
pub fn is_fn_body(stmts: &[Stmt], cx: &Cx<'_>) -> bool {
    cx.enclosing_fn().is_some_and(|f| {
        std::ptr::eq(f.body.stmts.as_ptr(), stmts.as_ptr()) && f.body.stmts.len() == stmts.len()
    })
}

fn start(region: Region) -> (usize, usize) {
    (region.line, region.column)
}

fn end(region: Region) -> (usize, usize) {
    (region.end_line, region.end_column)
}

impl<'a> Handles<'a> {
    /// Builds the model of one function body (`sig` gives the parameters).
    pub fn of_fn(sig: Option<&'a Signature>, body: &'a Block, cx: &Cx<'a>) -> Handles<'a> {
        let mut filled: HashMap<String, HandleKind> = HashMap::new();
        let mut handles = Handles::default();
        // Collections filled later in the body are holders from their `let`
        // on, so bindings are collected until the set of filled names is stable.
        for _ in 0..3 {
            handles = Handles::default();
            if let Some(sig) = sig {
                handles.bind_params(sig, cx);
            }
            let mut binder = Binder {
                handles: &mut handles,
                cx,
                filled: &filled,
                newly_filled: HashMap::new(),
            };
            binder.visit_block(body);
            let newly = binder.newly_filled;
            if newly.keys().all(|k| filled.contains_key(k)) {
                break;
            }
            filled.extend(newly);
        }
        handles.bodies = vec![Body::new(
            crate::syntax::spans::block(body),
            sig.is_some_and(|s| s.asyncness.is_some()),
        )];
        let mut recorder = Recorder {
            handles: &mut handles,
            cx,
            claimed: HashSet::new(),
            inline: HashSet::new(),
            body: 0,
            tail: body.stmts.last().and_then(|s| match s {
                Stmt::Expr(e, None) => Some(crate::syntax::exprs::expr_key(e)),
                _ => None,
            }),
        };
        recorder.visit_block(body);
        for binding in &mut handles.bindings {
            binding.events.sort_by_key(|e| start(e.region));
        }
        handles
    }

    fn bind_params(&mut self, sig: &'a Signature, cx: &Cx<'a>) {
        for input in &sig.inputs {
            let FnArg::Typed(typed) = input else { continue };
            let Pat::Ident(ident) = &*typed.pat else {
                continue;
            };
            let class = class_of_type(&typed.ty, cx);
            self.bind(
                ident.ident.to_string(),
                Region::from_span(ident.ident.span()),
                class,
                Origin::Param,
            );
        }
    }

    fn bind(&mut self, name: String, region: Region, class: Option<Class>, origin: Origin) {
        let index = class.map(|class| {
            self.bindings.push(Binding {
                name: name.clone(),
                class,
                origin,
                region,
                decl: None,
                events: Vec::new(),
            });
            self.bindings.len() - 1
        });
        self.names.push((name, start(region), index));
    }

    fn index_at(&self, name: &str, at: (usize, usize)) -> Option<usize> {
        self.names
            .iter()
            .filter(|(n, pos, _)| n == name && *pos < at)
            .max_by_key(|(_, pos, _)| *pos)
            .and_then(|(_, _, index)| *index)
    }

    /// Where the binding of `name` in force at `at` was made (any kind of value).
    pub fn bound_at(&self, name: &str, at: Region) -> Option<(usize, usize)> {
        self.names
            .iter()
            .filter(|(n, pos, _)| n == name && *pos < start(at))
            .map(|(_, pos, _)| *pos)
            .max()
    }

    /// The binding `name` refers to at `at`.
    pub fn binding_at(&self, name: &str, at: Region) -> Option<&Binding<'a>> {
        self.index_at(name, start(at)).map(|i| &self.bindings[i])
    }

    /// The binding an expression names (`h`, `&mut h`, `self.task`), if it is one.
    pub fn binding_of(&self, expr: &Expr) -> Option<&Binding<'a>> {
        let name = ref_name(expr)?;
        let at = Region::from_span(crate::syntax::spans::expr(expr));
        if name.starts_with("self.") {
            return self.bindings.iter().find(|b| b.name == name);
        }
        self.binding_at(&name, at)
    }

    /// What an expression evaluates to, as far as tasks go.
    pub fn class_of(&self, expr: &Expr, cx: &Cx<'a>) -> Option<Class> {
        class_of_expr(self, expr, cx)
    }

    /// The body the code at `at` runs in (an index into `bodies`): the innermost holding it.
    pub fn body_at(&self, at: Region) -> usize {
        let at = start(at);
        self.bodies
            .iter()
            .enumerate()
            .filter(|(_, b)| b.contains(at))
            .max_by_key(|(_, b)| b.start)
            .map_or(0, |(i, _)| i)
    }

    /// The `.await` of `expr`, if it is awaited on the spot.
    pub fn awaited(&self, expr: &Expr) -> Option<&'a Expr> {
        self.awaits
            .get(&crate::syntax::exprs::expr_key(expr))
            .copied()
    }

    /// Is `binding` used after `call`, in the body `call` runs in (anywhere
    /// in a loop around it there, which runs again), other than by a call of
    /// one of the `benign` methods on it?
    pub fn used_after(&self, binding: &Binding<'a>, call: &Expr, benign: &[&str]) -> bool {
        let own = Region::from_span(crate::syntax::spans::expr(call));
        let body = &self.bodies[self.body_at(own)];
        let from = body
            .loops
            .iter()
            .filter(|(s, e)| *s <= start(own) && start(own) < *e)
            .map(|(s, _)| *s)
            .min()
            .unwrap_or(end(own))
            .min(end(own));
        binding.events.iter().any(|e| {
            let at = start(e.region);
            let benign_call = matches!(e.expr, Some(Expr::MethodCall(m))
                if direct_name(&m.receiver).as_deref() == Some(binding.name.as_str())
                    && benign.iter().any(|b| m.method == b));
            at >= from && !(start(own) <= at && at < end(own)) && body.contains(at) && !benign_call
        })
    }

    /// Every handle binding (not holders or sets), in source order.
    pub fn handles(&self) -> impl Iterator<Item = &Binding<'a>> {
        self.bindings
            .iter()
            .filter(|b| matches!(b.class, Class::Handle(_)))
    }

    /// Bindings that are elements of the same holder as `binding` (itself included),
    /// and the holder itself.
    pub fn siblings<'s>(
        &'s self,
        binding: &'s Binding<'a>,
    ) -> impl Iterator<Item = &'s Binding<'a>> {
        let holder = match &binding.origin {
            Origin::Element(h) => Some(h.clone()),
            _ => None,
        };
        self.bindings.iter().filter(move |b| {
            std::ptr::eq(*b, binding)
                || holder.as_deref().is_some_and(|h| {
                    b.name == h || matches!(&b.origin, Origin::Element(o) if o == h)
                })
        })
    }
}

/// The name an expression refers to: `h` for `h`, `&mut h`, `(h)`, `h.as_mut()`;
/// `self.task` for `self.task`.
pub fn ref_name(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Path(p) if p.qself.is_none() => p.path.get_ident().map(|i| i.to_string()),
        Expr::Field(f) if is_self(&f.base) => match &f.member {
            syn::Member::Named(m) => Some(format!("self.{m}")),
            syn::Member::Unnamed(_) => None,
        },
        Expr::Reference(r) => ref_name(&r.expr),
        Expr::Paren(p) => ref_name(&p.expr),
        Expr::Group(g) => ref_name(&g.expr),
        Expr::MethodCall(m)
            if m.args.is_empty()
                && matches!(m.method.to_string().as_str(), "as_mut" | "as_ref") =>
        {
            ref_name(&m.receiver)
        }
        _ => None,
    }
}

/// `x`, `self.x`: the name of a binding, written as is.
pub fn direct_name(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Path(_) | Expr::Field(_) => ref_name(expr),
        _ => None,
    }
}

/// The class of a written type: `JoinHandle<T>`, `Option<JoinHandle<T>>`,
/// `Vec<(Id, JoinHandle<T>)>`, `JoinSet<T>`.
pub fn class_of_type(ty: &Type, cx: &Cx<'_>) -> Option<Class> {
    match ty {
        Type::Reference(r) => class_of_type(&r.elem, cx),
        Type::Paren(p) => class_of_type(&p.elem, cx),
        Type::Group(g) => class_of_type(&g.elem, cx),
        Type::Tuple(t) => t
            .elems
            .iter()
            .find_map(|e| class_of_type(e, cx))
            .and_then(|c| c.handle_kind().map(Class::Holder)),
        Type::Path(p) if p.qself.is_none() => {
            let last = p.path.segments.last()?;
            let name = last.ident.to_string();
            let inner = || match &last.arguments {
                syn::PathArguments::AngleBracketed(args) => {
                    args.args.iter().find_map(|arg| match arg {
                        syn::GenericArgument::Type(inner) => class_of_type(inner, cx),
                        _ => None,
                    })
                }
                _ => None,
            };
            match name.as_str() {
                "Option" | "Vec" | "VecDeque" | "HashMap" | "BTreeMap" | "IndexMap"
                | "FuturesUnordered" | "FuturesOrdered" | "SmallVec" => {
                    inner().and_then(|c| match c {
                        Class::Handle(k) | Class::Holder(k) => Some(Class::Holder(k)),
                        other => other.guarded(),
                    })
                }
                "Box" | "Pin" => inner(),
                _ => {
                    let Some((resolved, kind)) = cx.resolve(&p.path).and_then(|resolved| {
                        let kind = crate::knowledge::spawner::kind_of_type_path(&resolved)?;
                        Some((resolved, kind))
                    }) else {
                        // `Mutex<..>`, `Arc<..>`, `RwLock<..>` of handles or a set.
                        return inner().and_then(Class::guarded);
                    };
                    match kind {
                        Kind::JoinSet => Some(Class::JoinSet),
                        Kind::TaskTracker => Some(Class::Tracker),
                        Kind::JoinHandle | Kind::BlockingJoinHandle => {
                            Some(Class::Handle(HandleKind {
                                kind,
                                join_error: resolved.starts_with("tokio::"),
                                blocking: kind == Kind::BlockingJoinHandle,
                            }))
                        }
                        Kind::ThreadJoinHandle | Kind::AbortHandle => {
                            Some(Class::Handle(HandleKind {
                                kind,
                                join_error: false,
                                blocking: false,
                            }))
                        }
                        _ => None,
                    }
                }
            }
        }
        _ => None,
    }
}

/// The handle a spawn call returns, if `expr` is one.
pub fn spawned_handle(
    handles: &Handles<'_>,
    expr: &Expr,
    cx: &Cx<'_>,
) -> Option<(HandleKind, String)> {
    spawned_within(handles, expr, cx, CLASS_DEPTH)
}

/// [`spawned_handle`], looking `depth` levels down for the receiver's class.
fn spawned_within(
    handles: &Handles<'_>,
    expr: &Expr,
    cx: &Cx<'_>,
    depth: usize,
) -> Option<(HandleKind, String)> {
    let (spawner, resolved, blocking, name) = match expr {
        Expr::Call(call) => {
            let path = cx.resolve_expr_path(&call.func)?;
            let spawner = crate::knowledge::spawner::function_spawner(&path)
                .or_else(|| cx.options.declared.spawner(&path))?;
            let blocking = crate::knowledge::spawner::is_blocking_spawner(&path);
            (
                spawner,
                path,
                blocking,
                crate::syntax::exprs::path_text(&call.func),
            )
        }
        Expr::MethodCall(m) => {
            let method = m.method.to_string();
            if !method.starts_with("spawn") {
                return None;
            }
            let receiver = class_within(handles, &m.receiver, cx, depth);
            let kind = match receiver {
                Some(Class::JoinSet | Class::GuardedSet) => Kind::JoinSet,
                _ => local_kind(handles, &m.receiver, cx, depth)?,
            };
            let spawner = crate::knowledge::spawner::method_spawner(kind, &method)?;
            let origin = match kind {
                Kind::JoinSet => "tokio::JoinSet",
                Kind::TaskTracker | Kind::Runtime | Kind::RuntimeHandle | Kind::LocalSet => {
                    "tokio::runtime"
                }
                _ => "",
            };
            let name = format!("{}.{}", cx.text(m.receiver.span()), method);
            (
                spawner,
                origin.to_string(),
                crate::knowledge::spawner::is_blocking_spawner(&method),
                name,
            )
        }
        _ => return None,
    };
    let kind = match spawner {
        Spawner::Detaching if blocking => Kind::BlockingJoinHandle,
        Spawner::Detaching | Spawner::CancelOnDrop => Kind::JoinHandle,
        Spawner::Owning if resolved == "tokio::JoinSet" => Kind::AbortHandle,
        Spawner::Owning => Kind::JoinHandle,
        Spawner::Thread => Kind::ThreadJoinHandle,
        Spawner::Child => return None,
    };
    let join_error = matches!(spawner, Spawner::Detaching | Spawner::Owning)
        && kind != Kind::AbortHandle
        && (resolved.starts_with("tokio::") || resolved.starts_with("actix_rt::"));
    Some((
        HandleKind {
            kind,
            join_error,
            blocking,
        },
        name,
    ))
}

/// The kind of a spawning receiver: a local of this body, or what the walk knows.
fn local_kind(handles: &Handles<'_>, expr: &Expr, cx: &Cx<'_>, depth: usize) -> Option<Kind> {
    let depth = depth.checked_sub(1)?;
    let expr = peel(expr);
    if let Expr::Path(p) = expr {
        if let Some(ident) = p.path.get_ident() {
            let name = ident.to_string();
            let at = start(Region::from_span(expr.span()));
            let local = handles
                .kinds
                .iter()
                .filter(|(n, pos, _)| *n == name && *pos < at)
                .max_by_key(|(_, pos, _)| *pos);
            if let Some((_, _, kind)) = local {
                return Some(*kind);
            }
        }
    }
    if let Expr::MethodCall(m) = expr {
        if let Some(kind) = local_kind(handles, &m.receiver, cx, depth) {
            let method = m.method.to_string();
            if matches!(method.as_str(), "unwrap" | "expect") {
                return Some(kind);
            }
            return crate::knowledge::spawner::kind_after_method(kind, &method);
        }
    }
    cx.kind_of_expr(expr)
}

/// Through parentheses, `?` and `&`.
fn peel(expr: &Expr) -> &Expr {
    peel_by(expr, |e| match e {
        Expr::Try(t) => Some(&*t.expr),
        Expr::Reference(r) => Some(&*r.expr),
        _ => transparent(e),
    })
}

fn class_of_expr(handles: &Handles<'_>, expr: &Expr, cx: &Cx<'_>) -> Option<Class> {
    class_within(handles, expr, cx, CLASS_DEPTH)
}

/// How far down an expression (a receiver chain, nested calls) its class is
/// looked for: real chains that keep a class are a few links long, and the
/// walk asks for the class at every link of a chain (quadratic time if each
/// asked all the way down).
const CLASS_DEPTH: usize = 16;

fn class_within(handles: &Handles<'_>, expr: &Expr, cx: &Cx<'_>, depth: usize) -> Option<Class> {
    let depth = depth.checked_sub(1)?;
    let expr = peel(expr);
    if let Some((kind, _)) = spawned_within(handles, expr, cx, depth) {
        return Some(Class::Handle(kind));
    }
    match expr {
        Expr::Path(_) => {
            let name = ref_name(expr)?;
            let at = start(Region::from_span(expr.span()));
            if let Some(i) = handles.index_at(&name, at) {
                return Some(handles.bindings[i].class);
            }
            if handles
                .names
                .iter()
                .any(|(n, pos, _)| *n == name && *pos < at)
            {
                return None; // shadowed by a binding of another kind
            }
            match cx.kind_of_expr(expr)? {
                Kind::JoinSet => Some(Class::JoinSet),
                Kind::TaskTracker => Some(Class::Tracker),
                _ => None,
            }
        }
        Expr::Field(f) if is_self(&f.base) => {
            let syn::Member::Named(member) = &f.member else {
                return None;
            };
            class_of_type(cx.field_type(&member.to_string())?, cx)
        }
        Expr::Call(call) => {
            // `JoinSet::new()`, `TaskTracker::new()`, `Some(h)`.
            match cx.kind_of_expr(expr) {
                Some(Kind::JoinSet) => return Some(Class::JoinSet),
                Some(Kind::TaskTracker) => return Some(Class::Tracker),
                _ => {}
            }
            let Expr::Path(p) = &*call.func else {
                return None;
            };
            let last = p.path.segments.last()?.ident.to_string();
            match last.as_str() {
                "Some" | "Ok" => call
                    .args
                    .first()
                    .and_then(|a| class_within(handles, a, cx, depth))
                    .and_then(|c| c.handle_kind().map(Class::Holder)),
                // `std::mem::take(&mut self.tasks)`, `mem::replace(&mut self.task, None)`.
                "take" | "replace" => call
                    .args
                    .first()
                    .and_then(|a| class_within(handles, a, cx, depth)),
                "from_iter" | "from" => call
                    .args
                    .first()
                    .and_then(|a| class_within(handles, a, cx, depth))
                    .and_then(|c| c.handle_kind().map(Class::Holder)),
                _ => None,
            }
        }
        Expr::MethodCall(m) => {
            let method = m.method.to_string();
            if method.starts_with("spawn") {
                // Judged by `spawned_within` above, which looked down the receiver.
                return None;
            }
            let receiver = class_within(handles, &m.receiver, cx, depth);
            match (receiver, method.as_str()) {
                (Some(Class::Handle(k)), "unwrap" | "expect") => Some(Class::Handle(k)),
                (Some(Class::Holder(k)), "unwrap" | "expect" | "unwrap_unchecked") => {
                    Some(Class::Handle(k))
                }
                (
                    Some(Class::Holder(k)),
                    "take" | "pop" | "pop_front" | "pop_back" | "remove" | "swap_remove"
                    | "into_iter" | "iter" | "iter_mut" | "drain" | "into_values" | "values"
                    | "values_mut" | "get" | "get_mut" | "as_mut" | "as_ref" | "first" | "last"
                    | "replace" | "split_off",
                ) => Some(Class::Holder(k)),
                (Some(Class::JoinSet), "clone") => Some(Class::JoinSet),
                (Some(Class::Tracker), "clone") => Some(Class::Tracker),
                (Some(c @ (Class::Guarded(_) | Class::GuardedSet)), method)
                    if GUARD_METHODS.contains(&method) =>
                {
                    Some(c)
                }
                (_, "collect" | "into") => {
                    chain_spawns(handles, &m.receiver, cx).map(Class::Holder)
                }
                _ => None,
            }
        }
        // `self.task.lock().await`, `*guard`.
        Expr::Await(a)
            if matches!(&*a.base, Expr::MethodCall(m)
                if matches!(m.method.to_string().as_str(), "lock" | "read" | "write")) =>
        {
            class_within(handles, &a.base, cx, depth)
                .filter(|c| matches!(c, Class::Guarded(_) | Class::GuardedSet))
        }
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => {
            class_within(handles, &u.expr, cx, depth)
                .filter(|c| matches!(c, Class::Guarded(_) | Class::GuardedSet))
        }
        Expr::Macro(mac) => match cx.expansions.get(&mac.mac) {
            Some(Expansion::Exprs(exprs))
                if crate::syntax::macros::macro_name(&mac.mac) == "vec" =>
            {
                exprs
                    .iter()
                    .find_map(|e| class_within(handles, e, cx, depth))
                    .and_then(|c| c.handle_kind().map(Class::Holder))
            }
            _ => None,
        },
        Expr::Array(a) => a
            .elems
            .iter()
            .find_map(|e| class_within(handles, e, cx, depth))
            .and_then(|c| c.handle_kind().map(Class::Holder)),
        _ => None,
    }
}

/// Methods that give what is behind a lock, pointer or container.
const GUARD_METHODS: &[&str] = &[
    "unwrap",
    "expect",
    "take",
    "as_ref",
    "as_mut",
    "as_deref",
    "as_deref_mut",
    "lock",
    "write",
    "read",
    "borrow",
    "borrow_mut",
    "get_mut",
    "iter",
    "iter_mut",
    "into_iter",
    "drain",
    "values",
    "values_mut",
    "into_values",
    "pop",
    "pop_front",
    "pop_back",
    "remove",
    "swap_remove",
    "first",
    "last",
    "get",
    "clone",
    "unwrap_or_default",
];

/// `iter.map(|x| tokio::spawn(..))`: the kind of handle a method chain yields.
fn chain_spawns(handles: &Handles<'_>, mut expr: &Expr, cx: &Cx<'_>) -> Option<HandleKind> {
    loop {
        match peel(expr) {
            Expr::MethodCall(m) => {
                for arg in &m.args {
                    if let Expr::Closure(c) = arg {
                        if let Some(c) = class_of_expr(handles, tail_of(&c.body), cx)
                            .and_then(Class::handle_kind)
                        {
                            return Some(c);
                        }
                    }
                }
                if let Some(Class::Holder(k)) = class_of_expr(handles, &m.receiver, cx) {
                    return Some(k);
                }
                expr = &m.receiver;
            }
            _ => return None,
        }
    }
}

/// A closure body's value: the body, or its block's tail expression.
fn tail_of(expr: &Expr) -> &Expr {
    match expr {
        Expr::Block(b) => match b.block.stmts.last() {
            Some(Stmt::Expr(tail, None)) => tail_of(tail),
            _ => expr,
        },
        _ => expr,
    }
}

/// First pass: bindings and the collections filled with handles.
struct Binder<'h, 'a, 'c> {
    handles: &'h mut Handles<'a>,
    cx: &'c Cx<'a>,
    filled: &'h HashMap<String, HandleKind>,
    newly_filled: HashMap<String, HandleKind>,
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
fn holder_root(expr: &Expr) -> Option<String> {
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
        if let Some(expansion) = self.cx.expansions.get(mac) {
            crate::syntax::macros::visit_expansion(self, expansion);
        }
    }
}

/// Second pass: what happens to each binding, where.
struct Recorder<'h, 'a, 'c> {
    handles: &'h mut Handles<'a>,
    cx: &'c Cx<'a>,
    /// Mentions already classified by their parent expression.
    claimed: HashSet<crate::syntax::exprs::ExprKey>,
    /// The function body's tail expression: its value is returned.
    tail: Option<crate::syntax::exprs::ExprKey>,
    /// Closures called on the spot by the method they are passed to.
    inline: HashSet<crate::syntax::exprs::ExprKey>,
    /// The body being walked, in `handles.bodies`.
    body: usize,
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
fn peel_ref(expr: &Expr) -> &Expr {
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

fn method_use(method: &str) -> Use {
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
        match self.cx.expansions.get(mac) {
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
        if let Some(expansion) = self.cx.expansions.get(mac) {
            crate::syntax::macros::visit_expansion(self, expansion);
            return;
        }
        // Unparsed tokens still use the names they mention.
        let at = Region::from_span(mac.span());
        for index in 0..self.handles.bindings.len() {
            let binding = &self.handles.bindings[index];
            let bare = binding.name.trim_start_matches("self.");
            if start(binding.region) < start(at) && tokens_mention(&mac.tokens, bare) {
                self.handles.bindings[index].events.push(Event {
                    what: Use::Used,
                    expr: None,
                    region: at,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::rule::RuleSet;
    use crate::knowledge::declared::Declared;
    use crate::semantic::context::Options;
    use crate::syntax::macros::Expansions;

    /// Builds the model of the file's last function through the walk, as a rule would.
    fn model(src: &str, check: impl Fn(&Handles<'_>)) {
        struct Probe<'a, 'f> {
            check: &'f dyn Fn(&Handles<'_>),
            seen: std::marker::PhantomData<&'a ()>,
        }
        impl<'a> crate::semantic::walk::Check<'a> for Probe<'a, '_> {
            fn block(&mut self, stmts: &'a [Stmt], cx: &Cx<'a>) {
                if is_fn_body(stmts, cx) {
                    let f = cx.enclosing_fn().expect("in a fn");
                    (self.check)(&Handles::of_fn(Some(f.sig), f.body, cx));
                }
            }
        }
        let file: syn::File = syn::parse_str(src).expect("parses");
        let expansions = Expansions::of_file(&file);
        let (enabled, declared) = (RuleSet::default(), Declared::default());
        let options = Options {
            enabled: &enabled,
            lint_tests: false,
            declared: &declared,
        };
        let cx = Cx::new("t.rs", src, &file, &expansions, options, false);
        let probe = Probe {
            check: &check,
            seen: std::marker::PhantomData,
        };
        crate::semantic::walk::Walker::new(cx, vec![Box::new(probe)]).run(&file);
    }

    fn summary(h: &Handles<'_>) -> Vec<(String, Vec<Use>)> {
        h.handles()
            .map(|b| (b.name.clone(), b.events.iter().map(|e| e.what).collect()))
            .collect()
    }

    #[test]
    fn spawned_local_awaited_and_aborted() {
        model(
            "use tokio::spawn; async fn f() { let h = spawn(async {}); h.abort(); let _ = h.await; }",
            |h| {
                assert_eq!(
                    summary(h),
                    vec![("h".to_string(), vec![Use::Aborted, Use::Awaited])]
                );
                let b = h.handles().next().expect("h");
                assert_eq!(b.origin, Origin::Spawned("spawn".to_string()));
            },
        );
    }

    #[test]
    fn filled_vec_elements_are_handles() {
        model(
            "async fn f() { let mut v = Vec::new(); for i in 0..3 { v.push(tokio::spawn(async {})); } for h in v { h.await.unwrap(); } }",
            |h| {
                let names: Vec<_> = h.handles().map(|b| (b.name.clone(), b.origin.clone())).collect();
                assert_eq!(names, vec![("h".to_string(), Origin::Element("v".to_string()))]);
            },
        );
    }

    #[test]
    fn collected_handles_and_params() {
        model(
            "use tokio::task::JoinHandle; async fn f(t: JoinHandle<()>) { let hs: Vec<_> = (0..3).map(|_| tokio::spawn(async {})).collect(); for h in hs { drop(h); } t.abort(); }",
            |h| {
                assert_eq!(
                    summary(h),
                    vec![
                        ("t".to_string(), vec![Use::Aborted]),
                        ("h".to_string(), vec![Use::Dropped]),
                    ]
                );
            },
        );
    }

    #[test]
    fn fields_sets_and_macros() {
        model(
            r#"use tokio::task::{JoinHandle, JoinSet};
            struct S { task: Option<JoinHandle<()>>, set: JoinSet<()> }
            impl S {
                async fn stop(&mut self) {
                    self.set.abort_all();
                    if let Some(t) = self.task.take() {
                        t.abort();
                        tokio::select! { _ = t => {} }
                    }
                    while self.set.join_next().await.is_some() {}
                }
            }"#,
            |h| {
                let all: Vec<_> = h
                    .bindings
                    .iter()
                    .map(|b| {
                        (
                            b.name.clone(),
                            b.events.iter().map(|e| e.what).collect::<Vec<_>>(),
                        )
                    })
                    .collect();
                assert!(
                    all.contains(&("self.set".to_string(), vec![Use::AbortAll, Use::JoinNext])),
                    "{all:?}"
                );
                assert!(
                    all.contains(&("self.task".to_string(), vec![Use::Taken])),
                    "{all:?}"
                );
                assert!(
                    all.contains(&("t".to_string(), vec![Use::Aborted, Use::Awaited])),
                    "{all:?}"
                );
                let t = h.handles().find(|b| b.name == "t").expect("t");
                assert_eq!(t.origin, Origin::Element("self.task".to_string()));
            },
        );
    }

    #[test]
    fn runtime_method_spawns_and_timeouts() {
        model(
            "async fn f() { let rt = tokio::runtime::Runtime::new().unwrap(); let h = rt.spawn(async {}); h.abort(); tokio::time::timeout(d, h).await; }",
            |h| assert_eq!(summary(h), vec![("h".to_string(), vec![Use::Aborted, Use::Awaited])]),
        );
    }

    #[test]
    fn moves_stores_and_returns() {
        model(
            r#"use tokio::task::JoinHandle;
            struct S { t: Option<JoinHandle<()>> }
            fn f(s: &mut S, tx: Sender) -> JoinHandle<()> {
                let a = tokio::spawn(async {});
                let b = tokio::spawn(async {});
                let c = tokio::spawn(async {});
                let d = tokio::spawn(async {});
                let e = tokio::spawn(async {});
                s.t = Some(a);
                drop(b);
                tx.send(c);
                println!("{:?}", d.is_finished());
                e
            }"#,
            |h| {
                assert_eq!(
                    summary(h),
                    vec![
                        ("a".to_string(), vec![Use::Stored]),
                        ("b".to_string(), vec![Use::Dropped]),
                        ("c".to_string(), vec![Use::Stored]),
                        ("d".to_string(), vec![Use::Queried]),
                        ("e".to_string(), vec![Use::Returned]),
                    ]
                );
            },
        );
    }

    #[test]
    fn bodies_trackers_and_guarded_handles() {
        model(
            r#"use tokio::task::JoinHandle; use tokio_util::task::TaskTracker;
            struct S { task: std::sync::Mutex<Option<JoinHandle<()>>> }
            impl S {
                fn stop(&self) {
                    let tracker = TaskTracker::new();
                    let closer = tracker.clone();
                    on_exit(move || self.task.lock().unwrap().take().unwrap().abort());
                    tokio::spawn(async move { closer.close(); });
                }
            }"#,
            |h| {
                let classes: Vec<_> = h
                    .bindings
                    .iter()
                    .map(|b| (b.name.as_str(), b.class))
                    .collect();
                assert_eq!(
                    &classes[..2],
                    &[("tracker", Class::Tracker), ("closer", Class::Tracker)]
                );
                assert!(
                    matches!(classes[2], ("self.task", Class::Guarded(_))),
                    "{classes:?}"
                );
                let at = |e: &Expr| h.body_at(Region::from_span(crate::syntax::spans::expr(e)));
                let abort = h.aborts[0];
                assert_eq!(at(abort), 1);
                assert!(!h.bodies[1].is_async && h.bodies[2].is_async && !h.bodies[0].is_async);
                let closer = &h.bindings[1];
                assert_eq!(closer.events.len(), 1);
                assert_eq!(at(closer.events[0].expr.expect("close()")), 2);
            },
        );
    }

    #[test]
    fn shadowing_hides_a_handle() {
        model(
            "async fn f() { let h = tokio::spawn(async {}); let h = 3; h.abort(); }",
            |h| assert_eq!(summary(h), vec![("h".to_string(), vec![])]),
        );
    }
}
