//! Suppression comments (SPEC §5): `// tasklint: allow(<ids>) <reason>` on
//! a finding's line or alone on the line before it, `allow(all)`, family
//! names, `allow-file(<ids>)`, and a comment just above an item (its doc
//! comments and attributes between them) covering the item. The same in a
//! block comment, `/* tasklint: allow(<ids>) */`. Comments that silence
//! nothing are `unused-suppression` findings.

use syn::spanned::Spanned;
use syn::visit::{self, Visit};

use crate::base::finding::{Diagnostic, Finding, Region};
use crate::base::rule::Severity;
use crate::base::rule::{Family, Rule};
use crate::base::spelling;
use crate::rules::{self, unused_suppression};
use crate::text::lexer;

use crate::base::rule::SUPPRESSION_MARKER as MARKER;

/// What an `allow(..)` names.
#[derive(Debug, Clone, PartialEq)]
pub enum Allowed {
    All,
    Rule(&'static Rule),
    /// A family name: every rule of that family.
    Family(Family),
    Unknown(String),
}

impl Allowed {
    /// Reads one id of an `allow(..)`: `all`, a rule id or a family name.
    fn of(id: &str) -> Allowed {
        if id == "all" {
            return Allowed::All;
        }
        if let Some(rule) = rules::by_id(id) {
            return Allowed::Rule(rule);
        }
        match rules::ALL.iter().find(|r| r.family.name() == id) {
            Some(rule) => Allowed::Family(rule.family),
            None => Allowed::Unknown(id.to_string()),
        }
    }

    /// Would this silence a finding of `rule`?
    fn silences(&self, rule: &Rule) -> bool {
        // `all` or a family cannot silence the report that it is unused.
        let is_unused_rule = rule.id == unused_suppression::RULE.id;
        match self {
            Allowed::All => !is_unused_rule,
            Allowed::Family(family) => rule.family == *family && !is_unused_rule,
            Allowed::Rule(r) => r.id == rule.id,
            Allowed::Unknown(_) => false,
        }
    }
}

#[derive(Debug, Clone)]
struct Entry {
    allowed: Allowed,
    /// Where the id is written, for the finding if it is unused.
    region: Region,
    /// Its index in the directive's `known`; `None` for an unknown id.
    known: Option<usize>,
}

/// One distinct id a comment names (`all` or a rule), and whether it
/// silenced anything: repeated ids share one, so that checking a finding
/// against a comment costs the number of distinct ids, not of ids written.
#[derive(Debug, Clone)]
struct Known {
    allowed: Allowed,
    used: bool,
}

/// Which lines a comment covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    File,
    Lines(usize, usize),
}

/// One `// tasklint:` comment.
#[derive(Debug, Clone)]
struct Directive {
    line: usize,
    /// Alone on its line (so it covers the next line, or the item below).
    alone: bool,
    scope: Scope,
    entries: Vec<Entry>,
    known: Vec<Known>,
    /// A comment that starts like a suppression but cannot be read.
    malformed: Option<Region>,
}

/// An item a comment above it can cover: its first line (attributes
/// included), the line of its keyword, its last line, and its name.
#[derive(Debug, Clone)]
pub struct ItemLines {
    pub start: usize,
    pub head: usize,
    pub end: usize,
    pub name: String,
}

/// The suppression comments of one file.
#[derive(Debug, Clone, Default)]
pub struct Suppressions {
    directives: Vec<Directive>,
    items: Vec<ItemLines>,
}

impl Suppressions {
    /// Reads the comments of a file. Cheap when the file has none.
    pub fn parse(source: &str) -> Suppressions {
        if !source.contains(MARKER) {
            return Suppressions::default();
        }
        let lines: Vec<&str> = source.lines().collect();
        let comments = comments(source);
        let line_of = LineIndex::new(source);
        // For each line, the first line at or below it that is not only
        // comments (a blank line stops the search).
        let only_comments = comment_lines(source, &comments, &line_of, lines.len());
        let mut code_below = vec![lines.len(); lines.len() + 1];
        for index in (0..lines.len()).rev() {
            code_below[index] = if only_comments[index] {
                code_below[index + 1]
            } else {
                index
            };
        }
        let mut directives = Vec::new();
        for comment in &comments {
            let index = line_of.line(comment.start);
            let Some(text) = lines.get(index) else {
                break;
            };
            let line_start = line_of.start(index);
            // Where a block comment ends on its first line, if it does.
            let end_in_line = comment
                .block
                .then(|| comment.end - line_start)
                .filter(|&end| end <= text.len());
            let Some(mut directive) =
                parse_line(text, index + 1, comment.start - line_start, end_in_line)
            else {
                continue;
            };
            if comment.block && end_in_line.is_none() {
                // The rest of the line is comment: alone if nothing precedes it.
                directive.alone = text[..comment.start - line_start].trim().is_empty();
            }
            if directive.alone && directive.scope != Scope::File {
                // Stacked comment lines share the code line below them; a
                // block comment covers the code below its last line.
                let after = if comment.block {
                    line_of.line(comment.end.saturating_sub(1)) + 1
                } else {
                    index + 1
                };
                let next = match code_below[after.min(lines.len())] {
                    none if none == lines.len() => after + 1,
                    code => code + 1,
                };
                directive.scope = Scope::Lines(next, next);
            }
            directives.push(directive);
        }
        Suppressions {
            directives,
            items: Vec::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.directives.is_empty()
    }

    /// Rules the comments name; `None` if one says `all`.
    pub fn named_rules(&self) -> Option<Vec<&'static Rule>> {
        let mut named = Vec::new();
        for entry in self.directives.iter().flat_map(|d| &d.entries) {
            match &entry.allowed {
                Allowed::All => return None,
                Allowed::Rule(rule) => named.push(*rule),
                Allowed::Family(family) => {
                    named.extend(rules::ALL.iter().copied().filter(|r| r.family == *family));
                }
                Allowed::Unknown(_) => {}
            }
        }
        Some(named)
    }

    /// Widens comments alone above an item to the whole item.
    pub fn attach_items(&mut self, items: Vec<ItemLines>) {
        for directive in &mut self.directives {
            if !directive.alone || directive.scope == Scope::File {
                continue;
            }
            let Scope::Lines(below, _) = directive.scope else {
                continue;
            };
            // The line below is the item's keyword or, above it, one of its
            // attributes or doc comments.
            let item = items
                .iter()
                .filter(|item| item.start <= below && below <= item.head)
                .max_by_key(|item| item.end);
            if let Some(item) = item {
                directive.scope = Scope::Lines(item.start.min(directive.line), item.end);
            }
        }
        self.items = items;
    }

    /// Removes the diagnostics the comments silence, marking those comments used.
    pub fn silence(&mut self, diagnostics: &mut Vec<Diagnostic>) {
        diagnostics.retain(|d| !self.covers(d.rule, d.region.line, true));
    }

    /// Marks the comments that would silence these diagnostics (from rules
    /// run only to judge the comments), without reporting anything.
    pub fn mark(&mut self, diagnostics: &[Diagnostic]) {
        for d in diagnostics {
            self.covers(d.rule, d.region.line, true);
        }
    }

    fn covers(&mut self, rule: &Rule, line: usize, mark: bool) -> bool {
        let is_unused_rule = rule.id == unused_suppression::RULE.id;
        let mut covered = false;
        for directive in &mut self.directives {
            let in_scope = match directive.scope {
                Scope::File => true,
                Scope::Lines(start, end) => start <= line && line <= end,
            } || (is_unused_rule && directive.line == line);
            if !in_scope {
                continue;
            }
            for known in &mut directive.known {
                if known.allowed.silences(rule) {
                    covered = true;
                    known.used |= mark;
                }
            }
        }
        covered
    }

    /// `unused-suppression` diagnostics: ids that silenced nothing, unknown
    /// ids, and comments that cannot be read. When the rules did not run on
    /// the file (it does not parse), only unknown ids and unreadable comments.
    pub fn unused(&mut self, rules_ran: bool) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for directive in &self.directives {
            let item = self.item_around(directive.line);
            if let Some(region) = directive.malformed {
                out.push(diagnostic(
                    region,
                    "cannot read this suppression comment".to_string(),
                    "write `// tasklint: allow(<rule-id>, ..) <reason>` or `// tasklint: allow-file(<rule-id>, ..)`",
                    &item,
                ));
            }
            for entry in &directive.entries {
                let (message, help) = match &entry.allowed {
                    Allowed::Unknown(id) => (
                        format!(
                            "suppression names unknown rule `{id}`{}",
                            spelling::did_you_mean(id, rules::selector_names())
                        ),
                        "fix the rule id (see `tasklint rules`) or remove it",
                    ),
                    _ if !rules_ran || entry.known.is_some_and(|k| directive.known[k].used) => {
                        continue
                    }
                    Allowed::Rule(rule) if rule.id == unused_suppression::RULE.id => continue,
                    // Reported by the crate pass, after the per-file stage: a comment
                    // naming one is applied by `silence_late`, never judged unused.
                    Allowed::Rule(rule) if rule.crate_wide => continue,
                    Allowed::Rule(rule) => (
                        format!("suppression of `{}` silenced nothing", rule.id),
                        "remove the id from the comment, or the comment if it names nothing else",
                    ),
                    // As for a crate-wide rule: what it silences may come later.
                    Allowed::Family(family)
                        if rules::ALL
                            .iter()
                            .any(|r| r.family == *family && r.crate_wide) =>
                    {
                        continue
                    }
                    Allowed::Family(family) => (
                        format!("suppression of `{}` silenced nothing", family.name()),
                        "remove the family from the comment, or the comment if it names nothing else",
                    ),
                    Allowed::All => (
                        "suppression of `all` silenced nothing".to_string(),
                        "remove the comment",
                    ),
                };
                out.push(diagnostic(entry.region, message, help, &item));
            }
        }
        let mut silenced = out;
        self.silence(&mut silenced);
        silenced
    }

    fn item_around(&self, line: usize) -> String {
        self.items
            .iter()
            .filter(|item| item.start <= line && line <= item.end)
            .min_by_key(|item| item.end - item.start)
            .map(|item| item.name.clone())
            .unwrap_or_default()
    }
}

fn diagnostic(region: Region, message: String, help: &str, item: &str) -> Diagnostic {
    Diagnostic {
        rule: &unused_suppression::RULE,
        region,
        message,
        help: help.to_string(),
        item: item.to_string(),
        fix: None,
    }
}

/// Removes findings made after the per-file stage (the crate pass) that
/// comments in their files silence. `source_of` gives a file's text by its
/// reported path.
pub fn silence_late(findings: &mut Vec<Finding>, source_of: impl Fn(&str) -> Option<String>) {
    let mut by_path: std::collections::HashMap<String, Suppressions> =
        std::collections::HashMap::new();
    findings.retain(|finding| {
        let suppressions = by_path.entry(finding.path.clone()).or_insert_with(|| {
            source_of(&finding.path).map_or_else(Suppressions::default, |s| of_source(&s))
        });
        !suppressions.covers(finding.rule, finding.region.line, true)
    });
}

/// A file's comments with the items they may cover (parsing the file again).
pub fn of_source(source: &str) -> Suppressions {
    let mut suppressions = Suppressions::parse(source);
    if suppressions.is_empty() {
        return suppressions;
    }
    // On a stack grown to fit, as the first parse was (see `crate::text::depth`).
    if let Ok(need) = crate::text::depth::stack_needed(source.as_bytes()) {
        let found = crate::text::depth::with_stack(need, || {
            syn::parse_file(source).ok().map(|file| items(&file))
        });
        if let Some(found) = found {
            suppressions.attach_items(found);
        }
        proc_macro2::extra::invalidate_current_thread_spans();
    }
    suppressions
}

/// An unknown rule named in `allow(..)` is a warning, not a note (SPEC §5).
pub fn escalate_unknown(findings: &mut [Finding]) {
    for finding in findings {
        if finding.rule.id == unused_suppression::RULE.id
            && (finding.message.starts_with("suppression names unknown")
                || finding.message.starts_with("cannot read"))
        {
            finding.severity = finding.severity.max(Severity::Warning);
        }
    }
}

/// Parses the `// tasklint:` (or `/* tasklint:`) comment starting at byte
/// `comment` of a line, if it is one; `block_end` is where a block comment
/// ends in the line, if it ends there.
fn parse_line(
    text: &str,
    line: usize,
    comment: usize,
    block_end: Option<usize>,
) -> Option<Directive> {
    let body = text
        .get(comment..)?
        .trim_start_matches(['/', '*', '!'])
        .trim_start();
    let after = body.strip_prefix(MARKER)?;
    let marker_at = text.len() - body.len();
    let rest = after.trim_start();
    let rest_at = text.len() - rest.len();
    let after_comment = block_end.and_then(|end| text.get(end..)).unwrap_or("");
    let alone = text[..comment].trim().is_empty() && after_comment.trim().is_empty();
    // The ids of a block comment end before its `*/`.
    let text = match block_end {
        Some(end) => text.get(..end.saturating_sub(2).max(rest_at))?,
        None => text,
    };
    let (file_wide, ids_at) = if rest.starts_with("allow-file(") {
        (true, rest_at + "allow-file(".len())
    } else if rest.starts_with("allow(") {
        (false, rest_at + "allow(".len())
    } else {
        return Some(malformed(text, line, marker_at, alone));
    };
    let Some(close) = text.get(ids_at..).and_then(|ids| ids.find(')')) else {
        return Some(malformed(text, line, marker_at, alone));
    };
    let mut columns = Columns::new(text);
    let mut entries = Vec::new();
    let mut known: Vec<Known> = Vec::new();
    let mut offset = ids_at;
    for raw in text[ids_at..ids_at + close].split(',') {
        let id = raw.trim();
        let start = offset + (raw.len() - raw.trim_start().len());
        offset += raw.len() + 1;
        if id.is_empty() {
            continue;
        }
        let allowed = Allowed::of(id);
        let index = match &allowed {
            Allowed::Unknown(_) => None,
            _ => Some(
                known
                    .iter()
                    .position(|k| k.allowed == allowed)
                    .unwrap_or_else(|| {
                        known.push(Known {
                            allowed: allowed.clone(),
                            used: false,
                        });
                        known.len() - 1
                    }),
            ),
        };
        entries.push(Entry {
            allowed,
            region: columns.region(line, start, start + id.len()),
            known: index,
        });
    }
    if entries.is_empty() {
        return Some(malformed(text, line, marker_at, alone));
    }
    Some(Directive {
        line,
        alone,
        scope: if file_wide {
            Scope::File
        } else {
            Scope::Lines(line, line)
        },
        entries,
        known,
        malformed: None,
    })
}

fn malformed(text: &str, line: usize, at: usize, alone: bool) -> Directive {
    Directive {
        line,
        alone,
        scope: Scope::Lines(line, line),
        entries: Vec::new(),
        known: Vec::new(),
        malformed: Some(Columns::new(text).region(line, at, at + MARKER.len())),
    }
}

/// Columns (in characters) of byte offsets in a line, asked in increasing
/// order: counting on from the last answer keeps a long `allow(..)` list linear.
struct Columns<'t> {
    text: &'t str,
    at: usize,
    column: usize,
}

impl<'t> Columns<'t> {
    fn new(text: &'t str) -> Columns<'t> {
        Columns {
            text,
            at: 0,
            column: 1,
        }
    }

    fn column(&mut self, offset: usize) -> usize {
        if offset < self.at {
            *self = Columns::new(self.text);
        }
        self.column += self.text[self.at..offset].chars().count();
        self.at = offset;
        self.column
    }

    fn region(&mut self, line: usize, start: usize, end: usize) -> Region {
        let column = self.column(start);
        Region {
            line,
            column,
            end_line: line,
            end_column: self.column(end),
        }
    }
}

/// A comment in a file: a `//` line comment, or a `/* */` block comment.
#[derive(Debug, Clone, Copy)]
struct Comment {
    start: usize,
    end: usize,
    block: bool,
}

/// A file's comments: a lexer pass that skips string, byte-string,
/// raw-string and character literals, so that a marker inside them is
/// text, not a comment. The literals are read by [`crate::text::lexer`]'s rules.
fn comments(source: &str) -> Vec<Comment> {
    let text = source.as_bytes();
    let mut comments = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let next = text.get(i + 1).copied();
        // An unterminated literal or comment runs to the end of the file.
        i = match text[i] {
            b'/' if next == Some(b'/') => {
                let end = lexer::line_end(text, i);
                comments.push(Comment {
                    start: i,
                    end,
                    block: false,
                });
                end
            }
            b'/' if next == Some(b'*') => {
                let end = lexer::block_comment_end(text, i).unwrap_or(text.len());
                comments.push(Comment {
                    start: i,
                    end,
                    block: true,
                });
                end
            }
            b'"' => lexer::string_end(text, i + 1).unwrap_or(text.len()),
            b'\'' => match lexer::char_literal_end(text, i) {
                Some(Some(end)) => end,
                // A lifetime, a label, or an escape that does not end on its line.
                _ => i + 1,
            },
            c if lexer::is_ident_byte(c) => {
                let end = lexer::word_end(text, i);
                let hashes = text[end..].iter().take_while(|&&c| c == b'#').count();
                let raw = matches!(&text[i..end], b"r" | b"br" | b"cr");
                if raw && text.get(end + hashes) == Some(&b'"') {
                    lexer::raw_string_end(text, end + hashes + 1, hashes).unwrap_or(text.len())
                } else {
                    end
                }
            }
            _ => i + 1,
        };
    }
    comments
}

/// The 0-based line of a byte offset, and where a line starts.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(source: &str) -> LineIndex {
        LineIndex {
            starts: std::iter::once(0)
                .chain(source.match_indices('\n').map(|(at, _)| at + 1))
                .collect(),
        }
    }

    fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&start| start <= offset) - 1
    }

    fn start(&self, line: usize) -> usize {
        self.starts.get(line).copied().unwrap_or(0)
    }
}

/// For each of the `count` lines, whether it holds comments and nothing
/// else but whitespace.
fn comment_lines(source: &str, comments: &[Comment], lines: &LineIndex, count: usize) -> Vec<bool> {
    let mut commented = vec![false; count];
    let mut has_code = vec![false; count];
    let bytes = source.as_bytes();
    let mut mark_code = |from: usize, to: usize| {
        let mut i = from;
        while i < to {
            if bytes[i].is_ascii_whitespace() {
                i += 1;
                continue;
            }
            // Code on this line: go on from the next one.
            let line = lines.line(i);
            if let Some(slot) = has_code.get_mut(line) {
                *slot = true;
            }
            i = lines.starts.get(line + 1).copied().unwrap_or(to).max(i + 1);
        }
    };
    let mut at = 0;
    for comment in comments {
        mark_code(at, comment.start);
        at = comment.end.max(at);
        let last = lines.line(comment.end.saturating_sub(1).max(comment.start));
        for line in lines.line(comment.start)..=last {
            if let Some(slot) = commented.get_mut(line) {
                *slot = true;
            }
        }
    }
    mark_code(at.min(source.len()), source.len());
    commented
        .iter()
        .zip(&has_code)
        .map(|(&comment, &code)| comment && !code)
        .collect()
}

/// Items a comment above them can cover: `fn`, `impl`, `mod`, `struct`,
/// and methods (a method is a `fn`).
pub fn items(file: &syn::File) -> Vec<ItemLines> {
    let mut collector = ItemCollector { items: Vec::new() };
    collector.visit_file(file);
    collector.items
}

struct ItemCollector {
    items: Vec<ItemLines>,
}

impl ItemCollector {
    fn push(&mut self, whole: proc_macro2::Span, head: proc_macro2::Span, name: String) {
        self.items.push(ItemLines {
            start: whole.start().line,
            head: head.start().line,
            end: whole.end().line,
            name,
        });
    }
}

impl ItemCollector {
    /// A function, named by its `fn` keyword's line.
    fn push_fn(&mut self, whole: proc_macro2::Span, sig: &syn::Signature) {
        self.push(whole, sig.fn_token.span, sig.ident.to_string());
    }
}

impl<'ast> Visit<'ast> for ItemCollector {
    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        self.push_fn(item.span(), &item.sig);
        visit::visit_item_fn(self, item);
    }

    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        self.push_fn(item.span(), &item.sig);
        visit::visit_impl_item_fn(self, item);
    }

    fn visit_trait_item_fn(&mut self, item: &'ast syn::TraitItemFn) {
        self.push_fn(item.span(), &item.sig);
        visit::visit_trait_item_fn(self, item);
    }

    fn visit_item_impl(&mut self, item: &'ast syn::ItemImpl) {
        let name = quote::ToTokens::to_token_stream(&item.self_ty).to_string();
        self.push(item.span(), item.impl_token.span, name.replace(' ', ""));
        visit::visit_item_impl(self, item);
    }

    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        self.push(item.span(), item.mod_token.span, item.ident.to_string());
        visit::visit_item_mod(self, item);
    }

    fn visit_item_struct(&mut self, item: &'ast syn::ItemStruct) {
        self.push(item.span(), item.struct_token.span, item.ident.to_string());
        visit::visit_item_struct(self, item);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Directive {
        let comment = comments(text)[0];
        let end = comment.block.then_some(comment.end);
        parse_line(text, 7, comment.start, end).expect("a directive")
    }

    fn directives(source: &str) -> Vec<Directive> {
        Suppressions::parse(source).directives
    }

    #[test]
    fn reads_ids_and_their_columns() {
        let d = parsed(
            "    tokio::spawn(x); // tasklint: allow(detached-spawn, bogus) fire and forget",
        );
        assert!(!d.alone);
        assert_eq!(d.entries.len(), 2);
        assert_eq!(
            d.entries[0].allowed,
            Allowed::Rule(rules::by_id("detached-spawn").unwrap())
        );
        assert_eq!(d.entries[1].allowed, Allowed::Unknown("bogus".into()));
        assert_eq!(d.entries[0].region.column, 41);
        assert_eq!(d.entries[0].region.end_column, 55);
    }

    #[test]
    fn file_wide_and_all() {
        let d = parsed("// tasklint: allow-file(all)");
        assert!(d.alone);
        assert_eq!(d.scope, Scope::File);
        assert_eq!(d.entries[0].allowed, Allowed::All);
    }

    #[test]
    fn late_findings_are_silenced_by_comments_above_their_item() {
        let source = "// tasklint: allow(detached-spawn) owned elsewhere\nstruct S {\n    task: u8,\n}\nstruct T {\n    task: u8,\n}\n";
        let finding = |line| Finding {
            rule: rules::by_id("detached-spawn").unwrap(),
            severity: Severity::Warning,
            path: "a.rs".to_string(),
            region: Region {
                line,
                column: 5,
                end_line: line,
                end_column: 9,
            },
            message: String::new(),
            help: String::new(),
            fingerprint: String::new(),
            local_fingerprint: String::new(),
            fix: None,
        };
        let mut findings = vec![finding(3), finding(6)];
        silence_late(&mut findings, |_| Some(source.to_string()));
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].region.line, 6);
    }

    #[test]
    fn ignores_the_marker_in_strings_and_prose() {
        assert!(directives(r#"let s = "// tasklint: allow(all)";"#).is_empty());
        assert!(directives("// see tasklint: it helps").is_empty());
        assert!(directives("// tasklint: alow(x)")[0].malformed.is_some());
    }

    #[test]
    fn only_real_comments_are_directives() {
        let source = r####"let a = r#"
// tasklint: allow-file(all)
"#;
let b = "a \" quote
// tasklint: allow(all)
"; let c = b"
// tasklint: allow(all)
";
let d = br##"// tasklint: allow(all)"##;
/* outer /* inner */ // tasklint: allow(all)
*/
let e = ('"', '\'', 'é', '\u{22}'); // tasklint: allow(detached-spawn)
fn f<'a>(x: &'a str) -> &'a str { x } // tasklint: allow(all)
// tasklint: allow-file(detached-spawn)
"####;
        let found: Vec<usize> = directives(source).iter().map(|d| d.line).collect();
        assert_eq!(found, [12, 13, 14]);
    }

    #[test]
    fn a_long_id_list_keeps_its_columns() {
        let source = format!("// tasklint: allow({}detached-spawn)\n", "é, ".repeat(3000));
        let d = &directives(&source)[0];
        assert_eq!(d.entries.len(), 3001);
        assert_eq!(d.known.len(), 1);
        let last = d.entries[3000].region;
        assert_eq!(last.column, "// tasklint: allow(".len() + 3 * 3000 + 1);
        assert_eq!(last.end_column, last.column + "detached-spawn".len());
    }

    #[test]
    fn stacked_comments_cover_the_code_below() {
        let d =
            directives("// tasklint: allow(all)\n// why\n\nspawn();\n// tasklint: allow(all)\n");
        assert_eq!(d[0].scope, Scope::Lines(3, 3));
        assert_eq!(d[1].scope, Scope::Lines(6, 6));
    }
}
