//! GitHub Actions workflow commands, which the runner turns into annotations.

use std::fmt::Write;

use super::Report;
use crate::finding::Severity;

pub fn render(report: &Report<'_>) -> String {
    let mut out = String::new();
    for f in report.findings {
        let command = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let r = f.region;
        let mut properties = format!("file={},line={}", escape_property(&f.path), r.line);
        if r.line == r.end_line {
            let _ = write!(properties, ",col={}", r.column);
        }
        let _ = write!(properties, ",endLine={}", r.end_line);
        if r.line == r.end_line {
            let _ = write!(properties, ",endColumn={}", r.end_column);
        }
        let title = escape_property(&format!("tasklint ({})", f.rule.id));
        let _ = writeln!(
            out,
            "::{command} {properties},title={title}::{}",
            escape_data(&f.message)
        );
    }
    out
}

/// Escapes a message: `%`, CR and LF.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value: as a message, plus `:` and `,`.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(escape_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
