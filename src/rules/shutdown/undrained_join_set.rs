use syn::visit::Visit;
use syn::{Expr, Stmt};

use super::body::plain_name;
use crate::finding::{Region, Severity};
use crate::macros::{tokens_mention, Expansions};
use crate::rules::{Family, Rule};
use crate::walk::Cx;

pub static RULE: Rule = Rule {
    id: "undrained-join-set",
    family: Family::Shutdown,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "a local `JoinSet` receives tasks but is never joined, so they are aborted unseen",
    triggers: &[&["JoinSet"]],
    doc: include_str!("../../../lints/undrained-join-set.md"),
};

/// Judges the join set `name`, created by the `let` at `region`, on the statements after it.
pub fn check(name: &str, region: Region, rest: &[Stmt], cx: &Cx<'_>) {
    let mut uses = SetUses {
        name,
        expansions: cx.expansions,
        spawned: false,
        aborted: false,
        handled: false,
    };
    rest.iter().for_each(|stmt| uses.visit_stmt(stmt));
    // An `abort_all()`ed set is `abort-without-await`'s finding.
    if uses.spawned && !uses.handled && !uses.aborted {
        cx.report(
            &RULE,
            region,
            format!("join set `{name}` receives tasks but is never joined; when it is dropped they are aborted and their results and panics lost"),
            format!("drain it (`while let Some(res) = {name}.join_next().await {{ .. }}` or `{name}.join_all().await`), or call `{name}.detach_all()` if the tasks should run on"),
        );
    }
}

struct SetUses<'n, 'a> {
    name: &'n str,
    expansions: &'a Expansions,
    spawned: bool,
    aborted: bool,
    /// Joined, returned, stored, passed on, or used in a way not known to leave it undrained.
    handled: bool,
}

impl<'ast> Visit<'ast> for SetUses<'_, '_> {
    fn visit_expr(&mut self, expr: &'ast Expr) {
        match expr {
            Expr::MethodCall(m) if plain_name(&m.receiver).as_deref() == Some(self.name) => {
                let method = m.method.to_string();
                match method.as_str() {
                    m if m.starts_with("spawn") || m == "build_task" => self.spawned = true,
                    "len" | "is_empty" => {}
                    "abort_all" => self.aborted = true,
                    _ => self.handled = true,
                }
                m.args.iter().for_each(|arg| self.visit_expr(arg));
            }
            Expr::Path(p) if p.path.is_ident(self.name) => self.handled = true,
            _ => syn::visit::visit_expr(self, expr),
        }
    }

    fn visit_item(&mut self, _: &'ast syn::Item) {}

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        if !crate::macros::visit_code(self, self.expansions, mac)
            && tokens_mention(&mac.tokens, self.name)
        {
            self.handled = true;
        }
    }
}
