//! The library's run: paths and options in, sorted findings and counts out.

use tasklint::lint::run::{self, RunError, RunRequest};

#[test]
fn run_returns_the_findings_of_a_folder() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("main.rs"),
        "fn main() { tokio::spawn(async { loop {} }); }\n",
    )
    .expect("write main.rs");
    let mut request = RunRequest::new(vec![dir.path().to_path_buf()]);
    request.no_config = true;
    request.jobs = Some(1);
    let result = run::run(&request).expect("the run");
    let ids: Vec<&str> = result.findings.iter().map(|f| f.rule.id).collect();
    assert!(ids.contains(&"detached-endless-task"), "{ids:?}");
    assert_eq!(result.stats.files_scanned, 1);
    assert_eq!(result.stats.files_parsed, 1);
    assert!(result.warnings.is_empty(), "{:?}", result.warnings);
    assert_eq!(result.files.len(), 1);
}

#[test]
fn run_rejects_an_unknown_rule_before_walking() {
    let mut request = RunRequest::new(vec![".".into()]);
    request.selection.select = Some(vec!["no-such-rule".to_string()]);
    let Err(err) = run::run(&request) else {
        panic!("an unknown rule must fail the run");
    };
    assert!(matches!(err, RunError::Config(_)), "{err}");
}
