//! A whole run: the inputs gathered (and read early, on the walk's
//! threads), each file linted on a thread pool, the crate pass, late
//! suppressions, the findings sorted. What a library user or the command
//! line calls with paths and options; rendering, baselines and writing to
//! standard output or error are the caller's.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::base::finding::Finding;
use crate::config::files::Selection;
use crate::config::resolve::Resolver;
use crate::config::settings::Settings;
use crate::input::discover::{CrateRoots, DiscoverOptions};
use crate::input::read::Early;
use crate::input::stamp::Seen;
use crate::lint::cache::{self, Cache, FindingRecord, OutcomeRecord, Stored, StoredCrate};
use crate::lint::crate_models;
use crate::lint::crate_pass::{self, Late};
use crate::lint::engine::{self, CrateOf, FileJob, FileOutcome, Loaded};
use crate::lint::inputs::{self, Input, Source};
use crate::lint::suppress;
use crate::text::fields::CrateFields;
use crate::text::signatures::ItemTexts;

/// What to lint, and how.
#[derive(Debug, Clone, Default)]
pub struct RunRequest {
    /// Files and folders to lint; `-` is standard input. Callers supply
    /// their own default (the command line's is `.`).
    pub paths: Vec<PathBuf>,
    /// Lint standard input, reported under this path and with its settings.
    pub stdin_filename: Option<PathBuf>,
    /// Use this configuration file for every file (and no other).
    pub config: Option<PathBuf>,
    /// Ignore every configuration file (wins over `config`).
    pub no_config: bool,
    /// The rule selection applied over the configurations.
    pub selection: Selection,
    /// Ignore files, excludes.
    pub discover: DiscoverOptions,
    /// Worker threads: none or 0 is one per core.
    pub jobs: Option<usize>,
    /// Skip files (or parts) no rule could report on; `false` parses every
    /// file, whole (for benchmarks).
    pub prefilter: bool,
    /// Text to lint as if it were the file at that path (the rounds of
    /// `--fix` lint fixed text before it is written).
    pub texts: Vec<(PathBuf, String)>,
    /// The result cache's folder (see [`crate::lint::cache`]); `None`, or a
    /// run of standard input, in-memory texts or without the prefilter,
    /// lints without it.
    pub cache: Option<PathBuf>,
}

impl RunRequest {
    /// The request for these paths, with every other option at its default
    /// (configuration files honoured, the prefilter on).
    pub fn new(paths: Vec<PathBuf>) -> RunRequest {
        RunRequest {
            paths,
            prefilter: true,
            ..RunRequest::default()
        }
    }

    /// The cache folder this run uses, if any.
    fn cache_dir(&self) -> Option<&Path> {
        let stdin = self.stdin_filename.is_some()
            || self.paths.iter().any(|p| p.as_path() == Path::new("-"));
        let dir = self.cache.as_deref()?;
        (!stdin && self.texts.is_empty() && self.prefilter).then_some(dir)
    }

    /// What besides the files decides this request's output, for the
    /// cache's key.
    fn cache_key(&self) -> String {
        format!(
            "{:?} {:?} {} {:?} {:?}",
            self.paths, self.config, self.no_config, self.selection, self.discover
        )
    }

    /// The configuration resolver the run would use: fails on a bad
    /// `config` file or an unknown rule in the selection. [`run`] builds
    /// it; [`run_with`] takes one built beforehand.
    pub fn resolver(&self) -> Result<Resolver, RunError> {
        Resolver::new(
            self.config.as_deref(),
            self.no_config,
            self.selection.clone(),
        )
        .map_err(RunError::Config)
    }
}

/// Why a run could not happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunError {
    /// A configuration file or the selection is invalid.
    Config(String),
    /// The worker threads could not be started.
    Threads(String),
    /// The inputs could not be gathered (standard input unreadable, a
    /// path named that does not exist...).
    Inputs(String),
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::Config(message) | RunError::Inputs(message) => f.write_str(message),
            RunError::Threads(err) => write!(f, "cannot start worker threads: {err}"),
        }
    }
}

impl std::error::Error for RunError {}

/// What a run found.
pub struct RunResult {
    /// Every finding, sorted, suppressions applied (no baseline).
    pub findings: Vec<Finding>,
    /// The source text of files with findings, by reported path.
    pub sources: HashMap<String, String>,
    /// The files linted, in the run's order, each with its settings.
    pub files: Vec<Input>,
    pub stats: RunStats,
    /// Warnings for the user (an unreadable `.gitignore`), in order.
    pub warnings: Vec<String>,
    /// Notes for the user (a damaged cache, ignored).
    pub notes: Vec<String>,
    pub timings: Timings,
}

/// Counts over a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunStats {
    pub files_scanned: usize,
    /// Files parsed (the others were skipped by the prefilter, or unreadable).
    pub files_parsed: usize,
    pub cache: Option<CacheStats>,
}

/// What the result cache spared a run (`TASKLINT_TIMING` shows it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheStats {
    /// The walk was replayed: no folder was read.
    pub replayed: bool,
    /// Files read, their stamps having changed (or new).
    pub files_read: usize,
    pub crates_reused: usize,
    pub crates_linted: usize,
}

/// When each phase of a run ended, from its start.
#[derive(Debug, Clone, Copy)]
pub struct Timings {
    pub started: Instant,
    /// The walk, with the early reads and prefilter on its threads.
    pub discovered: Duration,
    /// Decoding and masking.
    pub read: Duration,
    /// The crate models (see [`crate::lint::crate_models`]).
    pub modelled: Duration,
    pub linted: Duration,
    /// The crate pass; merging the findings comes after.
    pub crate_passed: Duration,
}

/// Lints what `request` names.
pub fn run(request: &RunRequest) -> Result<RunResult, RunError> {
    let resolver = request.resolver()?;
    run_with(request, resolver)
}

/// The files a run of `request` would lint, as it would report them, in
/// its order (`--show-files`): the walk and the configurations' excludes,
/// nothing read.
pub fn files(request: &RunRequest, mut resolver: Resolver) -> Result<Vec<String>, RunError> {
    let gather_request = inputs::Request {
        paths: &request.paths,
        stdin_filename: request.stdin_filename.as_deref(),
        discover: &request.discover,
        texts: &request.texts,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads(request.jobs))
        .build()
        .map_err(|err| RunError::Threads(err.to_string()))?;
    let gathered = pool
        .install(|| inputs::gather(&gather_request, &mut resolver, None))
        .map_err(RunError::Inputs)?;
    Ok(gathered
        .inputs
        .into_iter()
        .map(|input| input.display)
        .collect())
}

/// [`run`], with the resolver built beforehand by [`RunRequest::resolver`]
/// (the command line reports a bad configuration before a bad baseline).
pub fn run_with(request: &RunRequest, mut resolver: Resolver) -> Result<RunResult, RunError> {
    let started = Instant::now();
    let paths = &request.paths;
    let gather_request = inputs::Request {
        paths,
        stdin_filename: request.stdin_filename.as_deref(),
        discover: &request.discover,
        texts: &request.texts,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads(request.jobs))
        // syn and the rule visitors recurse; deeply nested code must not overflow.
        .stack_size(64 << 20)
        .build()
        .map_err(|err| RunError::Threads(err.to_string()))?;
    let prefilter = request.prefilter;
    let mut notes = Vec::new();
    let cache = request.cache_dir().map(|dir| {
        let (cache, note) = pool.install(|| Cache::open(dir, cache::key(&request.cache_key())));
        notes.extend(note);
        cache
    });
    // Files are read as the walk finds them; those no settings could let
    // through are dropped there, the others kept for the first pass.
    let widest = Settings::widest();
    let reads_early = prefilter && widest.filters_within_widest();
    let read_early = |path: &Path| engine::read_early(path, &widest);
    let early_reads = reads_early.then_some(&read_early as &(dyn Fn(&Path) -> Early + Sync));
    // With the cache, a file whose stamp holds is not read; the others are
    // read (early or only for their hash) and hashed unless skipped.
    let visit = |path: &Path| match &cache {
        Some(cache) => {
            let (made, seen) = cache.visit(path, |path| {
                engine::read_early_stamped(path, &widest, reads_early)
            });
            (made.unwrap_or_default(), seen)
        }
        None => (Early::Unread, None),
    };
    let (gathered, walk) = match &cache {
        Some(cache) => {
            let replay = cache.replay();
            let replayed = replay.is_some();
            let (gathered, walk) = pool
                .install(|| inputs::gather_cached(&gather_request, &mut resolver, &visit, replay))
                .map_err(RunError::Inputs)?;
            (gathered, Some((walk, replayed)))
        }
        None => {
            let gathered = pool
                .install(|| inputs::gather(&gather_request, &mut resolver, early_reads))
                .map_err(RunError::Inputs)?;
            (gathered, None)
        }
    };
    let warnings = gathered.warnings;
    let (files, mut earlies, seen) = (gathered.inputs, gathered.earlies, gathered.seen);
    let discovered = started.elapsed();
    let roots = CrateRoots::new(resolver.probes());
    let (walk, replayed) = walk.map_or((None, false), |(walk, replayed)| (Some(walk), replayed));
    // The crates whose results the cache holds, and those to keep there.
    let held = cache.as_ref().map(|cache| {
        let held = pool.install(|| Held::of(cache, &files, seen, &roots, paths, replayed, &widest));
        for (early, outcome) in earlies.iter_mut().zip(&held.outcomes) {
            if outcome.is_some() {
                *early = Early::Skipped; // its bytes are not needed
            }
        }
        held
    });
    let Held {
        outcomes: from_cache,
        late: late_from_cache,
        crates: to_keep,
        mut seen,
        reused: crates_reused,
    } = held.unwrap_or_else(|| Held::none(files.len()));
    let pass = Pass {
        pool: &pool,
        roots: &roots,
        prefilter,
        paths,
        started,
    };
    // What the cache will keep, but for the crates' results, is made on a
    // thread of its own while the run lints.
    let files_read = cache.as_ref().map_or(0, Cache::files_read);
    let (changed, any_to_keep) = match &to_keep {
        Keep::Grouped(crates) => (
            !replayed || files_read > 0 || crates.len() > crates_reused,
            !crates.is_empty(),
        ),
        Keep::Later => (true, !files.is_empty()),
    };
    // A snapshot that would be written the same is not written, nor one
    // with no crate to give back (a run of files named one by one).
    let stored = (cache.is_some() && changed && any_to_keep).then(|| Stored {
        paths: files.iter().map(|f| f.path.as_path()).collect(),
        seen: std::mem::take(&mut seen),
        walk,
        config_files: resolver.config_files(),
        roots_of_walk: paths.to_vec(),
    });
    let group_later = matches!(to_keep, Keep::Later);
    let (inputs, roots) = (&files, &roots);
    let ((outcomes, late, phases), prepared) = std::thread::scope(|scope| {
        let preparing = cache.as_ref().zip(stored).map(|(cache, stored)| {
            scope.spawn(move || {
                let grouped = group_later.then(|| {
                    let groups = roots.group_here(stored.paths.iter().copied());
                    keepable(groups, inputs, paths).collect::<Vec<_>>()
                });
                (cache.prepare(stored), grouped)
            })
        });
        let linted = pass.lint_uncached(inputs, earlies, from_cache);
        (linted, preparing.and_then(|thread| thread.join().ok()))
    });
    let Phases {
        read,
        modelled,
        linted,
        crate_passed,
    } = phases;
    let Late {
        findings: mut late,
        read: crates_read,
    } = late;
    late.extend(late_from_cache);
    let (prepared, grouped) = prepared.unzip();
    let to_keep = match to_keep {
        Keep::Grouped(crates) => crates,
        Keep::Later => grouped.flatten().unwrap_or_default(),
    };
    let cache_stats = cache.as_ref().map(|_| CacheStats {
        replayed,
        files_read,
        crates_reused,
        crates_linted: to_keep.len().saturating_sub(crates_reused),
    });
    if let (Some(cache), Some(prepared)) = (&cache, prepared) {
        let crates = keep(&files, &outcomes, &late, &crates_read, to_keep);
        notes.extend(pool.install(|| cache.store(prepared, crates)));
    }
    let mut findings: Vec<Finding> = Vec::new();
    let mut sources = HashMap::new();
    let mut parsed = 0;
    for (file, outcome) in files.iter().zip(outcomes) {
        parsed += usize::from(outcome.parsed);
        findings.extend(outcome.findings);
        if let Some(source) = outcome.source {
            sources.insert(file.display.clone(), source);
        }
    }
    suppress::silence_late(&mut late, |path| sources.get(path).cloned());
    findings.extend(late);
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    Ok(RunResult {
        findings,
        sources,
        stats: RunStats {
            files_scanned: files.len(),
            files_parsed: parsed,
            cache: cache_stats,
        },
        files,
        warnings,
        notes,
        timings: Timings {
            started,
            discovered,
            read,
            modelled,
            linted,
            crate_passed,
        },
    })
}

/// What the result cache gives back to a run, and what it will keep.
struct Held {
    /// Per file: its outcome, when its crate's results hold.
    outcomes: Vec<Option<FileOutcome>>,
    /// The crate pass's findings of the crates held.
    late: Vec<Finding>,
    /// Every crate the cache may keep.
    crates: Keep,
    /// Per file: what the run saw of it.
    seen: Vec<Option<Seen>>,
    /// How many crates are held.
    reused: usize,
}

impl Held {
    /// Nothing held (a run without the cache).
    fn none(files: usize) -> Held {
        Held {
            outcomes: (0..files).map(|_| None).collect(),
            late: Vec::new(),
            crates: Keep::Grouped(Vec::new()),
            seen: Vec::new(),
            reused: 0,
        }
    }

    /// Asks `cache` for each crate of the run (`replayed`: the walk was).
    fn of(
        cache: &Cache,
        files: &[Input],
        seen: Vec<Option<Seen>>,
        roots: &CrateRoots,
        paths: &[PathBuf],
        replayed: bool,
        widest: &Settings,
    ) -> Held {
        let mut held = Held::none(files.len());
        held.seen = seen;
        // Files named on the command line are not visited by the walk.
        for (file, seen) in files.iter().zip(held.seen.iter_mut()) {
            if seen.is_none() && file.explicit && matches!(file.source, Source::File) {
                *seen = cache
                    .visit(&file.path, |path| {
                        engine::read_early_stamped(path, widest, false)
                    })
                    .1;
            }
        }
        if !cache.holds_any() {
            // Nothing to look up: the crates to keep are grouped while the
            // run lints (see `Keep::Later`).
            held.crates = Keep::Later;
            return held;
        }
        let groups = replayed
            .then(|| cache.replayed_crates(files.iter().map(|f| f.path.as_path())))
            .flatten()
            .unwrap_or_else(|| roots.group(files.iter().map(|f| f.path.as_path())));
        let mut crates = Vec::new();
        for (root, members, whole) in keepable(groups, files, paths) {
            let krate = cache::Crate {
                root: root.as_deref(),
                whole,
                members: members
                    .iter()
                    .map(|&i| (files[i].path.as_path(), files[i].explicit))
                    .collect(),
                seen: members.iter().map(|&i| held.seen[i]).collect(),
                settings: members.iter().map(|&i| files[i].settings.clone()).collect(),
            };
            if let Some((outcomes, late)) = cache.crate_results(&krate) {
                held.reused += 1;
                for (&i, outcome) in members.iter().zip(outcomes) {
                    held.outcomes[i] = Some(outcome);
                }
                held.late.extend(late);
            }
            crates.push((root, members, whole));
        }
        held.crates = Keep::Grouped(crates);
        held
    }
}

/// A crate of the run the cache may keep: its root, its members, and
/// whether the run covers it whole.
type KeptCrate = (Option<PathBuf>, Vec<usize>, bool);

/// The crates the cache may keep.
enum Keep {
    Grouped(Vec<KeptCrate>),
    /// Not grouped yet: with no snapshot to look results up in, they are
    /// grouped on the thread that prepares the snapshot, off the run's path.
    Later,
}

/// The crates of `groups` (members by index into `files`) the cache may
/// keep: those without standard input, each with whether the run (its
/// `paths`) covers it whole.
fn keepable<'g>(
    groups: Vec<(Option<PathBuf>, Vec<usize>)>,
    files: &'g [Input],
    paths: &'g [PathBuf],
) -> impl Iterator<Item = KeptCrate> + 'g {
    let covers = crate_pass::covering(paths);
    groups.into_iter().filter_map(move |(root, members)| {
        if !members
            .iter()
            .all(|&i| matches!(files[i].source, Source::File))
        {
            return None;
        }
        // A crate the run does not cover whole is kept with the stamps of
        // its files outside the run (see `cache::Crate::whole`).
        let whole = root.as_deref().is_none_or(&covers);
        Some((root, members, whole))
    })
}

/// When the phases of linting ended, from the run's start.
struct Phases {
    read: Duration,
    modelled: Duration,
    linted: Duration,
    crate_passed: Duration,
}

/// What linting the files of a run needs.
struct Pass<'p> {
    pool: &'p rayon::ThreadPool,
    roots: &'p CrateRoots,
    prefilter: bool,
    paths: &'p [PathBuf],
    started: Instant,
}

impl Pass<'_> {
    /// Lints the files whose outcome the cache does not hold (whole
    /// crates): the run's outcomes in its order, and the crate pass's
    /// findings.
    fn lint_uncached(
        &self,
        files: &[Input],
        mut earlies: Vec<Early>,
        held: Vec<Option<FileOutcome>>,
    ) -> (Vec<FileOutcome>, Late, Phases) {
        let todo: Vec<usize> = (0..files.len()).filter(|&i| held[i].is_none()).collect();
        if todo.len() == files.len() {
            let (outcomes, late, phases) = self.lint(files, earlies);
            let outcomes = outcomes.into_iter().map(|(_, outcome)| outcome).collect();
            return (outcomes, late, phases);
        }
        if todo.is_empty() {
            let now = self.started.elapsed();
            let phases = Phases {
                read: now,
                modelled: now,
                linted: now,
                crate_passed: now,
            };
            let outcomes = held.into_iter().flatten().collect();
            return (outcomes, Late::default(), phases);
        }
        let sub: Vec<Input> = todo.iter().map(|&i| files[i].clone()).collect();
        let sub_earlies: Vec<Early> = todo
            .iter()
            .map(|&i| std::mem::take(&mut earlies[i]))
            .collect();
        let (sub_outcomes, late, phases) = self.lint(&sub, sub_earlies);
        let mut linted = sub_outcomes.into_iter().map(|(_, outcome)| outcome);
        let outcomes = held
            .into_iter()
            .filter_map(|cached| cached.or_else(|| linted.next()))
            .collect();
        (outcomes, late, phases)
    }

    /// Lints `files` (whole crates; `earlies` what the walk read of each):
    /// each file's outcome, and the crate pass's findings.
    fn lint(
        &self,
        files: &[Input],
        mut earlies: Vec<Early>,
    ) -> (Vec<(String, FileOutcome)>, Late, Phases) {
        let Pass {
            pool,
            roots,
            prefilter,
            paths,
            started,
        } = *self;
        // The bytes of skipped files that declare something, for the crate models.
        let declaring: Vec<Option<Vec<u8>>> = earlies
            .iter_mut()
            .map(|early| match std::mem::replace(early, Early::Skipped) {
                Early::Declares(bytes) => Some(bytes),
                other => {
                    *early = other;
                    None
                }
            })
            .collect();
        let job_for = |file, handle_fields, krate, linted| {
            file_job(file, roots, prefilter, handle_fields, krate, linted)
        };
        // Read and prefilter every file, then lint the ones let through, once the
        // handle fields the crate pass judges are known from all of them (they
        // decide what masking keeps).
        let loaded: Vec<(Loaded, (Vec<String>, ItemTexts))> = pool.install(|| {
            files
                .par_iter()
                .zip(earlies)
                .map(|(file, early)| {
                    let job = job_for(file, None, None, false);
                    let mut loaded = engine::read_input(file, early, &job);
                    let fields = loaded.prepare(&file.settings, prefilter);
                    // Only a file that will be masked waits in memory for the others.
                    match loaded {
                        Loaded::Text(_)
                            if matches!(file.source, Source::File)
                                && !(prefilter && file.settings.can_mask()) =>
                        {
                            (Loaded::Later(file.path.clone()), fields)
                        }
                        loaded => (loaded, fields),
                    }
                })
                .collect()
        });
        let read = started.elapsed();
        // By crate, as the crate pass merges its facts.
        let mut by_crate: HashMap<Option<PathBuf>, HashSet<String>> = HashMap::new();
        for (file, (_, (names, _))) in files.iter().zip(&loaded) {
            if !names.is_empty() {
                let root = roots.root_of(&file.path);
                by_crate
                    .entry(root)
                    .or_default()
                    .extend(names.iter().cloned());
            }
        }
        let handle_fields: HashMap<Option<PathBuf>, CrateFields> = by_crate
            .into_iter()
            .map(|(root, names)| (root, CrateFields::new(names)))
            .collect();
        let mut items: Vec<ItemTexts> = Vec::with_capacity(loaded.len());
        let mut jobs: Vec<(usize, &Input, Loaded)> = Vec::with_capacity(loaded.len());
        for (i, (file, (loaded, (_, file_items)))) in files.iter().zip(loaded).enumerate() {
            items.push(file_items);
            jobs.push((i, file, loaded));
        }
        let linted: Vec<bool> = jobs
            .iter()
            .map(|(_, _, loaded)| matches!(loaded, Loaded::Text(_) | Loaded::Later(_)))
            .collect();
        let models = pool.install(|| {
            crate_models::build(crate_models::Request {
                files,
                items,
                declaring,
                linted: &linted,
                roots,
                run_paths: paths,
            })
        });
        let modelled = started.elapsed();
        let outcomes: Vec<_> = largest_first(
            pool,
            jobs,
            |(_, _, loaded)| loaded.size(),
            |(i, file, loaded)| {
                let fields = match &loaded {
                    Loaded::Text(_) if !handle_fields.is_empty() => {
                        handle_fields.get(&roots.root_of(&file.path))
                    }
                    _ => None,
                };
                let linted = !matches!(loaded, Loaded::Done(_));
                let job = job_for(file, fields, models.krate_of(i), linted);
                let outcome = engine::lint_read(loaded, &job);
                (job.display, outcome)
            },
        );
        let linted = started.elapsed();
        let late = pool.install(|| {
            let run = crate_pass::Run {
                roots,
                run_paths: paths,
                prefilter,
                handle_fields: &handle_fields,
            };
            crate_pass::run(files, &outcomes, &run)
        });
        let crate_passed = started.elapsed();
        (
            outcomes,
            late,
            Phases {
                read,
                modelled,
                linted,
                crate_passed,
            },
        )
    }
}

/// What the cache keeps of a run's crates (of files on disk): their
/// outcomes and crate-pass findings.
fn keep(
    files: &[Input],
    outcomes: &[FileOutcome],
    late: &[Finding],
    read: &HashSet<Option<PathBuf>>,
    crates: Vec<KeptCrate>,
) -> Vec<StoredCrate> {
    let mut crate_of: HashMap<&str, usize> = HashMap::new();
    if !late.is_empty() {
        for (at, (_, members, _)) in crates.iter().enumerate() {
            for &i in members {
                crate_of.insert(files[i].display.as_str(), at);
            }
        }
    }
    let mut late_of: Vec<Vec<FindingRecord>> = crates.iter().map(|_| Vec::new()).collect();
    for finding in late {
        if let Some(&at) = crate_of.get(finding.path.as_str()) {
            late_of[at].push(FindingRecord::of(finding));
        }
    }
    crates
        .into_iter()
        .zip(late_of)
        .map(|((root, members, whole), late)| StoredCrate {
            reads_skipped: read.contains(&root),
            root,
            whole,
            settings: members.iter().map(|&i| files[i].settings.clone()).collect(),
            outcomes: members
                .iter()
                .map(|&i| OutcomeRecord::of(&outcomes[i]))
                .collect(),
            members: members.iter().map(|&i| (i, files[i].explicit)).collect(),
            late,
        })
        .collect()
}

fn file_job<'s>(
    file: &'s Input,
    roots: &CrateRoots,
    prefilter: bool,
    handle_fields: Option<&'s CrateFields>,
    krate: Option<(CrateOf<'s>, bool)>,
    linted: bool,
) -> FileJob<'s> {
    let (krate, in_test_module) = match krate {
        Some((krate, in_test_module)) => (Some(krate), in_test_module),
        None => (None, false),
    };
    FileJob {
        display: file.display.clone(),
        // Only linting asks (reading and masking do not), and most files
        // are never linted: their place is not looked at.
        is_test_file: linted && (in_test_module || roots.is_test_file(&file.path)),
        krate,
        settings: &file.settings,
        prefilter,
        skip_generated: !file.explicit,
        handle_fields,
    }
}

/// Runs `work` on every item on the pool's threads, the heaviest first, and
/// returns the results in the items' order. In file order, a few big files
/// near the end of a run kept one thread busy while the other idled.
fn largest_first<T: Send, R: Send>(
    pool: &rayon::ThreadPool,
    items: Vec<T>,
    weight: impl Fn(&T) -> usize,
    work: impl Fn(T) -> R + Sync,
) -> Vec<R> {
    let count = items.len();
    let mut order: Vec<usize> = (0..count).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(weight(&items[i])));
    let slots: Vec<Mutex<Option<T>>> = items.into_iter().map(|t| Mutex::new(Some(t))).collect();
    let next = AtomicUsize::new(0);
    let done: Vec<Vec<(usize, R)>> = pool.broadcast(|_| {
        let mut done = Vec::new();
        while let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
            let item = slots[i].lock().ok().and_then(|mut slot| slot.take());
            if let Some(item) = item {
                done.push((i, work(item)));
            }
        }
        done
    });
    let mut results: Vec<Option<R>> = (0..count).map(|_| None).collect();
    for (i, result) in done.into_iter().flatten() {
        results[i] = Some(result);
    }
    results.into_iter().flatten().collect()
}

/// The worker threads for [`RunRequest::jobs`] (`--jobs`): none or 0 is rayon's default (one per
/// core); more than four per core (at most 256) gain nothing and cost a
/// stack each, so are capped.
pub(crate) fn threads(jobs: Option<usize>) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    jobs.unwrap_or(0).min(cores.saturating_mul(4).min(256))
}
