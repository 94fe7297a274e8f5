//! The result cache: what a run found, kept in `.tasklint_cache/` so that
//! the next run over an unchanged tree reads no file it need not.
//!
//! One snapshot per request (paths, options, working folder, tool build),
//! written whole and atomically at the end of a run that changed
//! something. It holds:
//!
//! - the walk's result and the stamps of everything the walk and the
//!   configuration read beyond the files (every folder walked and its
//!   parents, the configuration files, the ignore files): when all hold,
//!   the next run does not walk, it replays the walk;
//! - each file's stamp and content hash (none for a file the widest
//!   prefilter skips: see [`Content`]);
//! - per crate (the files grouped by their nearest `Cargo.toml`, as the
//!   crate model and the crate pass judge them), each file's outcome and
//!   the crate pass's findings, with the settings they were judged with.
//!
//! A crate's results are used only when every one of its files holds (its
//! stamp is the same, or its bytes hash the same, or the widest prefilter
//! skips it still and the crate's settings filter within the widest), no
//! file came or went,
//! and every file's settings are the same; else the whole crate is linted
//! again: a file's findings depend on the other files of its crate (handle
//! fields, signatures). A crate the run does not cover whole (a run naming
//! some of its files) depends on its files outside the run too: it is kept
//! with the stamps of everything its own walk looks at, which must hold.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use crate::base::fasthash::FastMap;
use crate::base::finding::Finding;
use crate::config::settings::Settings;
use crate::input::read;
use crate::input::stamp::{self, Content, Holds, Seen, Stamp};
use crate::lint::engine::FileOutcome;
use crate::lint::inputs::Walk;

mod records;
mod watched;

use records::{
    bytes_of, split, text_of, CrateRecord, FileRecord, Head, PathTable, Snapshot, WalkRecord,
};
pub use records::{FindingRecord, OutcomeRecord};
use watched::{still_holds, watch, watched};

/// A snapshot larger than this is not read (the corpus's, 26,700 files, is
/// 2.0 MB).
const SNAPSHOT_LIMIT: u64 = 1 << 30;

/// Bumped when the snapshot's shape changes.
const FORMAT: u32 = 4;

/// The folder a snapshot of this tasklint build lives in.
fn version_dir(dir: &Path) -> PathBuf {
    dir.join(env!("CARGO_PKG_VERSION"))
}

/// What identifies a request's snapshot: everything that decides the
/// output besides the files and what the snapshot's stamps cover.
pub fn key(parts: &str) -> String {
    // The build: a rebuilt tasklint of the same version is another tool.
    let exe = std::env::current_exe()
        .ok()
        .and_then(|exe| Stamp::at(&exe))
        .map(|s| (s.size, s.modified));
    let cwd = std::env::current_dir().ok();
    let env: Vec<Option<std::ffi::OsString>> = ["HOME", "XDG_CONFIG_HOME", "GIT_CONFIG_GLOBAL"]
        .iter()
        .map(std::env::var_os)
        .collect();
    let text = format!(
        "{FORMAT} {} {exe:?} {cwd:?} {env:?} {parts}",
        env!("CARGO_PKG_VERSION")
    );
    format!("{:032x}", stamp::hash(text.as_bytes()))
}

/// The snapshot of a request, loaded, and what the run learns from it.
pub struct Cache {
    dir: PathBuf,
    key: String,
    /// Started before anything was read: stamps taken by this run are
    /// compared with it next time.
    taken: i64,
    snapshot: Option<Snapshot>,
    /// By the path's bytes (hashing a `Path` parses it into components).
    by_path: FastMap<Box<[u8]>, u32>,
    /// The snapshot's crates by root.
    crate_index: HashMap<Option<String>, usize>,
    /// The hash of each settings' fingerprint, by the settings' address
    /// (settings are shared: most crates have the same).
    fingerprints: Mutex<HashMap<usize, u128>>,
    /// Files read because their stamps did not hold.
    read: AtomicUsize,
}

impl Cache {
    /// Loads the snapshot for `key` from `dir`; a snapshot that cannot be
    /// read or makes no sense is ignored, with a note.
    pub fn open(dir: &Path, key: String) -> (Cache, Option<String>) {
        let taken = stamp::now();
        let file = version_dir(dir).join(format!("{key}.bin"));
        // Bounded, and opened without blocking: a FIFO or a device in the
        // snapshot's place must not hang the run or fill its memory.
        let (snapshot, note) = match read::read_bounded(&file, SNAPSHOT_LIMIT) {
            Err(read::ReadError::Io(err)) if err.kind() == std::io::ErrorKind::NotFound => {
                (None, None)
            }
            Err(err) => (
                None,
                Some(format!(
                    "cache `{}` ignored: cannot read it: {err}",
                    file.display()
                )),
            ),
            Ok(bytes) => match records::decode(&bytes) {
                Ok(snapshot) if snapshot.head.format == FORMAT && snapshot.head.key == key => {
                    (Some(snapshot), None)
                }
                Ok(_) => (None, None),
                Err(err) => (
                    None,
                    Some(format!(
                        "cache `{}` ignored: it is damaged ({err}); it will be written again",
                        file.display()
                    )),
                ),
            },
        };
        let snapshot = snapshot.filter(|s| s.consistent());
        let (crate_index, by_path) = rayon::join(
            || {
                snapshot
                    .iter()
                    .flat_map(|s| s.crates.iter().enumerate())
                    .map(|(i, c)| (c.root.clone(), i))
                    .collect()
            },
            || {
                snapshot
                    .iter()
                    .flat_map(|s| {
                        s.head.files.iter().enumerate().map(|(i, f)| {
                            (Box::from(s.head.paths[f.0 as usize].as_bytes()), i as u32)
                        })
                    })
                    .collect::<FastMap<Box<[u8]>, u32>>()
            },
        );
        let cache = Cache {
            dir: dir.to_path_buf(),
            key,
            taken,
            snapshot,
            by_path,
            crate_index,
            fingerprints: Mutex::default(),
            read: AtomicUsize::new(0),
        };
        (cache, note)
    }

    /// The walk to replay instead of walking: when everything the last
    /// walk read is as it was.
    pub fn replay(&self) -> Option<Walk> {
        let snapshot = self.snapshot.as_ref()?;
        let walk = snapshot.head.walk.as_ref()?;
        let taken = snapshot.head.taken;
        if !snapshot
            .head
            .watched
            .par_iter()
            .all(|w| still_holds(w, taken))
        {
            return None;
        }
        let paths = |list: &[String]| list.iter().map(PathBuf::from).collect();
        Some(Walk {
            files: walk
                .files
                .iter()
                .map(|(path, explicit)| crate::input::discover::SourcePath {
                    path: PathBuf::from(&snapshot.head.paths[*path as usize]),
                    explicit: *explicit,
                })
                .collect(),
            unreadable: walk
                .unreadable
                .iter()
                .map(|(path, why)| (PathBuf::from(path), why.clone()))
                .collect(),
            warnings: walk.warnings.clone(),
            ignore_files: paths(&walk.ignore_files),
            pruned: paths(&walk.pruned),
            probed: walk
                .probed
                .iter()
                .map(|(dir, bits)| (PathBuf::from(dir), *bits))
                .collect(),
        })
    }

    /// Looks at a file the run lints: when its stamp holds, it is not read
    /// (`None`); else `read` reads it, giving its stamp and what the cache
    /// keeps of its bytes with what the run makes of it. Second, what the
    /// run saw of it (nothing when it could not be read), which the walk
    /// keeps with the file.
    pub fn visit<T>(
        &self,
        path: &Path,
        read: impl FnOnce(&Path) -> (T, Option<(Stamp, Content)>),
    ) -> (Option<T>, Option<Seen>) {
        let index = self.by_path.get(bytes_of(path)).copied();
        let record = index.and_then(|i| Some(&self.snapshot.as_ref()?.head.files[i as usize]));
        let taken = self.snapshot.as_ref().map_or(0, |s| s.head.taken);
        if let Some(record) = record {
            if let Some(now) = Stamp::at(path) {
                if now == record.1 && !now.is_racy(taken) {
                    let seen = Seen {
                        stamp: now,
                        content: record.content(),
                        holds: Holds::Bytes,
                    };
                    return (None, Some(seen));
                }
            }
        }
        self.read.fetch_add(1, Ordering::Relaxed);
        let (made, stamped) = read(path);
        let seen = stamped.map(|(stamp, content)| Seen {
            stamp,
            content,
            holds: record.map_or(Holds::No, |r| content.against(r.content())),
        });
        (Some(made), seen)
    }

    /// How many files were read, their stamps not holding.
    pub fn files_read(&self) -> usize {
        self.read.load(Ordering::Relaxed)
    }

    /// Is there a snapshot to take results from?
    pub fn holds_any(&self) -> bool {
        self.snapshot.is_some()
    }

    /// The run's crates as the snapshot has them, for a run that replayed
    /// its walk (the same files, the same manifests: the same crates) and
    /// whose every file is in one of them: no crate root to look up.
    pub fn replayed_crates<'p>(
        &self,
        paths: impl ExactSizeIterator<Item = &'p Path>,
    ) -> Option<Vec<(Option<PathBuf>, Vec<usize>)>> {
        let snapshot = self.snapshot.as_ref()?;
        let count = paths.len();
        let mut input_of: Vec<Option<usize>> = vec![None; snapshot.head.files.len()];
        for (i, path) in paths.enumerate() {
            let &index = self.by_path.get(bytes_of(path))?;
            *input_of.get_mut(index as usize)? = Some(i);
        }
        let mut members_seen = 0;
        let mut crates = Vec::with_capacity(snapshot.crates.len());
        for record in &snapshot.crates {
            let members: Vec<usize> = record
                .members
                .iter()
                .map(|(index, _)| input_of.get(*index as usize).copied().flatten())
                .collect::<Option<_>>()?;
            members_seen += members.len();
            crates.push((record.root.as_ref().map(PathBuf::from), members));
        }
        (members_seen == count).then_some(crates)
    }

    /// The results of a crate, when they can be used: the same members
    /// (path and whether named, in order), all holding, the same settings.
    pub fn crate_results(&self, krate: &Crate<'_>) -> Option<(Vec<FileOutcome>, Vec<Finding>)> {
        let snapshot = self.snapshot.as_ref()?;
        let root = match krate.root {
            Some(root) => Some(text_of(root)?),
            None => None,
        };
        let record = &snapshot.crates[*self.crate_index.get(&root)?];
        // A file skipped by the widest prefilter is skipped by the crate's
        // settings too, whatever its bytes, when they filter within it,
        // unless the crate pass reads the crate's skipped files.
        let holds = krate
            .seen
            .iter()
            .zip(&krate.settings)
            .all(|(seen, settings)| match seen.map(|s| s.holds) {
                Some(Holds::Bytes) => true,
                Some(Holds::Skipped) => !record.reads_skipped && settings.filters_within_widest(),
                Some(Holds::No) | None => false,
            });
        if !holds {
            return None;
        }
        let same_members =
            record.members.len() == krate.members.len()
                && record.members.iter().zip(&krate.members).all(
                    |((i, explicit), (path, named))| {
                        explicit == named
                            && snapshot.head.files.get(*i as usize).is_some_and(|f| {
                                snapshot.head.paths[f.0 as usize].as_bytes() == bytes_of(path)
                            })
                    },
                );
        if !same_members
            || record.settings != split(settings_hash(&krate.settings, &self.fingerprints))
            || record.outside.is_empty() != krate.whole
        {
            return None;
        }
        if !record
            .outside
            .iter()
            .all(|w| still_holds(w, snapshot.head.taken))
        {
            return None;
        }
        let mut outcomes: Vec<FileOutcome> = (0..krate.members.len())
            .map(|_| FileOutcome::default())
            .collect();
        for (at, outcome) in &record.outcomes {
            *outcomes.get_mut(*at as usize)? = outcome.outcome()?;
        }
        let late = record
            .late
            .iter()
            .map(FindingRecord::finding)
            .collect::<Option<_>>()?;
        Some((outcomes, late))
    }

    /// Writes the snapshot of this run, atomically: its crates after the
    /// head [`Cache::prepare`] wrote. A failure is a note for the user.
    pub fn store(&self, prepared: Prepared, crates: Vec<StoredCrate>) -> Option<String> {
        let crates = self.crate_records(&prepared.index, crates);
        let dir = version_dir(&self.dir);
        let written = (|| -> std::io::Result<()> {
            let mut file = prepared.file?;
            let bytes = records::encode_crates(&crates).map_err(std::io::Error::other)?;
            file.write_all(&bytes)?;
            file.persist(dir.join(format!("{}.bin", self.key)))
                .map_err(|err| err.error)?;
            prune(&dir);
            Ok(())
        })();
        written.err().map(|err| {
            format!(
                "cache not written to `{}`: {err}; the next run starts cold",
                self.dir.display()
            )
        })
    }

    /// The part of the snapshot that needs no file linted (the paths, the
    /// files' stamps and hashes, the walk and what it read): made, and
    /// written to a temporary file in the cache, on a thread of its own
    /// while the run lints.
    pub fn prepare(&self, run: Stored<'_>) -> Prepared {
        let mut table = PathTable::default();
        let walk_files: Option<Vec<(u32, bool)>> = run.walk.as_ref().and_then(|walk| {
            walk.files
                .iter()
                .map(|f| Some((table.id(&f.path)?, f.explicit)))
                .collect()
        });
        let mut files: Vec<FileRecord> = Vec::with_capacity(run.seen.len());
        let mut index: Vec<Option<u32>> = Vec::with_capacity(run.seen.len());
        for (path, seen) in run.paths.iter().zip(run.seen) {
            match (table.id(path), seen) {
                (Some(path), Some(seen)) => {
                    index.push(Some(files.len() as u32));
                    files.push(FileRecord::new(path, seen.stamp, seen.content));
                }
                _ => index.push(None),
            }
        }
        let walk = run.walk.as_ref().and_then(|walk| {
            let texts =
                |list: &[PathBuf]| list.iter().map(|p| text_of(p)).collect::<Option<Vec<_>>>();
            Some(WalkRecord {
                files: walk_files?,
                unreadable: walk
                    .unreadable
                    .iter()
                    .map(|(p, why)| Some((text_of(p)?, why.clone())))
                    .collect::<Option<_>>()?,
                warnings: walk.warnings.clone(),
                ignore_files: texts(&walk.ignore_files)?,
                pruned: texts(&walk.pruned)?,
                probed: walk
                    .probed
                    .iter()
                    .map(|(p, bits)| Some((text_of(p)?, *bits)))
                    .collect::<Option<_>>()?,
            })
        });
        let watched = match (&walk, &run.walk) {
            (Some(_), Some(walk)) => watched(walk, &run.config_files, &run.roots_of_walk),
            _ => None,
        };
        let head = Head {
            format: FORMAT,
            key: self.key.clone(),
            taken: self.taken,
            paths: table.paths,
            walk: walk.filter(|_| watched.is_some()),
            watched: watched.unwrap_or_default(),
            files,
        };
        let dir = version_dir(&self.dir);
        let file = (|| -> std::io::Result<tempfile::NamedTempFile> {
            std::fs::create_dir_all(&dir)?;
            mark_cache_dir(&self.dir)?;
            let bytes = records::encode_head(&head).map_err(std::io::Error::other)?;
            let mut file = tempfile::NamedTempFile::new_in(&dir)?;
            file.write_all(&bytes)?;
            Ok(file)
        })();
        Prepared { index, file }
    }

    /// The crates to store, their members named by index in the head.
    fn crate_records(&self, index: &[Option<u32>], crates: Vec<StoredCrate>) -> Vec<CrateRecord> {
        crates
            .into_iter()
            .filter_map(|stored| {
                let members = stored
                    .members
                    .iter()
                    .map(|&(i, explicit)| Some((*index.get(i)?.as_ref()?, explicit)))
                    .collect::<Option<Vec<_>>>()?;
                let root = match &stored.root {
                    Some(root) => Some(text_of(root)?),
                    None => None,
                };
                let outside = match (&stored.root, stored.whole) {
                    (Some(root), false) => crate::lint::crate_pass::crate_tree(root)
                        .par_iter()
                        .map(|path| watch(path))
                        .collect::<Option<Vec<_>>>()?,
                    _ => Vec::new(),
                };
                Some(CrateRecord {
                    reads_skipped: stored.reads_skipped,
                    outside,
                    root,
                    members,
                    settings: split(settings_hash(&stored.settings, &self.fingerprints)),
                    outcomes: stored
                        .outcomes
                        .into_iter()
                        .enumerate()
                        .filter_map(|(at, o)| Some((at as u32, o?)))
                        .collect(),
                    late: stored.late,
                })
            })
            .collect()
    }
}

/// A snapshot but for its crates, written (see [`Cache::prepare`]).
pub struct Prepared {
    /// Per file of the run, its index in the head's files (none when not kept).
    index: Vec<Option<u32>>,
    /// The temporary file holding the head, or why it could not be written.
    file: std::io::Result<tempfile::NamedTempFile>,
}

/// A crate of this run, as [`Cache::crate_results`] judges it.
pub struct Crate<'c> {
    pub root: Option<&'c Path>,
    /// The run covers it whole (else its results depend on files outside
    /// the run, and their stamps must hold too).
    pub whole: bool,
    /// Each member's path and whether it was named on the command line.
    pub members: Vec<(&'c Path, bool)>,
    pub seen: Vec<Option<Seen>>,
    pub settings: Vec<Arc<Settings>>,
}

/// What a run leaves for [`Cache::store`].
pub struct Stored<'r> {
    /// The run's files, in its order, and what was seen of each.
    pub paths: Vec<&'r Path>,
    pub seen: Vec<Option<Seen>>,
    /// The walk, when the run walked (or replayed) folders only.
    pub walk: Option<Walk>,
    pub config_files: Vec<PathBuf>,
    /// The paths the walk started from.
    pub roots_of_walk: Vec<PathBuf>,
}

/// A crate whose results may be kept: covered whole by the run.
pub struct StoredCrate {
    pub root: Option<PathBuf>,
    pub whole: bool,
    /// Indices into the run's files, and whether each was named.
    pub members: Vec<(usize, bool)>,
    pub settings: Vec<Arc<Settings>>,
    /// By member ([`OutcomeRecord::of`]).
    pub outcomes: Vec<Option<OutcomeRecord>>,
    pub late: Vec<FindingRecord>,
    /// The crate pass read the members the prefilter skipped, for the
    /// uses of a handle field ([`crate_pass::Late::read`]).
    ///
    /// [`crate_pass::Late::read`]: crate::lint::crate_pass::Late::read
    pub reads_skipped: bool,
}

/// The hash of the settings of a crate's members, in order (settings are
/// shared, so each distinct one is printed once).
fn settings_hash(settings: &[Arc<Settings>], printed: &Mutex<HashMap<usize, u128>>) -> u128 {
    // Runs of members with the same settings: (their hash, how many).
    let mut runs: Vec<(u128, usize)> = Vec::new();
    let mut last: Option<usize> = None;
    for s in settings {
        let at = Arc::as_ptr(s) as usize;
        if last == Some(at) {
            if let Some(run) = runs.last_mut() {
                run.1 += 1;
            }
            continue;
        }
        last = Some(at);
        let known = printed.lock().ok().and_then(|p| p.get(&at).copied());
        let hash = known.unwrap_or_else(|| {
            let hash = stamp::hash(s.fingerprint().as_bytes());
            if let Ok(mut printed) = printed.lock() {
                printed.insert(at, hash);
            }
            hash
        });
        runs.push((hash, 1));
    }
    stamp::hash(format!("{runs:?}").as_bytes())
}

/// Snapshots of other requests (and of earlier builds) not written for a
/// week are deleted.
fn prune(dir: &Path) {
    const WEEK: std::time::Duration = std::time::Duration::from_secs(7 * 24 * 3600);
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > WEEK);
        // A run killed while writing leaves its temporary file.
        let snapshot = path.extension().is_some_and(|ext| ext == "bin")
            || entry.file_name().to_string_lossy().starts_with(".tmp");
        if old && snapshot {
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// A new cache folder gets a `.gitignore` that ignores it all (as ruff's
/// does) and a `CACHEDIR.TAG` that backup tools honour.
fn mark_cache_dir(dir: &Path) -> std::io::Result<()> {
    let ignore = dir.join(".gitignore");
    if !ignore.exists() {
        std::fs::write(&ignore, "# Created by tasklint.\n*\n")?;
    }
    let tag = dir.join("CACHEDIR.TAG");
    if !tag.exists() {
        std::fs::write(
            &tag,
            "Signature: 8a477f597d28d172789f06886806bc55\n# Created by tasklint: its result cache.\n",
        )?;
    }
    Ok(())
}
