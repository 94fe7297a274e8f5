//! The constructs around a point of the walk (`fn`, closure, loop, `async`
//! block, `impl`), and what a spawn call is.

use syn::{Block, Expr, Signature};

use crate::base::finding::Region;
use crate::knowledge::spawner::Spawner;

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
    /// A closure run once per key or once per process (`or_insert_with(|| ..)`,
    /// `get_or_init(|| ..)`, `Once::call_once(|| ..)`, `Lazy::new(|| ..)`):
    /// what it spawns is a one-shot spawn, not a per-item one.
    RunOnce,
    Loop,
    Async,
    Impl {
        self_ty: Option<String>,
        is_drop: bool,
        /// The `impl`'s type parameters and their bounds.
        generics: Option<&'a syn::Generics>,
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
