//! Where a finding or an edit is: lines and columns of a file.

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
