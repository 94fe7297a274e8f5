use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::{Expr, Pat, Stmt};

use super::body::plain_name;
use crate::finding::{Region, Severity};
use crate::macros::{tokens_mention, Expansions};
use crate::rules::{Family, Rule};
use crate::walk::Cx;

pub static RULE: Rule = Rule {
    id: "tracker-wait-without-close",
    family: Family::Shutdown,
    severity: Severity::Error,
    default_enabled: true,
    summary: "`TaskTracker::wait` on a tracker that is never closed hangs forever",
    triggers: &[&["TaskTracker"]],
    doc: include_str!("../../../lints/tracker-wait-without-close.md"),
};

/// Judges the tracker `name`, created by a `let` in this function, on the statements after it.
pub fn check(name: &str, rest: &[Stmt], cx: &Cx<'_>) {
    let mut uses = TrackerUses {
        names: vec![name.to_string()],
        expansions: cx.expansions,
        closed: false,
        escaped: false,
        waits: Vec::new(),
    };
    rest.iter().for_each(|stmt| uses.visit_stmt(stmt));
    if uses.closed || uses.escaped {
        return;
    }
    for (region, tracker) in uses.waits {
        cx.report(
            &RULE,
            region,
            format!("`{tracker}.wait()` never returns: the task tracker `{tracker}` is never closed"),
            format!("call `{tracker}.close()` before waiting; `wait()` returns only once the tracker is closed and empty"),
        );
    }
}

struct TrackerUses<'a> {
    /// The tracker and its clones.
    names: Vec<String>,
    expansions: &'a Expansions,
    closed: bool,
    /// Passed on, stored or returned: someone else may close it.
    escaped: bool,
    waits: Vec<(Region, String)>,
}

impl TrackerUses<'_> {
    fn tracker(&self, expr: &Expr) -> Option<String> {
        plain_name(expr).filter(|n| self.names.contains(n))
    }
}

impl<'ast> Visit<'ast> for TrackerUses<'_> {
    fn visit_local(&mut self, local: &'ast syn::Local) {
        if let (Pat::Ident(ident), Some(init)) = (&local.pat, &local.init) {
            if let Expr::MethodCall(m) = &*init.expr {
                if m.method == "clone" && self.tracker(&m.receiver).is_some() {
                    self.names.push(ident.ident.to_string());
                    return;
                }
            }
        }
        syn::visit::visit_local(self, local);
    }

    fn visit_expr(&mut self, expr: &'ast Expr) {
        match expr {
            Expr::Await(a) => match &*a.base {
                Expr::MethodCall(m) if m.method == "wait" => match self.tracker(&m.receiver) {
                    Some(tracker) => self.waits.push((Region::from_span(expr.span()), tracker)),
                    None => syn::visit::visit_expr(self, expr),
                },
                _ => syn::visit::visit_expr(self, expr),
            },
            Expr::MethodCall(m) if self.tracker(&m.receiver).is_some() => {
                match m.method.to_string().as_str() {
                    "close" => self.closed = true,
                    "spawn" | "spawn_on" | "spawn_local" | "spawn_local_on" | "spawn_blocking"
                    | "spawn_blocking_on" | "track_future" | "token" | "len" | "is_empty"
                    | "is_closed" | "reopen" | "wait" => {}
                    _ => self.escaped = true,
                }
                m.args.iter().for_each(|arg| self.visit_expr(arg));
            }
            Expr::Path(_) if self.tracker(expr).is_some() => self.escaped = true,
            _ => syn::visit::visit_expr(self, expr),
        }
    }

    fn visit_item(&mut self, _: &'ast syn::Item) {}

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        if !crate::macros::visit_code(self, self.expansions, mac)
            && self.names.iter().any(|n| tokens_mention(&mac.tokens, n))
        {
            self.escaped = true;
        }
    }
}
