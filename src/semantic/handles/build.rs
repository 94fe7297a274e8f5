//! Building the model of one function body.

use crate::base::fasthash::{FastMap, FastSet};

use syn::visit::Visit;
use syn::{Block, FnArg, Pat, Signature, Stmt};

use super::bind::Binder;
use super::classify::*;
use super::model::*;
use super::record::Recorder;
use crate::base::finding::Region;
use crate::semantic::lookup::Lookup;

/// Bounds of the whole file: parameters are in force in all of the body.
const START: (usize, usize) = (0, 0);
const END: (usize, usize) = (usize::MAX, usize::MAX);

/// Is `stmts` the body of the function the walk is in?
pub fn is_fn_body(stmts: &[Stmt], cx: &dyn Lookup<'_>) -> bool {
    cx.enclosing_fn().is_some_and(|f| {
        std::ptr::eq(f.body.stmts.as_ptr(), stmts.as_ptr()) && f.body.stmts.len() == stmts.len()
    })
}

impl<'a> Handles<'a> {
    /// Builds the model of one function body (`sig` gives the parameters).
    pub fn of_fn(sig: Option<&'a Signature>, body: &'a Block, cx: &dyn Lookup<'a>) -> Handles<'a> {
        let mut filled: FastMap<String, HandleKind> = FastMap::default();
        let mut handles = Handles::default();
        // Collections filled later in the body are holders from their `let`
        // on, so bindings are collected until the set of filled names is stable.
        for _ in 0..3 {
            handles = Handles::default();
            if let Some(sig) = sig {
                handles.bind_params(sig, cx);
            }
            let mut binder = Binder {
                handles: &mut handles,
                cx,
                filled: &filled,
                newly_filled: FastMap::default(),
                scope: (START, END),
                block_end: END,
                let_end: None,
            };
            binder.visit_block(body);
            let newly = binder.newly_filled;
            if newly.keys().all(|k| filled.contains_key(k)) {
                break;
            }
            filled.extend(newly);
        }
        handles.bodies = vec![Body::new(
            crate::syntax::spans::block(body),
            sig.is_some_and(|s| s.asyncness.is_some()),
        )];
        let mut recorder = Recorder {
            handles: &mut handles,
            cx,
            claimed: FastSet::default(),
            inline: FastSet::default(),
            body: 0,
            tail: body.stmts.last().and_then(|s| match s {
                Stmt::Expr(e, None) => Some(crate::syntax::exprs::expr_key(e)),
                _ => None,
            }),
        };
        recorder.visit_block(body);
        for binding in &mut handles.bindings {
            binding.events.sort_by_key(|e| start(e.region));
        }
        handles
    }

    fn bind_params(&mut self, sig: &'a Signature, cx: &dyn Lookup<'a>) {
        for input in &sig.inputs {
            let FnArg::Typed(typed) = input else { continue };
            let Pat::Ident(ident) = &*typed.pat else {
                continue;
            };
            let class = class_of_type(&typed.ty, cx);
            self.bind(
                ident.ident.to_string(),
                Region::from_span(ident.ident.span()),
                (START, END),
                class,
                Origin::Param,
            );
        }
    }
}
