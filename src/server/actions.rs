//! Code actions: each finding's fix (a safe one is the preferred quick
//! fix; an unsafe one says so), suppression comments on the line and for
//! the enclosing item, and `source.fixAll.tasklint` for every safe fix.

use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Range, TextEdit, Uri, WorkspaceEdit,
};

use crate::base::finding::Finding;
use crate::base::fix::Applicability;
use crate::lint::suppress::ItemLines;
use crate::server::diagnostics;
use crate::server::document::{position_of_offset, Encoding, Positions};

/// `source.fixAll.tasklint`: the kind a client asks for on save.
pub const FIX_ALL: &str = "source.fixAll.tasklint";

/// Rules no suppression is offered for: a file that does not parse has
/// no line to trust, and an unused suppression is deleted, not silenced.
const NOT_SUPPRESSED: &[&str] = &["parse-error", "unused-suppression"];

/// Which kinds the client wants (`only`): all when it names none.
pub struct Wanted(pub Option<Vec<CodeActionKind>>);

impl Wanted {
    fn wants(&self, kind: &CodeActionKind) -> bool {
        match &self.0 {
            None => true,
            // `source` asks for `source.fixAll.tasklint` too: kinds are hierarchical.
            Some(only) => only.iter().any(|asked| {
                kind.as_str() == asked.as_str()
                    || kind.as_str().starts_with(&format!("{}.", asked.as_str()))
            }),
        }
    }
}

/// The quick fixes and suppressions for the findings on the lines of
/// `range`.
pub fn quick_fixes(
    uri: &Uri,
    text: &str,
    findings: &[Finding],
    range: Range,
    encoding: Encoding,
    wanted: &Wanted,
) -> Vec<CodeActionOrCommand> {
    if !wanted.wants(&CodeActionKind::QUICKFIX) {
        return Vec::new();
    }
    let positions = Positions::new(text, encoding);
    let (first, last) = (range.start.line as usize + 1, range.end.line as usize + 1);
    let here: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.region.line <= last && f.region.end_line >= first)
        .collect();
    if here.is_empty() {
        return Vec::new();
    }
    let items = items_of(text);
    let mut actions = Vec::new();
    for finding in here {
        let diagnostic = diagnostics::diagnostic(finding, &positions);
        let action = |title: String, edits: Vec<TextEdit>, preferred: bool| {
            CodeActionOrCommand::CodeAction(CodeAction {
                title,
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diagnostic.clone()]),
                edit: Some(workspace_edit(uri, edits)),
                command: None,
                is_preferred: preferred.then_some(true),
                disabled: None,
                data: None,
            })
        };
        if let Some(fix) = &finding.fix {
            let edits: Vec<TextEdit> = fix
                .edits
                .iter()
                .map(|edit| TextEdit {
                    range: positions.range(&edit.region),
                    new_text: edit.content.clone(),
                })
                .collect();
            match fix.applicability {
                Applicability::Safe => actions.push(action(capitalised(&fix.message), edits, true)),
                Applicability::Unsafe => actions.push(action(
                    format!("{} (unsafe)", capitalised(&fix.message)),
                    edits,
                    false,
                )),
                Applicability::DisplayOnly => {}
            }
        }
        let id = finding.rule.id;
        if NOT_SUPPRESSED.contains(&id) {
            continue;
        }
        // Where `--add-suppression` would write one (not in a string
        // literal or a block comment), the comment goes alone above the line.
        let (_, added) = crate::lint::fix::add_suppressions(text, &[finding], "");
        if added == 1 {
            let line = finding.region.line;
            actions.push(action(
                format!("Suppress `{id}` on this line"),
                vec![comment_above(&positions, text, line, id)],
                false,
            ));
        }
        // The innermost item around the finding, if its comment would go
        // elsewhere than the line's own.
        let item = items
            .iter()
            .filter(|item| item.start <= finding.region.line && finding.region.line <= item.end)
            .filter(|item| item.start < finding.region.line)
            .min_by_key(|item| item.end - item.start);
        if let Some(item) = item {
            actions.push(action(
                format!("Suppress `{id}` for this item (`{}`)", item.name),
                vec![comment_above(&positions, text, item.start, id)],
                false,
            ));
        }
    }
    actions
}

/// `source.fixAll.tasklint`, when the client wants it and a safe fix changes
/// the text: `fixed` is the text with every safe fix applied (in rounds).
pub fn fix_all(
    uri: &Uri,
    text: &str,
    fixed: Option<&str>,
    encoding: Encoding,
    wanted: &Wanted,
) -> Option<CodeActionOrCommand> {
    let kind = CodeActionKind::from(FIX_ALL);
    if !wanted.wants(&kind) {
        return None;
    }
    let edit = minimal_edit(text, fixed?, encoding)?;
    Some(CodeActionOrCommand::CodeAction(CodeAction {
        title: "Fix all safely fixable tasklint problems".to_string(),
        kind: Some(kind),
        diagnostics: None,
        edit: Some(workspace_edit(uri, vec![edit])),
        command: None,
        is_preferred: None,
        disabled: None,
        data: None,
    }))
}

fn workspace_edit(uri: &Uri, edits: Vec<TextEdit>) -> WorkspaceEdit {
    WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), edits)])),
        document_changes: None,
        change_annotations: None,
    }
}

/// One edit turning `old` into `new`: the part between their common start
/// and common end. `None` when they are equal.
pub fn minimal_edit(old: &str, new: &str, encoding: Encoding) -> Option<TextEdit> {
    if old == new {
        return None;
    }
    let mut prefix = old
        .bytes()
        .zip(new.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    while !(old.is_char_boundary(prefix) && new.is_char_boundary(prefix)) {
        prefix -= 1;
    }
    let room = old.len().min(new.len()) - prefix;
    let mut suffix = old
        .bytes()
        .rev()
        .zip(new.bytes().rev())
        .take(room)
        .take_while(|(a, b)| a == b)
        .count();
    while !(old.is_char_boundary(old.len() - suffix) && new.is_char_boundary(new.len() - suffix)) {
        suffix -= 1;
    }
    let range = Range::new(
        position_of_offset(old, prefix, encoding),
        position_of_offset(old, old.len() - suffix, encoding),
    );
    Some(TextEdit {
        range,
        new_text: new[prefix..new.len() - suffix].to_string(),
    })
}

/// The items (`fn`, `impl`, `mod`, `struct`) a comment above covers; none
/// when the text does not parse.
fn items_of(text: &str) -> Vec<ItemLines> {
    let Ok(need) = crate::text::depth::stack_needed(text.as_bytes()) else {
        return Vec::new();
    };
    let items = crate::text::depth::with_stack(need, || {
        syn::parse_file(text)
            .ok()
            .map(|file| crate::lint::suppress::items(&file))
    });
    proc_macro2::extra::invalidate_current_thread_spans();
    items.unwrap_or_default()
}

/// `// tasklint: allow(<id>)` alone on a new line above the 1-based
/// `line`, indented like it.
fn comment_above(positions: &Positions<'_>, text: &str, line: usize, id: &str) -> TextEdit {
    let indent = crate::base::fix::indentation(positions.line(line));
    let at = positions.position(line, 1);
    TextEdit {
        range: Range::new(at, at),
        new_text: format!("{indent}// tasklint: allow({id}){}", line_break(text)),
    }
}

fn line_break(text: &str) -> &'static str {
    if text.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    }
}

fn capitalised(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::Position;

    #[test]
    fn a_minimal_edit_replaces_only_what_changed() {
        let edit = minimal_edit("a\nbc\nd\n", "a\nbXc\nd\n", Encoding::Utf16).expect("edit");
        assert_eq!(
            edit.range,
            Range::new(Position::new(1, 1), Position::new(1, 1))
        );
        assert_eq!(edit.new_text, "X");
        // A repeated letter: the prefix and the suffix do not overlap.
        let edit = minimal_edit("aa", "aaa", Encoding::Utf16).expect("edit");
        assert_eq!(edit.new_text, "a");
        assert_eq!(minimal_edit("same", "same", Encoding::Utf16), None);
        let edit = minimal_edit("é", "è", Encoding::Utf16).expect("edit");
        assert_eq!(
            edit.range,
            Range::new(Position::new(0, 0), Position::new(0, 1))
        );
        assert_eq!(edit.new_text, "è");
    }
}
