//! Suppressions where people write them (issue 15, item 4): above an item's
//! doc comments and attributes, family names, block comments, and "did you
//! mean" for a mistyped rule id, configuration key or `explain` argument.

mod support;
use support::{scratch, stderr, stdout, tasklint, write};

const LOOP: &str = "tokio::spawn(async { loop { tick().await; } });";

/// The findings of a concise run, as `line:rule: message`.
fn findings(dir: &std::path::Path) -> Vec<String> {
    let run = tasklint(dir, &["check", "--format", "concise", "--no-config"]);
    assert!(run.status.code().is_some_and(|c| c < 2), "{}", stderr(&run));
    stdout(&run)
        .lines()
        .map(|line| {
            let (_, rest) = line.split_once(':').expect("path:");
            let (at, rest) = rest.split_once(':').expect("line:");
            let (_, rest) = rest.split_once(": ").expect("col: ");
            let (_, rest) = rest.split_once(": ").expect("severity: ");
            let (message, rule) = rest.rsplit_once(" [").expect("[rule]");
            format!("{at}:{}: {message}", rule.trim_end_matches(']'))
        })
        .collect()
}

#[test]
fn a_comment_above_doc_comments_and_attributes_covers_the_item() {
    let dir = scratch();
    write(
        dir.path(),
        "src/lib.rs",
        format!(
            "// tasklint: allow(detached-endless-task) the watchdog lives as long as the process
/// Starts the watchdog.
///
/// It never stops.
#[inline]
#[cfg_attr(
    feature = \"x\",
    allow(dead_code)
)]
pub fn watchdog() {{
    {LOOP}
}}

/// Between the doc comment and the attribute.
// tasklint: allow(detached-endless-task) also here
#[inline]
pub fn second() {{
    {LOOP}
}}

// tasklint: allow(detached-endless-task) a blank line ends its reach

pub fn third() {{
    {LOOP}
}}
"
        ),
    );
    assert_eq!(
        findings(dir.path()),
        [
            "21:unused-suppression: suppression of `detached-endless-task` silenced nothing",
            "24:detached-endless-task: task spawned with `tokio::spawn` runs a loop that never ends (line 24) and its handle is dropped",
        ]
    );
}

#[test]
fn family_names_silence_every_rule_of_the_family() {
    let dir = scratch();
    write(
        dir.path(),
        "src/lib.rs",
        format!(
            "pub fn a() {{
    {LOOP} // tasklint: allow(detached) meant to run forever
}}

// tasklint: allow(detached, swallowed)
pub fn b() {{
    {LOOP}
}}

pub fn c() {{}} // tasklint: allow(shutdown)
"
        ),
    );
    assert_eq!(
        findings(dir.path()),
        ["5:unused-suppression: suppression of `swallowed` silenced nothing"],
        "`shutdown` holds a crate-wide rule, reported after the file: never judged unused"
    );
}

#[test]
fn block_comments_suppress_like_line_comments() {
    let dir = scratch();
    write(
        dir.path(),
        "src/lib.rs",
        format!(
            "pub fn trailing() {{
    {LOOP} /* tasklint: allow(detached-endless-task) meant */
}}

/* tasklint: allow(detached-endless-task) above the item,
   over two lines */
pub fn above() {{
    {LOOP}
}}

pub fn leading() {{
    /* tasklint: allow(detached-endless-task) */ {LOOP}
}}

pub fn not_this_one() {{
    /* tasklint: allow(detached-endless-task) */
    {LOOP}
    {LOOP}
}}

pub fn unread() {{}} /* tasklint: allow(detached-endless-task */
const S: &str = \"/* tasklint: allow(all) */\";
"
        ),
    );
    assert_eq!(
        findings(dir.path()),
        [
            "18:detached-endless-task: task spawned with `tokio::spawn` runs a loop that never ends (line 18) and its handle is dropped",
            "21:unused-suppression: cannot read this suppression comment",
        ]
    );
}

#[test]
fn unknown_names_get_a_did_you_mean() {
    let dir = scratch();
    write(
        dir.path(),
        "src/lib.rs",
        format!(
            "pub fn a() {{
    {LOOP} // tasklint: allow(detached_endless_task, bogus)
}}
"
        ),
    );
    let found = findings(dir.path());
    assert!(found.contains(&"2:unused-suppression: suppression names unknown rule `detached_endless_task`; did you mean `detached-endless-task`?".to_string()), "{found:?}");
    assert!(
        found.contains(&"2:unused-suppression: suppression names unknown rule `bogus`".to_string()),
        "{found:?}"
    );

    write(dir.path(), "tasklint.toml", "lint_tests = true\n");
    let run = tasklint(dir.path(), &["check"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        stderr(&run).contains("tasklint.toml:1: unknown key `lint_tests`; did you mean `lint-tests`? (expected one of:"),
        "{}",
        stderr(&run)
    );
    write(dir.path(), "tasklint.toml", "select = [\"detachd\"]\n");
    let run = tasklint(dir.path(), &["check"]);
    assert!(
        stderr(&run).contains("not `detachd`; did you mean `detached`?"),
        "{}",
        stderr(&run)
    );

    let run = tasklint(dir.path(), &["explain", "detached_endless_task"]);
    assert_eq!(run.status.code(), Some(2));
    assert_eq!(
        stderr(&run),
        "error: unknown rule `detached_endless_task`; did you mean `detached-endless-task`? (see `tasklint rules` for the list)\n"
    );
    let run = tasklint(dir.path(), &["explain", "nothing-like-it"]);
    assert!(!stderr(&run).contains("did you mean"), "{}", stderr(&run));
    let run = tasklint(
        dir.path(),
        &["check", "--no-config", "--select", "detached-spwan"],
    );
    assert!(
        stderr(&run)
            .contains("unknown rule or family `detached-spwan`; did you mean `detached-spawn`?"),
        "{}",
        stderr(&run)
    );
}
