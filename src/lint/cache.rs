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
//! - each file's stamp and content hash;
//! - per crate (the files grouped by their nearest `Cargo.toml`, as the
//!   crate model and the crate pass judge them), each file's outcome and
//!   the crate pass's findings, with the settings they were judged with.
//!
//! A crate's results are used only when every one of its files holds (its
//! stamp is the same, or its bytes hash the same), no file came or went,
//! and every file's settings are the same; else the whole crate is linted
//! again: a file's findings depend on the other files of its crate (handle
//! fields, signatures). A crate the run does not cover whole (a run naming
//! some of its files) depends on its files outside the run too: it is kept
//! with the stamps of everything its own walk looks at, which must hold.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::base::fasthash::FastMap;
use crate::base::finding::{Finding, Region};
use crate::base::fix::{Applicability, Edit, Fix};
use crate::base::rule::Severity;
use crate::config::settings::Settings;
use crate::input::discover::PROBED;
use crate::input::read::{self, Early};
use crate::input::stamp::{self, Stamp};
use crate::lint::engine::FileOutcome;
use crate::lint::inputs::Walk;

/// A snapshot larger than this is not read (the corpus's, 26,700 files, is
/// 5.7 MB).
const SNAPSHOT_LIMIT: u64 = 1 << 30;

/// Bumped when the snapshot's shape changes.
const FORMAT: u32 = 1;

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

fn bytes_of(path: &Path) -> &[u8] {
    path.as_os_str().as_encoded_bytes()
}

/// A path as stored: `None` when it is not UTF-8 (such a file is not cached).
fn text_of(path: &Path) -> Option<String> {
    path.to_str().map(str::to_string)
}

#[derive(Debug, Serialize, Deserialize)]
struct Snapshot {
    format: u32,
    key: String,
    /// When the run that wrote it started (see [`Stamp::is_racy`]).
    taken: i64,
    /// The paths of the walk's files and of the run's, each once; the
    /// records name them by index.
    paths: Vec<String>,
    walk: Option<WalkRecord>,
    /// What the walk and the configuration read: `None` for a file that
    /// was not there (and must still not be).
    watched: Vec<(String, Option<Stamp>)>,
    files: Vec<FileRecord>,
    crates: Vec<CrateRecord>,
}

#[derive(Debug, Serialize, Deserialize)]
struct WalkRecord {
    /// Each with whether it was named on the command line.
    files: Vec<(u32, bool)>,
    unreadable: Vec<(String, String)>,
    warnings: Vec<String>,
    ignore_files: Vec<String>,
    pruned: Vec<String>,
    probed: Vec<(String, u8)>,
}

/// A file's path, stamp and hash.
#[derive(Debug, Serialize, Deserialize)]
struct FileRecord(u32, Stamp, (u64, u64));

#[derive(Debug, Serialize, Deserialize)]
struct CrateRecord {
    root: Option<String>,
    /// Indices into the files, and whether each was named on the command line.
    members: Vec<(u32, bool)>,
    /// The hash of the members' settings.
    settings: (u64, u64),
    /// By position in `members`, for members with something to keep.
    outcomes: Vec<(u32, OutcomeRecord)>,
    /// The crate pass's findings (before late suppressions).
    late: Vec<FindingRecord>,
    /// For a crate the run did not cover whole, whose files outside the
    /// run its results depend on: the stamp of everything the crate's own
    /// walk looks at (`None`: not there).
    outside: Vec<(String, Option<Stamp>)>,
}

/// A file's outcome as kept (not the crate pass's facts: a crate is kept
/// with its crate pass's findings).
#[derive(Debug, Serialize, Deserialize)]
pub struct OutcomeRecord {
    findings: Vec<FindingRecord>,
    source: Option<String>,
    parsed: bool,
}

/// A finding as kept.
#[derive(Debug, Serialize, Deserialize)]
pub struct FindingRecord {
    rule: String,
    severity: Severity,
    path: String,
    region: [usize; 4],
    message: String,
    help: String,
    fingerprint: String,
    local_fingerprint: String,
    fix: Option<FixRecord>,
}

#[derive(Debug, Serialize, Deserialize)]
struct FixRecord {
    applicability: Applicability,
    message: String,
    edits: Vec<([usize; 4], usize, usize, String)>,
}

/// A hash as stored (serde formats differ on `u128`), and back.
fn split(hash: u128) -> (u64, u64) {
    ((hash >> 64) as u64, hash as u64)
}

fn join((high, low): (u64, u64)) -> u128 {
    u128::from(high) << 64 | u128::from(low)
}

fn region_of(r: [usize; 4]) -> Region {
    Region {
        line: r[0],
        column: r[1],
        end_line: r[2],
        end_column: r[3],
    }
}

fn region_record(r: &Region) -> [usize; 4] {
    [r.line, r.column, r.end_line, r.end_column]
}

impl FindingRecord {
    pub fn of(finding: &Finding) -> FindingRecord {
        FindingRecord {
            rule: finding.rule.id.to_string(),
            severity: finding.severity,
            path: finding.path.clone(),
            region: region_record(&finding.region),
            message: finding.message.clone(),
            help: finding.help.clone(),
            fingerprint: finding.fingerprint.clone(),
            local_fingerprint: finding.local_fingerprint.clone(),
            fix: finding.fix.as_ref().map(|fix| FixRecord {
                applicability: fix.applicability,
                message: fix.message.clone(),
                edits: fix
                    .edits
                    .iter()
                    .map(|e| (region_record(&e.region), e.start, e.end, e.content.clone()))
                    .collect(),
            }),
        }
    }

    fn finding(&self) -> Option<Finding> {
        Some(Finding {
            rule: crate::rules::by_id(&self.rule)?,
            severity: self.severity,
            path: self.path.clone(),
            region: region_of(self.region),
            message: self.message.clone(),
            help: self.help.clone(),
            fingerprint: self.fingerprint.clone(),
            local_fingerprint: self.local_fingerprint.clone(),
            fix: self.fix.as_ref().map(|fix| Fix {
                applicability: fix.applicability,
                message: fix.message.clone(),
                edits: fix
                    .edits
                    .iter()
                    .map(|(region, start, end, content)| Edit {
                        region: region_of(*region),
                        start: *start,
                        end: *end,
                        content: content.clone(),
                    })
                    .collect(),
            }),
        })
    }
}

impl OutcomeRecord {
    /// `None` for an outcome with nothing to keep (a file skipped).
    pub fn of(outcome: &FileOutcome) -> Option<OutcomeRecord> {
        let empty = outcome.findings.is_empty() && outcome.source.is_none() && !outcome.parsed;
        (!empty).then(|| OutcomeRecord {
            findings: outcome.findings.iter().map(FindingRecord::of).collect(),
            source: outcome.source.clone(),
            parsed: outcome.parsed,
        })
    }

    fn outcome(&self) -> Option<FileOutcome> {
        Some(FileOutcome {
            findings: self
                .findings
                .iter()
                .map(FindingRecord::finding)
                .collect::<Option<_>>()?,
            source: self.source.clone(),
            parsed: self.parsed,
            facts: None,
        })
    }
}

/// What this run found out about a file it was asked to lint.
#[derive(Debug, Clone, Copy)]
pub struct Seen {
    pub stamp: Stamp,
    pub hash: u128,
    /// Its bytes are those the snapshot's results were found from.
    pub holds: bool,
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
    /// Filled as the run reads or stats its files: those the snapshot
    /// knows by their index there, the others by path.
    seen_known: Vec<OnceLock<Seen>>,
    seen_new: Mutex<FastMap<Box<[u8]>, Seen>>,
    /// The snapshot's crates by root.
    crate_index: HashMap<Option<String>, usize>,
    /// The hash of each settings' fingerprint, by the settings' address
    /// (settings are shared: most crates have the same).
    fingerprints: Mutex<HashMap<usize, u128>>,
    /// Files read because their stamps did not hold.
    hashed: AtomicUsize,
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
            Ok(bytes) => match bitcode::deserialize::<Snapshot>(&bytes) {
                Ok(snapshot) if snapshot.format == FORMAT && snapshot.key == key => {
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
        let crate_index = snapshot
            .iter()
            .flat_map(|s| s.crates.iter().enumerate())
            .map(|(i, c)| (c.root.clone(), i))
            .collect();
        let by_path: FastMap<Box<[u8]>, u32> = snapshot
            .iter()
            .flat_map(|s| {
                s.files
                    .iter()
                    .enumerate()
                    .map(|(i, f)| (Box::from(s.paths[f.0 as usize].as_bytes()), i as u32))
            })
            .collect();
        let cache = Cache {
            dir: dir.to_path_buf(),
            key,
            taken,
            snapshot,
            seen_known: (0..by_path.len()).map(|_| OnceLock::new()).collect(),
            by_path,
            seen_new: Mutex::default(),
            crate_index,
            fingerprints: Mutex::default(),
            hashed: AtomicUsize::new(0),
        };
        (cache, note)
    }

    /// The walk to replay instead of walking: when everything the last
    /// walk read is as it was.
    pub fn replay(&self) -> Option<Walk> {
        let snapshot = self.snapshot.as_ref()?;
        let walk = snapshot.walk.as_ref()?;
        let taken = snapshot.taken;
        if !snapshot.watched.par_iter().all(|w| still_holds(w, taken)) {
            return None;
        }
        let paths = |list: &[String]| list.iter().map(PathBuf::from).collect();
        Some(Walk {
            files: walk
                .files
                .iter()
                .map(|(path, explicit)| crate::input::discover::SourcePath {
                    path: PathBuf::from(&snapshot.paths[*path as usize]),
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
    /// (`None`); else `read` reads it, giving its stamp and hash with what
    /// the run makes of it.
    pub fn visit<T>(
        &self,
        path: &Path,
        read: impl FnOnce(&Path) -> (T, Option<(Stamp, u128)>),
    ) -> Option<T> {
        let index = self.by_path.get(bytes_of(path)).copied();
        let record = index.and_then(|i| Some(&self.snapshot.as_ref()?.files[i as usize]));
        let taken = self.snapshot.as_ref().map_or(0, |s| s.taken);
        if let Some(record) = record {
            if let Some(now) = Stamp::at(path) {
                if now == record.1 && !now.is_racy(taken) {
                    self.saw(index, path, now, join(record.2), true);
                    return None;
                }
            }
        }
        self.hashed.fetch_add(1, Ordering::Relaxed);
        let (made, stamped) = read(path);
        if let Some((stamp, hash)) = stamped {
            let holds = record.is_some_and(|r| r.2 == split(hash));
            self.saw(index, path, stamp, hash, holds);
        }
        Some(made)
    }

    /// [`Cache::visit`] for a file the walk did not visit (named on the
    /// command line): what is seen of it.
    pub fn look(
        &self,
        path: &Path,
        read: impl FnOnce(&Path) -> (Early, Option<(Stamp, u128)>),
    ) -> Option<Seen> {
        self.visit(path, read);
        self.seen(std::iter::once(path)).pop().flatten()
    }

    /// How many files were read to be hashed.
    pub fn hashed(&self) -> usize {
        self.hashed.load(Ordering::Relaxed)
    }

    fn saw(&self, index: Option<u32>, path: &Path, stamp: Stamp, hash: u128, holds: bool) {
        let seen = Seen { stamp, hash, holds };
        match index.and_then(|i| self.seen_known.get(i as usize)) {
            Some(slot) => {
                let _ = slot.set(seen);
            }
            None => {
                if let Ok(mut new) = self.seen_new.lock() {
                    new.insert(Box::from(bytes_of(path)), seen);
                }
            }
        }
    }

    /// What the run found out about each of `paths`.
    pub fn seen<'p>(&self, paths: impl Iterator<Item = &'p Path>) -> Vec<Option<Seen>> {
        let Ok(new) = self.seen_new.lock() else {
            return Vec::new();
        };
        paths
            .map(|path| {
                let bytes = bytes_of(path);
                match self.by_path.get(bytes) {
                    Some(&i) => self.seen_known[i as usize].get().copied(),
                    None => new.get(bytes).copied(),
                }
            })
            .collect()
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
        let mut input_of: Vec<Option<usize>> = vec![None; snapshot.files.len()];
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
        if !krate.seen.iter().all(|s| s.is_some_and(|s| s.holds)) {
            return None;
        }
        let root = match krate.root {
            Some(root) => Some(text_of(root)?),
            None => None,
        };
        let record = &snapshot.crates[*self.crate_index.get(&root)?];
        let same_members =
            record.members.len() == krate.members.len()
                && record.members.iter().zip(&krate.members).all(
                    |((i, explicit), (path, named))| {
                        explicit == named
                            && snapshot.files.get(*i as usize).is_some_and(|f| {
                                snapshot.paths[f.0 as usize].as_bytes() == bytes_of(path)
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
            .all(|w| still_holds(w, snapshot.taken))
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

    /// Writes the snapshot of this run, atomically: what [`Cache::prepare`]
    /// made of it, and its crates. A failure is a note for the user.
    pub fn store(&self, prepared: Prepared, crates: Vec<StoredCrate>) -> Option<String> {
        let snapshot = self.finish(prepared, crates);
        let dir = version_dir(&self.dir);
        let written = (|| -> std::io::Result<()> {
            std::fs::create_dir_all(&dir)?;
            mark_cache_dir(&self.dir)?;
            let bytes = bitcode::serialize(&snapshot).map_err(std::io::Error::other)?;
            let mut file = tempfile::NamedTempFile::new_in(&dir)?;
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
    /// files' stamps and hashes, the walk and what it read): made on a
    /// thread of its own while the run lints.
    pub fn prepare(&self, run: Stored) -> Prepared {
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
                    files.push(FileRecord(path, seen.stamp, split(seen.hash)));
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
        Prepared {
            paths: table.paths,
            index,
            walk: walk.filter(|_| watched.is_some()),
            watched: watched.unwrap_or_default(),
            files,
        }
    }

    /// The snapshot: what was prepared, and the crates.
    fn finish(&self, prepared: Prepared, crates: Vec<StoredCrate>) -> Snapshot {
        let Prepared {
            paths,
            index,
            walk,
            watched,
            files,
        } = prepared;
        let crates = crates
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
            .collect();
        Snapshot {
            format: FORMAT,
            key: self.key.clone(),
            taken: self.taken,
            paths,
            walk,
            watched,
            files,
            crates,
        }
    }
}

/// A snapshot but for its crates (see [`Cache::prepare`]).
pub struct Prepared {
    paths: Vec<String>,
    /// Per file of the run, its index in `files` (none when not kept).
    index: Vec<Option<u32>>,
    walk: Option<WalkRecord>,
    watched: Vec<(String, Option<Stamp>)>,
    files: Vec<FileRecord>,
}

/// The paths of a snapshot being written, each once.
#[derive(Default)]
struct PathTable<'p> {
    paths: Vec<String>,
    ids: FastMap<&'p str, u32>,
}

impl<'p> PathTable<'p> {
    fn id(&mut self, path: &'p Path) -> Option<u32> {
        let text = path.to_str()?;
        if let Some(&id) = self.ids.get(text) {
            return Some(id);
        }
        let id = self.paths.len() as u32;
        self.paths.push(text.to_string());
        self.ids.insert(text, id);
        Some(id)
    }
}

impl Snapshot {
    /// Indices in range: a snapshot edited by hand must not panic the run.
    fn consistent(&self) -> bool {
        let paths = self.paths.len();
        let walk = self
            .walk
            .as_ref()
            .is_none_or(|w| w.files.iter().all(|(i, _)| (*i as usize) < paths));
        walk && self.files.iter().all(|f| (f.0 as usize) < paths)
            && self.crates.iter().all(|c| {
                c.members
                    .iter()
                    .all(|(i, _)| (*i as usize) < self.files.len())
                    && c.outcomes
                        .iter()
                        .all(|(at, _)| (*at as usize) < c.members.len())
            })
    }
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
pub struct Stored {
    /// The run's files, in its order, and what was seen of each.
    pub paths: Vec<PathBuf>,
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

/// The stamps of what the walk and the configuration read besides the
/// files: every folder probed (each walked folder and its parents), the
/// probed files found in them, the configuration files, the ignore files
/// (the walk's, the parents' of its roots, git's own), the folders pruned.
fn watched(
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
fn watch(path: &Path) -> Option<(String, Option<Stamp>)> {
    Some((text_of(path)?, Stamp::at(path)))
}

/// Is what a watched path had, it still has (and not too recent a stamp
/// to trust, see [`Stamp::is_racy`])?
fn still_holds((path, was): &(String, Option<Stamp>), taken: i64) -> bool {
    match (was, Stamp::at(Path::new(path))) {
        (None, None) => true,
        (Some(was), Some(now)) => *was == now && !was.is_racy(taken),
        _ => false,
    }
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
