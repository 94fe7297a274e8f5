//! Applying fixes (`check --fix`, `--diff`): the fixes of one file that do
//! not overlap are applied in a round, the fixed text is linted again, and
//! rounds go on until nothing changes or [`MAX_ROUNDS`] is reached, as ruff
//! does. Nothing here writes a file: the command line writes (or diffs)
//! what [`fix_run`] returns.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

use crate::base::finding::Finding;
use crate::base::fix::{Applicability, Fix};
use crate::config::resolve::Resolver;
use crate::lint::inputs::Source;
use crate::lint::run::{self, RunError, RunRequest, RunResult};

/// Rounds of fixing one file: a fix may reveal (or unblock) another, but
/// a bound keeps two fixes that undo each other from looping forever.
pub const MAX_ROUNDS: usize = 10;

/// Is this fix applied, with or without `--unsafe-fixes`?
pub fn applies(fix: &Fix, unsafe_fixes: bool) -> bool {
    match fix.applicability {
        Applicability::Safe => true,
        Applicability::Unsafe => unsafe_fixes,
        Applicability::DisplayOnly => false,
    }
}

/// Applies to `source` every fix, in order of position, that overlaps none
/// applied before it (touching counts as overlapping: two insertions at one
/// place would be ordered by chance). Returns the text and the index in
/// `fixes` of each one applied.
pub fn apply(source: &str, fixes: &[&Fix]) -> (String, Vec<usize>) {
    let mut order: Vec<usize> = (0..fixes.len()).collect();
    order.sort_by_key(|&i| {
        let first = fixes[i].edits.first();
        (first.map_or(0, |e| e.start), first.map_or(0, |e| e.end), i)
    });
    let mut taken: Vec<(usize, usize)> = Vec::new();
    let mut applied = Vec::new();
    for i in order {
        let fix = fixes[i];
        let fits = fix.edits.iter().all(|e| {
            e.start <= e.end
                && e.end <= source.len()
                && source.is_char_boundary(e.start)
                && source.is_char_boundary(e.end)
        });
        let clashes = fix
            .edits
            .iter()
            .any(|e| taken.iter().any(|&(s, t)| e.start <= t && s <= e.end));
        if fix.edits.is_empty() || !fits || clashes {
            continue;
        }
        taken.extend(fix.edits.iter().map(|e| (e.start, e.end)));
        applied.push(i);
    }
    let mut edits: Vec<&crate::base::fix::Edit> = applied
        .iter()
        .flat_map(|&i| fixes[i].edits.iter())
        .collect();
    edits.sort_by_key(|e| (e.start, e.end));
    let mut out = String::with_capacity(source.len() + 64);
    let mut at = 0;
    for edit in edits {
        out.push_str(&source[at..edit.start]);
        out.push_str(&edit.content);
        at = edit.end;
    }
    out.push_str(&source[at..]);
    applied.sort_unstable();
    (out, applied)
}

/// One file the fixes changed.
#[derive(Debug, Clone)]
pub struct Fixed {
    /// The path linted (where the fixed text is to be written).
    pub path: PathBuf,
    /// The path as reported.
    pub display: String,
    /// Standard input: its fixed text goes to standard output.
    pub stdin: bool,
    pub original: String,
    pub fixed: String,
}

/// What fixing a run did.
pub struct FixRun {
    /// The findings left once the fixes are applied (in the fixed text),
    /// with the rest of the run's result.
    pub result: RunResult,
    /// Files whose text the fixes changed, in the run's order; standard
    /// input is always here (its text is written out fixed or not).
    pub files: Vec<Fixed>,
    /// Fixes applied, by rule id.
    pub applied: BTreeMap<&'static str, usize>,
    /// False when a file still had fixes to apply after [`MAX_ROUNDS`].
    pub converged: bool,
}

impl FixRun {
    pub fn total_applied(&self) -> usize {
        self.applied.values().sum()
    }

    pub fn changed(&self) -> impl Iterator<Item = &Fixed> {
        self.files.iter().filter(|f| f.fixed != f.original)
    }
}

/// Lints what `request` names and applies the fixes `--unsafe-fixes`
/// allows, in rounds; returns the fixed texts and what remains.
pub fn fix_run(
    request: &RunRequest,
    resolver: Resolver,
    unsafe_fixes: bool,
) -> Result<FixRun, RunError> {
    let mut result = run::run_with(request, resolver)?;
    let by_display: HashMap<String, (PathBuf, bool)> = result
        .files
        .iter()
        .map(|f| {
            let stdin = matches!(f.source, Source::Stdin(_));
            (f.display.clone(), (f.path.clone(), stdin))
        })
        .collect();
    // The current text of each file touched so far, by reported path.
    let mut files: BTreeMap<String, Fixed> = BTreeMap::new();
    for input in &result.files {
        if let Source::Stdin(text) = &input.source {
            files.insert(
                input.display.clone(),
                fixed_entry(input.path.clone(), &input.display, true, text),
            );
        }
    }
    let mut applied: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut converged = true;
    for round in 0..=MAX_ROUNDS {
        // The fixes to apply, by file.
        let mut wanted: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
        for finding in &result.findings {
            if finding
                .fix
                .as_ref()
                .is_some_and(|fix| applies(fix, unsafe_fixes))
            {
                wanted.entry(&finding.path).or_default().push(finding);
            }
        }
        if wanted.is_empty() {
            break;
        }
        if round == MAX_ROUNDS {
            converged = false;
            break;
        }
        let mut texts = Vec::new();
        for (display, findings) in wanted {
            let Some((path, stdin)) = by_display.get(display) else {
                continue;
            };
            let current = match files.get(display) {
                Some(file) => file.fixed.clone(),
                None => match result.sources.get(display) {
                    Some(source) => source.clone(),
                    None => continue,
                },
            };
            let fixes: Vec<&Fix> = findings.iter().filter_map(|f| f.fix.as_ref()).collect();
            let (fixed, done) = apply(&current, &fixes);
            if done.is_empty() || fixed == current {
                continue;
            }
            for &i in &done {
                *applied.entry(findings[i].rule.id).or_default() += 1;
            }
            files
                .entry(display.to_string())
                .or_insert_with(|| fixed_entry(path.clone(), display, *stdin, &current))
                .fixed = fixed.clone();
            texts.push((path.clone(), fixed));
        }
        if texts.is_empty() {
            break;
        }
        // Lint the fixed texts again, each as its file (its crate read from disk).
        let again_request = RunRequest {
            paths: Vec::new(),
            stdin_filename: None,
            texts,
            ..request.clone()
        };
        let again = run::run(&again_request)?;
        let relinted: HashSet<&str> = again.files.iter().map(|f| f.display.as_str()).collect();
        result
            .findings
            .retain(|f| !relinted.contains(f.path.as_str()));
        for display in &relinted {
            result.sources.remove(*display);
        }
        result.findings.extend(again.findings);
        result.sources.extend(again.sources);
        result
            .findings
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    }
    Ok(FixRun {
        result,
        files: files.into_values().collect(),
        applied,
        converged,
    })
}

/// Rules `--add-suppression` never writes a comment for: a file that does
/// not parse has no line a comment could be trusted to cover, and a
/// suppression of an unused suppression is noise.
const NOT_SUPPRESSED: &[&str] = &["parse-error", "unused-suppression"];

/// `source` with `// tasklint: allow(<ids>) <reason>` on the line before
/// each line that has findings, indented like that line (ruff's
/// `--add-noqa`). A line that starts inside a string literal or after the
/// start of a block comment is left alone. Returns the text and the number
/// of comments added.
pub fn add_suppressions(source: &str, findings: &[&Finding], reason: &str) -> (String, usize) {
    let mut by_line: BTreeMap<usize, Vec<&'static str>> = BTreeMap::new();
    for finding in findings {
        if !NOT_SUPPRESSED.contains(&finding.rule.id) {
            by_line
                .entry(finding.region.line)
                .or_default()
                .push(finding.rule.id);
        }
    }
    if by_line.is_empty() {
        return (source.to_string(), 0);
    }
    let lines = crate::base::fix::LineIndex::new(source);
    let literals: Vec<(usize, usize)> = crate::text::lexer::lex(source.as_bytes())
        .map(|lexed| {
            lexed
                .tokens
                .iter()
                .filter(|t| t.kind == crate::text::lexer::Kind::Literal)
                .map(|t| (t.start, t.end))
                .collect()
        })
        .unwrap_or_default();
    let reason = reason.trim();
    let mut out = String::with_capacity(source.len() + by_line.len() * 48);
    let mut at = 0;
    let mut added = 0;
    for (line, mut ids) in by_line {
        let Some(start) = lines.line_start(line) else {
            continue;
        };
        let text = lines.line(line);
        let in_literal = literals.iter().any(|&(s, e)| s < start && start < e);
        if in_literal || text.contains("/*") || text.contains("*/") || start < at {
            continue;
        }
        ids.sort_unstable();
        ids.dedup();
        let indent = crate::base::fix::indentation(text);
        let newline = lines.line_break(line);
        let reason = if reason.is_empty() {
            String::new()
        } else {
            format!(" {reason}")
        };
        out.push_str(&source[at..start]);
        out.push_str(&format!(
            "{indent}// tasklint: allow({}){reason}{newline}",
            ids.join(", ")
        ));
        at = start;
        added += 1;
    }
    out.push_str(&source[at..]);
    (out, added)
}

fn fixed_entry(path: PathBuf, display: &str, stdin: bool, text: &str) -> Fixed {
    Fixed {
        path,
        display: display.to_string(),
        stdin,
        original: text.to_string(),
        fixed: text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::finding::Region;
    use crate::base::fix::{Edit, LineIndex};

    fn fix(source: &str, edits: Vec<Edit>) -> Fix {
        let mut fix = Fix::safe("x", edits);
        assert!(fix.locate(&LineIndex::new(source)));
        fix
    }

    fn at(line: usize, column: usize, end_column: usize) -> Region {
        Region {
            line,
            column,
            end_line: line,
            end_column,
        }
    }

    #[test]
    fn overlapping_fixes_wait_for_the_next_round() {
        let source = "let a = 1;\nlet b = 2;\n";
        let first = fix(source, vec![Edit::replace(at(1, 5, 6), "x")]);
        let overlapping = fix(source, vec![Edit::replace(at(1, 5, 10), "y = 3")]);
        let second = fix(source, vec![Edit::insert(2, 1, "// b\n")]);
        let (fixed, applied) = apply(source, &[&overlapping, &second, &first]);
        // `first` starts where `overlapping` does and ends first: it is taken.
        assert_eq!(applied, vec![1, 2]);
        assert_eq!(fixed, "let x = 1;\n// b\nlet b = 2;\n");
    }

    #[test]
    fn touching_insertions_are_one_per_round() {
        let source = "x;\n";
        let a = fix(source, vec![Edit::insert(1, 2, ".a()")]);
        let b = fix(source, vec![Edit::insert(1, 2, ".b()")]);
        let (fixed, applied) = apply(source, &[&a, &b]);
        assert_eq!(applied, vec![0]);
        assert_eq!(fixed, "x.a();\n");
    }

    #[test]
    fn suppressions_go_above_each_line_indented_like_it() {
        let rule = crate::rules::by_id("detached-spawn").expect("rule");
        let other = crate::rules::by_id("detached-endless-task").expect("rule");
        let finding = |rule, line| Finding {
            rule,
            severity: crate::base::rule::Severity::Warning,
            path: "a.rs".to_string(),
            region: at(line, 5, 9),
            message: String::new(),
            help: String::new(),
            fingerprint: String::new(),
            local_fingerprint: String::new(),
            fix: None,
        };
        let source = "fn a() {\r\n    x();\r\n\tlet s = \"\nline\"; y();\r\n}\r\n";
        let found = [
            finding(rule, 2),
            finding(other, 2),
            finding(rule, 3),
            finding(rule, 4),
        ];
        let refs: Vec<&Finding> = found.iter().collect();
        let (text, added) = add_suppressions(source, &refs, " owned by the caller ");
        assert_eq!(added, 2);
        assert_eq!(
            text,
            "fn a() {\r\n    // tasklint: allow(detached-endless-task, detached-spawn) owned by the caller\r\n    x();\r\n\t// tasklint: allow(detached-spawn) owned by the caller\n\tlet s = \"\nline\"; y();\r\n}\r\n"
        );
    }

    #[test]
    fn edits_that_do_not_fit_the_text_are_skipped() {
        let mut bad = Fix::safe("x", vec![Edit::insert(1, 1, "y")]);
        bad.edits[0].start = 99;
        bad.edits[0].end = 99;
        let (fixed, applied) = apply("abc", &[&bad]);
        assert_eq!((fixed.as_str(), applied.len()), ("abc", 0));
    }
}
