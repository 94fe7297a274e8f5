//! GitLab Code Quality (a subset of Code Climate's issue format): a JSON
//! array of issues with `description`, `check_name`, `fingerprint`,
//! `severity` and `location.path` / `location.lines`, which GitLab shows in
//! merge requests when a job uploads it as `artifacts:reports:codequality`.

use std::collections::HashSet;

use serde_json::{json, Value};

use super::Report;
use crate::base::rule::Severity;

pub fn render(report: &Report<'_>) -> String {
    // GitLab keeps one issue per fingerprint. Fingerprints are distinct
    // by construction (a 64-bit hash with an occurrence index); a collision
    // gets a suffix rather than hiding a finding.
    let mut seen: HashSet<String> = HashSet::new();
    let issues: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let mut fingerprint = f.fingerprint.clone();
            let mut n = 1;
            while !seen.insert(fingerprint.clone()) {
                n += 1;
                fingerprint = format!("{}-{n}", f.fingerprint);
            }
            json!({
                "type": "issue",
                "description": f.message,
                "check_name": f.rule.id,
                "content": { "body": format!("help: {}", f.help) },
                "categories": ["Bug Risk"],
                "fingerprint": fingerprint,
                "severity": severity(f.severity),
                "location": {
                    "path": f.path,
                    "lines": { "begin": f.region.line, "end": f.region.end_line },
                },
            })
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&issues).unwrap_or_else(|_| "[]".to_string());
    out.push('\n');
    out
}

/// Code Climate's levels: `info`, `minor`, `major`, `critical`, `blocker`.
fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "critical",
        Severity::Warning => "major",
        Severity::Note => "info",
    }
}
