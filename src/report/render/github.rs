//! GitHub Actions workflow commands, which the runner turns into annotations.
//! Properties (the file) are escaped as GitHub specifies, so the runner reads
//! them back exactly; the message is display text, shown through
//! [`crate::base::escape::text`] first.

use std::fmt::Write;

use super::Report;
use crate::base::escape::{self, github_data, github_property};
use crate::base::rule::Severity;

pub fn render(report: &Report<'_>) -> String {
    let mut out = String::new();
    for f in report.findings {
        let command = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let r = f.region;
        let mut properties = format!("file={},line={}", github_property(&f.path), r.line);
        if r.line == r.end_line {
            let _ = write!(properties, ",col={}", r.column);
        }
        let _ = write!(properties, ",endLine={}", r.end_line);
        if r.line == r.end_line {
            let _ = write!(properties, ",endColumn={}", r.end_column);
        }
        let title = github_property(&format!("tasklint ({})", f.rule.id));
        let _ = writeln!(
            out,
            "::{command} {properties},title={title}::{}",
            github_data(&escape::text(&f.message))
        );
    }
    out
}
