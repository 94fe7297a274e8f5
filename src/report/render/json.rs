//! A JSON array, one object per finding (SPEC §6).

use serde::Serialize;

use super::Report;
use crate::base::rule::Severity;

#[derive(Serialize)]
struct JsonFinding<'f> {
    rule: &'f str,
    severity: Severity,
    path: &'f str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    message: &'f str,
    help: &'f str,
    fingerprint: &'f str,
}

pub fn render(report: &Report<'_>) -> String {
    let findings: Vec<JsonFinding<'_>> = report
        .findings
        .iter()
        .map(|f| JsonFinding {
            rule: f.rule.id,
            severity: f.severity,
            path: &f.path,
            line: f.region.line,
            column: f.region.column,
            end_line: f.region.end_line,
            end_column: f.region.end_column,
            message: &f.message,
            help: &f.help,
            fingerprint: &f.fingerprint,
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&findings).unwrap_or_else(|_| "[]".to_string());
    out.push('\n');
    out
}
