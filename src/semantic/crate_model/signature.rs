//! What a function's signature says to the crate model: whether it takes
//! a task to run, and what it returns.

use crate::base::fasthash::{FastMap as HashMap, FastSet as HashSet};

use syn::{FnArg, GenericParam, Signature, Type, TypeParamBound, WherePredicate};

use super::{words, CrateModel, Ty};
use crate::knowledge::spawner::{Kind, Spawner};
use crate::semantic::resolve::ScopeStack;
use crate::syntax::exprs::{peel_type, type_arguments};

/// A function signature as far as the model needs it.
pub(super) enum Parsed {
    /// Only the return type: the signature names nothing a task could be.
    Returns(Box<Type>),
    Signature(Box<Signature>),
}

/// Parses a signature: whole when it may take a task (it names `Future`
/// or an `Fn` trait), else only its return type, which is cheaper.
pub(super) fn parse_signature(text: &str) -> Option<Parsed> {
    let may_take_task = words(text).any(|w| {
        matches!(
            w,
            "Future" | "IntoFuture" | "FnOnce" | "FnMut" | "Fn" | "BoxFuture" | "LocalBoxFuture"
        )
    });
    if may_take_task {
        return syn::parse_str::<Signature>(text)
            .ok()
            .map(|sig| Parsed::Signature(Box::new(sig)));
    }
    let (_, returns) = text.split_once("->")?;
    // Up to a `where` clause.
    let end = returns
        .match_indices("where")
        .find(|(at, _)| {
            let before = returns[..*at].chars().next_back();
            let after = returns[at + 5..].chars().next();
            before.is_some_and(char::is_whitespace) && after.is_none_or(char::is_whitespace)
        })
        .map_or(returns.len(), |(at, _)| at);
    syn::parse_str::<Type>(&returns[..end])
        .ok()
        .map(|ty| Parsed::Returns(Box::new(ty)))
}

/// The type parameters of a signature.
pub(super) fn generic_names(sig: &Signature) -> Vec<String> {
    sig.generics
        .type_params()
        .map(|p| p.ident.to_string())
        .collect()
}

/// Does the signature take a future or a closure to run: a parameter of a
/// type bounded by `Future`, `IntoFuture` or an `Fn` trait (in place or by
/// a type parameter), or a boxed one?
pub(super) fn takes_task(sig: &Signature) -> bool {
    let is_task_bound = |bound: &TypeParamBound| match bound {
        TypeParamBound::Trait(t) => t.path.segments.last().is_some_and(|s| {
            matches!(
                s.ident.to_string().as_str(),
                "Future" | "IntoFuture" | "FnOnce" | "FnMut" | "Fn"
            )
        }),
        _ => false,
    };
    let mut task_params: HashSet<String> = HashSet::default();
    for param in &sig.generics.params {
        if let GenericParam::Type(t) = param {
            if t.bounds.iter().any(is_task_bound) {
                task_params.insert(t.ident.to_string());
            }
        }
    }
    if let Some(clause) = &sig.generics.where_clause {
        for predicate in &clause.predicates {
            if let WherePredicate::Type(p) = predicate {
                if let Type::Path(bounded) = &p.bounded_ty {
                    if let Some(ident) = bounded.path.get_ident() {
                        if p.bounds.iter().any(is_task_bound) {
                            task_params.insert(ident.to_string());
                        }
                    }
                }
            }
        }
    }
    let is_task_type = |ty: &Type| -> bool {
        let ty = peel_type(ty);
        match ty {
            Type::ImplTrait(t) => t.bounds.iter().any(is_task_bound),
            Type::Path(p) => {
                let Some(last) = p.path.segments.last() else {
                    return false;
                };
                let name = last.ident.to_string();
                if p.path.segments.len() == 1 && task_params.contains(&name) {
                    return true;
                }
                if matches!(name.as_str(), "BoxFuture" | "LocalBoxFuture") {
                    return true;
                }
                // `Pin<Box<dyn Future ..>>`, `Box<dyn FnOnce() + Send>`.
                matches!(name.as_str(), "Pin" | "Box")
                    && type_arguments(last).any(|inner| {
                        let inner = peel_type(inner);
                        match inner {
                            Type::TraitObject(o) => o.bounds.iter().any(is_task_bound),
                            Type::Path(ip) => ip.path.segments.last().is_some_and(|s| {
                                s.ident == "Box"
                                    && type_arguments(s).any(|t| {
                                        matches!(peel_type(t), Type::TraitObject(o) if o.bounds.iter().any(is_task_bound))
                                    })
                            }),
                            _ => false,
                        }
                    })
            }
            _ => false,
        }
    };
    sig.inputs.iter().any(|input| match input {
        FnArg::Typed(t) => is_task_type(&t.ty),
        FnArg::Receiver(_) => false,
    })
}

/// The spawner a task-taking function is, by what it returns: a task handle
/// (`JoinHandle`, an alias of one, a crate type wrapping one).
pub(super) fn spawner_of_return(
    model: &CrateModel,
    ty: &Type,
    scope: &ScopeStack,
    generics: &[String],
    wrappers: &HashMap<String, Kind>,
) -> Option<Spawner> {
    let kind = match model.ty_of(ty, scope, generics)? {
        Ty::Kind(kind) => kind,
        Ty::Crate(name) => *wrappers.get(&name)?,
    };
    match kind {
        Kind::JoinHandle | Kind::BlockingJoinHandle => Some(Spawner::Detaching),
        Kind::ThreadJoinHandle => Some(Spawner::Thread),
        _ => None,
    }
}
