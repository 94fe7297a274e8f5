use syn::Expr;

use super::plain_name;
use crate::base::finding::Region;
use crate::base::rule::Severity;
use crate::base::rule::{Applicability, Family, Rule};
use crate::semantic::context::Cx;
use crate::semantic::handles::{Binding, Handles};
use crate::syntax::exprs::peel_result;

pub static RULE: Rule = Rule {
    id: "undrained-join-set",
    family: Family::Shutdown,
    severity: Severity::Warning,
    default_enabled: true,
    in_tests: false,
    crate_wide: false,
    summary: "a local `JoinSet` receives tasks but is never joined, so they are aborted unseen",
    triggers: &[&["JoinSet"]],
    body_words: &[],
    doc: include_str!("../../../lints/undrained-join-set.md"),
    fix: Applicability::DisplayOnly,
};

/// Judges a local join set created by a `let` where the code can await, on its uses.
pub fn check(set: &Binding<'_>, model: &Handles<'_>, cx: &Cx<'_>) {
    let Some(local) = set.decl else { return };
    let (Some(init), Some(ident)) = (&local.init, super::let_ident(local)) else {
        return;
    };
    if !matches!(peel_result(&init.expr), Expr::Call(_) | Expr::MethodCall(_))
        || !model.bodies[model.body_at(set.region)].is_async
    {
        return;
    }
    let name = set.name.as_str();
    let (mut spawned, mut aborted, mut handled) = (false, false, false);
    for event in &set.events {
        match event.expr {
            Some(Expr::MethodCall(m)) if plain_name(&m.receiver).as_deref() == Some(name) => {
                match m.method.to_string().as_str() {
                    m if m.starts_with("spawn") || m == "build_task" => spawned = true,
                    "len" | "is_empty" => {}
                    "abort_all" => aborted = true,
                    _ => handled = true,
                }
            }
            // Returned, stored, passed on, or used in a way not known to leave it undrained.
            _ => handled = true,
        }
    }
    // An `abort_all()`ed set is `abort-without-await`'s finding.
    if spawned && !handled && !aborted {
        cx.report(
            &RULE,
            Region::covering(local.let_token.span, ident.ident.span()),
            format!("join set `{name}` receives tasks but is never joined; when it is dropped they are aborted and their results and panics lost"),
            format!("drain it (`while let Some(res) = {name}.join_next().await {{ .. }}` or `{name}.join_all().await`), or call `{name}.detach_all()` if the tasks should run on"),
        );
    }
}
