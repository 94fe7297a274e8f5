//! The lexer masking, the depth guard and the suppression scan share: a
//! cheap byte scan that splits a file into identifiers, literals, lifetimes
//! and punctuation, skips comments and whitespace, and matches brackets.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Ident,
    /// `r#name`: never a keyword.
    RawIdent,
    Literal,
    /// `'a`, `'static`, a label.
    Lifetime,
    Punct(u8),
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Token {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) kind: Kind,
}

pub(crate) struct Lexed<'t> {
    pub(super) text: &'t [u8],
    pub(crate) tokens: Vec<Token>,
    /// For each opening delimiter, the index of its closing one (else 0).
    pub(super) partner: Vec<usize>,
    /// Byte offsets of the character that makes a comment a doc comment
    /// (the third `/` of `///`, the `!` of `//!`, the second `*` of `/**`).
    pub(super) docs: Vec<usize>,
}

/// Splits the text into identifiers, literals and punctuation, skipping
/// comments and whitespace. `None` when a comment or string does not end or
/// the brackets do not balance.
pub(crate) fn lex(text: &[u8]) -> Option<Lexed<'_>> {
    let (mut tokens, partner) = SPARE.with_borrow_mut(std::mem::take);
    tokens.clear();
    tokens.reserve(text.len() / 6);
    let mut docs = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let b = text[i];
        let start = i;
        let next = text.get(i + 1).copied();
        match b {
            b' ' | b'\t' | b'\n' | b'\r' => {
                // A run at once: indentation is a good part of most files.
                i += 1;
                while i < text.len() && matches!(text[i], b' ' | b'\t' | b'\n' | b'\r') {
                    i += 1;
                }
                continue;
            }
            b'/' if next == Some(b'/') => {
                let (third, fourth) = (text.get(i + 2), text.get(i + 3));
                if third == Some(&b'!') || (third == Some(&b'/') && fourth != Some(&b'/')) {
                    docs.push(i + 2);
                }
                i = line_end(text, i);
                continue;
            }
            b'/' if next == Some(b'*') => {
                let (third, fourth) = (text.get(i + 2), text.get(i + 3));
                if third == Some(&b'!')
                    || (third == Some(&b'*') && !matches!(fourth, Some(b'*' | b'/')))
                {
                    docs.push(i + 2);
                }
                i = block_comment_end(text, i)?;
                continue;
            }
            b'"' => {
                i = string_end(text, i + 1)?;
                tokens.push(Token {
                    start,
                    end: i,
                    kind: Kind::Literal,
                });
            }
            b'\'' => match char_literal_end(text, i)? {
                Some(end) => {
                    i = end;
                    tokens.push(Token {
                        start,
                        end,
                        kind: Kind::Literal,
                    });
                }
                None => {
                    i = word_end(text, i + 1);
                    tokens.push(Token {
                        start,
                        end: i,
                        kind: Kind::Lifetime,
                    });
                }
            },
            b'0'..=b'9' => {
                i = word_end(text, i);
                tokens.push(Token {
                    start,
                    end: i,
                    kind: Kind::Literal,
                });
            }
            _ if is_ident_byte(b) => {
                i = word_end(text, i);
                let word = &text[start..i];
                let hashes = text[i..].iter().take_while(|&&c| c == b'#').count();
                let quote = text.get(i + hashes) == Some(&b'"');
                if matches!(word, b"r" | b"br" | b"cr") && quote {
                    i = raw_string_end(text, i + hashes + 1, hashes)?;
                    tokens.push(Token {
                        start,
                        end: i,
                        kind: Kind::Literal,
                    });
                } else if word == b"r"
                    && hashes == 1
                    && text.get(i + 1).is_some_and(|&c| is_ident_byte(c))
                {
                    i = word_end(text, i + 1);
                    tokens.push(Token {
                        start,
                        end: i,
                        kind: Kind::RawIdent,
                    });
                } else {
                    tokens.push(Token {
                        start,
                        end: i,
                        kind: Kind::Ident,
                    });
                }
            }
            _ => {
                i += 1;
                tokens.push(Token {
                    start,
                    end: i,
                    kind: Kind::Punct(b),
                });
            }
        }
    }
    let partner = partners(&tokens, partner)?;
    Some(Lexed {
        text,
        tokens,
        partner,
        docs,
    })
}

thread_local! {
    /// The token and partner buffers of the last file lexed on this thread:
    /// reusing them spares the allocator and the kernel's page clearing.
    static SPARE: std::cell::RefCell<(Vec<Token>, Vec<usize>)> = const {
        std::cell::RefCell::new((Vec::new(), Vec::new()))
    };
}

impl Drop for Lexed<'_> {
    fn drop(&mut self) {
        let buffers = (
            std::mem::take(&mut self.tokens),
            std::mem::take(&mut self.partner),
        );
        SPARE.with_borrow_mut(|spare| *spare = buffers);
    }
}

/// Can byte `b` be part of an identifier? The one definition the lexer and
/// the scans built on it share: ASCII letters, digits and `_`, and every
/// byte of a non-ASCII character (which the lexer does not classify
/// further; a word it is part of is one token).
pub(crate) fn is_ident_byte(b: u8) -> bool {
    IDENT_BYTES[usize::from(b)]
}

/// [`is_ident_byte`] as a table: the lexer asks it of most bytes.
static IDENT_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        table[b] = byte.is_ascii_alphanumeric() || byte == b'_' || byte >= 0x80;
        b += 1;
    }
    table
};

/// Is `text[start..end]` a word of its own, not part of a longer identifier?
pub(crate) fn is_whole_word(text: &[u8], start: usize, end: usize) -> bool {
    let before = start.checked_sub(1).map(|i| text[i]);
    let after = text.get(end).copied();
    !before.is_some_and(is_ident_byte) && !after.is_some_and(is_ident_byte)
}

/// The end of the run of identifier bytes (a word, a number, a lifetime's
/// name) starting at `from`.
pub(crate) fn word_end(text: &[u8], from: usize) -> usize {
    from + text[from..]
        .iter()
        .take_while(|&&c| is_ident_byte(c))
        .count()
}

/// The end of the line holding `from`: its `\n`, or the end of the text.
pub(crate) fn line_end(text: &[u8], from: usize) -> usize {
    memchr::memchr(b'\n', &text[from..]).map_or(text.len(), |n| from + n)
}

/// The end of a (nesting) block comment starting at `from`.
pub(crate) fn block_comment_end(text: &[u8], from: usize) -> Option<usize> {
    let mut depth = 0;
    let mut i = from;
    while i + 1 < text.len() {
        // Only a `/` or a `*` can open or close a comment.
        i += memchr::memchr2(b'/', b'*', &text[i..text.len() - 1])?;
        match (text[i], text[i + 1]) {
            (b'/', b'*') => {
                depth += 1;
                i += 2;
            }
            (b'*', b'/') => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// The end of a string whose text starts at `from` (after the quote).
pub(crate) fn string_end(text: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i < text.len() {
        i += memchr::memchr2(b'\\', b'"', &text[i..])?;
        match text[i] {
            b'\\' => i += 2,
            _ => return Some(i + 1),
        }
    }
    None
}

/// The end of a raw string whose text starts at `from`, closed by `"` and `hashes` `#`s.
pub(crate) fn raw_string_end(text: &[u8], from: usize, hashes: usize) -> Option<usize> {
    let mut i = from;
    while i < text.len() {
        if text[i] == b'"'
            && text[i + 1..]
                .iter()
                .take(hashes)
                .filter(|&&c| c == b'#')
                .count()
                == hashes
        {
            return Some(i + 1 + hashes);
        }
        i += 1;
    }
    None
}

/// At a `'`: `Some(Some(end))` for a character literal, `Some(None)` for a
/// lifetime or label, `None` for an escape that does not end on its line.
pub(crate) fn char_literal_end(text: &[u8], at: usize) -> Option<Option<usize>> {
    match text.get(at + 1) {
        Some(b'\\') => {
            let close = text[at + 3.min(text.len() - at)..]
                .iter()
                .take_while(|&&c| c != b'\n')
                .position(|&c| c == b'\'')?;
            Some(Some(at + 3 + close + 1))
        }
        Some(&first) => {
            let width = match first {
                0x00..=0x7f => 1,
                0xc0..=0xdf => 2,
                0xe0..=0xef => 3,
                _ => 4,
            };
            Some((text.get(at + 1 + width) == Some(&b'\'')).then_some(at + 2 + width))
        }
        None => Some(None),
    }
}

/// Matches every bracket with its partner; `None` when they do not balance.
fn partners(tokens: &[Token], mut partner: Vec<usize>) -> Option<Vec<usize>> {
    partner.clear();
    partner.resize(tokens.len(), 0);
    let mut open: Vec<usize> = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let Kind::Punct(b) = token.kind else { continue };
        let opener = match b {
            b'(' | b'[' | b'{' => {
                open.push(i);
                continue;
            }
            b')' => b'(',
            b']' => b'[',
            b'}' => b'{',
            _ => continue,
        };
        let j = open.pop()?;
        if tokens[j].kind != Kind::Punct(opener) {
            return None;
        }
        partner[j] = i;
        partner[i] = j;
    }
    open.is_empty().then_some(partner)
}

impl<'t> Lexed<'t> {
    /// The text of token `i` when it is an identifier (not a raw one).
    pub(super) fn word(&self, i: usize) -> Option<&'t [u8]> {
        let token = self.tokens.get(i)?;
        (token.kind == Kind::Ident).then(|| &self.text[token.start..token.end])
    }

    pub(super) fn text_of(&self, i: usize) -> &'t [u8] {
        let token = &self.tokens[i];
        let start = if token.kind == Kind::RawIdent {
            token.start + 2
        } else {
            token.start
        };
        &self.text[start..token.end]
    }

    /// Is byte `at` inside an identifier or punctuation, not in a literal,
    /// a comment or between tokens? A word in a string (`"spawn-req"`) or
    /// a comment keeps nothing.
    pub(super) fn in_code(&self, at: usize) -> bool {
        let i = self.tokens.partition_point(|t| t.end <= at);
        self.tokens
            .get(i)
            .is_some_and(|t| t.start <= at && t.kind != Kind::Literal)
    }

    pub(super) fn is_punct(&self, i: usize, b: u8) -> bool {
        self.tokens.get(i).is_some_and(|t| t.kind == Kind::Punct(b))
    }

    /// Is token `i` one of a `::` pair?
    pub(super) fn in_path_separator(&self, i: usize) -> bool {
        self.is_punct(i, b':')
            && ((i > 0
                && self.is_punct(i - 1, b':')
                && self.tokens[i - 1].end == self.tokens[i].start)
                || (self.is_punct(i + 1, b':') && self.tokens[i].end == self.tokens[i + 1].start))
    }
}
