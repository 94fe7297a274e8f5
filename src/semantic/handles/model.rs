//! The model: bindings of task handles, holders and sets, what happens to
//! each, and the bodies code runs in; the queries rules ask of it.

use crate::base::fasthash::FastMap;

use syn::Expr;

use crate::base::finding::Region;
use crate::knowledge::spawner::Kind;
use crate::syntax::exprs::is_self;

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
    pub(super) fn guarded(self) -> Option<Class> {
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
    /// Every `let`/pattern name, with where it is in force and its binding
    /// (`None`: a value of another kind, which shadows a handle of that name).
    pub(super) names: Vec<Name>,
    /// Locals of a spawning kind (`let rt = Runtime::new()?`), by position.
    pub(super) kinds: Vec<(String, (usize, usize), Kind)>,
    /// Where code runs: the function's own body first, then every `async`
    /// block and every closure not called on the spot.
    pub bodies: Vec<Body>,
    /// Every `x.abort()` and `x.abort_all()`, whatever `x` is: chains such as
    /// `self.task.take().unwrap().abort()` name no binding.
    pub aborts: Vec<&'a Expr>,
    /// `x.await` by the `x` awaited.
    pub(super) awaits: FastMap<crate::syntax::exprs::ExprKey, &'a Expr>,
}

/// One name a pattern binds, and the stretch of code that sees it.
#[derive(Debug)]
pub(super) struct Name {
    pub(super) name: String,
    /// The pattern's position.
    pub(super) at: (usize, usize),
    /// Where the name comes into force: after the `let` statement (its
    /// initialiser still sees the name it shadows), after an `if let`'s
    /// scrutinee, at a `for` loop's body.
    pub(super) from: (usize, usize),
    /// The end of the block (or arm, loop or `if let` body) it is bound in:
    /// a shadowed name is itself again after it.
    pub(super) until: (usize, usize),
    /// Its index in `bindings`, when it holds tasks.
    pub(super) index: Option<usize>,
}

/// Where a name is in force: from the first position, up to the second.
pub(super) type Scope = ((usize, usize), (usize, usize));

/// A body code runs in.
#[derive(Debug)]
pub struct Body {
    /// An `async fn`, `async` block or `async` closure: code here can `.await`.
    pub is_async: bool,
    pub(super) start: (usize, usize),
    pub(super) end: (usize, usize),
    /// The bodies of the loops in it (not in nested bodies).
    pub(super) loops: Vec<((usize, usize), (usize, usize))>,
}

impl Body {
    pub(super) fn new(span: proc_macro2::Span, is_async: bool) -> Body {
        let region = Region::from_span(span);
        Body {
            is_async,
            start: start(region),
            end: end(region),
            loops: Vec::new(),
        }
    }

    pub(super) fn contains(&self, at: (usize, usize)) -> bool {
        self.start <= at && at < self.end
    }
}

pub(super) fn start(region: Region) -> (usize, usize) {
    (region.line, region.column)
}

pub(super) fn end(region: Region) -> (usize, usize) {
    (region.end_line, region.end_column)
}

impl<'a> Handles<'a> {
    pub(super) fn bind(
        &mut self,
        name: String,
        region: Region,
        (from, until): Scope,
        class: Option<Class>,
        origin: Origin,
    ) {
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
        self.names.push(Name {
            name,
            at: start(region),
            from,
            until,
            index,
        });
    }

    /// The name `name` refers to at `at`: the innermost binding in force there.
    pub(super) fn name_at(&self, name: &str, at: (usize, usize)) -> Option<&Name> {
        self.names
            .iter()
            .filter(|n| n.name == name && n.from <= at && at < n.until)
            .max_by_key(|n| n.from)
    }

    pub(super) fn index_at(&self, name: &str, at: (usize, usize)) -> Option<usize> {
        self.name_at(name, at).and_then(|n| n.index)
    }

    /// Where the binding of `name` in force at `at` was made (any kind of value).
    pub fn bound_at(&self, name: &str, at: Region) -> Option<(usize, usize)> {
        self.name_at(name, start(at)).map(|n| n.at)
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
