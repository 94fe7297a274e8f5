//! Cheap spans of expressions and blocks.
//!
//! `Spanned::span` prints a node back to tokens and joins the spans of the
//! first and last one. For a loop, a closure or a block that is the whole
//! body, and the rules ask for such spans at every level of a function: it
//! was a twentieth of a corpus run. These functions read the first and last
//! token from the tree instead, and fall back to `Spanned::span` wherever
//! that is not simple (attributes, qualified paths, rare expressions).

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Block, Expr, MacroDelimiter, Member, Path};

/// The span of a block, braces included.
pub fn block(block: &Block) -> Span {
    block.brace_token.span.join()
}

/// The span of an expression, the same as `Spanned::span` gives.
pub fn expr(expr: &Expr) -> Span {
    match (first(expr), last(expr)) {
        (Some(first), Some(last)) => first.join(last).unwrap_or_else(|| expr.span()),
        _ => expr.span(),
    }
}

/// The span of the expression's first token, when easily known.
fn first(expr: &Expr) -> Option<Span> {
    let label = |label: &Option<syn::Label>, or: Span| {
        label.as_ref().map_or(or, |label| label.name.apostrophe)
    };
    Some(match expr {
        Expr::Call(e) if e.attrs.is_empty() => first(&e.func)?,
        Expr::MethodCall(e) if e.attrs.is_empty() => first(&e.receiver)?,
        Expr::Field(e) if e.attrs.is_empty() => first(&e.base)?,
        Expr::Await(e) if e.attrs.is_empty() => first(&e.base)?,
        Expr::Try(e) if e.attrs.is_empty() => first(&e.expr)?,
        Expr::Index(e) if e.attrs.is_empty() => first(&e.expr)?,
        Expr::Binary(e) if e.attrs.is_empty() => first(&e.left)?,
        Expr::Assign(e) if e.attrs.is_empty() => first(&e.left)?,
        Expr::Loop(e) if e.attrs.is_empty() => label(&e.label, e.loop_token.span),
        Expr::While(e) if e.attrs.is_empty() => label(&e.label, e.while_token.span),
        Expr::ForLoop(e) if e.attrs.is_empty() => label(&e.label, e.for_token.span),
        Expr::Block(e) if e.attrs.is_empty() => label(&e.label, e.block.brace_token.span.open()),
        Expr::Async(e) if e.attrs.is_empty() => e.async_token.span,
        Expr::If(e) if e.attrs.is_empty() => e.if_token.span,
        Expr::Match(e) if e.attrs.is_empty() => e.match_token.span,
        Expr::Unsafe(e) if e.attrs.is_empty() => e.unsafe_token.span,
        Expr::Return(e) if e.attrs.is_empty() => e.return_token.span,
        Expr::Reference(e) if e.attrs.is_empty() => e.and_token.spans[0],
        Expr::Paren(e) if e.attrs.is_empty() => e.paren_token.span.open(),
        Expr::Tuple(e) if e.attrs.is_empty() => e.paren_token.span.open(),
        Expr::Array(e) if e.attrs.is_empty() => e.bracket_token.span.open(),
        Expr::Closure(e)
            if e.attrs.is_empty()
                && e.lifetimes.is_none()
                && e.constness.is_none()
                && e.movability.is_none() =>
        {
            match (&e.asyncness, &e.capture) {
                (Some(asyncness), _) => asyncness.span,
                (None, Some(capture)) => capture.span,
                (None, None) => e.or1_token.spans[0],
            }
        }
        Expr::Path(e) if e.attrs.is_empty() && e.qself.is_none() => path_first(&e.path)?,
        Expr::Macro(e) if e.attrs.is_empty() => path_first(&e.mac.path)?,
        _ => return None,
    })
}

/// The span of the expression's last token tree, when easily known.
fn last(expr: &Expr) -> Option<Span> {
    Some(match expr {
        Expr::Call(e) => e.paren_token.span.close(),
        Expr::MethodCall(e) => e.paren_token.span.close(),
        Expr::Field(e) => match &e.member {
            Member::Named(name) => name.span(),
            Member::Unnamed(index) => index.span,
        },
        Expr::Await(e) => e.await_token.span,
        Expr::Try(e) => e.question_token.spans[0],
        Expr::Index(e) => e.bracket_token.span.close(),
        Expr::Binary(e) => last(&e.right)?,
        Expr::Assign(e) => last(&e.right)?,
        Expr::Loop(e) => e.body.brace_token.span.close(),
        Expr::While(e) => e.body.brace_token.span.close(),
        Expr::ForLoop(e) => e.body.brace_token.span.close(),
        Expr::Block(e) => e.block.brace_token.span.close(),
        Expr::Async(e) => e.block.brace_token.span.close(),
        Expr::If(e) => match &e.else_branch {
            Some((_, otherwise)) => last(otherwise)?,
            None => e.then_branch.brace_token.span.close(),
        },
        Expr::Match(e) => e.brace_token.span.close(),
        Expr::Unsafe(e) => e.block.brace_token.span.close(),
        Expr::Return(e) => match &e.expr {
            Some(value) => last(value)?,
            None => e.return_token.span,
        },
        Expr::Reference(e) => last(&e.expr)?,
        Expr::Paren(e) => e.paren_token.span.close(),
        Expr::Tuple(e) => e.paren_token.span.close(),
        Expr::Array(e) => e.bracket_token.span.close(),
        Expr::Closure(e) => last(&e.body)?,
        Expr::Path(e) if e.qself.is_none() => path_last(&e.path)?,
        Expr::Macro(e) => match &e.mac.delimiter {
            MacroDelimiter::Paren(p) => p.span.close(),
            MacroDelimiter::Brace(b) => b.span.close(),
            MacroDelimiter::Bracket(b) => b.span.close(),
        },
        _ => return None,
    })
}

fn path_first(path: &Path) -> Option<Span> {
    match &path.leading_colon {
        Some(colons) => Some(colons.spans[0]),
        None => path.segments.first().map(|s| s.ident.span()),
    }
}

/// The last segment's name, when it has no generic arguments.
fn path_last(path: &Path) -> Option<Span> {
    let segment = path.segments.last()?;
    segment.arguments.is_none().then(|| segment.ident.span())
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::visit::{self, Visit};

    /// Every expression and block of `source`: where the cheap span differs
    /// from `Spanned::span`, as text for the assertion.
    fn mismatches(source: &str) -> Vec<String> {
        struct Compare(Vec<String>);
        impl Visit<'_> for Compare {
            fn visit_expr(&mut self, e: &Expr) {
                let (cheap, full) = (expr(e), e.span());
                if (cheap.start(), cheap.end()) != (full.start(), full.end()) {
                    self.0
                        .push(format!("{:?} vs {:?}: {}", cheap, full, quote::quote!(#e)));
                }
                visit::visit_expr(self, e);
            }
            fn visit_block(&mut self, b: &Block) {
                let (cheap, full) = (block(b), b.span());
                if (cheap.start(), cheap.end()) != (full.start(), full.end()) {
                    self.0.push(format!("block {:?} vs {:?}", cheap, full));
                }
                visit::visit_block(self, b);
            }
        }
        let file = syn::parse_file(source).expect("parses");
        let mut compare = Compare(Vec::new());
        compare.visit_file(&file);
        compare.0
    }

    #[test]
    fn cheap_spans_match_syn_on_every_expression_form() {
        let source = r#"
            fn f() {
                let a = x.y(1).await?[2] + ::std::f(3) * g::<u8>(4);
                'outer: loop { while c { for i in 0..n { break 'outer; } } }
                let b = 'l: { 1 };
                let c = async move { 1 } ;
                let d = move |x| x + 1;
                let e = async || {};
                let g = |x: u8| -> u8 { x };
                let h = if a { 1 } else if b { 2 } else { 3 };
                let i = match a { _ => 1 };
                let j = unsafe { 1 };
                let k = &mut (a, [b], (c));
                let l = #[allow(x)] { 1 };
                let m = vec![1]; m = println!("{}", 1); s.0; s.f; Vec::<u8>::new; <T as X>::f();
                return; return a.b;
                x = y = z;
                -a as u8; !b; a..b; S { a }; static || 1;
            }
        "#;
        assert_eq!(mismatches(source), Vec::<String>::new());
    }

    /// The project's own sources and fixtures: thousands of real expressions.
    #[test]
    fn cheap_spans_match_syn_on_the_projects_sources_and_fixtures() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut checked = 0;
        for dir in [
            "src",
            "src/rules",
            "src/rules/detached",
            "src/rules/swallowed",
            "src/rules/shutdown",
        ]
        .iter()
        .map(|d| root.join(d))
        .chain(
            std::fs::read_dir(root.join("fixtures"))
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path()),
        ) {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.extension().is_none_or(|e| e != "rs") {
                    continue;
                }
                let Ok(source) = std::fs::read_to_string(&path) else {
                    continue;
                };
                if syn::parse_file(&source).is_err() {
                    continue;
                }
                assert_eq!(
                    mismatches(&source),
                    Vec::<String>::new(),
                    "{}",
                    path.display()
                );
                checked += 1;
            }
        }
        assert!(checked > 100, "only {checked} files checked");
    }
}
