//! `path:line:col: warning: message [rule-id]`, one line per finding, as
//! GCC writes them so that editors' stock matchers (`$gcc`) read it. Paths
//! and messages go through [`crate::escape`], so a file name cannot end the
//! line, forge another position or start a workflow command.

use std::fmt::Write;

use super::Report;
use crate::escape;

pub fn render(report: &Report<'_>) -> String {
    let mut out = String::new();
    for f in report.findings {
        let _ = writeln!(
            out,
            "{}:{}:{}: {}: {} [{}]",
            escape::path(&f.path),
            f.region.line,
            f.region.column,
            f.severity,
            escape::text(&f.message),
            f.rule.id
        );
    }
    out
}
