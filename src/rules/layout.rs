//! The shapes of source text the fixes rely on: a statement alone on its
//! lines, a line's indentation. A fix is offered only where the shape is
//! plainly right (precision first); elsewhere the help says what to do.

use crate::base::finding::Region;
use crate::base::fix;
use crate::semantic::context::Cx;

/// The indentation of `region`'s first line, when only whitespace comes
/// before `region` on it.
pub fn starts_line(cx: &Cx<'_>, region: Region) -> Option<String> {
    let line = cx.line(region.line);
    let before: String = line.chars().take(region.column.saturating_sub(1)).collect();
    if before.chars().count() + 1 != region.column || !before.trim().is_empty() {
        return None;
    }
    Some(fix::indentation(&before).to_string())
}

/// Does `region`'s last line go on with `;` and then nothing but
/// whitespace or a `//` comment?
pub fn ends_statement_line(cx: &Cx<'_>, region: Region) -> bool {
    let line = cx.line(region.end_line);
    let after: String = line
        .chars()
        .skip(region.end_column.saturating_sub(1))
        .collect();
    let Some(rest) = after.trim_start().strip_prefix(';') else {
        return false;
    };
    let rest = rest.trim();
    rest.is_empty() || rest.starts_with("//")
}

/// The indentation of a statement that is alone on its lines: `region`
/// starts its line and is followed by `;` at the end of its last line.
pub fn own_statement(cx: &Cx<'_>, region: Region) -> Option<String> {
    let indent = starts_line(cx, region)?;
    ends_statement_line(cx, region).then_some(indent)
}

/// The indentation of a whole statement (its `;` included) alone on its
/// lines: only whitespace before it, and only whitespace or a `//` comment
/// after it.
pub fn whole_lines(cx: &Cx<'_>, region: Region) -> Option<String> {
    let indent = starts_line(cx, region)?;
    let line = cx.line(region.end_line);
    let after: String = line
        .chars()
        .skip(region.end_column.saturating_sub(1))
        .collect();
    let after = after.trim();
    (after.is_empty() || after.starts_with("//")).then_some(indent)
}

/// The region from the start of `from` to the start of `to`.
pub fn between_starts(from: Region, to: Region) -> Region {
    Region {
        line: from.line,
        column: from.column,
        end_line: to.line,
        end_column: to.column,
    }
}

/// The region from the end of `from` to the end of `to`.
pub fn between_ends(from: Region, to: Region) -> Region {
    Region {
        line: from.end_line,
        column: from.end_column,
        end_line: to.end_line,
        end_column: to.end_column,
    }
}
