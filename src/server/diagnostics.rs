//! Linting open buffers through the same entry point as `check`
//! ([`crate::lint::run::run_with`]), and findings as LSP diagnostics.
//!
//! The buffers of one crate are linted together, each as the file at its
//! path (`RunRequest::texts`), while the run reads the crate's other files
//! from disk for the crate model and the crate pass: a finding that depends
//! on another file follows that file's buffer when it is open, and its
//! saved text when it is not.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types::{
    CodeDescription, Diagnostic, DiagnosticSeverity, DiagnosticTag, NumberOrString, Position,
    Range, Uri,
};

use crate::base::finding::Finding;
use crate::base::rule::Severity;
use crate::lint::run::{self, RunRequest};
use crate::report::render;
use crate::server::document::{Encoding, Positions};
use crate::server::uri;

/// What linting some buffers found.
pub struct Linted {
    /// The findings of each buffer, by path (every path given is here).
    pub findings: HashMap<PathBuf, Vec<Finding>>,
    /// A configuration that could not be read: the buffers were linted
    /// with the default settings instead.
    pub config_error: Option<String>,
}

/// Lints `texts`, each as the file at its path, with the configuration
/// that applies to it. A broken configuration does not stop the lint: it
/// is reported, and the default settings apply until it is fixed. Files
/// the configuration excludes get no findings.
pub fn lint(texts: Vec<(PathBuf, String)>) -> Result<Linted, String> {
    match lint_with(&texts, false) {
        Ok(findings) => Ok(Linted {
            findings,
            config_error: None,
        }),
        Err(config_error) => {
            let findings = lint_with(&texts, true)?;
            Ok(Linted {
                findings,
                config_error: Some(config_error),
            })
        }
    }
}

fn lint_with(
    texts: &[(PathBuf, String)],
    no_config: bool,
) -> Result<HashMap<PathBuf, Vec<Finding>>, String> {
    let mut request = RunRequest::new(Vec::new());
    request.no_config = no_config;
    let mut resolver = request.resolver().map_err(|err| err.to_string())?;
    let mut findings: HashMap<PathBuf, Vec<Finding>> = HashMap::new();
    for (path, text) in texts {
        findings.insert(path.clone(), Vec::new());
        let applied = resolver.for_file(path)?;
        if !applied.excludes(path) {
            request.texts.push((path.clone(), text.clone()));
        }
    }
    if request.texts.is_empty() {
        return Ok(findings);
    }
    let result = run::run_with(&request, resolver).map_err(|err| err.to_string())?;
    let path_of: HashMap<&str, &Path> = result
        .files
        .iter()
        .map(|input| (input.display.as_str(), input.path.as_path()))
        .collect();
    for finding in result.findings {
        if let Some(path) = path_of.get(finding.path.as_str()) {
            findings
                .entry(path.to_path_buf())
                .or_default()
                .push(finding);
        }
    }
    Ok(findings)
}

/// A finding as the client shows it: the rule id as its code, linked to
/// the rule's documentation, the help after the message.
pub fn diagnostic(finding: &Finding, positions: &Positions<'_>) -> Diagnostic {
    let severity = match finding.severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Note => DiagnosticSeverity::INFORMATION,
    };
    let message = if finding.help.is_empty() {
        finding.message.clone()
    } else {
        format!("{}\nhelp: {}", finding.message, finding.help)
    };
    let code_description = render::rule_doc_url(finding.rule)
        .and_then(|url| Uri::from_str(&url).ok())
        .map(|href| CodeDescription { href });
    // An unused suppression is code to delete: clients fade it.
    let tags = (finding.rule.id == crate::rules::unused_suppression::RULE.id)
        .then(|| vec![DiagnosticTag::UNNECESSARY]);
    Diagnostic {
        range: positions.range(&finding.region),
        severity: Some(severity),
        code: Some(NumberOrString::String(finding.rule.id.to_string())),
        code_description,
        source: Some("tasklint".to_string()),
        message,
        related_information: None,
        tags,
        data: None,
    }
}

pub fn diagnostics(findings: &[Finding], text: &str, encoding: Encoding) -> Vec<Diagnostic> {
    let positions = Positions::new(text, encoding);
    findings.iter().map(|f| diagnostic(f, &positions)).collect()
}

/// Where a configuration error points, when its message starts with
/// `<file>:<line>:` (as the resolver's do): that file's URI and a range
/// over the line.
pub fn config_error_place(message: &str) -> Option<(Uri, Range)> {
    for (at, _) in message.match_indices(':') {
        let rest = &message[at + 1..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || rest.as_bytes().get(digits) != Some(&b':') {
            continue;
        }
        let path = Path::new(&message[..at]);
        if !path.is_file() {
            continue;
        }
        let line: u32 = rest[..digits].parse().ok()?;
        let line = line.saturating_sub(1);
        let range = Range::new(
            Position::new(line, 0),
            Position::new(line.saturating_add(1), 0),
        );
        return Some((uri::from_path(path)?, range));
    }
    None
}
