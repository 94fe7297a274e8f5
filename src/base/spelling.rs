//! "Did you mean": the known name closest to a mistyped one, for rule ids,
//! family names and configuration keys.

/// The candidate a user most likely meant by `word`, if one is close: the
/// same name in another case or with `_` for `-` (`detached_endless_task`,
/// `lint_tests`), or one within a small edit of it (`detached-spwan`).
pub fn closest<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let wanted = normalise(word);
    if wanted.is_empty() {
        return None;
    }
    let mut best: Option<(f64, &'c str)> = None;
    for candidate in candidates {
        let known = normalise(candidate);
        if known == wanted {
            return Some(candidate);
        }
        let score = strsim::jaro_winkler(&wanted, &known);
        // One edit per four characters at most, so that short names do not
        // suggest one another (`all` for `ax`).
        let edits = strsim::damerau_levenshtein(&wanted, &known);
        let close = edits <= (known.chars().count() / 4).max(1);
        if close && best.is_none_or(|(top, _)| score > top) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// `, did you mean `x`?` or nothing: the tail of an error message.
pub fn did_you_mean<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> String {
    closest(word, candidates).map_or_else(String::new, |c| format!("; did you mean `{c}`?"))
}

fn normalise(word: &str) -> String {
    word.trim().to_lowercase().replace('_', "-")
}

#[cfg(test)]
mod tests {
    use super::*;

    const IDS: &[&str] = &[
        "detached-endless-task",
        "detached-spawn",
        "all",
        "lint-tests",
    ];

    #[test]
    fn separators_and_case_and_small_typos_are_found() {
        let ids = || IDS.iter().copied();
        assert_eq!(
            closest("detached_endless_task", ids()),
            Some("detached-endless-task")
        );
        assert_eq!(closest("Lint_Tests", ids()), Some("lint-tests"));
        assert_eq!(closest("detached-spwan", ids()), Some("detached-spawn"));
        assert_eq!(closest("detached-spawns", ids()), Some("detached-spawn"));
    }

    #[test]
    fn far_names_suggest_nothing() {
        let ids = || IDS.iter().copied();
        assert_eq!(closest("bogus", ids()), None);
        assert_eq!(closest("ax", ids()), None);
        assert_eq!(closest("", ids()), None);
        assert_eq!(closest("100%", ids()), None);
        assert_eq!(did_you_mean("nope", ids()), "");
    }
}
