//! Code quoted in a message: the source text of a span as written, on one
//! line, and cut short at a token boundary.
//!
//! A line break between two tokens becomes a space only where the code would
//! have one on a single line: `self\n    .pool\n    .spawn(..)` reads
//! `self.pool.spawn(..)`, not `self .pool .spawn(..)`. Spaces within a line
//! are kept (a run of them folded to one), comments are dropped, and a
//! trailing comma before a closing bracket on the next line goes, as
//! rustfmt writes it on one line.

use super::lexer;

/// The ellipsis that ends a cut quote.
pub const ELLIPSIS: char = '…';

/// `text` (the source of a span) on one line, at most `max` characters long;
/// a longer one is cut after the last token that fits and ends in `…`.
pub fn one_line(text: &str, max: usize) -> String {
    let tokens = tokens(text.as_bytes());
    let mut out = String::new();
    let mut chars = 0;
    // The tokens' ends in `out`, in bytes and characters, for the cut.
    let mut ends: Vec<(usize, usize)> = Vec::with_capacity(tokens.len());
    for (index, token) in tokens.iter().enumerate() {
        let next = tokens.get(index + 1);
        if token.is_punct(b',') && next.is_some_and(|n| n.after_newline && n.is_closing()) {
            continue;
        }
        if index > 0 && wants_space(&tokens[index - 1], token) && !out.is_empty() {
            out.push(' ');
            chars += 1;
        }
        let written = &text[token.start..token.end];
        if written.contains('\n') {
            // A literal spanning lines: its line breaks folded like the rest.
            let folded = written.split_whitespace().collect::<Vec<_>>().join(" ");
            chars += folded.chars().count();
            out.push_str(&folded);
        } else {
            chars += written.chars().count();
            out.push_str(written);
        }
        ends.push((out.len(), chars));
    }
    if chars <= max {
        return out;
    }
    let fits = ends
        .iter()
        .rev()
        .find(|(_, end_chars)| *end_chars < max)
        .map(|&(end, _)| end);
    let mut cut = match fits {
        Some(end) => out[..end].to_string(),
        // Not even the first token fits: cut inside it.
        None => out.chars().take(max.saturating_sub(1)).collect(),
    };
    cut.push(ELLIPSIS);
    cut
}

#[derive(Debug)]
struct Token {
    start: usize,
    end: usize,
    /// Whitespace (or a comment) stands between it and the token before.
    spaced: bool,
    /// That whitespace holds a line break.
    after_newline: bool,
    first: u8,
}

impl Token {
    fn is_punct(&self, b: u8) -> bool {
        self.end - self.start == 1 && self.first == b
    }

    fn is_closing(&self) -> bool {
        self.is_punct(b')') || self.is_punct(b']') || self.is_punct(b'}')
    }

    fn is_opening(&self) -> bool {
        self.is_punct(b'(') || self.is_punct(b'[')
    }
}

/// Does a space go between `before` and `token` on one line?
fn wants_space(before: &Token, token: &Token) -> bool {
    if !token.spaced {
        return false;
    }
    if !token.after_newline {
        return true;
    }
    // A line break where one line has no space: before `.`, `?`, `,`, `;`,
    // `)` and `]`, and after `(`, `[` and `.`.
    let tight_before = matches!(token.first, b'.' | b'?' | b',' | b';')
        || token.is_punct(b')')
        || token.is_punct(b']');
    let tight_after = before.is_opening() || before.is_punct(b'.');
    !(tight_before || tight_after)
}

/// Identifiers, literals, lifetimes and single punctuation characters, with
/// what stands between them. Comments count as whitespace.
fn tokens(text: &[u8]) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut i = 0;
    let mut spaced = false;
    let mut newline = false;
    while i < text.len() {
        let c = text[i];
        let next = text.get(i + 1).copied();
        let end = match c {
            b' ' | b'\t' | b'\r' | b'\n' => {
                spaced = true;
                newline |= c == b'\n';
                i += 1;
                continue;
            }
            b'/' if next == Some(b'/') => {
                spaced = true;
                i = lexer::line_end(text, i);
                continue;
            }
            b'/' if next == Some(b'*') => {
                spaced = true;
                let end = lexer::block_comment_end(text, i).unwrap_or(text.len());
                newline |= text[i..end].contains(&b'\n');
                i = end;
                continue;
            }
            b'"' => lexer::string_end(text, i + 1).unwrap_or(text.len()),
            b'\'' => match lexer::char_literal_end(text, i) {
                Some(Some(end)) => end,
                // A lifetime or label: the quote and its name.
                _ => lexer::word_end(text, i + 1).max(i + 1),
            },
            c if lexer::is_ident_byte(c) => {
                let end = lexer::word_end(text, i);
                let hashes = text[end..].iter().take_while(|&&c| c == b'#').count();
                let prefix = &text[i..end];
                if matches!(prefix, b"r" | b"br" | b"cr") && text.get(end + hashes) == Some(&b'"') {
                    lexer::raw_string_end(text, end + hashes + 1, hashes).unwrap_or(text.len())
                } else if matches!(prefix, b"b" | b"c") && text.get(end) == Some(&b'"') {
                    lexer::string_end(text, end + 1).unwrap_or(text.len())
                } else if prefix == b"b" && text.get(end) == Some(&b'\'') {
                    match lexer::char_literal_end(text, end) {
                        Some(Some(close)) => close,
                        _ => end,
                    }
                } else {
                    end
                }
            }
            _ => i + 1,
        };
        tokens.push(Token {
            start: i,
            end: end.min(text.len()),
            spaced,
            after_newline: newline,
            first: c,
        });
        spaced = false;
        newline = false;
        i = end.max(i + 1);
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_fold_as_one_line_would_read() {
        let text = "self\n        .pool\n        .spawn_blocking(move || {\n            Self::update_certs(\n                a,\n                b,\n            )\n        })";
        assert_eq!(
            one_line(text, 200),
            "self.pool.spawn_blocking(move || { Self::update_certs(a, b) })"
        );
    }

    #[test]
    fn spaces_within_a_line_stay_as_written() {
        assert_eq!(one_line("a  +   b", 60), "a + b");
        assert_eq!(one_line("f(a,b)", 60), "f(a,b)");
        assert_eq!(one_line("x?\n    .await", 60), "x?.await");
    }

    #[test]
    fn comments_are_dropped() {
        assert_eq!(
            one_line("tokio::spawn( // why\n    run(), /* later */\n)", 60),
            "tokio::spawn(run())"
        );
    }

    #[test]
    fn long_text_is_cut_at_a_token_boundary() {
        let text = "self.pool.spawn_blocking(move || { Self::update_certs(first_argument, second_argument) })";
        let cut = one_line(text, 60);
        assert_eq!(
            cut,
            "self.pool.spawn_blocking(move || { Self::update_certs(…"
        );
        assert!(cut.chars().count() <= 60);
        assert_eq!(
            one_line(&"x".repeat(100), 10),
            format!("{}…", "x".repeat(9))
        );
    }

    #[test]
    fn literals_are_whole_tokens() {
        assert_eq!(
            one_line("Command::new(\"a  b // c\")\n    .arg('x')", 60),
            "Command::new(\"a  b // c\").arg('x')"
        );
        assert_eq!(
            one_line("f(r#\"a\"#, b'c', 'a)", 60),
            "f(r#\"a\"#, b'c', 'a)"
        );
        let cut = one_line("f(\"é é é é é é é é é é\", x)", 12);
        assert_eq!(cut, "f(…");
    }

    #[test]
    fn any_text_is_safe() {
        for text in [
            "\"unterminated",
            "/* open",
            "'",
            "r#\"",
            "é\n.",
            "",
            "b'",
            "\u{202e}",
        ] {
            let _ = one_line(text, 3);
        }
    }
}
