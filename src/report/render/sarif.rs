//! SARIF 2.1.0 (SPEC §6), as GitHub code scanning reads it: every rule with
//! its doc, results with paths relative to `%SRCROOT%` (the current
//! directory), full regions in Unicode code points, and fingerprints.

use std::collections::HashMap;
use std::path::Path;

use serde_json::{json, Value};

use super::{Lines, Report};
use crate::base::finding::Finding;
use crate::base::fingerprint;
use crate::base::rule::Rule;
use crate::base::rule::Severity;
use crate::rules;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// Where tasklint's documentation lives when Cargo.toml names no repository.
const FALLBACK_INFORMATION_URI: &str = "https://crates.io/crates/tasklint";
const SRCROOT: &str = "%SRCROOT%";

pub fn render(report: &Report<'_>) -> String {
    let root = std::env::current_dir().ok();
    let rules_json: Vec<Value> = rules::ALL.iter().map(|r| rule(r)).collect();
    let mut occurrences: HashMap<(&str, String), usize> = HashMap::new();
    let mut results = Vec::new();
    let mut lines: Option<(&str, Lines<'_>)> = None;
    for finding in report.findings {
        if lines.as_ref().is_none_or(|(path, _)| *path != finding.path) {
            let source = report.sources.get(&finding.path).map_or("", String::as_str);
            lines = Some((&finding.path, Lines::new(source)));
        }
        let line_text = lines
            .as_ref()
            .map_or("", |(_, lines)| lines.text(finding.region.line));
        let hash = fingerprint::line_hash(line_text);
        let seen = occurrences
            .entry((finding.path.as_str(), hash.clone()))
            .or_insert(0);
        *seen += 1;
        results.push(result(finding, &format!("{hash}:{seen}")));
    }
    let mut run = json!({
        "tool": {
            "driver": {
                "name": "tasklint",
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": super::home_url().unwrap_or(FALLBACK_INFORMATION_URI),
                "rules": rules_json,
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": results,
    });
    if let Some(root) = root {
        run["originalUriBaseIds"] = json!({ SRCROOT: { "uri": directory_uri(&root) } });
    }
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [run],
    });
    let mut out = serde_json::to_string_pretty(&log).unwrap_or_default();
    out.push('\n');
    out
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

fn rule(rule: &Rule) -> Value {
    let mut rule_json = json!({
        "id": rule.id,
        "name": pascal_case(rule.id),
        "shortDescription": { "text": sentence(rule.summary) },
        "fullDescription": {
            "text": what_it_does(rule.doc).unwrap_or_else(|| sentence(rule.summary))
        },
        "help": { "text": rule.doc, "markdown": rule.doc },
        "defaultConfiguration": {
            "level": level(rule.severity),
            "enabled": rule.default_enabled,
        },
        "properties": { "tags": [rule.family.name()] },
    });
    if let Some(url) = super::rule_doc_url(rule) {
        rule_json["helpUri"] = json!(url);
    }
    rule_json
}

fn result(finding: &Finding, line_hash: &str) -> Value {
    let r = finding.region;
    let location = artifact_location(&finding.path);
    let mut result = json!({
        "ruleId": finding.rule.id,
        "ruleIndex": rules::index_of(finding.rule),
        "level": level(finding.severity),
        "message": { "text": format!("{}. Help: {}", sentence_body(&finding.message), sentence(&finding.help)) },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": location,
                "region": {
                    "startLine": r.line,
                    "startColumn": r.column,
                    "endLine": r.end_line,
                    "endColumn": r.end_column,
                }
            }
        }],
        "partialFingerprints": {
            "primaryLocationLineHash": line_hash,
            "tasklintFingerprint/v1": finding.fingerprint,
        },
    });
    if let Some(fix) = &finding.fix {
        result["fixes"] = json!([sarif_fix(fix, location)]);
    }
    result
}

/// A fix as SARIF's `fix`: one artifact change, a replacement per edit
/// (an empty deleted region is an insertion point).
fn sarif_fix(fix: &crate::base::fix::Fix, location: Value) -> Value {
    let replacements: Vec<Value> = fix
        .edits
        .iter()
        .map(|e| {
            json!({
                "deletedRegion": {
                    "startLine": e.region.line,
                    "startColumn": e.region.column,
                    "endLine": e.region.end_line,
                    "endColumn": e.region.end_column,
                },
                "insertedContent": { "text": e.content },
            })
        })
        .collect();
    json!({
        "description": { "text": sentence(&fix.message) },
        "artifactChanges": [{
            "artifactLocation": location,
            "replacements": replacements,
        }],
        "properties": { "applicability": fix.applicability.as_str() },
    })
}

/// A relative path is relative to `%SRCROOT%`; one outside the current
/// directory (shown absolute) is a `file:` URI.
fn artifact_location(path: &str) -> Value {
    if Path::new(path).is_absolute() {
        json!({ "uri": format!("file://{}", encode_path(path)) })
    } else {
        json!({ "uri": encode_path(path), "uriBaseId": SRCROOT })
    }
}

fn directory_uri(dir: &Path) -> String {
    let mut text = dir.to_string_lossy().replace('\\', "/");
    if !text.starts_with('/') {
        text.insert(0, '/');
    }
    if !text.ends_with('/') {
        text.push('/');
    }
    format!("file://{}", encode_path(&text))
}

/// Percent-encodes a path for a URI, keeping `/` and unreserved characters.
fn encode_path(path: &str) -> String {
    let mut out = String::new();
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn pascal_case(id: &str) -> String {
    id.split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

/// Messages are written lowercase without a period; SARIF wants sentences.
fn sentence(text: &str) -> String {
    format!("{}.", sentence_body(text))
}

fn sentence_body(text: &str) -> String {
    let mut chars = text.trim_end_matches('.').chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The first paragraph of the doc's "What it does" section.
fn what_it_does(doc: &str) -> Option<String> {
    let section = doc.split("## What it does").nth(1)?.trim_start();
    let paragraph = section.split("\n\n").next().unwrap_or("");
    let text = paragraph.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() || text.starts_with('#') {
        None
    } else if text.ends_with('.') {
        Some(text)
    } else {
        Some(format!("{text}."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_encoded_and_directories_end_with_a_slash() {
        assert_eq!(encode_path("src/a b%.rs"), "src/a%20b%25.rs");
        assert_eq!(
            directory_uri(Path::new("/w/my repo")),
            "file:///w/my%20repo/"
        );
    }

    #[test]
    fn descriptions_are_sentences() {
        assert_eq!(sentence("a `x` is dropped"), "A `x` is dropped.");
        assert_eq!(pascal_case("detached-spawn"), "DetachedSpawn");
        assert_eq!(
            what_it_does("# x\n\n## What it does\n\nReports a\nthing\n\nMore.\n").as_deref(),
            Some("Reports a thing.")
        );
        assert_eq!(what_it_does("# x\n"), None);
    }
}
