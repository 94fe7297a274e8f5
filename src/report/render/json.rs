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
    /// Only on findings that have one.
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<JsonFix<'f>>,
}

#[derive(Serialize)]
struct JsonFix<'f> {
    applicability: crate::base::fix::Applicability,
    message: &'f str,
    edits: Vec<JsonEdit<'f>>,
}

/// Byte offsets (`end_byte` exclusive) and lines and columns (as a finding's).
#[derive(Serialize)]
struct JsonEdit<'f> {
    content: &'f str,
    start_byte: usize,
    end_byte: usize,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

fn fix(fix: &crate::base::fix::Fix) -> JsonFix<'_> {
    JsonFix {
        applicability: fix.applicability,
        message: &fix.message,
        edits: fix
            .edits
            .iter()
            .map(|e| JsonEdit {
                content: &e.content,
                start_byte: e.start,
                end_byte: e.end,
                line: e.region.line,
                column: e.region.column,
                end_line: e.region.end_line,
                end_column: e.region.end_column,
            })
            .collect(),
    }
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
            fix: f.fix.as_ref().map(fix),
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&findings).unwrap_or_else(|_| "[]".to_string());
    out.push('\n');
    out
}
