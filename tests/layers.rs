//! The layers of `src/` (see the README's *Architecture*): a module may use
//! its own layer and the layers below it, never one above. Entry points
//! (`lib.rs`, `main.rs`, `fuzzing.rs`, `bin/`) stand above every layer.
//! A second test finds import circles between files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// The layers, lowest first: the order is written here and nowhere else.
const LAYERS: &[&str] = &[
    "base",
    "knowledge",
    "input",
    "text",
    "syntax",
    "semantic",
    "rules",
    "config",
    "lint",
    "report",
    "server",
    "cli",
];

/// A module path inside the crate, as segments (`["text", "mask"]`).
type Module = Vec<String>;

/// Every `.rs` file under `src/`, with the module path it defines.
fn modules() -> Vec<(PathBuf, Module)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("src/ is readable") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path.strip_prefix(&src).expect("under src");
                let mut module: Module = relative
                    .with_extension("")
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                if module.last().is_some_and(|m| m == "mod") {
                    module.pop();
                }
                files.push((relative.to_path_buf(), module));
            }
        }
    }
    files.sort();
    files
}

/// The layer a module belongs to: its index in [`LAYERS`], `None` for an
/// entry point.
fn layer_of(module: &[String]) -> Option<usize> {
    let first = module.first()?;
    LAYERS.iter().position(|layer| layer == first)
}

/// The crate paths a file names (`crate::x::y`, `super::z`, or
/// `tasklint::x` from a binary), each resolved to an absolute module path.
#[derive(Default)]
struct Uses {
    here: Module,
    found: BTreeSet<Module>,
}

impl Uses {
    fn add(&mut self, segments: &[String]) {
        let Some(first) = segments.first() else {
            return;
        };
        let absolute: Module = match first.as_str() {
            "crate" | "tasklint" => segments[1..].to_vec(),
            "super" | "self" => {
                let mut base = self.here.clone();
                let mut rest = segments;
                while let Some(step) = rest.first() {
                    match step.as_str() {
                        "super" => {
                            base.pop();
                        }
                        "self" => {}
                        _ => break,
                    }
                    rest = &rest[1..];
                }
                base.extend(rest.iter().cloned());
                base
            }
            // A path relative to this module (`model::Handles` in a
            // `mod.rs`): it names a file only when it names a child.
            _ => self.here.iter().chain(segments).cloned().collect(),
        };
        if !absolute.is_empty() {
            self.found.insert(absolute);
        }
    }

    fn add_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(path) => {
                prefix.push(path.ident.to_string());
                self.add_tree(prefix, &path.tree);
                prefix.pop();
            }
            syn::UseTree::Name(name) => {
                let mut full = prefix.clone();
                if name.ident != "self" {
                    full.push(name.ident.to_string());
                }
                self.add(&full);
            }
            syn::UseTree::Rename(rename) => {
                let mut full = prefix.clone();
                if rename.ident != "self" {
                    full.push(rename.ident.to_string());
                }
                self.add(&full);
            }
            syn::UseTree::Glob(_) => self.add(prefix),
            syn::UseTree::Group(group) => {
                for tree in &group.items {
                    self.add_tree(prefix, tree);
                }
            }
        }
    }
}

impl<'ast> Visit<'ast> for Uses {
    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        // `mod x;` declares a file, it imports nothing; `super` inside
        // `mod tests { .. }` is the file's own module.
        if item.content.is_none() {
            return;
        }
        self.here.push(item.ident.to_string());
        syn::visit::visit_item_mod(self, item);
        self.here.pop();
    }

    fn visit_visibility(&mut self, _: &'ast syn::Visibility) {
        // `pub(super)` names a module, it imports nothing.
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.add_tree(&mut Vec::new(), &item.tree);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        self.add(&segments);
        syn::visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        // `$crate::base::diag::line` inside a macro's body.
        let text = mac.tokens.to_string().replace(' ', "");
        for (at, _) in text.match_indices("crate::") {
            let segments: Vec<String> = text[at..]
                .split("::")
                .map(|s| {
                    s.chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect()
                })
                .take_while(|s: &String| !s.is_empty())
                .collect();
            self.add(&segments);
        }
        syn::visit::visit_macro(self, mac);
    }
}

/// Each file's module and the modules (files) it uses.
fn graph() -> BTreeMap<Module, (PathBuf, BTreeSet<Module>)> {
    let modules = modules();
    let known: BTreeSet<Module> = modules.iter().map(|(_, m)| m.clone()).collect();
    // `crate::text::mask::Masker` names the file `text/mask.rs`: the longest
    // prefix that is a file.
    let file_of = |path: &Module| -> Option<Module> {
        (1..=path.len())
            .rev()
            .map(|n| path[..n].to_vec())
            .find(|prefix| known.contains(prefix))
    };
    let mut graph = BTreeMap::new();
    for (path, module) in modules {
        let text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("src")
                .join(&path),
        )
        .expect("a readable source file");
        let file = syn::parse_file(&text).expect("src/ parses");
        let mut uses = Uses {
            here: module.clone(),
            ..Uses::default()
        };
        uses.visit_file(&file);
        let targets = uses
            .found
            .iter()
            .filter_map(&file_of)
            .filter(|target| *target != module && !target.is_empty())
            // A file may use what its folder's `mod.rs` shares with its
            // files (the family's helpers, the renderers' report types):
            // the `mod.rs` names its files, that is not a circle of layers.
            .filter(|target| !(target.len() + 1 == module.len() && module.starts_with(target)))
            .collect();
        graph.insert(module, (path, targets));
    }
    graph
}

/// The imports that go up the layers, one line each.
fn upward_imports(graph: &BTreeMap<Module, (PathBuf, BTreeSet<Module>)>) -> Vec<String> {
    let mut bad = Vec::new();
    for (module, (path, targets)) in graph {
        let Some(here) = layer_of(module) else {
            continue;
        };
        for target in targets {
            let there = layer_of(target).unwrap_or(usize::MAX);
            if there > here {
                bad.push(format!(
                    "src/{}: `{}` (layer {}) imports `{}` ({})",
                    path.display(),
                    module.join("::"),
                    LAYERS[here],
                    target.join("::"),
                    LAYERS.get(there).copied().unwrap_or("an entry point"),
                ));
            }
        }
    }
    bad
}

#[test]
fn no_module_imports_from_a_higher_layer() {
    let graph = graph();
    for module in graph.keys() {
        let top_level_file = module.len() == 1 && !LAYERS.contains(&module[0].as_str());
        assert!(
            layer_of(module).is_some()
                || top_level_file
                || module.first().is_some_and(|m| m == "bin")
                || module.is_empty(),
            "`{}` is in no layer: put it in one of {LAYERS:?} (tests/layers.rs)",
            module.join("::")
        );
    }
    let bad = upward_imports(&graph);
    assert!(
        bad.is_empty(),
        "imports from a higher layer (the order is in tests/layers.rs):\n{}",
        bad.join("\n")
    );
}

#[test]
fn no_import_circle_between_files() {
    // Uses of a file's own folder `mod.rs` are left out (see `graph`).
    let graph = graph();
    // Depth-first search for a back edge; report the first circle found.
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    let names: Vec<&Module> = graph.keys().collect();
    let index = |m: &Module| names.iter().position(|n| *n == m);
    let mut marks = vec![Mark::New; names.len()];
    let mut circles = Vec::new();
    for start in 0..names.len() {
        if marks[start] != Mark::New {
            continue;
        }
        let mut stack: Vec<(usize, Vec<usize>)> = Vec::new();
        let edges =
            |i: usize| -> Vec<usize> { graph[names[i]].1.iter().filter_map(&index).collect() };
        marks[start] = Mark::Open;
        stack.push((start, edges(start)));
        while let Some((node, pending)) = stack.last_mut() {
            let node = *node;
            match pending.pop() {
                Some(next) if marks[next] == Mark::Open => {
                    let from = stack.iter().position(|(n, _)| *n == next).unwrap_or(0);
                    let circle: Vec<String> = stack[from..]
                        .iter()
                        .map(|(n, _)| names[*n].join("::"))
                        .chain([names[next].join("::")])
                        .collect();
                    circles.push(circle.join(" -> "));
                }
                Some(next) if marks[next] == Mark::New => {
                    marks[next] = Mark::Open;
                    stack.push((next, edges(next)));
                }
                Some(_) => {}
                None => {
                    marks[node] = Mark::Done;
                    stack.pop();
                }
            }
        }
    }
    assert!(
        circles.is_empty(),
        "files that import each other in a circle:\n{}",
        circles.join("\n")
    );
}

#[test]
fn the_guard_sees_an_upward_import() {
    // A `base` module naming a `lint` one is reported, with its file.
    let mut graph = BTreeMap::new();
    let module = |s: &str| s.split("::").map(str::to_string).collect::<Module>();
    graph.insert(
        module("base::finding"),
        (
            PathBuf::from("base/finding.rs"),
            BTreeSet::from([module("lint::engine"), module("base::escape")]),
        ),
    );
    assert_eq!(
        upward_imports(&graph),
        vec!["src/base/finding.rs: `base::finding` (layer base) imports `lint::engine` (lint)"]
    );
}
