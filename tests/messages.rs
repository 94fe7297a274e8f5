//! Code quoted in messages reads as written (issue 15, item 5): the source
//! text of the span on one line, cut at a token boundary with an ellipsis.

mod support;
use support::{scratch, stderr, stdout, tasklint, write};

const SOURCE: &str = r#"pub struct S {
    pool: tokio::runtime::Runtime,
}

impl S {
    pub async fn join(&self, first: u32, second: u32) {
        let _ = self
            .pool
            .spawn_blocking(move || {
                Self::update_certs(
                    first, // the old ones
                    second,
                )
            })
            .await;
    }

    pub async fn serve(&self, token: CancellationToken) {
        loop {
            tokio::select! {
                _ = token
                    .child_token()
                    .cancelled() => {}
                _ = tick() => {}
            }
        }
    }
}

fn start() {
    std::process::Command::new("some-very-long-program-name-that-goes-on-and-on")
        .arg("x")
        .spawn()
        .unwrap();
}
"#;

#[test]
fn quotes_are_the_source_text_on_one_line_cut_at_a_token() {
    let dir = scratch();
    write(dir.path(), "src/lib.rs", SOURCE);
    let run = tasklint(dir.path(), &["check", "--format", "json"]);
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    let findings: serde_json::Value = serde_json::from_str(&stdout(&run)).expect("JSON");
    let messages: Vec<&str> = findings
        .as_array()
        .expect("an array")
        .iter()
        .map(|f| f["message"].as_str().expect("a message"))
        .collect();
    assert_eq!(
        messages,
        [
            "the `JoinError` from `self.pool.spawn_blocking(move || { Self::update_certs(first…` is discarded, so a panic in the task goes unnoticed",
            "the cancellation signal `token.child_token().cancelled()` is swallowed: this `select!` arm does nothing and the loop goes on",
            "the child process from `std::process::Command::new(….spawn()` is never waited, so it is left a zombie when it exits",
        ]
    );
    for message in messages {
        assert!(!message.contains(" ."), "no token spacing: {message}");
        assert!(
            !message.contains("..."),
            "one ellipsis character: {message}"
        );
    }
}
