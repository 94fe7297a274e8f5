//! The one spawn detector: is an expression a call that spawns, and with
//! which spawner? The walk's context ([`crate::semantic::context::Cx::spawn_call`])
//! and the task-handle model both ask it; they differ only in how they know
//! the kind of a method call's receiver.

use syn::spanned::Spanned;
use syn::Expr;

use crate::knowledge::spawner::{self, Kind, Spawner};
use crate::semantic::lookup::Lookup;
use crate::syntax::exprs::path_text;

/// A call that spawns.
#[derive(Debug, Clone)]
pub struct Spawn {
    pub spawner: Spawner,
    /// How the spawner is written: `tokio::spawn`, `rt.spawn`.
    pub name: String,
    /// A function spawner's resolved path (`tokio::task::spawn`).
    pub path: Option<String>,
    /// A method spawner's receiver kind (a `Runtime`, a `JoinSet`).
    pub receiver: Option<Kind>,
    /// `spawn_blocking` and its kin.
    pub is_blocking: bool,
    /// For one of the crate's own spawners: is its handle tokio's?
    pub crate_tokio: Option<bool>,
    /// What made it a spawner.
    pub via: Via,
}

/// Where a spawner is known from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// The spawner tables (SPEC §1).
    Tables,
    /// The configuration's `detaching`, `cancel-on-drop` or `owning` lists.
    Configuration,
    /// The crate's own signatures (the crate model).
    CrateModel,
}

/// The spawn `expr` is, if any: a call of a known or configured spawner
/// function, a `spawn*` method on a receiver whose kind `receiver_kind`
/// knows, or a call of one of the crate's own spawners (the crate model).
pub fn spawn_of(
    expr: &Expr,
    cx: &dyn Lookup<'_>,
    receiver_kind: impl FnOnce(&Expr) -> Option<Kind>,
) -> Option<Spawn> {
    let known = known_spawn(expr, cx, receiver_kind);
    if known.is_some() {
        return known;
    }
    let (path, spawner, tokio) = cx.crate_spawn(expr)?;
    let name = match expr {
        Expr::Call(call) => path_text(&call.func),
        _ => path.clone(),
    };
    Some(Spawn {
        spawner,
        is_blocking: spawner::is_blocking_spawner(&name),
        path: matches!(expr, Expr::Call(_)).then_some(path),
        name,
        receiver: None,
        crate_tokio: Some(tokio),
        via: Via::CrateModel,
    })
}

/// [`spawn_of`] for the spawners the tables and the configuration know.
fn known_spawn(
    expr: &Expr,
    cx: &dyn Lookup<'_>,
    receiver_kind: impl FnOnce(&Expr) -> Option<Kind>,
) -> Option<Spawn> {
    match expr {
        Expr::Call(call) => {
            let path = cx.resolve_expr_path(&call.func)?;
            let (spawner, via) = match spawner::function_spawner(&path) {
                Some(spawner) => (spawner, Via::Tables),
                None => (cx.declared().spawner(&path)?, Via::Configuration),
            };
            Some(Spawn {
                spawner,
                name: path_text(&call.func),
                is_blocking: spawner::is_blocking_spawner(&path),
                path: Some(path),
                receiver: None,
                crate_tokio: None,
                via,
            })
        }
        Expr::MethodCall(m) => {
            let method = m.method.to_string();
            if !method.starts_with("spawn") {
                return None;
            }
            let kind = receiver_kind(&m.receiver)?;
            let spawner = spawner::method_spawner(kind, &method)?;
            Some(Spawn {
                spawner,
                name: format!("{}.{}", cx.text(m.receiver.span()), method),
                is_blocking: spawner::is_blocking_spawner(&method),
                path: None,
                receiver: Some(kind),
                crate_tokio: None,
                via: Via::Tables,
            })
        }
        _ => None,
    }
}
