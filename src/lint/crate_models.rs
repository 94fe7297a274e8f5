//! The crate models of a run ([`crate::semantic::crate_model`]): one per
//! crate that has a file to lint, from the item signatures of all its
//! files, gathered before any is linted and built when a file of the crate
//! first needs it ([`LazyModel`]).
//!
//! The signatures of a file let through by the prefilter come from the
//! first pass (the lexing masking does anyway). A file the prefilter
//! skipped, but that names a type the model reads ([`Early::Declares`]),
//! is read again, for its signatures only, when its crate has a file to
//! lint. When the run was not given the whole crate (a pre-commit run names
//! the changed files), the crate's other files are read the same way.
//!
//! [`Early::Declares`]: crate::input::read::Early::Declares

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;

use crate::input::discover::CrateRoots;
use crate::input::read;
use crate::lint::crate_pass;
use crate::lint::engine::CrateOf;
use crate::lint::inputs::Input;
use crate::semantic::crate_model::{LazyModel, ModelFile};
use crate::text::signatures::{self, ItemTexts};

pub struct Request<'r> {
    pub files: &'r [Input],
    /// Per file: the signatures the first pass found (empty when skipped).
    pub items: Vec<ItemTexts>,
    /// Per file: skipped, but names a type the model reads (its bytes).
    pub declaring: Vec<Option<Vec<u8>>>,
    /// Per file: let through, to be linted.
    pub linted: &'r [bool],
    pub roots: &'r CrateRoots,
    pub run_paths: &'r [PathBuf],
}

/// The models of a run, and each file's place in one.
#[derive(Default)]
pub struct Models {
    models: Vec<LazyModel>,
    /// Per file: its model, its module path, and whether a
    /// `#[cfg(test)] mod` declaration makes it test code.
    of_file: Vec<Option<(usize, Vec<String>, bool)>>,
}

impl Models {
    pub fn krate_of(&self, file: usize) -> Option<(CrateOf<'_>, bool)> {
        let (model, module, in_test) = self.of_file.get(file)?.as_ref()?;
        Some((
            CrateOf {
                model: &self.models[*model],
                module: module.clone(),
            },
            *in_test,
        ))
    }
}

/// Files read only for their signatures are read up to this size (see
/// [`signatures::MAX_TEXT`]).
const REREAD_LIMIT: u64 = signatures::MAX_TEXT as u64;

/// A file's signatures: its reported path, its module path, its items.
type Signed = (String, Vec<String>, ItemTexts);

/// Gathers the model of every crate with a file to lint (each built on
/// first use). Call it inside the run's thread pool.
pub fn build(request: Request<'_>) -> Models {
    let Request {
        files,
        declaring,
        linted,
        roots,
        run_paths,
        ..
    } = request;
    // Only files to lint, with signatures, or that declare something, take part.
    let takes_part: Vec<bool> = (0..files.len())
        .map(|i| {
            !request.items[i].items.is_empty()
                || declaring.get(i).is_some_and(Option::is_some)
                || linted.get(i) == Some(&true)
        })
        .collect();
    let root_of: Vec<Option<PathBuf>> = files
        .par_iter()
        .enumerate()
        .map(|(i, f)| takes_part[i].then(|| roots.root_of(&f.path)).flatten())
        .collect();
    let modules: Vec<Vec<String>> = (0..files.len())
        .map(|i| {
            if takes_part[i] {
                module_path(root_of[i].as_deref(), &files[i].path)
            } else {
                Vec::new()
            }
        })
        .collect();
    let module_of = |i: usize| modules[i].clone();
    // The crates with a file to lint or with signatures, and those signatures.
    let mut crates: HashMap<Option<PathBuf>, Vec<Signed>> = HashMap::new();
    for (i, items) in request.items.into_iter().enumerate() {
        let has_items = !items.items.is_empty();
        if !has_items && linted.get(i) != Some(&true) {
            continue;
        }
        let entry = crates.entry(root_of[i].clone()).or_default();
        if has_items {
            entry.push((files[i].display.clone(), module_of(i), items));
        }
    }
    if crates.is_empty() {
        return Models::default();
    }
    // Skipped files that declare something, in those crates.
    let reread: Vec<(usize, Vec<u8>)> = declaring
        .into_iter()
        .enumerate()
        .filter_map(|(i, bytes)| Some((i, bytes?)))
        .filter(|(i, _)| crates.contains_key(&root_of[*i]))
        .collect();
    let reread_items: Vec<(usize, ItemTexts)> = reread
        .into_par_iter()
        .filter_map(|(i, bytes)| {
            let text = String::from_utf8(bytes).ok()?;
            if crate::input::discover::is_generated(&text) {
                return None;
            }
            Some((i, signatures::items_of(&text)))
        })
        .collect();
    for (i, items) in reread_items {
        if let Some(entry) = crates.get_mut(&root_of[i]) {
            entry.push((files[i].display.clone(), module_of(i), items));
        }
    }
    // Crates the run was not given whole: their other files.
    for (root, entry) in crates.iter_mut() {
        let Some(root) = root else { continue };
        if crate_pass::covers(run_paths, root) {
            continue;
        }
        let in_run: HashSet<PathBuf> = (0..files.len())
            .filter(|&i| takes_part[i] && root_of[i].as_ref() == Some(root))
            .map(|i| crate_pass::canonical(&files[i].path))
            .collect();
        let others: Vec<Signed> = crate_pass::crate_files(root)
            .into_par_iter()
            .filter(|path| !in_run.contains(&crate_pass::canonical(path)))
            .filter_map(|path| {
                let bytes = read::read_bounded(&path, REREAD_LIMIT).ok()?;
                let text = String::from_utf8(bytes).ok()?;
                if crate::input::discover::is_generated(&text) {
                    return None;
                }
                let items = signatures::items_of(&text);
                let module = module_path(Some(root), &path);
                Some((crate::input::discover::display_path(&path), module, items))
            })
            .collect();
        entry.extend(others);
    }
    let mut keys: Vec<Option<PathBuf>> = Vec::with_capacity(crates.len());
    let mut models: Vec<LazyModel> = Vec::with_capacity(crates.len());
    for (root, entry) in crates {
        let files = entry
            .into_iter()
            .map(|(display, module, items)| ModelFile {
                display,
                module,
                items,
            })
            .collect();
        keys.push(root);
        models.push(LazyModel::new(files));
    }
    let index: HashMap<&Option<PathBuf>, usize> =
        keys.iter().enumerate().map(|(i, k)| (k, i)).collect();
    let of_file = (0..files.len())
        .map(|i| {
            if linted.get(i) != Some(&true) {
                return None;
            }
            let model = *index.get(&root_of[i])?;
            let module = module_of(i);
            let in_test = models[model].is_test_module(&module);
            Some((model, module, in_test))
        })
        .collect();
    Models { models, of_file }
}

/// The module path of a file in its crate: `src/net/client.rs` and
/// `src/net/client/mod.rs` are `net::client`, `src/lib.rs` the root. A
/// file that is a crate root of its own (`src/bin/tool.rs`, a test, an
/// example, a build script, a file outside any `src/`) is a root too: its
/// items share the model with the library's, and a name both define is
/// ambiguous, so not followed.
pub fn module_path(root: Option<&Path>, path: &Path) -> Vec<String> {
    let absolute = crate::input::discover::absolute(path);
    let relative = root
        .and_then(|root| absolute.strip_prefix(root).ok())
        .unwrap_or(&absolute);
    let parts: Vec<String> = relative
        .components()
        .filter_map(|c| match c {
            Component::Normal(part) => Some(part.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    let Some(src) = parts.iter().rposition(|p| p == "src") else {
        return Vec::new();
    };
    let mut module: Vec<String> = parts[src + 1..].to_vec();
    if module.first().is_some_and(|m| m == "bin") {
        return Vec::new();
    }
    if let Some(last) = module.pop() {
        let stem = last.strip_suffix(".rs").unwrap_or(&last).to_string();
        let is_root = module.is_empty() && matches!(stem.as_str(), "lib" | "main");
        if stem != "mod" && !is_root {
            module.push(stem);
        }
    }
    module
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_paths() {
        let root = Path::new("/c");
        let m = |p: &str| module_path(Some(root), Path::new(p)).join("::");
        assert_eq!(m("/c/src/lib.rs"), "");
        assert_eq!(m("/c/src/main.rs"), "");
        assert_eq!(m("/c/src/net/client.rs"), "net::client");
        assert_eq!(m("/c/src/net/mod.rs"), "net");
        assert_eq!(m("/c/src/bin/tool.rs"), "");
        assert_eq!(m("/c/tests/it.rs"), "");
    }
}
