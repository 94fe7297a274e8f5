//! What a run lints: the discovered files and standard input, each with the
//! settings of its nearest configuration (SPEC §3, §4).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use crate::base::fasthash::FastMap;
use crate::config::resolve::Resolver;
use crate::config::settings::Settings;
use crate::input::discover::{self, DiscoverOptions};
use crate::input::read::Early;
use crate::input::stamp::Seen;
use std::io::Read;

/// Where an input's text comes from.
#[derive(Debug, Clone)]
pub enum Source {
    File,
    /// Standard input, already read (or text given in memory).
    Stdin(String),
}

/// One file to lint.
#[derive(Clone)]
pub struct Input {
    /// The path it is reported under (and whose configuration applies).
    pub path: PathBuf,
    pub display: String,
    pub source: Source,
    /// Named on the command line: not subject to the generated-file skip.
    pub explicit: bool,
    pub settings: Arc<Settings>,
}

/// What `check` was asked to lint.
pub struct Request<'r> {
    pub paths: &'r [PathBuf],
    pub stdin_filename: Option<&'r Path>,
    pub discover: &'r DiscoverOptions,
    /// Text given in memory, each linted as the file at its path.
    pub texts: &'r [(PathBuf, String)],
}

/// The path standard input is reported under when no `--stdin-filename` is given.
const STDIN_NAME: &str = "-";

/// What a run lints, and what it has to say about it.
pub struct Gathered {
    pub inputs: Vec<Input>,
    /// For each input, what reading it during the walk found.
    pub earlies: Vec<Early>,
    /// For each input, what the result cache saw of it during the walk
    /// (nothing without the cache, or for a file the walk did not visit).
    pub seen: Vec<Option<Seen>>,
    /// Warnings for standard error (an unreadable `.gitignore`).
    pub warnings: Vec<String>,
}

/// The inputs, and for each what `read` found reading it during the walk
/// ([`Early::Unread`] without `read`), or why it could not be read (a
/// folder the walk could not read is an input that failed).
pub fn gather(
    request: &Request<'_>,
    resolver: &mut Resolver,
    read: Option<&(dyn Fn(&Path) -> Early + Sync)>,
) -> Result<Gathered, String> {
    let read = read.map(|read| move |path: &Path| (read(path), None));
    let read = read
        .as_ref()
        .map(|read| read as &(dyn Fn(&Path) -> Visited + Sync));
    gather_with(request, resolver, read, None, false).map(|(gathered, _)| gathered)
}

/// What the walk keeps of a file it reads: what reading it found, and what
/// the result cache saw of it.
pub type Visited = (Early, Option<Seen>);

/// What a walk found and what it read beyond the files, kept by the
/// result cache and given back to [`gather_cached`] when nothing it read
/// changed, so that a warm run does not walk.
#[derive(Debug, Clone, Default)]
pub struct Walk {
    /// The files found, sorted, each once (before standard input).
    pub files: Vec<discover::SourcePath>,
    pub unreadable: Vec<(PathBuf, String)>,
    pub warnings: Vec<String>,
    pub ignore_files: Vec<PathBuf>,
    pub pruned: Vec<PathBuf>,
    /// Every folder probed (those walked and their parents), with its bits.
    pub probed: Vec<(PathBuf, u8)>,
}

/// [`gather`] for the result cache: `replay` stands for the walk (`read`
/// then runs on its files in parallel), and the walk is returned.
pub fn gather_cached(
    request: &Request<'_>,
    resolver: &mut Resolver,
    read: &(dyn Fn(&Path) -> Visited + Sync),
    replay: Option<Walk>,
) -> Result<(Gathered, Walk), String> {
    let (gathered, walk) = gather_with(request, resolver, Some(read), replay, true)?;
    Ok((gathered, walk.unwrap_or_default()))
}

fn gather_with(
    request: &Request<'_>,
    resolver: &mut Resolver,
    read: Option<&(dyn Fn(&Path) -> Visited + Sync)>,
    replay: Option<Walk>,
    keep_walk: bool,
) -> Result<(Gathered, Option<Walk>), String> {
    let dash = Path::new(STDIN_NAME);
    let reads_stdin =
        request.stdin_filename.is_some() || request.paths.iter().any(|p| p.as_path() == dash);
    let walked: Vec<PathBuf> = request
        .paths
        .iter()
        .filter(|p| p.as_path() != dash)
        .cloned()
        .collect();
    let (mut inputs, mut earlies): (Vec<Input>, Vec<Early>) = (Vec::new(), Vec::new());
    let mut seen: Vec<Option<Seen>> = Vec::new();
    let mut warnings = Vec::new();
    let mut kept_walk = None;
    if !walked.is_empty() {
        // Folders are probed for configurations and manifests as the walk
        // finds them; the resolver probes the rest (their parents).
        let probed: Mutex<FastMap<PathBuf, u8>> = Mutex::default();
        let probe = |dir: &Path| {
            let bits = discover::probe_dir(dir);
            if let Ok(mut probed) = probed.lock() {
                probed.insert(dir.to_path_buf(), bits);
            }
        };
        let no_read = |_: &Path| (Early::Unread, None);
        let read = read.unwrap_or(&no_read);
        let replayed = replay.is_some();
        let discovered = match replay {
            Some(walk) => {
                probed
                    .lock()
                    .map_err(|_| "a walking thread failed".to_string())?
                    .extend(walk.probed);
                let files = walk
                    .files
                    .into_par_iter()
                    .map(|file| {
                        let early = read(&file.path);
                        (file, early)
                    })
                    .collect();
                discover::Discovered {
                    files,
                    unreadable: walk.unreadable,
                    warnings: walk.warnings,
                    ignore_files: walk.ignore_files,
                    pruned: walk.pruned,
                }
            }
            None => discover::discover(&walked, request.discover, read, &probe)?,
        };
        if keep_walk {
            kept_walk = Some(Walk {
                files: discovered.files.iter().map(|(f, _)| f.clone()).collect(),
                unreadable: discovered.unreadable.clone(),
                warnings: discovered.warnings.clone(),
                ignore_files: discovered.ignore_files,
                pruned: discovered.pruned,
                probed: Vec::new(),
            });
        }
        warnings = discovered.warnings;
        let mut found = discovered.files;
        // Standard input stands for the file of the same path: that file
        // on disk (likely older than the editor's buffer) is not linted.
        if let Some(stdin_path) = request.stdin_filename {
            let replaced = discover::normalised(stdin_path);
            found.retain(|(file, _)| discover::normalised(&file.path) != replaced);
        }
        // A path the walk could not read is linted as a file that fails.
        for (path, reason) in discovered.unreadable {
            let message = format!("cannot read folder: {reason}");
            let file = discover::SourcePath {
                path,
                explicit: false,
            };
            found.push((file, (Early::Failed(message), None)));
        }
        let probed = probed.into_inner().unwrap_or_default();
        let probes = if replayed {
            // Every folder the files need, probed by the walk replayed.
            resolver.use_probes(discover::Probes::known(probed))
        } else {
            let paths: Vec<PathBuf> = found.iter().map(|(file, _)| file.path.clone()).collect();
            resolver.probe(&paths, probed)
        };
        if let Some(walk) = &mut kept_walk {
            walk.probed = probes
                .entries()
                .map(|(dir, bits)| (dir.to_path_buf(), bits))
                .collect();
        }
        let mut kept = Vec::with_capacity(found.len());
        for (file, early) in found {
            let applied = resolver.for_file(&file.path)?;
            // Configured excludes apply to named files only with --force-exclude.
            if applied.excludes(&file.path) && (!file.explicit || request.discover.force_exclude) {
                continue;
            }
            kept.push((file, applied.settings, early));
        }
        let visited: Vec<(Input, Visited)> = kept
            .into_par_iter()
            .map(|(file, settings, early)| {
                let input = Input {
                    display: discover::display_path(&file.path),
                    path: file.path,
                    source: Source::File,
                    explicit: file.explicit,
                    settings,
                };
                (input, early)
            })
            .collect();
        for (input, (early, file_seen)) in visited {
            inputs.push(input);
            earlies.push(early);
            seen.push(file_seen);
        }
    }
    if reads_stdin {
        let path = request.stdin_filename.unwrap_or(dash).to_path_buf();
        let applied = resolver.for_file(&path)?;
        let limit = applied.settings.max_file_size;
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .take(limit.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|err| format!("cannot read standard input: {err}"))?;
        let excluded = request.discover.force_exclude
            && (applied.excludes(&path) || discover::is_excluded_path(&path, request.discover)?);
        if !excluded {
            // Text that is not UTF-8 is kept as bytes: a `parse-error` at
            // the first bad byte, as for a file.
            let (text, early) = if bytes.len() as u64 > limit {
                let message = format!(
                    "standard input not linted: more than max-file-size ({})",
                    crate::base::count::plural(limit, "byte")
                );
                (String::new(), Early::Failed(message))
            } else {
                match String::from_utf8(bytes) {
                    Ok(text) => (text, Early::Unread),
                    Err(err) => {
                        let text = String::from_utf8_lossy(err.as_bytes()).into_owned();
                        (text, Early::Read(err.into_bytes()))
                    }
                }
            };
            inputs.push(Input {
                display: discover::display_path(&path),
                path,
                source: Source::Stdin(text),
                explicit: true,
                settings: applied.settings,
            });
            earlies.push(early);
            seen.push(None);
        }
    }
    for (path, text) in request.texts {
        let applied = resolver.for_file(path)?;
        inputs.push(Input {
            display: discover::display_path(path),
            path: path.clone(),
            source: Source::Stdin(text.clone()),
            explicit: true,
            settings: applied.settings,
        });
        earlies.push(Early::Unread);
        seen.push(None);
    }
    let gathered = Gathered {
        inputs,
        earlies,
        seen,
        warnings,
    };
    Ok((gathered, kept_walk))
}
