//! The crate model: what a crate's item signatures say, across its files,
//! for every rule to consult. Built once per crate (files grouped by their
//! nearest `Cargo.toml`) from [`ItemTexts`] gathered before any file is
//! linted, when a file of the crate first asks it something ([`LazyModel`]):
//!
//! - type aliases, generic ones and aliases of aliases;
//! - the declared types of struct fields, named and positional;
//! - the declared return types of functions, associated functions and
//!   methods (of `impl` blocks and traits), by path or by owner;
//! - the crate's own spawners: a function or method that takes a future
//!   or closure and returns a task handle (or an alias of one, or a crate
//!   type that only wraps one and has no `Drop`) spawns, with that
//!   handle's drop semantics;
//! - the bounds of traits' associated types (`C::AsyncRuntime::spawn`);
//! - the modules declared as test code (`#[cfg(test)] mod helpers;`).
//!
//! Only items whose text names a type the rules follow (a kind type, or a
//! crate type that leads to one) are parsed. Every fact is a plain value:
//! the model is shared by the threads that lint the crate's files. A name
//! the crate defines twice with different meanings is not followed.

use crate::base::fasthash::{FastMap as HashMap, FastSet as HashSet};
use std::rc::Rc;
use std::sync::OnceLock;

use syn::{ReturnType, Type, TypeParamBound};

use crate::knowledge::spawner::{self, Kind, Spawner};
use crate::semantic::resolve::ScopeStack;
use crate::syntax::exprs::{has_cfg_test, peel_type, type_arguments};
use crate::text::lexer::is_ident_byte;
use crate::text::signatures::{ItemKind, ItemText, ItemTexts, Owner};

mod signature;
use signature::{generic_names, parse_signature, spawner_of_return, takes_task, Parsed};

/// What a value's declared type tells the rules.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Ty {
    /// A type the rules know (a `Runtime`, a `Command`, a `JoinHandle`).
    Kind(Kind),
    /// A struct, enum or trait of the crate, by name: its fields and
    /// methods are in the model.
    Crate(String),
}

impl Ty {
    pub fn kind(&self) -> Option<Kind> {
        match self {
            Ty::Kind(kind) => Some(*kind),
            Ty::Crate(_) => None,
        }
    }
}

/// A function or method of the crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FnFact {
    /// Its declared return type, where the rules follow it (`Result`,
    /// `Option`, `Arc`, references peeled).
    pub returns: Option<Ty>,
    /// It spawns, and dropping what it returns does this.
    pub spawner: Option<Spawner>,
    /// What it returns is tokio's `JoinHandle` (or an alias of it), whose
    /// join gives a `JoinError`.
    pub tokio: bool,
    /// Where it is declared, for `--explain-model`.
    pub at: String,
}

/// What an alias names.
#[derive(Debug, Clone, PartialEq, Eq)]
enum AliasFact {
    Ty(Ty),
    /// `type Shared<T> = Arc<Mutex<T>>`: what its `n`th argument names.
    Argument(usize),
}

/// One file of the crate, for [`CrateModel::build`].
pub struct CrateFile<'f> {
    /// The path as reported.
    pub display: &'f str,
    /// Its module path in the crate (`["net", "client"]` for
    /// `src/net/client.rs`).
    pub module: &'f [String],
    pub items: &'f ItemTexts,
}

#[derive(Debug, Default)]
pub struct CrateModel {
    aliases: HashMap<String, Option<AliasFact>>,
    /// Struct → field or position → type.
    fields: HashMap<String, HashMap<String, Option<Ty>>>,
    /// Free functions by path (`crate::rt::spawn`).
    fns: HashMap<String, Option<FnFact>>,
    /// The last segments of `fns`' paths: most calls name none, and are
    /// turned away without building a path.
    fn_names: HashSet<String>,
    /// The names of the functions and methods that spawn: a call by
    /// another name is turned away before its receiver is looked at.
    spawner_names: HashSet<String>,
    /// The names of all the methods in `methods`.
    method_names: HashSet<String>,
    /// Methods and associated functions by type or trait, then name.
    methods: HashMap<String, HashMap<String, Option<FnFact>>>,
    /// (trait, associated type) → the traits bounding it.
    assoc: HashMap<(String, String), Vec<String>>,
    /// Crate types (structs, enums, traits) the model knows something of.
    types: HashSet<String>,
    /// Aliases that name tokio's `JoinHandle`.
    tokio_names: HashSet<String>,
    /// Modules declared as test code, by module path.
    test_modules: Vec<Vec<String>>,
    /// Crate types with a `Drop` impl.
    dropped: HashSet<String>,
}

/// Types that hold or lend the value the rules follow: the first type
/// argument is what a field or return type is, for the rules.
const TRANSPARENT: &[&str] = &[
    "Arc",
    "Rc",
    "Box",
    "Option",
    "Result",
    "Mutex",
    "RwLock",
    "RefCell",
    "Cell",
    "MutexGuard",
    "RwLockReadGuard",
    "RwLockWriteGuard",
    "Ref",
    "RefMut",
    "Lazy",
    "LazyLock",
    "OnceCell",
    "OnceLock",
    "ManuallyDrop",
    "Weak",
    "Pin",
    "ArcSwap",
    "Cow",
];

/// Words whose imports never change what a wanted item means to the
/// model: keywords, primitive types and the prelude (a `use` item naming
/// only these is not parsed).
const NEVER_IMPORTED: &[&str] = &[
    "as", "async", "const", "crate", "dyn", "enum", "extern", "fn", "for", "impl", "in", "mut",
    "pub", "ref", "self", "Self", "static", "struct", "super", "trait", "type", "unsafe", "where",
    "bool", "char", "str", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64",
    "i128", "isize", "f32", "f64", "Option", "Some", "None", "Result", "Ok", "Err", "Vec",
    "String", "Send", "Sync", "Sized", "Clone", "Copy", "Default", "Debug", "Fn", "FnMut",
    "FnOnce", "Unpin", "Future", "Output", "std", "core", "alloc",
];

/// Words that make an item's text worth parsing, before crate names join.
fn seed_words() -> HashSet<String> {
    spawner::kind_type_names().map(str::to_string).collect()
}

/// The identifiers of a text (runs of the lexer's identifier bytes).
fn words(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        while at < bytes.len() && !is_ident_byte(bytes[at]) {
            at += 1;
        }
        let start = at;
        while at < bytes.len() && is_ident_byte(bytes[at]) {
            at += 1;
        }
        // Identifier bytes never split a character: the slice is text.
        (start < at).then(|| &text[start..at])
    })
}

impl CrateModel {
    /// The model of a file linted alone: a crate of its own (standard
    /// input, a fixture), whose items are the model.
    pub fn of_file(display: &str, source: &str) -> CrateModel {
        let items = crate::text::signatures::items_of(source);
        CrateModel::build(&[CrateFile {
            display,
            module: &[],
            items: &items,
        }])
    }

    /// The model of the crate made of `files`.
    pub fn build(files: &[CrateFile<'_>]) -> CrateModel {
        let mut model = CrateModel {
            test_modules: test_modules(files),
            ..CrateModel::default()
        };
        let relevant = relevant_names(files);
        // A function matters by what it returns: a spawner returns a handle.
        let mentions = |item: &ItemText| {
            let text = match item.kind {
                ItemKind::Fn => item.text.split_once("->").map_or("", |(_, ret)| ret),
                _ => &item.text,
            };
            words(text).any(|w| relevant.contains(w))
        };
        // Parse what matters, file by file, in each file's scope.
        let mut pending: Vec<(&CrateFile<'_>, &ItemText, Rc<ScopeStack>)> = Vec::new();
        for file in files {
            let wanted: Vec<&ItemText> = file
                .items
                .items
                .iter()
                .filter(|item| match item.kind {
                    ItemKind::Use | ItemKind::ModDecl => false,
                    // Few, and generic ones lead anywhere (`Shared<T>`).
                    ItemKind::Alias => true,
                    _ => mentions(item),
                })
                .collect();
            if wanted.is_empty() {
                continue;
            }
            // The `use` items that name a word the wanted items use.
            let named: HashSet<&str> = wanted
                .iter()
                .flat_map(|item| words(&item.text))
                .filter(|w| !NEVER_IMPORTED.contains(w) && !TRANSPARENT.contains(w))
                .collect();
            let uses: Vec<syn::Item> = file
                .items
                .items
                .iter()
                .filter(|item| item.kind == ItemKind::Use)
                .filter(|item| words(&item.text).any(|w| named.contains(w)))
                .filter_map(|item| syn::parse_str::<syn::Item>(&item.text).ok())
                .collect();
            let mut scope = ScopeStack::default();
            scope.push_module(&uses);
            let scope = Rc::new(scope);
            for item in wanted {
                pending.push((file, item, Rc::clone(&scope)));
            }
        }
        // Types first (aliases, structs, enums), then what names them.
        let mut parsed: Vec<(&CrateFile<'_>, &ItemText, Rc<ScopeStack>, syn::Item)> = Vec::new();
        let mut sigs: Vec<(&CrateFile<'_>, &ItemText, Rc<ScopeStack>, Parsed)> = Vec::new();
        let mut assoc: Vec<(&ItemText, syn::TraitItemType)> = Vec::new();
        for (file, item, scope) in pending {
            match item.kind {
                ItemKind::Fn => {
                    if let Some(sig) = parse_signature(&item.text) {
                        sigs.push((file, item, scope, sig));
                    }
                }
                ItemKind::AssocType => {
                    if let Ok(ty) = syn::parse_str::<syn::TraitItemType>(&item.text) {
                        assoc.push((item, ty));
                    }
                }
                ItemKind::Use | ItemKind::ModDecl => {}
                _ => {
                    if let Ok(parsed_item) = syn::parse_str::<syn::Item>(&item.text) {
                        if matches!(item.kind, ItemKind::Struct | ItemKind::Enum) {
                            model.types.insert(item.name.clone());
                        }
                        parsed.push((file, item, scope, parsed_item));
                    }
                }
            }
        }
        for (_, item, _, _) in &sigs {
            if let Some(Owner::Trait(name)) = &item.owner {
                model.types.insert(name.clone());
            }
        }
        // Aliases may name each other: settle them over a few rounds.
        for _ in 0..4 {
            for (_, item, scope, parsed_item) in &parsed {
                if let syn::Item::Type(alias) = parsed_item {
                    let fact = model.alias_fact(alias, scope);
                    if let Some(fact) = fact {
                        model.aliases.insert(item.name.clone(), Some(fact));
                    }
                }
            }
        }
        for (_, item, scope, parsed_item) in &parsed {
            if let syn::Item::Type(alias) = parsed_item {
                if model.is_tokio_handle(&alias.ty, scope) {
                    model.tokio_names.insert(item.name.clone());
                }
            }
        }
        let dropped: HashSet<String> = files
            .iter()
            .flat_map(|file| &file.items.items)
            .filter(|item| item.kind == ItemKind::Fn && item.name == "drop")
            .filter_map(|item| match &item.owner {
                Some(Owner::Impl {
                    self_ty,
                    trait_: Some(t),
                }) if t == "Drop" => Some(self_ty.clone()),
                _ => None,
            })
            .collect();
        // Crate types that only wrap a task handle, and have no `Drop`.
        let mut wrappers: HashMap<String, Kind> = HashMap::default();
        for (_, item, scope, parsed_item) in &parsed {
            let fields: Vec<&syn::Field> = match parsed_item {
                syn::Item::Struct(s) => s.fields.iter().collect(),
                syn::Item::Enum(e) => e.variants.iter().flat_map(|v| v.fields.iter()).collect(),
                _ => continue,
            };
            for (position, field) in fields.iter().enumerate() {
                let name = field
                    .ident
                    .as_ref()
                    .map_or_else(|| position.to_string(), ToString::to_string);
                if matches!(parsed_item, syn::Item::Struct(_)) {
                    let ty = model.ty_of(&field.ty, scope, &[]);
                    let fields = model.fields.entry(item.name.clone()).or_default();
                    insert_agreeing(fields, name, ty);
                }
            }
            let handles: Vec<Option<Kind>> = fields
                .iter()
                .map(|field| model.ty_of(&field.ty, scope, &[]).and_then(|t| t.kind()))
                .collect();
            let wraps = match parsed_item {
                syn::Item::Struct(_) => handles.len() == 1,
                syn::Item::Enum(e) => e.variants.iter().all(|v| v.fields.len() <= 1),
                _ => false,
            };
            let handle = handles
                .first()
                .copied()
                .flatten()
                .filter(|k| is_task_handle(*k));
            if let Some(kind) = handle {
                if wraps
                    && handles.iter().all(|h| *h == Some(kind))
                    && !dropped.contains(&item.name)
                {
                    // Not marked tokio's: awaiting a wrapper is its own
                    // `Future` (mongodb's unwraps the `JoinError`).
                    wrappers.insert(item.name.clone(), kind);
                }
            }
        }
        model.dropped = dropped;
        for (item, ty) in assoc {
            let Some(Owner::Trait(owner)) = &item.owner else {
                continue;
            };
            let bounds = ty
                .bounds
                .iter()
                .filter_map(|bound| match bound {
                    TypeParamBound::Trait(t) => t.path.segments.last().map(|s| s.ident.to_string()),
                    _ => None,
                })
                .collect();
            model
                .assoc
                .insert((owner.clone(), item.name.clone()), bounds);
        }
        for (file, item, scope, parsed) in &sigs {
            let (returns, spawner, tokio) = match parsed {
                Parsed::Returns(ty) => (model.ty_of(ty, scope, &[]), None, false),
                Parsed::Signature(sig) => {
                    let generics = generic_names(sig);
                    match &sig.output {
                        ReturnType::Type(_, ty) => {
                            let spawner = takes_task(sig)
                                .then(|| spawner_of_return(&model, ty, scope, &generics, &wrappers))
                                .flatten();
                            (
                                model.ty_of(ty, scope, &generics),
                                spawner,
                                spawner.is_some() && model.is_tokio_handle(ty, scope),
                            )
                        }
                        ReturnType::Default => (None, None, false),
                    }
                }
            };
            let fact = FnFact {
                returns,
                spawner,
                tokio,
                at: format!("{}:{}", file.display, item.line),
            };
            if fact.returns.is_none() && fact.spawner.is_none() {
                continue;
            }
            if fact.spawner.is_some() {
                model.spawner_names.insert(item.name.clone());
            }
            match &item.owner {
                None => {
                    let mut path = vec!["crate".to_string()];
                    path.extend(file.module.iter().cloned());
                    path.extend(item.module.iter().cloned());
                    path.push(item.name.clone());
                    model.fn_names.insert(item.name.clone());
                    insert_agreeing(&mut model.fns, path.join("::"), Some(fact));
                }
                Some(Owner::Impl { self_ty: owner, .. } | Owner::Trait(owner)) => {
                    model.types.insert(owner.clone());
                    model.method_names.insert(item.name.clone());
                    let methods = model.methods.entry(owner.clone()).or_default();
                    insert_agreeing(methods, item.name.clone(), Some(fact));
                }
            }
        }
        model
    }

    fn alias_fact(&self, alias: &syn::ItemType, scope: &ScopeStack) -> Option<AliasFact> {
        let params: Vec<String> = alias
            .generics
            .type_params()
            .map(|p| p.ident.to_string())
            .collect();
        let target = self.peeled(&alias.ty);
        if let Type::Path(p) = target {
            if let Some(ident) = p.path.get_ident() {
                if let Some(at) = params.iter().position(|param| ident == param) {
                    return Some(AliasFact::Argument(at));
                }
            }
        }
        self.ty_of(&alias.ty, scope, &params).map(AliasFact::Ty)
    }

    /// `ty` with references, parentheses and [`TRANSPARENT`] wrappers peeled.
    fn peeled<'t>(&self, ty: &'t Type) -> &'t Type {
        let mut ty = peel_type(ty);
        for _ in 0..16 {
            let Type::Path(p) = ty else { break };
            let Some(last) = p.path.segments.last() else {
                break;
            };
            if !TRANSPARENT.contains(&last.ident.to_string().as_str()) {
                break;
            }
            match type_arguments(last).next() {
                Some(inner) => ty = peel_type(inner),
                None => break,
            }
        }
        ty
    }

    /// What a type written in a scope is, for the rules. `generics`: the
    /// type parameters in scope, which name nothing the model knows.
    pub fn ty_of(&self, ty: &Type, scope: &ScopeStack, generics: &[String]) -> Option<Ty> {
        self.ty_within(ty, scope, generics, 8)
    }

    fn ty_within(
        &self,
        ty: &Type,
        scope: &ScopeStack,
        generics: &[String],
        depth: usize,
    ) -> Option<Ty> {
        match self.peeled(ty) {
            Type::Path(p) if p.qself.is_none() => self.path_within(p, scope, generics, depth),
            Type::ImplTrait(t) => self.bound_type(t.bounds.iter()),
            Type::TraitObject(t) => self.bound_type(t.bounds.iter()),
            _ => None,
        }
    }

    /// What a type path names, unpeeled: a kind type, or a crate alias or
    /// type (`Task<()>`, `Inner`).
    pub fn path_ty(&self, p: &syn::TypePath, scope: &ScopeStack) -> Option<Ty> {
        self.path_within(p, scope, &[], 8)
    }

    fn path_within(
        &self,
        p: &syn::TypePath,
        scope: &ScopeStack,
        generics: &[String],
        depth: usize,
    ) -> Option<Ty> {
        let depth = depth.checked_sub(1)?;
        let last = p.path.segments.last()?;
        let name = last.ident.to_string();
        if let Some(path) = scope.resolve(&p.path, spawner::is_known_path) {
            if let Some(kind) = spawner::kind_of_type_path(&path) {
                return Some(Ty::Kind(kind));
            }
            if !path.starts_with("crate::") {
                return None;
            }
        }
        let local = p.path.segments.len() == 1
            || matches!(
                p.path
                    .segments
                    .first()
                    .map(|s| s.ident.to_string())
                    .as_deref(),
                Some("crate" | "self" | "super")
            );
        if !local || generics.contains(&name) {
            return None;
        }
        match self.aliases.get(&name) {
            Some(Some(AliasFact::Ty(ty))) => return Some(ty.clone()),
            Some(Some(AliasFact::Argument(n))) => {
                let argument = type_arguments(last).nth(*n)?;
                return self.ty_within(argument, scope, generics, depth);
            }
            Some(None) => return None,
            None => {}
        }
        self.types.contains(&name).then_some(Ty::Crate(name))
    }

    /// Is `ty` tokio's `JoinHandle` (or actix's), or a crate alias of one:
    /// a join of it gives a `JoinError`? A crate type that wraps one is not:
    /// its own `Future` decides what awaiting it gives.
    pub fn is_tokio_handle(&self, ty: &Type, scope: &ScopeStack) -> bool {
        self.tokio_within(ty, scope, 8)
    }

    fn tokio_within(&self, ty: &Type, scope: &ScopeStack, depth: usize) -> bool {
        let Some(depth) = depth.checked_sub(1) else {
            return false;
        };
        let Type::Path(p) = self.peeled(ty) else {
            return false;
        };
        if p.qself.is_some() {
            return false;
        }
        if let Some(path) = scope.resolve(&p.path, spawner::is_known_path) {
            let tokio = path.starts_with("tokio::") || path.starts_with("actix_rt::");
            return tokio
                && matches!(
                    spawner::kind_of_type_path(&path),
                    Some(Kind::JoinHandle | Kind::BlockingJoinHandle)
                );
        }
        let Some(last) = p.path.segments.last() else {
            return false;
        };
        let name = last.ident.to_string();
        match self.aliases.get(&name) {
            Some(Some(AliasFact::Argument(n))) => type_arguments(last)
                .nth(*n)
                .is_some_and(|argument| self.tokio_within(argument, scope, depth)),
            _ => self.tokio_names.contains(&name),
        }
    }

    /// Is `name` a crate alias the model settled?
    pub fn is_alias(&self, name: &str) -> bool {
        self.aliases.get(name).is_some_and(Option::is_some)
    }

    /// Could a type written `name` (a last segment) mean anything to the
    /// model: an alias, or a crate type it knows?
    /// Does the crate implement `Drop` for this type?
    pub fn has_drop(&self, name: &str) -> bool {
        self.dropped.contains(name)
    }

    pub fn names_type(&self, name: &str) -> bool {
        self.types.contains(name) || self.aliases.contains_key(name)
    }

    /// Does the model know methods or fields of this crate type or trait?
    pub fn knows_type(&self, name: &str) -> bool {
        self.types.contains(name)
    }

    /// `impl Executor`, `dyn Executor + Send`: the crate trait named.
    pub fn bound_type<'b>(&self, bounds: impl Iterator<Item = &'b TypeParamBound>) -> Option<Ty> {
        bounds
            .filter_map(|bound| match bound {
                TypeParamBound::Trait(t) => t.path.segments.last().map(|s| s.ident.to_string()),
                _ => None,
            })
            .find(|name| self.types.contains(name))
            .map(Ty::Crate)
    }

    /// A free function, by path (`crate::rt::spawn`).
    pub fn function(&self, path: &str) -> Option<&FnFact> {
        self.fns.get(path)?.as_ref()
    }

    /// A method or associated function of a crate type or trait.
    pub fn method(&self, owner: &str, name: &str) -> Option<&FnFact> {
        self.methods.get(owner)?.get(name)?.as_ref()
    }

    /// Might a function or method of this name spawn?
    pub fn may_spawn(&self, name: &str) -> bool {
        self.spawner_names.contains(name)
    }

    /// Might a method or associated function have this name?
    pub fn has_method_named(&self, name: &str) -> bool {
        self.method_names.contains(name)
    }

    /// Might a free function have this name (the last segment of a path)?
    pub fn has_function_named(&self, name: &str) -> bool {
        self.fn_names.contains(name)
    }

    /// The declared type of a crate struct's field (`"0"` for the first
    /// positional one).
    pub fn field(&self, owner: &str, field: &str) -> Option<&Ty> {
        self.fields.get(owner)?.get(field)?.as_ref()
    }

    /// The traits bounding a trait's associated type.
    pub fn assoc_bounds(&self, owner: &str, assoc: &str) -> &[String] {
        self.assoc
            .get(&(owner.to_string(), assoc.to_string()))
            .map_or(&[], Vec::as_slice)
    }

    /// Is a file of this module path test code (declared by
    /// `#[cfg(test)] mod name;`, or below such a module)?
    pub fn is_test_module(&self, module: &[String]) -> bool {
        self.test_modules.iter().any(|m| module.starts_with(m))
    }

    /// What the model holds, one fact per line, sorted (for `--explain-model`).
    pub fn describe(&self) -> Vec<String> {
        let ty = |t: &Ty| match t {
            Ty::Kind(kind) => format!("{kind:?}"),
            Ty::Crate(name) => format!("crate type `{name}`"),
        };
        let function = |name: String, fact: &FnFact| {
            let mut line = format!("fn {name}");
            if let Some(returns) = &fact.returns {
                line.push_str(&format!(" returns {}", ty(returns)));
            }
            if let Some(spawner) = fact.spawner {
                line.push_str(&format!("; spawns ({spawner:?})"));
            }
            line.push_str(&format!("  [{}]", fact.at));
            line
        };
        let mut lines: Vec<String> = Vec::new();
        for (name, fact) in &self.aliases {
            match fact {
                Some(AliasFact::Ty(t)) => lines.push(format!("alias {name} = {}", ty(t))),
                Some(AliasFact::Argument(n)) => {
                    lines.push(format!("alias {name} = its type argument {n}"))
                }
                None => {}
            }
        }
        for (owner, fields) in &self.fields {
            for (field, t) in fields {
                if let Some(t) = t {
                    lines.push(format!("field {owner}.{field}: {}", ty(t)));
                }
            }
        }
        for (path, fact) in &self.fns {
            if let Some(fact) = fact {
                lines.push(function(path.clone(), fact));
            }
        }
        for (owner, methods) in &self.methods {
            for (name, fact) in methods {
                if let Some(fact) = fact {
                    lines.push(function(format!("{owner}::{name}"), fact));
                }
            }
        }
        for ((owner, name), bounds) in &self.assoc {
            lines.push(format!(
                "associated type {owner}::{name}: {}",
                bounds.join(" + ")
            ));
        }
        for module in &self.test_modules {
            lines.push(format!("test module {}", module.join("::")));
        }
        lines.sort();
        lines
    }
}

/// The modules declared as test code (`#[cfg(test)] mod helpers;`), by
/// module path.
fn test_modules(files: &[CrateFile<'_>]) -> Vec<Vec<String>> {
    let mut modules = Vec::new();
    for file in files {
        for item in &file.items.items {
            if item.kind != ItemKind::ModDecl || !item.text.contains("test") {
                continue;
            }
            if let Ok(syn::Item::Mod(m)) = syn::parse_str::<syn::Item>(&item.text) {
                if has_cfg_test(&m.attrs) {
                    let mut path = file.module.to_vec();
                    path.extend(item.module.iter().cloned());
                    path.push(item.name.clone());
                    modules.push(path);
                }
            }
        }
    }
    modules
}

/// A file's part of a [`LazyModel`]: its reported path, module path and
/// item signatures.
pub struct ModelFile {
    pub display: String,
    pub module: Vec<String>,
    pub items: ItemTexts,
}

/// A crate's model, built the first time a file of the crate asks for it,
/// on whichever thread lints that file: building overlaps the linting of
/// other crates' files instead of holding every file back. Which modules
/// are test code is known at once (it decides how a file is linted).
pub struct LazyModel {
    files: Vec<ModelFile>,
    test_modules: Vec<Vec<String>>,
    model: OnceLock<CrateModel>,
}

impl LazyModel {
    pub fn new(files: Vec<ModelFile>) -> LazyModel {
        let test_modules = test_modules(&Self::views(&files));
        LazyModel {
            files,
            test_modules,
            model: OnceLock::new(),
        }
    }

    /// A model built already (a file linted alone).
    pub fn ready(model: CrateModel) -> LazyModel {
        LazyModel {
            files: Vec::new(),
            test_modules: model.test_modules.clone(),
            model: OnceLock::from(model),
        }
    }

    /// The model, built now if no thread has built it yet (a thread that
    /// asks while another builds it waits for that build). A bug in the
    /// model must not end the run: the crate is then linted as if the model
    /// knew nothing.
    pub fn get(&self) -> &CrateModel {
        self.model.get_or_init(|| {
            let files = Self::views(&self.files);
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| CrateModel::build(&files)))
                .unwrap_or_default()
        })
    }

    /// Is a file of this module path test code (see
    /// [`CrateModel::is_test_module`])?
    pub fn is_test_module(&self, module: &[String]) -> bool {
        self.test_modules.iter().any(|m| module.starts_with(m))
    }

    fn views(files: &[ModelFile]) -> Vec<CrateFile<'_>> {
        files
            .iter()
            .map(|file| CrateFile {
                display: &file.display,
                module: &file.module,
                items: &file.items,
            })
            .collect()
    }
}

impl std::fmt::Debug for LazyModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LazyModel")
            .field("files", &self.files.len())
            .field("built", &self.model.get().is_some())
            .finish()
    }
}

/// Inserts a fact, unless the key already holds a different one: then the
/// key is known to be ambiguous (`None`).
fn insert_agreeing<K: std::hash::Hash + Eq, V: PartialEq>(
    map: &mut HashMap<K, Option<V>>,
    key: K,
    value: Option<V>,
) {
    match map.get_mut(&key) {
        Some(existing) if *existing != value => *existing = None,
        Some(_) => {}
        None => {
            map.insert(key, value);
        }
    }
}

/// Names of structs, enums, aliases and traits that lead to a type the
/// rules follow, grown from the kind types until nothing more joins.
fn relevant_names(files: &[CrateFile<'_>]) -> HashSet<String> {
    let mut relevant = seed_words();
    // A crate with its own `struct Command` names that type throughout: the
    // name says nothing of a kind type there (an alias still does).
    for item in files.iter().flat_map(|file| &file.items.items) {
        if matches!(item.kind, ItemKind::Struct | ItemKind::Enum) {
            relevant.remove(item.name.as_str());
        }
    }
    let candidates: Vec<(&str, Vec<&str>)> = files
        .iter()
        .flat_map(|file| &file.items.items)
        .filter(|item| {
            matches!(
                item.kind,
                ItemKind::Alias | ItemKind::Struct | ItemKind::Enum | ItemKind::AssocType
            ) || (item.kind == ItemKind::Fn && matches!(item.owner, Some(Owner::Trait(_))))
        })
        .map(|item| {
            let name = match (&item.kind, &item.owner) {
                (ItemKind::Fn | ItemKind::AssocType, Some(Owner::Trait(owner))) => owner.as_str(),
                _ => item.name.as_str(),
            };
            (name, words(&item.text).collect())
        })
        .collect();
    for _ in 0..8 {
        let before = relevant.len();
        for (name, words) in &candidates {
            if !relevant.contains(*name) && words.iter().any(|w| relevant.contains(*w)) {
                relevant.insert(name.to_string());
            }
        }
        if relevant.len() == before {
            break;
        }
    }
    relevant
}

fn is_task_handle(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::JoinHandle | Kind::BlockingJoinHandle | Kind::ThreadJoinHandle
    )
}

#[cfg(test)]
mod tests;
