//! `unjoined-handle-field` is decided crate-wide by [`crate::lint::crate_pass`];
//! this file declares the rule and collects each file's facts: the struct
//! fields that hold task handles or child processes, and the uses of field
//! names that may join, abort or hand them off.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashSet};
use std::rc::Rc;

use proc_macro2::{TokenStream, TokenTree};
use syn::{Expr, Member, Pat, Stmt, Type};

use crate::base::finding::Region;
use crate::base::rule::Severity;
use crate::base::rule::{Applicability, Family, Rule};
use crate::knowledge::spawner::Kind;
use crate::semantic::context::Cx;
use crate::semantic::frames::FnFrame;
use crate::semantic::walk::Check;
use crate::syntax::exprs::{expr_key, is_self, peel_type, type_arguments, ExprKey};

pub static RULE: Rule = Rule {
    id: "unjoined-handle-field",
    family: Family::Shutdown,
    severity: Severity::Warning,
    default_enabled: true,
    in_tests: false,
    crate_wide: true,
    summary:
        "a struct field holds a task handle, join set or child process that is only ever stored",
    // A `Child` field resolves only through a `process::` path or import.
    triggers: &[
        &["JoinHandle"],
        &["AbortHandle"],
        &["JoinSet"],
        &["process::", "Child"],
    ],
    // A command spawned with `kill_on_drop(true)` makes `Child` fields guards.
    body_words: &["kill_on_drop"],
    doc: include_str!("../../../lints/unjoined-handle-field.md"),
    fix: Applicability::DisplayOnly,
};

/// What one file tells the crate pass. Plain data: no syntax tree.
#[derive(Debug, Default, Clone)]
pub struct FileFacts {
    /// Struct fields whose type holds a task handle or a child process.
    pub fields: Vec<HandleField>,
    /// Field uses that may join, abort or hand off what the field holds:
    /// (the struct, where the receiver is `self` in its `impl`; the field name).
    pub handled: BTreeSet<(Option<String>, String)>,
    /// Field uses that spawn into a join set (`self.set.spawn(..)`) or
    /// abort its tasks (`abort_all()`): they leave a `JoinSet` field
    /// undrained, and handle any other field (keyed as `handled`).
    pub set_uses: BTreeSet<(Option<String>, String)>,
    /// Of `set_uses`, the fields spawned into.
    pub spawned: BTreeSet<(Option<String>, String)>,
    /// Fields cleared, or whose handles are removed and thrown away
    /// (`self.tasks.clear()`, `self.tasks.remove(&id);`): for the message.
    pub cleared: BTreeSet<(Option<String>, String)>,
    /// The file builds a command with `.kill_on_drop(true)`.
    pub kill_on_drop: bool,
}

#[derive(Debug, Clone)]
pub struct HandleField {
    pub owner: String,
    pub name: String,
    pub holds: Held,
    /// Another field of the struct is a `DropGuard`: dropping the owner
    /// cancels a token its tasks watch, so their handles are owned.
    pub beside_drop_guard: bool,
    /// The field's name.
    pub region: Region,
    /// The field's source line, for its fingerprint.
    pub line_text: String,
}

/// Reads that leave a stored handle unjoined.
const BENIGN_READS: &[&str] = &["is_finished", "len", "is_empty", "is_some", "is_none"];
/// Writes that add a handle.
const WRITES: &[&str] = &["push", "push_back", "push_front", "extend"];
/// Writes that hand back the old value, so count only when it is thrown away.
const WRITES_RETURNING_OLD: &[&str] = &["insert", "replace"];
/// Removals that drop what they remove: a handle dropped is detached.
const CLEARS: &[&str] = &["clear", "truncate"];
/// Removals that hand the value back, so count only when it is thrown away.
const REMOVALS: &[&str] = &[
    "remove",
    "swap_remove",
    "pop",
    "pop_front",
    "pop_back",
    "take",
    "drain",
];
/// Methods of a `JoinSet` that add tasks to it or abort them, leaving it undrained.
fn is_set_filling(method: &str) -> bool {
    matches!(
        method,
        "spawn"
            | "spawn_blocking"
            | "spawn_local"
            | "spawn_on"
            | "spawn_local_on"
            | "spawn_blocking_on"
            | "build_task"
            | "abort_all"
    )
}
/// Methods that reach the value inside a lock, `Option` or smart pointer.
const TRANSPARENT: &[&str] = &[
    "lock",
    "read",
    "write",
    "borrow",
    "borrow_mut",
    "get_mut",
    "as_mut",
    "as_ref",
    "unwrap",
    "expect",
];

/// Collects [`FileFacts`] during the walk.
pub struct FieldFacts {
    sink: Rc<RefCell<FileFacts>>,
    /// Field accesses already judged by the expression around them.
    claimed: HashSet<ExprKey>,
    /// Expressions whose value is thrown away (statements, `let _ =`).
    discarded: HashSet<ExprKey>,
}

impl FieldFacts {
    pub fn new(sink: Rc<RefCell<FileFacts>>) -> Self {
        FieldFacts {
            sink,
            claimed: HashSet::new(),
            discarded: HashSet::new(),
        }
    }

    /// Records a thrown-away `insert`/`replace`/`remove`, whose value is dropped.
    fn discard(&mut self, expr: &Expr) {
        if let Expr::MethodCall(m) = expr {
            let method = m.method.to_string();
            if WRITES_RETURNING_OLD.contains(&method.as_str())
                || REMOVALS.contains(&method.as_str())
            {
                self.discarded.insert(expr_key(expr));
            }
        }
    }

    fn handled(&self, owner: Option<String>, field: String) {
        self.sink.borrow_mut().handled.insert((owner, field));
    }

    fn field_use(&self, base: &Expr, member: &Member, cx: &Cx<'_>) {
        self.handled(owner_of(base, cx), member_name(member));
    }

    /// Destructuring a struct moves or borrows its fields: a handling use.
    fn pattern(&self, pat: &Pat, cx: &Cx<'_>) {
        let owner_of = |path: &syn::Path| {
            let last = path.segments.last()?.ident.to_string();
            if last == "Self" {
                cx.self_type().map(str::to_string)
            } else {
                Some(last)
            }
        };
        match pat {
            Pat::Struct(s) => {
                let owner = owner_of(&s.path);
                for field in &s.fields {
                    self.handled(owner.clone(), member_name(&field.member));
                    self.pattern(&field.pat, cx);
                }
            }
            Pat::TupleStruct(t) => {
                let owner = owner_of(&t.path);
                for (i, elem) in t.elems.iter().enumerate() {
                    self.handled(owner.clone(), i.to_string());
                    self.pattern(elem, cx);
                }
            }
            Pat::Tuple(t) => t.elems.iter().for_each(|p| self.pattern(p, cx)),
            Pat::Or(o) => o.cases.iter().for_each(|p| self.pattern(p, cx)),
            Pat::Reference(r) => self.pattern(&r.pat, cx),
            Pat::Type(t) => self.pattern(&t.pat, cx),
            Pat::Paren(p) => self.pattern(&p.pat, cx),
            Pat::Slice(s) => s.elems.iter().for_each(|p| self.pattern(p, cx)),
            Pat::Ident(i) => {
                if let Some((_, sub)) = &i.subpat {
                    self.pattern(sub, cx);
                }
            }
            _ => {}
        }
    }

    /// A macro body that did not parse: every `.name` in it counts as a use.
    fn raw_macro(&self, mac: &syn::Macro, cx: &Cx<'_>) {
        if cx.expansions.get(mac).is_some() {
            return;
        }
        let mut names = Vec::new();
        dotted_names(mac.tokens.clone(), &mut names);
        for name in names {
            self.handled(None, name);
        }
    }
}

/// The struct a field access belongs to, where the receiver is `self` in its `impl`.
fn owner_of(base: &Expr, cx: &Cx<'_>) -> Option<String> {
    if is_self(base) {
        cx.self_type().map(str::to_string)
    } else {
        None
    }
}

/// The struct and name of a field access.
fn field_key(field: &Expr, cx: &Cx<'_>) -> Option<(Option<String>, String)> {
    match field {
        Expr::Field(f) => Some((owner_of(&f.base, cx), member_name(&f.member))),
        _ => None,
    }
}

fn member_name(member: &Member) -> String {
    match member {
        Member::Named(ident) => ident.to_string(),
        Member::Unnamed(index) => index.index.to_string(),
    }
}

/// The names after a `.` in raw tokens, method calls (`.name(..)`) aside.
fn dotted_names(tokens: TokenStream, out: &mut Vec<String>) {
    let mut pending: Option<String> = None;
    let mut after_dot = false;
    for tree in tokens {
        let is_call = matches!(&tree, TokenTree::Group(g) if g.delimiter() == proc_macro2::Delimiter::Parenthesis);
        if let Some(name) = pending.take() {
            if !is_call {
                out.push(name);
            }
        }
        match tree {
            TokenTree::Group(g) => {
                dotted_names(g.stream(), out);
                after_dot = false;
            }
            TokenTree::Punct(p) => after_dot = p.as_char() == '.',
            TokenTree::Ident(i) => {
                if after_dot {
                    pending = Some(i.to_string());
                }
                after_dot = false;
            }
            TokenTree::Literal(l) => {
                if after_dot {
                    pending = Some(l.to_string());
                }
                after_dot = false;
            }
        }
    }
    out.extend(pending);
}

/// The field access a use reaches through locks, `Option`s, indexing and
/// references: `self.task` in `*self.task.lock().unwrap()`.
fn field_under(expr: &Expr) -> Option<&Expr> {
    match expr {
        Expr::Field(_) => Some(expr),
        Expr::MethodCall(m) if TRANSPARENT.contains(&m.method.to_string().as_str()) => {
            field_under(&m.receiver)
        }
        Expr::Await(a) => field_under(&a.base),
        Expr::Try(t) => field_under(&t.expr),
        Expr::Paren(p) => field_under(&p.expr),
        Expr::Group(g) => field_under(&g.expr),
        Expr::Reference(r) => field_under(&r.expr),
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => field_under(&u.expr),
        Expr::Index(i) => field_under(&i.expr),
        _ => None,
    }
}

/// What a field's type holds that must be joined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Held {
    /// A tokio `JoinSet`: reported only when tasks are spawned into it.
    JoinSet,
    JoinHandle,
    AbortHandle,
    StdChild,
    TokioChild,
}

/// What a field's type holds that must be joined, looking through
/// `Option`, collections, locks and smart pointers.
pub fn holds(ty: &Type, cx: &Cx<'_>) -> Option<Held> {
    match peel_type(ty) {
        Type::Path(p) if p.qself.is_none() => {
            let last = p.path.segments.last()?;
            let name = last.ident.to_string();
            // These clean up when dropped; a field of them is fine.
            if matches!(
                name.as_str(),
                "AbortOnDropHandle" | "DropGuard" | "Task" | "PhantomData"
            ) {
                return None;
            }
            match cx.kind_of_type(ty) {
                Some(Kind::JoinSet) => return Some(Held::JoinSet),
                Some(Kind::JoinHandle | Kind::BlockingJoinHandle | Kind::ThreadJoinHandle) => {
                    return Some(Held::JoinHandle)
                }
                Some(Kind::AbortHandle) => return Some(Held::AbortHandle),
                Some(Kind::Child) => {
                    let tokio = cx.resolve(&p.path).as_deref() == Some("tokio::process::Child");
                    return Some(if tokio {
                        Held::TokioChild
                    } else {
                        Held::StdChild
                    });
                }
                Some(_) => return None,
                None => {}
            }
            type_arguments(last).find_map(|inner| holds(inner, cx))
        }
        Type::Tuple(t) => t.elems.iter().find_map(|e| holds(e, cx)),
        Type::Array(a) => holds(&a.elem, cx),
        Type::Slice(s) => holds(&s.elem, cx),
        _ => None,
    }
}

/// Is the type a tokio-util `DropGuard` (through `Option`, `Arc`, ...)?
fn is_drop_guard(ty: &Type) -> bool {
    match peel_type(ty) {
        Type::Path(p) if p.qself.is_none() => p.path.segments.last().is_some_and(|last| {
            last.ident == "DropGuard" || type_arguments(last).any(is_drop_guard)
        }),
        _ => false,
    }
}

/// `.kill_on_drop(true)`: tokio kills such a child when its `Child` is dropped.
pub fn is_kill_on_drop(m: &syn::ExprMethodCall) -> bool {
    m.method == "kill_on_drop"
        && matches!(m.args.first(), Some(Expr::Lit(l)) if matches!(&l.lit, syn::Lit::Bool(b) if b.value))
}

impl<'a> Check<'a> for FieldFacts {
    fn item_struct(&mut self, item: &'a syn::ItemStruct, cx: &Cx<'a>) {
        if !cx.family_applies(Family::Shutdown) {
            return;
        }
        let beside_drop_guard = item.fields.iter().any(|f| is_drop_guard(&f.ty));
        // Code outside the crate may own an unrestricted `pub` field, unless
        // the struct has a `Drop` of its own: it takes the cleanup on itself
        // (and its fields cannot be moved out).
        let owns_cleanup = || cx.krate.model().has_drop(&item.ident.to_string());
        for (i, field) in item.fields.iter().enumerate() {
            let Some(holds) = holds(&field.ty, cx) else {
                continue;
            };
            if matches!(field.vis, syn::Visibility::Public(_)) && !owns_cleanup() {
                continue;
            }
            let (name, region) = match &field.ident {
                Some(ident) => (ident.to_string(), Region::from_span(ident.span())),
                None => (
                    i.to_string(),
                    Region::from_span(syn::spanned::Spanned::span(&field.ty)),
                ),
            };
            let line_text = cx.line(region.line).to_string();
            self.sink.borrow_mut().fields.push(HandleField {
                owner: item.ident.to_string(),
                name,
                holds,
                beside_drop_guard,
                region,
                line_text,
            });
        }
    }

    fn enter_fn(&mut self, frame: &FnFrame<'a>, cx: &Cx<'a>) {
        for input in &frame.sig.inputs {
            if let syn::FnArg::Typed(typed) = input {
                self.pattern(&typed.pat, cx);
            }
        }
    }

    fn block(&mut self, stmts: &'a [Stmt], cx: &Cx<'a>) {
        for stmt in stmts {
            match stmt {
                Stmt::Expr(expr, Some(_)) => self.discard(expr),
                Stmt::Local(local) => {
                    self.pattern(&local.pat, cx);
                    if let (Pat::Wild(_), Some(init)) = (&local.pat, &local.init) {
                        self.discard(&init.expr);
                    }
                }
                Stmt::Macro(m) => self.raw_macro(&m.mac, cx),
                _ => {}
            }
        }
    }

    fn expr(&mut self, expr: &'a Expr, cx: &Cx<'a>) {
        match expr {
            Expr::Field(f) if !self.claimed.remove(&expr_key(expr)) => {
                self.field_use(&f.base, &f.member, cx);
            }
            Expr::MethodCall(m) => {
                if is_kill_on_drop(m) {
                    self.sink.borrow_mut().kill_on_drop = true;
                }
                let method = m.method.to_string();
                let method = method.as_str();
                let thrown_away = self.discarded.contains(&expr_key(expr));
                let clears =
                    CLEARS.contains(&method) || (REMOVALS.contains(&method) && thrown_away);
                let leaves_unjoined = BENIGN_READS.contains(&method)
                    || WRITES.contains(&method)
                    || (WRITES_RETURNING_OLD.contains(&method) && thrown_away)
                    || clears;
                let fills_set = is_set_filling(method);
                if leaves_unjoined || fills_set {
                    if let Some(field) = field_under(&m.receiver) {
                        self.claimed.insert(expr_key(field));
                        if let Some(key) = field_key(field, cx) {
                            let mut sink = self.sink.borrow_mut();
                            if fills_set {
                                if method != "abort_all" {
                                    sink.spawned.insert(key.clone());
                                }
                                sink.set_uses.insert(key);
                            } else if clears {
                                sink.cleared.insert(key);
                            }
                        }
                    }
                }
            }
            Expr::Assign(a) => {
                if let Some(field) = field_under(&a.left) {
                    self.claimed.insert(expr_key(field));
                }
            }
            Expr::Let(l) => self.pattern(&l.pat, cx),
            Expr::Match(m) => m.arms.iter().for_each(|arm| self.pattern(&arm.pat, cx)),
            Expr::ForLoop(f) => self.pattern(&f.pat, cx),
            Expr::Closure(c) => c.inputs.iter().for_each(|p| self.pattern(p, cx)),
            Expr::Macro(m) => self.raw_macro(&m.mac, cx),
            _ => {}
        }
    }
}
