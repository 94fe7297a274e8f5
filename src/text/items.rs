//! What masking finds in a lexed file: the functions with a body, and the
//! *hot names*, declared with a type that mentions a trigger word.

use crate::base::fasthash::FastSet;
use crate::text::lexer::{Kind, Lexed};

/// A function with a body, outside any other function's body.
#[derive(Debug)]
pub(super) struct FnItem {
    /// Token indices: the item's first token (its attributes and
    /// qualifiers), the `fn` keyword, its name, the body's braces.
    pub(super) first: usize,
    pub(super) keyword: usize,
    pub(super) name: usize,
    pub(super) open: usize,
    pub(super) close: usize,
}

pub(super) fn find_fns(lexed: &Lexed) -> Vec<FnItem> {
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
pub(super) fn item_start(lexed: &Lexed<'_>, keyword: usize) -> usize {
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

/// Does the sorted list of offsets hold one in `from..to`?
pub(super) fn any_in(sorted: &[usize], from: usize, to: usize) -> bool {
    let i = sorted.partition_point(|&at| at < from);
    sorted.get(i).is_some_and(|&at| at < to)
}

/// Names declared outside function bodies with a type that mentions a
/// trigger word: `name: Type` fields, parameters and statics, and the
/// positions (and the type or variant name) of tuple fields. Second, the
/// subset that are fields: `name: Type` directly inside braces, and the
/// positions of tuple structs.
pub(super) type HotNames<'t> = (FastSet<&'t [u8]>, FastSet<&'t [u8]>);

pub(super) fn hot_names<'t>(
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
