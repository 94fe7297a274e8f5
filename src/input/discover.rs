//! Which files a run lints: a walk of the given paths that honours
//! `.gitignore`, skips `target/` and `vendor/`, and applies `--exclude`.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use ignore::gitignore::{Gitignore, GitignoreBuilder};

use crate::base::fasthash::{FastMap, FastSet};
use rayon::prelude::*;

/// A file to lint.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SourcePath {
    pub path: PathBuf,
    /// Named on the command line (so not subject to the generated-file and
    /// `target/` skips).
    pub explicit: bool,
}

#[derive(Debug, Default, Clone)]
pub struct DiscoverOptions {
    pub no_ignore: bool,
    pub excludes: Vec<String>,
    pub force_exclude: bool,
    /// Do not walk into a folder below a given one that has its own
    /// `Cargo.toml` (another package): `cargo tasklint` lints packages.
    pub skip_nested_crates: bool,
}

/// Folders never descended into unless named.
pub(crate) const SKIPPED_DIRS: &[&str] = &["target", "vendor"];

/// What a walk found: the files to lint, the folders it could not read,
/// and warnings (an unreadable `.gitignore`).
pub struct Discovered<T> {
    pub files: Vec<(SourcePath, T)>,
    /// A folder (or entry) the walk could not read, and why: reported as a
    /// `parse-error` finding at that path, and the walk goes on.
    pub unreadable: Vec<(PathBuf, String)>,
    pub warnings: Vec<String>,
    /// The `.gitignore` and `.ignore` files of the walked folders (none with
    /// `no_ignore`), and the folders pruned as nested crates: what the walk
    /// read beyond the folders themselves, for the result cache.
    pub ignore_files: Vec<PathBuf>,
    pub pruned: Vec<PathBuf>,
}

/// The files to lint under `paths`, sorted, each once (a file reached
/// through two overlapping paths keeps the form of the first path that
/// reached it). `visit` runs on each walked file and `visit_dir` on each
/// walked folder, on the walking thread that found it, so work done there
/// overlaps the rest of the walk (a file named on the command line gets
/// `T::default()`). The walk uses as many threads as the current rayon pool.
pub fn discover<T: Default + Send>(
    paths: &[PathBuf],
    options: &DiscoverOptions,
    visit: &(dyn Fn(&Path) -> T + Sync),
    visit_dir: &(dyn Fn(&Path) + Sync),
) -> Result<Discovered<T>, String> {
    let excludes = build_excludes(&options.excludes)?;
    // Each found file with the index of the path that found it.
    let mut found = Vec::new();
    let problems = Mutex::new((Vec::new(), Vec::new()));
    let ignore_files = Mutex::new(Vec::new());
    let pruned = std::sync::Arc::new(Mutex::new(Vec::new()));
    for (index, root) in paths.iter().enumerate() {
        let metadata =
            std::fs::metadata(root).map_err(|err| format!("{}: {err}", root.display()))?;
        if metadata.is_file() {
            let base = root.parent().unwrap_or(Path::new(""));
            if options.force_exclude && is_excluded(&excludes, root, false, base) {
                continue;
            }
            let file = SourcePath {
                path: root.clone(),
                explicit: true,
            };
            found.push((index, file, T::default()));
            continue;
        }
        if !metadata.is_dir() {
            // A FIFO would block the run, a device never ends: say so.
            return Err(format!(
                "{}: not a regular file or folder",
                display_path(root)
            ));
        }
        let mut walk = ignore::WalkBuilder::new(root);
        let (prune, walk_root) = (excludes.clone(), root.clone());
        let nested_crates = options.skip_nested_crates;
        let pruned_here = std::sync::Arc::clone(&pruned);
        walk.standard_filters(!options.no_ignore)
            .hidden(true)
            .require_git(false)
            .filter_entry(move |entry| {
                let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
                if !is_dir {
                    return true;
                }
                let nested = || {
                    let nested = entry.path().join("Cargo.toml").is_file();
                    if nested {
                        if let Ok(mut pruned) = pruned_here.lock() {
                            pruned.push(entry.path().to_path_buf());
                        }
                    }
                    nested
                };
                let skipped = entry.depth() > 0
                    && (SKIPPED_DIRS.iter().any(|d| entry.file_name() == *d)
                        || nested_crates && nested());
                // An excluded folder is not walked at all.
                !skipped && !is_excluded(&prune, entry.path(), true, &walk_root)
            });
        // The walk runs on the pool's threads; the files are sorted afterwards.
        let walked = Mutex::new(Vec::new());
        walk.threads(rayon::current_num_threads())
            .build_parallel()
            .run(|| {
                Box::new(|entry| {
                    let entry = match entry {
                        Ok(entry) => entry,
                        Err(err) => {
                            // A folder that cannot be read (or vanished, or
                            // whose path is too long) is reported; the walk goes on.
                            if let Ok(mut problems) = problems.lock() {
                                walk_problem(&err, root, &mut problems);
                            }
                            return ignore::WalkState::Continue;
                        }
                    };
                    if let Some(err) = entry.error() {
                        // A folder's ignore file that cannot be read.
                        if let Ok(mut problems) = problems.lock() {
                            ignore_file_warnings(err, &mut problems.1);
                        }
                    }
                    let is_file = entry.file_type().is_some_and(|t| t.is_file());
                    let path = entry.path();
                    if entry.file_type().is_some_and(|t| t.is_dir()) {
                        visit_dir(path);
                        if !options.no_ignore {
                            let (found, warning) = ignore_files_in(path);
                            if let Some(warning) = warning {
                                if let Ok(mut problems) = problems.lock() {
                                    problems.1.push(warning);
                                }
                            }
                            if !found.is_empty() {
                                if let Ok(mut ignore_files) = ignore_files.lock() {
                                    ignore_files.extend(found);
                                }
                            }
                        }
                    }
                    if is_file
                        && path.extension().is_some_and(|ext| ext == "rs")
                        && !is_excluded(&excludes, path, false, root)
                    {
                        let file = SourcePath {
                            path: path.to_path_buf(),
                            explicit: false,
                        };
                        let visited = visit(path);
                        if let Ok(mut walked) = walked.lock() {
                            walked.push((index, file, visited));
                        }
                    }
                    ignore::WalkState::Continue
                })
            });
        found.extend(walked.into_inner().unwrap_or_default());
    }
    if paths.len() > 1 {
        // Overlapping paths (`. src`, `a.rs ./a.rs`) reach a file twice:
        // keep it once, as the first path given reached it (named, if it was).
        let mut keyed: Vec<(PathBuf, _)> = found
            .into_iter()
            .map(|found| (normalised(&found.1.path), found))
            .collect();
        keyed.sort_by(|(a, (ai, af, _)), (b, (bi, bf, _))| {
            let (a_bytes, b_bytes) = (
                a.as_os_str().as_encoded_bytes(),
                b.as_os_str().as_encoded_bytes(),
            );
            a_bytes
                .cmp(b_bytes)
                .then(bf.explicit.cmp(&af.explicit))
                .then(ai.cmp(bi))
        });
        keyed.dedup_by(|(a, _), (b, _)| a == b);
        found = keyed.into_iter().map(|(_, found)| found).collect();
    }
    let mut found: Vec<(SourcePath, T)> = found
        .into_iter()
        .map(|(_, file, visited)| (file, visited))
        .collect();
    // By bytes: comparing paths component by component took a tenth of a
    // corpus run, on one core.
    found.sort_unstable_by(|(a, _), (b, _)| {
        let (a_bytes, b_bytes) = (
            a.path.as_os_str().as_encoded_bytes(),
            b.path.as_os_str().as_encoded_bytes(),
        );
        a_bytes.cmp(b_bytes).then(a.explicit.cmp(&b.explicit))
    });
    found.dedup_by(|(a, _), (b, _)| a.path == b.path);
    let (mut unreadable, warnings) = problems.into_inner().unwrap_or_default();
    unreadable.sort();
    unreadable.dedup();
    let mut ignore_files = ignore_files.into_inner().unwrap_or_default();
    ignore_files.sort();
    let mut pruned = pruned.lock().map(|p| p.clone()).unwrap_or_default();
    pruned.sort();
    Ok(Discovered {
        files: found,
        unreadable,
        warnings,
        ignore_files,
        pruned,
    })
}

/// Sorts an error of the walk under `root`: an ignore file that cannot be
/// read or parsed is a warning, anything else an unreadable path.
fn walk_problem(
    err: &ignore::Error,
    root: &Path,
    (unreadable, warnings): &mut (Vec<(PathBuf, String)>, Vec<String>),
) {
    let (path, inner) = unwrap_error(err);
    let is_ignore_file = matches!(inner, ignore::Error::Partial(_))
        || path.is_some_and(|p| {
            p.file_name()
                .is_some_and(|n| n == ".gitignore" || n == ".ignore" || n == "exclude")
        });
    if is_ignore_file {
        ignore_file_warnings(err, warnings);
    } else {
        let path = path.map_or_else(|| root.to_path_buf(), Path::to_path_buf);
        unreadable.push((path, reason(inner)));
    }
}

/// A warning for a folder's ignore file that exists but cannot be read:
/// the walk skips it silently.
/// The folder's ignore files that exist, and the warning for the first
/// that cannot be read.
fn ignore_files_in(dir: &Path) -> (Vec<PathBuf>, Option<String>) {
    let mut found = Vec::new();
    let mut warning = None;
    for name in [".gitignore", ".ignore"] {
        let file = dir.join(name);
        let Ok(metadata) = std::fs::metadata(&file) else {
            continue;
        };
        let why = if metadata.is_file() {
            std::fs::File::open(&file).err().map(|err| err.to_string())
        } else {
            Some("not a regular file".to_string())
        };
        if let (Some(why), None) = (why, &warning) {
            warning = Some(format!(
                "cannot use `{}`: {why}; the files it ignores are linted",
                display_path(&file)
            ));
        }
        found.push(file);
    }
    (found, warning)
}

/// Warnings for an ignore file that could not be read or parsed.
fn ignore_file_warnings(err: &ignore::Error, warnings: &mut Vec<String>) {
    let (path, inner) = unwrap_error(err);
    if let ignore::Error::Partial(errors) = inner {
        for err in errors {
            ignore_file_warnings(err, warnings);
        }
        return;
    }
    let at = path.map_or_else(
        || "an ignore file".to_string(),
        |p| format!("`{}`", display_path(p)),
    );
    warnings.push(format!(
        "cannot use {at}: {}; the files it ignores are linted",
        reason(inner)
    ));
}

/// The first path an error names, and the error under its paths, depths
/// and line numbers.
fn unwrap_error(mut err: &ignore::Error) -> (Option<&Path>, &ignore::Error) {
    let mut path = None;
    loop {
        match err {
            ignore::Error::WithPath {
                path: at,
                err: inner,
            } => {
                path = path.or(Some(at.as_path()));
                err = inner;
            }
            ignore::Error::WithDepth { err: inner, .. }
            | ignore::Error::WithLineNumber { err: inner, .. } => err = inner,
            _ => return (path, err),
        }
    }
}

fn reason(err: &ignore::Error) -> String {
    match err {
        ignore::Error::Io(io) => io.to_string(),
        other => other.to_string(),
    }
}

/// The path made absolute and with `.` and `..` resolved as written, the key
/// that tells two spellings of one file apart from two files.
pub(crate) fn normalised(path: &Path) -> PathBuf {
    let mut normal = PathBuf::new();
    for component in absolute(path).components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                normal.pop();
            }
            other => normal.push(other),
        }
    }
    normal
}

/// Does `--exclude` match this path (for standard input's `--stdin-filename`)?
pub fn is_excluded_path(path: &Path, options: &DiscoverOptions) -> Result<bool, String> {
    let base = path.parent().unwrap_or(Path::new(""));
    Ok(is_excluded(
        &build_excludes(&options.excludes)?,
        path,
        false,
        base,
    ))
}

fn build_excludes(globs: &[String]) -> Result<Option<Gitignore>, String> {
    if globs.is_empty() {
        return Ok(None);
    }
    let cwd = std::env::current_dir()
        .map_err(|err| format!("cannot read the current directory: {err}"))?;
    let mut builder = GitignoreBuilder::new(cwd);
    for glob in globs {
        builder
            .add_line(None, glob)
            .map_err(|err| format!("invalid exclude glob `{glob}`: {err}"))?;
    }
    builder
        .build()
        .map(Some)
        .map_err(|err| too_many_globs("--exclude", globs.len(), &err))
}

/// Why globs that are each valid did not compile together.
pub(crate) fn too_many_globs(what: &str, count: usize, err: &dyn std::fmt::Display) -> String {
    format!("{what}: cannot compile {count} globs together, too many or too complex ({err}); use fewer globs, or globs on folders")
}

/// Globs are relative to the current directory; a path outside it is
/// matched relative to the walk root it was found under.
fn is_excluded(excludes: &Option<Gitignore>, path: &Path, is_dir: bool, walk_root: &Path) -> bool {
    let Some(excludes) = excludes else {
        return false;
    };
    let path = absolute(path);
    let relative = match path.strip_prefix(excludes.path()) {
        Ok(inside) => inside.to_path_buf(),
        Err(_) => match path.strip_prefix(absolute(walk_root)) {
            Ok(under_root) => under_root.to_path_buf(),
            Err(_) => return false,
        },
    };
    if relative.as_os_str().is_empty() {
        return false;
    }
    excludes
        .matched_path_or_any_parents(&relative, is_dir)
        .is_ignore()
}

/// The current directory, read once: a run never changes it, and asking
/// the kernel for every one of thousands of files adds up.
fn current_dir() -> Option<&'static Path> {
    static CWD: OnceLock<Option<PathBuf>> = OnceLock::new();
    CWD.get_or_init(|| std::env::current_dir().ok()).as_deref()
}

/// The path joined to the current directory when relative (not normalised:
/// crate roots are found from this form).
pub(crate) fn absolute(path: &Path) -> PathBuf {
    match current_dir() {
        Some(cwd) if !path.is_absolute() => cwd.join(path),
        _ => path.to_path_buf(),
    }
}

/// How a path is shown: relative to the current directory when under it.
pub fn display_path(path: &Path) -> String {
    let shown = current_dir()
        .and_then(|cwd| absolute(path).strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf());
    let text = shown_text(shown.as_os_str());
    text.strip_prefix("./").map(str::to_string).unwrap_or(text)
}

/// How a path outside the run's paths is shown: as [`display_path`] below
/// the current directory, and beside it with `../` (`../tasklint.toml`).
pub fn display_from_here(path: &Path) -> String {
    let relative = current_dir()
        .filter(|cwd| !absolute(path).starts_with(cwd))
        .and_then(|cwd| pathdiff::diff_paths(normalised(path), cwd));
    match relative {
        Some(relative) => shown_text(relative.as_os_str()),
        None => display_path(path),
    }
}

/// The path's text with `/` for separators, and each byte that is not
/// UTF-8 written `\xFF`: two file names that differ only there stay two
/// names.
fn shown_text(path: &std::ffi::OsStr) -> String {
    if let Some(text) = path.to_str() {
        return text.replace('\\', "/");
    }
    let mut text = String::new();
    for chunk in path.as_encoded_bytes().utf8_chunks() {
        text.push_str(&chunk.valid().replace('\\', "/"));
        for byte in chunk.invalid() {
            text.push_str(&format!("\\x{byte:02X}"));
        }
    }
    text
}

/// The files a run looks for in folders: the manifest that makes a crate
/// root and the configuration files.
pub const PROBED: [&str; 3] = ["Cargo.toml", "tasklint.toml", ".tasklint.toml"];

/// Which of the [`PROBED`] files exist in the folders of a run's files and
/// their parents, looked up once per folder and in parallel; the config
/// resolver and [`CrateRoots`] would otherwise ask one folder at a time.
#[derive(Debug, Default)]
pub struct Probes {
    found: FastMap<PathBuf, u8>,
}

/// A probed `Cargo.toml` that does not mention tasklint (no table to read).
const PLAIN_MANIFEST: u8 = 1 << 7;

/// What [`PROBED`] files a folder holds, as bits, and whether its manifest
/// is plain ([`PLAIN_MANIFEST`]).
pub fn probe_dir(dir: &Path) -> u8 {
    let mut bits = PROBED
        .iter()
        .enumerate()
        .filter(|(_, name)| dir.join(name).is_file())
        .fold(0u8, |bits, (i, _)| bits | 1 << i);
    if bits & 1 != 0 {
        // Unreadable counts as not plain: the resolver reads it and says why.
        let text = crate::base::bounded::read_to_string(
            &dir.join(PROBED[0]),
            crate::base::bounded::CONFIG_LIMIT,
        );
        if text.is_ok_and(|text| !text.contains("tasklint")) {
            bits |= PLAIN_MANIFEST;
        }
    }
    bits
}

impl Probes {
    /// Probes the given folders and all their parents, but for those in
    /// `known` (probed by the walk, [`probe_dir`]).
    pub fn of_dirs(dirs: impl IntoIterator<Item = PathBuf>, known: FastMap<PathBuf, u8>) -> Probes {
        let mut all: FastSet<PathBuf> = FastSet::default();
        for dir in dirs {
            // A folder already seen has its parents seen too.
            for folder in dir.ancestors() {
                if !all.insert(folder.to_path_buf()) {
                    break;
                }
            }
        }
        let missing: Vec<PathBuf> = all
            .into_iter()
            .filter(|dir| !known.contains_key(dir))
            .collect();
        let mut found = known;
        found.extend(
            missing
                .into_par_iter()
                .map(|dir| {
                    let bits = probe_dir(&dir);
                    (dir, bits)
                })
                .collect::<Vec<_>>(),
        );
        Probes { found }
    }

    /// Probes known in advance, whole (a replayed walk's).
    pub fn known(found: FastMap<PathBuf, u8>) -> Probes {
        Probes { found }
    }

    /// Every folder probed, with its bits (for the result cache, which
    /// gives them back as `known`).
    pub fn entries(&self) -> impl Iterator<Item = (&Path, u8)> + '_ {
        self.found.iter().map(|(dir, bits)| (dir.as_path(), *bits))
    }

    /// Is `name` (one of [`PROBED`]) a file in `dir`?
    pub fn has(&self, dir: &Path, name: &str) -> bool {
        self.at(dir).has(dir, name)
    }

    /// What was probed of `dir`, looked up once for several questions.
    pub fn at(&self, dir: &Path) -> Probed {
        Probed(self.found.get(dir).copied())
    }
}

/// What [`Probes`] know of one folder.
#[derive(Debug, Clone, Copy)]
pub struct Probed(Option<u8>);

impl Probed {
    /// Is `name` a file in `dir` (this folder)? Looked up on disk when the
    /// folder or the name was not probed.
    pub fn has(self, dir: &Path, name: &str) -> bool {
        let known = PROBED
            .iter()
            .position(|p| *p == name)
            .and_then(|i| Some(self.0? & 1 << i != 0));
        known.unwrap_or_else(|| dir.join(name).is_file())
    }

    /// Is the folder's `Cargo.toml` known not to mention tasklint?
    pub fn plain_manifest(self) -> bool {
        self.0.is_some_and(|bits| bits & PLAIN_MANIFEST != 0)
    }
}

/// Finds each file's crate root (the folder of its nearest `Cargo.toml`), memoised per folder.
#[derive(Default)]
pub struct CrateRoots {
    cache: Mutex<FastMap<PathBuf, Option<PathBuf>>>,
    probes: std::sync::Arc<Probes>,
}

impl CrateRoots {
    pub fn new(probes: std::sync::Arc<Probes>) -> CrateRoots {
        CrateRoots {
            cache: Mutex::default(),
            probes,
        }
    }

    /// The folder [`CrateRoots::root_of`] starts from, for [`Probes::of_dirs`].
    pub fn folder_of(file: &Path) -> Option<PathBuf> {
        absolute(file).parent().map(Path::to_path_buf)
    }

    pub fn root_of(&self, file: &Path) -> Option<PathBuf> {
        let dir = absolute(file).parent()?.to_path_buf();
        self.root_of_dir(&dir)
    }

    /// The indices of `files` grouped by crate root, roots in order.
    pub fn group<'p>(
        &self,
        files: impl Iterator<Item = &'p Path>,
    ) -> Vec<(Option<PathBuf>, Vec<usize>)> {
        self.grouped(files.collect(), true)
    }

    /// [`CrateRoots::group`] on the calling thread alone: for a thread of
    /// its own, where a parallel iterator would start rayon's global pool.
    pub fn group_here<'p>(
        &self,
        files: impl Iterator<Item = &'p Path>,
    ) -> Vec<(Option<PathBuf>, Vec<usize>)> {
        self.grouped(files.collect(), false)
    }

    fn grouped(&self, files: Vec<&Path>, parallel: bool) -> Vec<(Option<PathBuf>, Vec<usize>)> {
        // Files come sorted: most share their folder, and their crate, with
        // the one before. The root of each folder's first file, in parallel.
        let mut firsts: Vec<usize> = Vec::new();
        let mut folder: Option<&Path> = None;
        for (i, file) in files.iter().enumerate() {
            if !folder.is_some_and(|folder| in_folder(file, folder)) {
                firsts.push(i);
                folder = Some(file.parent().unwrap_or(Path::new("")));
            }
        }
        let roots: Vec<Option<PathBuf>> = if parallel {
            firsts.par_iter().map(|&i| self.root_of(files[i])).collect()
        } else {
            firsts.iter().map(|&i| self.root_of(files[i])).collect()
        };
        let mut crates: Vec<(Option<PathBuf>, Vec<usize>)> = Vec::new();
        let mut by_root: FastMap<Option<PathBuf>, usize> = FastMap::default();
        let mut current: Option<usize> = None;
        for (k, (&start, root)) in firsts.iter().zip(roots).enumerate() {
            let end = firsts.get(k + 1).copied().unwrap_or(files.len());
            let at = match current {
                Some(at) if crates[at].0 == root => at,
                _ => {
                    let at = *by_root.entry(root.clone()).or_insert(crates.len());
                    if at == crates.len() {
                        crates.push((root, Vec::new()));
                    }
                    at
                }
            };
            current = Some(at);
            crates[at].1.extend(start..end);
        }
        crates.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        crates
    }

    fn root_of_dir(&self, dir: &Path) -> Option<PathBuf> {
        if let Some(known) = self.cache.lock().ok()?.get(dir) {
            return known.clone();
        }
        let root = if self.probes.has(dir, "Cargo.toml") {
            Some(dir.to_path_buf())
        } else {
            dir.parent().and_then(|parent| self.root_of_dir(parent))
        };
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(dir.to_path_buf(), root.clone());
        }
        root
    }

    /// Is this file test code by its place: under `tests/`, `benches/` or
    /// `examples/` of its crate (of the path given, with no crate), or named `tests.rs`?
    pub fn is_test_file(&self, file: &Path) -> bool {
        // The path within its crate is a suffix of the whole path: most
        // files name none of the test folders anywhere, and need no root.
        let test_dirs = ["tests", "benches", "examples"];
        let anywhere = file.file_name().is_some_and(|name| name == "tests.rs")
            || file.components().any(|c| {
                c.as_os_str()
                    .to_str()
                    .is_some_and(|c| test_dirs.contains(&c))
            });
        if !anywhere {
            return false;
        }
        let absolute_file = absolute(file);
        let relative = match self.root_of(file) {
            Some(root) => absolute_file
                .strip_prefix(&root)
                .map(Path::to_path_buf)
                .unwrap_or(absolute_file),
            None => file.to_path_buf(),
        };
        // `tests.rs` is, by convention, the file of a `#[cfg(test)] mod tests;`.
        if relative.file_name().is_some_and(|name| name == "tests.rs") {
            return true;
        }
        let mut dirs = relative.components().rev().skip(1);
        dirs.any(|c| {
            matches!(
                c.as_os_str().to_str(),
                Some("tests" | "benches" | "examples")
            )
        })
    }
}

/// Is `path` a file right in `folder` (what `Path::parent` says)? Told by
/// bytes where they can tell ([`directly_in`]): `Path::parent` and `Path`'s
/// equality parse paths into components, and walked files come sorted, so
/// most are asked about the folder of the file before.
pub fn in_folder(path: &Path, folder: &Path) -> bool {
    directly_in(path, folder)
        || path.parent().unwrap_or(Path::new("")).as_os_str() == folder.as_os_str()
}

/// Is `path` a file right in `folder`, told by bytes: its text is the
/// folder's, a separator, and a name with no separator (what
/// `Path::parent` would say, without parsing components). `false` may
/// still be in it: [`in_folder`] then asks `Path::parent`.
fn directly_in(path: &Path, folder: &Path) -> bool {
    let (path, folder) = (
        path.as_os_str().as_encoded_bytes(),
        folder.as_os_str().as_encoded_bytes(),
    );
    let is_separator = |b: &u8| std::path::is_separator(char::from(*b));
    path.len() > folder.len() + 1
        && path.starts_with(folder)
        && is_separator(&path[folder.len()])
        && !path[folder.len() + 1..].iter().any(is_separator)
}

/// A first-lines `@generated` marker.
pub fn is_generated(source: &str) -> bool {
    source
        .lines()
        .take(5)
        .any(|line| line.contains("@generated"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_right_in_a_folder_is_told_by_bytes_and_agrees_with_parent() {
        let cases = [
            ("src/a.rs", "src", true),
            ("src/sub/a.rs", "src", false),
            ("srcs/a.rs", "src", false),
            ("src//a.rs", "src", false),
            ("a.rs", "", false),
            ("/a.rs", "/", false),
            ("src/", "src", false),
        ];
        for (path, folder, expected) in cases {
            let (path, folder) = (Path::new(path), Path::new(folder));
            assert_eq!(
                directly_in(path, folder),
                expected,
                "{path:?} in {folder:?}"
            );
            // Never a different answer from `Path::parent`, only a slower one.
            if directly_in(path, folder) {
                assert_eq!(path.parent(), Some(folder), "{path:?}");
            }
        }
    }

    #[test]
    fn probes_answer_for_probed_folders_and_ask_the_disk_for_others() {
        let root = std::env::temp_dir().join(format!("tasklint-probes-{}", std::process::id()));
        let (krate, src, elsewhere) = (
            root.join("krate"),
            root.join("krate/src"),
            root.join("other"),
        );
        for dir in [&src, &elsewhere] {
            std::fs::create_dir_all(dir).expect("temp folders");
        }
        std::fs::write(krate.join("Cargo.toml"), "").expect("manifest");
        std::fs::write(elsewhere.join(".tasklint.toml"), "").expect("config");
        let probes = Probes::of_dirs([src.clone()], FastMap::default());
        assert!(probes.found.contains_key(&krate), "parents are probed");
        assert!(!probes.found.contains_key(&elsewhere));
        assert!(probes.has(&krate, "Cargo.toml"));
        assert!(!probes.has(&src, "Cargo.toml"));
        assert!(!probes.has(&krate, "tasklint.toml"));
        // Not probed: looked up on the spot.
        assert!(probes.has(&elsewhere, ".tasklint.toml"));
        let roots = CrateRoots::new(std::sync::Arc::new(probes));
        assert_eq!(roots.root_of(&src.join("lib.rs")), Some(krate));
        std::fs::remove_dir_all(&root).expect("cleanup");
    }
}
