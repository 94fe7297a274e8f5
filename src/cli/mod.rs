//! The command line: `tasklint check`, `rules`, `explain`, `server`.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, FromArgMatches, Parser, Subcommand, ValueEnum};

use crate::base::diag::{self, diag};
use crate::base::escape;
use crate::base::finding::Finding;
use crate::base::rule::Severity;
use crate::config::files as config;
use crate::config::settings::Settings;
use crate::input::discover::DiscoverOptions;
use crate::lint::run::{self, RunRequest, RunResult};
use crate::lint::{explain, inputs};
use crate::report::baseline::{Baseline, Places};
use crate::report::output;
use crate::report::render::{self, Format, Report};
use crate::rules;

mod cargo;
mod fix;
mod watch;

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
    /// Run the language server (LSP, over standard input and output) for editors.
    Server,
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
    /// packages cargo picks). `-` reads standard input.
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, visible_alias = "output-format", value_enum, default_value_t = Format::Human)]
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
    /// Print nothing but the findings (no summary, in every format).
    #[arg(long, short)]
    quiet: bool,
    /// Print the number of findings per rule (to standard error; also with `--quiet`).
    #[arg(long)]
    statistics: bool,
    /// Threads to use (default: one per core).
    #[arg(long, short)]
    jobs: Option<usize>,
    /// Write the report to this file instead of standard output.
    #[arg(long)]
    output: Option<PathBuf>,
    /// When to colour the human format.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// Print what the model infers for this one file, and lint nothing.
    ///
    /// Shows the facts of the file's crate (aliases, struct fields,
    /// functions and methods with what they return and whether they spawn,
    /// associated types, test modules), the file's module path and whether
    /// it is test code, every call taken for a spawn (its drop semantics,
    /// and whether the spawner tables, the configuration or the crate model
    /// know it) and every `.spawn*()`, `.abort()`, `.await`, `.join()`,
    /// `.wait()`, `.kill()` with what its receiver is: why something was or
    /// was not reported. Exits 2 when the file cannot be read or parsed.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with_all = ["paths", "stdin_filename", "format", "baseline", "write_baseline", "output"]
    )]
    explain_model: Option<PathBuf>,
    /// Apply the safe fixes, writing each fixed file (`-`: to standard output).
    #[arg(long, conflicts_with_all = ["explain_model", "write_baseline", "baseline"])]
    fix: bool,
    /// With `--fix` or `--diff`, also apply the unsafe fixes (they change behaviour).
    #[arg(long)]
    unsafe_fixes: bool,
    /// Print the unified diff the fixes would make, and write nothing (exit 1 when there is one).
    #[arg(long, conflicts_with_all = ["explain_model", "write_baseline", "baseline"])]
    diff: bool,
    /// Write `// tasklint: allow(<rule>) <REASON>` above every finding's line.
    #[arg(
        long,
        value_name = "REASON",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "",
        conflicts_with_all = ["fix", "diff", "explain_model", "write_baseline", "baseline"]
    )]
    add_suppression: Option<String>,
    /// Parse every file, whole, even those no rule could report on (for benchmarks).
    #[arg(long, hide = true)]
    no_prefilter: bool,
    /// `cargo tasklint`'s package flags (see `cli/cargo.rs`).
    #[command(flatten)]
    cargo: cargo::PackageArgs,
    /// Print the settings that apply to this file and the configuration
    /// files they come from (the nearest first, then those it extends); lint
    /// nothing.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["explain_model", "show_files", "output", "baseline", "write_baseline"])]
    show_settings: Option<PathBuf>,
    /// Print the files this run would lint, one a line; lint nothing.
    #[arg(long, conflicts_with_all = ["explain_model", "output", "baseline", "write_baseline"])]
    show_files: bool,
    /// Keep the result cache in this folder (default: `.tasklint_cache` in
    /// the project root: the nearest folder above the current one with a
    /// tasklint configuration or a `Cargo.lock`, else the current folder).
    #[arg(long, value_name = "DIR", env = "TASKLINT_CACHE_DIR")]
    cache_dir: Option<PathBuf>,
    /// Neither read nor write the result cache.
    #[arg(long)]
    no_cache: bool,
    /// Lint again whenever a Rust or configuration file changes, until Ctrl-C (then exit 0).
    #[arg(
        long,
        conflicts_with_all = [
            "fix", "diff", "add_suppression", "write_baseline", "output",
            "show_settings", "show_files", "explain_model", "stdin_filename",
        ]
    )]
    watch: bool,
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
    let parsed = cargo::command(invocation)
        .try_get_matches_from(args)
        .and_then(|matches| Cli::from_arg_matches(&matches));
    let cli = match parsed {
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
        Command::Check(args) if args.watch && args.paths.iter().any(|p| p == "-") => {
            let _ = watch::refuse_stdin(invocation).print();
            ExitCode::from(2)
        }
        Command::Check(args) => match checked(&args, invocation) {
            Ok(code) => code,
            Err(message) => {
                diag!("error: {}", escape::text(&message));
                ExitCode::from(2)
            }
        },
        Command::Rules { format } => print_out(&list_rules(format)),
        Command::Server => match crate::server::run() {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                diag!("error: tasklint server: {}", escape::text(&message));
                ExitCode::from(1)
            }
        },
        Command::Explain { rule } => match rules::by_id(&rule) {
            Some(rule) => print_out(rule.doc),
            None => {
                diag!(
                    "error: unknown rule `{}`{} (see `tasklint rules` for the list)",
                    escape::text(&rule),
                    crate::base::spelling::did_you_mean(&rule, rules::ALL.iter().map(|r| r.id))
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
                        "fix": r.fix,
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

/// `check`, once or with `--watch` again on every change.
fn checked(args: &CheckArgs, invocation: Invocation) -> Result<ExitCode, String> {
    if args.watch {
        watch::run(args, invocation)
    } else {
        check(args, invocation)
    }
}

fn check(args: &CheckArgs, invocation: Invocation) -> Result<ExitCode, String> {
    let (paths, skip_nested_crates) = match (&args.paths[..], &args.stdin_filename) {
        ([], None) => cargo::default_paths(&args.cargo, invocation, args.quiet)?,
        _ => (args.paths.clone(), false),
    };
    let request = RunRequest {
        paths,
        stdin_filename: args.stdin_filename.clone(),
        config: args.config.clone(),
        no_config: args.no_config,
        selection: config::Selection {
            select: args.select.clone(),
            extend_select: args.extend_select.clone(),
            ignore: args.ignore.clone(),
        },
        discover: DiscoverOptions {
            no_ignore: args.no_ignore,
            excludes: args.exclude.clone(),
            force_exclude: args.force_exclude,
            skip_nested_crates,
        },
        jobs: args.jobs,
        prefilter: !args.no_prefilter,
        texts: Vec::new(),
        cache: None,
    };
    if let Some(file) = &args.explain_model {
        let explained = explain::explain_model(&request, file).map_err(|err| err.to_string())?;
        output::to_stdout(&explained)
            .map_err(|err| format!("cannot write to standard output: {err}"))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut resolver = request.resolver().map_err(|err| err.to_string())?;
    if let Some(file) = &args.show_settings {
        let shown = resolver.show_settings(file)?;
        output::to_stdout(&shown)
            .map_err(|err| format!("cannot write to standard output: {err}"))?;
        return Ok(ExitCode::SUCCESS);
    }
    if args.show_files {
        let files = run::files(&request, resolver).map_err(|err| err.to_string())?;
        let listed: String = files
            .iter()
            .map(|file| format!("{}\n", escape::path(file)))
            .collect();
        output::to_stdout(&listed)
            .map_err(|err| format!("cannot write to standard output: {err}"))?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(reason) = &args.add_suppression {
        let (stdout, summary) = fix::add_suppressions(&request, resolver, reason)?;
        if let Some(text) = stdout {
            output::to_stdout(&text)
                .map_err(|err| format!("cannot write to standard output: {err}"))?;
        }
        if !args.quiet {
            diag!("{}", escape::text(&summary));
        }
        return Ok(ExitCode::SUCCESS);
    }
    let baseline = args.baseline.as_deref().map(Baseline::load).transpose()?;
    let (result, fixed) = if args.fix || args.diff {
        let (result, done) = fix::run(&request, resolver, args.diff, args.unsafe_fixes)?;
        (result, Some(done))
    } else {
        let request = RunRequest {
            cache: cache_dir(args),
            ..request
        };
        let result = run::run_with(&request, resolver).map_err(|err| err.to_string())?;
        (result, None)
    };
    for warning in &result.warnings {
        diag!("warning: {}", escape::text(warning));
    }
    for note in &result.notes {
        diag!("note: {}", escape::text(note));
    }
    let RunResult {
        mut findings,
        sources,
        files,
        stats,
        timings,
        ..
    } = result;

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
        files_scanned: stats.files_scanned,
        color,
    };
    let rendered = if args.quiet {
        render::render_quiet(args.format, &report)
    } else {
        render::render(args.format, &report)
    };
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
        // `--diff` and a fixed standard input take standard output; the
        // report of what remains goes to standard error (not for `--diff`).
        None => match fixed.as_ref().and_then(|done| done.stdout.as_deref()) {
            Some(text) => {
                output::to_stdout(text)
                    .map_err(|err| format!("cannot write to standard output: {err}"))?;
                if !args.diff && !args.quiet {
                    diag::text(&rendered);
                }
            }
            None => output::to_stdout(&rendered)
                .map_err(|err| format!("cannot write the report to standard output: {err}"))?,
        },
    }
    if std::env::var_os("TASKLINT_TIMING").is_some() {
        diag!(
            "timing: walk, read and prefilter {:.3}s, decode and mask {:.3}s, crate models {:.3}s, lint {:.3}s, crate pass {:.3}s, merge and render {:.3}s",
            timings.discovered.as_secs_f64(),
            (timings.read - timings.discovered).as_secs_f64(),
            (timings.modelled - timings.read).as_secs_f64(),
            (timings.linted - timings.modelled).as_secs_f64(),
            (timings.crate_passed - timings.linted).as_secs_f64(),
            (timings.started.elapsed() - timings.crate_passed).as_secs_f64()
        );
        if let Some(cache) = stats.cache {
            diag!(
                "cache: walk {}, {} read, {} from the cache, {} linted",
                if cache.replayed { "replayed" } else { "done" },
                render::plural(cache.files_read, "file"),
                render::plural(cache.crates_reused, "crate"),
                render::plural(cache.crates_linted, "crate")
            );
        }
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
        match &fixed {
            Some(done) => diag!("{}", done.summary),
            None => {
                if let Some(note) = fix::fixable_note(&findings, args.unsafe_fixes) {
                    diag!("{note}");
                }
            }
        }
    }
    // Asked for by name, so `--quiet` does not silence it.
    if args.statistics {
        diag::text(&statistics(&findings));
        diag!(
            "files: {} scanned, {} parsed",
            stats.files_scanned,
            stats.files_parsed
        );
    }
    if let Some(done) = fixed.as_ref().filter(|_| args.diff) {
        return Ok(ExitCode::from(u8::from(done.has_diff)));
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
    if args.write_baseline.is_none() && baseline.is_none() {
        // Without a baseline, the places of the files are never needed.
        return Ok(Vec::new());
    }
    let scanned: HashMap<String, &Settings> = files
        .iter()
        .map(|f| (f.display.clone(), f.settings.as_ref()))
        .collect();
    let places = Places::of(files);
    let mut notices = Vec::new();
    if let Some(path) = &args.write_baseline {
        let written = Baseline::of(findings, &places, path);
        output::refuse_overwrite(
            "--write-baseline",
            path,
            &[("--config", args.config.as_deref())],
        )?;
        output::write_file(path, "--write-baseline", &written.to_json())?;
        notices.push(format!(
            "wrote {} to baseline `{}`",
            render::plural(written.findings.len(), "finding"),
            path.display()
        ));
        written.apply(findings, &scanned, &places);
    } else if let Some(baseline) = baseline {
        let applied = baseline.apply(findings, &scanned, &places);
        if applied.hidden > 0 {
            notices.push(format!(
                "{} hidden by the baseline",
                render::plural(applied.hidden, "finding")
            ));
        }
        // Stale entries are warnings on standard error, even with --quiet,
        // and do not change the exit code: fixing a finding must not fail CI.
        for warning in applied.warnings {
            diag!("{}", warning);
        }
    }
    Ok(notices)
}

/// The result cache's folder for this run, `None` with `--no-cache`.
fn cache_dir(args: &CheckArgs) -> Option<PathBuf> {
    if args.no_cache {
        return None;
    }
    if let Some(dir) = &args.cache_dir {
        return Some(dir.clone());
    }
    let cwd = std::env::current_dir().ok()?;
    let marks = ["tasklint.toml", ".tasklint.toml", "Cargo.lock"];
    let root = cwd
        .ancestors()
        .find(|dir| marks.iter().any(|mark| dir.join(mark).is_file()))
        .unwrap_or(&cwd);
    Some(root.join(".tasklint_cache"))
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
