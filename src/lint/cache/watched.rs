//! What the walk and the configuration read besides the files, watched by
//! stamp: a replayed walk must see the same.

use std::path::{Path, PathBuf};

use crate::input::discover::PROBED;
use crate::input::stamp::Stamp;
use crate::lint::inputs::Walk;

use super::records::{bytes_of, text_of};

/// The stamps of what the walk and the configuration read besides the
/// files: every folder probed (each walked folder and its parents), the
/// probed files found in them, the configuration files, the ignore files
/// (the walk's, the parents' of its roots, git's own), the folders pruned.
pub(super) fn watched(
    walk: &Walk,
    config_files: &[PathBuf],
    roots: &[PathBuf],
) -> Option<Vec<(String, Option<Stamp>)>> {
    let mut paths: Vec<PathBuf> = Vec::new();
    // A folder above the walk's roots changes when anything comes or goes
    // in it (`/tmp`): only the files the run looks for there are watched.
    let above: std::collections::HashSet<PathBuf> = roots
        .iter()
        .flat_map(|root| {
            let root = crate::input::discover::absolute(root);
            root.ancestors()
                .skip(1)
                .map(Path::to_path_buf)
                .collect::<Vec<_>>()
        })
        .collect();
    for (dir, bits) in &walk.probed {
        let is_above = above.contains(&crate::input::discover::absolute(dir));
        if !is_above {
            paths.push(dir.clone());
        }
        for (i, name) in PROBED.iter().enumerate() {
            if is_above || bits & 1 << i != 0 {
                paths.push(dir.join(name));
            }
        }
    }
    paths.extend(config_files.iter().cloned());
    paths.extend(walk.ignore_files.iter().cloned());
    paths.extend(walk.pruned.iter().cloned());
    paths.extend(walk.unreadable.iter().map(|(p, _)| p.clone()));
    for root in roots {
        let root = crate::input::discover::absolute(root);
        for dir in root.ancestors() {
            for name in [".gitignore", ".ignore", ".git/info/exclude"] {
                paths.push(dir.join(name));
            }
        }
    }
    paths.extend(ignore::gitignore::gitconfig_excludes_path());
    if let Some(home) = std::env::var_os("HOME") {
        paths.push(Path::new(&home).join(".gitconfig"));
        paths.push(Path::new(&home).join(".config/git/config"));
        paths.push(Path::new(&home).join(".config/git/ignore"));
    }
    if let Some(config) = std::env::var_os("XDG_CONFIG_HOME") {
        paths.push(Path::new(&config).join("git/config"));
        paths.push(Path::new(&config).join("git/ignore"));
    }
    // By bytes: comparing paths parses them into components.
    paths.sort_unstable_by(|a, b| bytes_of(a).cmp(bytes_of(b)));
    paths.dedup_by(|a, b| bytes_of(a) == bytes_of(b));
    // On the thread that prepares the snapshot, while the run lints.
    paths.iter().map(|path| watch(path)).collect()
}

/// A path to watch, with its stamp now (`None`: nothing there); `None`
/// when the path is not UTF-8.
pub(super) fn watch(path: &Path) -> Option<(String, Option<Stamp>)> {
    Some((text_of(path)?, Stamp::at(path)))
}

/// Is what a watched path had, it still has (and not too recent a stamp
/// to trust, see [`Stamp::is_racy`])?
pub(super) fn still_holds((path, was): &(String, Option<Stamp>), taken: i64) -> bool {
    match (was, Stamp::at(Path::new(path))) {
        (None, None) => true,
        (Some(was), Some(now)) => *was == now && !was.is_racy(taken),
        _ => false,
    }
}
