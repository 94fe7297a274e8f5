//! Family `detached`: spawn handles nobody keeps.
//!
//! One check walks every spawn site, decides what happens to its handle
//! (discarded by a statement, `let _ =`, an unread binding, ...), and hands
//! the site to the rules in their order of precedence: a spawn gets at most
//! one finding from `detached-endless-task`, `spawn-in-drop` and
//! `detached-spawn`.

use std::collections::HashMap;

use quote::ToTokens;
use syn::visit::Visit;
use syn::{Expr, Pat, Stmt};

use crate::knowledge::spawner::Spawner;
use crate::semantic::context::Cx;
use crate::semantic::frames::{SpawnCall, TaskBody};
use crate::semantic::walk::Check;
use crate::syntax::exprs::{expr_key, peel_result};
use crate::syntax::macros::{tokens_exit, tokens_mention, Expansion, Expansions};

pub mod detached_spawn;
pub mod detached_thread;
pub mod dropped_task_cancels;
pub mod endless_task;
pub mod spawn_in_drop;
pub mod unreaped_child;

/// How a spawn's handle is thrown away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Disposal {
    /// `spawn(..);`, also through `?`, `.unwrap()`, `.expect(..)`.
    Statement,
    /// `let _ = spawn(..);` or `_ = spawn(..);`.
    LetUnderscore,
    /// `let name = spawn(..);` and `name` is never read again.
    UnreadBinding(String),
    /// `let name = spawn(..);` (a `Child`) and `name` is read, but never waited.
    UnwaitedChild(String),
    /// `let name = spawn(..);` (a std `Child`) waited only after an early
    /// exit (`?`, `return`) on this line, which drops it unwaited.
    EarlyExit(String, usize),
    /// `xs.map(|x| spawn(..)).for_each(drop)`, `let _ = xs.map(|x|
    /// spawn(..)).collect::<Vec<_>>();`: the handles a `.map(..)` closure
    /// makes, thrown away together (each spawn is the closure's value, so
    /// not a per-item spawn that drops its own handle).
    Mapped,
}

/// How a discarded spawn is written, for the fixes that edit around it.
#[derive(Debug, Clone, Copy)]
pub enum Written<'a> {
    /// `<expr>;`: the call, or the call under `?`, `.unwrap()`, `.expect(..)`.
    Statement(&'a Expr),
    /// `let _ = <call>;` or `_ = <call>;`: the text from `let`/`_` up to the call.
    Underscore(crate::base::finding::Region),
}

impl Disposal {
    /// Dropped right here, as opposed to at the end of the scope.
    pub fn is_immediate(&self) -> bool {
        matches!(
            self,
            Disposal::Statement | Disposal::LetUnderscore | Disposal::Mapped
        )
    }
}

#[derive(Default)]
pub struct Detached<'a> {
    disposals: HashMap<crate::syntax::exprs::ExprKey, Disposal>,
    /// `kill()` calls that are `.await`ed (tokio's, which waits).
    awaited_kills: std::collections::HashSet<crate::syntax::exprs::ExprKey>,
    /// `let name = <call>;` and the statements after it, for a call that
    /// turns out to spawn only once the walk knows its receiver (`cmd`
    /// bound earlier in the same block).
    bound: HashMap<crate::syntax::exprs::ExprKey, (String, &'a [Stmt])>,
    /// Spawns discarded by a statement of their own, by the call's key.
    written: HashMap<crate::syntax::exprs::ExprKey, Written<'a>>,
}

impl<'a> Check<'a> for Detached<'a> {
    fn block(&mut self, stmts: &'a [Stmt], cx: &Cx<'a>) {
        for stmt in stmts {
            self.note_written(stmt);
        }
        for (i, stmt) in stmts.iter().enumerate() {
            match stmt {
                Stmt::Expr(expr, Some(_)) => self.discarded(expr, Disposal::Statement, cx, 0),
                Stmt::Local(local) => {
                    let Some(init) = &local.init else { continue };
                    let pat = match &local.pat {
                        Pat::Type(t) => &*t.pat,
                        other => other,
                    };
                    match pat {
                        Pat::Wild(_) => self.discarded(&init.expr, Disposal::LetUnderscore, cx, 0),
                        Pat::Ident(ident) if ident.subpat.is_none() => {
                            let name = ident.ident.to_string();
                            let rest = &stmts[i + 1..];
                            let value = peel_result(&init.expr);
                            let Some(call) = cx.spawn_call(value) else {
                                // `let _hs: Vec<_> = xs.map(|x| spawn(..)).collect();`
                                if is_mapped_collect(value) && !mentioned_in(&name, rest) {
                                    self.mapped(value);
                                }
                                if matches!(value, Expr::MethodCall(_) | Expr::Call(_)) {
                                    self.bound.insert(expr_key(value), (name, rest));
                                }
                                continue;
                            };
                            if let Some(disposal) = binding_disposal(name, rest, &call, cx) {
                                self.discarded(&init.expr, disposal, cx, 0);
                            }
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }
    }

    fn expr(&mut self, expr: &'a Expr, cx: &Cx<'a>) {
        match expr {
            Expr::Await(a) if matches!(&*a.base, Expr::MethodCall(m) if m.method == "kill") => {
                self.awaited_kills.insert(expr_key(&a.base));
            }
            Expr::MethodCall(m)
                if m.method == "kill"
                    && cx.is_enabled(&unreaped_child::RULE)
                    && cx.family_applies(unreaped_child::RULE.family) =>
            {
                let awaited = self.awaited_kills.remove(&expr_key(expr));
                unreaped_child::check_kill(m, awaited, cx);
            }
            _ => {}
        }
        if !matches!(expr, Expr::Call(_) | Expr::MethodCall(_)) {
            return;
        }
        let Some(call) = cx.spawn_call(expr) else {
            return;
        };
        let key = expr_key(expr);
        let disposal = self.disposals.remove(&key).or_else(|| {
            let (name, rest) = self.bound.remove(&key)?;
            binding_disposal(name, rest, &call, cx)
        });
        let written = self.written.remove(&key);
        match call.spawner {
            Spawner::Detaching => detaching(&call, disposal.as_ref(), cx),
            Spawner::CancelOnDrop => {
                if let Some(disposal) = &disposal {
                    dropped_task_cancels::check(&call, disposal, written, cx);
                }
            }
            Spawner::Thread => {
                if let Some(disposal) = &disposal {
                    detached_thread::check(&call, disposal, cx);
                }
            }
            Spawner::Child => {
                if let Some(disposal) = &disposal {
                    unreaped_child::check(&call, disposal, written, cx);
                }
            }
            Spawner::Owning => {}
        }
    }
}

/// How a spawn's result bound to `name` is dropped, given the statements
/// after the binding; `None` when it is used.
fn binding_disposal(
    name: String,
    rest: &[Stmt],
    call: &crate::semantic::frames::SpawnCall<'_>,
    cx: &Cx<'_>,
) -> Option<Disposal> {
    if !mentioned_in(&name, rest) {
        Some(Disposal::UnreadBinding(name))
    } else if call.spawner == Spawner::Child
        && !unreaped_child::is_reaped(&name, rest, cx.expansions)
    {
        Some(Disposal::UnwaitedChild(name))
    } else if call.spawner == Spawner::Child && unreaped_child::exits_matter(call, cx) {
        let line = unreaped_child::early_exit(&name, rest, cx.expansions)?;
        Some(Disposal::EarlyExit(name, line))
    } else {
        None
    }
}

impl<'a> Detached<'a> {
    /// Notes a statement that is a call on its own (`spawn(..);`,
    /// `spawn(..)?;`, `let _ = spawn(..);`, `_ = spawn(..);`).
    fn note_written(&mut self, stmt: &'a Stmt) {
        use crate::base::finding::Region;
        use syn::spanned::Spanned;
        let start = |spanned: &dyn Spanned| Region::from_span(spanned.span());
        let is_call = |e: &Expr| matches!(e, Expr::Call(_) | Expr::MethodCall(_));
        match stmt {
            Stmt::Expr(Expr::Assign(a), Some(_))
                if matches!(&*a.left, Expr::Infer(_)) && is_call(&a.right) =>
            {
                let prefix = crate::rules::layout::between_starts(start(&a.left), start(&a.right));
                self.written
                    .insert(expr_key(&a.right), Written::Underscore(prefix));
            }
            Stmt::Expr(expr, Some(_)) if is_call(peel_result(expr)) => {
                self.written
                    .insert(expr_key(peel_result(expr)), Written::Statement(expr));
            }
            Stmt::Local(local) if local.attrs.is_empty() && matches!(local.pat, Pat::Wild(_)) => {
                let Some(init) = local.init.as_ref().filter(|i| i.diverge.is_none()) else {
                    return;
                };
                if is_call(&init.expr) {
                    let prefix = crate::rules::layout::between_starts(
                        start(&local.let_token),
                        start(&*init.expr),
                    );
                    self.written
                        .insert(expr_key(&init.expr), Written::Underscore(prefix));
                }
            }
            _ => {}
        }
    }
}

impl Detached<'_> {
    /// Records that the value of `expr` is thrown away, looking through
    /// `?`, `.unwrap()`, `.expect(..)` and into `if`/`match`/block tails.
    fn discarded(&mut self, expr: &Expr, disposal: Disposal, cx: &Cx<'_>, depth: usize) {
        if depth > 8 {
            return;
        }
        let expr = peel_result(expr);
        match expr {
            Expr::Assign(assign) if matches!(&*assign.left, Expr::Infer(_)) => {
                self.discarded(&assign.right, Disposal::LetUnderscore, cx, depth + 1);
            }
            Expr::If(e) if disposal == Disposal::Statement => {
                self.discarded_tail(&e.then_branch.stmts, cx, depth);
                if let Some((_, else_branch)) = &e.else_branch {
                    self.discarded(else_branch, Disposal::Statement, cx, depth + 1);
                }
            }
            Expr::Block(b) if disposal == Disposal::Statement => {
                self.discarded_tail(&b.block.stmts, cx, depth)
            }
            Expr::Match(m) if disposal == Disposal::Statement => {
                for arm in &m.arms {
                    self.discarded(&arm.body, Disposal::Statement, cx, depth + 1);
                }
            }
            Expr::Call(_) | Expr::MethodCall(_) => {
                self.mapped(expr);
                self.disposals.insert(expr_key(expr), disposal);
            }
            _ => {}
        }
    }

    /// `xs.map(|x| spawn(..))` consumed by a chain that throws the handles
    /// away (`.for_each(drop)`, `.count()`, `.last()`, `.collect()` itself
    /// discarded): the spawn in the closure gets [`Disposal::Mapped`].
    fn mapped(&mut self, expr: &Expr) {
        let Expr::MethodCall(outer) = expr else {
            return;
        };
        let method = &outer.method;
        let consumes = if method == "collect" || method == "count" || method == "last" {
            true
        } else if method == "for_each" {
            outer.args.first().is_some_and(|arg| match arg {
                Expr::Path(p) => p.path.is_ident("drop"),
                Expr::Closure(c) => match c.inputs.first() {
                    Some(Pat::Wild(_)) => true,
                    Some(Pat::Ident(i)) => {
                        !tokens_mention(&c.body.to_token_stream(), &i.ident.to_string())
                    }
                    _ => false,
                },
                _ => false,
            })
        } else {
            false
        };
        if !consumes {
            return;
        }
        let mut link = &*outer.receiver;
        for _ in 0..8 {
            let Expr::MethodCall(m) = link else { return };
            if m.method == "map" {
                if let Some(Expr::Closure(c)) = m.args.first() {
                    let value = match &*c.body {
                        Expr::Block(b) => match b.block.stmts.last() {
                            Some(Stmt::Expr(tail, None)) => tail,
                            _ => return,
                        },
                        other => other,
                    };
                    // Kept only if the walk finds a spawn there.
                    let value = peel_result(value);
                    self.disposals.insert(expr_key(value), Disposal::Mapped);
                }
                return;
            }
            link = &m.receiver;
        }
    }

    fn discarded_tail(&mut self, stmts: &[Stmt], cx: &Cx<'_>, depth: usize) {
        if let Some(Stmt::Expr(tail, None)) = stmts.last() {
            self.discarded(tail, Disposal::Statement, cx, depth + 1);
        }
    }
}

/// The precedence of SPEC §2: endless task, then spawn in `Drop`, then plain detached spawn.
fn detaching<'a>(call: &SpawnCall<'a>, disposal: Option<&Disposal>, cx: &Cx<'a>) {
    let body = call.task.and_then(|task| cx.task_body(task));
    let discarded = disposal.is_some_and(|d| !matches!(d, Disposal::UnwaitedChild(_)));
    if discarded
        && cx.is_enabled(&endless_task::RULE)
        && cx.family_applies(endless_task::RULE.family)
    {
        if let Some(body) = body {
            if endless_task::check(call, body, cx) {
                return;
            }
        }
    }
    if cx.in_drop()
        && cx.is_enabled(&spawn_in_drop::RULE)
        && cx.family_applies(spawn_in_drop::RULE.family)
    {
        spawn_in_drop::check(call, cx);
        return;
    }
    if let (true, Some(disposal)) = (discarded, disposal) {
        detached_spawn::check(call, disposal, body, cx);
    }
}

/// `xs.map(|x| ..).collect()` (a `map` link within a few of the `collect`):
/// a cheap test before looking for reads of the binding.
fn is_mapped_collect(expr: &Expr) -> bool {
    let Expr::MethodCall(outer) = expr else {
        return false;
    };
    if outer.method != "collect" {
        return false;
    }
    let mut link = &*outer.receiver;
    for _ in 0..8 {
        let Expr::MethodCall(m) = link else {
            return false;
        };
        if m.method == "map" {
            return matches!(m.args.first(), Some(Expr::Closure(_)));
        }
        link = &m.receiver;
    }
    false
}

/// Can the task's body end in an `Err`: a `?` on its own level (not in a
/// nested closure or `async` block), `return Err(..)` there, or `Err(..)` as
/// its tail? Its `Err` is then the task's output, lost with a dropped
/// handle. (A body that always ends in `Ok(())` loses nothing, and an
/// `Err(..)` sent on a channel is not the task's output.)
pub fn returns_result(body: TaskBody<'_>) -> bool {
    let mut finder = ResultFinder { found: false };
    match body {
        TaskBody::Block(b) => {
            if matches!(b.stmts.last(), Some(Stmt::Expr(tail, None)) if is_err_call(tail)) {
                return true;
            }
            finder.visit_block(b);
        }
        TaskBody::Expr(e) => {
            if is_err_call(e) {
                return true;
            }
            finder.visit_expr(e);
        }
    }
    finder.found
}

/// `Err(..)`.
fn is_err_call(expr: &Expr) -> bool {
    matches!(expr, Expr::Call(call) if matches!(&*call.func, Expr::Path(p) if p.path.is_ident("Err")))
}

struct ResultFinder {
    found: bool,
}

impl<'ast> Visit<'ast> for ResultFinder {
    fn visit_expr(&mut self, expr: &'ast Expr) {
        if self.found {
            return;
        }
        match expr {
            Expr::Try(_) => self.found = true,
            Expr::Return(r) if r.expr.as_deref().is_some_and(is_err_call) => self.found = true,
            Expr::Closure(_) | Expr::Async(_) => {}
            _ => syn::visit::visit_expr(self, expr),
        }
    }

    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

/// Is `name` mentioned anywhere in `stmts` (macro tokens included)?
pub fn mentioned_in(name: &str, stmts: &[Stmt]) -> bool {
    stmts
        .iter()
        .any(|stmt| tokens_mention(&stmt.to_token_stream(), name))
}

/// The first `loop` in a task body that nothing leaves: no `break` for it,
/// no `return`, no `?`, and no macro inside it that could do either.
pub fn endless_loop<'a>(
    body: TaskBody<'a>,
    expansions: &'a Expansions,
) -> Option<&'a syn::ExprLoop> {
    let mut finder = LoopFinder {
        expansions,
        found: None,
    };
    match body {
        TaskBody::Block(b) => finder.visit_block(b),
        TaskBody::Expr(e) => finder.visit_expr(e),
    }
    finder.found
}

struct LoopFinder<'a> {
    expansions: &'a Expansions,
    found: Option<&'a syn::ExprLoop>,
}

impl<'a> Visit<'a> for LoopFinder<'a> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.found.is_some() {
            return;
        }
        match expr {
            Expr::Loop(l) if !loop_exits(l) => self.found = Some(l),
            // A nested closure or `async` block is not the task's own control flow.
            Expr::Closure(_) | Expr::Async(_) => {}
            _ => syn::visit::visit_expr(self, expr),
        }
    }

    fn visit_item(&mut self, _: &'a syn::Item) {}

    fn visit_macro(&mut self, mac: &'a syn::Macro) {
        match self.expansions.get(mac) {
            Some(Expansion::Exprs(exprs)) => exprs.iter().for_each(|e| self.visit_expr(e)),
            Some(Expansion::Stmts(stmts)) => stmts.iter().for_each(|s| self.visit_stmt(s)),
            Some(Expansion::Select(select)) => select
                .arms
                .iter()
                .for_each(|arm| self.visit_expr(&arm.handler)),
            _ => {}
        }
    }
}

fn loop_exits(l: &syn::ExprLoop) -> bool {
    let mut finder = ExitFinder {
        label: l.label.as_ref().map(|label| label.name.ident.to_string()),
        depth: 0,
        found: false,
    };
    finder.visit_block(&l.body);
    finder.found
}

struct ExitFinder {
    label: Option<String>,
    depth: usize,
    found: bool,
}

impl<'ast> Visit<'ast> for ExitFinder {
    fn visit_expr(&mut self, expr: &'ast Expr) {
        if self.found {
            return;
        }
        match expr {
            Expr::Break(b) => {
                let exits = match &b.label {
                    Some(label) => self.label.as_deref() == Some(&label.ident.to_string()),
                    None => self.depth == 0,
                };
                if exits {
                    self.found = true;
                } else {
                    syn::visit::visit_expr(self, expr);
                }
            }
            Expr::Return(_) | Expr::Try(_) => self.found = true,
            Expr::Closure(_) | Expr::Async(_) => {}
            Expr::Loop(_) | Expr::While(_) | Expr::ForLoop(_) => {
                self.depth += 1;
                syn::visit::visit_expr(self, expr);
                self.depth -= 1;
            }
            _ => syn::visit::visit_expr(self, expr),
        }
    }

    fn visit_item(&mut self, _: &'ast syn::Item) {}

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        if tokens_exit(&mac.tokens) {
            self.found = true;
        }
    }
}
