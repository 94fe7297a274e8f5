//! Hover over a rule id (or family name) inside a `// tasklint: allow(..)`
//! or `allow-file(..)` comment: the rule's documentation, as `tasklint
//! explain` prints it.

use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position, Range};

use crate::base::rule::SUPPRESSION_MARKER;
use crate::rules;
use crate::server::document::Positions;

/// The hover at `position` of `text`, if it is over a name in a
/// suppression comment's list.
pub fn hover(positions: &Positions<'_>, position: Position) -> Option<Hover> {
    let (line, column) = positions.line_column(position);
    let text = positions.line(line);
    let chars: Vec<char> = text.chars().collect();
    let cursor = column - 1;
    // The list of the comment's `allow(..)`: the parenthesis after the
    // marker of a `//` or `/*` comment, up to its `)`.
    let comment = find_comment(text)?;
    let marker = comment + text[comment..].find(SUPPRESSION_MARKER)?;
    let open = marker + text[marker..].find('(')?;
    let close = open + text[open..].find(')').unwrap_or(text.len() - open);
    let (open, close) = (text[..open].chars().count(), text[..close].chars().count());
    if cursor <= open || cursor > close {
        return None;
    }
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let mut start = cursor.min(chars.len());
    while start > open + 1 && chars.get(start - 1).is_some_and(|&c| is_name(c)) {
        start -= 1;
    }
    let mut end = cursor;
    while end < close && chars.get(end).is_some_and(|&c| is_name(c)) {
        end += 1;
    }
    if start >= end {
        return None;
    }
    let name: String = chars[start..end].iter().collect();
    let doc = documentation(&name)?;
    let range = Range::new(
        positions.position(line, start + 1),
        positions.position(line, end + 1),
    );
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: doc,
        }),
        range: Some(range),
    })
}

/// Where a suppression comment starts in the line (`//` or `/*` followed,
/// after spaces and doc-comment marks, by the marker).
fn find_comment(line: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(found) = line[from..].find(['/']) {
        let at = from + found;
        let rest = &line[at..];
        if rest.starts_with("//") || rest.starts_with("/*") {
            let body = rest[2..].trim_start_matches(['/', '!', '*']).trim_start();
            if body.starts_with(SUPPRESSION_MARKER) {
                return Some(at);
            }
        }
        from = at + 1;
    }
    None
}

/// A rule's doc; for a family, its rules with their summaries.
fn documentation(name: &str) -> Option<String> {
    let id = name.replace('_', "-");
    if let Some(rule) = rules::by_id(&id) {
        return Some(rule.doc.to_string());
    }
    let family: Vec<_> = rules::ALL
        .iter()
        .filter(|rule| rule.family.name() == id)
        .collect();
    if family.is_empty() {
        return None;
    }
    let mut doc = format!("# Family `{id}`\n\n");
    for rule in family {
        doc.push_str(&format!(
            "- `{}` ({}): {}\n",
            rule.id, rule.severity, rule.summary
        ));
    }
    Some(doc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::document::Encoding;

    fn hover_text(line: &str, character: u32) -> Option<String> {
        let positions = Positions::new(line, Encoding::Utf16);
        let hover = hover(&positions, Position::new(0, character))?;
        match hover.contents {
            HoverContents::Markup(markup) => Some(markup.value),
            _ => None,
        }
    }

    #[test]
    fn a_rule_id_in_an_allow_list_shows_its_doc() {
        let line =
            "    tokio::spawn(x); // tasklint: allow(ignored-join-error, detached-spawn) why";
        let at = line.find("detached-spawn").expect("in the line") as u32 + 3;
        let doc = hover_text(line, at).expect("a hover");
        assert_eq!(
            doc,
            crate::rules::by_id("detached-spawn").expect("rule").doc
        );
        let family = line.find("(ignored").expect("x") as u32 + 1;
        assert!(hover_text(line, family).is_some());
    }

    #[test]
    fn elsewhere_there_is_no_hover() {
        let line = "let detached_spawn = 1; // tasklint: allow(detached-spawn) because";
        assert_eq!(hover_text(line, 5), None);
        let reason = line.find("because").expect("x") as u32 + 1;
        assert_eq!(hover_text(line, reason), None);
        assert_eq!(hover_text("// allow(detached-spawn)", 12), None);
        assert_eq!(hover_text("// tasklint: allow(nothing-here)", 22), None);
        assert_eq!(hover_text("", 0), None);
    }
}
