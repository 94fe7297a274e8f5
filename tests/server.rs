//! `tasklint server` driven over standard input and output: a scripted
//! client (initialize, didOpen, didChange, codeAction, hover, shutdown)
//! checks the diagnostics and edits; then Neovim, headless, does the same
//! as a user would.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// How long any expected message may take (a debug build, a busy machine).
const PATIENCE: Duration = Duration::from_secs(60);

/// A leaky task: `detached-endless-task` at line 2, columns 5 to 17.
const LEAKY: &str = "async fn serve() {
    tokio::spawn(async {
        loop {
            tick().await;
        }
    });
}

async fn tick() {}
";

/// `tracker-wait-without-close` (a safe fix) and `ignored-join-error` (an
/// unsafe one).
const FIXABLE: &str = "use tokio_util::task::TaskTracker;

async fn run_jobs(jobs: Vec<u32>) {
    let tracker = TaskTracker::new();
    for job in jobs {
        tracker.spawn(async move { drop(job) });
    }
    tracker.wait().await;
}

pub async fn upload() {
    let upload = tokio::spawn(async move { send().await });
    let _ = upload.await;
}

async fn send() {}
";

/// A client speaking to one `tasklint server`.
struct Client {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    /// Messages read while waiting for another, oldest first.
    seen: Vec<Value>,
    next_id: i64,
}

impl Client {
    /// Starts the server in `dir` and initializes it with `capabilities`.
    fn start(dir: &Path, capabilities: Value) -> (Client, Value) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tasklint"))
            .arg("server")
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start tasklint server");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (sender, messages) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if sender.send(message).is_err() {
                    break;
                }
            }
        });
        let mut client = Client {
            child,
            stdin,
            messages,
            seen: Vec::new(),
            next_id: 0,
        };
        let root = file_uri(dir);
        let result = client.request(
            "initialize",
            json!({ "processId": null, "rootUri": root, "capabilities": capabilities }),
        );
        client.notify("initialized", json!({}));
        (client, result["result"].clone())
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write");
        self.stdin.flush().expect("flush");
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and returns its whole response (`result` or `error`).
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        self.wait_for(&format!("the response to {method}"), |m| {
            m["id"] == json!(id) && m.get("method").is_none()
        })
    }

    /// The first message, seen or to come, that `matches`; those before
    /// it stay for later waits.
    fn wait_for(&mut self, what: &str, matches: impl Fn(&Value) -> bool) -> Value {
        if let Some(at) = self.seen.iter().position(&matches) {
            return self.seen.remove(at);
        }
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.messages.recv_timeout(left) {
                Ok(message) if matches(&message) => return message,
                Ok(message) => self.seen.push(message),
                Err(_) => panic!("no {what} within {PATIENCE:?}; seen: {:#?}", self.seen),
            }
        }
    }

    /// The next diagnostics published for `uri` (and forgets older ones).
    fn diagnostics(&mut self, uri: &str) -> Value {
        let is_for = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        };
        let message = self.wait_for(&format!("diagnostics for {uri}"), is_for);
        message["params"].clone()
    }

    /// Diagnostics for `uri` until some satisfy `done`.
    fn diagnostics_until(&mut self, uri: &str, done: impl Fn(&Value) -> bool) -> Value {
        loop {
            let params = self.diagnostics(uri);
            if done(&params) {
                return params;
            }
        }
    }

    fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "rust", "version": 1, "text": text } }),
        );
    }

    fn change_all(&mut self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri, "version": version },
                "contentChanges": [{ "text": text }]
            }),
        );
    }

    fn code_actions(&mut self, uri: &str, line: u32, only: Option<Vec<&str>>) -> Vec<Value> {
        let mut context = json!({ "diagnostics": [] });
        if let Some(only) = only {
            context["only"] = json!(only);
        }
        let response = self.request(
            "textDocument/codeAction",
            json!({
                "textDocument": { "uri": uri },
                "range": { "start": { "line": line, "character": 0 }, "end": { "line": line, "character": 0 } },
                "context": context
            }),
        );
        response["result"].as_array().cloned().unwrap_or_default()
    }

    /// Shuts the server down as a client does; returns its exit status.
    fn shut_down(mut self) -> std::process::ExitStatus {
        let response = self.request("shutdown", Value::Null);
        assert_eq!(response["result"], Value::Null, "{response}");
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length:") {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

fn file_uri(path: &Path) -> String {
    let path = std::fs::canonicalize(path).expect("canonical");
    let mut uri = String::from("file://");
    for byte in path.to_string_lossy().bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}

/// A crate in a scratch folder with these files.
fn project(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let dir = support::scratch();
    let root = std::fs::canonicalize(dir.path()).expect("canonical");
    support::write(
        &root,
        "Cargo.toml",
        "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    for (path, text) in files {
        support::write(&root, path, text);
    }
    (dir, root)
}

fn codes(params: &Value) -> Vec<String> {
    params["diagnostics"]
        .as_array()
        .map(|all| {
            all.iter()
                .map(|d| d["code"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// The byte offset of an LSP position (UTF-16 columns) in `text`.
fn offset(text: &str, position: &Value) -> usize {
    let line = position["line"].as_u64().expect("line") as usize;
    let character = position["character"].as_u64().expect("character") as usize;
    let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    let mut units = 0;
    for (at, c) in text[start..].char_indices() {
        if units >= character || c == '\n' {
            return start + at;
        }
        units += c.len_utf16();
    }
    text.len()
}

/// `text` with a code action's edits to `uri` applied.
fn apply(text: &str, action: &Value, uri: &str) -> String {
    let edits = action["edit"]["changes"][uri]
        .as_array()
        .unwrap_or_else(|| panic!("edits for {uri} in {action:#}"));
    let mut located: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                offset(text, &e["range"]["start"]),
                offset(text, &e["range"]["end"]),
                e["newText"].as_str().expect("newText"),
            )
        })
        .collect();
    located.sort_by_key(|&(start, end, _)| std::cmp::Reverse((start, end)));
    let mut out = text.to_string();
    for (start, end, new) in located {
        out.replace_range(start..end, new);
    }
    out
}

/// `tasklint check --fix` (with `--unsafe-fixes` if asked) on `text` as
/// standard input: what the command line makes of it.
fn fixed_by_cli(dir: &Path, path: &str, text: &str, unsafe_fixes: bool) -> String {
    let mut args = vec!["check", "--fix", "--stdin-filename", path, "-q"];
    if unsafe_fixes {
        args.push("--unsafe-fixes");
    }
    let mut child = support::command(dir, &args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("tasklint check");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("write stdin");
    let output = child.wait_with_output().expect("wait");
    String::from_utf8(output.stdout).expect("utf-8")
}

#[test]
fn diagnostics_follow_open_change_and_save() {
    let (_dir, root) = project(&[("src/main.rs", LEAKY)]);
    let (mut client, init) = Client::start(&root, json!({}));
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(init["capabilities"]["textDocumentSync"]["change"], 2);
    assert!(init["capabilities"].get("diagnosticProvider").is_none());
    let uri = file_uri(&root.join("src/main.rs"));

    client.open(&uri, LEAKY);
    let published = client.diagnostics(&uri);
    assert_eq!(published["version"], 1);
    let diagnostic = &published["diagnostics"][0];
    assert_eq!(codes(&published), ["detached-endless-task"]);
    assert_eq!(diagnostic["severity"], 2, "a warning");
    assert_eq!(diagnostic["source"], "tasklint");
    assert_eq!(
        diagnostic["range"],
        json!({ "start": { "line": 1, "character": 4 }, "end": { "line": 1, "character": 16 } })
    );
    assert_eq!(
        diagnostic["codeDescription"]["href"],
        "https://github.com/tasklint/tasklint/blob/HEAD/lints/detached-endless-task.md"
    );
    let message = diagnostic["message"].as_str().expect("message");
    assert!(
        message.starts_with("task spawned with `tokio::spawn` runs a loop that never ends")
            && message.contains("\nhelp: keep the `JoinHandle`"),
        "{message}"
    );

    // An incremental change (unsaved): the loop gets a `break`.
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": uri, "version": 2 },
            "contentChanges": [{
                "range": { "start": { "line": 3, "character": 25 }, "end": { "line": 3, "character": 25 } },
                "text": " break;"
            }]
        }),
    );
    let published = client.diagnostics(&uri);
    assert_eq!(published["version"], 2);
    assert_eq!(codes(&published), Vec::<String>::new());

    // Text that does not parse is a parse-error, and the server goes on.
    // (The prefilter skips a file with nothing a rule looks for, parsed or not.)
    client.change_all(&uri, 3, "async fn broken( {\n    tokio::spawn(\n");
    let published = client.diagnostics(&uri);
    assert_eq!(codes(&published), ["parse-error"]);
    assert_eq!(published["diagnostics"][0]["severity"], 1, "an error");

    // Several changes in quick succession are linted once, at their end.
    for version in 4..10 {
        let text = if version % 2 == 0 {
            LEAKY
        } else {
            "fn ok() {}\n"
        };
        client.change_all(&uri, version, text);
    }
    // (How many are linted depends on how fast they arrive: at least the last.)
    let published = client.diagnostics_until(&uri, |p| p["version"] == 9);
    assert_eq!(codes(&published), Vec::<String>::new());

    client.change_all(&uri, 10, LEAKY);
    assert_eq!(codes(&client.diagnostics(&uri)), ["detached-endless-task"]);
    client.notify(
        "textDocument/didSave",
        json!({ "textDocument": { "uri": uri } }),
    );
    assert_eq!(client.diagnostics(&uri)["version"], 10);

    client.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": uri } }),
    );
    let closed = client.diagnostics(&uri);
    assert_eq!(closed["diagnostics"], json!([]), "cleared on close");
    assert!(client.shut_down().success());
}

#[test]
fn code_actions_fix_suppress_and_fix_all() {
    let (_dir, root) = project(&[("src/lib.rs", FIXABLE)]);
    let (mut client, init) = Client::start(&root, json!({}));
    assert_eq!(
        init["capabilities"]["codeActionProvider"]["codeActionKinds"],
        json!(["quickfix", "source.fixAll.tasklint"])
    );
    let uri = file_uri(&root.join("src/lib.rs"));
    client.open(&uri, FIXABLE);
    let published = client.diagnostics(&uri);
    assert_eq!(
        codes(&published),
        ["tracker-wait-without-close", "ignored-join-error"]
    );

    // Line 8: `tracker.wait().await;`, a safe fix.
    let actions = client.code_actions(&uri, 7, None);
    let titles: Vec<&str> = actions
        .iter()
        .map(|a| a["title"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        titles,
        [
            "Insert `tracker.close();` before waiting",
            "Suppress `tracker-wait-without-close` on this line",
            "Suppress `tracker-wait-without-close` for this item (`run_jobs`)",
            "Fix all safely fixable tasklint problems",
        ],
        "{actions:#?}"
    );
    let fix = &actions[0];
    assert_eq!(fix["kind"], "quickfix");
    assert_eq!(fix["isPreferred"], true);
    assert_eq!(fix["diagnostics"][0]["code"], "tracker-wait-without-close");
    let fixed = apply(FIXABLE, fix, &uri);
    assert!(
        fixed.contains("    tracker.close();\n    tracker.wait().await;\n"),
        "{fixed}"
    );
    let on_line = apply(FIXABLE, &actions[1], &uri);
    assert!(
        on_line.contains(
            "    // tasklint: allow(tracker-wait-without-close)\n    tracker.wait().await;"
        ),
        "{on_line}"
    );
    let for_item = apply(FIXABLE, &actions[2], &uri);
    assert!(
        for_item.contains(
            "// tasklint: allow(tracker-wait-without-close)\nasync fn run_jobs(jobs: Vec<u32>) {"
        ),
        "{for_item}"
    );
    // Each suppression silences the finding, as the command line sees it.
    for text in [&on_line, &for_item] {
        let output = support::command(&root, &["check", "--stdin-filename", "src/lib.rs", "-q"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                child
                    .stdin
                    .take()
                    .expect("stdin")
                    .write_all(text.as_bytes())?;
                child.wait_with_output()
            })
            .expect("tasklint check");
        let out = String::from_utf8_lossy(&output.stdout);
        assert!(!out.contains("tracker-wait-without-close"), "{out}");
        assert!(out.contains("ignored-join-error"), "{out}");
    }

    // Line 13: `let _ = upload.await;`, an unsafe fix: labelled, not preferred.
    let actions = client.code_actions(&uri, 12, Some(vec!["quickfix"]));
    let unsafe_fix = &actions[0];
    assert_eq!(
        unsafe_fix["title"],
        "Re-raise the task's panic and ignore only its cancellation (unsafe)"
    );
    assert!(unsafe_fix.get("isPreferred").is_none(), "{unsafe_fix:#}");
    assert!(
        !actions
            .iter()
            .any(|a| a["kind"] == "source.fixAll.tasklint"),
        "only quick fixes were asked for"
    );
    // Both fixes (the later one first, so the earlier's lines hold): what
    // `check --fix --unsafe-fixes` makes.
    let both = apply(&apply(FIXABLE, unsafe_fix, &uri), fix, &uri);
    assert_eq!(both, fixed_by_cli(&root, "src/lib.rs", FIXABLE, true));

    // The light bulb (an automatic request) does not offer to fix all.
    let automatic = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": uri },
            "range": { "start": { "line": 7, "character": 4 }, "end": { "line": 7, "character": 4 } },
            "context": { "diagnostics": [], "triggerKind": 2 }
        }),
    );
    let kinds: Vec<&str> = automatic["result"]
        .as_array()
        .expect("actions")
        .iter()
        .filter_map(|a| a["kind"].as_str())
        .collect();
    assert_eq!(kinds, ["quickfix", "quickfix", "quickfix"]);

    // source.fixAll: the safe fixes alone, as `check --fix` makes them.
    let actions = client.code_actions(&uri, 0, Some(vec!["source.fixAll"]));
    assert_eq!(actions.len(), 1, "{actions:#?}");
    assert_eq!(actions[0]["kind"], "source.fixAll.tasklint");
    let all = apply(FIXABLE, &actions[0], &uri);
    assert_eq!(all, fixed_by_cli(&root, "src/lib.rs", FIXABLE, false));
    assert_eq!(all, fixed);
    assert!(client.shut_down().success());
}

#[test]
fn hover_on_a_rule_id_in_a_suppression_shows_its_doc() {
    let text = "async fn serve() {\n    // tasklint: allow(detached-endless-task) it is the process's main loop\n    tokio::spawn(async { loop {} });\n}\n";
    let (_dir, root) = project(&[("src/main.rs", text)]);
    let (mut client, init) = Client::start(&root, json!({}));
    assert_eq!(init["capabilities"]["hoverProvider"], true);
    let uri = file_uri(&root.join("src/main.rs"));
    client.open(&uri, text);
    let hover = |client: &mut Client, line: u32, character: u32| {
        client.request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } }),
        )["result"]
            .clone()
    };
    let shown = hover(&mut client, 1, 30);
    assert_eq!(shown["contents"]["kind"], "markdown");
    let doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("lints/detached-endless-task.md"),
    )
    .expect("the rule's doc");
    assert_eq!(shown["contents"]["value"], doc.as_str());
    assert_eq!(
        shown["range"],
        json!({ "start": { "line": 1, "character": 23 }, "end": { "line": 1, "character": 44 } })
    );
    assert_eq!(hover(&mut client, 1, 50), Value::Null, "over the reason");
    assert_eq!(hover(&mut client, 2, 8), Value::Null, "over code");
    assert!(client.shut_down().success());
}

/// `unjoined-handle-field` is judged on the whole crate: the finding in
/// lib.rs comes and goes with an unsaved edit to another file.
#[test]
fn a_finding_that_depends_on_another_file_follows_its_buffer() {
    let lib = "mod stop;

use tokio::task::JoinHandle;

pub struct Server {
    listener: JoinHandle<()>,
}

impl Server {
    pub fn start() -> Self {
        Server { listener: tokio::spawn(async {}) }
    }
}
";
    let stop = "use crate::Server;\n";
    let (_dir, root) = project(&[("src/lib.rs", lib), ("src/stop.rs", stop)]);
    let (mut client, _) = Client::start(&root, json!({}));
    let lib_uri = file_uri(&root.join("src/lib.rs"));
    let stop_uri = file_uri(&root.join("src/stop.rs"));
    client.open(&lib_uri, lib);
    assert_eq!(
        codes(&client.diagnostics(&lib_uri)),
        ["unjoined-handle-field"]
    );
    client.open(&stop_uri, stop);
    client.diagnostics(&stop_uri);
    let handled = "use crate::Server;\n\nimpl Server {\n    pub fn stop(&self) {\n        self.listener.abort();\n    }\n}\n";
    client.change_all(&stop_uri, 2, handled);
    client.diagnostics_until(&lib_uri, |p| codes(p).is_empty());
    // Closing the buffer unsaved: the file on disk counts again.
    client.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": stop_uri } }),
    );
    client.diagnostics_until(&lib_uri, |p| codes(p) == ["unjoined-handle-field"]);
    // Saved to disk, as the watcher reports it.
    std::fs::write(root.join("src/stop.rs"), handled).expect("write");
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": stop_uri, "type": 2 }] }),
    );
    client.diagnostics_until(&lib_uri, |p| codes(p).is_empty());
    assert!(client.shut_down().success());
}

#[test]
fn configuration_applies_per_file_and_reloads_when_it_changes() {
    let (_dir, root) = project(&[
        ("src/main.rs", LEAKY),
        ("tasklint.toml", "ignore = [\"detached-endless-task\"]\n"),
        (
            "member/Cargo.toml",
            "[package]\nname = \"member\"\nversion = \"0.1.0\"\n",
        ),
        ("member/src/main.rs", LEAKY),
        ("member/tasklint.toml", "select = [\"all\"]\n"),
    ]);
    let capabilities = json!({
        "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } }
    });
    let (mut client, _) = Client::start(&root, capabilities);
    let registration = client.wait_for("a watcher registration", |m| {
        m["method"] == "client/registerCapability"
    });
    let registered = &registration["params"]["registrations"][0];
    assert_eq!(registered["method"], "workspace/didChangeWatchedFiles");
    let globs: Vec<&str> = registered["registerOptions"]["watchers"]
        .as_array()
        .expect("watchers")
        .iter()
        .filter_map(|w| w["globPattern"].as_str())
        .collect();
    assert_eq!(
        globs,
        [
            "**/tasklint.toml",
            "**/.tasklint.toml",
            "**/Cargo.toml",
            "**/*.rs"
        ]
    );
    client.send(json!({ "jsonrpc": "2.0", "id": registration["id"], "result": null }));

    let uri = file_uri(&root.join("src/main.rs"));
    let member_uri = file_uri(&root.join("member/src/main.rs"));
    client.open(&uri, LEAKY);
    assert_eq!(codes(&client.diagnostics(&uri)), Vec::<String>::new());
    client.open(&member_uri, LEAKY);
    assert_eq!(
        codes(&client.diagnostics(&member_uri)),
        ["detached-endless-task"],
        "the member's own configuration applies to it"
    );

    // A broken configuration: said in a window message and on its line;
    // the file is linted with the defaults meanwhile.
    let config = root.join("tasklint.toml");
    let config_uri = file_uri(&config);
    std::fs::write(&config, "# the rules\nignore = 3\n").expect("write");
    let changed = json!({ "changes": [{ "uri": config_uri, "type": 2 }] });
    client.notify("workspace/didChangeWatchedFiles", changed.clone());
    let shown = client.wait_for("a window message", |m| m["method"] == "window/showMessage");
    let text = shown["params"]["message"].as_str().expect("message");
    assert!(
        text.contains("tasklint.toml:2: `ignore`: expected") && text.contains("default settings"),
        "{text}"
    );
    assert_eq!(shown["params"]["type"], 1, "an error");
    let on_config = client.diagnostics(&config_uri);
    assert_eq!(on_config["diagnostics"][0]["range"]["start"]["line"], 1);
    assert_eq!(on_config["diagnostics"][0]["severity"], 1);
    client.diagnostics_until(&uri, |p| codes(p) == ["detached-endless-task"]);

    // Fixed: the diagnostic on the configuration goes, its settings apply.
    std::fs::write(&config, "ignore = [\"detached\"]\n").expect("write");
    client.notify("workspace/didChangeWatchedFiles", changed);
    let cleared = client.diagnostics(&config_uri);
    assert_eq!(cleared["diagnostics"], json!([]));
    client.diagnostics_until(&uri, |p| codes(p).is_empty());
    assert!(client.shut_down().success());
}

#[test]
fn a_client_that_pulls_gets_diagnostics_on_request() {
    let (_dir, root) = project(&[("src/main.rs", LEAKY)]);
    let capabilities = json!({
        "textDocument": { "diagnostic": { "dynamicRegistration": false } },
        "workspace": { "diagnostic": { "refreshSupport": true } }
    });
    let (mut client, init) = Client::start(&root, capabilities);
    assert_eq!(
        init["capabilities"]["diagnosticProvider"]["identifier"],
        "tasklint"
    );
    let uri = file_uri(&root.join("src/main.rs"));
    client.open(&uri, LEAKY);
    let pull = |client: &mut Client| {
        client.request(
            "textDocument/diagnostic",
            json!({ "textDocument": { "uri": uri } }),
        )["result"]
            .clone()
    };
    let report = pull(&mut client);
    assert_eq!(report["kind"], "full");
    assert_eq!(report["items"][0]["code"], "detached-endless-task");
    client.change_all(&uri, 2, "fn fine() {}\n");
    assert_eq!(pull(&mut client)["items"], json!([]), "the unsaved text");
    // Linted after a pause in typing (not pulled): the client is asked to
    // pull again when the findings changed.
    client.change_all(&uri, 3, LEAKY);
    let refresh = client.wait_for("a refresh request", |m| {
        m["method"] == "workspace/diagnostic/refresh"
    });
    client.send(json!({ "jsonrpc": "2.0", "id": refresh["id"], "result": null }));
    assert_eq!(
        pull(&mut client)["items"][0]["code"],
        "detached-endless-task"
    );
    assert!(
        !client
            .seen
            .iter()
            .any(|m| m["method"] == "textDocument/publishDiagnostics"),
        "a pulling client is not pushed to: {:#?}",
        client.seen
    );
    assert!(client.shut_down().success());
}

#[test]
fn bad_requests_are_answered_with_errors_and_the_server_goes_on() {
    let (_dir, root) = project(&[("src/main.rs", LEAKY)]);
    let (mut client, _) = Client::start(&root, json!({}));
    let uri = file_uri(&root.join("src/main.rs"));
    let wrong = client.request("textDocument/codeAction", json!({ "textDocument": 5 }));
    assert_eq!(wrong["error"]["code"], -32602, "{wrong}");
    let unknown = client.request("textDocument/completion", json!({}));
    assert_eq!(unknown["error"]["code"], -32601, "{unknown}");
    // Notifications that make no sense are ignored.
    client.notify("textDocument/didOpen", json!({ "textDocument": [] }));
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": "file:///nowhere.rs", "version": 1 }, "contentChanges": [] }),
    );
    client.open("untitled:Untitled-1", LEAKY);
    // Not a Rust file: not linted.
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": file_uri(&root.join("Cargo.toml")), "languageId": "toml", "version": 1, "text": "[package]" } }),
    );
    // A change far past the end of the text, and one in the middle of a
    // character, are clamped.
    client.open(&uri, "fn é() {}\n");
    client.diagnostics(&uri);
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": uri, "version": 2 },
            "contentChanges": [
                { "range": { "start": { "line": 99, "character": 0 }, "end": { "line": 120, "character": 3 } }, "text": "\n// end\n" },
                { "range": { "start": { "line": 0, "character": 4 }, "end": { "line": 0, "character": 4 } }, "text": "" }
            ]
        }),
    );
    assert_eq!(client.diagnostics(&uri)["version"], 2);
    let hover = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": "file:///not/open.rs" }, "position": { "line": 0, "character": 0 } }),
    );
    assert_eq!(hover["result"], Value::Null);
    // A request after shutdown is refused; exit ends the server with 0.
    let response = client.request("shutdown", Value::Null);
    assert_eq!(response["result"], Value::Null);
    let late = client.request("textDocument/hover", json!({}));
    assert_eq!(late["error"]["code"], -32600, "{late}");
    client.notify("exit", Value::Null);
    let status = client.child.wait().expect("exit");
    assert!(status.success());
}

// Neovim, headless: a real editor.

/// What Neovim does (Lua for Neovim 0.7, Debian 12's: `vim.lsp.start_client`
/// and `buf_attach_client`; `vim.lsp.config` needs 0.11): open the file,
/// wait for tasklint's diagnostics, apply the preferred quick fix on the
/// first of them, wait for the diagnostics of the fixed text, and write
/// the buffer and what it saw.
const NEOVIM_SCRIPT: &str = r#"
local out = vim.env.TASKLINT_OUT
local function finish(result)
  vim.fn.writefile({ vim.fn.json_encode(result) }, out .. '.json')
  vim.fn.writefile(vim.api.nvim_buf_get_lines(0, 0, -1, false), out .. '.buffer')
  vim.cmd('qall!')
end
vim.cmd('edit ' .. vim.fn.fnameescape(vim.env.TASKLINT_FILE))
local buf = vim.api.nvim_get_current_buf()
local client_id = vim.lsp.start_client({
  name = 'tasklint',
  cmd = { vim.env.TASKLINT_BIN, 'server' },
  root_dir = vim.env.TASKLINT_ROOT,
})
vim.lsp.buf_attach_client(buf, client_id)
local function tasklint_diagnostics()
  local found = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    local lsp = (d.user_data or {}).lsp or {}
    table.insert(found, { line = d.lnum, source = d.source, code = lsp.code or d.code,
      namespace = d.namespace, message = d.message })
  end
  return found
end
local result = {}
if not vim.wait(30000, function() return #vim.diagnostic.get(buf) >= 2 end, 20) then
  result.error = 'no diagnostics'
  return finish(result)
end
result.clients = #vim.lsp.get_active_clients()
result.before = tasklint_diagnostics()
result.namespace = vim.lsp.diagnostic.get_namespace(client_id)
local client = vim.lsp.get_client_by_id(client_id)
local first = vim.diagnostic.get(buf)[1]
for _, d in ipairs(vim.diagnostic.get(buf)) do
  if d.lnum < first.lnum then first = d end
end
vim.api.nvim_win_set_cursor(0, { first.lnum + 1, first.col })
local params = vim.lsp.util.make_range_params(0, client.offset_encoding)
params.context = { diagnostics = vim.lsp.diagnostic.get_line_diagnostics(buf), only = { 'quickfix' } }
local responses = vim.lsp.buf_request_sync(buf, 'textDocument/codeAction', params, 30000) or {}
local chosen
for _, response in pairs(responses) do
  for _, action in ipairs(response.result or {}) do
    if action.isPreferred and not chosen then chosen = action end
  end
end
if not chosen then
  result.error = 'no preferred code action'
  return finish(result)
end
result.applied = chosen.title
vim.lsp.util.apply_workspace_edit(chosen.edit, client.offset_encoding)
vim.wait(30000, function() return #vim.diagnostic.get(buf) == #result.before - 1 end, 20)
result.after = tasklint_diagnostics()
finish(result)
"#;

#[test]
fn neovim_shows_the_diagnostics_and_applies_a_quick_fix() {
    let Some(nvim) = neovim() else {
        return;
    };
    let text = format!("{FIXABLE}\n{LEAKY}");
    let (_dir, root) = project(&[("src/lib.rs", &text)]);
    let script = root.join("test.lua");
    std::fs::write(&script, NEOVIM_SCRIPT).expect("write the script");
    let out = root.join("seen");
    let file = root.join("src/lib.rs");
    let status = Command::new(&nvim)
        .args(["--headless", "--clean", "-n", "-i", "NONE", "-S"])
        .arg(&script)
        .current_dir(&root)
        .env("TASKLINT_BIN", env!("CARGO_BIN_EXE_tasklint"))
        .env("TASKLINT_FILE", &file)
        .env("TASKLINT_ROOT", &root)
        .env("TASKLINT_OUT", &out)
        .stdin(Stdio::null())
        .status()
        .expect("run nvim");
    let seen_text = std::fs::read_to_string(out.with_extension("json"))
        .unwrap_or_else(|err| panic!("Neovim wrote nothing ({status}): {err}"));
    let seen: Value = serde_json::from_str(&seen_text).expect("JSON from Neovim");
    assert!(seen.get("error").is_none(), "{seen:#}");
    assert_eq!(
        seen["clients"], 1,
        "tasklint's is the only client: {seen:#}"
    );
    let before = seen["before"].as_array().expect("diagnostics");
    let before_codes: Vec<&str> = before.iter().filter_map(|d| d["code"].as_str()).collect();
    assert_eq!(
        before_codes,
        [
            "tracker-wait-without-close",
            "ignored-join-error",
            "detached-endless-task"
        ],
        "{seen:#}"
    );
    for diagnostic in before {
        assert_eq!(diagnostic["source"], "tasklint", "{seen:#}");
        assert_eq!(diagnostic["namespace"], seen["namespace"], "{seen:#}");
    }
    assert_eq!(seen["applied"], "Insert `tracker.close();` before waiting");
    let after: Vec<&str> = seen["after"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert_eq!(after, ["ignored-join-error", "detached-endless-task"]);
    // Neovim writes lines: the buffer is the text with the safe fix, as
    // `check --fix` makes it.
    let buffer = std::fs::read_to_string(out.with_extension("buffer")).expect("the buffer");
    assert_eq!(buffer, fixed_by_cli(&root, "src/lib.rs", &text, false));
    assert!(buffer.contains("    tracker.close();\n    tracker.wait().await;\n"));
}

/// Where Neovim cannot be installed, the real-editor test says it skipped
/// and passes, unless `CI` is set, where it fails (as the SARIF validator's).
#[test]
fn the_neovim_test_skips_offline_and_fails_under_ci() {
    if std::env::var_os("TASKLINT_TEST_OFFLINE").is_some() {
        return;
    }
    let run = |ci: bool| {
        support::rerun_offline("neovim_shows_the_diagnostics_and_applies_a_quick_fix", ci)
    };
    let (passed, text) = run(false);
    assert!(passed, "{text}");
    assert!(
        text.contains("skipped: Neovim (Debian package neovim): cannot be installed here: TASKLINT_TEST_OFFLINE is set"),
        "{text}"
    );
    let (passed, text) = run(true);
    assert!(!passed, "{text}");
    assert!(
        text.contains("CI is set, so a check that cannot run is a failure"),
        "{text}"
    );
}

/// `nvim`, installed from Debian's packages by tests/support/install-neovim.sh
/// on first use; `None` (with the reason printed) where it cannot be,
/// unless `CI` is set, where that fails the test.
fn neovim() -> Option<PathBuf> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/install-neovim.sh");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("neovim");
    let output = support::install(&script, &dir);
    if !output.status.success() {
        support::skip_or_fail(
            "Neovim (Debian package neovim)",
            &String::from_utf8_lossy(&output.stderr),
        );
        return None;
    }
    Some(PathBuf::from(
        String::from_utf8_lossy(&output.stdout).trim(),
    ))
}
