//! JUnit XML, which CI systems (GitLab's `artifacts:reports:junit`, Jenkins,
//! Azure Pipelines) show as test results: one `<testsuite>` per file with
//! findings, one failed `<testcase>` per finding, and a single passing test
//! case when there is nothing to report. Only the attributes the common
//! JUnit schema (`junit-10.xsd`) allows are written, as pytest's `xunit2`
//! does: the file is the test case's `classname`, the rule and position its
//! `name`. File names and messages are data:
//! XML-escaped, and characters XML 1.0 cannot carry shown as `\u{..}`.

use std::fmt::Write;

use super::Report;
use crate::base::finding::Finding;

pub fn render(report: &Report<'_>) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let total = report.findings.len().max(1);
    let failures = report.findings.len();
    let _ = writeln!(
        out,
        "<testsuites name=\"tasklint\" tests=\"{total}\" failures=\"{failures}\" errors=\"0\">"
    );
    if report.findings.is_empty() {
        let _ = writeln!(
            out,
            "  <testsuite name=\"tasklint\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\">\n    <testcase name=\"no findings\" classname=\"tasklint\"/>\n  </testsuite>"
        );
    }
    for file in report.findings.chunk_by(|a, b| a.path == b.path) {
        let path = xml(&file[0].path);
        let _ = writeln!(
            out,
            "  <testsuite name=\"{path}\" tests=\"{n}\" failures=\"{n}\" errors=\"0\" skipped=\"0\">",
            n = file.len()
        );
        for finding in file {
            testcase(&mut out, finding, &path);
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

fn testcase(out: &mut String, f: &Finding, path: &str) {
    let r = f.region;
    let _ = writeln!(
        out,
        "    <testcase name=\"{rule} at {line}:{column}\" classname=\"{path}\">",
        rule = f.rule.id,
        line = r.line,
        column = r.column,
    );
    let _ = writeln!(
        out,
        "      <failure message=\"{message}\" type=\"{severity}\">{path}:{line}:{column}: {severity}: {body} [{rule}]\nhelp: {help}</failure>",
        message = xml(&f.message),
        severity = f.severity,
        body = xml(&f.message),
        help = xml(&f.help),
        rule = f.rule.id,
        line = r.line,
        column = r.column,
    );
    out.push_str("    </testcase>\n");
}

/// Text for an XML attribute or element: `&`, `<`, `>`, quotes escaped,
/// line breaks and tabs as character references (kept through attribute
/// normalisation), and characters XML 1.0 does not allow shown as `\u{..}`.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if allowed_in_xml(c) => out.push(c),
            c => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
        }
    }
    out
}

/// XML 1.0's `Char` production (surrogates cannot occur in a `str`).
fn allowed_in_xml(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_for_xml() {
        assert_eq!(
            xml("a<b>&\"c\"'\n\t\u{1b}\u{fffe}é"),
            "a&lt;b&gt;&amp;&quot;c&quot;&apos;&#10;&#9;\\u{1b}\\u{fffe}é"
        );
    }
}
