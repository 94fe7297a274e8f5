use syn::spanned::Spanned;
use syn::Expr;

use crate::base::finding::Region;
use crate::base::rule::Severity;
use crate::base::rule::{Applicability, Family, Rule};
use crate::semantic::context::Cx;

pub static RULE: Rule = Rule {
    id: "abort-spawn-blocking",
    family: Family::Shutdown,
    severity: Severity::Warning,
    default_enabled: true,
    in_tests: false,
    crate_wide: false,
    summary: "`abort()` on a `spawn_blocking` task does nothing once it has started",
    triggers: &[&["spawn_blocking"]],
    // `self.task.abort()` in a body that names nothing else of the task.
    body_words: &["abort"],
    doc: include_str!("../../../lints/abort-spawn-blocking.md"),
    fix: Applicability::DisplayOnly,
};

pub fn check(call: &Expr, receiver: &Expr, cx: &Cx<'_>) {
    let handle = cx.text(receiver.span());
    cx.report(
        &RULE,
        Region::from_span(call.span()),
        format!("`{handle}` runs a `spawn_blocking` closure, which `abort()` cannot stop once it has started"),
        "have the closure check a stop flag (an `AtomicBool` or a channel) and set it instead, then await the handle",
    );
}
