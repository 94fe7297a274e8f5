//! Renderers: each takes the same sorted findings and writes one format.

pub mod concise;
pub mod github;
pub mod human;
pub mod json;
pub mod sarif;

use std::collections::HashMap;

use clap::ValueEnum;

use crate::finding::{Finding, Severity};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Concise,
    Json,
    Sarif,
    Github,
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

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

pub fn render(format: Format, report: &Report<'_>) -> String {
    match format {
        Format::Human => human::render(report),
        Format::Concise => concise::render(report),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Github => github::render(report),
    }
}
