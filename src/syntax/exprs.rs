//! Small helpers on syntax trees: peeling wrappers off expressions, keys
//! for expression nodes, the text of paths and regions, test attributes.

use syn::punctuated::Punctuated;
use syn::{Expr, ExprCall, ExprMethodCall, Meta, Token, Type};

use crate::base::finding::Region;

/// The last path segment of a type, through references: `Server` for `&mut Server`.
pub fn type_name(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        Type::Reference(r) => type_name(&r.elem),
        Type::Paren(p) => type_name(&p.elem),
        Type::Group(g) => type_name(&g.elem),
        _ => None,
    }
}

pub fn smart_pointer_argument(call: &ExprCall) -> Option<&Expr> {
    let Expr::Path(p) = &*call.func else {
        return None;
    };
    let segments = crate::syntax::names::segments(&p.path);
    let [ty, function] = segments.as_slice() else {
        return None;
    };
    let wraps = matches!(ty.as_str(), "Arc" | "Rc" | "Box")
        && matches!(function.as_str(), "new" | "pin" | "clone");
    if wraps && call.args.len() == 1 {
        call.args.first()
    } else {
        None
    }
}

/// Adapters that wrap a future without changing what it runs.
pub fn is_future_adapter(method: &str) -> bool {
    matches!(
        method,
        "instrument"
            | "in_current_span"
            | "boxed"
            | "boxed_local"
            | "fuse"
            | "with_current_subscriber"
            | "with_subscriber"
    )
}

pub fn is_self(expr: &Expr) -> bool {
    matches!(expr, Expr::Path(p) if p.path.is_ident("self"))
}

pub fn receiver_root_is_self(expr: &Expr) -> bool {
    match expr {
        Expr::MethodCall(m) => receiver_root_is_self(&m.receiver),
        Expr::Field(f) => receiver_root_is_self(&f.base),
        Expr::Reference(r) => receiver_root_is_self(&r.expr),
        Expr::Paren(p) => receiver_root_is_self(&p.expr),
        other => is_self(other),
    }
}

/// A path expression as written: `tokio::spawn`, `::tokio::task::spawn`.
pub fn path_text(expr: &Expr) -> String {
    match expr {
        Expr::Path(p) => {
            let mut text = String::new();
            if p.path.leading_colon.is_some() {
                text.push_str("::");
            }
            let segments = crate::syntax::names::segments(&p.path);
            text.push_str(&segments.join("::"));
            text
        }
        _ => String::new(),
    }
}

/// The text of a region of `source`, or `None` when it lies outside.
pub fn slice_region(source: &str, region: Region) -> Option<String> {
    let lines: Vec<&str> = source
        .lines()
        .skip(region.line.checked_sub(1)?)
        .take(region.end_line + 1 - region.line)
        .collect();
    if lines.is_empty() {
        return None;
    }
    let mut out = String::new();
    let last = lines.len() - 1;
    for (i, line) in lines.iter().enumerate() {
        let start = if i == 0 { region.column - 1 } else { 0 };
        let chars: Vec<char> = line.chars().collect();
        let end = if i == last {
            (region.end_column - 1).min(chars.len())
        } else {
            chars.len()
        };
        if start <= end {
            out.extend(&chars[start..end]);
        }
        if i != last {
            out.push('\n');
        }
    }
    Some(out)
}

/// Is this attribute list one that marks a test function?
pub fn is_test_fn(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        let path = attr.path();
        let last = crate::syntax::names::last_segment(path);
        matches!(
            last.as_str(),
            "test" | "bench" | "rstest" | "test_case" | "quickcheck" | "proptest"
        ) || is_cfg_test(attr)
    })
}

/// Does this `#[cfg(..)]` (or `#![cfg(..)]`) make what it is on test code?
/// (See `cfg_is_test`.)
pub fn is_cfg_test(attr: &syn::Attribute) -> bool {
    if !attr.path().is_ident("cfg") {
        return false;
    }
    attr.parse_args::<Meta>()
        .is_ok_and(|predicate| cfg_is_test(&predicate))
}

/// A cfg predicate marks test code when it names `test` outside `not(..)`
/// and cannot hold in a build with neither `test` nor any feature:
/// `all(test, unix)`, `all(test, not(loom))` and `any(test, feature = "x")`
/// (a feature beside `test` is taken for one that exposes test helpers) do;
/// `not(test)`, `all(not(test), unix)` and `any(test, windows)` (built on
/// every Windows build) do not.
fn cfg_is_test(predicate: &Meta) -> bool {
    names_test(predicate, true) && value_without_test(predicate) == Some(false)
}

/// Does `test` occur in the predicate under an even number of `not`s
/// (`positive`) or an odd one?
fn names_test(predicate: &Meta, positive: bool) -> bool {
    match predicate {
        Meta::Path(path) => positive && path.is_ident("test"),
        Meta::List(list) => {
            let inner = positive != list.path.is_ident("not");
            cfg_arguments(list).is_some_and(|args| args.iter().any(|p| names_test(p, inner)))
        }
        Meta::NameValue(_) => false,
    }
}

/// The value of a cfg predicate when `test` and every `feature = ".."` are
/// off; `None` where it depends on anything else (the target, other cfgs).
fn value_without_test(predicate: &Meta) -> Option<bool> {
    match predicate {
        Meta::Path(path) if path.is_ident("test") => Some(false),
        Meta::NameValue(pair) if pair.path.is_ident("feature") => Some(false),
        Meta::List(list) => {
            let args = cfg_arguments(list)?;
            let values: Vec<Option<bool>> = args.iter().map(value_without_test).collect();
            let operator = list.path.get_ident()?.to_string();
            match (operator.as_str(), values.as_slice()) {
                ("not", [value]) => value.map(|v| !v),
                ("all", _) => decided_by(&values, false),
                ("any", _) => decided_by(&values, true),
                _ => None,
            }
        }
        _ => None,
    }
}

/// `all(..)` (`decisive` false) or `any(..)` (true) of values that may be
/// unknown: one decisive value decides, and only known values decide the other way.
fn decided_by(values: &[Option<bool>], decisive: bool) -> Option<bool> {
    if values.contains(&Some(decisive)) {
        Some(decisive)
    } else if values.iter().all(|v| *v == Some(!decisive)) {
        Some(!decisive)
    } else {
        None
    }
}

/// The predicates inside `all(..)`, `any(..)` or `not(..)`.
fn cfg_arguments(list: &syn::MetaList) -> Option<Punctuated<Meta, Token![,]>> {
    list.parse_args_with(Punctuated::parse_terminated).ok()
}

pub fn has_cfg_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(is_cfg_test)
}

/// How far down an expression (a receiver chain) [`Cx::kind_of_expr`] looks:
/// real chains that keep a kind are a few links long, and it is asked at
/// every link of a chain (quadratic time if each looked all the way down).
/// Identifies an expression node while its file is walked, for matching
/// what a `block` hook saw with what `expr` sees later. The tree does not
/// move during a walk, so its address is enough (and far cheaper than a
/// span, which syn computes by printing the expression).
pub type ExprKey = usize;

pub fn expr_key(expr: &Expr) -> ExprKey {
    std::ptr::from_ref(expr) as usize
}

/// The value a `Result` or `Option` holds, where the code says it is taken out:
/// `x?`, `x.unwrap()`, `x.expect(..)`, `(x)`: the `x`.
/// `expr` with the wrappers `inner` sees through taken off, outermost first.
pub fn peel_by<'e>(mut expr: &'e Expr, inner: impl Fn(&'e Expr) -> Option<&'e Expr>) -> &'e Expr {
    while let Some(next) = inner(expr) {
        expr = next;
    }
    expr
}

/// What `(x)` and an invisible (macro) group hold: for [`peel_by`].
pub fn transparent(expr: &Expr) -> Option<&Expr> {
    match expr {
        Expr::Paren(p) => Some(&p.expr),
        Expr::Group(g) => Some(&g.expr),
        _ => None,
    }
}

pub fn peel_result(mut expr: &Expr) -> &Expr {
    loop {
        match expr {
            Expr::Try(t) => expr = &t.expr,
            Expr::Paren(p) => expr = &p.expr,
            Expr::MethodCall(m)
                if (m.method == "unwrap" && m.args.is_empty())
                    || (m.method == "expect" && m.args.len() == 1) =>
            {
                expr = &m.receiver
            }
            _ => return expr,
        }
    }
}

/// The method-call receiver chain's root: `cmd` for `cmd.arg(x).spawn()`.
pub fn chain_root(mut expr: &Expr) -> &Expr {
    loop {
        match expr {
            Expr::MethodCall(ExprMethodCall { receiver, .. }) => expr = receiver,
            Expr::Paren(p) => expr = &p.expr,
            Expr::Reference(r) => expr = &r.expr,
            _ => return expr,
        }
    }
}

/// A type without the references, parentheses and invisible groups around it.
pub fn peel_type(mut ty: &Type) -> &Type {
    loop {
        ty = match ty {
            Type::Reference(r) => &r.elem,
            Type::Paren(p) => &p.elem,
            Type::Group(g) => &g.elem,
            other => return other,
        };
    }
}

/// The type arguments of a path segment: `A` and `B` in `Map<A, B>`.
pub fn type_arguments(segment: &syn::PathSegment) -> impl Iterator<Item = &Type> {
    let args = match &segment.arguments {
        syn::PathArguments::AngleBracketed(args) => Some(args.args.iter()),
        _ => None,
    };
    args.into_iter().flatten().filter_map(|arg| match arg {
        syn::GenericArgument::Type(ty) => Some(ty),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marks_test_code(attr: syn::Attribute) -> bool {
        is_cfg_test(&attr)
    }

    #[test]
    fn cfg_test_alone_and_with_more_conditions_is_test_code() {
        assert!(marks_test_code(syn::parse_quote!(#[cfg(test)])));
        assert!(marks_test_code(syn::parse_quote!(#![cfg(test)])));
        assert!(marks_test_code(syn::parse_quote!(#[cfg(all(test))])));
        assert!(marks_test_code(syn::parse_quote!(#[cfg(all(test, unix))])));
        assert!(marks_test_code(
            syn::parse_quote!(#[cfg(all(test, feature = "x"))])
        ));
        assert!(marks_test_code(
            syn::parse_quote!(#[cfg(all(feature = "std", test))])
        ));
        assert!(marks_test_code(
            syn::parse_quote!(#[cfg(all(test, not(loom)))])
        ));
        assert!(marks_test_code(
            syn::parse_quote!(#[cfg(all(test, not(feature = "std")))])
        ));
        assert!(marks_test_code(
            syn::parse_quote!(#[cfg(all(unix, any(test, feature = "y")))])
        ));
        assert!(marks_test_code(syn::parse_quote!(#[cfg(not(not(test)))])));
    }

    #[test]
    fn cfg_any_of_test_and_features_is_test_code() {
        assert!(marks_test_code(
            syn::parse_quote!(#[cfg(any(test, feature = "test-util"))])
        ));
        assert!(marks_test_code(
            syn::parse_quote!(#[cfg(any(feature = "a", feature = "b", test))])
        ));
        assert!(marks_test_code(
            syn::parse_quote!(#[cfg(any(all(test, unix), feature = "y"))])
        ));
    }

    #[test]
    fn cfg_that_holds_without_test_is_not_test_code() {
        assert!(!marks_test_code(syn::parse_quote!(#[cfg(not(test))])));
        assert!(!marks_test_code(
            syn::parse_quote!(#[cfg(all(not(test), unix))])
        ));
        assert!(!marks_test_code(
            syn::parse_quote!(#[cfg(all(feature = "x", not(test)))])
        ));
        assert!(!marks_test_code(
            syn::parse_quote!(#[cfg(not(all(loom, test)))])
        ));
        assert!(!marks_test_code(
            syn::parse_quote!(#[cfg(not(any(test, feature = "x")))])
        ));
        assert!(!marks_test_code(
            syn::parse_quote!(#[cfg(any(test, windows))])
        ));
        assert!(!marks_test_code(
            syn::parse_quote!(#[cfg(any(test, debug_assertions))])
        ));
        assert!(!marks_test_code(
            syn::parse_quote!(#[cfg(any(test, not(feature = "x")))])
        ));
        assert!(!marks_test_code(
            syn::parse_quote!(#[cfg(any(all(test, unix), windows))])
        ));
    }

    #[test]
    fn cfg_without_test_or_not_a_cfg_is_not_test_code() {
        assert!(!marks_test_code(syn::parse_quote!(#[cfg(feature = "x")])));
        assert!(!marks_test_code(
            syn::parse_quote!(#[cfg(feature = "test")])
        ));
        assert!(!marks_test_code(syn::parse_quote!(#[cfg(any())])));
        assert!(!marks_test_code(syn::parse_quote!(#[cfg(testing)])));
        assert!(!marks_test_code(syn::parse_quote!(#[cfg(test = "x")])));
        assert!(!marks_test_code(syn::parse_quote!(#[cfg(foo(test))])));
        assert!(!marks_test_code(
            syn::parse_quote!(#[cfg_attr(test, allow(dead_code))])
        ));
        assert!(!marks_test_code(syn::parse_quote!(#[allow(test)])));
    }
}
