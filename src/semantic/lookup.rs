//! What the task-handle model asks of the walk's context: a narrower view
//! than [`crate::semantic::context::Cx`], which caches the models and so
//! cannot be named by them.

use proc_macro2::Span;
use syn::{Expr, Type};

use crate::knowledge::declared::Declared;
use crate::knowledge::spawner::{Kind, Spawner};
use crate::semantic::frames::FnFrame;
use crate::syntax::macros::Expansions;

pub trait Lookup<'a> {
    /// The function the walk is in.
    fn enclosing_fn(&self) -> Option<&FnFrame<'a>>;
    /// The file's macro expansions.
    fn expansions(&self) -> &'a Expansions;
    /// The spawners, shutdown words and signals the configuration declares.
    fn declared(&self) -> &'a Declared;
    /// The resolved path a path names, if it names a known external item.
    fn resolve(&self, path: &syn::Path) -> Option<String>;
    /// [`Lookup::resolve`] of a path expression.
    fn resolve_expr_path(&self, expr: &Expr) -> Option<String>;
    /// The type of field `field` of the `impl`'s self type, declared in this file.
    fn field_type(&self, field: &str) -> Option<&'a Type>;
    /// The spawning kind of a value (a `Runtime`, a `JoinSet`, a `Command`).
    fn kind_of_expr(&self, expr: &Expr) -> Option<Kind>;
    /// A call of one of the crate's own spawners (by the crate model): its
    /// path or receiver and method, its drop semantics, and whether its
    /// handle is tokio's.
    fn crate_spawn(&self, expr: &Expr) -> Option<(String, Spawner, bool)>;
    /// The kind of a field of the `impl`'s self type, by the crate model.
    fn crate_field_kind(&self, field: &str) -> Option<Kind>;
    /// A type path the crate model knows as a task handle (an alias of
    /// one): its kind, and whether it is tokio's.
    fn crate_handle(&self, ty: &Type) -> Option<(Kind, bool)>;
    /// The source text of a span.
    fn text(&self, span: Span) -> String;
}
