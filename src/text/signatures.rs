//! Item signatures as text: what the crate model
//! ([`crate::semantic::crate_model`]) is built from. One pass over a lexed
//! file's tokens collects, outside function bodies, the type aliases, the
//! function and method signatures (with the `impl` or trait around them),
//! the structs and enums, the associated types of traits, and the `mod x;`
//! declarations that carry attributes. Bodies are skipped by their braces,
//! never read: the model costs a token scan of the file and, later, a parse
//! of the few items that matter.

use crate::text::lexer::{lex, Kind, Lexed};

/// Files above this size are not read for signatures: the helpers,
/// aliases and structs a crate's code reaches through are written by hand,
/// and bigger files are generated bindings (`windows` has files of several
/// megabytes, tens of thousands of items each).
pub const MAX_TEXT: usize = 256 << 10;

/// The items of one file, as source text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemTexts {
    pub items: Vec<ItemText>,
}

/// What an [`ItemText`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    /// `type Name<..> = ..;` outside `impl` and trait blocks.
    Alias,
    /// A function's signature, from `fn` to its body or `;`.
    Fn,
    Struct,
    Enum,
    /// `type Name: Bounds;` in a trait.
    AssocType,
    /// `#[attr] mod name;`, attributes included.
    ModDecl,
    /// A `use` item outside `impl` and trait blocks (named by its first segment).
    Use,
}

/// The block an item is declared in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    /// `impl [Trait for] Type`: the type's name (its last segment) and the
    /// trait's.
    Impl {
        self_ty: String,
        trait_: Option<String>,
    },
    Trait(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemText {
    pub kind: ItemKind,
    pub name: String,
    /// The inline modules around it, outermost first.
    pub module: Vec<String>,
    pub owner: Option<Owner>,
    pub text: String,
    /// The 1-based line the item starts on.
    pub line: usize,
}

/// [`items`] of a text the lexer can follow, up to [`MAX_TEXT`]; none otherwise.
pub fn items_of(text: &str) -> ItemTexts {
    if text.len() > MAX_TEXT {
        return ItemTexts::default();
    }
    lex(text.as_bytes()).map_or_else(ItemTexts::default, |lexed| items(&lexed))
}

/// The items of a lexed file (functions only when they return something,
/// or are `drop`).
pub(crate) fn items(lexed: &Lexed<'_>) -> ItemTexts {
    if lexed.text.len() > MAX_TEXT {
        return ItemTexts::default();
    }
    // A bug here must not end the run: the file then declares nothing.
    let scanned = std::panic::catch_unwind(|| {
        let mut scan = Scan {
            lexed,
            out: Vec::new(),
            module: Vec::new(),
            last_line: (0, 1),
        };
        scan.block(0, lexed.tokens.len(), None);
        scan.out
    });
    ItemTexts {
        items: scanned.unwrap_or_default(),
    }
}

struct Scan<'l, 't> {
    lexed: &'l Lexed<'t>,
    out: Vec<ItemText>,
    module: Vec<String>,
    /// A byte offset and its line, where [`Scan::line`] last counted to.
    last_line: (usize, usize),
}

impl Scan<'_, '_> {
    fn word(&self, i: usize) -> Option<&[u8]> {
        self.lexed.word(i)
    }

    fn is_name(&self, i: usize) -> bool {
        matches!(
            self.lexed.tokens.get(i).map(|t| t.kind),
            Some(Kind::Ident | Kind::RawIdent)
        )
    }

    fn name(&self, i: usize) -> String {
        String::from_utf8_lossy(self.lexed.text_of(i)).into_owned()
    }

    /// The source of tokens `first..=last`.
    fn text(&self, first: usize, last: usize) -> String {
        let tokens = &self.lexed.tokens;
        let bytes = &self.lexed.text[tokens[first].start..tokens[last].end];
        String::from_utf8_lossy(bytes).into_owned()
    }

    /// The 1-based line of token `i`, counting newlines from the last
    /// item's (items come in order).
    fn line(&mut self, i: usize) -> usize {
        let at = self.lexed.tokens[i].start;
        let (from, line) = match self.last_line {
            (from, line) if at >= from => (from, line),
            _ => (0, 1),
        };
        let newlines = memchr::memchr_iter(b'\n', &self.lexed.text[from..at]).count();
        self.last_line = (at, line + newlines);
        line + newlines
    }

    fn push(
        &mut self,
        kind: ItemKind,
        name: usize,
        first: usize,
        last: usize,
        owner: &Option<Owner>,
    ) {
        let line = self.line(first);
        let item = ItemText {
            kind,
            name: self.name(name),
            module: self.module.clone(),
            owner: owner.clone(),
            text: self.text(first, last),
            line,
        };
        self.out.push(item);
    }

    /// The token after the item starting at `from` ends: past its `;`, or
    /// its closing brace when it has a block; brackets skipped whole.
    fn item_end(&self, from: usize, to: usize) -> (usize, Option<usize>) {
        let lexed = self.lexed;
        let mut j = from;
        while j < to {
            match lexed.tokens[j].kind {
                Kind::Punct(b'{') => return (lexed.partner[j], Some(j)),
                Kind::Punct(b'(' | b'[') => j = lexed.partner[j] + 1,
                Kind::Punct(b';') => return (j, None),
                Kind::Punct(b')' | b']' | b'}') => return (j.saturating_sub(1), None),
                _ => j += 1,
            }
        }
        (to.saturating_sub(1), None)
    }

    /// The items in tokens `from..to` (a file, or the inside of a `mod`,
    /// `impl` or trait block).
    fn block(&mut self, from: usize, to: usize, owner: Option<Owner>) {
        let lexed = self.lexed;
        let mut i = from;
        // The first token of the item being read: its attributes and qualifiers.
        let mut first = from;
        while i < to {
            let token = lexed.tokens[i];
            match token.kind {
                Kind::Punct(b'#') => {
                    // `#[..]` or `#![..]`: part of the next item.
                    let open = if lexed.is_punct(i + 1, b'!') {
                        i + 2
                    } else {
                        i + 1
                    };
                    i = if lexed.is_punct(open, b'[') {
                        lexed.partner[open] + 1
                    } else {
                        i + 1
                    };
                    continue;
                }
                Kind::Punct(b';') => {
                    i += 1;
                    first = i;
                    continue;
                }
                Kind::Punct(b'{') => {
                    i = lexed.partner[i] + 1;
                    first = i;
                    continue;
                }
                // `pub(crate)`, and groups of items this does not read.
                Kind::Punct(b'(' | b'[') => {
                    i = lexed.partner[i] + 1;
                    continue;
                }
                _ => {}
            }
            let next = match self.word(i) {
                Some(b"fn") if self.is_name(i + 1) => {
                    // The signature ends before the body's brace or the `;`.
                    let (end, body) = self.item_end(i + 2, to);
                    let last = body.unwrap_or(end).saturating_sub(1).max(i + 1);
                    // Only what returns a type the model could follow (and
                    // `drop`) can matter.
                    let arrow = (i + 2..last).find(|&j| {
                        lexed.is_punct(j, b'-')
                            && lexed.is_punct(j + 1, b'>')
                            && lexed.tokens[j].end == lexed.tokens[j + 1].start
                    });
                    let returns = arrow.is_some_and(|arrow| {
                        (arrow + 2..=last).any(|j| self.word(j).is_some_and(may_name_followed))
                    });
                    if returns || self.word(i + 1) == Some(b"drop".as_slice()) {
                        self.push(ItemKind::Fn, i + 1, i, last, &owner);
                    }
                    end + 1
                }
                Some(b"type") if self.is_name(i + 1) => {
                    let (end, _) = self.item_end(i + 2, to);
                    let kind = match &owner {
                        None => Some(ItemKind::Alias),
                        Some(Owner::Trait(_)) => Some(ItemKind::AssocType),
                        Some(Owner::Impl { .. }) => None,
                    };
                    if let Some(kind) = kind {
                        self.push(kind, i + 1, i, end, &owner);
                    }
                    end + 1
                }
                Some(word @ (b"struct" | b"enum")) if self.is_name(i + 1) => {
                    let kind = if word == b"struct" {
                        ItemKind::Struct
                    } else {
                        ItemKind::Enum
                    };
                    let (end, _) = self.item_end(i + 2, to);
                    self.push(kind, i + 1, i, end, &owner);
                    end + 1
                }
                Some(b"use")
                    if owner.is_none() && (self.is_name(i + 1) || lexed.is_punct(i + 1, b':')) =>
                {
                    let mut end = i + 1;
                    while end + 1 < to && !lexed.is_punct(end, b';') {
                        end = match lexed.tokens[end].kind {
                            Kind::Punct(b'{') => lexed.partner[end] + 1,
                            _ => end + 1,
                        };
                    }
                    self.push(ItemKind::Use, i + 1, i, end, &owner);
                    end + 1
                }
                Some(b"mod") if self.is_name(i + 1) => {
                    let name = self.name(i + 1);
                    let (end, open) = self.item_end(i + 2, to);
                    match open {
                        Some(open) => {
                            self.module.push(name);
                            self.block(open + 1, end, None);
                            self.module.pop();
                        }
                        None if first < i => self.push(ItemKind::ModDecl, i + 1, first, end, &None),
                        None => {}
                    }
                    end + 1
                }
                Some(b"trait") if self.is_name(i + 1) => {
                    let name = self.name(i + 1);
                    let (end, open) = self.item_end(i + 2, to);
                    if let Some(open) = open {
                        self.block(open + 1, end, Some(Owner::Trait(name)));
                    }
                    end + 1
                }
                Some(b"impl") if owner.is_none() => {
                    let (end, open) = self.item_end(i + 1, to);
                    if let Some(open) = open {
                        let owner = self.impl_owner(i + 1, open);
                        self.block(open + 1, end, owner);
                    }
                    end + 1
                }
                _ => {
                    i += 1;
                    continue;
                }
            };
            i = next;
            first = i;
        }
    }

    /// The owner of an `impl` whose header is tokens `from..open`.
    fn impl_owner(&self, from: usize, open: usize) -> Option<Owner> {
        let lexed = self.lexed;
        let mut i = from;
        // Generic parameters: `impl<T: X> ..`.
        if lexed.is_punct(i, b'<') {
            i = angle_end(lexed, i, open) + 1;
        }
        let end = (i..open)
            .find(|&j| self.word(j) == Some(b"where".as_slice()))
            .unwrap_or(open);
        let for_at =
            outside_angles(lexed, i, end).find(|&j| self.word(j) == Some(b"for".as_slice()));
        let (trait_, ty_from) = match for_at {
            Some(at) => (last_name(self, i, at), at + 1),
            None => (None, i),
        };
        Some(Owner::Impl {
            self_ty: last_name(self, ty_from, end)?,
            trait_,
        })
    }
}

/// Could a word of a return type name a type the crate model follows (a
/// kind type, a crate type or alias)? Not the standard wrappers and
/// primitives that most functions return, nor `Self`.
fn may_name_followed(word: &[u8]) -> bool {
    word.first().is_some_and(u8::is_ascii_uppercase)
        && !matches!(
            word,
            b"Self"
                | b"Result"
                | b"Option"
                | b"String"
                | b"Vec"
                | b"Box"
                | b"Error"
                | b"Cow"
                | b"HashMap"
                | b"BTreeMap"
                | b"HashSet"
                | b"Ordering"
                | b"Duration"
                | b"PathBuf"
                | b"Bytes"
                | b"Value"
                | b"Poll"
                | b"Pin"
                | b"Formatter"
                | b"Iterator"
        )
}

/// The angle-bracket depth after token `j`, from `depth` before it (the
/// `>` of `->` closes nothing).
fn angle_step(lexed: &Lexed<'_>, j: usize, depth: usize) -> usize {
    match lexed.tokens[j].kind {
        Kind::Punct(b'<') => depth + 1,
        Kind::Punct(b'>') if j > 0 && lexed.is_punct(j - 1, b'-') => depth,
        Kind::Punct(b'>') => depth.saturating_sub(1),
        _ => depth,
    }
}

/// The tokens of `from..to` outside angle brackets (the brackets excluded).
fn outside_angles<'l>(
    lexed: &'l Lexed<'_>,
    from: usize,
    to: usize,
) -> impl Iterator<Item = usize> + 'l {
    let mut depth = 0;
    (from..to).filter(move |&j| {
        let before = depth;
        depth = angle_step(lexed, j, depth);
        before == 0 && depth == 0
    })
}

/// The `>` closing the `<` at token `open_at`, before `limit`.
fn angle_end(lexed: &Lexed<'_>, open_at: usize, limit: usize) -> usize {
    let mut depth = 0;
    let mut j = open_at;
    while j < limit {
        if matches!(lexed.tokens[j].kind, Kind::Punct(b'(' | b'[')) {
            j = lexed.partner[j];
        } else {
            depth = angle_step(lexed, j, depth);
            if depth == 0 {
                return j;
            }
        }
        j += 1;
    }
    limit.saturating_sub(1)
}

/// The last name outside angle brackets in tokens `from..to`: `Foo` of
/// `&'a mut crate::x::Foo<T>`.
fn last_name(scan: &Scan<'_, '_>, from: usize, to: usize) -> Option<String> {
    let lexed = scan.lexed;
    outside_angles(lexed, from, to)
        .filter(|&j| matches!(lexed.tokens[j].kind, Kind::Ident | Kind::RawIdent))
        .filter(|&j| !matches!(lexed.text_of(j), b"mut" | b"dyn" | b"const" | b"unsafe"))
        .last()
        .map(|j| scan.name(j))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(source: &str) -> Vec<String> {
        items_of(source)
            .items
            .iter()
            .map(|item| {
                let owner = match &item.owner {
                    None => String::new(),
                    Some(Owner::Impl { self_ty, trait_ }) => {
                        format!(
                            "impl {}{self_ty} ",
                            trait_
                                .as_ref()
                                .map(|t| format!("{t} for "))
                                .unwrap_or_default()
                        )
                    }
                    Some(Owner::Trait(name)) => format!("trait {name} "),
                };
                format!(
                    "{:?} {}{}{}: {}",
                    item.kind,
                    item.module
                        .iter()
                        .map(|m| format!("{m}::"))
                        .collect::<String>(),
                    owner,
                    item.name,
                    item.text
                )
            })
            .collect()
    }

    #[test]
    fn collects_signatures_and_skips_bodies() {
        let source = "use x::{y, z};\n\
            pub type Task<T> = tokio::task::JoinHandle<T>;\n\
            #[cfg(test)] mod helpers;\n\
            mod plain;\n\
            pub struct S { rt: Handle, other: Arc<Inner> }\n\
            struct T(JoinHandle<()>);\n\
            enum E { A(JoinHandle<()>), B }\n\
            fn runtime() -> Handle { let f = || { fn inner() -> u8 { 1 } }; todo!() }\n\
            impl<T: Clone> Tr<T> for crate::a::Client<T> where T: Send {\n\
                type Output = u8;\n\
                fn rt(&self) -> &Handle { &self.rt }\n\
            }\n\
            pub trait Runtime: Send {\n\
                type Spawner: Spawn;\n\
                fn spawn<F: Future>(f: F) -> Task<F::Output>;\n\
                fn default_body(&self) -> u8 { 1 }\n\
            }\n\
            mod inner { pub fn make() -> Command { Command::new(\"x\") } }\n";
        assert_eq!(
            summary(source),
            [
                "Use x: use x::{y, z};",
                "Alias Task: type Task<T> = tokio::task::JoinHandle<T>;",
                "ModDecl helpers: #[cfg(test)] mod helpers;",
                "Struct S: struct S { rt: Handle, other: Arc<Inner> }",
                "Struct T: struct T(JoinHandle<()>);",
                "Enum E: enum E { A(JoinHandle<()>), B }",
                "Fn runtime: fn runtime() -> Handle",
                "Fn impl Tr for Client rt: fn rt(&self) -> &Handle",
                "AssocType trait Runtime Spawner: type Spawner: Spawn;",
                "Fn trait Runtime spawn: fn spawn<F: Future>(f: F) -> Task<F::Output>",
                "Fn inner::make: fn make() -> Command",
            ]
        );
        let lines: Vec<usize> = items_of(source).items.iter().map(|i| i.line).collect();
        assert_eq!(lines, [1, 2, 3, 5, 6, 7, 8, 11, 14, 15, 18]);
    }
}
