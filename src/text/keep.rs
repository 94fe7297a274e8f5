//! What masking keeps: which function bodies ([`decide`]), and which items
//! outside them no rule reads ([`idle_items`]).

use crate::base::fasthash::FastSet;
use crate::text::fields::CrateFields;
use crate::text::items::{any_in, hot_names, item_start, FnItem};
use crate::text::lexer::{Kind, Lexed};

/// Which bodies to keep, one flag per function.
pub(super) fn decide(
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
                    && (f.keyword..=f.close).any(|i| match tokens[i].kind {
                        Kind::Ident => is_hot(lexed.text_of(i)),
                        // `self.0`: a tuple struct's handle field.
                        Kind::Literal => {
                            lexed.is_punct(i.wrapping_sub(1), b'.') && is_hot(lexed.text_of(i))
                        }
                        _ => false,
                    }))
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

/// What makes a `use` matter to name resolution (see [`crate::semantic::resolve`]).
#[derive(Debug, Clone)]
pub(super) struct KnownImports {
    /// The paths the rules know (`tokio::task::spawn`), the known glob
    /// modules and the configured paths, by segment.
    pub(super) paths: Vec<Vec<String>>,
    /// Names that, imported, could shadow or begin such a path: the known
    /// crates and every segment of those paths.
    pub(super) names: FastSet<String>,
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

/// What keeps an item from [`idle_items`], all sorted.
pub(super) struct Mentions<'m> {
    /// First tokens of the kept functions.
    pub(super) kept: &'m [usize],
    /// Byte offsets of trigger and kind words.
    pub(super) kinds: &'m [usize],
    pub(super) imports: &'m KnownImports,
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
pub(super) fn idle_items(
    lexed: &Lexed<'_>,
    fns: &[FnItem],
    mentions: &Mentions<'_>,
) -> Vec<(usize, usize)> {
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
