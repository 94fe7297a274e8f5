//! One file in, findings out: read, prefilter, parse, walk, fingerprint.
//! No syntax tree outlives this module's functions.

use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;
use std::rc::Rc;
use std::sync::OnceLock;

use crate::base::count::plural;
use crate::base::finding::{Diagnostic, Finding, Region};
use crate::base::fingerprint::Fingerprinter;
use crate::base::fix::LineIndex;
use crate::base::rule::SUPPRESSION_MARKER;
use crate::config::settings::Settings;
use crate::input::read::{read_filtered, read_stamped, Early, ReadError};
use crate::input::stamp::{hash, Content, Stamp};
use crate::lint::suppress::{self, ItemLines, Suppressions};
use crate::rules::shutdown::unjoined_handle_field::{self, FieldFacts, FileFacts};
use crate::rules::{self, parse_error, unused_suppression};
use crate::semantic::context::{CrateView, Cx};
use crate::semantic::crate_model::{CrateModel, LazyModel};
use crate::semantic::walk::Walker;
use crate::syntax::macros::Expansions;
use crate::text::fields::{fields_and_items, CrateFields, FieldFinder};
use crate::text::mask::Masked;
use crate::text::signatures::{self, ItemTexts};

/// What linting one file produced.
#[derive(Debug, Default)]
pub struct FileOutcome {
    pub findings: Vec<Finding>,
    /// The text, kept only when a finding needs it rendered.
    pub source: Option<String>,
    pub parsed: bool,
    /// Facts for the crate pass, when the file was parsed and the crate
    /// pass is enabled; `None` means the crate pass must read the text.
    /// Boxed: most files have none, and a run keeps an outcome per file.
    pub facts: Option<Box<FileFacts>>,
}

/// How a file is to be linted.
pub struct FileJob<'s> {
    /// The path as reported.
    pub display: String,
    pub is_test_file: bool,
    pub settings: &'s Settings,
    pub prefilter: bool,
    /// Skip files marked `@generated` (those not named on the command line).
    pub skip_generated: bool,
    /// Names of the handle fields the crate pass judges, from every file of
    /// the file's crate in the run: a body that names one is never masked
    /// (see [`crate::text::mask`]).
    pub handle_fields: Option<&'s CrateFields>,
    /// The crate model of the file's crate, and the file's module in it;
    /// `None` for a file linted alone, whose own items are its model.
    pub krate: Option<CrateOf<'s>>,
}

/// A file's place in its crate's model.
#[derive(Debug, Clone)]
pub struct CrateOf<'s> {
    pub model: &'s LazyModel,
    /// The file's module path (`["net", "client"]`).
    pub module: Vec<String>,
}

/// A file read and let through by the prefilter, or already decided.
pub enum Loaded {
    Text(Text),
    /// A file let through, but not kept in memory: read again when linted.
    Later(std::path::PathBuf),
    Done(FileOutcome),
}

/// The text of a file let through by the prefilter.
pub struct Text {
    source: String,
    /// Masked by [`Loaded::prepare`], before the crate's handle fields were
    /// known: `Some(None)` when masking blanks nothing.
    premasked: Option<Option<Masked>>,
}

impl Loaded {
    fn text(source: String) -> Loaded {
        Loaded::Text(Text {
            source,
            premasked: None,
        })
    }

    /// How much work linting it is, roughly: the text's length.
    pub fn size(&self) -> usize {
        match self {
            Loaded::Text(text) => text.source.len(),
            Loaded::Later(_) => 1,
            Loaded::Done(_) => 0,
        }
    }

    /// Masks the text and returns the handle fields it declares, for
    /// [`FileJob::handle_fields`], and its item signatures, for the crate
    /// model: the first pass over a run's files.
    pub fn prepare(&mut self, settings: &Settings, prefilter: bool) -> (Vec<String>, ItemTexts) {
        let Loaded::Text(text) = self else {
            return (Vec::new(), ItemTexts::default());
        };
        static FINDER: OnceLock<Option<FieldFinder>> = OnceLock::new();
        let finder = settings
            .is_enabled(&unjoined_handle_field::RULE)
            .then(|| {
                FINDER.get_or_init(|| {
                    FieldFinder::new(&unjoined_handle_field::RULE.triggers.concat())
                })
            })
            .and_then(Option::as_ref);
        if !may_mask(&text.source, prefilter) {
            return fields_and_items(finder, &text.source);
        }
        let (masked, fields, items) = settings.mask_and_find(&text.source, finder);
        text.premasked = Some(masked);
        (fields, items)
    }
}

/// Masking is off without the prefilter, and for files with suppression
/// comments (which may name any line).
fn may_mask(source: &str, prefilter: bool) -> bool {
    prefilter && !source.contains(SUPPRESSION_MARKER)
}

/// Reads and lints one file. Never panics: an unreadable, non-UTF-8 or
/// unparsable file is a `parse-error` finding.
pub fn lint_path(path: &Path, job: &FileJob<'_>) -> FileOutcome {
    lint_read(read_path(path, job), job)
}

/// Lints what [`read_path`] or [`read_source`] returned.
pub fn lint_read(read: Loaded, job: &FileJob<'_>) -> FileOutcome {
    match read {
        Loaded::Text(text) => lint_text(text, job),
        Loaded::Later(path) => lint_path(&path, job),
        Loaded::Done(outcome) => outcome,
    }
}

/// Reads a file while the walk goes on, and runs the prefilter of `widest`
/// (every rule enabled) on it. A file over the default `max-file-size` is
/// left for [`read_path`], which knows the file's own limit.
pub fn read_early(path: &Path, widest: &Settings) -> Early {
    let limit = crate::config::settings::DEFAULT_MAX_FILE_SIZE;
    let early = EarlyFilter::new(widest, true);
    early.of(read_filtered(path, limit, |bytes| early.passes(bytes)).ok())
}

/// [`read_early`] for the result cache: also the file's stamp and what
/// the cache keeps of its bytes (their hash, unless the prefilter skipped
/// them). Without `early` (a run that reads nothing early) the file is
/// read for its hash only, and left [`Early::Unread`].
pub fn read_early_stamped(
    path: &Path,
    widest: &Settings,
    early: bool,
) -> (Early, Option<(Stamp, Content)>) {
    let limit = crate::config::settings::DEFAULT_MAX_FILE_SIZE;
    let filter = EarlyFilter::new(widest, early);
    let take = |bytes: &[u8]| {
        let early = filter.of(Some(filter.passes(bytes).then(|| bytes.to_vec())));
        let content = match early {
            Early::Skipped => Content::Skipped,
            _ => Content::Hash(hash(bytes)),
        };
        (early, content)
    };
    match read_stamped(path, limit, take) {
        Ok(((early, content), stamp)) => (early, Some((stamp, content))),
        Err(_) => (Early::Unread, None),
    }
}

/// The widest prefilter as a read's filter, and what its verdict makes of
/// the bytes kept.
struct EarlyFilter<'s> {
    widest: &'s Settings,
    /// Filter at all (else nothing is kept, and the file stays unread).
    early: bool,
    reports: std::cell::Cell<bool>,
}

impl<'s> EarlyFilter<'s> {
    fn new(widest: &'s Settings, early: bool) -> Self {
        EarlyFilter {
            widest,
            early,
            reports: std::cell::Cell::new(false),
        }
    }

    fn passes(&self, bytes: &[u8]) -> bool {
        if !self.early {
            return false;
        }
        let scan = self.widest.scan(bytes);
        self.reports.set(scan.reports);
        // Kept for the crate model's signatures (see `signatures::MAX_TEXT`).
        scan.reports || (scan.declares && bytes.len() <= signatures::MAX_TEXT)
    }

    /// `read`: `None` when reading failed, else the bytes kept, if any.
    fn of(&self, read: Option<Option<Vec<u8>>>) -> Early {
        match read {
            Some(Some(bytes)) if self.reports.get() => Early::Read(bytes),
            Some(Some(bytes)) => Early::Declares(bytes),
            Some(None) if self.early => Early::Skipped,
            Some(None) | None => Early::Unread,
        }
    }
}

/// Reads an input: [`read_known`] for a file, [`read_source`] for standard
/// input (whose bytes are in `early` when they are not UTF-8).
pub fn read_input(input: &crate::lint::inputs::Input, early: Early, job: &FileJob<'_>) -> Loaded {
    match (&input.source, early) {
        (_, Early::Failed(message)) => Loaded::Done(error_outcome(
            job,
            Region::start(),
            message,
            "check the path's permissions and length",
            None,
        )),
        (crate::lint::inputs::Source::File, early) => read_known(&input.path, early, job),
        (crate::lint::inputs::Source::Stdin(_), Early::Read(bytes)) => {
            if job.prefilter && !job.settings.could_report(&bytes) {
                return Loaded::Done(FileOutcome::default());
            }
            decode(bytes, job)
        }
        (crate::lint::inputs::Source::Stdin(text), _) => read_source(text.clone(), job),
    }
}

/// [`read_path`], starting from what [`read_early`] found.
pub fn read_known(path: &Path, early: Early, job: &FileJob<'_>) -> Loaded {
    match early {
        Early::Read(bytes) if bytes.len() as u64 > job.settings.max_file_size => {
            Loaded::Done(too_large(job, bytes.len() as u64))
        }
        Early::Read(bytes) if job.prefilter => {
            let passes = job.settings.filters_as_widest() || job.settings.could_report(&bytes);
            if !passes {
                return Loaded::Done(FileOutcome::default());
            }
            decode(bytes, job)
        }
        Early::Skipped | Early::Declares(_)
            if job.prefilter && job.settings.filters_within_widest() =>
        {
            Loaded::Done(FileOutcome::default())
        }
        _ => read_path(path, job),
    }
}

/// Reads a file and runs the prefilter on it.
pub fn read_path(path: &Path, job: &FileJob<'_>) -> Loaded {
    let read = read_filtered(path, job.settings.max_file_size, |bytes| {
        !job.prefilter || job.settings.could_report(bytes)
    });
    let bytes = match read {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Loaded::Done(FileOutcome::default()),
        Err(ReadError::TooLarge(size)) => return Loaded::Done(too_large(job, size)),
        Err(err) => {
            let message = format!("cannot read file: {err}");
            return Loaded::Done(error_outcome(
                job,
                Region::start(),
                message,
                "check the file's permissions",
                None,
            ));
        }
    };
    decode(bytes, job)
}

/// The `parse-error` of a file over `max-file-size`, of `size` bytes at least.
fn too_large(job: &FileJob<'_>, size: u64) -> FileOutcome {
    let message = format!(
        "file not linted: {} is more than max-file-size ({})",
        plural(size, "byte"),
        plural(job.settings.max_file_size, "byte")
    );
    error_outcome(
        job,
        Region::start(),
        message,
        "raise `max-file-size` in the configuration, or exclude the file",
        None,
    )
}

/// The file's text, or a `parse-error` when it is not UTF-8.
fn decode(bytes: Vec<u8>, job: &FileJob<'_>) -> Loaded {
    match String::from_utf8(bytes) {
        Ok(source) => Loaded::text(source),
        Err(err) => {
            let valid = &err.as_bytes()[..err.utf8_error().valid_up_to()];
            let prefix = String::from_utf8_lossy(valid);
            let region = Region::at_end_of(&prefix);
            let source = String::from_utf8_lossy(err.as_bytes()).into_owned();
            Loaded::Done(error_outcome(
                job,
                region,
                "file is not valid UTF-8".to_string(),
                "Rust source files must be UTF-8; re-encode the file",
                Some(source),
            ))
        }
    }
}

/// Lints source text already in memory (also used for standard input).
pub fn lint_source(source: String, job: &FileJob<'_>) -> FileOutcome {
    lint_read(read_source(source, job), job)
}

/// Runs the prefilter on text already in memory.
pub fn read_source(source: String, job: &FileJob<'_>) -> Loaded {
    if job.prefilter && !job.settings.could_report(source.as_bytes()) {
        return Loaded::Done(FileOutcome::default());
    }
    Loaded::text(source)
}

/// Lints text the prefilter has let through.
fn lint_text(text: Text, job: &FileJob<'_>) -> FileOutcome {
    let Text { source, premasked } = text;
    if job.skip_generated && crate::input::discover::is_generated(&source) {
        return FileOutcome::default();
    }
    let mut suppressions = Suppressions::parse(&source);
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        diagnose(&source, premasked, job, &suppressions)
    }));
    // Spans point into a thread-local copy of every parsed file; release it.
    proc_macro2::extra::invalidate_current_thread_spans();
    let mut rules_ran = false;
    let mut facts = None;
    let mut diagnostics = match result {
        Ok(diagnosed) => {
            rules_ran = diagnosed.rules_ran;
            facts = diagnosed.facts.map(Box::new);
            suppressions.attach_items(diagnosed.items);
            suppressions.mark(&diagnosed.judged);
            diagnosed.diagnostics
        }
        Err(payload) => {
            let reason = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown".to_string());
            vec![Diagnostic {
                rule: &parse_error::RULE,
                region: Region::start(),
                message: format!("tasklint failed on this file ({reason})"),
                help: "this is a bug in tasklint; please report it with the file".to_string(),
                item: String::new(),
                fix: None,
            }]
        }
    };
    diagnostics.retain(|d| job.settings.is_enabled(d.rule));
    suppressions.silence(&mut diagnostics);
    if job.settings.is_enabled(&unused_suppression::RULE) {
        diagnostics.extend(suppressions.unused(rules_ran));
    }
    let mut findings = to_findings(diagnostics, &source, job);
    suppress::escalate_unknown(&mut findings);
    // The crate pass may report at a field of this file: keep its text to render.
    let has_fields = facts.as_ref().is_some_and(|f| !f.fields.is_empty());
    let source = (!findings.is_empty() || has_fields).then_some(source);
    FileOutcome {
        findings,
        source,
        parsed: true,
        facts,
    }
}

/// What the rules found in one parsed file.
struct Diagnosed {
    diagnostics: Vec<Diagnostic>,
    /// Findings of rules that are not enabled but that a suppression comment
    /// names: run only to tell whether the comment silences anything.
    judged: Vec<Diagnostic>,
    items: Vec<ItemLines>,
    /// False when the file does not parse.
    rules_ran: bool,
    /// Facts for the crate pass (`None` when it is off or the file does not parse).
    facts: Option<FileFacts>,
}

fn diagnose(
    source: &str,
    premasked: Option<Option<Masked>>,
    job: &FileJob<'_>,
    suppressions: &Suppressions,
) -> Diagnosed {
    let no_fields = CrateFields::default();
    let fields = job.handle_fields.unwrap_or(&no_fields);
    let masked = match premasked {
        Some(Some(masked)) if masked.blanks_any(source, fields) => {
            job.settings.mask(source, fields)
        }
        Some(masked) => masked,
        None if may_mask(source, job.prefilter) => job.settings.mask(source, fields),
        None => None,
    };
    // The masked text first; when it does not parse (the masking lexer
    // misread something), the whole file. The tree is built, walked and
    // dropped on a stack that fits how deeply the text nests.
    if let Some(masked) = &masked {
        let need = masked.stack.map_or_else(
            || crate::text::depth::stack_needed(masked.text.as_bytes()),
            Ok,
        );
        if let Ok(need) = need {
            let linted = crate::text::depth::with_stack(need, || {
                let file = syn::parse_file(&masked.text).ok()?;
                Some(lint_file(source, file, &masked.text, job, suppressions))
            });
            if let Some(linted) = linted {
                return linted;
            }
        }
    }
    match crate::text::depth::stack_needed(source.as_bytes()) {
        Err(at) => Unparsed::TooDeep(at).diagnosed(source),
        Ok(need) => crate::text::depth::with_stack(need, || match syn::parse_file(source) {
            Ok(file) => lint_file(source, file, source, job, suppressions),
            Err(err) => Unparsed::Syntax(err).diagnosed(source),
        }),
    }
}

/// Runs the rules on a parsed file (`text` is what was parsed: the source
/// or its masked copy).
fn lint_file(
    source: &str,
    file: syn::File,
    text: &str,
    job: &FileJob<'_>,
    suppressions: &Suppressions,
) -> Diagnosed {
    let expansions = Expansions::of_file(&file);
    // A file linted alone is a crate of its own: its items are the model.
    let own_model;
    let (lazy, module): (&LazyModel, &[String]) = match &job.krate {
        Some(krate) => (krate.model, &krate.module),
        None => {
            own_model = LazyModel::ready(CrateModel::of_file(&job.display, source));
            (&own_model, &[])
        }
    };
    let krate = CrateView { lazy, module };
    let run = |settings: &Settings, facts: Option<&Rc<RefCell<FileFacts>>>| {
        let cx = Cx::new(
            &job.display,
            text,
            &file,
            &expansions,
            settings.options(),
            job.is_test_file,
            krate,
        );
        let mut checks = rules::checks(settings.options().enabled);
        if let Some(sink) = facts {
            checks.push(Box::new(FieldFacts::new(Rc::clone(sink))));
        }
        Walker::new(cx, checks).run(&file).into_diagnostics()
    };
    let facts = job
        .settings
        .is_enabled(&unjoined_handle_field::RULE)
        .then(|| Rc::new(RefCell::new(FileFacts::default())));
    let diagnostics = run(job.settings, facts.as_ref());
    let mut judged = Vec::new();
    if !suppressions.is_empty() && job.settings.is_enabled(&unused_suppression::RULE) {
        let named = suppressions
            .named_rules()
            .unwrap_or_else(|| rules::ALL.to_vec());
        let extra: Vec<String> = named
            .iter()
            .filter(|rule| !job.settings.is_enabled(rule))
            .map(|rule| rule.id.to_string())
            .collect();
        if !extra.is_empty() {
            let mut wider = job.settings.clone();
            if wider.apply_selection(None, &extra, &[]).is_ok() {
                judged = run(&wider, None);
                judged.retain(|d| !job.settings.is_enabled(d.rule));
            }
        }
    }
    Diagnosed {
        diagnostics,
        judged,
        // Only a file with a suppression comment needs its items' lines.
        items: if source.contains(SUPPRESSION_MARKER) {
            suppress::items(&file)
        } else {
            Vec::new()
        },
        rules_ran: true,
        facts: facts.map(|sink| sink.take()),
    }
}

/// Why a file was not parsed.
enum Unparsed {
    /// Nested past [`crate::text::depth::MAX_DEPTH`] at this byte offset.
    TooDeep(usize),
    Syntax(syn::Error),
}

impl Unparsed {
    fn diagnosed(self, source: &str) -> Diagnosed {
        Diagnosed {
            diagnostics: vec![self.diagnostic(source)],
            judged: Vec::new(),
            items: Vec::new(),
            rules_ran: false,
            facts: None,
        }
    }

    fn diagnostic(self, source: &str) -> Diagnostic {
        let (region, message, help) = match self {
            Unparsed::TooDeep(at) => (
                Region::at_end_of(source.get(..at).unwrap_or("")),
                format!(
                    "cannot parse file: nested too deeply here (more than {} levels)",
                    crate::text::depth::MAX_DEPTH
                ),
                "tasklint does not parse code nested this deeply (its parser would run out of stack)",
            ),
            Unparsed::Syntax(err) => (
                Region::from_span(err.span()),
                parse_message(&err),
                "fix the syntax error; the rest of the tree was still linted",
            ),
        };
        Diagnostic {
            rule: &parse_error::RULE,
            region,
            message,
            help: help.to_string(),
            item: String::new(),
            fix: None,
        }
    }
}

pub(crate) fn parse_message(err: &syn::Error) -> String {
    let text = err.to_string();
    if text == "cannot parse string into token stream" {
        // proc-macro2's lexer error: say what it usually means.
        "cannot parse file: unbalanced delimiter or invalid token".to_string()
    } else {
        format!("cannot parse file: {text}")
    }
}

fn error_outcome(
    job: &FileJob<'_>,
    region: Region,
    message: String,
    help: &str,
    source: Option<String>,
) -> FileOutcome {
    let diagnostic = Diagnostic {
        rule: &parse_error::RULE,
        region,
        message,
        help: help.to_string(),
        item: String::new(),
        fix: None,
    };
    let text = source.clone().unwrap_or_default();
    FileOutcome {
        findings: to_findings(vec![diagnostic], &text, job),
        source,
        parsed: false,
        facts: None,
    }
}

fn to_findings(mut diagnostics: Vec<Diagnostic>, source: &str, job: &FileJob<'_>) -> Vec<Finding> {
    diagnostics.retain(|d| job.settings.is_enabled(d.rule));
    diagnostics.sort_by(|a, b| (a.region, a.rule.id).cmp(&(b.region, b.rule.id)));
    diagnostics.dedup_by(|a, b| a.region == b.region && a.rule.id == b.rule.id);
    if diagnostics.is_empty() {
        return Vec::new();
    }
    let lines: Vec<&str> = source.lines().collect();
    let index = LineIndex::new(source);
    let mut fingerprints = Fingerprinter::default();
    diagnostics
        .into_iter()
        .map(|mut d| {
            // A fix whose edits do not fit the text is dropped, never half-applied.
            let fix = d
                .fix
                .take()
                .and_then(|mut fix| fix.locate(&index).then_some(fix));
            let line_text = lines
                .get(d.region.line.saturating_sub(1))
                .copied()
                .unwrap_or("");
            let (fingerprint, local_fingerprint) =
                fingerprints.fingerprints(d.rule.id, &job.display, line_text, &d.item);
            Finding {
                severity: job.settings.severity_of(d.rule),
                rule: d.rule,
                path: job.display.clone(),
                region: d.region,
                message: d.message,
                help: d.help,
                fingerprint,
                local_fingerprint,
                fix,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A FIFO where a file was is left for the lint stage, which reports it.
    #[test]
    fn a_fifo_is_not_read_early() {
        let dir = tempfile::tempdir().expect("temp dir");
        let Some(fifo) = crate::input::read::tests::fifo_in(dir.path()) else {
            return; // no mkfifo here
        };
        let widest = Settings::widest();
        assert!(matches!(read_early(&fifo, &widest), Early::Unread));
    }
}
