//! The per-file pipeline as one call, for the fuzz target (`fuzz/`) and the
//! bounded property test (`tests/fuzz_pipeline.rs`): bytes in, and an error
//! when tasklint broke one of its promises on them.
//!
//! A panic inside a rule is caught per file and turned into a `parse-error`
//! finding ("tasklint failed on this file"), so a run goes on; here that
//! finding is a failure. A stack overflow or an abort ends the process,
//! which the fuzzer reports by itself.

use std::collections::HashMap;

use crate::base::finding::Finding;
use crate::config::settings::Settings;
use crate::lint::engine::{self, FileJob};
use crate::report::render::{self, Format, Report};

/// What a caught panic's finding says; see [`crate::lint::engine`].
const CAUGHT_PANIC: &str = "tasklint failed on this file";

/// Lints `data` as one file, with every rule, through the prefilter and
/// masking and without them, as application and as test code, and renders
/// the findings in every format. Returns what went wrong, if anything.
pub fn check(data: &[u8]) -> Result<(), String> {
    let Ok(source) = std::str::from_utf8(data) else {
        // Not UTF-8: read as a file, it is one `parse-error`, before any parsing.
        return Ok(());
    };
    let settings = Settings::widest();
    for (prefilter, is_test_file) in [(true, false), (false, false), (true, true)] {
        let job = FileJob {
            display: "fuzz.rs".to_string(),
            is_test_file,
            settings: &settings,
            prefilter,
            skip_generated: false,
            handle_fields: None,
            krate: None,
        };
        let outcome = engine::lint_source(source.to_string(), &job);
        if let Some(caught) = outcome
            .findings
            .iter()
            .find(|f| f.message.starts_with(CAUGHT_PANIC))
        {
            return Err(format!(
                "prefilter {prefilter}, test code {is_test_file}: {}",
                caught.message
            ));
        }
        check_regions(&outcome.findings, source)?;
        render_all(&outcome.findings, source);
    }
    Ok(())
}

/// Every finding points inside the file, and its end is not before its start.
fn check_regions(findings: &[Finding], source: &str) -> Result<(), String> {
    let lines = source.split('\n').count();
    for finding in findings {
        let r = finding.region;
        if r.line == 0 || r.line > lines || r.end_line < r.line {
            return Err(format!(
                "{} finding at {}:{}-{}:{} outside the file's {lines} lines",
                finding.rule.id, r.line, r.column, r.end_line, r.end_column
            ));
        }
    }
    Ok(())
}

/// Renders the findings in every format; a renderer that panics fails the
/// fuzz run.
fn render_all(findings: &[Finding], source: &str) {
    let sources = HashMap::from([("fuzz.rs".to_string(), source.to_string())]);
    let report = Report {
        findings,
        sources: &sources,
        files_scanned: 1,
        color: false,
    };
    for format in <Format as clap::ValueEnum>::value_variants() {
        std::hint::black_box(render::render(*format, &report));
    }
}
