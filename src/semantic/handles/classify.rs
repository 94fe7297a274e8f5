//! What an expression or a written type holds, as far as tasks go.

use syn::spanned::Spanned;
use syn::{Expr, Stmt, Type};

use super::model::*;
use crate::base::finding::Region;
use crate::knowledge::spawner::{Kind, Spawner};
use crate::semantic::lookup::Lookup;
use crate::semantic::spawns::spawn_of;
use crate::syntax::exprs::{is_self, peel_by, peel_type, transparent, type_arguments};
use crate::syntax::macros::Expansion;

impl<'a> Handles<'a> {
    /// What an expression evaluates to, as far as tasks go.
    pub fn class_of(&self, expr: &Expr, cx: &dyn Lookup<'a>) -> Option<Class> {
        class_of_expr(self, expr, cx)
    }
}

/// The class of a written type: `JoinHandle<T>`, `Option<JoinHandle<T>>`,
/// `Vec<(Id, JoinHandle<T>)>`, `JoinSet<T>`.
pub fn class_of_type(ty: &Type, cx: &dyn Lookup<'_>) -> Option<Class> {
    match peel_type(ty) {
        Type::Tuple(t) => t
            .elems
            .iter()
            .find_map(|e| class_of_type(e, cx))
            .and_then(|c| c.handle_kind().map(Class::Holder)),
        Type::Path(p) if p.qself.is_none() => {
            let last = p.path.segments.last()?;
            let name = last.ident.to_string();
            let inner = || type_arguments(last).find_map(|inner| class_of_type(inner, cx));
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
                        // A crate alias of a handle: `Task<()>`.
                        if let Some((kind, tokio)) = cx.crate_handle(ty) {
                            if matches!(kind, Kind::JoinHandle | Kind::BlockingJoinHandle) {
                                return Some(Class::Handle(HandleKind {
                                    kind,
                                    join_error: tokio,
                                    blocking: kind == Kind::BlockingJoinHandle,
                                }));
                            }
                        }
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
    cx: &dyn Lookup<'_>,
) -> Option<(HandleKind, String)> {
    spawned_within(handles, expr, cx, CLASS_DEPTH)
}

/// [`spawned_handle`], looking `depth` levels down for the receiver's class.
pub(super) fn spawned_within(
    handles: &Handles<'_>,
    expr: &Expr,
    cx: &dyn Lookup<'_>,
    depth: usize,
) -> Option<(HandleKind, String)> {
    let spawn = spawn_of(expr, cx, |receiver| {
        match class_within(handles, receiver, cx, depth) {
            Some(Class::JoinSet | Class::GuardedSet) => Some(Kind::JoinSet),
            _ => local_kind(handles, receiver, cx, depth),
        }
    })?;
    let (spawner, blocking) = (spawn.spawner, spawn.is_blocking);
    let crate_tokio = spawn.crate_tokio;
    let into_join_set = spawn.receiver == Some(Kind::JoinSet);
    // Joining gives a `JoinError` for tokio's and actix's handles.
    let tokio = match (&spawn.path, spawn.receiver) {
        _ if crate_tokio.is_some() => crate_tokio == Some(true),
        (Some(path), _) => path.starts_with("tokio::") || path.starts_with("actix_rt::"),
        (None, Some(receiver)) => matches!(
            receiver,
            Kind::JoinSet
                | Kind::TaskTracker
                | Kind::Runtime
                | Kind::RuntimeHandle
                | Kind::LocalSet
        ),
        (None, None) => false,
    };
    let kind = match spawner {
        Spawner::Detaching if blocking => Kind::BlockingJoinHandle,
        Spawner::Detaching | Spawner::CancelOnDrop => Kind::JoinHandle,
        Spawner::Owning if into_join_set => Kind::AbortHandle,
        Spawner::Owning => Kind::JoinHandle,
        Spawner::Thread => Kind::ThreadJoinHandle,
        Spawner::Child => return None,
    };
    let join_error = matches!(spawner, Spawner::Detaching | Spawner::Owning)
        && kind != Kind::AbortHandle
        && tokio;
    Some((
        HandleKind {
            kind,
            join_error,
            blocking,
        },
        spawn.name,
    ))
}

/// The kind of a spawning receiver: a local of this body, or what the walk knows.
pub(super) fn local_kind(
    handles: &Handles<'_>,
    expr: &Expr,
    cx: &dyn Lookup<'_>,
    depth: usize,
) -> Option<Kind> {
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
pub(super) fn peel(expr: &Expr) -> &Expr {
    peel_by(expr, |e| match e {
        Expr::Try(t) => Some(&*t.expr),
        Expr::Reference(r) => Some(&*r.expr),
        _ => transparent(e),
    })
}

pub(super) fn class_of_expr(
    handles: &Handles<'_>,
    expr: &Expr,
    cx: &dyn Lookup<'_>,
) -> Option<Class> {
    class_within(handles, expr, cx, CLASS_DEPTH)
}

/// How far down an expression (a receiver chain, nested calls) its class is
/// looked for: real chains that keep a class are a few links long, and the
/// walk asks for the class at every link of a chain (quadratic time if each
/// asked all the way down).
pub(super) const CLASS_DEPTH: usize = 16;

pub(super) fn class_within(
    handles: &Handles<'_>,
    expr: &Expr,
    cx: &dyn Lookup<'_>,
    depth: usize,
) -> Option<Class> {
    let depth = depth.checked_sub(1)?;
    let expr = peel(expr);
    if let Some((kind, _)) = spawned_within(handles, expr, cx, depth) {
        return Some(Class::Handle(kind));
    }
    match expr {
        Expr::Path(_) => {
            let name = ref_name(expr)?;
            let at = start(Region::from_span(expr.span()));
            if let Some(bound) = handles.name_at(&name, at) {
                // `None`: a local of another kind, which may shadow a handle.
                return bound.index.map(|i| handles.bindings[i].class);
            }
            match cx.kind_of_expr(expr)? {
                Kind::JoinSet => Some(Class::JoinSet),
                Kind::TaskTracker => Some(Class::Tracker),
                _ => None,
            }
        }
        Expr::Field(f) if is_self(&f.base) => {
            let member = match &f.member {
                syn::Member::Named(member) => member.to_string(),
                syn::Member::Unnamed(index) => index.index.to_string(),
            };
            match cx.field_type(&member) {
                Some(ty) => class_of_type(ty, cx),
                // Declared in another file, or masked away: the crate model
                // knows it is a handle (in an `Option` or not), not whose.
                None => match cx.crate_field_kind(&member)? {
                    kind @ (Kind::JoinHandle | Kind::BlockingJoinHandle) => {
                        Some(Class::Handle(HandleKind {
                            kind,
                            join_error: false,
                            blocking: kind == Kind::BlockingJoinHandle,
                        }))
                    }
                    _ => None,
                },
            }
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
        Expr::Macro(mac) => match cx.expansions().get(&mac.mac) {
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
pub(super) const GUARD_METHODS: &[&str] = &[
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
pub(super) fn chain_spawns(
    handles: &Handles<'_>,
    mut expr: &Expr,
    cx: &dyn Lookup<'_>,
) -> Option<HandleKind> {
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
                        // `handles.into_iter().map(|h| async move { h.await })`:
                        // the elements are now whatever the closure gives.
                        if MAPPING_ADAPTERS.contains(&m.method.to_string().as_str()) {
                            return None;
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

/// Iterator and stream adapters whose closure gives the elements that follow.
const MAPPING_ADAPTERS: &[&str] = &[
    "map",
    "filter_map",
    "flat_map",
    "map_while",
    "scan",
    "then",
    "and_then",
];

/// A closure body's value: the body, or its block's tail expression.
pub(super) fn tail_of(expr: &Expr) -> &Expr {
    match expr {
        Expr::Block(b) => match b.block.stmts.last() {
            Some(Stmt::Expr(tail, None)) => tail_of(tail),
            _ => expr,
        },
        _ => expr,
    }
}
