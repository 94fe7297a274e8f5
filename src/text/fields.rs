//! The handle fields of a crate: [`FieldFinder`] finds the struct fields a
//! file declares with a handle type, [`CrateFields`] holds them for the
//! whole crate, so masking keeps every body that names one.

use std::collections::HashSet;

use aho_corasick::{AhoCorasick, MatchKind};

use crate::text::items::{any_in, find_fns, hot_names, FnItem};
use crate::text::lexer::{is_whole_word, lex, Lexed};
use crate::text::signatures::{self, ItemTexts};

/// The handle fields declared across one crate (see [`FieldFinder`]).
#[derive(Debug, Default)]
pub struct CrateFields {
    pub(super) names: HashSet<String>,
    /// The names as words to search for; tuple positions (`0`) are
    /// searched as `.0` (see [`CrateFields::positions`]).
    pub(super) words: Option<AhoCorasick>,
    /// The tuple positions among the names, as `.0`.
    pub(super) positions: Vec<String>,
}

impl CrateFields {
    pub fn new(names: HashSet<String>) -> CrateFields {
        let identifiers: Vec<&String> = names
            .iter()
            .filter(|n| !n.starts_with(|c: char| c.is_ascii_digit()))
            .collect();
        let words = if identifiers.is_empty() {
            None
        } else {
            AhoCorasick::new(identifiers).ok()
        };
        let positions = names
            .iter()
            .filter(|n| n.starts_with(|c: char| c.is_ascii_digit()))
            .map(|n| format!(".{n}"))
            .collect();
        CrateFields {
            names,
            words,
            positions,
        }
    }

    /// Does `text` name a tuple position among the fields (`.0`, not `.05`
    /// nor `1.0`)? A cheap superset: a float like `x.0` counts too.
    pub(super) fn names_position(&self, text: &[u8]) -> bool {
        self.positions.iter().any(|position| {
            let needle = position.as_bytes();
            memchr::memmem::find_iter(text, needle).any(|at| {
                let after = text.get(at + needle.len()).copied();
                let before = at.checked_sub(1).map(|i| text[i]);
                !after.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
                    && !before.is_some_and(|b| b.is_ascii_digit())
            })
        })
    }

    pub(super) fn contains(&self, name: &[u8]) -> bool {
        std::str::from_utf8(name).is_ok_and(|name| self.names.contains(name))
    }
}

/// Finds the struct fields a file declares with a type that mentions one
/// of its words: a body in another file of the crate that names one of them
/// is kept, so the crate pass sees every use of a handle field.
#[derive(Debug, Clone)]
pub struct FieldFinder {
    words: AhoCorasick,
    names: Vec<String>,
    /// Per word: may it end inside a longer word (`process::`)?
    open_ended: Vec<bool>,
}

impl FieldFinder {
    pub fn new(words: &[&str]) -> Option<FieldFinder> {
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostFirst)
            .build(words)
            .ok()?;
        Some(FieldFinder {
            words: automaton,
            names: words.iter().map(|w| w.to_string()).collect(),
            open_ended: words.iter().map(|w| w.ends_with("::")).collect(),
        })
    }

    /// The field names, sorted (see [`fields_and_items`]).
    fn names_lexed(&self, lexed: &Lexed<'_>, fns: &[FnItem]) -> Vec<String> {
        let text = lexed.text;
        let matches: Vec<usize> = self
            .words
            .find_iter(text)
            .filter(|m| {
                self.open_ended[m.pattern().as_usize()] || is_whole_word(text, m.start(), m.end())
            })
            .map(|m| m.start())
            .collect();
        self.names_from(lexed, fns, matches)
    }

    /// Does a match of `word` at `start..end` count: is it one of the
    /// finder's words, and whole unless it may run on (`process::`)?
    pub(super) fn counts(&self, word: &str, text: &[u8], start: usize, end: usize) -> bool {
        self.names
            .iter()
            .position(|name| name == word)
            .is_some_and(|i| self.open_ended[i] || is_whole_word(text, start, end))
    }

    /// The field names, from where the finder's words occur.
    pub(super) fn names_from(
        &self,
        lexed: &Lexed<'_>,
        fns: &[FnItem],
        mut matches: Vec<usize>,
    ) -> Vec<String> {
        if matches.is_empty() {
            return Vec::new();
        }
        matches.sort_unstable();
        let has_match = |from: usize, to: usize| any_in(&matches, from, to);
        let (_, fields) = hot_names(lexed, fns, &has_match);
        let mut names: Vec<String> = fields
            .into_iter()
            .map(|name| String::from_utf8_lossy(name).into_owned())
            .collect();
        names.sort_unstable();
        names
    }
}

/// The handle fields a file declares (with a finder) and its item
/// signatures, from one lexing: for a file that is not masked.
pub fn fields_and_items(finder: Option<&FieldFinder>, source: &str) -> (Vec<String>, ItemTexts) {
    let Some(lexed) = lex(source.as_bytes()) else {
        return (Vec::new(), ItemTexts::default());
    };
    let fields = finder.map_or_else(Vec::new, |finder| {
        finder.names_lexed(&lexed, &find_fns(&lexed))
    });
    (fields, signatures::items(&lexed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tuple_positions_are_found_after_a_dot() {
        let fields = CrateFields::new(["0".to_string(), "task".to_string()].into_iter().collect());
        assert!(fields.names_position(b"self.0.abort()"));
        assert!(fields.names_position(b"g.0"));
        assert!(!fields.names_position(b"x.05"));
        assert!(!fields.names_position(b"let y = 1.0;"));
        assert!(!fields.names_position(b"self.task"));
        assert!(
            !CrateFields::new(["task".to_string()].into_iter().collect()).names_position(b"self.0")
        );
    }

    #[test]
    fn handle_field_names_are_struct_fields_only() {
        let source = "struct S {\n    task: JoinHandle<()>,\n    child: std::process::Child,\n    kids: Vec<Children>,\n}\nstruct T(u8, AbortHandle);\nfn f(param: JoinHandle<()>) {}\n";
        let finder = FieldFinder::new(&["JoinHandle", "AbortHandle", "Child"]).expect("a finder");
        let (names, _) = fields_and_items(Some(&finder), source);
        assert_eq!(names, ["1", "child", "task"]);
    }
}
