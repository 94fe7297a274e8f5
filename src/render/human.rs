//! rustc-style diagnostics through codespan-reporting, then a summary line.

use codespan_reporting::diagnostic::{Diagnostic, Label, Severity as CsSeverity};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, termcolor::Buffer};

use super::Report;
use crate::finding::{Finding, Region, Severity};

pub fn render(report: &Report<'_>) -> String {
    let mut buffer = if report.color {
        Buffer::ansi()
    } else {
        Buffer::no_color()
    };
    let config = term::Config::default();
    let mut files = SimpleFiles::new();
    let mut current: Option<(String, usize)> = None;
    for finding in report.findings {
        let source = report
            .sources
            .get(&finding.path)
            .map(String::as_str)
            .unwrap_or("");
        let id = match &current {
            Some((path, id)) if *path == finding.path => *id,
            _ => {
                let id = files.add(finding.path.clone(), source.to_string());
                current = Some((finding.path.clone(), id));
                id
            }
        };
        let diagnostic = to_diagnostic(finding, id, source);
        if term::emit(&mut buffer, &config, &files, &diagnostic).is_err() {
            // A span outside the text: fall back to the one-line form.
            let line = format!(
                "{}:{}:{}: {}: {} [{}]\n",
                finding.path,
                finding.region.line,
                finding.region.column,
                finding.severity,
                finding.message,
                finding.rule.id
            );
            let _ = std::io::Write::write_all(&mut buffer, line.as_bytes());
        }
    }
    let mut out = String::from_utf8_lossy(buffer.as_slice()).into_owned();
    out.push_str(&report.summary());
    out.push('\n');
    out
}

fn to_diagnostic(finding: &Finding, file_id: usize, source: &str) -> Diagnostic<usize> {
    let severity = match finding.severity {
        Severity::Error => CsSeverity::Error,
        Severity::Warning => CsSeverity::Warning,
        Severity::Note => CsSeverity::Note,
    };
    Diagnostic::new(severity)
        .with_message(&finding.message)
        .with_code(finding.rule.id)
        .with_labels(vec![Label::primary(
            file_id,
            byte_range(source, finding.region),
        )])
        .with_notes(vec![format!("help: {}", finding.help)])
}

/// Byte offsets of a region's 1-based line/column (in characters) bounds.
pub fn byte_range(source: &str, region: Region) -> std::ops::Range<usize> {
    let start = byte_offset(source, region.line, region.column);
    let end = byte_offset(source, region.end_line, region.end_column).max(start);
    start..end
}

fn byte_offset(source: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (index, text) in source.split_inclusive('\n').enumerate() {
        if index + 1 == line {
            let within: usize = text
                .char_indices()
                .nth(column.saturating_sub(1))
                .map(|(i, _)| i)
                .unwrap_or(text.trim_end_matches(['\n', '\r']).len());
            return offset + within;
        }
        offset += text.len();
    }
    source.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_ranges_count_characters() {
        let source = "fn a() {}\nlet é = spawn(x);\n";
        let region = Region {
            line: 2,
            column: 9,
            end_line: 2,
            end_column: 14,
        };
        assert_eq!(&source[byte_range(source, region)], "spawn");
    }
}
