//! Masking: before a file is parsed, the function bodies no rule can report
//! on are blanked, and doc comments become plain comments.
//!
//! The prefilter decides per file, but most of a file that passes it is code
//! no rule looks at: functions that never mention a trigger word. Parsing and
//! walking them was most of a run's time. A body is kept when it, or its
//! signature, mentions a trigger word, a rule's body word (`abort`), a
//! handle field of its crate, or a *hot name*: a field, static or tuple
//! field whose type mentions a trigger word (`task: JoinHandle<()>` makes
//! every body that says `task` kept). A body is also kept when its function
//! is called inside the arguments of a trigger word (`tokio::spawn(run(rx))`
//! keeps `run`, which a rule reads as the task's body). Items no rule reads
//! (`macro_rules!`, `extern` blocks, consts and types that name no trigger
//! word and no kind type, `use` items no name resolution needs) are blanked
//! too.
//!
//! A blanked stretch keeps its line breaks, and its last line (the only one
//! that can hold kept text after it) a space per character, so each kept
//! token has the line and column it has in the file. Lexing is a
//! cheap byte scan; anything it cannot follow (an unterminated string, an
//! unbalanced bracket) leaves the file unmasked.

use aho_corasick::{AhoCorasick, MatchKind};

use crate::text::fields::{CrateFields, FieldFinder};
use crate::text::items::{find_fns, FnItem};
use crate::text::keep::{decide, idle_items, KnownImports, Mentions};
use crate::text::lexer::{is_whole_word, lex, Lexed};
use crate::text::signatures::{self, ItemTexts};

/// Finds the words that keep a body.
#[derive(Debug, Clone)]
pub struct Masker {
    words: AhoCorasick,
    /// The patterns of `words`, in order.
    word_list: Vec<String>,
    /// Whole words that keep a `use` item: what name resolution can turn
    /// into a path a rule knows (see [`crate::semantic::resolve`]), kind types
    /// included.
    names: AhoCorasick,
    /// Per pattern of `names`: is it a kind type, which keeps any item?
    is_kind: Vec<bool>,
    imports: KnownImports,
}

/// A file with its unneeded bodies blanked.
#[derive(Debug)]
pub struct Masked {
    pub text: String,
    /// The byte ranges of the functions blanked.
    blanked_fns: Vec<(usize, usize)>,
    /// The stack parsing the masked text needs at most: what the whole
    /// file needs (blanking only takes nesting away), when that is within
    /// bounds; `None` leaves it to [`crate::text::depth::stack_needed`].
    pub stack: Option<usize>,
}

impl Masker {
    /// `words`: the enabled rules' trigger words and body words.
    /// `configured`: the paths of configured spawners and signals, which
    /// keep the `use` items that spell them.
    pub fn new(words: &[&str], configured: &[&str]) -> Option<Masker> {
        fn automaton(mut words: Vec<&str>) -> Option<AhoCorasick> {
            words.sort_unstable();
            words.dedup();
            AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostFirst)
                .build(&words)
                .ok()
        }
        // Types whose fields and statics give a receiver its kind: a struct,
        // alias or macro that names one is kept.
        let kinds: Vec<&str> = crate::knowledge::spawner::kind_type_names().collect();
        let mut names: Vec<&str> = configured.iter().flat_map(|p| p.split("::")).collect();
        for word in kinds
            .iter()
            .copied()
            .chain(crate::knowledge::crates::import_words())
        {
            names.push(word);
        }
        let mut paths: Vec<&str> = configured.to_vec();
        for path in
            crate::knowledge::spawner::known_paths().chain(crate::knowledge::crates::glob_modules())
        {
            paths.push(path);
        }
        let imports = KnownImports {
            paths: paths
                .iter()
                .map(|path| path.split("::").map(str::to_string).collect())
                .collect(),
            names: names.iter().map(|name| name.to_string()).collect(),
        };
        names.sort_unstable();
        names.dedup();
        let mut word_list = words.to_vec();
        word_list.sort_unstable();
        word_list.dedup();
        Some(Masker {
            words: automaton(word_list.clone())?,
            word_list: word_list.iter().map(|w| w.to_string()).collect(),
            // Longest first: only the longest word at a place can be whole.
            names: AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .build(&names)
                .ok()?,
            is_kind: names.iter().map(|name| kinds.contains(name)).collect(),
            imports,
        })
    }

    /// The masked file, or `None` when masking would blank nothing or the
    /// lexer cannot follow the file.
    pub fn mask(&self, source: &str, crate_fields: &CrateFields) -> Option<Masked> {
        let lexed = lex(source.as_bytes())?;
        let fns = find_fns(&lexed);
        let matches = self.words.find_iter(source).map(|m| m.start()).collect();
        self.mask_lexed(source, &lexed, &fns, matches, crate_fields)
    }

    /// [`Masker::mask`] with no crate fields known yet, the handle fields
    /// this file declares (see [`FieldFinder`]) and its item signatures
    /// ([`signatures::items`]), from one lexing.
    pub fn mask_and_find(
        &self,
        source: &str,
        finder: Option<&FieldFinder>,
    ) -> (Option<Masked>, Vec<String>, ItemTexts) {
        let Some(lexed) = lex(source.as_bytes()) else {
            return (None, Vec::new(), ItemTexts::default());
        };
        let items = signatures::items(&lexed);
        let fns = find_fns(&lexed);
        // One search for both: the field words are trigger words too.
        let found: Vec<aho_corasick::Match> = self.words.find_iter(source).collect();
        let fields = finder.map_or_else(Vec::new, |finder| {
            let text = source.as_bytes();
            let matches = found
                .iter()
                .filter(|m| {
                    finder.counts(
                        &self.word_list[m.pattern().as_usize()],
                        text,
                        m.start(),
                        m.end(),
                    )
                })
                .map(|m| m.start())
                .collect();
            finder.names_from(&lexed, &fns, matches)
        });
        let matches = found.iter().map(|m| m.start()).collect();
        let masked = self.mask_lexed(source, &lexed, &fns, matches, &CrateFields::default());
        (masked, fields, items)
    }

    /// `matches`: where the trigger and body words start, in order.
    fn mask_lexed(
        &self,
        source: &str,
        lexed: &Lexed<'_>,
        fns: &[FnItem],
        matches: Vec<usize>,
        crate_fields: &CrateFields,
    ) -> Option<Masked> {
        let text = source.as_bytes();
        let in_code = |at: &usize| lexed.in_code(*at);
        let matches: Vec<usize> = matches.into_iter().filter(in_code).collect();
        let keep = decide(lexed, fns, &matches, crate_fields);
        let (kept, blanked): (Vec<_>, Vec<_>) = fns.iter().zip(&keep).partition(|(_, keep)| **keep);
        let kept: Vec<usize> = kept.iter().map(|(f, _)| f.first).collect();
        let mut blanked: Vec<(usize, usize)> =
            blanked.iter().map(|(f, _)| (f.first, f.close)).collect();
        let tokens = &lexed.tokens;
        let blanked_fns = blanked
            .iter()
            .map(|&(first, close)| (tokens[first].start, tokens[close].end))
            .collect();
        let mut kinds = matches;
        let whole_words = self.names.find_iter(text);
        for m in whole_words.filter(|m| is_whole_word(text, m.start(), m.end())) {
            if self.is_kind[m.pattern().as_usize()] && in_code(&m.start()) {
                kinds.push(m.start());
            }
        }
        kinds.sort_unstable();
        let mentions = Mentions {
            kept: &kept,
            kinds: &kinds,
            imports: &self.imports,
        };
        blanked.extend(idle_items(lexed, fns, &mentions));
        if blanked.is_empty() && lexed.docs.is_empty() {
            return None;
        }
        Some(Masked {
            text: blank(source, lexed, blanked),
            blanked_fns,
            stack: crate::text::depth::stack_needed_lexed(lexed).ok(),
        })
    }
}

impl Masked {
    /// Does a function this masking blanked name one of `fields`? Then the
    /// file is masked again with them (a plain word match: a name in a
    /// string also counts, which only costs that second masking). Matches
    /// may overlap: `poll` inside `poll_task` is no whole word, and must
    /// not hide `poll_task` at the same place.
    pub fn blanks_any(&self, source: &str, fields: &CrateFields) -> bool {
        let text = source.as_bytes();
        self.blanked_fns.iter().any(|&(from, to)| {
            fields.words.as_ref().is_some_and(|words| {
                words
                    .find_overlapping_iter(&text[from..to])
                    .any(|m| is_whole_word(text, from + m.start(), from + m.end()))
            }) || fields.names_position(&text[from..to])
        })
    }
}

/// The source with the given token ranges (inclusive) blanked, one space
/// per character and line breaks kept, and doc comments turned into plain
/// comments.
fn blank(source: &str, lexed: &Lexed<'_>, mut ranges: Vec<(usize, usize)>) -> String {
    ranges.sort_unstable();
    let mut out = String::with_capacity(source.len());
    let mut docs = lexed.docs.iter().peekable();
    let mut copy = |out: &mut String, from: usize, to: usize| {
        let mut at = from;
        while let Some(&&doc) = docs.peek() {
            if doc >= to {
                break;
            }
            docs.next();
            if doc >= at {
                out.push_str(&source[at..doc]);
                out.push(' ');
                at = doc + 1;
            }
        }
        out.push_str(&source[at..to]);
    };
    let mut at = 0;
    for (first, last) in ranges {
        let from = lexed.tokens[first].start.max(at);
        let to = lexed.tokens[last].end;
        if to <= at {
            continue; // inside a range already blanked
        }
        copy(&mut out, at, from);
        // Only the last line of a blanked range can hold text after it: the
        // lines before keep just their breaks, the last one a space per
        // character. Most of a masked file was spaces the parser skipped.
        let blanked = &source[from..to];
        let tail = match memchr::memrchr(b'\n', blanked.as_bytes()) {
            Some(last_break) => {
                // Line breaks are ASCII: found by byte, not by character.
                let breaks = &blanked.as_bytes()[..last_break + 1];
                for at in memchr::memchr2_iter(b'\n', b'\r', breaks) {
                    out.push(char::from(breaks[at]));
                }
                &blanked[last_break + 1..]
            }
            None => blanked,
        };
        for c in tail.chars() {
            out.push(if c == '\r' { c } else { ' ' });
        }
        at = to;
    }
    copy(&mut out, at, source.len());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rules' trigger and body words when these tests were written
    /// (the registry is a higher layer; `tests/integration.rs` masks with
    /// the real ones).
    const WORDS: &[&str] = &[
        "spawn",
        "spawn_blocking",
        "JoinHandle",
        "AbortHandle",
        "process::",
        "Child",
        "JoinSet",
        "join_next",
        "TaskTracker",
        "into_panic",
        "select!",
        "select_biased!",
        "tasklint:",
        "abort",
        "kill_on_drop",
    ];

    fn masker() -> Masker {
        Masker::new(WORDS, &[]).expect("a masker")
    }

    fn mask(source: &str) -> String {
        masker()
            .mask(source, &CrateFields::default())
            .map_or_else(|| source.to_string(), |m| m.text)
    }

    /// Every line keeps its length in characters, so every span stays put.
    /// The same lines, and every character kept at its line and column.
    fn assert_same_shape(source: &str, masked: &str) {
        let (source_lines, masked_lines): (Vec<&str>, Vec<&str>) =
            (source.split('\n').collect(), masked.split('\n').collect());
        assert_eq!(source_lines.len(), masked_lines.len(), "masked:\n{masked}");
        for (line, masked_line) in source_lines.iter().zip(&masked_lines) {
            let line: Vec<char> = line.chars().collect();
            for (column, c) in masked_line.chars().enumerate() {
                assert!(
                    c.is_whitespace() || line.get(column) == Some(&c),
                    "`{c}` moved on `{masked_line}`; masked:\n{masked}"
                );
            }
        }
    }

    #[test]
    fn bodies_without_trigger_words_are_blanked_whole() {
        let source = "#[inline]\npub fn quiet() -> u8 {\n    let é = 1;\n    é\n}\n\nfn loud() {\n    tokio::spawn(async {});\n}\n";
        let masked = mask(source);
        assert_same_shape(source, &masked);
        assert!(
            !masked.contains("quiet") && !masked.contains("inline"),
            "{masked}"
        );
        assert!(masked.contains("fn loud() {\n    tokio::spawn(async {});\n}"));
    }

    #[test]
    fn bodies_naming_a_handle_field_are_kept() {
        let source = "struct S {\n    task: Option<JoinHandle<()>>,\n}\nimpl S {\n    fn done(&self) -> bool { self.task.is_none() }\n    fn name(&self) -> &str { \"s\" }\n}\n";
        let masked = mask(source);
        assert!(masked.contains("self.task.is_none()"));
        assert!(!masked.contains("fn name"));
    }

    #[test]
    fn bodies_naming_a_tuple_handle_field_are_kept() {
        let source = "struct G(u8, Child);\nimpl Drop for G {\n    fn drop(&mut self) { let _ = self.1.wait(); }\n}\nfn f(x: (u8, u8)) -> u8 { x.0 }\n";
        let masked = mask(source);
        assert!(masked.contains("self.1.wait()"));
        assert!(!masked.contains("x.0"));
        // Named in another file of the crate, as `.1`.
        let other = "fn stop(g: &mut G) {\n    let _ = g.1.wait();\n}\nfn ratio() -> f64 { 2.1 }\n";
        let fields = CrateFields::new(["1".to_string()].into_iter().collect());
        let (early, _, _) = masker().mask_and_find(other, None);
        let early = early.expect("both bodies are blanked at first");
        assert!(early.blanks_any(other, &fields));
        let masked = masker().mask(other, &fields).map(|m| m.text);
        assert!(masked.is_none_or(|text| text.contains("g.1.wait()") && !text.contains("2.1")));
    }

    #[test]
    fn fields_of_other_files_of_the_crate_keep_bodies() {
        let source = "fn stop(p: Poller) {\n    drop(p.poll_task);\n}\n";
        let names =
            |names: &[&str]| CrateFields::new(names.iter().map(|n| n.to_string()).collect());
        let fields = names(&["poll_task", "0"]);
        let masked = masker().mask(source, &fields).map(|m| m.text);
        assert!(masked.is_none_or(|text| text.contains("p.poll_task")));
        assert!(!mask(source).contains("poll_task"));
        // Masked before the crate's fields are known, it is masked again
        // only when a blanked body names one of them.
        let (early, found, _) = masker().mask_and_find(source, None);
        let early = early.expect("`stop` is blanked");
        assert!(found.is_empty());
        assert!(early.blanks_any(source, &fields));
        assert!(!early.blanks_any(source, &names(&["poll", "0"])));
        assert!(!early.blanks_any(source, &CrateFields::default()));
        // A field whose name begins another's: the longer is still found
        // where the shorter matches first and is not a whole word.
        assert!(early.blanks_any(source, &names(&["poll", "poll_task"])));
    }

    #[test]
    fn functions_called_in_a_spawn_are_kept_as_task_bodies() {
        let source = "fn start() {\n    tokio::spawn(Box::pin(run(rx)).instrument(span));\n    tokio::spawn(self.serve());\n}\nasync fn run(rx: R) {\n    loop {}\n}\nasync fn serve(&self) {\n    loop {}\n}\nfn helper() {\n    loop {}\n}\n";
        let masked = mask(source);
        assert!(masked.contains("async fn run(rx: R)") && masked.contains("async fn serve"));
        assert!(!masked.contains("helper"));
    }

    #[test]
    fn words_in_strings_and_comments_keep_nothing_but_renames_do() {
        let source = "use tokio::spawn as go;\nfn named() -> &'static str {\n    \"spawn-req\" // spawn\n}\nfn renamed() {\n    go(async {});\n}\n";
        let masked = mask(source);
        assert_same_shape(source, &masked);
        assert!(!masked.contains("fn named"), "{masked}");
        assert!(masked.contains("go(async {});"), "{masked}");
    }

    #[test]
    fn imports_resolution_cannot_use_are_blanked() {
        let source = "use std::collections::HashMap;\nuse std::{sync::Arc, thread};\nuse futures_util::future;\nuse serde::Serialize;\nuse crate::util::{a, b};\nuse super::*;\nuse my::task;\nuse x::y as tokio;\nuse tokio::{self as tk};\n#[cfg(x)]\npub(crate) use foo::Bar as Baz;\nfn f() {\n    use helper::thing;\n    tokio::spawn(g());\n}\n";
        let masked = mask(source);
        assert_same_shape(source, &masked);
        for kept in [
            // `std::thread` begins `std::thread::spawn`.
            "use std::{sync::Arc, thread};",
            "use super::*;",
            // `task` is a name a known path uses (`task::spawn`), and so is
            // `tokio`; `tokio` renamed keeps its paths under a new name.
            "use my::task;",
            "use x::y as tokio;",
            "use tokio::{self as tk};",
            "use helper::thing;",
        ] {
            assert!(masked.contains(kept), "{kept}: {masked}");
        }
        for blanked in [
            "HashMap",
            "futures_util",
            "serde",
            "crate::util",
            "cfg",
            "Baz",
        ] {
            assert!(!masked.contains(blanked), "{blanked}: {masked}");
        }
        // A configured spawner's path keeps the imports that spell it.
        let configured = Masker::new(&["spawn", "go"], &["crate::rt::go"]).expect("a masker");
        let source = "use crate::rt;\nfn f() {\n    rt::go(async {});\n}\n";
        let masked = configured.mask(source, &CrateFields::default());
        assert!(masked.is_none_or(|m| m.text.contains("use crate::rt;")));
    }

    #[test]
    fn items_no_rule_reads_are_blanked() {
        let source = "use tokio::task;\nmacro_rules! m { () => { tokio::spawn(x) } }\nextern \"C\" { fn posix_spawn(); }\nconst N: usize = 3;\nstruct Plain { n: u8 }\nstruct Owner { rt: Runtime }\nimpl Plain { const M: u8 = 1; }\nfn f() { task::spawn(g()); }\n";
        let masked = mask(source);
        assert_same_shape(source, &masked);
        for gone in [
            "macro_rules",
            "posix_spawn",
            "const N",
            "struct Plain",
            "impl Plain",
        ] {
            assert!(!masked.contains(gone), "{gone} kept:\n{masked}");
        }
        for kept in [
            "use tokio::task;",
            "struct Owner { rt: Runtime }",
            "task::spawn(g())",
        ] {
            assert!(masked.contains(kept), "{kept} blanked:\n{masked}");
        }
    }

    #[test]
    fn literals_comments_and_lifetimes_do_not_confuse_the_lexer() {
        let source = "/// Docs { with a brace\nfn a<'x>(s: &'x str) -> char {\n    let _ = r#\"fn b() { \"# ;\n    let _ = b\"}\";\n    /* { /* nested */ */\n    '}'\n}\n//! inner\n//// not a doc\nfn c() { spawn(a('\\'')); }\n";
        let masked = mask(source);
        assert_same_shape(source, &masked);
        assert!(masked.starts_with("//  Docs { with a brace\n"));
        assert!(masked.contains("\n//  inner\n//// not a doc\n"));
        assert!(
            masked.contains("fn a<'x>(s: &'x str) -> char {"),
            "called from the spawn"
        );
        assert!(syn::parse_file(&masked).is_ok(), "{masked}");
    }

    #[test]
    fn text_the_lexer_cannot_follow_is_left_whole() {
        let m = masker();
        for source in [
            "fn a() { \"open\n",
            "fn a() { /* open\n",
            "fn a() { (] }",
            "fn a() {",
        ] {
            assert!(
                m.mask(source, &CrateFields::default()).is_none(),
                "{source}"
            );
        }
    }

    /// Every fixture, masked, keeps its shape and still parses.
    #[test]
    fn every_fixture_masks_to_the_same_shape() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut files = vec![root];
        let mut seen = 0;
        while let Some(path) = files.pop() {
            if path.is_dir() {
                let entries = std::fs::read_dir(&path).expect("fixture folder");
                files.extend(entries.map(|e| e.expect("entry").path()));
                continue;
            }
            if path.extension().is_none_or(|ext| ext != "rs") {
                continue;
            }
            let source = std::fs::read_to_string(&path).expect("fixture");
            let masked = mask(&source);
            assert_same_shape(&source, &masked);
            if syn::parse_file(&source).is_ok() {
                assert!(syn::parse_file(&masked).is_ok(), "{}", path.display());
            }
            seen += 1;
        }
        assert!(seen > 50, "only {seen} fixtures");
    }
}
