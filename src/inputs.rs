//! What a run lints: the discovered files and standard input, each with the
//! settings of its nearest configuration (SPEC §3, §4).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use crate::bounded;
use crate::config::Resolver;
use crate::discover::{self, DiscoverOptions};
use crate::engine::Early;
use crate::fasthash::FastMap;
use crate::settings::Settings;

/// Where an input's text comes from.
#[derive(Debug)]
pub enum Source {
    File,
    /// Standard input, already read.
    Stdin(String),
}

/// One file to lint.
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
}

/// The path standard input is reported under when no `--stdin-filename` is given.
const STDIN_NAME: &str = "-";

/// The inputs, and for each what `read` found reading it during the walk
/// ([`Early::Unread`] without `read`, and for standard input).
pub fn gather(
    request: &Request<'_>,
    resolver: &mut Resolver,
    read: Option<&(dyn Fn(&Path) -> Early + Sync)>,
) -> Result<(Vec<Input>, Vec<Early>), String> {
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
        let no_read = |_: &Path| Early::Unread;
        let found =
            discover::discover(&walked, request.discover, read.unwrap_or(&no_read), &probe)?;
        let paths: Vec<PathBuf> = found.iter().map(|(file, _)| file.path.clone()).collect();
        resolver.probe(&paths, probed.into_inner().unwrap_or_default());
        let mut kept = Vec::with_capacity(found.len());
        for (file, early) in found {
            let applied = resolver.for_file(&file.path)?;
            // Configured excludes apply to named files only with --force-exclude.
            if applied.excludes(&file.path) && (!file.explicit || request.discover.force_exclude) {
                continue;
            }
            kept.push((file, applied.settings, early));
        }
        (inputs, earlies) = kept
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
            .unzip();
    }
    if reads_stdin {
        let path = request.stdin_filename.unwrap_or(dash).to_path_buf();
        let text = bounded::read(std::io::stdin().lock(), bounded::STDIN_LIMIT)
            .map_err(|err| format!("cannot read standard input: {err}"))
            .and_then(|bytes| {
                String::from_utf8(bytes).map_err(|_| {
                    "cannot read standard input: stream did not contain valid UTF-8".to_string()
                })
            })?;
        let applied = resolver.for_file(&path)?;
        let excluded = request.discover.force_exclude
            && (applied.excludes(&path) || discover::is_excluded_path(&path, request.discover)?);
        if !excluded {
            inputs.push(Input {
                display: discover::display_path(&path),
                path,
                source: Source::Stdin(text),
                explicit: true,
                settings: applied.settings,
            });
            earlies.push(Early::Unread);
        }
    }
    Ok((inputs, earlies))
}
