//! The prefilter: one pass over a file's bytes decides whether any enabled
//! rule could report anything in it. A rule's trigger words come in groups:
//! the file passes if every word of some group occurs outside `//` comments.

use aho_corasick::{AhoCorasick, MatchKind};

/// At most this many distinct words; with more, every file is parsed.
const MAX_WORDS: usize = 128;

#[derive(Debug, Clone)]
pub struct Prefilter {
    matcher: AhoCorasick,
    /// Each group as a bit set of word ids.
    groups: Vec<u128>,
    /// For each word, the words found inside it (itself included): a
    /// leftmost search reports `spawn_blocking` and never the `spawn` in it.
    implied: Vec<u128>,
    /// Words counted even on comment lines (suppression comments).
    in_comments: u128,
    /// Words that make a file one the crate model reads ([`Scan::declares`]).
    declaring: u128,
    /// For each word, the texts of which one must occur in a file for the
    /// word to declare anything there (the modules its types live in).
    companions: Vec<Vec<memchr::memmem::Finder<'static>>>,
    /// The words of all groups.
    in_groups: u128,
}

/// What [`Prefilter::scan`] found in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scan {
    /// Some rule could report in it.
    pub reports: bool,
    /// It names, as a whole word outside `//` comment lines, a type whose
    /// items the crate model reads (a file skipped for reporting may still
    /// declare what another file's code means).
    pub declares: bool,
}

impl Prefilter {
    /// `None` when there is nothing to filter on: every file is parsed.
    pub fn new(
        groups: &[Vec<&str>],
        in_comments: &[&str],
        declaring: &[(&str, Vec<&str>)],
    ) -> Option<Prefilter> {
        let mut words: Vec<&str> = groups
            .iter()
            .flatten()
            .copied()
            .chain(declaring.iter().map(|(word, _)| *word))
            .collect();
        words.sort_unstable();
        words.dedup();
        if groups.is_empty() || groups.iter().any(Vec::is_empty) || words.len() > MAX_WORDS {
            return None;
        }
        let id = |word: &str| words.iter().position(|w| *w == word).unwrap_or(0);
        let bits = |group: &Vec<&str>| group.iter().fold(0u128, |set, w| set | 1 << id(w));
        let implied = words
            .iter()
            .map(|outer| {
                words
                    .iter()
                    .enumerate()
                    .filter(|(_, inner)| outer.contains(*inner))
                    .fold(0u128, |set, (i, _)| set | 1 << i)
            })
            .collect();
        let in_comments = in_comments
            .iter()
            .filter(|w| words.contains(w))
            .fold(0u128, |set, w| set | 1 << id(w));
        let mut companions: Vec<Vec<memchr::memmem::Finder<'static>>> =
            vec![Vec::new(); words.len()];
        for (word, modules) in declaring {
            companions[id(word)] = modules
                .iter()
                .map(|m| memchr::memmem::Finder::new(m.as_bytes()).into_owned())
                .collect();
        }
        let declaring = declaring.iter().fold(0u128, |set, (w, _)| set | 1 << id(w));
        let matcher = AhoCorasick::builder()
            // Leftmost semantics let aho-corasick use its SIMD (Teddy) searcher.
            .match_kind(MatchKind::LeftmostFirst)
            .build(&words)
            .ok()?;
        let groups: Vec<u128> = groups.iter().map(bits).collect();
        Some(Prefilter {
            matcher,
            in_groups: groups.iter().fold(0, |set, group| set | group),
            groups,
            implied,
            in_comments,
            declaring,
            companions,
        })
    }

    pub fn could_report(&self, text: &[u8]) -> bool {
        self.scan(text).reports
    }

    /// One search for both questions; it stops once some rule could report.
    pub fn scan(&self, text: &[u8]) -> Scan {
        let mut seen = 0u128;
        let mut declares = false;
        for found in self.matcher.find_iter(text) {
            let word = found.pattern().as_usize();
            // A word that can tell nothing new is not looked at again (most
            // matches in a long file repeat a word already counted).
            let new_words = self.implied[word] & self.in_groups & !seen;
            let may_declare = !declares && self.declaring & (1 << word) != 0;
            if new_words == 0 && !may_declare {
                continue;
            }
            let counts =
                self.in_comments & (1 << word) != 0 || !is_comment_line(text, found.start());
            if !counts {
                continue;
            }
            declares |= may_declare
                && crate::text::lexer::is_whole_word(text, found.start(), found.end())
                && in_type_position(text, found.start())
                && self.has_companion(word, text);
            if new_words == 0 {
                continue;
            }
            seen |= self.implied[word];
            if self.groups.iter().any(|group| group & seen == *group) {
                return Scan {
                    reports: true,
                    declares,
                };
            }
        }
        Scan {
            reports: false,
            declares,
        }
    }
}

impl Prefilter {
    /// Does `text` name a module the declaring `word`'s types live in? A
    /// file naming `Command` but never `process` means another `Command`
    /// (clap's), which the crate model would not follow. A word with no
    /// modules given needs none.
    fn has_companion(&self, word: usize, text: &[u8]) -> bool {
        let companions = &self.companions[word];
        companions.is_empty() || companions.iter().any(|c| c.find(text).is_some())
    }
}

/// Is the word at byte `at` written where a signature names a type: after
/// `->`, `:`, `=`, `<`, `(` or `,`, past a path (`tokio::runtime::`), `&`,
/// `mut` and lifetimes? A cheap look back, so that a file naming `Handle`
/// only in calls (`.handle()`, `Handle::current()` after a `.`) is not read
/// again for its signatures.
fn in_type_position(text: &[u8], at: usize) -> bool {
    let mut i = at;
    for _ in 0..16 {
        while i > 0 && text[i - 1].is_ascii_whitespace() {
            i -= 1;
        }
        if i >= 2 && &text[i - 2..i] == b"::" {
            i -= 2;
            while i > 0 && (text[i - 1].is_ascii_alphanumeric() || text[i - 1] == b'_') {
                i -= 1;
            }
            continue;
        }
        if i >= 3 && &text[i - 3..i] == b"mut" {
            i -= 3;
            continue;
        }
        if i > 0 && text[i - 1] == b'&' {
            i -= 1;
            continue;
        }
        if i > 0 && (text[i - 1].is_ascii_alphanumeric() || text[i - 1] == b'_') {
            // A lifetime (`&'a Handle`) or `dyn`/`impl`.
            let end = i;
            while i > 0 && (text[i - 1].is_ascii_alphanumeric() || text[i - 1] == b'_') {
                i -= 1;
            }
            let word = &text[i..end];
            if i > 0 && text[i - 1] == b'\'' {
                i -= 1;
                continue;
            }
            if matches!(word, b"dyn" | b"impl") {
                continue;
            }
            return false;
        }
        break;
    }
    i > 0 && matches!(text[i - 1], b'>' | b':' | b'=' | b'<' | b'(' | b',')
}

/// Is the line holding byte `at` a `//` comment line? A word there is in a
/// comment (or in a string's text), never code.
fn is_comment_line(text: &[u8], at: usize) -> bool {
    let start = memchr::memrchr(b'\n', &text[..at]).map_or(0, |i| i + 1);
    let line = &text[start..at];
    let first = line.iter().position(|b| !b.is_ascii_whitespace());
    first.is_some_and(|i| line[i..].starts_with(b"//"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(groups: &[&[&str]]) -> Prefilter {
        let groups: Vec<Vec<&str>> = groups.iter().map(|g| g.to_vec()).collect();
        let declaring = [
            ("Handle", vec![]),
            ("JoinHandle", vec![]),
            ("Command", vec!["process"]),
        ];
        Prefilter::new(&groups, &["tasklint:"], &declaring).expect("words to filter on")
    }

    #[test]
    fn any_group_fully_present_passes() {
        let f = filter(&[&["spawn"], &["process::", "Child"]]);
        assert!(f.could_report(b"tokio::spawn(x)"));
        assert!(!f.could_report(b"std::process::exit(1)"));
        assert!(f.could_report(b"use std::process::Child;"));
        assert!(
            f.could_report(b"struct S { c: Child }\nuse std::process;\nfn f() { process::id(); }")
        );
    }

    #[test]
    fn words_inside_longer_matches_count() {
        let f = filter(&[&["spawn", "x"], &["spawn_blocking"]]);
        assert!(f.could_report(b"let x = 1; spawn_blocking(f);"));
        let inner = filter(&[&["spawn", "JoinSet"], &["spawn_local_thing"]]);
        assert!(inner.could_report(b"JoinSet::new(); spawn_local_thing();"));
    }

    #[test]
    fn comment_lines_do_not_count_except_suppressions() {
        let f = filter(&[&["spawn"], &["tasklint:"]]);
        assert!(!f.could_report(b"/// tokio::spawn(x)\nfn f() {}"));
        assert!(f.could_report(b"   // tasklint: allow(all)\nfn f() {}"));
        assert!(f.could_report(b"let s = \"//\"; spawn(x);"));
    }

    #[test]
    fn nothing_to_filter_on_parses_everything() {
        assert!(Prefilter::new(&[], &[], &[]).is_none());
        assert!(Prefilter::new(&[vec![]], &[], &[]).is_none());
    }

    #[test]
    fn declaring_words_are_whole_words_in_code_and_never_report() {
        let f = filter(&[&["spawn"]]);
        let scan = |text: &[u8]| f.scan(text);
        assert_eq!(
            scan(b"fn rt() -> Handle { todo!() }"),
            Scan {
                reports: false,
                declares: true
            }
        );
        assert!(!scan(b"struct Handles;").declares);
        assert!(!scan(b"// returns a Handle\nfn f() {}").declares);
        assert!(scan(b"type Task = JoinHandle<()>;").declares);
        assert!(scan(b"struct S { rt: &'a mut tokio::runtime::Handle }").declares);
        assert!(scan(b"fn f(x: impl Handle) {}").declares);
        assert!(!scan(b"let h = x.Handle;").declares);
        assert!(!scan(b"let Handle = 1;").declares);
        // A `Command` of a file that never names `process` is another one.
        assert!(!scan(b"use clap::Command;\nfn cli() -> Command { todo!() }").declares);
        assert!(scan(b"use std::process::Command;\nfn c() -> Command { todo!() }").declares);
    }
}
