//! `tasklint check --explain-model FILE`: what the crate model and the
//! walk make of one file, so that a user can see why something was or was
//! not reported. The same pieces as a run given that one file: the input
//! and its settings (configuration, selection), the crate model of its
//! crate (the crate's other files read for their signatures, as a run given
//! some files of a crate reads them), then a walk of the file with
//! [`Explainer`]. The file is parsed whole, never masked, so every site is
//! seen.

use std::fmt::Write;
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;

use crate::base::count::plural;
use crate::base::escape;
use crate::base::finding::Region;
use crate::input::discover::{self, CrateRoots};
use crate::input::read::{self, ReadError};
use crate::knowledge::declared::Declared;
use crate::knowledge::spawner::Spawner;
use crate::lint::crate_models;
use crate::lint::engine;
use crate::lint::inputs;
use crate::lint::run::{self, RunError, RunRequest};
use crate::semantic::context::{CrateView, Cx, Options};
use crate::semantic::crate_model::{CrateModel, FnFact, LazyModel, Ty};
use crate::semantic::explain::{CallSite, Explainer, HandleFact, Sites, SpawnSite};
use crate::semantic::handles::{Class, Origin};
use crate::semantic::spawns::Via;
use crate::semantic::walk::Walker;
use crate::syntax::exprs::has_cfg_test;
use crate::syntax::macros::Expansions;
use crate::text::signatures;

/// What the model inferred for `file`, as text for standard output: the
/// file's place in its crate, the crate model's facts, and the spawns and
/// task-handle calls the walk sees in the file. `request` gives the
/// configuration, the selection, the excludes and the threads; its paths
/// are not used. Fails when the file does not exist, is a folder or
/// standard input, is excluded, or cannot be read or parsed.
pub fn explain_model(request: &RunRequest, file: &Path) -> Result<String, RunError> {
    let shown = file.display();
    let fail = |message: String| RunError::Inputs(message);
    if file == Path::new("-") {
        return Err(fail(
            "--explain-model reads a file, not standard input".to_string(),
        ));
    }
    match std::fs::metadata(file) {
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Err(fail(format!("`{shown}` does not exist")));
        }
        Err(err) => return Err(fail(format!("cannot read `{shown}`: {err}"))),
        Ok(meta) if meta.is_dir() => {
            return Err(fail(format!(
                "`{shown}` is a folder: --explain-model takes one Rust file"
            )));
        }
        Ok(_) => {}
    }
    let mut resolver = request.resolver()?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(run::threads(request.jobs))
        .stack_size(64 << 20)
        .build()
        .map_err(|err| RunError::Threads(err.to_string()))?;
    // The file as a run's only path: its input and settings, then its crate.
    let paths = [file.to_path_buf()];
    let gather = inputs::Request {
        paths: &paths,
        stdin_filename: None,
        discover: &request.discover,
        texts: &[],
    };
    let gathered = pool
        .install(|| inputs::gather(&gather, &mut resolver, None))
        .map_err(RunError::Inputs)?;
    let Some(input) = gathered.inputs.into_iter().next() else {
        return Err(fail(format!(
            "`{shown}` is excluded (--force-exclude and an exclude pattern match it)"
        )));
    };
    let source = read_source(&input, file)?;
    let roots = CrateRoots::new(resolver.probes());
    let inputs = [input];
    let models = pool.install(|| {
        crate_models::build(crate_models::Request {
            files: &inputs,
            items: vec![signatures::items_of(&source)],
            declaring: vec![None],
            linted: &[true],
            roots: &roots,
            run_paths: &paths,
        })
    });
    let [input] = &inputs;
    // A file outside any crate the walk knows is linted alone, as in a run.
    let own_model;
    let (model, module, place, in_test_module) = match models.krate_of(0) {
        Some((krate, in_test_module)) => {
            let root = roots.root_of(&input.path);
            let shown = |root: &Path| match discover::display_path(root) {
                // The current folder.
                shown if shown.is_empty() => ".".to_string(),
                shown => shown,
            };
            let place = Place::Crate(root.as_deref().map(shown));
            (krate.model, krate.module, place, in_test_module)
        }
        None => {
            own_model = LazyModel::ready(CrateModel::of_file(&input.display, &source));
            (&own_model, Vec::new(), Place::Alone, false)
        }
    };
    let in_test_folder = roots.is_test_file(&input.path);
    let view = CrateView {
        lazy: model,
        module: &module,
    };
    let options = input.settings.options();
    let is_test_file = in_test_module || in_test_folder;
    let (sites, cfg_test) = walk(&source, &input.display, options, view, is_test_file)
        .map_err(|message| fail(format!("`{shown}` {message}")))?;
    let explained = Explained {
        display: &input.display,
        place,
        module: &module,
        test: if cfg_test {
            Some("`#![cfg(test)]`")
        } else if in_test_folder {
            Some("its place (under `tests/`, `benches/` or `examples/`, or named `tests.rs`)")
        } else if in_test_module {
            Some("a `#[cfg(test)] mod` declaration of it")
        } else {
            None
        },
        linted: input.settings.could_report(source.as_bytes()),
        configured: configured_spawners(options.declared),
        facts: model.get().describe(),
        sites,
    };
    Ok(explained.render())
}

/// The file's text, read as a run reads it (up to `max-file-size`).
fn read_source(input: &inputs::Input, file: &Path) -> Result<String, RunError> {
    let shown = file.display();
    let limit = input.settings.max_file_size;
    match read::read_bounded(&input.path, limit) {
        Ok(bytes) => String::from_utf8(bytes)
            .map_err(|_| RunError::Inputs(format!("`{shown}` is not valid UTF-8"))),
        Err(ReadError::TooLarge(size)) => Err(RunError::Inputs(format!(
            "`{shown}` is not read: {} is more than max-file-size ({})",
            plural(size, "byte"),
            plural(limit, "byte")
        ))),
        Err(err) => Err(RunError::Inputs(format!("cannot read `{shown}`: {err}"))),
    }
}

/// The configuration's spawners, as `path (Detaching)`, sorted.
fn configured_spawners(declared: &Declared) -> Vec<String> {
    let mut configured: Vec<String> = declared
        .spawners
        .iter()
        .map(|(path, spawner)| format!("{path} ({spawner:?})"))
        .collect();
    configured.sort();
    configured
}

/// Parses the whole file and walks it with [`Explainer`]: the sites, and
/// whether the file is `#![cfg(test)]`.
fn walk(
    source: &str,
    display: &str,
    options: Options<'_>,
    krate: CrateView<'_>,
    is_test_file: bool,
) -> Result<(Sites, bool), String> {
    let need = crate::text::depth::stack_needed(source.as_bytes()).map_err(|at| {
        let region = Region::at_end_of(source.get(..at).unwrap_or(""));
        format!(
            "line {}, column {}: cannot parse file: nested too deeply (more than {} levels)",
            region.line,
            region.column,
            crate::text::depth::MAX_DEPTH
        )
    })?;
    let walked = panic::catch_unwind(AssertUnwindSafe(|| {
        crate::text::depth::with_stack(need, || {
            let file = syn::parse_file(source).map_err(|err| {
                let region = Region::from_span(err.span());
                format!(
                    "line {}, column {}: {}; fix the syntax error to see the file's model",
                    region.line,
                    region.column,
                    engine::parse_message(&err)
                )
            })?;
            let expansions = Expansions::of_file(&file);
            let cx = Cx::new(
                display,
                source,
                &file,
                &expansions,
                options,
                is_test_file,
                krate,
            );
            let mut sites = Sites::default();
            Walker::new(cx, vec![Box::new(Explainer::new(&mut sites))]).run(&file);
            Ok((sites, has_cfg_test(&file.attrs)))
        })
    }));
    // Spans point into a thread-local copy of the parsed file; release it.
    proc_macro2::extra::invalidate_current_thread_spans();
    walked.unwrap_or_else(|_| {
        Err("made tasklint fail (a bug: please report it with the file)".into())
    })
}

/// Where the file's model comes from.
enum Place {
    /// The model of its crate, by the folder of its `Cargo.toml` (none:
    /// no `Cargo.toml` above the file).
    Crate(Option<String>),
    /// Its own items: it declares nothing the crate model reads.
    Alone,
}

struct Explained<'e> {
    display: &'e str,
    place: Place,
    module: &'e [String],
    /// Why the file is test code, if it is.
    test: Option<&'static str>,
    /// Does the prefilter let it through (some rule's trigger word is in it)?
    linted: bool,
    /// The configuration's spawners (`path (Detaching)`), sorted.
    configured: Vec<String>,
    facts: Vec<String>,
    sites: Sites,
}

/// The headings of [`CrateModel::describe`]'s lines, by their first words.
const GROUPS: &[(&str, &str)] = &[
    ("alias ", "type aliases"),
    ("field ", "struct fields"),
    ("fn ", "functions and methods"),
    ("associated type ", "associated types"),
    ("test module ", "test modules"),
];

impl Explained<'_> {
    fn render(&self) -> String {
        let mut out = String::new();
        self.render_place(&mut out);
        out.push('\n');
        self.render_facts(&mut out);
        out.push('\n');
        self.render_spawns(&mut out);
        out.push('\n');
        self.render_calls(&mut out);
        out
    }

    /// The file, its crate and module, and what decides whether rules look at it.
    fn render_place(&self, out: &mut String) {
        let _ = writeln!(out, "model of {}", escape::path(self.display));
        let krate = match &self.place {
            Place::Crate(Some(root)) => escape::path(root).into_owned(),
            Place::Crate(None) => "no `Cargo.toml` above the file: its model is its own".into(),
            Place::Alone => {
                "none: the file has no item the crate model collects (a `use`, a struct, \
                 an alias, a fn that returns something), so a run lints it alone, without its \
                 crate's model"
                    .into()
            }
        };
        let _ = writeln!(out, "  crate:      {krate}");
        if !matches!(self.place, Place::Alone) {
            let module = match self.module.first() {
                None => "crate (the crate root)".to_string(),
                Some(first) if first.starts_with('<') => format!(
                    "{} (outside `src/`: no module of the crate)",
                    self.module.join("::")
                ),
                Some(_) => format!("crate::{}", self.module.join("::")),
            };
            let _ = writeln!(out, "  module:     {}", escape::text(&module));
        }
        let test = match self.test {
            Some(why) => format!(
                "yes, by {why}: only the `swallowed` family and `dropped-task-cancels` look at it \
                 (unless `lint-tests = true`)"
            ),
            None => "no (sites in its `#[test]` fns and `#[cfg(test)]` items are marked \
                     `[test code]`)"
                .to_string(),
        };
        let _ = writeln!(out, "  test code:  {test}");
        let prefilter = if self.linted {
            "lets it through (a rule's trigger word is in it)"
        } else {
            "skips it: no enabled rule's trigger word is in it, so a run does not lint it"
        };
        let _ = writeln!(out, "  prefilter:  {prefilter}");
        let configured = if self.configured.is_empty() {
            "none".to_string()
        } else {
            escape::text(&self.configured.join(", ")).into_owned()
        };
        let _ = writeln!(out, "  configured spawners: {configured}");
    }

    /// [`CrateModel::describe`]'s lines, under [`GROUPS`]' headings.
    fn render_facts(&self, out: &mut String) {
        let whose = match self.place {
            Place::Crate(_) => "crate model",
            Place::Alone => "model of the file's own items",
        };
        let _ = writeln!(
            out,
            "{whose} ({}):",
            plural(self.facts.len() as u64, "fact")
        );
        let mut rest: Vec<&String> = self.facts.iter().collect();
        for (prefix, heading) in GROUPS {
            let _ = writeln!(out, "  {heading}:");
            let (group, others): (Vec<&String>, Vec<&String>) =
                rest.into_iter().partition(|fact| fact.starts_with(prefix));
            rest = others;
            if group.is_empty() {
                let _ = writeln!(out, "    none");
            }
            for fact in group {
                let _ = writeln!(out, "    {}", fact_text(&fact[prefix.len()..]));
            }
        }
        // Facts of a kind added to the model after this was written.
        if !rest.is_empty() {
            let _ = writeln!(out, "  other:");
            for fact in rest {
                let _ = writeln!(out, "    {}", fact_text(fact));
            }
        }
    }

    fn render_spawns(&self, out: &mut String) {
        let mut spawns: Vec<&SpawnSite> = self.sites.spawns.iter().collect();
        spawns.sort_by_key(|s| (s.region.line, s.region.column));
        spawns.dedup_by(|a, b| a == b);
        let _ = writeln!(out, "spawns ({}):", spawns.len());
        for spawn in spawns {
            let _ = writeln!(
                out,
                "  {:<8} `{}`  {}; {}{}",
                position(spawn.region),
                escape::text(&spawn.name),
                drop_semantics(spawn.spawner),
                via_text(spawn),
                test_mark(spawn.in_test)
            );
        }
    }

    fn render_calls(&self, out: &mut String) {
        let mut calls: Vec<&CallSite> = self.sites.calls.iter().collect();
        calls.sort_by_key(|c| (c.region.line, c.region.column));
        calls.dedup_by(|a, b| a == b);
        let _ = writeln!(out, "task calls ({}):", calls.len());
        for call in calls {
            let args = match (call.method.as_str(), call.has_args) {
                ("await", _) => "",
                (_, true) => "(..)",
                (_, false) => "()",
            };
            let written = format!("{}.{}{args}", call.receiver, call.method);
            let _ = write!(
                out,
                "  {:<8} `{}`  type: {}",
                position(call.region),
                escape::text(&written),
                ty_text(call.ty.as_ref())
            );
            if let (Some(Ty::Crate(owner)), Some(fact)) = (&call.ty, &call.fact) {
                let _ = write!(
                    out,
                    " (the model has `{owner}::{}`{})",
                    call.method,
                    fact_summary(fact)
                );
            }
            let _ = writeln!(
                out,
                "; handle: {}{}",
                handle_text(call.handle.as_ref()),
                test_mark(call.in_test)
            );
        }
    }
}

/// A fact of [`CrateModel::describe`], escaped; the `path:line` it ends
/// with, if any, escaped as a path.
fn fact_text(fact: &str) -> String {
    if let Some(at) = fact.rfind("  [").filter(|_| fact.ends_with(']')) {
        let (what, place) = (&fact[..at], &fact[at + 3..fact.len() - 1]);
        if let Some((path, line)) = place.rsplit_once(':') {
            return format!(
                "{}  [{}:{}]",
                escape::text(what),
                escape::path(path),
                escape::text(line)
            );
        }
    }
    escape::text(fact).into_owned()
}

fn position(region: Region) -> String {
    format!("{}:{}", region.line, region.column)
}

fn test_mark(in_test: bool) -> &'static str {
    if in_test {
        "  [test code]"
    } else {
        ""
    }
}

fn drop_semantics(spawner: Spawner) -> &'static str {
    match spawner {
        Spawner::Detaching => "Detaching (dropping the handle detaches the task)",
        Spawner::CancelOnDrop => "CancelOnDrop (dropping the handle cancels the task)",
        Spawner::Owning => "Owning (the spawner owns the task)",
        Spawner::Thread => "Thread (dropping the handle detaches the thread)",
        Spawner::Child => "Child (a child process, a zombie unless waited)",
    }
}

fn via_text(spawn: &SpawnSite) -> String {
    let source = match spawn.via {
        Via::Tables => "by the spawner tables",
        Via::Configuration => "by the configuration",
        Via::CrateModel => "by the crate model",
    };
    match (&spawn.path, spawn.receiver) {
        (Some(path), _) => format!("{source} (`{}`)", escape::text(path)),
        (None, Some(kind)) => format!("{source} (a spawning method of {kind:?})"),
        (None, None) => format!("{source} (a spawning method of the receiver's crate type)"),
    }
}

fn ty_text(ty: Option<&Ty>) -> String {
    match ty {
        Some(Ty::Kind(kind)) => format!("{kind:?}"),
        Some(Ty::Crate(name)) => format!("crate type `{name}`"),
        None => "unknown".to_string(),
    }
}

/// What the task-handle model says of a receiver.
fn handle_text(handle: Option<&HandleFact>) -> String {
    let Some(handle) = handle else {
        return "none".to_string();
    };
    let class = match handle.class {
        Class::Handle(k) => format!("{:?}", k.kind),
        Class::Holder(k) => format!("holder of {:?}s", k.kind),
        Class::JoinSet => "JoinSet".to_string(),
        Class::Tracker => "TaskTracker".to_string(),
        Class::Guarded(k) => format!("{:?} behind a lock or pointer", k.kind),
        Class::GuardedSet => "JoinSet behind a lock or in a container".to_string(),
    };
    let Some((name, origin)) = &handle.binding else {
        return class;
    };
    let origin = match origin {
        Origin::Spawned(spawner) => format!("spawned by `{}`", escape::text(spawner)),
        Origin::Element(holder) => format!("taken out of `{}`", escape::text(holder)),
        Origin::Param => "a parameter with a written type".to_string(),
        Origin::Field => "a field with a written type".to_string(),
        Origin::Local => "a local with a written type, or a copy".to_string(),
        Origin::Filled => "a collection filled with handles".to_string(),
    };
    format!("{class} `{}`, {origin}", escape::text(name))
}

/// ` (returns JoinHandle; spawns, Detaching)`, or nothing.
fn fact_summary(fact: &FnFact) -> String {
    let mut parts = Vec::new();
    if let Some(returns) = &fact.returns {
        parts.push(format!("returns {}", ty_text(Some(returns))));
    }
    if let Some(spawner) = fact.spawner {
        parts.push(format!("spawns, {spawner:?}"));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join("; "))
    }
}
