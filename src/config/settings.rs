//! What a run is configured to do: which rules, at what severity, and which
//! extra spawners and signals the user declared.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::text::fields::{fields_and_items, CrateFields, FieldFinder};
use crate::text::mask::{Masked, Masker};
use crate::text::prefilter::{Prefilter, Scan};
use crate::text::signatures::ItemTexts;

use crate::base::rule::Rule;
use crate::base::rule::Severity;
use crate::base::rule::{RuleSet, SUPPRESSION_MARKER};
use crate::knowledge::declared::Declared;
use crate::knowledge::spawner;
use crate::knowledge::spawner::Spawner;
use crate::rules;
use crate::semantic::context::Options;

#[derive(Debug, Clone)]
pub struct Settings {
    enabled: RuleSet,
    pub severity: HashMap<&'static str, Severity>,
    pub lint_tests: bool,
    /// Spawners, shutdown words and signals the configuration declares.
    pub declared: Declared,
    /// Files larger than this many bytes are not read (`max-file-size`).
    pub max_file_size: u64,
    triggers: Vec<String>,
    /// Built on first use from the enabled rules' trigger words; `None` parses everything.
    matcher: OnceLock<Option<Prefilter>>,
    /// Built on first use from the same words; `None` masks nothing.
    masker: OnceLock<Option<Masker>>,
    /// Does the prefilter let through exactly what [`Settings::widest`]'s does?
    filters_as_widest: OnceLock<bool>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            enabled: RuleSet::new(rules::ALL.iter().copied().filter(|r| r.default_enabled)),
            severity: HashMap::new(),
            lint_tests: false,
            declared: Declared::default(),
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            triggers: Vec::new(),
            matcher: OnceLock::new(),
            masker: OnceLock::new(),
            filters_as_widest: OnceLock::new(),
        }
    }
}

impl Settings {
    /// A text that is the same for two settings exactly when they lint
    /// alike (for the result cache's keys).
    pub fn fingerprint(&self) -> String {
        let enabled: Vec<&str> = self.enabled.iter().map(|rule| rule.id).collect();
        let mut severity: Vec<(&&str, &Severity)> = self.severity.iter().collect();
        severity.sort();
        let mut spawners: Vec<_> = self.declared.spawners.iter().collect();
        spawners.sort_by(|a, b| a.0.cmp(b.0));
        format!(
            "{enabled:?} {severity:?} {} {spawners:?} {:?} {:?} {} {:?}",
            self.lint_tests,
            self.declared.shutdown_words,
            self.declared.signals,
            self.max_file_size,
            self.triggers
        )
    }
}

/// The default `max-file-size`: 10 MiB, far beyond hand-written source;
/// bigger files are generated data, slow to parse and costly to hold.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 10 << 20;

/// A selector names rules: an id, a family name, or `all`.
pub fn select(selector: &str) -> Result<Vec<&'static Rule>, String> {
    if selector == "all" {
        return Ok(rules::ALL.to_vec());
    }
    if let Some(rule) = rules::by_id(selector) {
        return Ok(vec![rule]);
    }
    let family: Vec<&'static Rule> = rules::ALL
        .iter()
        .copied()
        .filter(|r| r.family.name() == selector)
        .collect();
    if family.is_empty() {
        Err(format!(
            "unknown rule or family `{selector}`{} (see `tasklint rules` for the list)",
            crate::base::spelling::did_you_mean(selector, rules::selector_names())
        ))
    } else {
        Ok(family)
    }
}

impl Settings {
    pub fn is_enabled(&self, rule: &Rule) -> bool {
        self.enabled.contains(rule)
    }

    /// The enabled rules, in the registry's order.
    pub fn enabled_rules(&self) -> impl Iterator<Item = &'static Rule> + '_ {
        rules::ALL
            .iter()
            .copied()
            .filter(|rule| self.enabled.contains(rule))
    }

    /// What the per-file walk needs to know of these settings.
    pub fn options(&self) -> Options<'_> {
        Options {
            enabled: &self.enabled,
            lint_tests: self.lint_tests,
            declared: &self.declared,
        }
    }

    /// `select` replaces the set, `extend_select` adds, `ignore` removes.
    pub fn apply_selection(
        &mut self,
        select_: Option<&[String]>,
        extend_select: &[String],
        ignore: &[String],
    ) -> Result<(), String> {
        if let Some(selectors) = select_ {
            self.enabled = RuleSet::default();
            for selector in selectors {
                self.set(selector, true)?;
            }
        }
        for selector in extend_select {
            self.set(selector, true)?;
        }
        for selector in ignore {
            self.set(selector, false)?;
        }
        Ok(())
    }

    fn set(&mut self, selector: &str, on: bool) -> Result<(), String> {
        self.matcher = OnceLock::new();
        self.masker = OnceLock::new();
        self.filters_as_widest = OnceLock::new();
        for rule in select(selector)? {
            if on {
                self.enabled.insert(rule);
            } else {
                self.enabled.remove(rule);
            }
        }
        Ok(())
    }

    pub fn severity_of(&self, rule: &Rule) -> Severity {
        self.severity.get(rule.id).copied().unwrap_or(rule.severity)
    }

    /// The prefilter: could any enabled rule report anything in this text?
    /// With only rules that declare no trigger words (`parse-error` alone),
    /// every file is parsed.
    pub fn could_report(&self, text: &[u8]) -> bool {
        self.prefilter().is_none_or(|p| p.could_report(text))
    }

    /// [`Settings::could_report`], and whether the file names a type whose
    /// items the crate model reads, from one search.
    pub fn scan(&self, text: &[u8]) -> Scan {
        self.prefilter().map_or(
            Scan {
                reports: true,
                declares: true,
            },
            |p| p.scan(text),
        )
    }

    /// Does the prefilter filter at all, on no words beyond the rules' own?
    /// Then a file that [`Settings::widest`] skips, these settings skip too.
    pub fn filters_within_widest(&self) -> bool {
        self.triggers.is_empty() && self.prefilter().is_some()
    }

    /// Does the prefilter let through exactly the files
    /// [`Settings::widest`]'s does (the same groups of trigger words)? Then
    /// a file the walk let through needs no second look.
    pub fn filters_as_widest(&self) -> bool {
        *self.filters_as_widest.get_or_init(|| {
            let groups = |settings: &Settings| {
                let mut groups: Vec<Vec<String>> = settings
                    .trigger_groups()
                    .into_iter()
                    .map(|group| group.into_iter().map(str::to_string).collect())
                    .collect();
                groups.sort();
                groups.dedup();
                groups
            };
            self.filters_within_widest() && groups(self) == groups(&Settings::widest())
        })
    }

    /// Every rule enabled, nothing configured: the prefilter that lets
    /// through whatever any settings without extra trigger words would.
    pub fn widest() -> Settings {
        Settings {
            enabled: RuleSet::new(rules::ALL.iter().copied()),
            ..Settings::default()
        }
    }

    fn prefilter(&self) -> Option<&Prefilter> {
        self.matcher
            .get_or_init(|| {
                // The types a crate's own items lead to (`JoinHandle`,
                // `JoinSet` and `TaskTracker` are trigger words already).
                let declaring: Vec<(&str, Vec<&str>)> = [
                    "Handle", "Runtime", "Command", "Child", "Executor", "LocalSet",
                ]
                .into_iter()
                .map(|name| (name, spawner::modules_of_type_name(name).collect()))
                .collect();
                Prefilter::new(&self.trigger_groups(), &[SUPPRESSION_MARKER], &declaring)
            })
            .as_ref()
    }

    /// The file with the function bodies no enabled rule could report on
    /// blanked (see [`crate::text::mask`]); `None` leaves it whole. Like the
    /// prefilter, it needs every enabled rule to declare trigger words.
    pub fn mask(&self, source: &str, crate_fields: &CrateFields) -> Option<Masked> {
        self.masker()?.mask(source, crate_fields)
    }

    /// [`Settings::mask`] before the crate's fields are known, and the
    /// handle fields the file declares, from one lexing.
    pub fn mask_and_find(
        &self,
        source: &str,
        finder: Option<&FieldFinder>,
    ) -> (Option<Masked>, Vec<String>, ItemTexts) {
        match self.masker() {
            Some(masker) => masker.mask_and_find(source, finder),
            None => {
                let (fields, items) = fields_and_items(finder, source);
                (None, fields, items)
            }
        }
    }

    /// Can [`Settings::mask`] blank anything at all?
    pub fn can_mask(&self) -> bool {
        self.masker().is_some()
    }

    fn masker(&self) -> Option<&Masker> {
        let masker = self.masker.get_or_init(|| {
            let groups = self.trigger_groups();
            if groups.is_empty() || groups.iter().any(Vec::is_empty) {
                return None;
            }
            let body_words = self
                .enabled_rules()
                .flat_map(|rule| rule.body_words.iter().copied());
            // A configured path keeps the imports that spell it.
            let configured: Vec<&str> = self
                .declared
                .spawners
                .keys()
                .chain(&self.declared.signals)
                .chain(&self.declared.shutdown_words)
                .map(String::as_str)
                .collect();
            Masker::new(
                &groups
                    .concat()
                    .into_iter()
                    .chain(body_words)
                    .collect::<Vec<_>>(),
                &configured,
            )
        });
        masker.as_ref()
    }

    fn trigger_groups(&self) -> Vec<Vec<&str>> {
        self.enabled_rules()
            .flat_map(|rule| rule.triggers.iter().map(|group| group.to_vec()))
            .chain(self.triggers.iter().map(|word| vec![word.as_str()]))
            .collect()
    }

    pub fn add_spawner(&mut self, path: &str, spawner: Spawner) {
        self.matcher = OnceLock::new();
        self.masker = OnceLock::new();
        self.filters_as_widest = OnceLock::new();
        self.declared.spawners.insert(path.to_string(), spawner);
        if let Some(last) = path.rsplit("::").next() {
            self.triggers.push(last.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_same_trigger_groups_filter_as_the_widest() {
        assert!(Settings::widest().filters_as_widest());
        let mut one_rule = Settings::default();
        one_rule
            .apply_selection(Some(&["into-panic-unchecked".to_string()]), &[], &[])
            .expect("a rule");
        assert!(!one_rule.filters_as_widest());
        let mut configured = Settings::widest();
        configured.add_spawner("exec::run", Spawner::CancelOnDrop);
        assert!(!configured.filters_as_widest());
        let mut parse_errors_only = Settings::default();
        parse_errors_only
            .apply_selection(Some(&["parse-error".to_string()]), &[], &[])
            .expect("a rule");
        assert!(!parse_errors_only.filters_as_widest());
    }
}
