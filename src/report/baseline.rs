//! Baselines (SPEC §5): `--write-baseline` records the current findings by
//! fingerprint; `--baseline` hides exactly those and reports the entries that
//! no longer match, so the baseline only shrinks.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::base::bounded;
use crate::base::escape;
use crate::base::finding::Finding;
use crate::config::settings::Settings;
use crate::rules;

const VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<Entry>,
}

/// One recorded finding. Only the fingerprint is matched; the rest is for
/// people reading the file and for the stale-entry warning.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Entry {
    pub path: String,
    pub rule: String,
    pub fingerprint: String,
    pub message: String,
}

impl Entry {
    /// The warning for an entry that no longer matches. The fields come from
    /// a file anyone may edit: control and bidi characters are shown
    /// escaped, so that no entry can fake a line, a workflow command
    /// (`::error`) or terminal colours.
    pub fn stale_warning(&self) -> String {
        format!(
            "warning: baseline entry no longer matches: {} [{}] {} ({}); remove it or write the baseline again",
            escape::path(&self.path),
            escape::text(&self.rule),
            escape::text(&self.message),
            escape::text(&self.fingerprint)
        )
    }
}

impl Baseline {
    pub fn of(findings: &[Finding]) -> Baseline {
        let mut entries: Vec<Entry> = findings
            .iter()
            .map(|f| Entry {
                path: f.path.clone(),
                rule: f.rule.id.to_string(),
                fingerprint: f.fingerprint.clone(),
                message: f.message.clone(),
            })
            .collect();
        entries.sort();
        Baseline {
            version: VERSION,
            findings: entries,
        }
    }

    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    pub fn load(path: &Path) -> Result<Baseline, String> {
        let text = bounded::read_to_string(path, bounded::BASELINE_LIMIT)
            .map_err(|err| format!("cannot read baseline `{}`: {err}", path.display()))?;
        let baseline: Baseline = serde_json::from_str(&text).map_err(|err| {
            format!(
                "`{}` is not a tasklint baseline: {err} (write one with --write-baseline)",
                path.display()
            )
        })?;
        if baseline.version != VERSION {
            return Err(format!(
                "baseline `{}` has version {}, this tasklint reads version {VERSION}",
                path.display(),
                baseline.version
            ));
        }
        Ok(baseline)
    }

    /// Removes the findings the baseline records and returns its stale
    /// entries: those for a file this run scanned, with a rule enabled there,
    /// that matched no finding. Entries for files not scanned (a pre-commit
    /// run sees only the changed files) are not stale.
    pub fn apply(
        &self,
        findings: &mut Vec<Finding>,
        scanned: &HashMap<String, &Settings>,
    ) -> Vec<&Entry> {
        let recorded: HashSet<&str> = self
            .findings
            .iter()
            .map(|e| e.fingerprint.as_str())
            .collect();
        let mut matched: HashSet<String> = HashSet::new();
        findings.retain(|f| {
            let hit = recorded.contains(f.fingerprint.as_str());
            if hit {
                matched.insert(f.fingerprint.clone());
            }
            !hit
        });
        self.findings
            .iter()
            .filter(|e| !matched.contains(&e.fingerprint))
            .filter(|e| {
                scanned.get(&e.path).is_some_and(|settings| {
                    rules::by_id(&e.rule).is_some_and(|rule| settings.is_enabled(rule))
                })
            })
            .collect()
    }
}
