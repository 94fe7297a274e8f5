//! `check --fix`, `--unsafe-fixes`, `--diff` and `--add-suppression`: the
//! fixed (or annotated) texts from [`crate::lint::fix`] written to their
//! files, or shown as a unified diff, and the summary of what was done.

use std::collections::BTreeMap;

use crate::base::diag::diag;
use crate::base::escape;
use crate::base::finding::Finding;
use crate::base::fix::Applicability;
use crate::config::resolve::Resolver;
use crate::lint::fix::{self as fixing, FixRun, Fixed};
use crate::lint::run::{self, RunRequest, RunResult};
use crate::report::output;

/// What `--fix`/`--diff` did, for the rest of `check`.
pub struct Done {
    /// What goes to standard output instead of the report: the diff, or
    /// standard input's fixed text.
    pub stdout: Option<String>,
    /// For `--diff`: is there a diff?
    pub has_diff: bool,
    /// The line for standard error.
    pub summary: String,
}

/// Lints, fixes in rounds, then writes the fixed files (`diff`: shows
/// them as a unified diff instead). Every file is checked to be writable
/// and unchanged before the first is written.
pub fn run(
    request: &RunRequest,
    resolver: Resolver,
    diff: bool,
    unsafe_fixes: bool,
) -> Result<(RunResult, Done), String> {
    let fix_run =
        fixing::fix_run(request, resolver, unsafe_fixes).map_err(|err| err.to_string())?;
    let changed: Vec<&Fixed> = fix_run.changed().collect();
    let stdin = fix_run.files.iter().find(|f| f.stdin);
    let mut stdout = None;
    if diff {
        let mut text = String::new();
        for file in &changed {
            text.push_str(&unified_diff(file));
        }
        stdout = Some(text);
    } else {
        for file in changed.iter().filter(|f| !f.stdin) {
            output::check_source(&file.path, &file.original)?;
        }
        for file in changed.iter().filter(|f| !f.stdin) {
            output::write_source(&file.path, &file.fixed)?;
        }
        stdout = stdin.map(|f| f.fixed.clone()).or(stdout);
    }
    if !fix_run.converged {
        diag!(
            "warning: fixes were still being found after {} rounds; run `--fix` again",
            fixing::MAX_ROUNDS
        );
    }
    let summary = summary(&fix_run, changed.len(), diff, unsafe_fixes);
    let has_diff = !changed.is_empty();
    Ok((
        fix_run.result,
        Done {
            stdout,
            has_diff,
            summary,
        },
    ))
}

fn unified_diff(file: &Fixed) -> String {
    let name = escape::text(&file.display);
    similar::TextDiff::from_lines(&file.original, &file.fixed)
        .unified_diff()
        .context_radius(3)
        .header(&name, &name)
        .to_string()
}

/// `fixed 3 problems in 2 files (ignored-join-error: 2, ...); 4 remaining; 1 more fixable with --unsafe-fixes`.
fn summary(run: &FixRun, files: usize, diff: bool, unsafe_fixes: bool) -> String {
    let fixed = run.total_applied();
    let verb = if diff { "would fix" } else { "fixed" };
    let mut text = format!(
        "{verb} {} in {}",
        plural(fixed, "problem"),
        plural(files, "file")
    );
    if fixed > 0 {
        let per_rule: Vec<String> = run
            .applied
            .iter()
            .map(|(rule, n)| format!("{rule}: {n}"))
            .collect();
        text.push_str(&format!(" ({})", per_rule.join(", ")));
    }
    if !diff {
        text.push_str(&format!("; {} remaining", run.result.findings.len()));
    }
    let hidden = hidden_unsafe(&run.result.findings, unsafe_fixes);
    if hidden > 0 {
        text.push_str(&format!("; {hidden} more fixable with --unsafe-fixes"));
    }
    text
}

/// Findings whose fix only `--unsafe-fixes` applies, when it is not given.
fn hidden_unsafe(findings: &[Finding], unsafe_fixes: bool) -> usize {
    if unsafe_fixes {
        return 0;
    }
    findings
        .iter()
        .filter(|f| {
            f.fix
                .as_ref()
                .is_some_and(|fix| fix.applicability == Applicability::Unsafe)
        })
        .count()
}

/// The note after a plain `check`: how many findings `--fix` would fix.
pub fn fixable_note(findings: &[Finding], unsafe_fixes: bool) -> Option<String> {
    let fixable = findings
        .iter()
        .filter(|f| {
            f.fix
                .as_ref()
                .is_some_and(|fix| fixing::applies(fix, unsafe_fixes))
        })
        .count();
    let hidden = hidden_unsafe(findings, unsafe_fixes);
    match (fixable, hidden) {
        (0, 0) => None,
        (0, hidden) => Some(format!(
            "{} fixable with --fix --unsafe-fixes",
            plural(hidden, "problem")
        )),
        (fixable, 0) => Some(format!("{} fixable with --fix", plural(fixable, "problem"))),
        (fixable, hidden) => Some(format!(
            "{} fixable with --fix ({hidden} more with --unsafe-fixes)",
            plural(fixable, "problem")
        )),
    }
}

/// `--add-suppression[=<reason>]`: a comment above every finding's line,
/// written to its file (standard input's text goes to standard output).
/// Returns the text for standard output and the summary.
pub fn add_suppressions(
    request: &RunRequest,
    resolver: Resolver,
    reason: &str,
) -> Result<(Option<String>, String), String> {
    let result = run::run_with(request, resolver).map_err(|err| err.to_string())?;
    for warning in &result.warnings {
        diag!("warning: {}", escape::text(warning));
    }
    let mut by_file: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for finding in &result.findings {
        by_file.entry(&finding.path).or_default().push(finding);
    }
    let mut stdout = None;
    let mut writes = Vec::new();
    let (mut added, mut touched) = (0, 0);
    for input in &result.files {
        let stdin = match &input.source {
            crate::lint::inputs::Source::Stdin(text) => Some(text),
            crate::lint::inputs::Source::File => None,
        };
        let findings = by_file.remove(input.display.as_str()).unwrap_or_default();
        let source = match (stdin, result.sources.get(&input.display)) {
            (Some(text), _) => text,
            (None, Some(text)) if !findings.is_empty() => text,
            _ => continue,
        };
        let (text, count) = fixing::add_suppressions(source, &findings, reason);
        added += count;
        touched += usize::from(count > 0);
        if stdin.is_some() {
            stdout = Some(text);
        } else if count > 0 {
            writes.push((input, source, text));
        }
    }
    for (input, source, _) in &writes {
        output::check_source(&input.path, source)?;
    }
    for (input, _, text) in &writes {
        output::write_source(&input.path, text)?;
    }
    let summary = format!(
        "added {} to {}",
        plural(added, "suppression comment"),
        plural(touched, "file")
    );
    Ok((stdout, summary))
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}
