use syn::visit::Visit;
use syn::{Expr, Lit, Stmt};

use super::{Disposal, Written};
use crate::base::finding::Region;
use crate::base::fix::{Edit, Fix};
use crate::base::rule::Severity;
use crate::base::rule::{Applicability, Family, Rule};
use crate::knowledge::spawner::Kind;
use crate::semantic::context::Cx;
use crate::semantic::frames::SpawnCall;
use crate::syntax::exprs::chain_root;
use crate::syntax::macros::{tokens_mention, Expansions};

pub static RULE: Rule = Rule {
    id: "unreaped-child",
    family: Family::Detached,
    severity: Severity::Warning,
    default_enabled: true,
    in_tests: false,
    crate_wide: false,
    summary: "a child process is spawned and never waited, leaving a zombie",
    triggers: &[&["spawn"]],
    body_words: &["kill"],
    doc: include_str!("../../../lints/unreaped-child.md"),
    fix: Applicability::Unsafe,
};

pub fn check(call: &SpawnCall<'_>, disposal: &Disposal, written: Option<Written<'_>>, cx: &Cx<'_>) {
    let kill_on_drop = has_kill_on_drop(call, cx);
    let name = &command_name(call, cx);
    let (message, help) = match disposal {
        Disposal::Statement | Disposal::LetUnderscore | Disposal::Mapped if kill_on_drop => (
            format!("the child process from `{name}` has `kill_on_drop(true)` and is dropped at once, so it is killed immediately"),
            "bind the `Child` to a name (`let _child = ..`) to keep the process alive, and `.wait().await` it before the scope ends",
        ),
        Disposal::Statement | Disposal::LetUnderscore | Disposal::Mapped => (
            format!("the child process from `{name}` is never waited, so it is left a zombie when it exits"),
            "keep the `Child` and call `wait()` (or `kill()` then `wait()`), or use `output()`/`status()` to run it to completion",
        ),
        Disposal::UnreadBinding(_) | Disposal::UnwaitedChild(_) | Disposal::EarlyExit(..) if kill_on_drop => return,
        Disposal::EarlyExit(binding, line) => (
            format!("the child process `{binding}` from `{name}` is not waited when the function returns early at line {line}, so it is left a zombie"),
            "wait for the child (or `kill()` then `wait()` it) before the early return too, or keep it in a guard whose `Drop` does",
        ),
        Disposal::UnreadBinding(binding) | Disposal::UnwaitedChild(binding) => (
            format!("the child process `{binding}` from `{name}` is never waited, so it is left a zombie when it exits"),
            "call `wait()` on it (or `kill()` then `wait()`), return it, or store it where shutdown waits for it",
        ),
    };
    let fix = if kill_on_drop {
        None
    } else {
        reap_fix(call, disposal, written, cx)
    };
    cx.report_with_fix(&RULE, call.region, message, help, fix);
}

/// Where the shape is plain: `.kill_on_drop(true)` in the chain of a
/// `tokio::process::Command::new(..)` whose child is kept in a local and
/// never waited (killed when the local goes out of scope); `.wait()?` (or
/// `.wait().unwrap()`, `.wait().await?` for tokio in async code) after a
/// child discarded by `Command::new(..)….spawn()?;` (or `.unwrap();`).
fn reap_fix(
    call: &SpawnCall<'_>,
    disposal: &Disposal,
    written: Option<Written<'_>>,
    cx: &Cx<'_>,
) -> Option<Fix> {
    let receiver = call.receiver?;
    // A builder kept in a variable may spawn again: changing it changes those too.
    if !matches!(chain_root(receiver), Expr::Call(_)) {
        return None;
    }
    let kind = cx.kind_of_expr(receiver)?;
    match disposal {
        Disposal::UnreadBinding(_) | Disposal::UnwaitedChild(_) if kind == Kind::TokioCommand => {
            let end = Region::from_span(crate::syntax::spans::expr(receiver));
            Some(Fix::unsafe_(
                "kill the child when its `Child` is dropped (`.kill_on_drop(true)`)",
                vec![Edit::insert_after(end, ".kill_on_drop(true)")],
            ))
        }
        Disposal::Statement => {
            let Some(Written::Statement(stmt)) = written else {
                return None;
            };
            let tokio = kind == Kind::TokioCommand;
            let wait = match stmt {
                Expr::Try(t) if std::ptr::eq(&*t.expr, call.expr) => {
                    if tokio && !cx.can_await() {
                        return None;
                    }
                    if tokio {
                        ".wait().await?"
                    } else {
                        ".wait()?"
                    }
                }
                Expr::MethodCall(m)
                    if !tokio
                        && m.method == "unwrap"
                        && m.args.is_empty()
                        && std::ptr::eq(&*m.receiver, call.expr) =>
                {
                    ".wait().unwrap()"
                }
                _ => return None,
            };
            let end = Region::from_span(crate::syntax::spans::expr(stmt));
            Some(Fix::unsafe_(
                format!("wait for the child to exit (`{wait}`)"),
                vec![Edit::insert_after(end, wait)],
            ))
        }
        _ => None,
    }
}

/// The command as the user knows it: `Command::new("make")….spawn()`.
fn command_name(call: &SpawnCall<'_>, cx: &Cx<'_>) -> String {
    let Some(receiver) = call.receiver else {
        return call.name.clone();
    };
    let root = chain_root(receiver);
    let chained = !std::ptr::eq(root, receiver);
    let root = cx.text(syn::spanned::Spanned::span(root));
    // A quote already cut short ends in an ellipsis: one is enough.
    if chained && !root.ends_with(crate::text::snippet::ELLIPSIS) {
        format!("{root}….spawn()")
    } else {
        format!("{root}.spawn()")
    }
}

/// `.kill_on_drop(true)` in the spawn's builder chain, or as a statement on
/// the builder variable in the same function.
fn has_kill_on_drop(call: &SpawnCall<'_>, cx: &Cx<'_>) -> bool {
    let Some(receiver) = call.receiver else {
        return false;
    };
    let mut expr = receiver;
    while let Expr::MethodCall(m) = expr {
        if is_kill_on_drop_true(m) {
            return true;
        }
        expr = &m.receiver;
    }
    let Expr::Path(root) = chain_root(receiver) else {
        return false;
    };
    let Some(builder) = root.path.get_ident() else {
        return false;
    };
    let Some(function) = cx.enclosing_fn() else {
        return false;
    };
    let mut finder = KillOnDrop {
        builder: builder.to_string(),
        found: false,
    };
    finder.visit_block(function.body);
    finder.found
}

fn is_kill_on_drop_true(m: &syn::ExprMethodCall) -> bool {
    m.method == "kill_on_drop"
        && matches!(m.args.first(), Some(Expr::Lit(lit)) if matches!(&lit.lit, Lit::Bool(b) if b.value))
}

struct KillOnDrop {
    builder: String,
    found: bool,
}

impl<'ast> Visit<'ast> for KillOnDrop {
    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        if is_kill_on_drop_true(m) {
            if let Expr::Path(p) = chain_root(&m.receiver) {
                if p.path.is_ident(&self.builder) {
                    self.found = true;
                }
            }
        }
        syn::visit::visit_expr_method_call(self, m);
    }
}

/// Is the `Child` bound to `name` handled in `stmts`: waited, killed and
/// waited, returned, stored, or handed on? Only `id()`, `kill()`,
/// `start_kill()` and its pipes (`stdin`, `stdout`, `stderr`) are uses that
/// leave it unreaped; any other use counts as handling it.
pub fn is_reaped(name: &str, stmts: &[Stmt], expansions: &Expansions) -> bool {
    let mut uses = ChildUses {
        name,
        expansions,
        handled: false,
    };
    for stmt in stmts {
        uses.visit_stmt(stmt);
    }
    uses.handled
}

struct ChildUses<'n, 'a> {
    name: &'n str,
    expansions: &'a Expansions,
    handled: bool,
}

impl ChildUses<'_, '_> {
    fn is_name(&self, expr: &Expr) -> bool {
        matches!(expr, Expr::Path(p) if p.path.is_ident(self.name))
    }
}

impl<'ast> Visit<'ast> for ChildUses<'_, '_> {
    fn visit_expr(&mut self, expr: &'ast Expr) {
        if self.handled {
            return;
        }
        match expr {
            Expr::Path(_) if self.is_name(expr) => self.handled = true,
            Expr::Await(a) => match &*a.base {
                // tokio's `child.kill().await` waits for the process.
                Expr::MethodCall(m) if m.method == "kill" && self.is_name(&m.receiver) => {
                    self.handled = true
                }
                _ => syn::visit::visit_expr(self, expr),
            },
            Expr::MethodCall(m) if self.is_name(&m.receiver) => {
                let method = m.method.to_string();
                if matches!(method.as_str(), "id" | "kill" | "start_kill") {
                    m.args.iter().for_each(|arg| self.visit_expr(arg));
                } else {
                    self.handled = true;
                }
            }
            Expr::Field(f) if self.is_name(&f.base) => {
                let is_pipe = matches!(&f.member, syn::Member::Named(m) if m == "stdin" || m == "stdout" || m == "stderr");
                if !is_pipe {
                    self.handled = true;
                }
            }
            _ => syn::visit::visit_expr(self, expr),
        }
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        if !crate::syntax::macros::visit_code(self, self.expansions, mac)
            && tokens_mention(&mac.tokens, self.name)
        {
            self.handled = true;
        }
    }
}

/// Do early exits leave a zombie here? Only a std child's: tokio reaps a
/// dropped child in the background. Not in `main`, whose return ends the
/// process (and its children are reaped by init).
pub fn exits_matter(call: &SpawnCall<'_>, cx: &Cx<'_>) -> bool {
    if cx.enclosing_fn().is_none_or(|f| f.name == "main") {
        return false;
    }
    call.receiver
        .and_then(|r| cx.kind_of_expr(r))
        .is_some_and(|kind| kind == Kind::StdCommand)
        && !has_kill_on_drop(call, cx)
}

/// An early exit (`?`, `return`) in `stmts` before the first statement that
/// reaps the child bound to `name` (or hands it on): its line. Exits inside
/// closures, `async` blocks and nested items are not the function's own.
pub fn early_exit(name: &str, stmts: &[Stmt], expansions: &Expansions) -> Option<usize> {
    for stmt in stmts {
        if is_reaped(name, std::slice::from_ref(stmt), expansions) {
            return None;
        }
        let mut finder = EarlyExit { found: None };
        finder.visit_stmt(stmt);
        if finder.found.is_some() {
            return finder.found;
        }
    }
    None
}

struct EarlyExit {
    found: Option<usize>,
}

impl<'ast> Visit<'ast> for EarlyExit {
    fn visit_expr(&mut self, expr: &'ast Expr) {
        if self.found.is_some() {
            return;
        }
        match expr {
            Expr::Try(t) => {
                self.visit_expr(&t.expr);
                if self.found.is_none() {
                    self.found = Some(Region::from_span(t.question_token.span).line);
                }
            }
            Expr::Return(r) => {
                self.found = Some(Region::from_span(r.return_token.span).line);
            }
            Expr::Closure(_) | Expr::Async(_) => {}
            _ => syn::visit::visit_expr(self, expr),
        }
    }

    fn visit_item(&mut self, _: &'ast syn::Item) {}

    fn visit_macro(&mut self, _: &'ast syn::Macro) {}
}

/// A `Child` killed on a shutdown path that never waits for it:
/// `self.child.kill()` (std's, which only sends the signal) in `Drop::drop`
/// or a function named for shutdown (`stop`, `shutdown`, `close`, ...), whose
/// body (and the same type's methods it calls) never calls `wait()`,
/// `wait_with_output()` or a `wait_*` helper: the process is left a zombie.
/// A `try_wait()` right after the kill does not count: the process has
/// rarely exited yet. `awaited` says whether the call is `.await`ed (tokio's
/// `kill().await` waits).
pub fn check_kill(m: &syn::ExprMethodCall, awaited: bool, cx: &Cx<'_>) {
    if awaited || m.method != "kill" || !m.args.is_empty() {
        return;
    }
    let Some(function) = cx.enclosing_fn() else {
        return;
    };
    let shutdown = function.is_drop
        || crate::semantic::signals::is_shutdown_name(
            &function.name,
            &cx.options.declared.shutdown_words,
        );
    // `fn kill(&mut self) { self.child.kill() }`: a wrapper of `kill` itself,
    // whose callers decide when to wait.
    let wrapper = function.name.contains("kill");
    if !shutdown
        || wrapper
        || function.is_async()
        || cx.kind_of_expr(&m.receiver) != Some(Kind::Child)
    {
        return;
    }
    // A field, or a local taken out of one (`if let Some(child) = &mut
    // self.child`); a child spawned in this function is judged at its spawn.
    let named = match self_field(&m.receiver) {
        Some(field) => format!("self.{field}"),
        None if matches!(&*m.receiver, Expr::Path(p) if p.path.get_ident().is_some())
            && !cx.block_lines(function.body).contains("spawn") =>
        {
            cx.text(syn::spanned::Spanned::span(&*m.receiver))
        }
        None => return,
    };
    let mut waits = Waits {
        cx,
        calls: 0,
        found: false,
    };
    waits.visit_block(function.body);
    if waits.found {
        return;
    }
    let path = if function.is_drop {
        "in `Drop::drop`".to_string()
    } else {
        format!("in `{}`", function.name)
    };
    cx.report(
        &RULE,
        Region::from_span(syn::spanned::Spanned::span(m)),
        format!(
            "the child process `{named}` is killed {path} but never waited, so it is left a zombie"
        ),
        "call `wait()` after `kill()` (a killed process exits promptly), or use tokio's `kill().await`",
    );
}

/// `self.child`, `self.0`, `self.child.as_mut().unwrap()`: the field's name.
fn self_field(receiver: &Expr) -> Option<String> {
    let mut expr = receiver;
    loop {
        match expr {
            Expr::MethodCall(m) => expr = &m.receiver,
            Expr::Paren(p) => expr = &p.expr,
            Expr::Reference(r) => expr = &r.expr,
            Expr::Try(t) => expr = &t.expr,
            Expr::Field(f) => {
                if matches!(&*f.base, Expr::Path(p) if p.path.is_ident("self")) {
                    return Some(match &f.member {
                        syn::Member::Named(ident) => ident.to_string(),
                        syn::Member::Unnamed(index) => index.index.to_string(),
                    });
                }
                expr = &f.base;
            }
            _ => return None,
        }
    }
}

/// Any wait in a function body, following `self.method()` calls into the
/// same type's methods in this file (one level): a call of `wait`,
/// `wait_with_output`, `wait_timeout`, `kill().await`, any identifier that
/// says `wait` or `reap` but `try_wait`, or the child handed to a macro the
/// tool cannot read.
struct Waits<'c, 'a> {
    cx: &'c Cx<'a>,
    calls: usize,
    found: bool,
}

impl Waits<'_, '_> {
    fn says_wait(name: &str) -> bool {
        name != "try_wait" && (name.contains("wait") || name.contains("reap"))
    }
}

impl<'ast> Visit<'ast> for Waits<'_, 'ast> {
    fn visit_expr(&mut self, expr: &'ast Expr) {
        if self.found {
            return;
        }
        match expr {
            Expr::MethodCall(m) => {
                let method = m.method.to_string();
                if Self::says_wait(&method) {
                    self.found = true;
                    return;
                }
                if self.calls < 8
                    && matches!(&*m.receiver, Expr::Path(p) if p.path.is_ident("self"))
                {
                    self.calls += 1;
                    // A method this file does not show (another file's, or one
                    // masking blanked: it names no trigger word) is unknown,
                    // so taken to wait.
                    let waits = match self.cx.task_body(expr) {
                        Some(crate::semantic::frames::TaskBody::Block(body)) => {
                            let text = self.cx.block_lines(body);
                            body.stmts.is_empty()
                                || text.contains("wait(")
                                || text.contains("wait_")
                                || text.contains("reap")
                        }
                        _ => true,
                    };
                    if waits {
                        self.found = true;
                        return;
                    }
                }
                syn::visit::visit_expr(self, expr);
            }
            Expr::Path(p) => {
                if p.path
                    .segments
                    .last()
                    .is_some_and(|s| Self::says_wait(&s.ident.to_string()))
                {
                    self.found = true;
                }
            }
            _ => syn::visit::visit_expr(self, expr),
        }
    }

    fn visit_item(&mut self, _: &'ast syn::Item) {}

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let text = mac.tokens.to_string();
        if text.contains("wait") || text.contains("reap") {
            self.found = true;
        }
    }
}
