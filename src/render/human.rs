//! rustc-style diagnostics through codespan-reporting, then a summary line.

use codespan_reporting::diagnostic::{Diagnostic, Label, Severity as CsSeverity};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, termcolor::Buffer};

use super::{Lines, Report};
use crate::finding::{Finding, Severity};

/// One file prepared once for all its findings: codespan's line index and ours.
struct Shown<'s> {
    path: &'s str,
    lines: Lines<'s>,
    file: SimpleFile<&'s str, &'s str>,
}

impl<'s> Shown<'s> {
    fn new(path: &'s str, source: &'s str) -> Shown<'s> {
        let file = SimpleFile::new(path, source);
        Shown {
            path,
            lines: Lines::new(source),
            file,
        }
    }
}

pub fn render(report: &Report<'_>) -> String {
    let mut buffer = if report.color {
        Buffer::ansi()
    } else {
        Buffer::no_color()
    };
    let config = term::Config::default();
    let mut current: Option<Shown<'_>> = None;
    for finding in report.findings {
        let shown = match current.take() {
            Some(shown) if shown.path == finding.path => shown,
            _ => {
                let source = report.sources.get(&finding.path).map_or("", String::as_str);
                Shown::new(&finding.path, source)
            }
        };
        let range = shown.lines.range(finding.region);
        let diagnostic = to_diagnostic(finding, range);
        if term::emit(&mut buffer, &config, &shown.file, &diagnostic).is_err() {
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
        current = Some(shown);
    }
    let mut out = String::from_utf8_lossy(buffer.as_slice()).into_owned();
    out.push_str(&report.summary());
    out.push('\n');
    out
}

fn to_diagnostic(finding: &Finding, range: std::ops::Range<usize>) -> Diagnostic<()> {
    let severity = match finding.severity {
        Severity::Error => CsSeverity::Error,
        Severity::Warning => CsSeverity::Warning,
        Severity::Note => CsSeverity::Note,
    };
    Diagnostic::new(severity)
        .with_message(&finding.message)
        .with_code(finding.rule.id)
        .with_labels(vec![Label::primary((), range)])
        .with_notes(vec![format!("help: {}", finding.help)])
}
