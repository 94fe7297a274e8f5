//! Renderers: each takes the same sorted findings and writes one format.

pub mod cargo_json;
pub mod concise;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod junit;
pub mod rdjson;
pub mod sarif;

use std::collections::HashMap;

use clap::ValueEnum;

use crate::base::finding::{Finding, Region};
use crate::base::rule::{Rule, Severity};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Concise,
    Json,
    Sarif,
    Github,
    /// GitLab Code Quality JSON.
    Gitlab,
    /// JUnit XML.
    Junit,
    /// reviewdog's diagnostic format.
    Rdjson,
    /// cargo's `--message-format=json` compiler messages, one a line.
    CargoJson,
}

/// Everything a renderer may need.
pub struct Report<'r> {
    pub findings: &'r [Finding],
    /// Source text of files with findings, by reported path.
    pub sources: &'r HashMap<String, String>,
    pub files_scanned: usize,
    pub color: bool,
}

impl Report<'_> {
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    /// `N problems (E errors, W warnings) in F files; S files scanned`.
    pub fn summary(&self) -> String {
        let mut files: Vec<&str> = self.findings.iter().map(|f| f.path.as_str()).collect();
        files.dedup();
        let notes = self.count(Severity::Note);
        let notes = if notes > 0 {
            format!(", {}", plural(notes, "note"))
        } else {
            String::new()
        };
        format!(
            "{} ({}, {}{notes}) in {}; {} scanned",
            plural(self.findings.len(), "problem"),
            plural(self.count(Severity::Error), "error"),
            plural(self.count(Severity::Warning), "warning"),
            plural(files.len(), "file"),
            plural(self.files_scanned, "file"),
        )
    }
}

/// `1 finding`, `2 findings`.
pub(crate) fn plural(n: usize, word: &str) -> String {
    crate::base::count::plural(n as u64, word)
}

/// Where each line of a file starts, built once per file so that finding a
/// finding's line costs the same however many findings the file has.
pub struct Lines<'s> {
    source: &'s str,
    starts: Vec<usize>,
}

impl<'s> Lines<'s> {
    pub fn new(source: &'s str) -> Lines<'s> {
        let starts = std::iter::once(0)
            .chain(source.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        Lines { source, starts }
    }

    /// The 1-based line's text without its line ending, `""` past the end.
    pub fn text(&self, line: usize) -> &'s str {
        let Some(&start) = line.checked_sub(1).and_then(|i| self.starts.get(i)) else {
            return "";
        };
        match self.starts.get(line) {
            // As `str::lines`: `\r\n` ends a line, a final `\r` is text.
            Some(&next) => {
                let text = &self.source[start..next - 1];
                text.strip_suffix('\r').unwrap_or(text)
            }
            None => &self.source[start..],
        }
    }

    /// The byte offset of a 1-based line and column (in characters); the
    /// end of the line's text for a column past it, the end of the source
    /// for a line past it.
    pub fn offset(&self, line: usize, column: usize) -> usize {
        let Some(&start) = line.checked_sub(1).and_then(|i| self.starts.get(i)) else {
            return self.source.len();
        };
        let text = self.text(line);
        let within = if text.is_ascii() {
            column.saturating_sub(1).min(text.len())
        } else {
            text.char_indices()
                .nth(column.saturating_sub(1))
                .map_or(text.len(), |(at, _)| at)
        };
        start + within
    }

    /// Byte offsets of a region's bounds.
    pub fn range(&self, region: Region) -> std::ops::Range<usize> {
        let start = self.offset(region.line, region.column);
        let end = self.offset(region.end_line, region.end_column).max(start);
        start..end
    }
}

pub fn render(format: Format, report: &Report<'_>) -> String {
    match format {
        Format::Human => human::render(report),
        Format::Concise => concise::render(report),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Github => github::render(report),
        Format::Gitlab => gitlab::render(report),
        Format::Junit => junit::render(report),
        Format::Rdjson => rdjson::render(report),
        Format::CargoJson => cargo_json::render(report),
    }
}

/// Where tasklint lives: `repository` in Cargo.toml, if set.
pub fn home_url() -> Option<&'static str> {
    Some(env!("CARGO_PKG_REPOSITORY")).filter(|url| !url.is_empty())
}

/// A rule's documentation (`lints/<id>.md`) in the repository.
pub fn rule_doc_url(rule: &Rule) -> Option<String> {
    home_url().map(|home| {
        format!(
            "{}/blob/HEAD/lints/{}.md",
            home.trim_end_matches('/'),
            rule.id
        )
    })
}

/// `--quiet`: the findings alone, so the human format drops its summary;
/// the other formats carry nothing else already.
pub fn render_quiet(format: Format, report: &Report<'_>) -> String {
    match format {
        Format::Human => human::findings(report),
        other => render(other, report),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_count_characters_and_clamp() {
        let source = "fn a() {}\r\nlet é = spawn(x);\nlast\r";
        let lines = Lines::new(source);
        assert_eq!(lines.text(1), "fn a() {}");
        assert_eq!(lines.text(3), "last\r");
        assert_eq!(lines.text(4), "");
        let region = Region {
            line: 2,
            column: 9,
            end_line: 2,
            end_column: 14,
        };
        assert_eq!(&source[lines.range(region)], "spawn");
        assert_eq!(lines.offset(1, 99), "fn a() {}".len());
        assert_eq!(lines.offset(9, 1), source.len());
        assert_eq!(lines.offset(3, 6), source.len());
    }
}
