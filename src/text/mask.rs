//! Masking: before a file is parsed, the function bodies no rule can report
//! on are blanked, and doc comments become plain comments.
//!
//! The prefilter decides per file, but most of a file that passes it is code
//! no rule looks at: functions that never mention a trigger word. Parsing and
//! walking them was most of a run's time. A body is kept when it, or its
//! signature, mentions a trigger word, a rule's body word (`abort`), a
//! handle field of its crate, or a *hot name*: a field, static or tuple
//! field whose type mentions a trigger word (`task: JoinHandle<()>` makes
//! every body that says `task` kept). A body is also kept when its function
//! is called inside the arguments of a trigger word (`tokio::spawn(run(rx))`
//! keeps `run`, which a rule reads as the task's body). Items no rule reads
//! (`macro_rules!`, `extern` blocks, consts and types that name no trigger
//! word and no kind type, `use` items no name resolution needs) are blanked
//! too.
//!
//! A blanked stretch keeps its line breaks, and its last line (the only one
//! that can hold kept text after it) a space per character, so each kept
//! token has the line and column it has in the file. Lexing is a
//! cheap byte scan; anything it cannot follow (an unterminated string, an
//! unbalanced bracket) leaves the file unmasked.

use std::collections::HashSet;

use aho_corasick::{AhoCorasick, MatchKind};

use crate::base::fasthash::FastSet;

/// Finds the words that keep a body.
#[derive(Debug, Clone)]
pub struct Masker {
    words: AhoCorasick,
    /// The patterns of `words`, in order.
    word_list: Vec<String>,
    /// Whole words that keep a `use` item: what name resolution can turn
    /// into a path a rule knows (see [`crate::semantic::resolve`]), kind types
    /// included.
    names: AhoCorasick,
    /// Per pattern of `names`: is it a kind type, which keeps any item?
    is_kind: Vec<bool>,
    imports: KnownImports,
}

/// What makes a `use` matter to name resolution (see [`crate::semantic::resolve`]).
#[derive(Debug, Clone)]
struct KnownImports {
    /// The paths the rules know (`tokio::task::spawn`), the known glob
    /// modules and the configured paths, by segment.
    paths: Vec<Vec<String>>,
    /// Names that, imported, could shadow or begin such a path: the known
    /// crates and every segment of those paths.
    names: FastSet<String>,
}

impl KnownImports {
    /// Does importing `path` (by segment) as `name` matter: is the path a
    /// prefix of a known path, or the name one a known path could use?
    fn matters(&self, path: &[&[u8]], name: &[u8]) -> bool {
        let named = std::str::from_utf8(name).is_ok_and(|name| self.names.contains(name));
        named
            || self.paths.iter().any(|known| {
                known.len() >= path.len() && known.iter().zip(path).all(|(k, p)| k.as_bytes() == *p)
            })
    }
}

/// A file with its unneeded bodies blanked.
#[derive(Debug)]
pub struct Masked {
    pub text: String,
    /// The byte ranges of the functions blanked.
    blanked_fns: Vec<(usize, usize)>,
}

impl Masker {
    /// `words`: the enabled rules' trigger words and body words.
    /// `configured`: the paths of configured spawners and signals, which
    /// keep the `use` items that spell them.
    pub fn new(words: &[&str], configured: &[&str]) -> Option<Masker> {
        fn automaton(mut words: Vec<&str>) -> Option<AhoCorasick> {
            words.sort_unstable();
            words.dedup();
            AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostFirst)
                .build(&words)
                .ok()
        }
        // Types whose fields and statics give a receiver its kind: a struct,
        // alias or macro that names one is kept.
        let kinds: Vec<&str> = crate::knowledge::spawner::kind_type_names().collect();
        let mut names: Vec<&str> = configured.iter().flat_map(|p| p.split("::")).collect();
        for word in kinds
            .iter()
            .copied()
            .chain(crate::knowledge::crates::import_words())
        {
            names.push(word);
        }
        let mut paths: Vec<&str> = configured.to_vec();
        for path in
            crate::knowledge::spawner::known_paths().chain(crate::knowledge::crates::glob_modules())
        {
            paths.push(path);
        }
        let imports = KnownImports {
            paths: paths
                .iter()
                .map(|path| path.split("::").map(str::to_string).collect())
                .collect(),
            names: names.iter().map(|name| name.to_string()).collect(),
        };
        names.sort_unstable();
        names.dedup();
        let mut word_list = words.to_vec();
        word_list.sort_unstable();
        word_list.dedup();
        Some(Masker {
            words: automaton(word_list.clone())?,
            word_list: word_list.iter().map(|w| w.to_string()).collect(),
            // Longest first: only the longest word at a place can be whole.
            names: AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .build(&names)
                .ok()?,
            is_kind: names.iter().map(|name| kinds.contains(name)).collect(),
            imports,
        })
    }

    /// The masked file, or `None` when masking would blank nothing or the
    /// lexer cannot follow the file.
    pub fn mask(&self, source: &str, crate_fields: &CrateFields) -> Option<Masked> {
        let lexed = lex(source.as_bytes())?;
        let fns = find_fns(&lexed);
        let matches = self.words.find_iter(source).map(|m| m.start()).collect();
        self.mask_lexed(source, &lexed, &fns, matches, crate_fields)
    }

    /// [`Masker::mask`] with no crate fields known yet, and the handle
    /// fields this file declares ([`FieldFinder::names`]), from one lexing.
    pub fn mask_and_find(
        &self,
        source: &str,
        finder: Option<&FieldFinder>,
    ) -> (Option<Masked>, Vec<String>) {
        let Some(lexed) = lex(source.as_bytes()) else {
            return (None, Vec::new());
        };
        let fns = find_fns(&lexed);
        // One search for both: the field words are trigger words too.
        let found: Vec<aho_corasick::Match> = self.words.find_iter(source).collect();
        let fields = finder.map_or_else(Vec::new, |finder| {
            let text = source.as_bytes();
            let matches = found
                .iter()
                .filter(|m| {
                    finder.counts(
                        &self.word_list[m.pattern().as_usize()],
                        text,
                        m.start(),
                        m.end(),
                    )
                })
                .map(|m| m.start())
                .collect();
            finder.names_from(&lexed, &fns, matches)
        });
        let matches = found.iter().map(|m| m.start()).collect();
        let masked = self.mask_lexed(source, &lexed, &fns, matches, &CrateFields::default());
        (masked, fields)
    }

    /// `matches`: where the trigger and body words start, in order.
    fn mask_lexed(
        &self,
        source: &str,
        lexed: &Lexed<'_>,
        fns: &[FnItem],
        matches: Vec<usize>,
        crate_fields: &CrateFields,
    ) -> Option<Masked> {
        let text = source.as_bytes();
        let in_code = |at: &usize| lexed.in_code(*at);
        let matches: Vec<usize> = matches.into_iter().filter(in_code).collect();
        let keep = decide(lexed, fns, &matches, crate_fields);
        let (kept, blanked): (Vec<_>, Vec<_>) = fns.iter().zip(&keep).partition(|(_, keep)| **keep);
        let kept: Vec<usize> = kept.iter().map(|(f, _)| f.first).collect();
        let mut blanked: Vec<(usize, usize)> =
            blanked.iter().map(|(f, _)| (f.first, f.close)).collect();
        let tokens = &lexed.tokens;
        let blanked_fns = blanked
            .iter()
            .map(|&(first, close)| (tokens[first].start, tokens[close].end))
            .collect();
        let mut kinds = matches;
        let whole_words = self.names.find_iter(text);
        for m in whole_words.filter(|m| is_whole_word(text, m.start(), m.end())) {
            if self.is_kind[m.pattern().as_usize()] && in_code(&m.start()) {
                kinds.push(m.start());
            }
        }
        kinds.sort_unstable();
        let mentions = Mentions {
            kept: &kept,
            kinds: &kinds,
            imports: &self.imports,
        };
        blanked.extend(idle_items(lexed, fns, &mentions));
        if blanked.is_empty() && lexed.docs.is_empty() {
            return None;
        }
        Some(Masked {
            text: blank(source, lexed, blanked),
            blanked_fns,
        })
    }
}

impl Masked {
    /// Does a function this masking blanked name one of `fields`? Then the
    /// file is masked again with them (a plain word match: a name in a
    /// string also counts, which only costs that second masking).
    pub fn blanks_any(&self, source: &str, fields: &CrateFields) -> bool {
        let Some(words) = &fields.words else {
            return false;
        };
        let text = source.as_bytes();
        self.blanked_fns.iter().any(|&(from, to)| {
            words
                .find_iter(&text[from..to])
                .any(|m| is_whole_word(text, from + m.start(), from + m.end()))
        })
    }
}

/// The handle fields declared across one crate (see [`FieldFinder`]).
#[derive(Debug, Default)]
pub struct CrateFields {
    names: HashSet<String>,
    /// The names as words to search for; tuple positions (`0`) are never
    /// identifiers, so they never keep a body.
    words: Option<AhoCorasick>,
}

impl CrateFields {
    pub fn new(names: HashSet<String>) -> CrateFields {
        let identifiers: Vec<&String> = names
            .iter()
            .filter(|n| !n.starts_with(|c: char| c.is_ascii_digit()))
            .collect();
        let words = if identifiers.is_empty() {
            None
        } else {
            AhoCorasick::new(identifiers).ok()
        };
        CrateFields { names, words }
    }

    fn contains(&self, name: &[u8]) -> bool {
        std::str::from_utf8(name).is_ok_and(|name| self.names.contains(name))
    }
}

/// Finds the struct fields a file declares with a type that mentions one
/// of its words: a body in another file of the crate that names one of them
/// is kept, so the crate pass sees every use of a handle field.
#[derive(Debug, Clone)]
pub struct FieldFinder {
    words: AhoCorasick,
    names: Vec<String>,
    /// Per word: may it end inside a longer word (`process::`)?
    open_ended: Vec<bool>,
}

impl FieldFinder {
    pub fn new(words: &[&str]) -> Option<FieldFinder> {
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostFirst)
            .build(words)
            .ok()?;
        Some(FieldFinder {
            words: automaton,
            names: words.iter().map(|w| w.to_string()).collect(),
            open_ended: words.iter().map(|w| w.ends_with("::")).collect(),
        })
    }

    /// The field names, sorted.
    pub fn names(&self, source: &str) -> Vec<String> {
        let Some(lexed) = lex(source.as_bytes()) else {
            return Vec::new();
        };
        let fns = find_fns(&lexed);
        self.names_lexed(&lexed, &fns)
    }

    fn names_lexed(&self, lexed: &Lexed<'_>, fns: &[FnItem]) -> Vec<String> {
        let text = lexed.text;
        let matches: Vec<usize> = self
            .words
            .find_iter(text)
            .filter(|m| {
                self.open_ended[m.pattern().as_usize()] || is_whole_word(text, m.start(), m.end())
            })
            .map(|m| m.start())
            .collect();
        self.names_from(lexed, fns, matches)
    }

    /// Does a match of `word` at `start..end` count: is it one of the
    /// finder's words, and whole unless it may run on (`process::`)?
    fn counts(&self, word: &str, text: &[u8], start: usize, end: usize) -> bool {
        self.names
            .iter()
            .position(|name| name == word)
            .is_some_and(|i| self.open_ended[i] || is_whole_word(text, start, end))
    }

    /// The field names, from where the finder's words occur.
    fn names_from(
        &self,
        lexed: &Lexed<'_>,
        fns: &[FnItem],
        mut matches: Vec<usize>,
    ) -> Vec<String> {
        if matches.is_empty() {
            return Vec::new();
        }
        matches.sort_unstable();
        let has_match = |from: usize, to: usize| any_in(&matches, from, to);
        let (_, fields) = hot_names(lexed, fns, &has_match);
        let mut names: Vec<String> = fields
            .into_iter()
            .map(|name| String::from_utf8_lossy(name).into_owned())
            .collect();
        names.sort_unstable();
        names
    }
}

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
    text: &'t [u8],
    pub(crate) tokens: Vec<Token>,
    /// For each opening delimiter, the index of its closing one (else 0).
    partner: Vec<usize>,
    /// Byte offsets of the character that makes a comment a doc comment
    /// (the third `/` of `///`, the `!` of `//!`, the second `*` of `/**`).
    docs: Vec<usize>,
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
                i += 1;
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
            _ if is_word_byte(b) => {
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
                    && text.get(i + 1).is_some_and(|&c| is_word_byte(c))
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

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// Is `text[start..end]` a word of its own, not part of a longer identifier?
fn is_whole_word(text: &[u8], start: usize, end: usize) -> bool {
    let before = start.checked_sub(1).map(|i| text[i]);
    let after = text.get(end).copied();
    !before.is_some_and(is_word_byte) && !after.is_some_and(is_word_byte)
}

/// Does the sorted list of offsets hold one in `from..to`?
fn any_in(sorted: &[usize], from: usize, to: usize) -> bool {
    let i = sorted.partition_point(|&at| at < from);
    sorted.get(i).is_some_and(|&at| at < to)
}

pub(crate) fn word_end(text: &[u8], from: usize) -> usize {
    from + text[from..]
        .iter()
        .take_while(|&&c| is_word_byte(c))
        .count()
}

/// The end of the line holding `from`: its `\n`, or the end of the text.
pub(crate) fn line_end(text: &[u8], from: usize) -> usize {
    text[from..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(text.len(), |n| from + n)
}

/// The end of a (nesting) block comment starting at `from`.
pub(crate) fn block_comment_end(text: &[u8], from: usize) -> Option<usize> {
    let mut depth = 0;
    let mut i = from;
    while i + 1 < text.len() {
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
        match text[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
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

/// A function with a body, outside any other function's body.
#[derive(Debug)]
struct FnItem {
    /// Token indices: the item's first token (its attributes and
    /// qualifiers), the `fn` keyword, its name, the body's braces.
    first: usize,
    keyword: usize,
    name: usize,
    open: usize,
    close: usize,
}

fn find_fns(lexed: &Lexed) -> Vec<FnItem> {
    let tokens = &lexed.tokens;
    let mut fns = Vec::new();
    let mut k = 0;
    while k + 1 < tokens.len() {
        let is_fn = lexed.word(k) == Some(b"fn".as_slice())
            && matches!(tokens[k + 1].kind, Kind::Ident | Kind::RawIdent);
        if !is_fn {
            k += 1;
            continue;
        }
        let mut j = k + 2;
        let mut body = None;
        while j < tokens.len() {
            match tokens[j].kind {
                Kind::Punct(b'(' | b'[') => j = lexed.partner[j] + 1,
                Kind::Punct(b'{') => {
                    body = Some(j);
                    break;
                }
                Kind::Punct(b';' | b')' | b']' | b'}') => break,
                _ => j += 1,
            }
        }
        match body {
            Some(open) => {
                let close = lexed.partner[open];
                fns.push(FnItem {
                    first: item_start(lexed, k),
                    keyword: k,
                    name: k + 1,
                    open,
                    close,
                });
                k = close + 1;
            }
            None => k = j.max(k + 1),
        }
    }
    fns
}

/// The first token of the function whose `fn` is token `keyword`: back
/// over `pub(crate)`, `async`, `unsafe`, `extern "C"` and attributes.
fn item_start(lexed: &Lexed<'_>, keyword: usize) -> usize {
    let mut i = keyword;
    while i > 0 {
        let prev = i - 1;
        let is_qualifier = matches!(
            lexed.word(prev),
            Some(b"pub" | b"const" | b"async" | b"unsafe" | b"extern" | b"default" | b"safe")
        );
        i = match lexed.tokens[prev].kind {
            _ if is_qualifier => prev,
            Kind::Literal if prev > 0 && lexed.word(prev - 1) == Some(b"extern".as_slice()) => prev,
            Kind::Punct(b')')
                if lexed.partner[prev] > 0
                    && lexed.word(lexed.partner[prev] - 1) == Some(b"pub".as_slice()) =>
            {
                lexed.partner[prev] - 1
            }
            Kind::Punct(b']')
                if lexed.partner[prev] > 0 && lexed.is_punct(lexed.partner[prev] - 1, b'#') =>
            {
                lexed.partner[prev] - 1
            }
            _ => break,
        };
    }
    i
}

impl<'t> Lexed<'t> {
    /// The text of token `i` when it is an identifier (not a raw one).
    fn word(&self, i: usize) -> Option<&'t [u8]> {
        let token = self.tokens.get(i)?;
        (token.kind == Kind::Ident).then(|| &self.text[token.start..token.end])
    }

    fn text_of(&self, i: usize) -> &'t [u8] {
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
    fn in_code(&self, at: usize) -> bool {
        let i = self.tokens.partition_point(|t| t.end <= at);
        self.tokens
            .get(i)
            .is_some_and(|t| t.start <= at && t.kind != Kind::Literal)
    }

    fn is_punct(&self, i: usize, b: u8) -> bool {
        self.tokens.get(i).is_some_and(|t| t.kind == Kind::Punct(b))
    }

    /// Is token `i` one of a `::` pair?
    fn in_path_separator(&self, i: usize) -> bool {
        self.is_punct(i, b':')
            && ((i > 0
                && self.is_punct(i - 1, b':')
                && self.tokens[i - 1].end == self.tokens[i].start)
                || (self.is_punct(i + 1, b':') && self.tokens[i].end == self.tokens[i + 1].start))
    }
}

/// What keeps an item from [`idle_items`], all sorted.
struct Mentions<'m> {
    /// First tokens of the kept functions.
    kept: &'m [usize],
    /// Byte offsets of trigger and kind words.
    kinds: &'m [usize],
    imports: &'m KnownImports,
}

/// How [`idle_items`] judges an item.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Idle {
    /// Blanked whatever it mentions (`macro_rules!`, `extern` blocks).
    Always,
    /// Kept if it mentions a trigger or kind word or holds a kept function.
    UnlessKind,
    /// A `use`: kept if it mentions a trigger or kind word, renames, globs
    /// or imports a path that matters ([`KnownImports::matters`]).
    UnlessImport,
}

/// Items outside function bodies that no rule reads, as inclusive token
/// ranges: `macro_rules!` definitions and `extern` blocks always; consts,
/// statics, type aliases, structs, enums, traits, impls and macro calls
/// when they mention no trigger or kind word and hold no kept function;
/// `use` items that import nothing name resolution could make a known path
/// of, and no glob (`use super::*` passes a module's imports on).
fn idle_items(lexed: &Lexed<'_>, fns: &[FnItem], mentions: &Mentions<'_>) -> Vec<(usize, usize)> {
    let tokens = &lexed.tokens;
    let is_idle = |first: usize, last: usize, idle: Idle| {
        let (from, to) = (tokens[first].start, tokens[last].end);
        match idle {
            Idle::Always => true,
            Idle::UnlessKind => {
                !any_in(mentions.kept, first, last + 1) && !any_in(mentions.kinds, from, to)
            }
            Idle::UnlessImport => {
                !any_in(mentions.kinds, from, to)
                    && import_paths(lexed, first, last).is_some_and(|imports| {
                        !imports
                            .iter()
                            .any(|(path, name)| mentions.imports.matters(path, name))
                    })
            }
        }
    };
    let mut idle = Vec::new();
    let mut fns = fns.iter().peekable();
    let mut i = 0;
    while i < tokens.len() {
        while fns.peek().is_some_and(|f| f.close < i) {
            fns.next();
        }
        if let Some(f) = fns.peek() {
            if i >= f.first {
                i = f.close + 1;
                continue;
            }
        }
        let Some((last, judged)) = item_at(lexed, i) else {
            i += 1;
            continue;
        };
        let first = item_start(lexed, i);
        let at_item_level = first == 0
            || matches!(tokens[first - 1].kind, Kind::Punct(b';' | b'{' | b'}'))
            || (lexed.is_punct(first - 1, b']') && {
                let open = lexed.partner[first - 1];
                open >= 2 && lexed.is_punct(open - 1, b'!') && lexed.is_punct(open - 2, b'#')
            });
        if at_item_level && is_idle(first, last, judged) {
            idle.push((first, last));
            i = last + 1;
        } else {
            i += 1;
        }
    }
    idle
}

/// What a `use` item (tokens `first..=last`) imports: each path by
/// segment (a trailing `self` dropped) and the name it is imported as.
/// `use a::{b, c::{self, d as e}};` imports `a::b` as `b`, `a::c` as `c`
/// and `a::c::d` as `e`. `None` for a glob, or anything else this does not
/// follow, which keeps the item.
fn import_paths<'t>(lexed: &Lexed<'t>, first: usize, last: usize) -> Option<Vec<Import<'t>>> {
    let start = (first..=last).find(|&i| lexed.word(i) == Some(b"use".as_slice()))? + 1;
    let mut imports = Vec::new();
    let mut path: Vec<&[u8]> = Vec::new();
    // The path length at each open brace.
    let mut groups: Vec<usize> = Vec::new();
    let mut pending = false;
    let mut alias: Option<&[u8]> = None;
    let mut finish = |path: &Vec<&'t [u8]>, pending: &mut bool, alias: &mut Option<&'t [u8]>| {
        if std::mem::take(pending) {
            let mut done = path.clone();
            if done.last() == Some(&b"self".as_slice()) {
                done.pop();
            }
            let name = alias.take().or(done.last().copied()).unwrap_or_default();
            imports.push((done, name));
        }
    };
    let mut i = start;
    while i <= last {
        match lexed.tokens[i].kind {
            Kind::Ident if lexed.word(i) == Some(b"as".as_slice()) => {
                if i + 1 > last {
                    return None;
                }
                alias = Some(lexed.text_of(i + 1));
                i += 1;
            }
            Kind::Ident | Kind::RawIdent => {
                path.push(lexed.text_of(i));
                pending = true;
            }
            Kind::Punct(b':') => {}
            Kind::Punct(b'{') => groups.push(path.len()),
            Kind::Punct(b',') => {
                finish(&path, &mut pending, &mut alias);
                path.truncate(groups.last().copied().unwrap_or(0));
            }
            Kind::Punct(b'}') => {
                finish(&path, &mut pending, &mut alias);
                path.truncate(groups.pop()?);
            }
            Kind::Punct(b';') => finish(&path, &mut pending, &mut alias),
            _ => return None,
        }
        i += 1;
    }
    Some(imports)
}

/// A path a `use` imports, by segment, and the name it is imported as.
type Import<'t> = (Vec<&'t [u8]>, &'t [u8]);

/// If an item that [`idle_items`] may blank starts with token `i`: its
/// last token, and how it is judged.
fn item_at(lexed: &Lexed<'_>, i: usize) -> Option<(usize, Idle)> {
    let tokens = &lexed.tokens;
    // The token after the first group (or `;`) from `from` on, at depth 0.
    let through = |from: usize, stop_at_brace: bool| {
        let mut j = from;
        while j < tokens.len() {
            match tokens[j].kind {
                Kind::Punct(b'{') if stop_at_brace => return Some(lexed.partner[j]),
                Kind::Punct(b'(' | b'[' | b'{') => j = lexed.partner[j] + 1,
                Kind::Punct(b';') => return Some(j),
                Kind::Punct(b')' | b']' | b'}') => return None,
                _ => j += 1,
            }
        }
        None
    };
    let is_name = |j: usize| {
        matches!(
            tokens.get(j).map(|t| t.kind),
            Some(Kind::Ident | Kind::RawIdent)
        )
    };
    match lexed.word(i)? {
        b"struct" | b"enum" | b"trait" if is_name(i + 1) => {
            Some((through(i + 2, true)?, Idle::UnlessKind))
        }
        b"impl" => Some((through(i + 1, true)?, Idle::UnlessKind)),
        b"use" => Some((through(i + 1, false)?, Idle::UnlessImport)),
        b"static" if is_name(i + 1) && lexed.is_punct(i + 2, b':') => {
            Some((through(i + 2, false)?, Idle::UnlessKind))
        }
        b"static" if lexed.word(i + 1) == Some(b"mut".as_slice()) => {
            Some((through(i + 2, false)?, Idle::UnlessKind))
        }
        b"type" if is_name(i + 1) => Some((through(i + 2, false)?, Idle::UnlessKind)),
        b"const" if is_name(i + 1) || lexed.word(i + 1) == Some(b"_".as_slice()) => {
            let keyword = lexed.word(i + 1);
            let is_fn = matches!(keyword, Some(b"fn" | b"unsafe" | b"async" | b"extern"));
            (!is_fn && lexed.is_punct(i + 2, b':')).then_some(())?;
            Some((through(i + 2, false)?, Idle::UnlessKind))
        }
        b"extern" => {
            let open = if tokens.get(i + 1)?.kind == Kind::Literal {
                i + 2
            } else {
                i + 1
            };
            lexed
                .is_punct(open, b'{')
                .then(|| (lexed.partner[open], Idle::Always))
        }
        b"macro_rules" if lexed.is_punct(i + 1, b'!') && is_name(i + 2) => {
            let open = i + 3;
            let group = matches!(tokens.get(open)?.kind, Kind::Punct(b'(' | b'[' | b'{'));
            group.then(|| (with_semicolon(lexed, lexed.partner[open]), Idle::Always))
        }
        _ if lexed.is_punct(i + 1, b'!') && !lexed.is_punct(i + 2, b'=') => {
            let open = i + 2;
            let group = matches!(tokens.get(open)?.kind, Kind::Punct(b'(' | b'[' | b'{'));
            group.then(|| (with_semicolon(lexed, lexed.partner[open]), Idle::UnlessKind))
        }
        _ => None,
    }
}

/// `close`, or the `;` right after it.
fn with_semicolon(lexed: &Lexed<'_>, close: usize) -> usize {
    if lexed.is_punct(close + 1, b';') {
        close + 1
    } else {
        close
    }
}

/// Which bodies to keep, one flag per function.
fn decide(
    lexed: &Lexed<'_>,
    fns: &[FnItem],
    matches: &[usize],
    crate_fields: &CrateFields,
) -> Vec<bool> {
    let tokens = &lexed.tokens;
    let has_match = |from: usize, to: usize| any_in(matches, from, to);
    let (mut hot, _) = hot_names(lexed, fns, &has_match);
    // `use tokio::spawn as go;`: `go(..)` is a spawn.
    for i in 1..tokens.len().saturating_sub(1) {
        let renames = lexed.word(i) == Some(b"as".as_slice())
            && has_match(tokens[i - 1].start, tokens[i - 1].end);
        if renames && matches!(tokens[i + 1].kind, Kind::Ident | Kind::RawIdent) {
            hot.insert(lexed.text_of(i + 1));
        }
    }
    let is_hot = |name: &[u8]| hot.contains(name) || crate_fields.contains(name);
    // With no hot names, no body's names need looking up.
    let any_hot = !hot.is_empty() || !crate_fields.names.is_empty();
    let mut keep: Vec<bool> = fns
        .iter()
        .map(|f| {
            has_match(tokens[f.keyword].start, tokens[f.close].end)
                || (any_hot
                    && (f.keyword..=f.close)
                        .any(|i| tokens[i].kind == Kind::Ident && is_hot(lexed.text_of(i))))
        })
        .collect();
    // A function called in the arguments of a trigger word may be a task's
    // body (`tokio::spawn(run(rx))`, `rt.spawn(self.serve().instrument(span))`).
    let mut called: FastSet<&[u8]> = FastSet::default();
    for &m in matches {
        let at = tokens.partition_point(|t| t.start < m);
        let open = (at..tokens.len().min(at + 16))
            .take_while(|&i| !matches!(tokens[i].kind, Kind::Punct(b';' | b'{' | b'}')))
            .find(|&i| lexed.is_punct(i, b'('));
        if let Some(open) = open {
            callees(lexed, open, &mut called);
        }
    }
    for (f, keep) in fns.iter().zip(&mut keep) {
        *keep |= called.contains(lexed.text_of(f.name));
    }
    keep
}

/// The functions called at the top of the arguments in the group opening
/// at `open`, and inside `Box::pin(..)`, `Arc::new(..)` and the like.
fn callees<'t>(lexed: &Lexed<'t>, open: usize, out: &mut FastSet<&'t [u8]>) {
    let close = lexed.partner[open];
    let mut i = open + 1;
    while i < close {
        let is_name = matches!(lexed.tokens[i].kind, Kind::Ident | Kind::RawIdent);
        if is_name && lexed.is_punct(i + 1, b'(') {
            let name = lexed.text_of(i);
            out.insert(name);
            if matches!(name, b"new" | b"pin" | b"clone") {
                callees(lexed, i + 1, out);
            }
            i = lexed.partner[i + 1] + 1;
        } else if is_name && lexed.in_path_separator(i + 1) && lexed.is_punct(i + 3, b'<') {
            // `run::<T>(..)`
            out.insert(lexed.text_of(i));
            i += 1;
        } else if matches!(lexed.tokens[i].kind, Kind::Punct(b'(' | b'[' | b'{')) {
            i = lexed.partner[i] + 1;
        } else {
            i += 1;
        }
    }
}

/// Names declared outside function bodies with a type that mentions a
/// trigger word: `name: Type` fields, parameters and statics, and the
/// positions (and the type or variant name) of tuple fields. Second, the
/// subset that are fields: `name: Type` directly inside braces, and the
/// positions of tuple structs.
type HotNames<'t> = (FastSet<&'t [u8]>, FastSet<&'t [u8]>);

fn hot_names<'t>(
    lexed: &Lexed<'t>,
    fns: &[FnItem],
    has_match: &dyn Fn(usize, usize) -> bool,
) -> HotNames<'t> {
    let tokens = &lexed.tokens;
    let mut hot = FastSet::default();
    let mut fields = FastSet::default();
    // The open brackets around token `i`.
    let mut open: Vec<u8> = Vec::new();
    let mut next_fn = fns.iter().peekable();
    let mut i = 0;
    while i < tokens.len() {
        if let Some(f) = next_fn.peek() {
            if i >= f.open {
                i = f.close + 1;
                next_fn.next();
                continue;
            }
        }
        let is_name = matches!(tokens[i].kind, Kind::Ident | Kind::RawIdent);
        if is_name && lexed.is_punct(i + 1, b':') && !lexed.in_path_separator(i + 1) {
            let end = type_end(lexed, i + 2);
            if end > i + 2 && has_match(tokens[i + 2].start, tokens[end - 1].end) {
                hot.insert(lexed.text_of(i));
                if open.last() == Some(&b'{') {
                    fields.insert(lexed.text_of(i));
                }
            }
        } else if is_name
            && lexed.is_punct(i + 1, b'(')
            && lexed.word(i.wrapping_sub(1)) != Some(b"fn".as_slice())
        {
            let is_struct = lexed.word(i.wrapping_sub(1)) == Some(b"struct".as_slice());
            let close = lexed.partner[i + 1];
            let mut from = i + 2;
            let mut position = 0;
            while from < close {
                let end = type_end(lexed, from).min(close);
                if end > from && has_match(tokens[from].start, tokens[end - 1].end) {
                    let name = POSITIONS.get(position).copied().unwrap_or(b"_");
                    hot.insert(lexed.text_of(i));
                    hot.insert(name);
                    if is_struct {
                        fields.insert(name);
                    }
                }
                from = end + 1;
                position += 1;
            }
        }
        match tokens[i].kind {
            Kind::Punct(b @ (b'(' | b'[' | b'{')) => open.push(b),
            Kind::Punct(b')' | b']' | b'}') => {
                open.pop();
            }
            _ => {}
        }
        i += 1;
    }
    (hot, fields)
}

/// Tuple field names, as `.0` is written.
const POSITIONS: &[&[u8]] = &[b"0", b"1", b"2", b"3", b"4", b"5", b"6", b"7", b"8", b"9"];

/// The token index where a type starting at `from` ends: the first `,`,
/// `;`, `=` or `{`, or closing bracket, outside the type's own brackets.
fn type_end(lexed: &Lexed<'_>, from: usize) -> usize {
    let tokens = &lexed.tokens;
    let mut angle = 0usize;
    let mut i = from;
    while i < tokens.len() {
        match tokens[i].kind {
            Kind::Punct(b'(' | b'[') => i = lexed.partner[i],
            Kind::Punct(b'<') => angle += 1,
            Kind::Punct(b'>') if i > 0 && lexed.is_punct(i - 1, b'-') => {}
            Kind::Punct(b'>') => {
                if angle == 0 {
                    return i;
                }
                angle -= 1;
            }
            Kind::Punct(b',') if angle > 0 => {}
            Kind::Punct(b',' | b';' | b'=' | b'{' | b')' | b']' | b'}') => return i,
            _ => {}
        }
        i += 1;
    }
    i
}

/// The source with the given token ranges (inclusive) blanked, one space
/// per character and line breaks kept, and doc comments turned into plain
/// comments.
fn blank(source: &str, lexed: &Lexed<'_>, mut ranges: Vec<(usize, usize)>) -> String {
    ranges.sort_unstable();
    let mut out = String::with_capacity(source.len());
    let mut docs = lexed.docs.iter().peekable();
    let mut copy = |out: &mut String, from: usize, to: usize| {
        let mut at = from;
        while let Some(&&doc) = docs.peek() {
            if doc >= to {
                break;
            }
            docs.next();
            if doc >= at {
                out.push_str(&source[at..doc]);
                out.push(' ');
                at = doc + 1;
            }
        }
        out.push_str(&source[at..to]);
    };
    let mut at = 0;
    for (first, last) in ranges {
        let from = lexed.tokens[first].start.max(at);
        let to = lexed.tokens[last].end;
        if to <= at {
            continue; // inside a range already blanked
        }
        copy(&mut out, at, from);
        // Only the last line of a blanked range can hold text after it: the
        // lines before keep just their breaks, the last one a space per
        // character. Most of a masked file was spaces the parser skipped.
        let blanked = &source[from..to];
        let tail = match blanked.rfind('\n') {
            Some(last_break) => {
                for c in blanked[..last_break + 1].chars() {
                    if c == '\n' || c == '\r' {
                        out.push(c);
                    }
                }
                &blanked[last_break + 1..]
            }
            None => blanked,
        };
        for c in tail.chars() {
            out.push(if c == '\r' { c } else { ' ' });
        }
        at = to;
    }
    copy(&mut out, at, source.len());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rules' trigger and body words when these tests were written
    /// (the registry is a higher layer; `tests/integration.rs` masks with
    /// the real ones).
    const WORDS: &[&str] = &[
        "spawn",
        "spawn_blocking",
        "JoinHandle",
        "AbortHandle",
        "process::",
        "Child",
        "JoinSet",
        "join_next",
        "TaskTracker",
        "into_panic",
        "select!",
        "select_biased!",
        "tasklint:",
        "abort",
        "kill_on_drop",
    ];

    fn masker() -> Masker {
        Masker::new(WORDS, &[]).expect("a masker")
    }

    fn mask(source: &str) -> String {
        masker()
            .mask(source, &CrateFields::default())
            .map_or_else(|| source.to_string(), |m| m.text)
    }

    /// Every line keeps its length in characters, so every span stays put.
    /// The same lines, and every character kept at its line and column.
    fn assert_same_shape(source: &str, masked: &str) {
        let (source_lines, masked_lines): (Vec<&str>, Vec<&str>) =
            (source.split('\n').collect(), masked.split('\n').collect());
        assert_eq!(source_lines.len(), masked_lines.len(), "masked:\n{masked}");
        for (line, masked_line) in source_lines.iter().zip(&masked_lines) {
            let line: Vec<char> = line.chars().collect();
            for (column, c) in masked_line.chars().enumerate() {
                assert!(
                    c.is_whitespace() || line.get(column) == Some(&c),
                    "`{c}` moved on `{masked_line}`; masked:\n{masked}"
                );
            }
        }
    }

    #[test]
    fn bodies_without_trigger_words_are_blanked_whole() {
        let source = "#[inline]\npub fn quiet() -> u8 {\n    let é = 1;\n    é\n}\n\nfn loud() {\n    tokio::spawn(async {});\n}\n";
        let masked = mask(source);
        assert_same_shape(source, &masked);
        assert!(
            !masked.contains("quiet") && !masked.contains("inline"),
            "{masked}"
        );
        assert!(masked.contains("fn loud() {\n    tokio::spawn(async {});\n}"));
    }

    #[test]
    fn bodies_naming_a_handle_field_are_kept() {
        let source = "struct S {\n    task: Option<JoinHandle<()>>,\n}\nimpl S {\n    fn done(&self) -> bool { self.task.is_none() }\n    fn name(&self) -> &str { \"s\" }\n}\n";
        let masked = mask(source);
        assert!(masked.contains("self.task.is_none()"));
        assert!(!masked.contains("fn name"));
    }

    #[test]
    fn fields_of_other_files_of_the_crate_keep_bodies() {
        let source = "fn stop(p: Poller) {\n    drop(p.poll_task);\n}\n";
        let names =
            |names: &[&str]| CrateFields::new(names.iter().map(|n| n.to_string()).collect());
        let fields = names(&["poll_task", "0"]);
        let masked = masker().mask(source, &fields).map(|m| m.text);
        assert!(masked.is_none_or(|text| text.contains("p.poll_task")));
        assert!(!mask(source).contains("poll_task"));
        // Masked before the crate's fields are known, it is masked again
        // only when a blanked body names one of them.
        let (early, found) = masker().mask_and_find(source, None);
        let early = early.expect("`stop` is blanked");
        assert!(found.is_empty());
        assert!(early.blanks_any(source, &fields));
        assert!(!early.blanks_any(source, &names(&["poll", "0"])));
        assert!(!early.blanks_any(source, &CrateFields::default()));
    }

    #[test]
    fn functions_called_in_a_spawn_are_kept_as_task_bodies() {
        let source = "fn start() {\n    tokio::spawn(Box::pin(run(rx)).instrument(span));\n    tokio::spawn(self.serve());\n}\nasync fn run(rx: R) {\n    loop {}\n}\nasync fn serve(&self) {\n    loop {}\n}\nfn helper() {\n    loop {}\n}\n";
        let masked = mask(source);
        assert!(masked.contains("async fn run(rx: R)") && masked.contains("async fn serve"));
        assert!(!masked.contains("helper"));
    }

    #[test]
    fn words_in_strings_and_comments_keep_nothing_but_renames_do() {
        let source = "use tokio::spawn as go;\nfn named() -> &'static str {\n    \"spawn-req\" // spawn\n}\nfn renamed() {\n    go(async {});\n}\n";
        let masked = mask(source);
        assert_same_shape(source, &masked);
        assert!(!masked.contains("fn named"), "{masked}");
        assert!(masked.contains("go(async {});"), "{masked}");
    }

    #[test]
    fn imports_resolution_cannot_use_are_blanked() {
        let source = "use std::collections::HashMap;\nuse std::{sync::Arc, thread};\nuse futures_util::future;\nuse serde::Serialize;\nuse crate::util::{a, b};\nuse super::*;\nuse my::task;\nuse x::y as tokio;\nuse tokio::{self as tk};\n#[cfg(x)]\npub(crate) use foo::Bar as Baz;\nfn f() {\n    use helper::thing;\n    tokio::spawn(g());\n}\n";
        let masked = mask(source);
        assert_same_shape(source, &masked);
        for kept in [
            // `std::thread` begins `std::thread::spawn`.
            "use std::{sync::Arc, thread};",
            "use super::*;",
            // `task` is a name a known path uses (`task::spawn`), and so is
            // `tokio`; `tokio` renamed keeps its paths under a new name.
            "use my::task;",
            "use x::y as tokio;",
            "use tokio::{self as tk};",
            "use helper::thing;",
        ] {
            assert!(masked.contains(kept), "{kept}: {masked}");
        }
        for blanked in [
            "HashMap",
            "futures_util",
            "serde",
            "crate::util",
            "cfg",
            "Baz",
        ] {
            assert!(!masked.contains(blanked), "{blanked}: {masked}");
        }
        // A configured spawner's path keeps the imports that spell it.
        let configured = Masker::new(&["spawn", "go"], &["crate::rt::go"]).expect("a masker");
        let source = "use crate::rt;\nfn f() {\n    rt::go(async {});\n}\n";
        let masked = configured.mask(source, &CrateFields::default());
        assert!(masked.is_none_or(|m| m.text.contains("use crate::rt;")));
    }

    #[test]
    fn items_no_rule_reads_are_blanked() {
        let source = "use tokio::task;\nmacro_rules! m { () => { tokio::spawn(x) } }\nextern \"C\" { fn posix_spawn(); }\nconst N: usize = 3;\nstruct Plain { n: u8 }\nstruct Owner { rt: Runtime }\nimpl Plain { const M: u8 = 1; }\nfn f() { task::spawn(g()); }\n";
        let masked = mask(source);
        assert_same_shape(source, &masked);
        for gone in [
            "macro_rules",
            "posix_spawn",
            "const N",
            "struct Plain",
            "impl Plain",
        ] {
            assert!(!masked.contains(gone), "{gone} kept:\n{masked}");
        }
        for kept in [
            "use tokio::task;",
            "struct Owner { rt: Runtime }",
            "task::spawn(g())",
        ] {
            assert!(masked.contains(kept), "{kept} blanked:\n{masked}");
        }
    }

    #[test]
    fn literals_comments_and_lifetimes_do_not_confuse_the_lexer() {
        let source = "/// Docs { with a brace\nfn a<'x>(s: &'x str) -> char {\n    let _ = r#\"fn b() { \"# ;\n    let _ = b\"}\";\n    /* { /* nested */ */\n    '}'\n}\n//! inner\n//// not a doc\nfn c() { spawn(a('\\'')); }\n";
        let masked = mask(source);
        assert_same_shape(source, &masked);
        assert!(masked.starts_with("//  Docs { with a brace\n"));
        assert!(masked.contains("\n//  inner\n//// not a doc\n"));
        assert!(
            masked.contains("fn a<'x>(s: &'x str) -> char {"),
            "called from the spawn"
        );
        assert!(syn::parse_file(&masked).is_ok(), "{masked}");
    }

    #[test]
    fn text_the_lexer_cannot_follow_is_left_whole() {
        let m = masker();
        for source in [
            "fn a() { \"open\n",
            "fn a() { /* open\n",
            "fn a() { (] }",
            "fn a() {",
        ] {
            assert!(
                m.mask(source, &CrateFields::default()).is_none(),
                "{source}"
            );
        }
    }

    #[test]
    fn handle_field_names_are_struct_fields_only() {
        let source = "struct S {\n    task: JoinHandle<()>,\n    child: std::process::Child,\n    kids: Vec<Children>,\n}\nstruct T(u8, AbortHandle);\nfn f(param: JoinHandle<()>) {}\n";
        let finder = FieldFinder::new(&["JoinHandle", "AbortHandle", "Child"]).expect("a finder");
        assert_eq!(finder.names(source), ["1", "child", "task"]);
    }

    /// Every fixture, masked, keeps its shape and still parses.
    #[test]
    fn every_fixture_masks_to_the_same_shape() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut files = vec![root];
        let mut seen = 0;
        while let Some(path) = files.pop() {
            if path.is_dir() {
                let entries = std::fs::read_dir(&path).expect("fixture folder");
                files.extend(entries.map(|e| e.expect("entry").path()));
                continue;
            }
            if path.extension().is_none_or(|ext| ext != "rs") {
                continue;
            }
            let source = std::fs::read_to_string(&path).expect("fixture");
            let masked = mask(&source);
            assert_same_shape(&source, &masked);
            if syn::parse_file(&source).is_ok() {
                assert!(syn::parse_file(&masked).is_ok(), "{}", path.display());
            }
            seen += 1;
        }
        assert!(seen > 50, "only {seen} fixtures");
    }
}
