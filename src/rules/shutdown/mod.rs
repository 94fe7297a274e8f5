//! Family `shutdown`: stopping tasks (or child processes) without waiting
//! for them.
//!
//! The four function-local rules decide on the shared task-handle model,
//! [`crate::semantic::handles`], built once per function body; `unjoined-handle-field`
//! is decided crate-wide by [`crate::lint::crate_pass`] on the facts
//! [`unjoined_handle_field::FieldFacts`] collects from each file.

pub mod abort_spawn_blocking;
pub mod abort_without_await;
pub mod tracker_wait_without_close;
pub mod undrained_join_set;
pub mod unjoined_handle_field;

use syn::{Expr, Stmt};

use crate::base::rule::Family;
use crate::semantic::context::Cx;
use crate::semantic::handles::{self, Class};
use crate::semantic::walk::Check;

/// The function-local rules: each function body is modelled once.
#[derive(Default)]
pub struct Shutdown;

impl<'a> Check<'a> for Shutdown {
    fn expr(&mut self, expr: &'a Expr, cx: &Cx<'a>) {
        // `AbortOnDropHandle::new(spawn_blocking(..))`: an abort on drop of a blocking task.
        if let Expr::Call(call) = expr {
            if cx.family_applies(Family::Shutdown) && cx.is_enabled(&abort_spawn_blocking::RULE) {
                abort_spawn_blocking::check_guard(call, cx);
            }
        }
    }

    fn block(&mut self, stmts: &'a [Stmt], cx: &Cx<'a>) {
        // Test code is not judged by these rules (unless configured): skip the model.
        if !cx.family_applies(Family::Shutdown) {
            return;
        }
        let Some(f) = cx.enclosing_fn().filter(|_| handles::is_fn_body(stmts, cx)) else {
            return;
        };
        // `Drop::drop` cannot await: nothing it does can be waited for there.
        if f.is_drop {
            return;
        }
        // Nothing to report without an `abort`, a spawn into a set or a `wait`:
        // most bodies need no model.
        let text = cx.block_lines(f.body);
        if !["abort", "spawn", "build_task", "wait"]
            .iter()
            .any(|w| text.contains(w))
        {
            return;
        }
        let model = cx.handles(f);
        // When `main` returns, the runtime shuts down and waits out every task anyway.
        let is_main = f.name == "main" && cx.self_type().is_none();
        abort_without_await::check(&model, is_main, cx);
        for binding in &model.bindings {
            match binding.class {
                Class::JoinSet => undrained_join_set::check(binding, &model, cx),
                Class::Tracker => tracker_wait_without_close::check(binding, &model, cx),
                _ => {}
            }
        }
    }
}

/// `x`, `&x`, `&mut x`, `(x)`: the name `x`.
pub fn plain_name(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Path(p) => p.path.get_ident().map(ToString::to_string),
        Expr::Reference(r) => plain_name(&r.expr),
        Expr::Paren(p) => plain_name(&p.expr),
        Expr::Group(g) => plain_name(&g.expr),
        _ => None,
    }
}

/// The name a `let` binds, when its pattern is just the name (`let h`, `let h: T`).
pub fn let_ident(local: &syn::Local) -> Option<&syn::PatIdent> {
    match &local.pat {
        syn::Pat::Ident(ident) => Some(ident),
        syn::Pat::Type(t) => match &*t.pat {
            syn::Pat::Ident(ident) => Some(ident),
            _ => None,
        },
        _ => None,
    }
}
