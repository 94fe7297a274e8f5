//! Open buffers: their text and version, the findings of their last lint,
//! and positions converted between tasklint's (1-based lines, columns in
//! characters) and the client's (0-based, in the negotiated encoding).

use std::path::PathBuf;

use lsp_types::{Position, Range, TextDocumentContentChangeEvent};

use crate::base::finding::{Finding, Region};
use crate::base::fix::LineIndex;

/// What the client's `Position.character` counts (LSP 3.17's
/// `positionEncoding`; UTF-16 when the client names none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
    Utf32,
}

impl Encoding {
    /// The units `text` takes.
    fn units(self, text: &str) -> usize {
        match self {
            Encoding::Utf8 => text.len(),
            Encoding::Utf16 => text.chars().map(char::len_utf16).sum(),
            Encoding::Utf32 => text.chars().count(),
        }
    }

    fn char_units(self, c: char) -> usize {
        match self {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
            Encoding::Utf32 => 1,
        }
    }
}

/// One open buffer.
pub struct Document {
    pub path: PathBuf,
    pub text: String,
    pub version: i32,
    /// The findings of the last lint, and the version it linted; `None`
    /// before the first lint.
    pub linted: Option<(i32, Vec<Finding>)>,
}

impl Document {
    pub fn new(path: PathBuf, text: String, version: i32) -> Document {
        Document {
            path,
            text,
            version,
            linted: None,
        }
    }

    /// Are the findings those of the current text?
    pub fn is_fresh(&self) -> bool {
        self.linted
            .as_ref()
            .is_some_and(|(version, _)| *version == self.version)
    }

    pub fn findings(&self) -> &[Finding] {
        self.linted.as_ref().map_or(&[], |(_, f)| f.as_slice())
    }

    /// Applies the client's changes in order (a change without a range
    /// replaces the whole text). A range outside the text is clamped to it.
    pub fn apply(&mut self, changes: Vec<TextDocumentContentChangeEvent>, encoding: Encoding) {
        for change in changes {
            match change.range {
                None => self.text = change.text,
                Some(range) => {
                    let start = offset(&self.text, range.start, encoding);
                    let end = offset(&self.text, range.end, encoding).max(start);
                    self.text.replace_range(start..end, &change.text);
                }
            }
        }
    }
}

/// The byte offset of a client position in `text`, clamped to the line's
/// end (a position past the last line is the end of the text).
pub fn offset(text: &str, position: Position, encoding: Encoding) -> usize {
    let mut line_start = 0;
    for _ in 0..position.line {
        match text[line_start..].find('\n') {
            Some(at) => line_start += at + 1,
            None => return text.len(),
        }
    }
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |at| line_start + at);
    let line = &text[line_start..line_end];
    let line = line.strip_suffix('\r').unwrap_or(line);
    let wanted = position.character as usize;
    let mut units = 0;
    for (at, c) in line.char_indices() {
        if units >= wanted {
            return line_start + at;
        }
        units += encoding.char_units(c);
    }
    line_start + line.len()
}

/// The client position of a byte offset (clamped to the text, and back to
/// the start of a character).
pub fn position_of_offset(text: &str, offset: usize, encoding: Encoding) -> Position {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    Position::new(
        to_u32(line),
        to_u32(encoding.units(&text[line_start..offset])),
    )
}

/// Converts tasklint's regions to client ranges for one text.
pub struct Positions<'t> {
    lines: LineIndex<'t>,
    encoding: Encoding,
}

impl<'t> Positions<'t> {
    pub fn new(text: &'t str, encoding: Encoding) -> Positions<'t> {
        Positions {
            lines: LineIndex::new(text),
            encoding,
        }
    }

    /// A 1-based line and column (in characters; past the line's end is
    /// its end).
    pub fn position(&self, line: usize, column: usize) -> Position {
        let text = self.lines.line(line);
        let chars = column.saturating_sub(1);
        let end = text
            .char_indices()
            .nth(chars)
            .map_or(text.len(), |(at, _)| at);
        Position::new(
            to_u32(line.saturating_sub(1)),
            to_u32(self.encoding.units(&text[..end])),
        )
    }

    pub fn range(&self, region: &Region) -> Range {
        Range::new(
            self.position(region.line, region.column),
            self.position(region.end_line, region.end_column),
        )
    }

    /// The 1-based line and column (in characters) of a client position.
    pub fn line_column(&self, position: Position) -> (usize, usize) {
        let line = position.line as usize + 1;
        let text = self.lines.line(line);
        let mut units = 0;
        let mut column = 1;
        for c in text.chars() {
            if units >= position.character as usize {
                break;
            }
            units += self.encoding.char_units(c);
            column += 1;
        }
        (line, column)
    }

    /// The text of a 1-based line, without its line break.
    pub fn line(&self, line: usize) -> &'t str {
        self.lines.line(line)
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_convert_in_every_encoding() {
        let text = "a\r\nlet é𝄞 = x;\n";
        let region = Region {
            line: 2,
            column: 7,
            end_line: 2,
            end_column: 8,
        };
        let utf16 = Positions::new(text, Encoding::Utf16);
        assert_eq!(utf16.range(&region).start, Position::new(1, 7));
        assert_eq!(utf16.line_column(Position::new(1, 7)), (2, 7));
        let utf8 = Positions::new(text, Encoding::Utf8);
        assert_eq!(utf8.range(&region).start, Position::new(1, 10));
        let utf32 = Positions::new(text, Encoding::Utf32);
        assert_eq!(utf32.range(&region).start, Position::new(1, 6));
        assert_eq!(offset(text, Position::new(1, 7), Encoding::Utf16), 13);
        assert_eq!(
            position_of_offset(text, 13, Encoding::Utf16),
            Position::new(1, 7)
        );
        assert_eq!(
            offset(text, Position::new(9, 0), Encoding::Utf16),
            text.len()
        );
        assert_eq!(offset(text, Position::new(0, 99), Encoding::Utf16), 1);
    }

    #[test]
    fn incremental_changes_apply_in_order() {
        let mut doc = Document::new(PathBuf::from("a.rs"), "fn a() {}\n".into(), 1);
        let change = |range: Option<Range>, text: &str| TextDocumentContentChangeEvent {
            range,
            range_length: None,
            text: text.to_string(),
        };
        let at = |l, c| Position::new(l, c);
        doc.apply(
            vec![
                change(Some(Range::new(at(0, 3), at(0, 4))), "b"),
                change(Some(Range::new(at(1, 0), at(1, 0))), "fn c() {}\n"),
            ],
            Encoding::Utf16,
        );
        assert_eq!(doc.text, "fn b() {}\nfn c() {}\n");
    }
}
