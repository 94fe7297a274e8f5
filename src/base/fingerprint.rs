//! Stable fingerprints: a finding keeps its fingerprint when lines above it
//! are added or removed, so baselines and code scanning can follow it.

use std::collections::HashMap;

/// FNV-1a, 64 bits: stable across Rust releases and platforms, unlike `DefaultHasher`.
pub fn fnv1a(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0xff)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// Whitespace folded, so re-indenting a line does not change its fingerprint.
pub fn normalise_line(line: &str) -> String {
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Hands out fingerprints for one file, counting identical ones so that two
/// findings on identical lines in the same item still differ.
#[derive(Default)]
pub struct Fingerprinter<'l> {
    seen: HashMap<u64, usize>,
    /// The line last fingerprinted and the hashes made of it (by rule, path
    /// and item): findings come by line, so the many findings of one long
    /// line normalise and hash it once, not once each. Borrowed, so the same
    /// address and length is the same text.
    line: Option<&'l str>,
    bases: HashMap<(String, String, String), (u64, u64)>,
}

impl<'l> Fingerprinter<'l> {
    /// The fingerprint alone (the tests compare it with its definition).
    #[cfg(test)]
    pub fn fingerprint(
        &mut self,
        rule: &str,
        path: &str,
        line_text: &'l str,
        item: &str,
    ) -> String {
        self.fingerprints(rule, path, line_text, item).0
    }

    /// The fingerprint, and the same without the path (the rule, the
    /// normalised line, the item and the occurrence index): baselines pair
    /// the second with a path of their own, relative to their folder.
    pub fn fingerprints(
        &mut self,
        rule: &str,
        path: &str,
        line_text: &'l str,
        item: &str,
    ) -> (String, String) {
        if !self.line.is_some_and(|line| std::ptr::eq(line, line_text)) {
            self.line = Some(line_text);
            self.bases.clear();
        }
        let key = (rule.to_string(), path.to_string(), item.to_string());
        let (base, local) = *self.bases.entry(key).or_insert_with(|| {
            let line = normalise_line(line_text);
            (
                fnv1a(&[rule, path, &line, item]),
                fnv1a(&[rule, &line, item]),
            )
        });
        let occurrence = self.seen.entry(base).or_insert(0);
        let index = occurrence.to_string();
        *occurrence += 1;
        (
            format!("{:016x}", fnv1a(&[&format!("{base:016x}"), &index])),
            format!("{:016x}", fnv1a(&[&format!("{local:016x}"), &index])),
        )
    }
}

/// The hash GitHub code scanning calls `primaryLocationLineHash`: the
/// normalised line alone, with an occurrence index.
pub fn line_hash(line_text: &str) -> String {
    format!("{:016x}", fnv1a(&[&normalise_line(line_text)]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_lines_get_distinct_fingerprints() {
        let mut fp = Fingerprinter::default();
        let a = fp.fingerprint("detached-spawn", "a.rs", "tokio::spawn(x);", "main");
        let b = fp.fingerprint("detached-spawn", "a.rs", "tokio::spawn(x);", "main");
        assert_ne!(a, b);
        let mut again = Fingerprinter::default();
        assert_eq!(
            a,
            again.fingerprint("detached-spawn", "a.rs", "  tokio::spawn(x);  ", "main")
        );
    }

    #[test]
    fn fingerprint_depends_on_rule_path_and_item() {
        let mut fp = Fingerprinter::default();
        let a = fp.fingerprint("detached-spawn", "a.rs", "x", "main");
        let mut fp = Fingerprinter::default();
        assert_ne!(a, fp.fingerprint("detached-spawn", "b.rs", "x", "main"));
        let mut fp = Fingerprinter::default();
        assert_ne!(a, fp.fingerprint("detached-spawn", "a.rs", "x", "run"));
        let mut fp = Fingerprinter::default();
        assert_ne!(a, fp.fingerprint("unreaped-child", "a.rs", "x", "main"));
    }

    #[test]
    fn many_findings_on_one_line_keep_their_fingerprints() {
        // The fingerprints as computed before the per-line memo.
        let mut seen: HashMap<u64, usize> = HashMap::new();
        let mut plain = |rule: &str, line: &str, item: &str| {
            let base = fnv1a(&[rule, "a.rs", &normalise_line(line), item]);
            let occurrence = seen.entry(base).or_insert(0);
            let index = occurrence.to_string();
            *occurrence += 1;
            format!("{:016x}", fnv1a(&[&format!("{base:016x}"), &index]))
        };
        let line = "tokio::spawn(x); ".repeat(100);
        let copy = line.clone();
        let mut fp = Fingerprinter::default();
        for (rule, text, item) in [
            ("detached-spawn", line.as_str(), "main"),
            ("detached-spawn", line.as_str(), "main"),
            ("detached-spawn", line.as_str(), "run"),
            ("unused-suppression", line.as_str(), "main"),
            ("detached-spawn", copy.as_str(), "main"),
            ("detached-spawn", "x", "main"),
            ("detached-spawn", line.as_str(), "main"),
        ] {
            assert_eq!(
                fp.fingerprint(rule, "a.rs", text, item),
                plain(rule, text, item)
            );
        }
    }
}
