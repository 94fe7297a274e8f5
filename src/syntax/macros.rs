//! Macro bodies are code too: every macro invocation in a file is re-parsed
//! once, up front, into an [`Expansion`] keyed by the invocation's position,
//! so the walk can borrow expansions for as long as it borrows the file.

use std::collections::HashMap;

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::visit::Visit;
use syn::{Expr, Item, Macro, Pat, Stmt, Token};

/// A `select!` invocation (tokio's or futures').
#[derive(Debug)]
pub struct SelectMacro {
    pub arms: Vec<SelectArm>,
    /// tokio's `else => ..`, futures' `complete => ..` / `default => ..`.
    pub fallbacks: Vec<Expr>,
}

#[derive(Debug)]
pub struct SelectArm {
    pub pat: Pat,
    pub future: Expr,
    pub guard: Option<Expr>,
    pub handler: Expr,
}

#[derive(Debug)]
pub enum Expansion {
    Exprs(Vec<Expr>),
    Stmts(Vec<Stmt>),
    Items(Vec<Item>),
    Select(SelectMacro),
}

/// Position of a macro invocation: its `!` token, unique in a file.
pub type MacroKey = (usize, usize);

pub fn key(mac: &Macro) -> MacroKey {
    let start = mac.bang_token.span.start();
    (start.line, start.column)
}

#[derive(Debug, Default)]
pub struct Expansions {
    map: HashMap<MacroKey, Expansion>,
}

impl Expansions {
    pub fn of_file(file: &syn::File) -> Expansions {
        let mut collector = Collector {
            found: HashMap::new(),
        };
        collector.visit_file(file);
        Expansions {
            map: collector.found,
        }
    }

    pub fn get(&self, mac: &Macro) -> Option<&Expansion> {
        self.map.get(&key(mac))
    }
}

struct Collector {
    found: HashMap<MacroKey, Expansion>,
}

impl Collector {
    fn expand(&mut self, mac: &Macro, item_position: bool) {
        let Some(expansion) = expand(mac, item_position) else {
            return;
        };
        // Nested macros inside the body are expanded too.
        visit_expansion(self, &expansion);
        self.found.insert(key(mac), expansion);
    }
}

impl<'ast> Visit<'ast> for Collector {
    fn visit_item_macro(&mut self, item: &'ast syn::ItemMacro) {
        if item.ident.is_some() {
            return; // `macro_rules!` definitions are skipped
        }
        self.expand(&item.mac, true);
    }

    fn visit_macro(&mut self, mac: &'ast Macro) {
        self.expand(mac, false);
    }
}

/// Walks the code of an expansion with any visitor: for visitors that treat
/// macro bodies like the code around them.
pub fn visit_expansion<'ast, V: Visit<'ast> + ?Sized>(visitor: &mut V, expansion: &'ast Expansion) {
    match expansion {
        Expansion::Exprs(exprs) => exprs.iter().for_each(|e| visitor.visit_expr(e)),
        Expansion::Stmts(stmts) => stmts.iter().for_each(|s| visitor.visit_stmt(s)),
        Expansion::Items(items) => items.iter().for_each(|i| visitor.visit_item(i)),
        Expansion::Select(select) => visit_select(visitor, select),
    }
}

/// Walks a `select!`'s futures, guards and handlers.
pub fn visit_select<'ast, V: Visit<'ast> + ?Sized>(visitor: &mut V, select: &'ast SelectMacro) {
    for arm in &select.arms {
        visitor.visit_expr(&arm.future);
        if let Some(guard) = &arm.guard {
            visitor.visit_expr(guard);
        }
        visitor.visit_expr(&arm.handler);
    }
    select.fallbacks.iter().for_each(|e| visitor.visit_expr(e));
}

/// Walks a macro's body as code (expressions, statements, `select!` arms).
/// Returns `false` when the body is not code the visitor can walk (it did
/// not parse, or it holds items), so the caller can fall back to its tokens.
pub fn visit_code<'ast, V: Visit<'ast> + ?Sized>(
    visitor: &mut V,
    expansions: &'ast Expansions,
    mac: &Macro,
) -> bool {
    match expansions.get(mac) {
        Some(Expansion::Items(_)) | None => false,
        Some(expansion) => {
            visit_expansion(visitor, expansion);
            true
        }
    }
}

/// The last segment of a macro's path: `select` for `tokio::select!`.
pub fn macro_name(mac: &Macro) -> String {
    crate::syntax::names::last_segment(&mac.path)
}

fn expand(mac: &Macro, item_position: bool) -> Option<Expansion> {
    let name = macro_name(mac);
    let tokens = mac.tokens.clone();
    if matches!(name.as_str(), "select" | "select_biased") {
        if let Ok(select) = parse_select.parse2(tokens.clone()) {
            return Some(Expansion::Select(select));
        }
    }
    if item_position {
        if let Ok(file) = syn::parse2::<syn::File>(tokens.clone()) {
            return Some(Expansion::Items(file.items));
        }
    }
    if let Ok(exprs) = Punctuated::<Expr, Token![,]>::parse_terminated.parse2(tokens.clone()) {
        return Some(Expansion::Exprs(exprs.into_iter().collect()));
    }
    if let Ok(stmts) = syn::Block::parse_within.parse2(tokens.clone()) {
        return Some(Expansion::Stmts(stmts));
    }
    if !item_position {
        if let Ok(file) = syn::parse2::<syn::File>(tokens.clone()) {
            return Some(Expansion::Items(file.items));
        }
    }
    let exprs = tolerant_exprs(tokens);
    (!exprs.is_empty()).then_some(Expansion::Exprs(exprs))
}

/// For logging-style bodies (`error!(target: "x", error = %e, "failed: {}", e)`):
/// each top-level comma-separated chunk, with a leading `name:`, `name =`,
/// `%` or `?` removed, is parsed on its own; the chunks that parse are kept.
fn tolerant_exprs(tokens: TokenStream) -> Vec<Expr> {
    let mut chunks: Vec<Vec<TokenTree>> = vec![Vec::new()];
    for tree in tokens {
        match &tree {
            TokenTree::Punct(p) if p.as_char() == ',' => chunks.push(Vec::new()),
            _ => chunks.last_mut().expect("chunks is never empty").push(tree),
        }
    }
    chunks
        .into_iter()
        .filter_map(|chunk| {
            let mut rest: &[TokenTree] = &chunk;
            if let [TokenTree::Ident(_), TokenTree::Punct(p), tail @ ..] = rest {
                if (p.as_char() == ':' || p.as_char() == '=')
                    && p.spacing() == proc_macro2::Spacing::Alone
                {
                    rest = tail;
                }
            }
            if let [TokenTree::Punct(p), tail @ ..] = rest {
                if p.as_char() == '%' || p.as_char() == '?' {
                    rest = tail;
                }
            }
            if rest.is_empty() {
                return None;
            }
            syn::parse2::<Expr>(rest.iter().cloned().collect()).ok()
        })
        .collect()
}

fn parse_select(input: ParseStream) -> syn::Result<SelectMacro> {
    let mut select = SelectMacro {
        arms: Vec::new(),
        fallbacks: Vec::new(),
    };
    if input.peek(syn::Ident) && input.peek2(Token![;]) {
        let ident: syn::Ident = input.parse()?;
        if ident != "biased" {
            return Err(syn::Error::new(ident.span(), "expected `biased`"));
        }
        input.parse::<Token![;]>()?;
    }
    while !input.is_empty() {
        let is_fallback = (input.peek(Token![else])
            || input.peek(Token![default])
            || is_ident(input, "complete"))
            && input.peek2(Token![=>]);
        if is_fallback {
            input.parse::<TokenTree>()?;
            input.parse::<Token![=>]>()?;
            select.fallbacks.push(parse_arm_body(input)?);
            continue;
        }
        let pat = Pat::parse_multi_with_leading_vert(input)?;
        input.parse::<Token![=]>()?;
        let future = input
            .call(Expr::parse_without_eager_brace)
            .or_else(|_| input.parse())?;
        let guard = if input.peek(Token![,]) && input.peek2(Token![if]) {
            input.parse::<Token![,]>()?;
            input.parse::<Token![if]>()?;
            Some(input.parse::<Expr>()?)
        } else {
            None
        };
        input.parse::<Token![=>]>()?;
        let handler = parse_arm_body(input)?;
        select.arms.push(SelectArm {
            pat,
            future,
            guard,
            handler,
        });
    }
    Ok(select)
}

fn is_ident(input: ParseStream, name: &str) -> bool {
    input
        .cursor()
        .ident()
        .is_some_and(|(ident, _)| ident == name)
}

fn parse_arm_body(input: ParseStream) -> syn::Result<Expr> {
    let body = if input.peek(syn::token::Brace) {
        let block: syn::Block = input.parse()?;
        Expr::Block(syn::ExprBlock {
            attrs: Vec::new(),
            label: None,
            block,
        })
    } else {
        input.parse::<Expr>()?
    };
    if input.peek(Token![,]) {
        input.parse::<Token![,]>()?;
    }
    Ok(body)
}

/// Does the token stream mention `ident` anywhere (nested groups included)?
pub fn tokens_mention(tokens: &TokenStream, ident: &str) -> bool {
    tokens.clone().into_iter().any(|tree| match tree {
        TokenTree::Ident(i) => i == ident,
        TokenTree::Group(g) => tokens_mention(&g.stream(), ident),
        _ => false,
    })
}

/// Does the token stream contain `break`, `return` or a `?` used as an operator?
pub fn tokens_exit(tokens: &TokenStream) -> bool {
    let mut previous_was_operand = false;
    for tree in tokens.clone() {
        match tree {
            TokenTree::Ident(i) => {
                if i == "break" || i == "return" {
                    return true;
                }
                previous_was_operand = true;
            }
            TokenTree::Group(g) => {
                if tokens_exit(&g.stream()) {
                    return true;
                }
                previous_was_operand = g.delimiter() != Delimiter::None || previous_was_operand;
            }
            TokenTree::Punct(p) => {
                // `x?` is an exit; tracing's `?value` (a `?` after `,` `=` or at start) is not.
                if p.as_char() == '?' && previous_was_operand {
                    return true;
                }
                previous_was_operand = false;
            }
            TokenTree::Literal(_) => previous_was_operand = true,
        }
    }
    false
}

impl Parse for SelectMacro {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        parse_select(input)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expansion(src: &str) -> Expansion {
        let mac: Macro = syn::parse_str(src).expect("macro parses");
        expand(&mac, false).expect("expands")
    }

    #[test]
    fn tokio_select_arms() {
        let Expansion::Select(select) = expansion(
            "tokio::select! { biased; _ = token.cancelled() => break, Some(x) = rx.recv(), if open => { handle(x); } else => {} }",
        ) else {
            panic!("not a select");
        };
        assert_eq!(select.arms.len(), 2);
        assert!(select.arms[1].guard.is_some());
        assert_eq!(select.fallbacks.len(), 1);
    }

    #[test]
    fn futures_select_with_complete() {
        let Expansion::Select(select) =
            expansion("futures::select! { x = a.next() => {}, complete => break, default => () }")
        else {
            panic!("not a select");
        };
        assert_eq!(select.arms.len(), 1);
        assert_eq!(select.fallbacks.len(), 2);
    }

    #[test]
    fn logging_macros_parse_chunk_by_chunk() {
        let Expansion::Exprs(exprs) = expansion(
            r#"tracing::error!(target: "x", error = %e, ?other, "failed: {}", spawn(x))"#,
        ) else {
            panic!("not exprs");
        };
        assert_eq!(exprs.len(), 5);
    }

    #[test]
    fn statement_bodies() {
        assert!(matches!(
            expansion("m! { let a = 1; a }"),
            Expansion::Stmts(_)
        ));
    }

    #[test]
    fn exits_in_tokens() {
        let exit = |s: &str| tokens_exit(&s.parse::<TokenStream>().expect("tokens"));
        assert!(exit("_ = t.cancelled() => break,"));
        assert!(exit("x = f() => { g()?; }"));
        assert!(!exit("error = ?e, \"failed\""));
        assert!(!exit("?e"));
    }
}
