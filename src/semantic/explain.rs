//! What the walk makes of a file, for `--explain-model`: every call it
//! takes for a spawn, and every task-handle call (`.abort()`, `.await`,
//! `.join()`, `.wait()`, ...) with what the receiver is, by its type
//! ([`Cx::ty_of_expr`]) and by the function's task-handle model
//! ([`crate::semantic::handles`]). A check that reports nothing: it only
//! collects [`Sites`].

use syn::{Expr, Stmt};

use crate::base::finding::Region;
use crate::knowledge::spawner::{Kind, Spawner};
use crate::semantic::context::Cx;
use crate::semantic::crate_model::{FnFact, Ty};
use crate::semantic::handles::{self, Class, Origin};
use crate::semantic::spawns::{spawn_of, Via};
use crate::semantic::walk::Check;
use crate::syntax::spans;

/// A call the walk takes for a spawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpawnSite {
    /// The spawner's path or receiver and method, up to the `(`.
    pub region: Region,
    /// How it is written: `tokio::spawn`, `self.rt.spawn`.
    pub name: String,
    pub spawner: Spawner,
    pub via: Via,
    /// A function spawner's resolved path (`tokio::task::spawn`,
    /// `crate::rt::spawn`).
    pub path: Option<String>,
    /// A method spawner's receiver kind (a `RuntimeHandle`).
    pub receiver: Option<Kind>,
    /// In test code, which most rules skip.
    pub in_test: bool,
}

/// A method call on a task handle, spawner or child (or `.await`), and
/// what its receiver is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallSite {
    /// From the receiver to the method name or `await`.
    pub region: Region,
    /// The receiver as written.
    pub receiver: String,
    /// The method, or `await`.
    pub method: String,
    /// The method call has arguments.
    pub has_args: bool,
    /// What the model says the receiver is (`None`: unknown).
    pub ty: Option<Ty>,
    /// For a receiver of a crate type, the method as the model knows it.
    pub fact: Option<FnFact>,
    /// What the task-handle model of the enclosing function says the
    /// receiver holds.
    pub handle: Option<HandleFact>,
    pub in_test: bool,
}

/// A receiver the task-handle model follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandleFact {
    pub class: Class,
    /// The binding it names (`h`, `self.task`) and where its value comes
    /// from; `None` for a value the model classes without a binding.
    pub binding: Option<(String, Origin)>,
}

/// What [`Explainer`] collected, in source order.
#[derive(Debug, Default)]
pub struct Sites {
    pub spawns: Vec<SpawnSite>,
    pub calls: Vec<CallSite>,
}

/// The check that fills [`Sites`].
pub struct Explainer<'s> {
    sites: &'s mut Sites,
}

impl<'s> Explainer<'s> {
    pub fn new(sites: &'s mut Sites) -> Explainer<'s> {
        Explainer { sites }
    }
}

/// Methods that start, stop, join or wait for a task, thread or child
/// process (besides the `spawn*` ones).
fn is_task_method(method: &str) -> bool {
    method.starts_with("spawn")
        || matches!(
            method,
            "abort"
                | "abort_all"
                | "abort_handle"
                | "detach"
                | "detach_all"
                | "join"
                | "join_next"
                | "try_join_next"
                | "join_all"
                | "shutdown"
                | "close"
                | "wait"
                | "wait_with_output"
                | "try_wait"
                | "kill"
                | "start_kill"
                | "is_finished"
        )
}

impl<'a> Check<'a> for Explainer<'_> {
    fn block(&mut self, stmts: &'a [Stmt], cx: &Cx<'a>) {
        // Built where the rules build it, with the body's own `use`s in scope.
        if let Some(f) = cx.enclosing_fn().filter(|_| handles::is_fn_body(stmts, cx)) {
            cx.handles(f);
        }
    }

    fn expr(&mut self, expr: &'a Expr, cx: &Cx<'a>) {
        if let Some(call) = cx.spawn_call(expr) {
            // The same detector again, for where the spawner is known from.
            if let Some(spawn) = spawn_of(expr, cx, |receiver| cx.kind_of_expr(receiver)) {
                self.sites.spawns.push(SpawnSite {
                    region: call.region,
                    name: call.name,
                    spawner: call.spawner,
                    via: spawn.via,
                    path: spawn.path,
                    receiver: spawn.receiver,
                    in_test: cx.in_test(),
                });
            }
        }
        let (receiver, method, last, has_args) = match expr {
            Expr::MethodCall(m) if is_task_method(&m.method.to_string()) => (
                &*m.receiver,
                m.method.to_string(),
                m.method.span(),
                !m.args.is_empty(),
            ),
            Expr::Await(a) => (&*a.base, "await".to_string(), a.await_token.span, false),
            _ => return,
        };
        let ty = cx.ty_of_expr(receiver);
        let fact = match &ty {
            Some(Ty::Crate(owner)) => cx.krate.model().method(owner, &method).cloned(),
            _ => None,
        };
        let handle = cx.enclosing_fn().and_then(|f| {
            let model = cx.handles(f);
            match model.binding_of(receiver) {
                Some(binding) => Some(HandleFact {
                    class: binding.class,
                    binding: Some((binding.name.clone(), binding.origin.clone())),
                }),
                None => model.class_of(receiver, cx).map(|class| HandleFact {
                    class,
                    binding: None,
                }),
            }
        });
        let span = spans::expr(receiver);
        self.sites.calls.push(CallSite {
            region: Region::covering(span, last),
            receiver: cx.text(span),
            method,
            has_args,
            ty,
            fact,
            handle,
            in_test: cx.in_test(),
        });
    }
}
