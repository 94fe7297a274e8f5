//! `path:line:col: warning: message [rule-id]`, one line per finding, as
//! GCC writes them so that editors' stock matchers (`$gcc`) read it.

use std::fmt::Write;

use super::Report;

pub fn render(report: &Report<'_>) -> String {
    let mut out = String::new();
    for f in report.findings {
        let _ = writeln!(
            out,
            "{}:{}:{}: {}: {} [{}]",
            f.path, f.region.line, f.region.column, f.severity, f.message, f.rule.id
        );
    }
    out
}
