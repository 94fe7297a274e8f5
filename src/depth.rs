//! A guard against input that would overflow the parser's stack: syn
//! recurses once per nested bracket and per prefix operator, and a stack
//! overflow aborts the process (it cannot be caught). Real code nests a few
//! dozen levels; past [`MAX_DEPTH`] the file is reported instead of parsed.

use crate::mask::{block_comment_end, line_end, raw_string_end, string_end};

/// Deeper than this, a file is not parsed.
pub const MAX_DEPTH: usize = 1000;

/// The byte offset where nesting (brackets outside strings and comments, or
/// a run of prefix operators) first goes past [`MAX_DEPTH`], if it does.
pub fn too_deep(text: &[u8]) -> Option<usize> {
    let mut depth = 0usize;
    let mut prefix_run = 0usize;
    let mut i = 0;
    while i < text.len() {
        let byte = text[i];
        let next = text.get(i + 1).copied();
        match byte {
            b'/' if next == Some(b'/') => {
                i = line_end(text, i);
                continue;
            }
            b'/' if next == Some(b'*') => {
                i = block_comment_end(text, i).unwrap_or(text.len());
                continue;
            }
            b'"' => {
                i = string_end(text, i + 1).unwrap_or(text.len());
                continue;
            }
            b'r' if is_raw_string_start(text, i) => {
                let hashes = text[i + 1..].iter().take_while(|&&b| b == b'#').count();
                i = raw_string_end(text, i + hashes + 2, hashes).unwrap_or(text.len());
                continue;
            }
            b'\'' => {
                // A char literal ('(' or '\''), or a lifetime ('a).
                i += match (next, text.get(i + 2)) {
                    (Some(b'\\'), _) => text[i + 2..]
                        .iter()
                        .position(|&b| b == b'\'')
                        .map_or(2, |n| n + 3),
                    (Some(_), Some(b'\'')) => 3,
                    _ => 1,
                };
                prefix_run = 0;
                continue;
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(i);
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'!' | b'-' | b'*' | b'&' => {
                prefix_run += 1;
                if prefix_run > MAX_DEPTH {
                    return Some(i);
                }
            }
            b if b.is_ascii_whitespace() => {}
            _ => prefix_run = 0,
        }
        i += 1;
    }
    None
}

/// `r"`, `r#"`, `br"` (not the `r` ending an identifier).
fn is_raw_string_start(text: &[u8], i: usize) -> bool {
    let before = i.checked_sub(1).map(|j| text[j]);
    let starts_token = match before {
        Some(b'b') => i < 2 || !is_ident_byte(text[i - 2]),
        Some(b) => !is_ident_byte(b),
        None => true,
    };
    let hashes = text[i + 1..].iter().take_while(|&&b| b == b'#').count();
    starts_token && text.get(i + 1 + hashes) == Some(&b'"')
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_code_is_not_too_deep() {
        let code = "fn f() { let s = \"((((\"; let c = '('; let r = r#\"{{{{\"#; // ((((\n g(&&x, !!y, -1) }";
        assert_eq!(too_deep(code.as_bytes()), None);
    }

    #[test]
    fn deep_brackets_and_prefix_runs_are_found() {
        let deep = format!("fn f() {{ {} }}", "(".repeat(MAX_DEPTH + 1));
        assert!(too_deep(deep.as_bytes()).is_some());
        let bangs = format!("fn f() {{ {}x }}", "!".repeat(MAX_DEPTH + 1));
        assert!(too_deep(bangs.as_bytes()).is_some());
    }

    #[test]
    fn brackets_in_strings_and_comments_do_not_count() {
        let text = format!(
            "/* {} */ fn f() {{ \"{}\"; r\"{}\"; }} // {}",
            "(".repeat(2000),
            "[".repeat(2000),
            "{".repeat(2000),
            "(".repeat(2000)
        );
        assert_eq!(too_deep(text.as_bytes()), None);
    }
}
