use syn::spanned::Spanned;
use syn::{Expr, Pat};

use super::plain_name;
use crate::base::finding::Region;
use crate::base::fix::{Edit, Fix};
use crate::base::rule::Severity;
use crate::base::rule::{Applicability, Family, Rule};
use crate::rules::layout::own_statement;
use crate::semantic::context::Cx;
use crate::semantic::handles::{Binding, Handles};

pub static RULE: Rule = Rule {
    id: "tracker-wait-without-close",
    family: Family::Shutdown,
    severity: Severity::Error,
    default_enabled: true,
    in_tests: false,
    crate_wide: false,
    summary: "`TaskTracker::wait` on a tracker that is never closed hangs forever",
    triggers: &[&["TaskTracker"]],
    body_words: &[],
    doc: include_str!("../../../lints/tracker-wait-without-close.md"),
    fix: Applicability::Safe,
};

/// Judges a tracker created by a `let` of a call, on the uses of it and of its clones.
pub fn check(tracker: &Binding<'_>, model: &Handles<'_>, cx: &Cx<'_>) {
    if !tracker
        .decl
        .and_then(|l| l.init.as_ref())
        .is_some_and(|init| matches!(*init.expr, Expr::Call(_)))
    {
        return;
    }
    // The tracker and its clones (`let closer = tracker.clone();`), with the `clone()`s.
    let mut group = vec![tracker];
    let mut clones: Vec<&Expr> = Vec::new();
    for b in model.bindings.iter().filter(|b| b.region > tracker.region) {
        let Some(init) = b
            .decl
            .filter(|l| matches!(l.pat, Pat::Ident(_)))
            .and_then(|l| l.init.as_ref())
        else {
            continue;
        };
        if let Expr::MethodCall(m) = &*init.expr {
            let source = plain_name(&m.receiver).and_then(|n| model.binding_at(&n, b.region));
            if m.method == "clone"
                && source.is_some_and(|s| group.iter().any(|g| std::ptr::eq(*g, s)))
            {
                group.push(b);
                clones.push(&init.expr);
            }
        }
    }
    let (mut closed, mut escaped, mut waits) = (false, false, Vec::new());
    for b in &group {
        for event in &b.events {
            let Some(call @ Expr::MethodCall(m)) = event.expr else {
                escaped = true;
                continue;
            };
            if plain_name(&m.receiver).as_deref() != Some(b.name.as_str()) {
                escaped = true; // passed to a call, or stored
                continue;
            }
            if clones.iter().any(|c| std::ptr::eq(*c, call)) {
                continue;
            }
            match m.method.to_string().as_str() {
                "close" => closed = true,
                "wait" => waits.extend(
                    model
                        .awaited(call)
                        .map(|a| (Region::from_span(a.span()), &b.name)),
                ),
                "spawn" | "spawn_on" | "spawn_local" | "spawn_local_on" | "spawn_blocking"
                | "spawn_blocking_on" | "track_future" | "token" | "len" | "is_empty"
                | "is_closed" | "reopen" => {}
                _ => escaped = true,
            }
        }
    }
    if closed || escaped {
        return;
    }
    waits.sort_by_key(|(region, _)| *region);
    for (i, (region, tracker)) in waits.into_iter().enumerate() {
        // Only `tracker.wait().await;` alone on its lines: the close goes on
        // the line before. One close is enough: only the first wait gets it.
        let fix = own_statement(cx, region).filter(|_| i == 0).map(|indent| {
            Fix::safe(
                format!("insert `{tracker}.close();` before waiting"),
                vec![Edit::insert(
                    region.line,
                    1,
                    format!("{indent}{tracker}.close();\n"),
                )],
            )
        });
        cx.report_with_fix(
            &RULE,
            region,
            format!("`{tracker}.wait()` never returns: the task tracker `{tracker}` is never closed"),
            format!("call `{tracker}.close()` before waiting; `wait()` returns only once the tracker is closed and empty"),
            fix,
        );
    }
}
