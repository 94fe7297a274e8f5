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
pub struct Fingerprinter {
    seen: HashMap<u64, usize>,
}

impl Fingerprinter {
    pub fn fingerprint(&mut self, rule: &str, path: &str, line_text: &str, item: &str) -> String {
        let line = normalise_line(line_text);
        let base = fnv1a(&[rule, path, &line, item]);
        let occurrence = self.seen.entry(base).or_insert(0);
        let index = occurrence.to_string();
        *occurrence += 1;
        format!("{:016x}", fnv1a(&[&format!("{base:016x}"), &index]))
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
}
