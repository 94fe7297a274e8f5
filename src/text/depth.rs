//! A guard against input that would overflow the stack: syn's parser, the
//! rule visitors and the syntax tree's `Drop` recurse once per level of
//! nesting, and a stack overflow aborts the process (it cannot be caught).
//!
//! Nesting is not only brackets: generic arguments (`Vec<Vec<..>>`),
//! `fn() -> fn() -> ..` types, prefix operators and keywords (`return`,
//! `||`, `&mut`, `!`), binary operators (`1 + 1 + ..`, a left-nested tree),
//! and call, field, `?` and `else if` chains all nest without one. The guard
//! lexes the file with [`crate::text::lexer`] (by character: a `'é'` is a
//! char literal, `'a` a lifetime) and bounds how deep the tree can be: every
//! open bracket, plus, within each bracket, every token that can nest since
//! the last point where all nesting begun there must have ended (a `;`, a
//! `,` outside generic arguments and closure parameters, a `}` followed by
//! the start of a new statement or item). Past [`MAX_DEPTH`] levels a file
//! is reported instead of parsed; below it, [`with_stack`] runs the parse
//! and the walk on a stack grown to fit the bound.

use crate::text::lexer::{self, Kind};

/// More levels than this (by the bound above), and a file is not parsed.
pub const MAX_DEPTH: usize = 5000;

/// An open bracket costs this many levels: syn goes through more frames for
/// a bracket than for an operator.
const BRACKET: usize = 2;

/// Stack bytes for one level: the most a level took in a release build,
/// over forty constructs, was 6 to 8 KiB (`Vec<Vec<..>>`); twice that.
/// Debug builds have much larger frames.
const LEVEL_BYTES: usize = if cfg!(debug_assertions) {
    64 * 1024
} else {
    16 * 1024
};

/// Stack bytes needed whatever the nesting (the walk's own frames, the rules).
const BASE_BYTES: usize = 4 << 20;

/// The stack parsing, walking and dropping `text`'s syntax tree needs, in
/// bytes: `Err(offset)` where nesting first goes past [`MAX_DEPTH`].
pub fn stack_needed(text: &[u8]) -> Result<usize, usize> {
    Ok(BASE_BYTES + levels(text)? * LEVEL_BYTES)
}

/// [`stack_needed`] of text already lexed.
pub(crate) fn stack_needed_lexed(lexed: &lexer::Lexed<'_>) -> Result<usize, usize> {
    let text = lexed.text;
    let levels = deepest(lexed.tokens.iter().map(|t| event(text, t)))?;
    Ok(BASE_BYTES + levels * LEVEL_BYTES)
}

/// The most levels of [`MAX_DEPTH`]'s bound open at once in `text`.
fn levels(text: &[u8]) -> Result<usize, usize> {
    let levels = match lexer::lex(text) {
        Some(lexed) => deepest(lexed.tokens.iter().map(|t| event(text, t)))?,
        None => match std::str::from_utf8(text)
            .ok()
            .and_then(|s| s.parse::<proc_macro2::TokenStream>().ok())
        {
            // Neither lexer reads it: syn fails before it parses anything.
            None => 0,
            // syn's lexer reads what ours does not: bound its tokens instead.
            Some(tokens) => deepest(tree_events(tokens).into_iter())?,
        },
    };
    Ok(levels)
}

/// Runs `f` with at least `need` bytes of stack: on this thread's stack when
/// enough is left, else on a stack allocated for it (only the pages used
/// take memory).
pub fn with_stack<R>(need: usize, f: impl FnOnce() -> R) -> R {
    match stacker::remaining_stack() {
        Some(left) if left >= need => f(),
        _ => stacker::grow(need, f),
    }
}

/// A token as the bound sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Event<'t> {
    Open(usize),
    Close(usize, u8),
    Word(&'t [u8], usize),
    /// A literal or a raw identifier: something a call can follow.
    Operand(usize),
    Lifetime(usize),
    /// A punctuation character, and whether the next one is joined to it.
    Punct(u8, bool, usize),
}

fn event<'t>(text: &'t [u8], token: &lexer::Token) -> Event<'t> {
    let at = token.start;
    match token.kind {
        Kind::Ident => Event::Word(&text[token.start..token.end], at),
        Kind::RawIdent | Kind::Literal => Event::Operand(at),
        Kind::Lifetime => Event::Lifetime(at),
        Kind::Punct(b'(' | b'[' | b'{') => Event::Open(at),
        Kind::Punct(b @ (b')' | b']' | b'}')) => Event::Close(at, b),
        Kind::Punct(b) => Event::Punct(b, text.get(token.end).is_some_and(|&c| is_punct(c)), at),
    }
}

fn is_punct(b: u8) -> bool {
    b.is_ascii_punctuation() && !matches!(b, b'(' | b')' | b'[' | b']' | b'{' | b'}' | b'"' | b'\'')
}

/// The events of a token tree (syn's own lexer), without recursing: offsets
/// are not known, so they are 0.
fn tree_events(tokens: proc_macro2::TokenStream) -> Vec<Event<'static>> {
    use proc_macro2::{Delimiter, Spacing, TokenTree};
    let mut events = Vec::new();
    let mut stack = vec![(tokens.into_iter(), None)];
    while let Some((iter, _)) = stack.last_mut() {
        let Some(tree) = iter.next() else {
            if let Some((_, Some(close))) = stack.pop() {
                events.push(Event::Close(0, close));
            }
            continue;
        };
        match tree {
            TokenTree::Group(group) => {
                let close = match group.delimiter() {
                    Delimiter::Parenthesis => b')',
                    Delimiter::Bracket => b']',
                    Delimiter::Brace | Delimiter::None => b'}',
                };
                events.push(Event::Open(0));
                stack.push((group.stream().into_iter(), Some(close)));
            }
            // Interned: a keyword is told by its text, any word will do for the rest.
            TokenTree::Ident(ident) => match KEYWORDS.iter().find(|k| ident == *k) {
                Some(keyword) => events.push(Event::Word(keyword.as_bytes(), 0)),
                None => events.push(Event::Word(b"x", 0)),
            },
            TokenTree::Literal(_) => events.push(Event::Operand(0)),
            TokenTree::Punct(punct) if punct.as_char() == '\'' => {
                events.push(Event::Lifetime(0));
                // The lifetime's name follows.
                if let Some((iter, _)) = stack.last_mut() {
                    iter.next();
                }
            }
            TokenTree::Punct(punct) => events.push(Event::Punct(
                punct.as_char() as u8,
                punct.spacing() == Spacing::Joint,
                0,
            )),
        }
    }
    events
}

/// Keywords that can start or continue nesting without a bracket (and the
/// few that tell where nesting ends).
const KEYWORDS: &[&str] = &[
    "return", "break", "yield", "box", "as", "dyn", "impl", "else", "let", "move", "async",
    "await", "if", "match", "while", "for", "in", "static", "const", "unsafe", "become",
];

/// Is `word` one of [`KEYWORDS`]? A `match` on the bytes, not a search of
/// the list: the bound asks it of every word of every file it lexes.
fn is_keyword(word: &[u8]) -> bool {
    matches!(
        word,
        b"return"
            | b"break"
            | b"yield"
            | b"box"
            | b"as"
            | b"dyn"
            | b"impl"
            | b"else"
            | b"let"
            | b"move"
            | b"async"
            | b"await"
            | b"if"
            | b"match"
            | b"while"
            | b"for"
            | b"in"
            | b"static"
            | b"const"
            | b"unsafe"
            | b"become"
    )
}

/// After a `}`, these go on with the expression or pattern before it.
const GOES_ON: &[&[u8]] = &[b"else", b"as", b"in"];

/// One open bracket (or the file).
#[derive(Default)]
struct Level {
    /// Tokens that may still be nesting.
    weight: usize,
    /// `<` not closed by a `>`: a `,` may be inside generic arguments.
    angles: usize,
    /// A `|` was seen: a `,` may be inside closure parameters.
    pipe: bool,
    /// The last token was a `}` closing a bracket of this level.
    after_brace: bool,
    /// The last token can be called or indexed: a bracket after it nests.
    callable: bool,
}

/// The most levels open at once, or `Err(offset)` where they first exceed
/// [`MAX_DEPTH`].
fn deepest<'t>(events: impl Iterator<Item = Event<'t>>) -> Result<usize, usize> {
    let mut levels = vec![Level::default()];
    let mut total = 0usize;
    let mut most = 0usize;
    let mut events = events.peekable();
    while let Some(event) = events.next() {
        let at = match event {
            Event::Open(at)
            | Event::Close(at, _)
            | Event::Word(_, at)
            | Event::Operand(at)
            | Event::Lifetime(at)
            | Event::Punct(_, _, at) => at,
        };
        let level = levels.last_mut().expect("the file's level is never closed");
        if std::mem::take(&mut level.after_brace) {
            // A new statement or item starts: what the `}` ended is done.
            let new_start = match event {
                Event::Word(word, _) => !GOES_ON.contains(&word),
                Event::Operand(_) | Event::Lifetime(_) | Event::Punct(b'#', _, _) => true,
                _ => false,
            };
            if new_start {
                total -= std::mem::take(&mut level.weight);
                level.angles = 0;
                level.pipe = false;
            }
        }
        let mut nests = false;
        let mut callable = false;
        match event {
            Event::Open(_) => {
                // A call or an index (`f()()`, `a[0][0]`) nests in the one before.
                if std::mem::take(&mut level.callable) {
                    level.weight += 1;
                    total += 1;
                }
                levels.push(Level::default());
                total += BRACKET;
                nests = true;
            }
            Event::Close(_, close) => {
                // Unbalanced input: syn's lexer rejects it before parsing.
                if levels.len() > 1 {
                    let closed = levels.pop().expect("more than one level");
                    total -= closed.weight + BRACKET;
                }
                let level = levels.last_mut().expect("the file's level is never closed");
                level.after_brace = close == b'}';
                level.callable = true;
                continue;
            }
            Event::Word(word, _) => {
                callable = true;
                nests = is_keyword(word);
            }
            Event::Operand(_) => callable = true,
            Event::Lifetime(_) => {}
            Event::Punct(b';', _, _) => {
                total -= std::mem::take(&mut level.weight);
                level.angles = 0;
                level.pipe = false;
            }
            Event::Punct(b',', _, _) => {
                if level.angles == 0 && !level.pipe {
                    total -= std::mem::take(&mut level.weight);
                }
            }
            Event::Punct(b':' | b'#', _, _) => {}
            Event::Punct(b'=', true, _)
                if matches!(events.peek(), Some(Event::Punct(b'>', ..))) =>
            {
                // `=>`: a match arm's pattern (or-patterns' `|`, a guard's `<`) ends.
                events.next();
                level.angles = 0;
                level.pipe = false;
            }
            Event::Punct(b'-', true, _)
                if matches!(events.peek(), Some(Event::Punct(b'>', ..))) =>
            {
                // `->`: not a closing `>`.
                events.next();
                nests = true;
            }
            Event::Punct(b'>', _, _) if level.angles > 0 => {
                // Closes generic arguments.
                level.angles -= 1;
                callable = true;
            }
            Event::Punct(b, _, _) => {
                match b {
                    b'<' => level.angles += 1,
                    b'|' => level.pipe = true,
                    _ => {}
                }
                nests = true;
            }
        }
        let level = levels.last_mut().expect("the file's level is never closed");
        if !matches!(event, Event::Open(_)) {
            level.callable = callable;
            if nests {
                level.weight += 1;
                total += 1;
            }
        }
        if nests {
            if total > MAX_DEPTH {
                return Err(at);
            }
            most = most.max(total);
        }
    }
    Ok(most)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn levels(text: &str) -> Result<usize, usize> {
        let lexed = lexer::lex(text.as_bytes()).expect("lexes");
        deepest(lexed.tokens.iter().map(|t| event(text.as_bytes(), t)))
    }

    #[test]
    fn the_keyword_match_is_the_keyword_list() {
        for keyword in KEYWORDS {
            assert!(is_keyword(keyword.as_bytes()), "{keyword}");
        }
        for word in ["x", "returns", "i", "matches", "Self", "fn", ""] {
            assert!(!is_keyword(word.as_bytes()), "{word}");
        }
    }

    #[test]
    fn ordinary_code_is_shallow() {
        let code = "fn f() { let s = \"((((\"; let c = '('; let r = r#\"{{{{\"#; // ((((\n g(&&x, !!y, -1) }";
        assert!(levels(code).unwrap() < 20);
        assert!(stack_needed(code.as_bytes()).is_ok());
    }

    #[test]
    fn deep_brackets_and_prefix_runs_are_found() {
        let deep = format!(
            "fn f() {{ {}{} }}",
            "(".repeat(MAX_DEPTH),
            ")".repeat(MAX_DEPTH)
        );
        assert!(levels(&deep).is_err());
        let bangs = format!("fn f() {{ {}x }}", "!".repeat(MAX_DEPTH + 1));
        assert!(levels(&bangs).is_err());
    }

    #[test]
    fn nesting_without_brackets_is_found() {
        let n = MAX_DEPTH + 1;
        for deep in [
            format!("type T = {}u8{};", "Vec<".repeat(n), ">".repeat(n)),
            format!("type T = {}u8;", "fn() -> ".repeat(n)),
            format!("fn f() {{ let x = {}1; }}", "return ".repeat(n)),
            format!("fn f() {{ let x = {}1; }}", "|| ".repeat(n)),
            format!("fn f() {{ {}1; }}", "a = ".repeat(n)),
            format!("fn f() {{ let x = {}1; }}", "1 + ".repeat(n)),
            format!("fn f() {{ let x = a{}; }}", ".b()".repeat(n)),
            format!("fn f() {{ let x = f{}; }}", "()".repeat(n)),
            format!("fn f() {{ if a {{}}{} }}", " else if a {}".repeat(n)),
            format!("fn f() {{ for a in {} x {{}} }}", "for S {a} in ".repeat(n)),
            format!("fn f() {{ g({}1) }}", "|a, b| ".repeat(n)),
            format!("type T = {}u8{};", "Vec<u8, ".repeat(n), ">".repeat(n)),
        ] {
            assert!(levels(&deep).is_err(), "{}", &deep[..60]);
        }
    }

    #[test]
    fn long_flat_code_is_not_deep() {
        let n = MAX_DEPTH * 2;
        for flat in [
            format!("const T: &[(u8, char)] = &[{}];", "(1, 'é'), ".repeat(n)),
            format!(
                "fn f() {{ {} }}",
                "if matches!(c, 'é' | '(') { return; }\n".repeat(n)
            ),
            format!(
                "fn f() {{ {} }}",
                "let x: Vec<u8> = a.b().c()?;\n".repeat(n)
            ),
            format!(
                "fn f() {{ match x {{ {} }} }}",
                "A | B => f(a < b), ".repeat(n)
            ),
            "struct S { a: u8 }\nimpl S { fn f(&self) -> u8 { 1 } }\n".repeat(n),
        ] {
            assert!(levels(&flat).unwrap() < 20, "{}", &flat[..60]);
        }
    }

    #[test]
    fn char_literals_are_read_by_character() {
        // `'é'` is a char literal: the `)` in `')'` does not close a bracket.
        let bypass = format!(
            "fn f() {{ let x = {}1{}; }}",
            "f('é',')',".repeat(MAX_DEPTH),
            ")".repeat(MAX_DEPTH)
        );
        assert!(levels(&bypass).is_err());
        assert!(
            levels("fn f<'a>(x: &'a u8) -> char { let _ = ('\\u{1F600}', '\\'', b'('); 'é' }")
                .unwrap()
                < 20
        );
    }

    #[test]
    fn syns_lexer_is_the_fallback() {
        // Not ours to lex (an unbalanced bracket): syn fails before parsing.
        assert!(stack_needed(b"fn f() { (").is_ok());
        let events = tree_events(
            format!("fn f() {{ {}1; }}", "return ".repeat(MAX_DEPTH + 1))
                .parse()
                .unwrap(),
        );
        assert!(deepest(events.into_iter()).is_err());
    }
}
