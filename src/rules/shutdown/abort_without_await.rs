use syn::Expr;

use crate::base::finding::Region;
use crate::base::fix::{Edit, Fix};
use crate::base::rule::Severity;
use crate::base::rule::{Applicability, Family, Rule};
use crate::knowledge::spawner::Kind;
use crate::rules::layout::own_statement;
use crate::semantic::context::Cx;
use crate::semantic::handles::{ref_name, Binding, Class, Handles, Origin};
use crate::syntax::exprs::is_self;

pub static RULE: Rule = Rule {
    id: "abort-without-await",
    family: Family::Shutdown,
    severity: Severity::Warning,
    default_enabled: true,
    in_tests: false,
    crate_wide: false,
    summary: "a task is aborted and never awaited, so it may still be running",
    // A handle is known only from a spawn, a `JoinHandle` type or a `JoinSet`
    // in the same file; these are rarer than `abort` in huge generated files.
    triggers: &[&["spawn"], &["JoinHandle"], &["JoinSet"]],
    // `self.task.abort()` in a body that names nothing else of the task.
    body_words: &["abort"],
    doc: include_str!("../../../lints/abort-without-await.md"),
    fix: Applicability::Unsafe,
};

/// Later uses of an aborted handle that do not wait for it.
pub const HANDLE_BENIGN: &[&str] = &["abort", "is_finished", "id", "abort_handle"];
/// Later uses of an `abort_all()`ed set that do not drain it.
pub const SET_BENIGN: &[&str] = &["abort_all", "len", "is_empty"];

/// Judges every `abort()` and `abort_all()` of one function where it can
/// await; `abort()` of a `spawn_blocking` task is `abort-spawn-blocking`'s.
pub fn check<'a>(model: &Handles<'a>, is_main: bool, cx: &Cx<'a>) {
    for &call in &model.aborts {
        let Expr::MethodCall(m) = call else { continue };
        let body = model.body_at(Region::from_span(crate::syntax::spans::expr(call)));
        if !model.bodies[body].is_async {
            continue;
        }
        let in_main_body = is_main && body == 0;
        match (m.method == "abort", model.class_of(&m.receiver, cx)) {
            (true, Some(Class::Handle(k) | Class::Holder(k) | Class::Guarded(k))) => {
                if k.blocking {
                    super::abort_spawn_blocking::check(call, &m.receiver, cx);
                } else if matches!(k.kind, Kind::JoinHandle | Kind::BlockingJoinHandle)
                    && !in_main_body
                    && !used_after(model, &m.receiver, call, HANDLE_BENIGN)
                {
                    let fix = await_fix(model, call, &m.receiver, cx);
                    check_handle(call, &m.receiver, fix, cx);
                }
            }
            (false, Some(Class::JoinSet | Class::GuardedSet))
                if !in_main_body && !used_after(model, &m.receiver, call, SET_BENIGN) =>
            {
                check_set(call, &m.receiver, cx);
            }
            _ => {}
        }
    }
}

/// Is the binding a receiver chain starts from (`h` in `h.abort()`,
/// `self.task` in `self.task.take().unwrap().abort()`), or the holder it
/// was taken out of, used after `call`?
fn used_after(model: &Handles<'_>, receiver: &Expr, call: &Expr, benign: &[&str]) -> bool {
    let Some(root) = root_binding(model, receiver) else {
        return false;
    };
    let holder = match &root.origin {
        Origin::Element(holder) if holder.starts_with("self.") => {
            model.bindings.iter().find(|b| b.name == *holder)
        }
        Origin::Element(holder) => model.binding_at(holder, root.region),
        _ => None,
    };
    std::iter::once(root)
        .chain(holder)
        .any(|b| model.used_after(b, call, benign))
}

fn root_binding<'m, 'a>(model: &'m Handles<'a>, expr: &Expr) -> Option<&'m Binding<'a>> {
    match expr {
        Expr::Path(_) => model.binding_of(expr),
        Expr::Field(f) if is_self(&f.base) => {
            ref_name(expr).and_then(|name| model.bindings.iter().find(|b| b.name == name))
        }
        Expr::Field(f) => root_binding(model, &f.base),
        Expr::MethodCall(m) => root_binding(model, &m.receiver),
        Expr::Index(i) => root_binding(model, &i.expr),
        Expr::Paren(p) => root_binding(model, &p.expr),
        Expr::Group(g) => root_binding(model, &g.expr),
        Expr::Reference(r) => root_binding(model, &r.expr),
        Expr::Unary(u) => root_binding(model, &u.expr),
        Expr::Await(a) => root_binding(model, &a.base),
        Expr::Try(t) => root_binding(model, &t.expr),
        _ => None,
    }
}

pub fn check_handle(call: &Expr, receiver: &Expr, fix: Option<Fix>, cx: &Cx<'_>) {
    let handle = cx.text(crate::syntax::spans::expr(receiver));
    cx.report_with_fix(
        &RULE,
        Region::from_span(crate::syntax::spans::expr(call)),
        format!("task `{handle}` is aborted but never awaited, so it may still be running when this code goes on"),
        format!("await the handle after aborting it (`let _ = {handle}.await;` returns once the task has stopped)"),
        fix,
    );
}

/// `let _ = h.await;` on the line after `h.abort();`, where that plainly
/// compiles: `h` a local bound to a spawn's handle (owned, so it can be
/// awaited), not used again, and the abort a statement alone on its lines,
/// in no loop or closure of the function (awaiting there would move `h`
/// once per turn).
fn await_fix(model: &Handles<'_>, call: &Expr, receiver: &Expr, cx: &Cx<'_>) -> Option<Fix> {
    let Expr::Path(path) = receiver else {
        return None;
    };
    let name = path.path.get_ident()?.to_string();
    let binding = model.binding_of(receiver)?;
    if !matches!(binding.origin, Origin::Spawned(_))
        || !matches!(binding.class, Class::Handle(_))
        || model.used_after(binding, call, &[])
        || cx.is_per_item()
    {
        return None;
    }
    let region = Region::from_span(crate::syntax::spans::expr(call));
    let indent = own_statement(cx, region)?;
    Some(Fix::unsafe_(
        format!("await `{name}` after aborting it"),
        vec![Edit::insert(
            region.end_line + 1,
            1,
            format!("{indent}let _ = {name}.await;\n"),
        )],
    ))
}

pub fn check_set(call: &Expr, receiver: &Expr, cx: &Cx<'_>) {
    let set = cx.text(crate::syntax::spans::expr(receiver));
    cx.report(
        &RULE,
        Region::from_span(crate::syntax::spans::expr(call)),
        format!("join set `{set}` is aborted but never drained, so its tasks may still be running when this code goes on"),
        format!("use `{set}.shutdown().await`, which aborts every task and waits for them to stop"),
    );
}
