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
//! A name means the innermost binding in force where it is written, as in
//! Rust: a `let` shadows from the end of its statement (its initialiser
//! still sees the old value) to the end of its block, so
//! `let h = async move { h.await }` ends the handle `h` and a rebinding in
//! an inner block ends with that block.
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

mod bind;
mod build;
mod classify;
mod model;
mod record;
#[cfg(test)]
mod tests;

pub use build::is_fn_body;
pub use model::{ref_name, Binding, Class, Handles, Origin, Use};
