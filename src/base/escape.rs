//! File names and source text are data: before they reach a terminal, a log
//! or a problem matcher, characters that could end a line, move the cursor,
//! reorder text or forge a line of output are shown visibly instead.
//!
//! *Unsafe* characters are the control characters (U+0000–U+001F,
//! U+007F–U+009F), the bidirectional controls (U+061C, U+200E, U+200F,
//! U+202A–U+202E, U+2066–U+2069) and the line and paragraph separators
//! (U+2028, U+2029).
//!
//! - [`path`]: a file name as `concise` and `human` print it. Unsafe
//!   characters become Rust escapes (`\t`, `\n`, `\r`, else `\u{1b}`,
//!   `\u{202e}`); a `:` followed by a digit becomes `\u{3a}`, so that no part
//!   of the name reads as `:line:` to a `path:line:col:` matcher; a leading `:`
//!   or `#` becomes `\u{3a}` / `\u{23}`, so that no line starts a GitHub
//!   Actions workflow command (`::error`, `##[error]`).
//! - [`text`]: a message, as [`path`] does for unsafe characters.
//! - [`Snippet`]: source text shown in `human` snippets, as rustc shows it:
//!   C0 controls (but tab and line feed) and DEL become their Control
//!   Pictures (`␛`, `␍`, `␡`), other unsafe characters Rust escapes; a `\r`
//!   ending a line is kept (the snippet printer drops it).
//! - [`github_data`], [`github_property`]: GitHub's own escaping of workflow
//!   command messages and property values, which the runner undoes.
//!
//! JSON and SARIF output stay lossless: serde escapes what JSON needs.

use std::borrow::Cow;
use std::fmt::Write;

/// Control, bidirectional-control and line-separator characters.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

/// A message or other one-line text, with unsafe characters escaped.
pub fn text(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        push_char(&mut out, c);
    }
    Cow::Owned(out)
}

/// A file name for `concise` and `human` output (see the module doc).
pub fn path(path: &str) -> Cow<'_, str> {
    let needs = path.starts_with([':', '#'])
        || path.chars().any(is_unsafe)
        || path
            .as_bytes()
            .windows(2)
            .any(|pair| pair[0] == b':' && pair[1].is_ascii_digit());
    if !needs {
        return Cow::Borrowed(path);
    }
    let mut out = String::with_capacity(path.len() + 8);
    let mut chars = path.chars().peekable();
    let mut first = true;
    while let Some(c) = chars.next() {
        let forges = match c {
            ':' => first || chars.peek().is_some_and(char::is_ascii_digit),
            '#' => first,
            _ => false,
        };
        if forges {
            push_escape(&mut out, c);
        } else {
            push_char(&mut out, c);
        }
        first = false;
    }
    Cow::Owned(out)
}

fn push_char(out: &mut String, c: char) {
    match c {
        '\t' => out.push_str("\\t"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        _ if is_unsafe(c) => push_escape(out, c),
        _ => out.push(c),
    }
}

fn push_escape(out: &mut String, c: char) {
    let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
}

/// Source text for a snippet, with a map from byte offsets in the source to
/// byte offsets in the shown text.
#[derive(Debug)]
pub struct Snippet<'s> {
    pub text: Cow<'s, str>,
    /// For each replaced character: the offset in the source just after it
    /// and the bytes the shown text has gained up to there. Sorted.
    shifts: Vec<(usize, usize)>,
}

impl<'s> Snippet<'s> {
    pub fn new(source: &'s str) -> Snippet<'s> {
        let shown = |(at, c): &(usize, char)| {
            *c != '\t' && *c != '\n' && !(*c == '\r' && source[at + 1..].starts_with('\n'))
        };
        let unsafe_chars = || {
            source
                .char_indices()
                .filter(|&(_, c)| is_unsafe(c))
                .filter(shown)
        };
        if unsafe_chars().next().is_none() {
            return Snippet {
                text: Cow::Borrowed(source),
                shifts: Vec::new(),
            };
        }
        let mut text = String::with_capacity(source.len() + 16);
        let mut shifts = Vec::new();
        let mut copied = 0;
        for (at, c) in unsafe_chars() {
            text.push_str(&source[copied..at]);
            let before = text.len();
            match c {
                '\u{0}'..='\u{1f}' => {
                    text.push(char::from_u32(0x2400 + u32::from(c)).unwrap_or('?'))
                }
                '\u{7f}' => text.push('\u{2421}'),
                _ => push_escape(&mut text, c),
            }
            let gained =
                shifts.last().map_or(0, |&(_, g)| g) + (text.len() - before) - c.len_utf8();
            copied = at + c.len_utf8();
            shifts.push((copied, gained));
        }
        text.push_str(&source[copied..]);
        Snippet {
            text: Cow::Owned(text),
            shifts,
        }
    }

    /// The offset in the shown text of a character boundary in the source.
    pub fn offset(&self, source_offset: usize) -> usize {
        let replaced = self
            .shifts
            .partition_point(|&(end, _)| end <= source_offset);
        let gained = replaced.checked_sub(1).map_or(0, |i| self.shifts[i].1);
        source_offset + gained
    }

    /// The offset in the source of a character boundary in the shown text.
    pub fn source_offset(&self, shown_offset: usize) -> usize {
        let replaced = self
            .shifts
            .partition_point(|&(end, gained)| end + gained <= shown_offset);
        let gained = replaced.checked_sub(1).map_or(0, |i| self.shifts[i].1);
        shown_offset.saturating_sub(gained)
    }
}

/// GitHub's escaping of a workflow command's message: `%`, CR and LF.
pub fn github_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// GitHub's escaping of a property value: as a message, plus `:` and `,`.
pub fn github_property(text: &str) -> String {
    github_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(path("src/a b/é.rs"), Cow::Borrowed(_)));
        assert!(matches!(text("a `x` is dropped"), Cow::Borrowed(_)));
        assert!(matches!(
            Snippet::new("fn a() {}\r\n\tb\n").text,
            Cow::Borrowed(_)
        ));
        // A drive letter and a `:` before a non-digit are not a position.
        assert_eq!(path("C:\\w\\a.rs"), "C:\\w\\a.rs");
        assert_eq!(path("src/a:b.rs"), "src/a:b.rs");
    }

    #[test]
    fn paths_cannot_end_a_line_or_forge_a_position() {
        assert_eq!(
            path("x\nevil.rs:9:9: error: INJECTED\ny.rs"),
            "x\\nevil.rs\\u{3a}9\\u{3a}9: error: INJECTED\\ny.rs"
        );
        assert_eq!(path("a:1:2: error: x.rs"), "a\\u{3a}1\\u{3a}2: error: x.rs");
        assert_eq!(
            path("a\r\u{1b}[2J\u{85}\u{2028}"),
            "a\\r\\u{1b}[2J\\u{85}\\u{2028}"
        );
        assert_eq!(path("a\u{202e}sr.b"), "a\\u{202e}sr.b");
    }

    #[test]
    fn paths_cannot_start_a_workflow_command() {
        assert_eq!(path("::error title=x::a.rs"), "\\u{3a}:error title=x::a.rs");
        assert_eq!(path("##[error]a.rs"), "\\u{23}#[error]a.rs");
        assert_eq!(path("src/::a.rs"), "src/::a.rs");
    }

    #[test]
    fn messages_show_control_characters() {
        assert_eq!(text("unknown `a\u{1b}b`\n"), "unknown `a\\u{1b}b`\\n");
        assert_eq!(text("\u{2066}x\t"), "\\u{2066}x\\t");
    }

    #[test]
    fn snippets_show_control_characters_and_map_offsets() {
        let source = "a\u{1b}[2J é\u{202e}\r b\r\n\tc\u{7f}\n";
        let snippet = Snippet::new(source);
        assert_eq!(snippet.text, "a␛[2J é\\u{202e}␍ b\r\n\tc␡\n");
        for word in ["a", "[2J", "é", "b", "c"] {
            let at = source.find(word).unwrap();
            let shown = snippet.offset(at);
            assert_eq!(&snippet.text[shown..shown + word.len()], word);
            assert_eq!(snippet.source_offset(shown), at);
        }
        assert_eq!(snippet.offset(source.len()), snippet.text.len());
    }

    #[test]
    fn github_escapes() {
        assert_eq!(github_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(github_property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
