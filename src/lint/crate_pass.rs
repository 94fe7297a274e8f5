//! The crate pass: rules decided on facts merged across a crate's files,
//! after every file has been linted and its syntax tree dropped.
//!
//! Today one rule lives here, `unjoined-handle-field`: each file reports the
//! struct fields that hold task handles, join sets or child processes, and
//! the field names it uses in ways that may join, abort or hand them off
//! (and, apart, the uses that only spawn into a set); a field that no file
//! of its crate handles is reported, a join set only when some file spawns
//! into it. Files are grouped into
//! crates by their nearest `Cargo.toml` (with none, the run is one crate).
//! A file of the crate that was not parsed (the prefilter skipped it, or it
//! does not parse) is searched as text for `.field`, and any hit counts as a
//! handling use; files of the crate outside the run (a pre-commit run names
//! only the changed files) are read the same way.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::base::finding::Finding;
use crate::base::fingerprint::Fingerprinter;
use crate::base::rule::Severity;
use crate::config::settings::Settings;
use crate::input::discover::{self, CrateRoots};
use crate::input::read;
use crate::lint::engine::{self, FileJob, FileOutcome};
use crate::lint::inputs::{Input, Source};
use crate::rules::shutdown::unjoined_handle_field::{FileFacts, HandleField, Held, RULE};
use crate::text::fields::CrateFields;

/// Does this run collect facts at all?
fn wants_facts(settings: &Settings) -> bool {
    settings.is_enabled(&RULE)
}

/// Field uses by struct and name, or by name alone (any struct).
#[derive(Default)]
struct Uses {
    in_owner: HashSet<(String, String)>,
    anywhere: HashSet<String>,
}

impl Uses {
    fn add(&mut self, uses: &BTreeSet<(Option<String>, String)>) {
        for (owner, name) in uses {
            match owner {
                Some(owner) => self.in_owner.insert((owner.clone(), name.clone())),
                None => self.anywhere.insert(name.clone()),
            };
        }
    }

    fn contains(&self, field: &HandleField) -> bool {
        self.anywhere.contains(&field.name)
            || self
                .in_owner
                .contains(&(field.owner.clone(), field.name.clone()))
    }
}

/// The facts of one crate, merged.
#[derive(Default)]
struct Merged {
    /// (path, field, the severity the path's settings give the rule)
    fields: Vec<(String, HandleField, Severity)>,
    handled_in: HashSet<(String, String)>,
    handled_anywhere: HashSet<String>,
    /// Uses that fill or abort a join set: they handle other fields.
    set_uses: Uses,
    /// Fields spawned into.
    spawned: Uses,
    /// Fields cleared, or whose removed handles are thrown away.
    cleared: Uses,
    /// Some file of the crate sets `kill_on_drop(true)`: its tokio `Child`
    /// fields are guards that kill their process when dropped.
    kill_on_drop: bool,
}

impl Merged {
    fn add_uses(&mut self, facts: &FileFacts) {
        self.kill_on_drop |= facts.kill_on_drop;
        self.set_uses.add(&facts.set_uses);
        self.spawned.add(&facts.spawned);
        self.cleared.add(&facts.cleared);
        for (owner, name) in &facts.handled {
            match owner {
                Some(owner) => self.handled_in.insert((owner.clone(), name.clone())),
                None => self.handled_anywhere.insert(name.clone()),
            };
        }
    }

    fn add(&mut self, path: &str, facts: &FileFacts, settings: &Settings) {
        self.add_uses(facts);
        let severity = settings.severity_of(&RULE);
        self.fields.extend(
            facts
                .fields
                .iter()
                .map(|field| (path.to_string(), field.clone(), severity)),
        );
    }

    /// Does some use join, abort or hand off what the field holds?
    fn is_used(&self, field: &HandleField) -> bool {
        let handled = self.handled_anywhere.contains(&field.name)
            || self
                .handled_in
                .contains(&(field.owner.clone(), field.name.clone()));
        if field.holds == Held::JoinSet {
            return handled;
        }
        handled
            || (self.kill_on_drop && field.holds == Held::TokioChild)
            || field.beside_drop_guard
            || self.set_uses.contains(field)
    }

    fn is_handled(&self, field: &HandleField) -> bool {
        // A set nothing is spawned into holds nothing to lose.
        self.is_used(field) || (field.holds == Held::JoinSet && !self.spawned.contains(field))
    }

    /// The fields still to look for in other files (a set not yet seen
    /// spawned into may be, in a file merged later).
    fn unhandled_names(&self) -> BTreeSet<String> {
        self.fields
            .iter()
            .filter(|(_, f, _)| !self.is_used(f))
            .map(|(_, f, _)| f.name.clone())
            .collect()
    }

    /// A file known only as text: any `.name` of a still-unhandled field counts.
    fn scan_text(&mut self, text: &str) {
        self.kill_on_drop |= text.contains("kill_on_drop(true)");
        for name in self.unhandled_names() {
            if mentions_field(text, &name) {
                self.handled_anywhere.insert(name);
            }
        }
    }

    fn scan_file(&mut self, path: &Path, max_file_size: u64) {
        if let Ok(bytes) = read::read_bounded(path, max_file_size) {
            self.scan_text(&String::from_utf8_lossy(&bytes));
        }
    }

    fn findings(&self) -> Vec<Finding> {
        let mut fields: Vec<&(String, HandleField, Severity)> = self
            .fields
            .iter()
            .filter(|(_, f, _)| !self.is_handled(f))
            .collect();
        fields.sort_by(|a, b| (&a.0, a.1.region).cmp(&(&b.0, b.1.region)));
        let mut fingerprints: HashMap<&str, Fingerprinter> = HashMap::new();
        fields
            .into_iter()
            .map(|(path, field, severity)| {
                let (fingerprint, local_fingerprint) = fingerprints
                    .entry(path)
                    .or_default()
                    .fingerprints(RULE.id, path, &field.line_text, &field.owner);
                let (mut message, help) = describe(field);
                if self.cleared.contains(field) {
                    message.push_str(match field.holds {
                        Held::StdChild | Held::TokioChild => "; clearing or removing a `Child` drops it, which neither kills nor waits the process",
                        _ => "; clearing or removing the handles drops them, which does not stop what they run",
                    });
                }
                Finding {
                    rule: &RULE,
                    severity: *severity,
                    path: path.clone(),
                    region: field.region,
                    message,
                    help,
                    fingerprint,
                    local_fingerprint,
                    fix: None,
                }
            })
            .collect()
    }
}

fn describe(field: &HandleField) -> (String, String) {
    let HandleField {
        owner, name, holds, ..
    } = field;
    match holds {
        Held::JoinSet => (
            format!("field `{owner}::{name}` holds a `JoinSet` that tasks are spawned into but that is never joined: their results and panics pile up unseen, and dropping `{owner}` aborts the tasks still running"),
            format!("drain it when `{owner}` shuts down (`while let Some(res) = set.join_next().await`, or `shutdown().await`), and reap finished tasks with `try_join_next()` as new ones are spawned; call `detach_all()` if the tasks should run on"),
        ),
        Held::StdChild => (
            format!("field `{owner}::{name}` holds a `Child` that is only ever stored, never waited or killed"),
            format!("wait for the child when `{owner}` shuts down (`kill()` then `wait()`), or kill and wait for it in `Drop`"),
        ),
        Held::TokioChild => (
            format!("field `{owner}::{name}` holds a `Child` that is only ever stored, never waited or killed"),
            format!("wait for the child when `{owner}` shuts down (`kill().await` stops and reaps it), or spawn it with `.kill_on_drop(true)` so dropping `{owner}` kills it"),
        ),
        Held::AbortHandle => (
            format!("field `{owner}::{name}` holds an `AbortHandle` that is only ever stored, never used to abort its task"),
            format!("call `abort()` on it when `{owner}` shuts down or is dropped, or do not keep it"),
        ),
        Held::JoinHandle => (
            format!("field `{owner}::{name}` holds a `JoinHandle` that is only ever stored, never awaited, joined or aborted"),
            format!("join the task when `{owner}` shuts down (take the handle and `.await` or `.join()` it), or `abort()` it in `Drop`"),
        ),
    }
}

/// Is `.name` in the text, as a whole word and not a method call (`.name(`)?
fn mentions_field(text: &str, name: &str) -> bool {
    let needle = format!(".{name}");
    text.match_indices(&needle).any(|(at, _)| {
        let rest = &text[at + needle.len()..];
        let word_ends = rest
            .chars()
            .next()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        let after = rest.trim_start();
        word_ends && !after.starts_with('(') && !after.starts_with("::")
    })
}

/// Lints one file as a crate of its own: the file's rules, then the crate
/// pass on its facts (for the fixture harness, and for one-file runs).
pub fn lint_alone(source: String, job: &FileJob<'_>) -> FileOutcome {
    let mut outcome = engine::lint_source(source, job);
    if let Some(facts) = &outcome.facts {
        let mut merged = Merged::default();
        merged.add(&job.display, facts, job.settings);
        let findings = merged.findings();
        if !findings.is_empty() {
            outcome.findings.extend(findings);
            outcome
                .findings
                .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        }
    }
    outcome
}

/// What the crate pass needs to know about the run.
pub struct Run<'r> {
    pub roots: &'r CrateRoots,
    /// The paths the run was given.
    pub run_paths: &'r [PathBuf],
    pub prefilter: bool,
    /// See [`FileJob::handle_fields`], by crate root.
    pub handle_fields: &'r HashMap<Option<PathBuf>, CrateFields>,
}

/// What the crate pass found.
#[derive(Default)]
pub struct Late {
    pub findings: Vec<Finding>,
    /// The crates (by root) whose files without facts it read for the uses
    /// of their handle fields: what those files hold counts.
    pub read: HashSet<Option<PathBuf>>,
}

/// The crate pass over a whole run: `inputs` and `outcomes` line up. Call
/// it inside the run's thread pool: files of a crate outside the run are
/// read in parallel.
pub fn run(inputs: &[Input], outcomes: &[(String, FileOutcome)], run: &Run<'_>) -> Late {
    let Run {
        roots,
        run_paths,
        prefilter,
        handle_fields,
    } = *run;
    let mut late = Late::default();
    if !inputs.iter().any(|input| wants_facts(&input.settings)) {
        return late;
    }
    // Only a crate where some file declares a handle field can be reported
    // on: its files are found by path first, and grouped by their roots.
    let declaring: BTreeSet<Option<PathBuf>> = outcomes
        .iter()
        .zip(inputs)
        .filter(|((_, outcome), _)| outcome.facts.as_ref().is_some_and(|f| !f.fields.is_empty()))
        .map(|(_, input)| roots.root_of(&input.path))
        .collect();
    if declaring.is_empty() {
        return late;
    }
    let under_a_root: Vec<usize> = if declaring.contains(&None) {
        (0..inputs.len()).collect()
    } else {
        let dirs: HashSet<&[u8]> = declaring
            .iter()
            .flatten()
            .map(|dir| dir.as_os_str().as_encoded_bytes())
            .collect();
        (0..inputs.len())
            .filter(|&i| {
                let path = &inputs[i].path;
                let path = if path.is_absolute() {
                    std::borrow::Cow::Borrowed(path.as_path())
                } else {
                    std::borrow::Cow::Owned(discover::absolute(path))
                };
                // Is one of its folders (a prefix ending before a `/`) a root?
                let bytes = path.as_os_str().as_encoded_bytes();
                bytes
                    .iter()
                    .enumerate()
                    .filter(|&(_, &b)| b == b'/' || b == std::path::MAIN_SEPARATOR as u8)
                    .any(|(at, _)| dirs.contains(&bytes[..at.max(1)]))
            })
            .collect()
    };
    let crates = roots.group(under_a_root.iter().map(|&i| inputs[i].path.as_path()));
    for (root, members) in crates {
        if !declaring.contains(&root) {
            continue;
        }
        let members: Vec<usize> = members.into_iter().map(|m| under_a_root[m]).collect();
        let mut merged = Merged::default();
        for &i in &members {
            if let Some(facts) = &outcomes[i].1.facts {
                merged.add(&outcomes[i].0, facts, &inputs[i].settings);
            }
        }
        if merged.unhandled_names().is_empty() {
            continue;
        }
        late.read.insert(root.clone());
        for &i in &members {
            if outcomes[i].1.facts.is_none() {
                match &inputs[i].source {
                    Source::File => {
                        merged.scan_file(&inputs[i].path, inputs[i].settings.max_file_size)
                    }
                    Source::Stdin(text) => merged.scan_text(text),
                }
            }
        }
        if let Some(root) = &root {
            if !merged.unhandled_names().is_empty() && !covers(run_paths, root) {
                let Some(settings) = members
                    .iter()
                    .map(|&i| &inputs[i].settings)
                    .find(|settings| wants_facts(settings))
                else {
                    continue;
                };
                let in_run: HashSet<PathBuf> = members
                    .iter()
                    .map(|&i| canonical(&inputs[i].path))
                    .collect();
                let others: Vec<PathBuf> = crate_files(root)
                    .into_iter()
                    .filter(|path| !in_run.contains(&canonical(path)))
                    .collect();
                // Parsed as a run would parse them, for facts only; `None` means
                // the prefilter skipped the file or it does not parse.
                let facts: Vec<(&PathBuf, Option<Box<FileFacts>>)> = others
                    .par_iter()
                    .map(|path| {
                        let job = FileJob {
                            display: discover::display_path(path),
                            is_test_file: roots.is_test_file(path),
                            settings,
                            prefilter,
                            skip_generated: true,
                            handle_fields: handle_fields.get(&Some(root.clone())),
                            krate: None,
                        };
                        (path, engine::lint_path(path, &job).facts)
                    })
                    .collect();
                for (path, facts) in facts {
                    match facts {
                        Some(facts) => merged.add_uses(&facts),
                        None => merged.scan_file(path, settings.max_file_size),
                    }
                }
            }
        }
        late.findings.extend(merged.findings());
    }
    late
}

/// The path with symbolic links resolved, as written when it cannot be.
pub(crate) fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Was the whole crate at `root` walked by this run (a folder at or above it was given)?
pub(crate) fn covers(run_paths: &[PathBuf], root: &Path) -> bool {
    let root = canonical(root);
    run_paths
        .iter()
        .filter(|p| p.is_dir())
        .any(|p| root.starts_with(canonical(p)))
}

/// [`covers`] for many roots: the run's folders, canonical, once.
pub(crate) fn covering(run_paths: &[PathBuf]) -> impl Fn(&Path) -> bool {
    let dirs: Vec<PathBuf> = run_paths
        .iter()
        .filter(|p| p.is_dir())
        .map(|p| canonical(p))
        .collect();
    // A root under a given folder as written was walked from it (the walk
    // does not follow links): no need to resolve links to tell.
    let written: Vec<PathBuf> = run_paths
        .iter()
        .filter(|p| p.is_dir())
        .map(|p| discover::absolute(p))
        .collect();
    move |root| {
        let absolute = discover::absolute(root);
        if written.iter().any(|dir| absolute.starts_with(dir)) {
            return true;
        }
        let root = canonical(root);
        dirs.iter().any(|dir| root.starts_with(dir))
    }
}

/// The `.rs` files of the crate at `root`, not descending into other crates.
pub(crate) fn crate_files(root: &Path) -> Vec<PathBuf> {
    crate_walk(root, None)
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .map(|e| e.into_path())
        .filter(|p| p.extension().is_some_and(|ext| ext == "rs"))
        .collect()
}

/// What [`crate_files`] looks at, for the result cache to notice a change:
/// the folders it walks and those it prunes as nested crates, its files,
/// and each folder's ignore files (there or not).
pub(crate) fn crate_tree(root: &Path) -> Vec<PathBuf> {
    let pruned = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut tree = Vec::new();
    for entry in crate_walk(root, Some(std::sync::Arc::clone(&pruned))) {
        let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
        let path = entry.into_path();
        if is_dir {
            tree.push(path.join(".gitignore"));
            tree.push(path.join(".ignore"));
            tree.push(path);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            tree.push(path);
        }
    }
    tree.extend(pruned.lock().map(|p| p.clone()).unwrap_or_default());
    tree
}

/// The walk of the crate at `root`, not descending into other crates
/// (those pruned are added to `pruned`).
fn crate_walk(
    root: &Path,
    pruned: Option<std::sync::Arc<std::sync::Mutex<Vec<PathBuf>>>>,
) -> impl Iterator<Item = ignore::DirEntry> {
    let mut walk = ignore::WalkBuilder::new(root);
    walk.hidden(true)
        .require_git(false)
        .filter_entry(move |entry| {
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            if !is_dir || entry.depth() == 0 {
                return true;
            }
            let name = entry.file_name();
            if discover::SKIPPED_DIRS.iter().any(|d| name == *d) {
                return false;
            }
            let nested = entry.path().join("Cargo.toml").is_file();
            if nested {
                if let Some(Ok(mut pruned)) = pruned.as_ref().map(|p| p.lock()) {
                    pruned.push(entry.path().to_path_buf());
                }
            }
            !nested
        });
    walk.build().filter_map(Result::ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_mentions_are_whole_words() {
        assert!(mentions_field("self.task.take()", "task"));
        assert!(mentions_field("x.task", "task"));
        assert!(!mentions_field("self.tasks.len()", "task"));
        assert!(!mentions_field("task.abort()", "task"));
        assert!(!mentions_field("rt.handle().spawn(x)", "handle"));
        assert!(mentions_field("(self.handle)(x)", "handle"));
    }
}
