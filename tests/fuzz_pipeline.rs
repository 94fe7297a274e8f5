//! A bounded mutation fuzz of the per-file pipeline, run with every `cargo
//! test`: the fixtures, mutated by splicing, deleting, duplicating and
//! inserting tokens that stress lexers and parsers, must never make tasklint
//! panic, point outside the file, or fail to render (see
//! `tasklint::fuzzing`). The long, coverage-guided run is the cargo-fuzz
//! target in `fuzz/` (README, Development).
//!
//! `TASKLINT_FUZZ_CASES` sets the number of mutated inputs (default 1500)
//! and `TASKLINT_FUZZ_SEED` the seed (default fixed, so a failure repeats).

use std::path::{Path, PathBuf};

/// Fragments that have broken lexers, depth guards and parsers before.
const TOKENS: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "<",
    ">",
    "'",
    "\"",
    "r#\"",
    "\"#",
    "b'",
    "'é'",
    "'\\u{1F600}'",
    "'a",
    "//",
    "/*",
    "*/",
    "///",
    "//!",
    "#[cfg(test)]",
    "#![cfg(test)]",
    "\n",
    "\r\n",
    "\t",
    "\u{202e}",
    "\u{1b}[31m",
    "é",
    "\0",
    "tokio::spawn(",
    "async move {",
    "loop {",
    "select! {",
    ".await",
    "?",
    ";",
    "=>",
    "|",
    "||",
    "->",
    "fn() -> ",
    "return ",
    "r#spawn",
    "::",
    "_ = ",
    "let _ = ",
    "JoinHandle<",
    "Command::new(\"x\")",
    ".spawn()",
    ".abort()",
    "impl Drop for S {",
    "// tasklint: allow(all)",
    "// tasklint: allow-file(",
    "tasklint:",
    "@generated",
];

fn seeds() -> Vec<Vec<u8>> {
    let mut files = Vec::new();
    collect(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"),
        &mut files,
    );
    files.sort();
    files
        .iter()
        .filter_map(|path| std::fs::read(path).ok())
        .collect()
}

fn collect(dir: PathBuf, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

/// One to four random edits of `input`, sometimes spliced with `other`.
fn mutate(rng: &mut fastrand::Rng, input: &[u8], other: &[u8]) -> Vec<u8> {
    let mut data = input.to_vec();
    for _ in 0..rng.usize(1..=4) {
        let at = rng.usize(..=data.len());
        match rng.u8(..6) {
            0 => {
                let end = (at + rng.usize(..64)).min(data.len());
                data.drain(at..end);
            }
            1 => {
                let end = (at + rng.usize(..256)).min(data.len());
                let copy = data[at..end].to_vec();
                for _ in 0..rng.usize(1..=8) {
                    data.splice(at..at, copy.iter().copied());
                }
            }
            2 | 3 => {
                let token = TOKENS[rng.usize(..TOKENS.len())].as_bytes();
                for _ in 0..rng.usize(1..=3) {
                    data.splice(at..at, token.iter().copied());
                }
            }
            4 if !other.is_empty() => {
                let from = rng.usize(..other.len());
                let end = (from + rng.usize(..512)).min(other.len());
                data.splice(at..at, other[from..end].iter().copied());
            }
            _ => {
                if let Some(byte) = data.get_mut(at) {
                    *byte = rng.u8(..);
                }
            }
        }
    }
    data
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn mutated_fixtures_never_break_the_pipeline() {
    let seeds = seeds();
    assert!(seeds.len() > 50, "fixtures not found");
    for seed in &seeds {
        tasklint::fuzzing::check(seed).unwrap();
    }
    let cases = env_number("TASKLINT_FUZZ_CASES", 1500);
    let mut rng = fastrand::Rng::with_seed(env_number("TASKLINT_FUZZ_SEED", 0x7a5c_11e7));
    let mut valid_utf8 = 0;
    for case in 0..cases {
        let input = &seeds[rng.usize(..seeds.len())];
        let other = &seeds[rng.usize(..seeds.len())];
        let data = mutate(&mut rng, input, other);
        valid_utf8 += u64::from(std::str::from_utf8(&data).is_ok());
        if let Err(problem) = tasklint::fuzzing::check(&data) {
            let kept = std::env::temp_dir().join(format!("tasklint-fuzz-case-{case}.rs"));
            let _ = std::fs::write(&kept, &data);
            panic!("case {case} ({}): {problem}", kept.display());
        }
    }
    // Most mutations keep the text UTF-8, so most cases reach the parser.
    assert!(
        valid_utf8 * 10 >= cases * 8,
        "{valid_utf8} of {cases} UTF-8"
    );
}
