//! What a rule reports, before and after it is tied to a file.

use crate::base::fix::Fix;
pub use crate::base::region::Region;
use crate::base::rule::{Rule, Severity};

/// A finding as a rule emits it, inside one file.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub rule: &'static Rule,
    pub region: Region,
    pub message: String,
    pub help: String,
    /// The innermost named item around the finding (`Server::run`), for fingerprints.
    pub item: String,
    /// An edit that fixes it, if the rule has one here.
    pub fix: Option<Fix>,
}

/// A finding tied to its file, ready to render.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: &'static Rule,
    pub severity: Severity,
    pub path: String,
    pub region: Region,
    pub message: String,
    pub help: String,
    pub fingerprint: String,
    /// The fingerprint without the path, for baselines (see
    /// [`Fingerprinter::fingerprints`](crate::base::fingerprint::Fingerprinter::fingerprints)).
    pub local_fingerprint: String,
    /// Its fix, with byte offsets into the file's text.
    pub fix: Option<Fix>,
}

impl Finding {
    pub fn sort_key(&self) -> (&str, usize, usize, &'static str) {
        (
            &self.path,
            self.region.line,
            self.region.column,
            self.rule.id,
        )
    }
}
