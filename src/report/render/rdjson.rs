//! reviewdog's Diagnostic Format as one JSON document (`rdjson`), which
//! `reviewdog -f=rdjson` turns into review comments. Positions are 1-based
//! lines and 1-based columns counted in UTF-8 bytes, as the format says;
//! the end is exclusive.

use serde_json::{json, Value};

use super::{Lines, Report};
use crate::base::finding::Finding;
use crate::base::rule::Severity;

pub fn render(report: &Report<'_>) -> String {
    let mut lines: Option<(&str, Lines<'_>)> = None;
    let mut diagnostics = Vec::with_capacity(report.findings.len());
    for finding in report.findings {
        if lines.as_ref().is_none_or(|(path, _)| *path != finding.path) {
            let source = report.sources.get(&finding.path).map_or("", String::as_str);
            lines = Some((&finding.path, Lines::new(source)));
        }
        if let Some((_, lines)) = &lines {
            diagnostics.push(diagnostic(finding, lines));
        }
    }
    let mut source = json!({ "name": "tasklint" });
    if let Some(url) = super::home_url() {
        source["url"] = json!(url);
    }
    let document = json!({ "source": source, "diagnostics": diagnostics });
    let mut out = serde_json::to_string_pretty(&document).unwrap_or_default();
    out.push('\n');
    out
}

fn diagnostic(f: &Finding, lines: &Lines<'_>) -> Value {
    let r = f.region;
    let mut code = json!({ "value": f.rule.id });
    if let Some(url) = super::rule_doc_url(f.rule) {
        code["url"] = json!(url);
    }
    json!({
        "message": format!("{}\nhelp: {}", f.message, f.help),
        "location": {
            "path": f.path,
            "range": {
                "start": { "line": r.line, "column": byte_column(lines, r.line, r.column) },
                "end": { "line": r.end_line, "column": byte_column(lines, r.end_line, r.end_column) },
            },
        },
        "severity": match f.severity {
            Severity::Error => "ERROR",
            Severity::Warning => "WARNING",
            Severity::Note => "INFO",
        },
        "source": { "name": "tasklint" },
        "code": code,
    })
}

/// The 1-based column in bytes of a 1-based column in characters.
fn byte_column(lines: &Lines<'_>, line: usize, column: usize) -> usize {
    lines
        .offset(line, column)
        .saturating_sub(lines.offset(line, 1))
        + 1
}
