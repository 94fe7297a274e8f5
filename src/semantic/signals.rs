//! Cancellation and shutdown signals: the futures that tell a task to stop.

use syn::visit::Visit;
use syn::Expr;

use crate::semantic::context::Cx;
use crate::semantic::frames::TaskBody;

const SHUTDOWN_WORDS: &[&str] = &[
    "shutdown",
    "stop",
    "cancel",
    "cancellation",
    "quit",
    "exit",
    "term",
    "terminate",
    "kill",
];

/// Splits `shutdownRx`, `stop_rx`, `ShutdownSignal` into lowercase words.
pub fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if c == '_' || !c.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Does a receiver's name say it carries a shutdown signal?
pub fn is_shutdown_name(name: &str, extra: &[String]) -> bool {
    words(name)
        .iter()
        .any(|w| SHUTDOWN_WORDS.contains(&w.as_str()) || extra.iter().any(|e| e == w))
}

/// The name a receiver expression is known by: `stop_rx` for `&mut self.stop_rx`.
pub fn receiver_name(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        Expr::Field(f) => match &f.member {
            syn::Member::Named(ident) => Some(ident.to_string()),
            syn::Member::Unnamed(_) => None,
        },
        Expr::Reference(r) => receiver_name(&r.expr),
        Expr::Paren(p) => receiver_name(&p.expr),
        Expr::MethodCall(m)
            if matches!(
                m.method.to_string().as_str(),
                "clone" | "as_mut" | "as_ref" | "borrow_mut"
            ) =>
        {
            receiver_name(&m.receiver)
        }
        _ => None,
    }
}

/// Is `expr` a cancellation or shutdown future (SPEC §2, `swallowed-cancellation`)?
pub fn is_signal_future(expr: &Expr, cx: &Cx<'_>) -> bool {
    match expr {
        Expr::Paren(p) => is_signal_future(&p.expr, cx),
        Expr::Reference(r) => is_signal_future(&r.expr, cx),
        Expr::Await(a) => is_signal_future(&a.base, cx),
        Expr::MethodCall(m) => {
            let method = m.method.to_string();
            match method.as_str() {
                "cancelled" | "cancelled_owned" => true,
                "recv" | "changed" => {
                    is_os_signal(&m.receiver, cx)
                        || receiver_name(&m.receiver).is_some_and(|n| {
                            is_shutdown_name(&n, &cx.options.declared.shutdown_words)
                        })
                }
                _ => is_configured_signal(expr, cx),
            }
        }
        Expr::Call(call) => {
            matches!(
                cx.resolve_expr_path(&call.func).as_deref(),
                Some("tokio::signal::ctrl_c")
            ) || is_configured_signal(expr, cx)
        }
        _ => false,
    }
}

/// `signal(SignalKind::terminate())?` (or a call chain ending in it).
pub fn is_os_signal(expr: &Expr, cx: &Cx<'_>) -> bool {
    match expr {
        Expr::Try(t) => is_os_signal(&t.expr, cx),
        Expr::Paren(p) => is_os_signal(&p.expr, cx),
        Expr::Reference(r) => is_os_signal(&r.expr, cx),
        Expr::MethodCall(m) if matches!(m.method.to_string().as_str(), "unwrap" | "expect") => {
            is_os_signal(&m.receiver, cx)
        }
        Expr::Call(call) => matches!(
            cx.resolve_expr_path(&call.func).as_deref(),
            Some("tokio::signal::unix::signal" | "tokio::signal::windows::ctrl_c")
        ),
        _ => false,
    }
}

/// A user-declared signal (`signals = ["crate::shutdown::Shutdown::recv"]`):
/// matched by the resolved path of a call, or by the last two segments
/// (`Shutdown::recv`) against a method call on a receiver of that name.
fn is_configured_signal(expr: &Expr, cx: &Cx<'_>) -> bool {
    if cx.options.declared.signals.is_empty() {
        return false;
    }
    match expr {
        Expr::Call(call) => {
            let written = crate::syntax::exprs::path_text(&call.func);
            cx.options
                .declared
                .signals
                .iter()
                .any(|s| s == &written || s.ends_with(&format!("::{written}")))
        }
        Expr::MethodCall(m) => {
            let method = m.method.to_string();
            cx.options
                .declared
                .signals
                .iter()
                .any(|s| s.ends_with(&format!("::{method}")))
        }
        _ => false,
    }
}

/// Does this task body react to a cancellation or shutdown signal anywhere
/// (a signal future, `is_cancelled()`, `run_until_cancelled`)?
pub fn body_watches_signal(body: TaskBody<'_>, cx: &Cx<'_>) -> bool {
    let mut finder = SignalFinder { cx, found: false };
    match body {
        TaskBody::Block(b) => finder.visit_block(b),
        TaskBody::Expr(e) => finder.visit_expr(e),
    }
    finder.found
}

struct SignalFinder<'c, 'a> {
    cx: &'c Cx<'a>,
    found: bool,
}

impl<'ast> Visit<'ast> for SignalFinder<'_, '_> {
    fn visit_expr(&mut self, expr: &'ast Expr) {
        if self.found {
            return;
        }
        if is_signal_future(expr, self.cx) {
            self.found = true;
            return;
        }
        if let Expr::MethodCall(m) = expr {
            let method = m.method.to_string();
            if matches!(
                method.as_str(),
                "is_cancelled"
                    | "run_until_cancelled"
                    | "with_cancellation_token"
                    | "run_until_cancelled_owned"
            ) {
                self.found = true;
                return;
            }
        }
        syn::visit::visit_expr(self, expr);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        match self.cx.expansions.get(mac) {
            Some(expansion) => crate::syntax::macros::visit_expansion(self, expansion),
            None => {
                let tokens = &mac.tokens;
                if crate::syntax::macros::tokens_mention(tokens, "cancelled")
                    || crate::syntax::macros::tokens_mention(tokens, "ctrl_c")
                {
                    self.found = true;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shutdown_names_are_whole_words() {
        for name in [
            "stop_rx",
            "shutdownRx",
            "shutdown",
            "cancel_rx",
            "TermSignal",
            "kill_switch",
        ] {
            assert!(is_shutdown_name(name, &[]), "{name}");
        }
        for name in [
            "stopwatch_rx",
            "terminal_rx",
            "exits_total",
            "skill_rx",
            "rx",
        ] {
            assert!(!is_shutdown_name(name, &[]), "{name}");
        }
        assert!(is_shutdown_name("halt_rx", &["halt".to_string()]));
    }
}
