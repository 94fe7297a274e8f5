//! Name resolution of `use` trees, per scope.
//!
//! A path is resolved to the crate path it names (`tokio::task::spawn`), or to
//! nothing when it names something local or unknown. Only what can be known
//! from the file itself is used; an unknown name is never guessed at.

use std::collections::HashMap;

use syn::{Item, UseTree};

use crate::knowledge::crates::{KNOWN_CRATES, KNOWN_GLOB_MODULES};
use crate::syntax::names::{segments, unraw};

#[derive(Debug, Clone, Default)]
pub struct Imports {
    /// Local name → full path segments joined by `::`.
    names: HashMap<String, String>,
    /// Glob-imported modules that we know the contents of.
    globs: Vec<String>,
}

impl Imports {
    /// Collects the `use` items among `items`.
    pub fn from_items<'a>(items: impl IntoIterator<Item = &'a Item>) -> Imports {
        let mut imports = Imports::default();
        for item in items {
            if let Item::Use(item_use) = item {
                imports.add_tree(&mut Vec::new(), &item_use.tree);
            }
        }
        imports
    }

    /// Inherits what a parent module's scope makes visible (`use super::*`).
    pub fn extend_from(&mut self, other: &Imports) {
        for (name, path) in &other.names {
            self.names
                .entry(name.clone())
                .or_insert_with(|| path.clone());
        }
        self.globs.extend(other.globs.iter().cloned());
    }

    pub fn has_super_glob(items: &[Item]) -> bool {
        items.iter().any(|item| {
            matches!(item, Item::Use(u) if matches!(&u.tree,
                UseTree::Path(p) if p.ident == "super" && matches!(&*p.tree, UseTree::Glob(_))))
        })
    }

    fn add_tree(&mut self, prefix: &mut Vec<String>, tree: &UseTree) {
        match tree {
            UseTree::Path(path) => {
                prefix.push(unraw(&path.ident));
                self.add_tree(prefix, &path.tree);
                prefix.pop();
            }
            UseTree::Name(name) => {
                let ident = unraw(&name.ident);
                if ident == "self" {
                    if let Some(last) = prefix.last() {
                        self.insert(last.clone(), prefix.join("::"));
                    }
                } else {
                    let mut full = prefix.clone();
                    full.push(ident.clone());
                    self.insert(ident, full.join("::"));
                }
            }
            UseTree::Rename(rename) => {
                let ident = unraw(&rename.ident);
                let alias = unraw(&rename.rename);
                if alias == "_" {
                    return;
                }
                let full = if ident == "self" {
                    prefix.join("::")
                } else {
                    let mut full = prefix.clone();
                    full.push(ident);
                    full.join("::")
                };
                self.insert(alias, full);
            }
            UseTree::Glob(_) => {
                let module = prefix.join("::");
                if KNOWN_GLOB_MODULES.contains(&module.as_str()) {
                    self.globs.push(module);
                }
            }
            UseTree::Group(group) => {
                for tree in &group.items {
                    self.add_tree(prefix, tree);
                }
            }
        }
    }

    fn insert(&mut self, name: String, path: String) {
        self.names.insert(name, path);
    }

    pub fn lookup(&self, name: &str) -> Option<&str> {
        self.names.get(name).map(String::as_str)
    }
}

/// The scopes visible at one point, innermost last. A `mod` starts a fresh
/// module scope: a nested module does not see its parent's imports unless it
/// says `use super::*`.
#[derive(Debug, Default)]
pub struct ScopeStack {
    scopes: Vec<Scope>,
}

#[derive(Debug)]
struct Scope {
    imports: Imports,
    is_module: bool,
}

impl ScopeStack {
    pub fn push_module(&mut self, items: &[Item]) {
        let mut imports = Imports::from_items(items);
        if Imports::has_super_glob(items) {
            if let Some(parent) = self.module_imports() {
                imports.extend_from(&parent);
            }
        }
        self.scopes.push(Scope {
            imports,
            is_module: true,
        });
    }

    pub fn push_block<'a>(&mut self, items: impl IntoIterator<Item = &'a Item>) {
        self.scopes.push(Scope {
            imports: Imports::from_items(items),
            is_module: false,
        });
    }

    pub fn pop(&mut self) {
        self.scopes.pop();
    }

    /// Everything visible in the innermost module, block scopes included.
    fn module_imports(&self) -> Option<Imports> {
        let mut merged = Imports::default();
        let mut found = false;
        for scope in self.scopes.iter().rev() {
            merged.extend_from(&scope.imports);
            found = true;
            if scope.is_module {
                break;
            }
        }
        found.then_some(merged)
    }

    fn lookup(&self, name: &str) -> Option<&str> {
        for scope in self.scopes.iter().rev() {
            if let Some(path) = scope.imports.lookup(name) {
                return Some(path);
            }
            if scope.is_module {
                break;
            }
        }
        None
    }

    fn globs(&self) -> impl Iterator<Item = &str> {
        let mut reached_module = false;
        self.scopes
            .iter()
            .rev()
            .take_while(move |scope| {
                let take = !reached_module;
                reached_module |= scope.is_module;
                take
            })
            .flat_map(|scope| scope.imports.globs.iter().map(String::as_str))
    }

    /// Resolves a path given as segments. `leading_colon` is `::tokio::..`.
    /// `is_known` decides whether a glob-derived candidate names a real item.
    pub fn resolve_segments(
        &self,
        segments: &[String],
        leading_colon: bool,
        is_known: impl Fn(&str) -> bool,
    ) -> Option<String> {
        let (first, rest) = segments.split_first()?;
        if leading_colon {
            return Some(segments.join("::"));
        }
        let written = segments.join("::");
        if matches!(first.as_str(), "crate" | "self" | "super" | "Self") {
            // Only a configured spawner (`crate::rt::spawn`) is known by such a path.
            return (first == "crate" && is_known(&written)).then_some(written);
        }
        if let Some(path) = self.lookup(first) {
            let mut full = path.to_string();
            for segment in rest {
                full.push_str("::");
                full.push_str(segment);
            }
            if path.starts_with("crate::")
                || path.starts_with("self::")
                || path.starts_with("super::")
            {
                return (path.starts_with("crate::") && is_known(&full)).then_some(full);
            }
            return Some(full);
        }
        // A known crate, or a configured spawner's crate, written in full.
        if !rest.is_empty() && (KNOWN_CRATES.contains(&first.as_str()) || is_known(&written)) {
            return Some(written);
        }
        // A glob of a known module may supply the first segment.
        for glob in self.globs() {
            let candidate = format!("{glob}::{}", segments.join("::"));
            if is_known(&candidate) {
                return Some(candidate);
            }
        }
        None
    }

    pub fn resolve(&self, path: &syn::Path, is_known: impl Fn(&str) -> bool) -> Option<String> {
        self.resolve_segments(&segments(path), path.leading_colon.is_some(), is_known)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stack(src: &str) -> ScopeStack {
        let file: syn::File = syn::parse_str(src).expect("test source parses");
        let mut stack = ScopeStack::default();
        stack.push_module(&file.items);
        stack
    }

    fn resolve(stack: &ScopeStack, path: &str) -> Option<String> {
        let path: syn::Path = syn::parse_str(path).expect("test path parses");
        // Like the real predicate: only paths into known crates are known.
        stack.resolve(&path, |p| {
            p.ends_with("::spawn")
                && p.split("::")
                    .next()
                    .is_some_and(|c| KNOWN_CRATES.contains(&c))
        })
    }

    #[test]
    fn groups_renames_and_self() {
        let s = stack("use tokio::{spawn as go, task::{self, spawn_blocking}}; use ::std::thread;");
        assert_eq!(resolve(&s, "go").as_deref(), Some("tokio::spawn"));
        assert_eq!(
            resolve(&s, "task::spawn").as_deref(),
            Some("tokio::task::spawn")
        );
        assert_eq!(
            resolve(&s, "spawn_blocking").as_deref(),
            Some("tokio::task::spawn_blocking")
        );
        assert_eq!(
            resolve(&s, "thread::spawn").as_deref(),
            Some("std::thread::spawn")
        );
        assert_eq!(
            resolve(&s, "::tokio::spawn").as_deref(),
            Some("tokio::spawn")
        );
        assert_eq!(resolve(&s, "tokio::spawn").as_deref(), Some("tokio::spawn"));
    }

    #[test]
    fn unknown_and_local_names_do_not_resolve() {
        let s = stack("use crate::rt::spawn; fn spawn_local() {}");
        assert_eq!(resolve(&s, "spawn"), None);
        assert_eq!(resolve(&s, "spawn_local"), None);
        assert_eq!(resolve(&s, "task::spawn"), None);
        assert_eq!(resolve(&s, "self::spawn"), None);
    }

    #[test]
    fn configured_paths_resolve_in_full_and_in_the_crate() {
        let s = stack("use crate::rt::go;");
        let configured = |p: &str| p == "crate::rt::go" || p == "my_rt::spawn_named";
        let resolve = |text: &str| s.resolve(&syn::parse_str(text).expect("a path"), configured);
        assert_eq!(resolve("go").as_deref(), Some("crate::rt::go"));
        assert_eq!(resolve("crate::rt::go").as_deref(), Some("crate::rt::go"));
        assert_eq!(
            resolve("my_rt::spawn_named").as_deref(),
            Some("my_rt::spawn_named")
        );
        assert_eq!(resolve("other::spawn_named"), None);
    }

    #[test]
    fn globs_of_known_modules() {
        let s = stack("use tokio::task::*; use crate::prelude::*;");
        assert_eq!(resolve(&s, "spawn").as_deref(), Some("tokio::task::spawn"));
    }

    #[test]
    fn nested_module_sees_parent_only_through_super_glob() {
        let mut s = stack("use tokio::spawn;");
        s.push_module(&[]);
        assert_eq!(resolve(&s, "spawn"), None);
        s.pop();
        let file: syn::File = syn::parse_str("use super::*;").expect("parses");
        s.push_module(&file.items);
        assert_eq!(resolve(&s, "spawn").as_deref(), Some("tokio::spawn"));
    }
}
