// Starts `tasklint server` for Rust files; diagnostics, quick fixes,
// `source.fixAll.tasklint` and hovers come from the server.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("tasklint").get("path", "tasklint");
  const serverOptions = { command, args: ["server"] };
  const clientOptions = {
    documentSelector: [{ scheme: "file", language: "rust" }],
  };
  client = new LanguageClient("tasklint", "tasklint", serverOptions, clientOptions);
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
