//! Baselines (SPEC §5): `--write-baseline` records the current findings by
//! fingerprint; `--baseline` hides exactly those and reports the entries that
//! no longer match, so the baseline only shrinks. Paths in a baseline are
//! relative to its own folder, so it matches whatever the current folder.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::base::bounded;
use crate::base::escape;
use crate::base::finding::Finding;
use crate::config::settings::Settings;
use crate::input::discover::{self, normalised};
use crate::lint::inputs::Input;
use crate::rules;

/// Version 2: paths relative to the baseline's folder, fingerprints
/// without the path. Version 1 (paths and fingerprints as the run printed
/// them, so from one folder only) is still read.
const VERSION: u32 = 2;

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<Entry>,
    /// The folder its paths are relative to.
    #[serde(skip)]
    folder: PathBuf,
    /// The file it was read from (for messages).
    #[serde(skip)]
    file: PathBuf,
}

/// One recorded finding. Only the path and the fingerprint are matched
/// (in version 1, the fingerprint alone); the rest is for people reading the
/// file and for the stale-entry warning.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Entry {
    pub path: String,
    pub rule: String,
    pub fingerprint: String,
    pub message: String,
}

impl Entry {
    /// The warning for an entry that no longer matches, its path shown from
    /// the current folder. The fields come from a file anyone may edit:
    /// control and bidi characters are shown escaped, so that no entry can
    /// fake a line, a workflow command (`::error`) or terminal colours.
    fn stale_warning(&self, shown: &str) -> String {
        format!(
            "warning: baseline entry no longer matches: {} [{}] {} ({}); remove it or write the baseline again",
            escape::path(shown),
            escape::text(&self.rule),
            escape::text(&self.message),
            escape::text(&self.fingerprint)
        )
    }
}

/// Where the files of a run are: the absolute path of each reported path.
pub struct Places {
    by_display: HashMap<String, PathBuf>,
}

impl Places {
    pub fn of(files: &[Input]) -> Places {
        Places {
            by_display: files
                .iter()
                .map(|f| (f.display.clone(), normalised(&f.path)))
                .collect(),
        }
    }

    /// A reported path relative to `folder`, with `/` between names.
    fn relative(&self, display: &str, folder: &Path) -> String {
        let absolute = self
            .by_display
            .get(display)
            .cloned()
            .unwrap_or_else(|| normalised(Path::new(display)));
        let relative = pathdiff::diff_paths(&absolute, folder).unwrap_or(absolute);
        relative.to_string_lossy().replace('\\', "/")
    }
}

/// What applying a baseline did.
pub struct Applied {
    /// Findings hidden.
    pub hidden: usize,
    /// Warnings for standard error: stale entries, or a baseline that
    /// matches nothing at all.
    pub warnings: Vec<String>,
}

impl Baseline {
    /// The baseline of `findings`, to be written to `file`.
    pub fn of(findings: &[Finding], places: &Places, file: &Path) -> Baseline {
        let folder = folder_of(file);
        let mut entries: Vec<Entry> = findings
            .iter()
            .map(|f| Entry {
                path: places.relative(&f.path, &folder),
                rule: f.rule.id.to_string(),
                fingerprint: f.local_fingerprint.clone(),
                message: f.message.clone(),
            })
            .collect();
        entries.sort();
        Baseline {
            version: VERSION,
            findings: entries,
            folder,
            file: file.to_path_buf(),
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
        let mut baseline: Baseline = serde_json::from_str(&text).map_err(|err| {
            format!(
                "`{}` is not a tasklint baseline: {err} (write one with --write-baseline)",
                path.display()
            )
        })?;
        if baseline.version != VERSION && baseline.version != 1 {
            return Err(format!(
                "baseline `{}` has version {}, this tasklint reads versions 1 and {VERSION}",
                path.display(),
                baseline.version
            ));
        }
        baseline.folder = folder_of(path);
        baseline.file = path.to_path_buf();
        Ok(baseline)
    }

    /// Removes the findings the baseline records. Stale entries are those
    /// for a file this run scanned, with a rule enabled there, that matched
    /// no finding: entries for files not scanned (a pre-commit run sees only
    /// the changed files) are not stale. A baseline that hid nothing and
    /// names no file that exists is said to match nothing at all.
    pub fn apply(
        &self,
        findings: &mut Vec<Finding>,
        scanned: &HashMap<String, &Settings>,
        places: &Places,
    ) -> Applied {
        // Version 1 recorded the paths and fingerprints the run printed.
        let v1 = self.version == 1;
        let key = |f: &Finding| {
            if v1 {
                (String::new(), f.fingerprint.clone())
            } else {
                (
                    places.relative(&f.path, &self.folder),
                    f.local_fingerprint.clone(),
                )
            }
        };
        let entry_key = |e: &Entry| {
            let path = if v1 { String::new() } else { e.path.clone() };
            (path, e.fingerprint.clone())
        };
        let recorded: HashSet<(String, String)> = self.findings.iter().map(entry_key).collect();
        let mut matched: HashSet<(String, String)> = HashSet::new();
        let before = findings.len();
        findings.retain(|f| {
            let key = key(f);
            let hit = recorded.contains(&key);
            if hit {
                matched.insert(key);
            }
            !hit
        });
        let hidden = before - findings.len();
        let scanned: HashMap<String, &Settings> = if v1 {
            scanned.clone()
        } else {
            scanned
                .iter()
                .map(|(display, settings)| (places.relative(display, &self.folder), *settings))
                .collect()
        };
        let stale: Vec<&Entry> = self
            .findings
            .iter()
            .filter(|e| !matched.contains(&entry_key(e)))
            .filter(|e| {
                scanned.get(&e.path).is_some_and(|settings| {
                    rules::by_id(&e.rule).is_some_and(|rule| settings.is_enabled(rule))
                })
            })
            .collect();
        let mut warnings: Vec<String> = stale
            .iter()
            .map(|e| e.stale_warning(&self.shown(e)))
            .collect();
        if hidden == 0 && !self.findings.is_empty() && stale.is_empty() {
            if v1 {
                warnings.push(format!(
                    "warning: baseline `{}` matched no finding; it is of version 1, whose paths are relative to the folder it was written from: write it again (--write-baseline) to make it work from any folder",
                    escape::path(&self.file.to_string_lossy())
                ));
            } else if !self
                .findings
                .iter()
                .any(|e| self.folder.join(&e.path).exists())
            {
                warnings.push(format!(
                    "warning: baseline `{}` matches nothing at all: none of the {} files it names exists (its paths are relative to its folder, `{}`); was it written for another tree? (write it again with --write-baseline)",
                    escape::path(&self.file.to_string_lossy()),
                    self.findings.iter().map(|e| &e.path).collect::<HashSet<_>>().len(),
                    escape::path(&discover::display_from_here(&self.folder)),
                ));
            }
        }
        Applied { hidden, warnings }
    }

    /// An entry's path as seen from the current folder.
    fn shown(&self, entry: &Entry) -> String {
        if self.version == 1 {
            return entry.path.clone();
        }
        discover::display_from_here(&self.folder.join(&entry.path))
    }
}

/// The folder a baseline file's paths are relative to.
fn folder_of(file: &Path) -> PathBuf {
    normalised(file)
        .parent()
        .map_or_else(PathBuf::new, Path::to_path_buf)
}
