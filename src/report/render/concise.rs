//! `path:line:col: warning: message [rule-id]`, one line per finding, as
//! GCC writes them so that editors' stock matchers (`$gcc`) read it. Paths
//! and messages go through [`crate::base::escape`], so a file name cannot end the
//! line, forge another position or start a workflow command.

use crate::base::finding::Finding;

use super::Report;
use crate::base::escape;

pub fn render(report: &Report<'_>) -> String {
    let mut out = String::new();
    for f in report.findings {
        out.push_str(&line(f));
    }
    out
}

/// One finding as `path:line:col: severity: message [rule]` and a line break,
/// with the path and the message escaped (see [`crate::base::escape`]).
pub fn line(f: &Finding) -> String {
    format!(
        "{}:{}:{}: {}: {} [{}]\n",
        escape::path(&f.path),
        f.region.line,
        f.region.column,
        f.severity,
        escape::text(&f.message),
        f.rule.id
    )
}
