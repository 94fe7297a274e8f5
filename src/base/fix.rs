//! Fixes a rule attaches to a finding: text edits at positions of the file
//! (never a re-printed syntax tree, so formatting and comments stay), each
//! fix with an applicability, as ruff's `Fix` and rustc's suggestions.

use serde::{Deserialize, Serialize};

use crate::base::region::Region;

/// How sure a fix is to keep what the code means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// Shown, never applied: no edit is right in general.
    DisplayOnly,
    /// Changes run-time behaviour: applied with `--unsafe-fixes` only.
    Unsafe,
    /// Does what the code plainly meant and nothing else: `--fix` applies it.
    Safe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::DisplayOnly => "display-only",
            Applicability::Unsafe => "unsafe",
            Applicability::Safe => "safe",
        }
    }
}

/// One replacement of the text of a region (an insertion when the region
/// is empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// Lines and columns as in [`Region`]; `end_column` exclusive.
    pub region: Region,
    /// Byte offsets of the region in the file, set by [`Fix::locate`] when
    /// the finding is tied to its file's text.
    pub start: usize,
    pub end: usize,
    pub content: String,
}

impl Edit {
    /// Replaces the text of `region` with `content`.
    pub fn replace(region: Region, content: impl Into<String>) -> Edit {
        Edit {
            region,
            start: 0,
            end: 0,
            content: content.into(),
        }
    }

    /// Inserts `content` at a 1-based line and column.
    pub fn insert(line: usize, column: usize, content: impl Into<String>) -> Edit {
        Edit::replace(
            Region {
                line,
                column,
                end_line: line,
                end_column: column,
            },
            content,
        )
    }

    /// Inserts `content` just before `region`.
    pub fn insert_before(region: Region, content: impl Into<String>) -> Edit {
        Edit::insert(region.line, region.column, content)
    }

    /// Inserts `content` just after `region`.
    pub fn insert_after(region: Region, content: impl Into<String>) -> Edit {
        Edit::insert(region.end_line, region.end_column, content)
    }

    pub fn is_insertion(&self) -> bool {
        self.start == self.end
    }
}

/// A fix: what it does, how safe it is, and its edits (sorted, not
/// overlapping).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub applicability: Applicability,
    /// What the fix does, in the style of a help line (`insert
    /// `tracker.close();` before waiting`).
    pub message: String,
    pub edits: Vec<Edit>,
}

impl Fix {
    pub fn new(applicability: Applicability, message: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix {
            applicability,
            message: message.into(),
            edits,
        }
    }

    pub fn safe(message: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix::new(Applicability::Safe, message, edits)
    }

    pub fn unsafe_(message: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix::new(Applicability::Unsafe, message, edits)
    }

    /// Fills the byte offsets of the edits from `source`, and sorts them.
    /// `false` when an edit falls outside the text, or two edits overlap:
    /// such a fix must be dropped.
    pub fn locate(&mut self, lines: &LineIndex<'_>) -> bool {
        for edit in &mut self.edits {
            let (Some(start), Some(end)) = (
                lines.offset(edit.region.line, edit.region.column),
                lines.offset(edit.region.end_line, edit.region.end_column),
            ) else {
                return false;
            };
            if end < start {
                return false;
            }
            edit.start = start;
            edit.end = end;
            // Inserted lines end like the file's own.
            if lines.line_break(edit.region.line) == "\r\n" && !edit.content.contains('\r') {
                edit.content = edit.content.replace('\n', "\r\n");
            }
        }
        self.edits.sort_by_key(|e| (e.start, e.end));
        self.edits
            .windows(2)
            .all(|pair| pair[0].end <= pair[1].start && pair[0].start < pair[1].start)
            && !self.edits.is_empty()
    }
}

/// Where each line of a text starts, to turn lines and columns (in
/// characters) into byte offsets.
pub struct LineIndex<'s> {
    source: &'s str,
    starts: Vec<usize>,
}

impl<'s> LineIndex<'s> {
    pub fn new(source: &'s str) -> LineIndex<'s> {
        let starts = std::iter::once(0)
            .chain(source.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        LineIndex { source, starts }
    }

    /// The byte offset of a 1-based line and column; the column may be
    /// one past the line's last character (before its line break). `None`
    /// past the end of the line or of the text.
    pub fn offset(&self, line: usize, column: usize) -> Option<usize> {
        let start = *self.starts.get(line.checked_sub(1)?)?;
        let end = self
            .starts
            .get(line)
            .map_or(self.source.len(), |next| next - 1);
        let text = self.source.get(start..end)?;
        let index = column.checked_sub(1)?;
        if index == 0 {
            return Some(start);
        }
        let mut chars = text.char_indices().map(|(at, _)| at).chain([text.len()]);
        chars.nth(index).map(|at| start + at)
    }

    /// The 1-based line's text, without its line break (`\r\n` or `\n`).
    pub fn line(&self, line: usize) -> &'s str {
        let Some(&start) = line.checked_sub(1).and_then(|i| self.starts.get(i)) else {
            return "";
        };
        let end = self
            .starts
            .get(line)
            .map_or(self.source.len(), |next| next - 1);
        let text = self.source.get(start..end).unwrap_or("");
        text.strip_suffix('\r').unwrap_or(text)
    }

    /// The line break the 1-based line ends with (`\n` for the last line).
    pub fn line_break(&self, line: usize) -> &'static str {
        let Some(&next) = self.starts.get(line) else {
            return "\n";
        };
        if self.source.as_bytes().get(next.wrapping_sub(2)) == Some(&b'\r') {
            "\r\n"
        } else {
            "\n"
        }
    }

    /// The byte offset where the 1-based line starts.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.starts.get(line.checked_sub(1)?).copied()
    }
}

/// The leading whitespace of a line.
pub fn indentation(line: &str) -> &str {
    let trimmed = line.trim_start_matches([' ', '\t']);
    &line[..line.len() - trimmed.len()]
}

/// One level of indentation in the style of `indent` (a tab when it uses tabs).
pub fn indent_unit(indent: &str) -> &'static str {
    if indent.contains('\t') {
        "\t"
    } else {
        "    "
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_count_characters_and_allow_the_end_of_a_line() {
        let source = "fn a() {}\r\nlet é = x;\nlast";
        let lines = LineIndex::new(source);
        assert_eq!(lines.offset(1, 1), Some(0));
        assert_eq!(lines.offset(2, 6), Some(source.find('=').expect("=") - 1));
        assert_eq!(lines.offset(2, 7), source.find('='));
        assert_eq!(lines.offset(3, 5), Some(source.len()));
        assert_eq!(lines.offset(3, 6), None);
        assert_eq!(lines.offset(4, 1), None);
        assert_eq!(lines.line(1), "fn a() {}");
        assert_eq!(lines.line_break(1), "\r\n");
        assert_eq!(lines.line_break(2), "\n");
        assert_eq!(indentation("\t  x"), "\t  ");
    }

    #[test]
    fn overlapping_edits_make_a_fix_unusable() {
        let source = "abcdef\n";
        let lines = LineIndex::new(source);
        let at = |c| Region {
            line: 1,
            column: c,
            end_line: 1,
            end_column: c + 2,
        };
        let mut fine = Fix::safe(
            "x",
            vec![Edit::replace(at(3), "X"), Edit::replace(at(1), "Y")],
        );
        assert!(fine.locate(&lines));
        assert_eq!((fine.edits[0].start, fine.edits[1].start), (0, 2));
        let mut bad = Fix::safe(
            "x",
            vec![Edit::replace(at(1), "X"), Edit::replace(at(2), "Y")],
        );
        assert!(!bad.locate(&lines));
    }
}
