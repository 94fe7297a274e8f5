//! The command line: `tasklint check`, `rules`, `explain`.

use std::collections::{HashMap, HashSet};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use clap::{Args, Parser, Subcommand, ValueEnum};
use rayon::prelude::*;

use crate::base::diag::{self, diag};
use crate::base::escape;
use crate::base::finding::Finding;
use crate::base::rule::Severity;
use crate::config::files::{self as config, Resolver};
use crate::config::settings::Settings;
use crate::input::discover::{CrateRoots, DiscoverOptions};
use crate::input::read::Early;
use crate::lint::crate_pass;
use crate::lint::engine::{self, FileJob, Loaded};
use crate::lint::inputs::{self, Input, Source};
use crate::lint::suppress;
use crate::report::baseline::Baseline;
use crate::report::output;
use crate::report::render::{self, Format, Report};
use crate::rules;
use crate::text::fields::CrateFields;

#[derive(Debug, Parser)]
#[command(
    name = "tasklint",
    version,
    about = "Finds leaked async tasks in Rust code"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Lint files and folders (default: the current folder).
    Check(Box<CheckArgs>),
    /// List every rule: id, family, default severity, summary.
    Rules {
        #[arg(long, value_enum, default_value_t = RulesFormat::Human)]
        format: RulesFormat,
    },
    /// Print a rule's documentation.
    Explain { rule: String },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum RulesFormat {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
struct CheckArgs {
    /// Files or folders to lint (default: `.`; `cargo tasklint`: the
    /// workspace). `-` reads standard input.
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Rules to enable, replacing the default set: ids, family names, or `all`.
    #[arg(long, value_delimiter = ',')]
    select: Option<Vec<String>>,
    /// Rules to enable in addition to the selected ones.
    #[arg(long, value_delimiter = ',')]
    extend_select: Vec<String>,
    /// Rules to disable.
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,
    /// Skip files matching this glob (gitignore syntax); repeatable.
    #[arg(long)]
    exclude: Vec<String>,
    /// Use this configuration file for every file (and no other).
    #[arg(long, conflicts_with = "no_config")]
    config: Option<PathBuf>,
    /// Ignore every configuration file.
    #[arg(long)]
    no_config: bool,
    /// Lint standard input, reported under this path and with its settings.
    #[arg(long)]
    stdin_filename: Option<PathBuf>,
    /// Hide the findings this baseline file records; warn about its stale entries.
    #[arg(long)]
    baseline: Option<PathBuf>,
    /// Record every finding in this baseline file (and report none).
    #[arg(long)]
    write_baseline: Option<PathBuf>,
    /// Do not honour `.gitignore` and similar files.
    #[arg(long)]
    no_ignore: bool,
    /// Apply `--exclude` even to files named on the command line.
    #[arg(long)]
    force_exclude: bool,
    /// Exit 0 even when there are findings.
    #[arg(long)]
    exit_zero: bool,
    /// Print nothing but the findings.
    #[arg(long, short)]
    quiet: bool,
    /// Print the number of findings per rule (to standard error).
    #[arg(long)]
    statistics: bool,
    /// Threads to use (default: one per core).
    #[arg(long)]
    jobs: Option<usize>,
    /// Write the report to this file instead of standard output.
    #[arg(long)]
    output: Option<PathBuf>,
    /// When to colour the human format.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// Parse every file, whole, even those no rule could report on (for benchmarks).
    #[arg(long, hide = true)]
    no_prefilter: bool,
}

/// How tasklint was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invocation {
    /// `tasklint ...`
    Direct,
    /// `cargo tasklint ...`: no paths means the current workspace.
    Cargo,
}

pub fn run() -> ExitCode {
    run_from(std::env::args_os(), Invocation::Direct)
}

pub fn run_from(
    args: impl IntoIterator<Item = std::ffi::OsString>,
    invocation: Invocation,
) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match cli.command {
        Command::Check(args) => match check(&args, invocation) {
            Ok(code) => code,
            Err(message) => {
                diag!("error: {}", escape::text(&message));
                ExitCode::from(2)
            }
        },
        Command::Rules { format } => print_out(&list_rules(format)),
        Command::Explain { rule } => match rules::by_id(&rule) {
            Some(rule) => print_out(rule.doc),
            None => {
                diag!(
                    "error: unknown rule `{}` (see `tasklint rules` for the list)",
                    escape::text(&rule)
                );
                ExitCode::from(2)
            }
        },
    }
}

/// `rules` and `explain` print to standard output.
fn print_out(text: &str) -> ExitCode {
    match output::to_stdout(text) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            diag!("error: cannot write to standard output: {err}");
            ExitCode::from(2)
        }
    }
}

fn list_rules(format: RulesFormat) -> String {
    match format {
        RulesFormat::Json => {
            let rules: Vec<serde_json::Value> = rules::ALL
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "id": r.id,
                        "family": r.family.name(),
                        "severity": r.severity,
                        "default_enabled": r.default_enabled,
                        "summary": r.summary,
                    })
                })
                .collect();
            let mut out = serde_json::to_string_pretty(&rules).unwrap_or_default();
            out.push('\n');
            out
        }
        RulesFormat::Human => {
            let mut out = String::new();
            for r in rules::ALL {
                let default = if r.default_enabled { "on " } else { "off" };
                out.push_str(&format!(
                    "{:<26} {:<10} {:<8} {default}  {}\n",
                    r.id,
                    r.family.name(),
                    r.severity.as_str(),
                    r.summary
                ));
            }
            out
        }
    }
}

fn file_job<'s>(
    file: &'s Input,
    roots: &CrateRoots,
    prefilter: bool,
    handle_fields: Option<&'s CrateFields>,
) -> FileJob<'s> {
    FileJob {
        display: file.display.clone(),
        is_test_file: roots.is_test_file(&file.path),
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

fn check(args: &CheckArgs, invocation: Invocation) -> Result<ExitCode, String> {
    let selection = config::Selection {
        select: args.select.clone(),
        extend_select: args.extend_select.clone(),
        ignore: args.ignore.clone(),
    };
    let mut resolver = Resolver::new(args.config.as_deref(), args.no_config, selection)?;
    let baseline = args.baseline.as_deref().map(Baseline::load).transpose()?;
    let options = DiscoverOptions {
        no_ignore: args.no_ignore,
        excludes: args.exclude.clone(),
        force_exclude: args.force_exclude,
    };
    let started = std::time::Instant::now();
    let paths = match (&args.paths[..], &args.stdin_filename) {
        ([], None) => vec![default_root(invocation)],
        _ => args.paths.clone(),
    };
    let request = inputs::Request {
        paths: &paths,
        stdin_filename: args.stdin_filename.as_deref(),
        discover: &options,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads(args.jobs))
        // syn and the rule visitors recurse; deeply nested code must not overflow.
        .stack_size(64 << 20)
        .build()
        .map_err(|err| format!("cannot start worker threads: {err}"))?;
    let prefilter = !args.no_prefilter;
    // Files are read as the walk finds them; those no settings could let
    // through are dropped there, the others kept for the first pass.
    let widest = Settings::widest();
    let read_early = |path: &Path| engine::read_early(path, &widest);
    let early_reads = (prefilter && widest.filters_within_widest())
        .then_some(&read_early as &(dyn Fn(&Path) -> Early + Sync));
    let gathered = pool.install(|| inputs::gather(&request, &mut resolver, early_reads))?;
    for warning in &gathered.warnings {
        diag!("warning: {}", escape::text(warning));
    }
    let (files, earlies) = (gathered.inputs, gathered.earlies);
    let discovered = started.elapsed();
    let roots = CrateRoots::new(resolver.probes());
    let job_for = |file, handle_fields| file_job(file, &roots, prefilter, handle_fields);
    // Read and prefilter every file, then lint the ones let through, once the
    // handle fields the crate pass judges are known from all of them (they
    // decide what masking keeps).
    let loaded: Vec<(Loaded, Vec<String>)> = pool.install(|| {
        files
            .par_iter()
            .zip(earlies)
            .map(|(file, early)| {
                let job = job_for(file, None);
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
    for (file, (_, names)) in files.iter().zip(&loaded) {
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
    let jobs: Vec<(&Input, Loaded)> = files
        .iter()
        .zip(loaded)
        .map(|(file, (loaded, _))| (file, loaded))
        .collect();
    let outcomes: Vec<_> = largest_first(
        &pool,
        jobs,
        |(_, loaded)| loaded.size(),
        |(file, loaded)| {
            let fields = match &loaded {
                Loaded::Text(_) if !handle_fields.is_empty() => {
                    handle_fields.get(&roots.root_of(&file.path))
                }
                _ => None,
            };
            let job = job_for(file, fields);
            let outcome = engine::lint_read(loaded, &job);
            (job.display, outcome)
        },
    );
    let linted = started.elapsed();
    let mut late = pool.install(|| {
        let run = crate_pass::Run {
            roots: &roots,
            run_paths: &paths,
            prefilter: !args.no_prefilter,
            handle_fields: &handle_fields,
        };
        crate_pass::run(&files, &outcomes, &run)
    });
    let crate_passed = started.elapsed();
    let mut findings: Vec<Finding> = Vec::new();
    let mut sources = HashMap::new();
    let mut parsed = 0;
    for (path, outcome) in outcomes {
        parsed += usize::from(outcome.parsed);
        findings.extend(outcome.findings);
        if let Some(source) = outcome.source {
            sources.insert(path, source);
        }
    }
    suppress::silence_late(&mut late, |path| sources.get(path).cloned());
    findings.extend(late);
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));

    let notices = apply_baseline(args, baseline.as_ref(), &mut findings, &files)?;

    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            args.output.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let report = Report {
        findings: &findings,
        sources: &sources,
        files_scanned: files.len(),
        color,
    };
    let rendered = render::render(args.format, &report);
    match &args.output {
        Some(path) => {
            let others = [
                ("--write-baseline", args.write_baseline.as_deref()),
                ("--baseline", args.baseline.as_deref()),
                ("--config", args.config.as_deref()),
            ];
            output::refuse_overwrite("--output", path, &others)?;
            output::write_file(path, "--output", &rendered)?;
        }
        None => output::to_stdout(&rendered)
            .map_err(|err| format!("cannot write the report to standard output: {err}"))?,
    }
    if std::env::var_os("TASKLINT_TIMING").is_some() {
        diag!(
            "timing: walk, read and prefilter {:.3}s, decode and mask {:.3}s, lint {:.3}s, crate pass {:.3}s, merge and render {:.3}s",
            discovered.as_secs_f64(),
            (read - discovered).as_secs_f64(),
            (linted - read).as_secs_f64(),
            (crate_passed - linted).as_secs_f64(),
            (started.elapsed() - crate_passed).as_secs_f64()
        );
    }
    if !args.quiet {
        if args.format != Format::Human {
            diag!("{}", report.summary());
        }
        if files.is_empty() {
            diag!("warning: no Rust files found under the given paths");
        }
        for notice in notices {
            diag!("{}", escape::text(&notice));
        }
        if args.statistics {
            diag::text(&statistics(&findings));
            diag!("files: {} scanned, {parsed} parsed", files.len());
        }
    }
    let failing = findings.iter().any(|f| f.severity >= Severity::Warning);
    Ok(if failing && !args.exit_zero {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `--write-baseline` records the findings and hides them; `--baseline`
/// hides those it records and warns about its stale entries. Returns the
/// notices for standard error.
fn apply_baseline(
    args: &CheckArgs,
    baseline: Option<&Baseline>,
    findings: &mut Vec<Finding>,
    files: &[inputs::Input],
) -> Result<Vec<String>, String> {
    let scanned: HashMap<String, &Settings> = files
        .iter()
        .map(|f| (f.display.clone(), f.settings.as_ref()))
        .collect();
    let mut notices = Vec::new();
    if let Some(path) = &args.write_baseline {
        let written = Baseline::of(findings);
        output::refuse_overwrite(
            "--write-baseline",
            path,
            &[("--config", args.config.as_deref())],
        )?;
        output::write_file(path, "--write-baseline", &written.to_json())?;
        notices.push(format!(
            "wrote {} findings to baseline `{}`",
            written.findings.len(),
            path.display()
        ));
        written.apply(findings, &scanned);
    } else if let Some(baseline) = baseline {
        let before = findings.len();
        let stale = baseline.apply(findings, &scanned);
        if before > findings.len() {
            notices.push(format!(
                "{} findings hidden by the baseline",
                before - findings.len()
            ));
        }
        // Stale entries are warnings on standard error, even with --quiet,
        // and do not change the exit code: fixing a finding must not fail CI.
        for entry in stale {
            diag!("{}", entry.stale_warning());
        }
    }
    Ok(notices)
}

/// The worker threads for `--jobs`: none or 0 is rayon's default (one per
/// core); more than four per core (at most 256) gain nothing and cost a
/// stack each, so are capped.
fn threads(jobs: Option<usize>) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    jobs.unwrap_or(0).min(cores.saturating_mul(4).min(256))
}

/// What `check` lints when given no paths: the current folder, or for
/// `cargo tasklint` the root of the current workspace (as a relative path,
/// so that reported paths stay relative).
fn default_root(invocation: Invocation) -> PathBuf {
    let here = PathBuf::from(".");
    if invocation == Invocation::Direct {
        return here;
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let located = std::process::Command::new(cargo)
        .args(["locate-project", "--workspace", "--message-format", "plain"])
        .stderr(std::process::Stdio::null())
        .output();
    let Ok(output) = located else {
        return here;
    };
    let manifest = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    let (Some(root), Ok(cwd)) = (manifest.parent(), std::env::current_dir()) else {
        return here;
    };
    if !output.status.success() {
        return here;
    }
    match cwd.strip_prefix(root) {
        Ok(below) => {
            let depth = below.components().count();
            if depth == 0 {
                here
            } else {
                std::iter::repeat_n("..", depth).collect()
            }
        }
        Err(_) => root.to_path_buf(),
    }
}

fn statistics(findings: &[Finding]) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for rule in rules::ALL {
        let n = findings.iter().filter(|f| f.rule.id == rule.id).count();
        if n > 0 {
            counts.push((rule.id, n));
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    counts
        .iter()
        .map(|(id, n)| format!("{n:>6}  {id}\n"))
        .collect()
}
