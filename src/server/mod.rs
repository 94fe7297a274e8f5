//! `tasklint server`: a Language Server Protocol server over standard
//! input and output, on rust-analyzer's `lsp-server` (the transport, as
//! ruff's server uses it) and `lsp-types`. One thread handles the
//! messages and lints; edits are linted after a short pause in typing.
//! It calls the same lint entry point as `check` (see [`diagnostics`]).

mod actions;
mod diagnostics;
mod document;
mod hover;
mod uri;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{self as notify, Notification as _};
use lsp_types::request::{self as req, Request as _};
use lsp_types::{
    ClientCapabilities, CodeActionKind, CodeActionOptions, CodeActionParams,
    CodeActionProviderCapability, CodeActionTriggerKind, DiagnosticOptions,
    DiagnosticServerCapabilities, DidChangeTextDocumentParams, DidChangeWatchedFilesParams,
    DidChangeWatchedFilesRegistrationOptions, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DidSaveTextDocumentParams, DocumentDiagnosticParams,
    DocumentDiagnosticReport, DocumentDiagnosticReportResult, FileSystemWatcher,
    FullDocumentDiagnosticReport, GlobPattern, HoverParams, HoverProviderCapability,
    InitializeParams, MessageType, PositionEncodingKind, PublishDiagnosticsParams, Registration,
    RegistrationParams, RelatedFullDocumentDiagnosticReport, SaveOptions, ServerCapabilities,
    ServerInfo, ShowMessageParams, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Uri,
};

use crate::input::discover::CrateRoots;
use crate::server::document::{Document, Encoding, Positions};

/// How long typing must pause before a changed buffer is linted.
const DEBOUNCE: Duration = Duration::from_millis(30);

/// Configuration files: a change to one re-lints every open buffer.
const CONFIG_FILES: &[&str] = &["tasklint.toml", ".tasklint.toml", "Cargo.toml"];

/// Runs the server on standard input and output until the client says
/// `exit` (or closes the connection).
pub fn run() -> Result<(), String> {
    let (connection, io_threads) = Connection::stdio();
    serve(&connection)?;
    // Dropping the connection ends the writer thread; the reader ends
    // with standard input.
    drop(connection);
    io_threads.join().map_err(|err| err.to_string())
}

fn serve(connection: &Connection) -> Result<(), String> {
    let (id, params) = connection
        .initialize_start()
        .map_err(|err| err.to_string())?;
    let params: InitializeParams = match serde_json::from_value(params) {
        Ok(params) => params,
        Err(err) => {
            let message = format!("invalid initialize parameters: {err}");
            let response = Response::new_err(id, ErrorCode::InvalidParams as i32, message.clone());
            let _ = connection.sender.send(response.into());
            return Err(message);
        }
    };
    let mut server = Server::new(connection, &params.capabilities);
    let result = serde_json::json!({
        "capabilities": server.capabilities(),
        "serverInfo": ServerInfo {
            name: "tasklint".to_string(),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        },
    });
    connection
        .initialize_finish(id, result)
        .map_err(|err| err.to_string())?;
    server.register_watchers();
    server.main_loop();
    Ok(())
}

struct Server<'c> {
    connection: &'c Connection,
    encoding: Encoding,
    /// The client asks for diagnostics (`textDocument/diagnostic`); else
    /// they are published.
    pull: bool,
    /// The client can be told to pull again (`workspace/diagnostic/refresh`).
    refresh: bool,
    watch_dynamically: bool,
    documents: HashMap<Uri, Document>,
    /// Buffers changed and not yet linted, with when to lint them.
    pending: HashMap<Uri, Instant>,
    /// The configuration error each crate's last lint met, and where it
    /// was published (a diagnostic on the configuration file).
    config_errors: HashMap<Option<PathBuf>, (String, Option<Uri>)>,
    shutting_down: bool,
    next_id: i32,
}

impl<'c> Server<'c> {
    fn new(connection: &'c Connection, capabilities: &ClientCapabilities) -> Server<'c> {
        let offered = capabilities
            .general
            .as_ref()
            .and_then(|general| general.position_encodings.clone())
            .unwrap_or_default();
        // Characters are what tasklint counts: UTF-32 when the client can.
        let encoding = if offered.contains(&PositionEncodingKind::UTF32) {
            Encoding::Utf32
        } else if offered.contains(&PositionEncodingKind::UTF8)
            && !offered.contains(&PositionEncodingKind::UTF16)
        {
            Encoding::Utf8
        } else {
            Encoding::Utf16
        };
        let pull = capabilities
            .text_document
            .as_ref()
            .is_some_and(|text| text.diagnostic.is_some());
        let workspace = capabilities.workspace.as_ref();
        let refresh = workspace
            .and_then(|w| w.diagnostic.as_ref())
            .and_then(|d| d.refresh_support)
            .unwrap_or(false);
        let watch_dynamically = workspace
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|w| w.dynamic_registration)
            .unwrap_or(false);
        Server {
            connection,
            encoding,
            pull,
            refresh,
            watch_dynamically,
            documents: HashMap::new(),
            pending: HashMap::new(),
            config_errors: HashMap::new(),
            shutting_down: false,
            next_id: 0,
        }
    }

    fn capabilities(&self) -> ServerCapabilities {
        let position_encoding = match self.encoding {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
            Encoding::Utf32 => PositionEncodingKind::UTF32,
        };
        ServerCapabilities {
            position_encoding: Some(position_encoding),
            text_document_sync: Some(TextDocumentSyncCapability::Options(
                TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    will_save: None,
                    will_save_wait_until: None,
                    save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                        include_text: Some(false),
                    })),
                },
            )),
            code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![
                    CodeActionKind::QUICKFIX,
                    CodeActionKind::from(actions::FIX_ALL),
                ]),
                work_done_progress_options: Default::default(),
                resolve_provider: Some(false),
            })),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            diagnostic_provider: self.pull.then(|| {
                DiagnosticServerCapabilities::Options(DiagnosticOptions {
                    identifier: Some("tasklint".to_string()),
                    inter_file_dependencies: true,
                    workspace_diagnostics: false,
                    work_done_progress_options: Default::default(),
                })
            }),
            ..ServerCapabilities::default()
        }
    }

    /// Asks the client to report changes to configuration files and Rust
    /// files, when it can be asked at run time.
    fn register_watchers(&mut self) {
        if !self.watch_dynamically {
            return;
        }
        let watchers = CONFIG_FILES
            .iter()
            .map(|name| format!("**/{name}"))
            .chain(["**/*.rs".to_string()])
            .map(|glob| FileSystemWatcher {
                glob_pattern: GlobPattern::String(glob),
                kind: None,
            })
            .collect();
        let options = DidChangeWatchedFilesRegistrationOptions { watchers };
        let params = RegistrationParams {
            registrations: vec![Registration {
                id: "tasklint-watched-files".to_string(),
                method: notify::DidChangeWatchedFiles::METHOD.to_string(),
                register_options: serde_json::to_value(options).ok(),
            }],
        };
        self.request(req::RegisterCapability::METHOD, params);
    }

    fn main_loop(&mut self) {
        loop {
            let next = self.pending.values().min().copied();
            let message = match next {
                Some(due) => {
                    let wait = due.saturating_duration_since(Instant::now());
                    match self.connection.receiver.recv_timeout(wait) {
                        Ok(message) => Some(message),
                        Err(err) if err.is_timeout() => None,
                        Err(_) => return,
                    }
                }
                None => match self.connection.receiver.recv() {
                    Ok(message) => Some(message),
                    Err(_) => return,
                },
            };
            if let Some(message) = message {
                if let Message::Notification(note) = &message {
                    if note.method == notify::Exit::METHOD {
                        return;
                    }
                }
                // A bug in a handler answers that request with an error; the
                // server goes on.
                let outcome = catch_unwind(AssertUnwindSafe(|| self.handle(message.clone())));
                if outcome.is_err() {
                    if let Message::Request(request) = message {
                        self.respond(Response::new_err(
                            request.id,
                            ErrorCode::InternalError as i32,
                            "tasklint failed on this request (a bug: please report it)".into(),
                        ));
                    }
                }
            }
            let now = Instant::now();
            let due: Vec<Uri> = self
                .pending
                .iter()
                .filter(|(_, at)| **at <= now)
                .map(|(uri, _)| uri.clone())
                .collect();
            if !due.is_empty() {
                // Taken off first: a lint that fails is not tried again
                // until the buffer changes.
                for uri in &due {
                    self.pending.remove(uri);
                }
                let linted = catch_unwind(AssertUnwindSafe(|| self.lint(&due, None)));
                if linted.is_err() {
                    self.show(
                        MessageType::ERROR,
                        "tasklint failed to lint a file (a bug: please report it); it goes on"
                            .to_string(),
                    );
                }
            }
        }
    }

    fn handle(&mut self, message: Message) {
        match message {
            Message::Request(request) => self.on_request(request),
            Message::Notification(note) => self.on_notification(note),
            Message::Response(_) => {} // to registrations and refreshes: nothing to do
        }
    }

    fn on_request(&mut self, request: Request) {
        if self.shutting_down {
            self.respond(Response::new_err(
                request.id,
                ErrorCode::InvalidRequest as i32,
                "the server is shutting down".into(),
            ));
            return;
        }
        let id = request.id.clone();
        let result = match request.method.as_str() {
            req::Shutdown::METHOD => {
                self.shutting_down = true;
                Ok(serde_json::Value::Null)
            }
            req::CodeActionRequest::METHOD => {
                parse(request).map(|params| self.code_actions(params))
            }
            req::HoverRequest::METHOD => parse(request).map(|params| self.hover(params)),
            req::DocumentDiagnosticRequest::METHOD => {
                parse(request).map(|params| self.pull_diagnostics(params))
            }
            method => Err((
                ErrorCode::MethodNotFound,
                format!("tasklint does not handle `{method}`"),
            )),
        };
        let response = match result {
            Ok(value) => Response::new_ok(id, value),
            Err((code, message)) => Response::new_err(id, code as i32, message),
        };
        self.respond(response);
    }

    fn on_notification(&mut self, note: Notification) {
        match note.method.as_str() {
            notify::DidOpenTextDocument::METHOD => {
                let Some(params) = params::<DidOpenTextDocumentParams>(note) else {
                    return;
                };
                let doc = params.text_document;
                let Some(path) = uri::to_path(&doc.uri) else {
                    return;
                };
                let is_rust =
                    doc.language_id == "rust" || path.extension().is_some_and(|e| e == "rs");
                if !is_rust {
                    return;
                }
                self.documents
                    .insert(doc.uri.clone(), Document::new(path, doc.text, doc.version));
                self.pending.insert(doc.uri, Instant::now());
            }
            notify::DidChangeTextDocument::METHOD => {
                let Some(params) = params::<DidChangeTextDocumentParams>(note) else {
                    return;
                };
                let uri = params.text_document.uri;
                let encoding = self.encoding;
                if let Some(doc) = self.documents.get_mut(&uri) {
                    doc.apply(params.content_changes, encoding);
                    doc.version = params.text_document.version;
                    self.pending.insert(uri, Instant::now() + DEBOUNCE);
                }
            }
            notify::DidSaveTextDocument::METHOD => {
                let Some(params) = params::<DidSaveTextDocumentParams>(note) else {
                    return;
                };
                // The saved text is what other crates' runs read from disk.
                let uri = params.text_document.uri;
                if self.documents.contains_key(&uri) {
                    self.pending.insert(uri, Instant::now());
                }
            }
            notify::DidCloseTextDocument::METHOD => {
                let Some(params) = params::<DidCloseTextDocumentParams>(note) else {
                    return;
                };
                let uri = params.text_document.uri;
                self.pending.remove(&uri);
                if let Some(doc) = self.documents.remove(&uri) {
                    if !self.pull {
                        self.publish(uri, Vec::new(), None);
                    }
                    // Its saved text, not its buffer, now counts for its crate.
                    let root = CrateRoots::default().root_of(&doc.path);
                    self.schedule_crate(&root, DEBOUNCE);
                }
            }
            notify::DidChangeWatchedFiles::METHOD => {
                let Some(params) = params::<DidChangeWatchedFilesParams>(note) else {
                    return;
                };
                self.on_watched(params);
            }
            _ => {}
        }
    }

    /// A configuration file changed: every open buffer is linted again; a
    /// Rust file changed on disk: the open buffers of its crate are.
    fn on_watched(&mut self, params: DidChangeWatchedFilesParams) {
        let roots = CrateRoots::default();
        let mut crates = BTreeSet::new();
        let mut all = false;
        for change in params.changes {
            let Some(path) = uri::to_path(&change.uri) else {
                continue;
            };
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if CONFIG_FILES.contains(&name) {
                all = true;
            } else if name.ends_with(".rs") && !self.documents.contains_key(&change.uri) {
                crates.insert(roots.root_of(&path));
            }
        }
        let now = Instant::now();
        if all {
            for uri in self.documents.keys() {
                self.pending.insert(uri.clone(), now);
            }
        } else {
            for root in crates {
                self.schedule_crate(&root, Duration::ZERO);
            }
        }
    }

    fn schedule_crate(&mut self, root: &Option<PathBuf>, after: Duration) {
        let roots = CrateRoots::default();
        let at = Instant::now() + after;
        for (uri, doc) in &self.documents {
            if root.is_some() && roots.root_of(&doc.path) == *root {
                self.pending.entry(uri.clone()).or_insert(at);
            }
        }
    }

    /// Lints the crates of these buffers: every open buffer of each crate,
    /// together, and publishes what it found; a client that pulls is asked
    /// to pull again when the findings of a buffer changed (but for the
    /// one it is pulling now, `pulled`).
    fn lint(&mut self, uris: &[Uri], pulled: Option<&Uri>) {
        let roots = CrateRoots::default();
        let mut crates: HashMap<Option<PathBuf>, Vec<Uri>> = HashMap::new();
        let mut seen = HashSet::new();
        for uri in uris {
            let Some(doc) = self.documents.get(uri) else {
                self.pending.remove(uri);
                continue;
            };
            let root = roots.root_of(&doc.path);
            if root.is_none() {
                // A file outside any crate shares nothing: linted alone.
                crates.entry(None).or_default().push(uri.clone());
                continue;
            }
            if seen.insert(root.clone()) {
                let members = self
                    .documents
                    .iter()
                    .filter(|(_, d)| roots.root_of(&d.path) == root)
                    .map(|(u, _)| u.clone())
                    .collect();
                crates.insert(root, members);
            }
        }
        let mut changed_elsewhere = false;
        for (root, members) in crates {
            let runs: Vec<Vec<Uri>> = if root.is_none() {
                members.into_iter().map(|m| vec![m]).collect()
            } else {
                vec![members]
            };
            for members in runs {
                changed_elsewhere |= self.lint_together(&root, &members, pulled);
            }
        }
        if changed_elsewhere && self.pull && self.refresh {
            self.request(req::WorkspaceDiagnosticRefresh::METHOD, ());
        }
    }

    /// Lints these buffers in one run. Returns whether the findings of a
    /// buffer other than `pulled` changed.
    fn lint_together(
        &mut self,
        root: &Option<PathBuf>,
        members: &[Uri],
        pulled: Option<&Uri>,
    ) -> bool {
        let texts: Vec<(PathBuf, String)> = members
            .iter()
            .filter_map(|uri| self.documents.get(uri))
            .map(|doc| (doc.path.clone(), doc.text.clone()))
            .collect();
        let linted = match diagnostics::lint(texts) {
            Ok(linted) => linted,
            Err(err) => {
                self.show(MessageType::ERROR, format!("tasklint: {err}"));
                for uri in members {
                    self.pending.remove(uri);
                }
                return false;
            }
        };
        self.config_error(root, linted.config_error);
        let mut findings = linted.findings;
        let mut changed_elsewhere = false;
        for uri in members {
            self.pending.remove(uri);
            let Some(doc) = self.documents.get_mut(uri) else {
                continue;
            };
            let found = findings.remove(&doc.path).unwrap_or_default();
            let before = doc.linted.take();
            let changed = before
                .as_ref()
                .is_none_or(|(_, old)| !same_findings(old, &found));
            doc.linted = Some((doc.version, found));
            if !self.pull {
                let diagnostics =
                    diagnostics::diagnostics(doc.findings(), &doc.text, self.encoding);
                let version = doc.version;
                self.publish(uri.clone(), diagnostics, Some(version));
            } else if changed && pulled != Some(uri) {
                changed_elsewhere = true;
            }
        }
        changed_elsewhere
    }

    /// Reports a crate's configuration error once (a window message, and a
    /// diagnostic on the file when the message names its line), and clears
    /// it once the configuration reads again.
    fn config_error(&mut self, root: &Option<PathBuf>, error: Option<String>) {
        let previous = self.config_errors.get(root).cloned();
        match (previous, error) {
            (Some((old, _)), Some(new)) if old == new => {}
            (previous, Some(new)) => {
                if let Some((_, Some(uri))) = previous {
                    self.publish(uri, Vec::new(), None);
                }
                self.show(
                    MessageType::ERROR,
                    format!(
                        "tasklint: {new} (linting with the default settings until it is fixed)"
                    ),
                );
                let place = diagnostics::config_error_place(&new);
                let uri = place.map(|(uri, range)| {
                    let diagnostic = lsp_types::Diagnostic {
                        range,
                        severity: Some(lsp_types::DiagnosticSeverity::ERROR),
                        source: Some("tasklint".to_string()),
                        message: new.clone(),
                        ..Default::default()
                    };
                    self.publish(uri.clone(), vec![diagnostic], None);
                    uri
                });
                self.config_errors.insert(root.clone(), (new, uri));
            }
            (Some((_, uri)), None) => {
                if let Some(uri) = uri {
                    self.publish(uri, Vec::new(), None);
                }
                self.config_errors.remove(root);
            }
            (None, None) => {}
        }
    }

    fn pull_diagnostics(&mut self, params: DocumentDiagnosticParams) -> serde_json::Value {
        let uri = params.text_document.uri;
        self.ensure_fresh(&uri);
        let items = match self.documents.get(&uri) {
            Some(doc) => diagnostics::diagnostics(doc.findings(), &doc.text, self.encoding),
            None => Vec::new(),
        };
        let report = DocumentDiagnosticReportResult::Report(DocumentDiagnosticReport::Full(
            RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: FullDocumentDiagnosticReport {
                    result_id: None,
                    items,
                },
            },
        ));
        serde_json::to_value(report).unwrap_or_default()
    }

    /// Lints the buffer now if its findings are not those of its text.
    fn ensure_fresh(&mut self, uri: &Uri) {
        if self.documents.get(uri).is_some_and(|doc| !doc.is_fresh()) {
            self.lint(std::slice::from_ref(uri), Some(uri));
        }
    }

    fn code_actions(&mut self, params: CodeActionParams) -> serde_json::Value {
        let uri = params.text_document.uri;
        self.ensure_fresh(&uri);
        let Some(doc) = self.documents.get(&uri) else {
            return serde_json::Value::Null;
        };
        // Fixing all takes a lint in rounds: not for the light bulb a
        // client asks about on every move of the cursor, unless it asks
        // for source actions by name.
        let automatic = params.context.trigger_kind == Some(CodeActionTriggerKind::AUTOMATIC);
        let asks_source = params
            .context
            .only
            .as_ref()
            .is_some_and(|only| only.iter().any(|kind| kind.as_str().starts_with("source")));
        let wanted = actions::Wanted(params.context.only);
        let mut found = actions::quick_fixes(
            &uri,
            &doc.text,
            doc.findings(),
            params.range,
            self.encoding,
            &wanted,
        );
        let has_safe_fix = doc.findings().iter().any(|f| {
            f.fix
                .as_ref()
                .is_some_and(|fix| crate::lint::fix::applies(fix, false))
        });
        if has_safe_fix && (asks_source || !automatic) {
            let fixed = self.fixed_text(&uri);
            if let Some(doc) = self.documents.get(&uri) {
                found.extend(actions::fix_all(
                    &uri,
                    &doc.text,
                    fixed.as_deref(),
                    self.encoding,
                    &wanted,
                ));
            }
        }
        serde_json::to_value(found).unwrap_or_default()
    }

    /// The buffer with its safe fixes applied, in rounds as `check --fix`
    /// does, its crate's other open buffers standing for their files.
    fn fixed_text(&self, uri: &Uri) -> Option<String> {
        let doc = self.documents.get(uri)?;
        let roots = CrateRoots::default();
        let root = roots.root_of(&doc.path);
        let texts: Vec<(PathBuf, String)> = self
            .documents
            .values()
            .filter(|d| d.path == doc.path || (root.is_some() && roots.root_of(&d.path) == root))
            .map(|d| (d.path.clone(), d.text.clone()))
            .collect();
        let mut request = crate::lint::run::RunRequest::new(Vec::new());
        request.texts = texts;
        let resolver = request.resolver().ok()?;
        let done = crate::lint::fix::fix_run(&request, resolver, false).ok()?;
        done.files
            .into_iter()
            .find(|f| f.path == doc.path)
            .map(|f| f.fixed)
    }

    fn hover(&mut self, params: HoverParams) -> serde_json::Value {
        let at = params.text_document_position_params;
        let Some(doc) = self.documents.get(&at.text_document.uri) else {
            return serde_json::Value::Null;
        };
        let positions = Positions::new(&doc.text, self.encoding);
        serde_json::to_value(hover::hover(&positions, at.position)).unwrap_or_default()
    }

    fn publish(&self, uri: Uri, diagnostics: Vec<lsp_types::Diagnostic>, version: Option<i32>) {
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        self.notify(notify::PublishDiagnostics::METHOD, params);
    }

    fn show(&self, typ: MessageType, message: String) {
        self.notify(
            notify::ShowMessage::METHOD,
            ShowMessageParams { typ, message },
        );
    }

    fn notify(&self, method: &str, params: impl serde::Serialize) {
        let note = Notification::new(method.to_string(), params);
        let _ = self.connection.sender.send(note.into());
    }

    fn request(&mut self, method: &str, params: impl serde::Serialize) {
        self.next_id += 1;
        let id = RequestId::from(format!("tasklint-{}", self.next_id));
        let request = Request::new(id, method.to_string(), params);
        let _ = self.connection.sender.send(request.into());
    }

    fn respond(&self, response: Response) {
        let _ = self.connection.sender.send(response.into());
    }
}

/// A notification's parameters; `None` when they do not fit its method
/// (ignored, as the protocol has no way to answer a notification).
fn params<P: serde::de::DeserializeOwned>(note: Notification) -> Option<P> {
    serde_json::from_value(note.params).ok()
}

/// Parameters that do not fit the method are the client's error, answered
/// as such.
fn parse<P: serde::de::DeserializeOwned>(request: Request) -> Result<P, (ErrorCode, String)> {
    serde_json::from_value(request.params).map_err(|err| {
        (
            ErrorCode::InvalidParams,
            format!("invalid parameters: {err}"),
        )
    })
}

/// Did a lint find the same as the one before (for pulling clients: is
/// there anything new to pull)?
fn same_findings(a: &[crate::base::finding::Finding], b: &[crate::base::finding::Finding]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.rule.id == y.rule.id
                && x.region == y.region
                && x.message == y.message
                && x.severity == y.severity
        })
}
