//! What a rule reports, before and after it is tied to a file.

use crate::base::fix::Fix;
use crate::base::rule::{Rule, Severity};

/// A region of a file: 1-based lines and columns, `end_column` exclusive.
/// Columns count Unicode scalar values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Region {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

impl Region {
    pub fn from_span(span: proc_macro2::Span) -> Region {
        let start = span.start();
        let end = span.end();
        Region {
            line: start.line,
            column: start.column + 1,
            end_line: end.line,
            end_column: end.column + 1,
        }
    }

    /// Line 1, column 1, one character wide.
    pub fn start() -> Region {
        Region {
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 2,
        }
    }

    /// The position just after `text`, one character wide.
    pub fn at_end_of(text: &str) -> Region {
        let line = text.matches('\n').count() + 1;
        let column = text
            .rsplit('\n')
            .next()
            .map_or(0, |last| last.chars().count())
            + 1;
        Region {
            line,
            column,
            end_line: line,
            end_column: column + 1,
        }
    }

    /// The region from the start of `first` to the end of `last`.
    pub fn covering(first: proc_macro2::Span, last: proc_macro2::Span) -> Region {
        let start = Region::from_span(first);
        let end = Region::from_span(last);
        if (end.end_line, end.end_column) < (start.line, start.column) {
            return start;
        }
        Region {
            end_line: end.end_line,
            end_column: end.end_column,
            ..start
        }
    }
}

/// A finding as a rule emits it, inside one file.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub rule: &'static Rule,
    pub region: Region,
    pub message: String,
    pub help: String,
    /// The innermost named item around the finding (`Server::run`), for fingerprints.
    pub item: String,
    /// An edit that fixes it, if the rule has one here.
    pub fix: Option<Fix>,
}

/// A finding tied to its file, ready to render.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: &'static Rule,
    pub severity: Severity,
    pub path: String,
    pub region: Region,
    pub message: String,
    pub help: String,
    pub fingerprint: String,
    /// Its fix, with byte offsets into the file's text.
    pub fix: Option<Fix>,
}

impl Finding {
    pub fn sort_key(&self) -> (&str, usize, usize, &'static str) {
        (
            &self.path,
            self.region.line,
            self.region.column,
            self.rule.id,
        )
    }
}
