//! `check --watch`: lint once, then again whenever a Rust file or a file
//! that decides what is linted and how (configuration, manifests, ignore
//! files, `--config`, `--baseline`) changes, until Ctrl-C.
//!
//! Each run is the same [`super::check`] a plain `tasklint check` runs, so
//! it reports, renders and caches as that does. What is decided here:
//! what to watch, which changes count, clearing the screen, and how it ends.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use clap::error::ErrorKind;
use notify::event::{AccessKind, AccessMode};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};

use crate::base::diag::diag;
use crate::base::escape;
use crate::config::files as config;
use crate::config::resolve::Resolver;
use crate::input::discover::SKIPPED_DIRS;
use crate::report::output;

use super::{cargo, CheckArgs, Invocation};

/// An editor's save is a burst of events (a temporary file, a rename, the
/// metadata): one re-run once the burst has been quiet this long.
const DEBOUNCE: Duration = Duration::from_millis(200);

/// A burst that goes on (a build writing for minutes, a file written in a
/// loop) is linted after this long all the same.
const LONGEST_BURST: Duration = Duration::from_secs(2);

/// Files that change what is linted or how, wherever they are found in or
/// above a linted folder.
const SETTINGS_FILES: &[&str] = &[
    "tasklint.toml",
    ".tasklint.toml",
    "Cargo.toml",
    ".gitignore",
    ".ignore",
];

/// The result cache's folder: written by every run, so never a reason for
/// another (it is hidden, so also skipped as the walk skips it).
const CACHE_DIR: &str = ".tasklint_cache";

/// Home, then clear the visible screen. Scrollback is kept: earlier reports
/// stay a scroll away, as with `clear -x`.
const CLEAR: &str = "\x1b[H\x1b[2J";

/// What wakes the loop.
enum Wake {
    Changed(Vec<PathBuf>),
    /// The watch failed or events were lost, so a change may have been missed.
    Lost(String),
    Interrupted,
}

/// Runs `check` now and after every change, until SIGINT, then exits 0
/// (as `ruff check --watch` does). Errors before the first run that no
/// saved file can fix (a path that does not exist, an unknown rule on the
/// command line, a watch that cannot start) end it with exit 2; a bad
/// configuration file, on the first run or any later one, is printed and
/// the watch goes on, for the user to fix and save.
pub(super) fn run(args: &CheckArgs, invocation: Invocation) -> Result<ExitCode, String> {
    let (paths, _) = match &args.paths[..] {
        [] => cargo::default_paths(&args.cargo, invocation, true)?,
        _ => (args.paths.clone(), false),
    };
    Resolver::new(
        None,
        true,
        config::Selection {
            select: args.select.clone(),
            extend_select: args.extend_select.clone(),
            ignore: args.ignore.clone(),
        },
    )?;
    let watched = Watched::of(&paths, &[args.config.as_deref(), args.baseline.as_deref()])?;

    let (sender, wakes) = mpsc::channel();
    let interrupts = sender.clone();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<Event>| {
        let wake = match event {
            Ok(event) if event.need_rescan() => Wake::Lost("the system dropped events".into()),
            Ok(event) if is_change(&event.kind) => Wake::Changed(event.paths),
            Ok(_) => return,
            Err(err) => Wake::Lost(err.to_string()),
        };
        let _ = sender.send(wake);
    })
    .map_err(|err| format!("cannot watch for changes: {err}"))?;
    for (path, mode) in watched.watches() {
        watcher
            .watch(&path, mode)
            .map_err(|err| format!("cannot watch `{}` for changes: {err}", path.display()))?;
    }
    on_interrupt(interrupts)?;

    let terminal = std::io::stdout().is_terminal();
    run_once(args, invocation, terminal);
    loop {
        // Wait for a change that counts, then for the burst it starts (an
        // editor's save; everything that came in during the last run) to
        // end, so that it is one run.
        let Ok(wake) = wakes.recv() else {
            return Ok(ExitCode::SUCCESS);
        };
        let cause = match watched.sort(wake, &mut watcher) {
            Sorted::Interrupted => return Ok(ExitCode::SUCCESS),
            Sorted::Ignored => continue,
            Sorted::Relint(cause) => cause,
        };
        let burst = Instant::now();
        while let Some(quiet) = LONGEST_BURST
            .checked_sub(burst.elapsed())
            .map(|left| left.min(DEBOUNCE))
        {
            match wakes.recv_timeout(quiet) {
                Ok(wake) => {
                    if let Sorted::Interrupted = watched.sort(wake, &mut watcher) {
                        return Ok(ExitCode::SUCCESS);
                    }
                }
                Err(_) => break,
            }
        }
        if !terminal && !args.quiet {
            match cause {
                Some(path) => diag!(
                    "note: `{}` changed; linting again",
                    escape::text(&watched.shown(&path).display().to_string())
                ),
                None => diag!("note: linting again"),
            }
        }
        run_once(args, invocation, terminal);
    }
}

/// Whether an event changes something: not a read (the runs' own reads
/// open every linted file, so counting them would lint forever).
fn is_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

/// What a wake asks of the loop.
enum Sorted {
    Interrupted,
    Ignored,
    /// Lint again, because of this path (`None`: events were lost).
    Relint(Option<PathBuf>),
}

/// `-` among the paths is a value clap cannot refuse by itself: the same
/// usage error as for `--stdin-filename`, from clap (exit 2).
pub(super) fn refuse_stdin(invocation: Invocation) -> clap::Error {
    let mut command = cargo::command(invocation);
    command.build();
    let message = "the argument '--watch' cannot be used with '-' (standard input)";
    match command.find_subcommand_mut("check") {
        Some(check) => check.error(ErrorKind::ArgumentConflict, message),
        None => command.error(ErrorKind::ArgumentConflict, message),
    }
}

/// One run, as `tasklint check` runs it: its exit code is not the watch's,
/// and its error (a bad configuration file) is printed like that of
/// `check`, and the watch goes on.
fn run_once(args: &CheckArgs, invocation: Invocation, terminal: bool) {
    if terminal {
        // A terminal that cannot be written will fail the report too.
        let _ = output::to_stdout(CLEAR);
    }
    if let Err(message) = super::check(args, invocation) {
        diag!("error: {}", escape::text(&message));
    }
    if !args.quiet {
        diag!("watching for changes (Ctrl-C to stop)");
    }
}

/// On SIGINT, wakes the loop, which ends once the run under way (if any)
/// has printed its whole report. A second SIGINT ends at once, exit 130,
/// for a run that takes too long.
#[cfg(unix)]
fn on_interrupt(sender: mpsc::Sender<Wake>) -> Result<(), String> {
    use signal_hook::consts::SIGINT;
    let mut signals = signal_hook::iterator::Signals::new([SIGINT])
        .map_err(|err| format!("cannot catch Ctrl-C: {err}"))?;
    std::thread::Builder::new()
        .name("watch-signals".into())
        .spawn(move || {
            let mut signals = signals.forever();
            if signals.next().is_some() {
                let _ = sender.send(Wake::Interrupted);
            }
            if signals.next().is_some() {
                std::process::exit(128 + SIGINT);
            }
        })
        .map(drop)
        .map_err(|err| format!("cannot catch Ctrl-C: {err}"))
}

/// Elsewhere Ctrl-C ends the process as it always does.
#[cfg(not(unix))]
fn on_interrupt(_sender: mpsc::Sender<Wake>) -> Result<(), String> {
    Ok(())
}

/// What is watched, and which changes count. Paths are canonical, as the
/// watcher reports them.
struct Watched {
    /// Folders linted: a Rust file or a settings file anywhere below them
    /// counts, outside the folders the walk skips.
    folders: Vec<PathBuf>,
    /// Files named to lint, and `--config` and `--baseline`.
    files: Vec<PathBuf>,
    /// The folders above the linted paths: only a settings file there
    /// counts (the nearest configuration may be up there).
    above: Vec<PathBuf>,
    /// The current folder, to show a changed path relative to it.
    shown_from: PathBuf,
}

impl Watched {
    fn of(paths: &[PathBuf], named: &[Option<&Path>]) -> Result<Watched, String> {
        let canonical = |path: &Path, what: &str| {
            path.canonicalize()
                .map_err(|err| format!("cannot watch {what} `{}`: {err}", path.display()))
        };
        let mut watched = Watched {
            folders: Vec::new(),
            files: Vec::new(),
            above: Vec::new(),
            shown_from: std::env::current_dir()
                .and_then(|dir| dir.canonicalize())
                .unwrap_or_default(),
        };
        for path in paths {
            let path = canonical(path, "the path")?;
            watched.above.extend(
                path.parent()
                    .into_iter()
                    .flat_map(Path::ancestors)
                    .map(Path::to_path_buf),
            );
            if path.is_dir() {
                watched.folders.push(path);
            } else {
                watched.files.push(path);
            }
        }
        for file in named.iter().flatten() {
            let file = canonical(file, "the file")?;
            watched.above.extend(file.parent().map(Path::to_path_buf));
            watched.files.push(file);
        }
        watched.above.sort();
        watched.above.dedup();
        Ok(watched)
    }

    /// The watches to add: each linted folder itself, each of its
    /// subfolders the walk enters (recursively: not `target/` or `.git/`,
    /// which build tools and the cache churn), and the folders of files and
    /// above. A folder inside a recursive watch is not watched again.
    fn watches(&self) -> Vec<(PathBuf, RecursiveMode)> {
        let mut modes: BTreeMap<PathBuf, RecursiveMode> = BTreeMap::new();
        let mut add = |path: PathBuf, mode: RecursiveMode| {
            let recursive = modes.get(&path) == Some(&RecursiveMode::Recursive);
            if !recursive {
                modes.insert(path, mode);
            }
        };
        for folder in &self.folders {
            add(folder.clone(), RecursiveMode::NonRecursive);
            let Ok(entries) = std::fs::read_dir(folder) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() && !skipped(entry.file_name().as_os_str()) {
                    add(path, RecursiveMode::Recursive);
                }
            }
        }
        for folder in &self.above {
            add(folder.clone(), RecursiveMode::NonRecursive);
        }
        let recursive: Vec<PathBuf> = modes
            .iter()
            .filter(|(_, mode)| **mode == RecursiveMode::Recursive)
            .map(|(path, _)| path.clone())
            .collect();
        modes
            .into_iter()
            .filter(|(path, _)| {
                !recursive
                    .iter()
                    .any(|outer| path != outer && path.starts_with(outer))
            })
            .collect()
    }

    /// What a wake asks for; a folder just made inside a linted folder is
    /// watched from now on.
    fn sort(&self, wake: Wake, watcher: &mut RecommendedWatcher) -> Sorted {
        match wake {
            Wake::Interrupted => Sorted::Interrupted,
            Wake::Lost(why) => {
                diag!(
                    "warning: watching for changes: {}; linting again",
                    escape::text(&why)
                );
                Sorted::Relint(None)
            }
            Wake::Changed(paths) => {
                for path in &paths {
                    if self.is_new_subfolder(path) {
                        // This fails only when it is already gone again.
                        let _ = watcher.watch(path, RecursiveMode::Recursive);
                    }
                }
                match paths.into_iter().find(|path| self.triggers(path)) {
                    Some(path) => Sorted::Relint(Some(path)),
                    None => Sorted::Ignored,
                }
            }
        }
    }

    /// Whether a change at `path` calls for another run.
    fn triggers(&self, path: &Path) -> bool {
        if self.files.iter().any(|file| file == path) {
            return true;
        }
        let name = path.file_name().unwrap_or_default();
        let settings = SETTINGS_FILES.iter().any(|s| name == OsStr::new(s));
        if settings
            && path
                .parent()
                .is_some_and(|parent| self.above.iter().any(|above| above == parent))
        {
            return true;
        }
        self.folders.iter().any(|folder| {
            let Ok(relative) = path.strip_prefix(folder) else {
                return false;
            };
            let mut parents = relative.parent().unwrap_or(Path::new("")).components();
            if parents.any(|part| skipped(part.as_os_str())) {
                return false;
            }
            let rust = path.extension() == Some(OsStr::new("rs"));
            // A folder moved in may hold Rust files and brings no event of
            // its own for them.
            let folder = path.is_dir() && !skipped(name);
            rust || settings || folder
        })
    }

    /// A folder just made (or moved) right inside a linted folder: the
    /// linted folder's own watch is not recursive, so it needs one.
    fn is_new_subfolder(&self, path: &Path) -> bool {
        path.parent()
            .is_some_and(|parent| self.folders.iter().any(|folder| folder == parent))
            && path.is_dir()
            && !skipped(path.file_name().unwrap_or_default())
    }

    /// `path` relative to the current folder when it is below it.
    fn shown(&self, path: &Path) -> PathBuf {
        path.strip_prefix(&self.shown_from)
            .map(Path::to_path_buf)
            .unwrap_or_else(|_| path.to_path_buf())
    }
}

/// Folders the walk never enters (so never a reason to lint again):
/// `target/`, `vendor/`, hidden ones (`.git/`) and the cache.
fn skipped(name: &OsStr) -> bool {
    name == OsStr::new(CACHE_DIR)
        || SKIPPED_DIRS.iter().any(|dir| name == OsStr::new(dir))
        || name.as_encoded_bytes().starts_with(b".")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn watched(root: &Path) -> Watched {
        Watched {
            folders: vec![root.to_path_buf()],
            files: vec![root.join("base.json")],
            above: root
                .parent()
                .into_iter()
                .flat_map(Path::ancestors)
                .map(Path::to_path_buf)
                .collect(),
            shown_from: root.to_path_buf(),
        }
    }

    #[test]
    fn rust_and_settings_files_below_trigger() {
        let root = Path::new("/nowhere/crate");
        let watched = watched(root);
        for path in [
            "src/lib.rs",
            "src/deep/er/mod.rs",
            "tasklint.toml",
            "sub/.tasklint.toml",
            "Cargo.toml",
            ".gitignore",
            "src/.ignore",
            "base.json",
        ] {
            assert!(watched.triggers(&root.join(path)), "{path}");
        }
        assert!(watched.triggers(Path::new("/nowhere/tasklint.toml")));
        assert!(watched.triggers(Path::new("/Cargo.toml")));
    }

    #[test]
    fn build_output_cache_and_other_files_do_not() {
        let root = Path::new("/nowhere/crate");
        let watched = watched(root);
        for path in [
            "target/debug/build/x/out/gen.rs",
            "target/Cargo.toml",
            ".git/index",
            ".git/hooks/x.rs",
            ".tasklint_cache/entry",
            ".tasklint_cache/sub/x.rs",
            "vendor/dep/src/lib.rs",
            "src/lib.rs.swp",
            "README.md",
            "other.json",
        ] {
            assert!(!watched.triggers(&root.join(path)), "{path}");
        }
        // Above the linted folder only settings files count.
        assert!(!watched.triggers(Path::new("/nowhere/other.rs")));
        assert!(!watched.triggers(Path::new("/nowhere/sibling/Cargo.toml")));
    }

    #[test]
    fn skipped_folders_are_not_watched() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().canonicalize().expect("canonical");
        for folder in [
            "src/inner",
            "target/debug",
            ".git",
            ".tasklint_cache",
            "tests",
        ] {
            std::fs::create_dir_all(root.join(folder)).expect("mkdir");
        }
        let watched = Watched::of(std::slice::from_ref(&root), &[]).expect("watched");
        let watches = watched.watches();
        let recursive: Vec<&Path> = watches
            .iter()
            .filter(|(_, mode)| *mode == RecursiveMode::Recursive)
            .map(|(path, _)| path.as_path())
            .collect();
        assert_eq!(recursive, [root.join("src"), root.join("tests")]);
        assert!(watches.contains(&(root.clone(), RecursiveMode::NonRecursive)));
        assert!(watches
            .iter()
            .all(|(path, _)| !path.starts_with(root.join("target"))));
    }
}
