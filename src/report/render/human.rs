//! rustc-style diagnostics through codespan-reporting, then a summary line.
//!
//! File names, messages and source lines are shown through [`crate::base::escape`]:
//! a control or bidi character in any of them reaches the terminal visibly.

use std::borrow::Cow;
use std::ops::Range;

use codespan_reporting::diagnostic::{Diagnostic, Label, Severity as CsSeverity};
use codespan_reporting::files::{self, Files, SimpleFile};
use codespan_reporting::term::{self, termcolor::Buffer};

use super::{Lines, Report};
use crate::base::escape::{self, Snippet};
use crate::base::finding::Finding;
use crate::base::rule::Severity;

/// One file prepared once for all its findings: its text as the snippets
/// show it, codespan's line index and ours.
struct Shown<'s> {
    path: &'s str,
    source: &'s str,
    lines: Lines<'s>,
    snippet: Snippet<'s>,
    file: SimpleFile<Cow<'s, str>, Cow<'s, str>>,
}

impl<'s> Shown<'s> {
    fn new(path: &'s str, source: &'s str) -> Shown<'s> {
        let snippet = Snippet::new(source);
        let file = SimpleFile::new(escape::path(path), snippet.text.clone());
        Shown {
            path,
            source,
            lines: Lines::new(source),
            snippet,
            file,
        }
    }
}

/// The shown text, with the columns of the file: a character shown as
/// `\u{202e}` is still one column.
impl<'a> Files<'a> for Shown<'_> {
    type FileId = ();
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, (): ()) -> Result<&'a str, files::Error> {
        Ok(self.file.name())
    }

    fn source(&'a self, (): ()) -> Result<&'a str, files::Error> {
        Ok(self.file.source())
    }

    fn line_index(&'a self, (): (), byte_index: usize) -> Result<usize, files::Error> {
        self.file.line_index((), byte_index)
    }

    fn line_range(&'a self, (): (), line_index: usize) -> Result<Range<usize>, files::Error> {
        self.file.line_range((), line_index)
    }

    fn column_number(
        &'a self,
        (): (),
        line_index: usize,
        byte_index: usize,
    ) -> Result<usize, files::Error> {
        let start = self.lines.offset(line_index + 1, 1);
        let end = self.snippet.source_offset(byte_index).max(start);
        let within = self.source.get(start..end).unwrap_or("");
        Ok(within.chars().count() + 1)
    }
}

/// The findings, then the summary line.
pub fn render(report: &Report<'_>) -> String {
    let mut out = findings(report);
    out.push_str(&report.summary());
    out.push('\n');
    out
}

/// The findings alone (`--quiet`).
pub fn findings(report: &Report<'_>) -> String {
    let mut out = String::new();
    each(report, report.color, |_, text| out.push_str(&text));
    out
}

/// Renders each finding on its own, in order, as the human format shows it
/// (for formats that embed that text, such as `cargo-json`'s `rendered`).
pub fn each(report: &Report<'_>, color: bool, mut emit: impl FnMut(&Finding, String)) {
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
        let mut buffer = if color {
            Buffer::ansi()
        } else {
            Buffer::no_color()
        };
        let range = shown.lines.range(finding.region);
        let range = shown.snippet.offset(range.start)..shown.snippet.offset(range.end);
        let diagnostic = to_diagnostic(finding, range);
        if term::emit(&mut buffer, &config, &shown, &diagnostic).is_err() {
            // A span outside the text: fall back to the one-line form.
            buffer = Buffer::no_color();
            let line = super::concise::line(finding);
            let _ = std::io::Write::write_all(&mut buffer, line.as_bytes());
        }
        emit(
            finding,
            String::from_utf8_lossy(buffer.as_slice()).into_owned(),
        );
        current = Some(shown);
    }
}

fn to_diagnostic(finding: &Finding, range: Range<usize>) -> Diagnostic<()> {
    let severity = match finding.severity {
        Severity::Error => CsSeverity::Error,
        Severity::Warning => CsSeverity::Warning,
        Severity::Note => CsSeverity::Note,
    };
    Diagnostic::new(severity)
        .with_message(escape::text(&finding.message))
        .with_code(finding.rule.id)
        .with_labels(vec![Label::primary((), range)])
        .with_notes(vec![format!("help: {}", escape::text(&finding.help))])
}
