#!/usr/bin/env bash
# How long `tasklint server` takes from a change to the diagnostics of the
# changed text, on a generated 2,000-line file (issue 17: within 100 ms).
# A client (Python, standard library only) opens the file, then sends
# full-text changes one at a time, each adding or removing a leak, and times
# each didChange until the publishDiagnostics of that version arrives; the
# time includes the server's debounce (30 ms).
#   usage: bench/server-latency.sh [CHANGES]      (50 by default)
#   TASKLINT=path/to/tasklint uses that binary instead of building one
#   (by default `cargo build --profile fast`: release code without LTO).
#   OTHER_FILES=N adds N more files to the crate (default 20), read from disk
#   for the crate model and the crate pass on every change.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
changes=${1:-50}
other_files=${OTHER_FILES:-20}
command -v python3 >/dev/null || { echo "python3 is needed for the client" >&2; exit 2; }
if [ -z "${TASKLINT:-}" ]; then
  cargo build --profile fast --locked --quiet --manifest-path "$repo/Cargo.toml"
  TASKLINT="$repo/target/fast/tasklint"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$TASKLINT" "$work" "$changes" "$other_files" <<'PY'
import json, os, statistics, subprocess, sys, time

tasklint, work, changes, other_files = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])

# A crate: Cargo.toml, src/lib.rs (the 2,000-line file), and other files.
os.makedirs(os.path.join(work, "src"))
with open(os.path.join(work, "Cargo.toml"), "w") as f:
    f.write('[package]\nname = "bench"\nversion = "0.1.0"\nedition = "2021"\n')

def block(i):
    """20 lines: a struct with a handle field, spawns kept and awaited,
    a loop, a select!, so every stage of the lint has work."""
    return f"""pub struct Worker{i} {{
    task: Option<tokio::task::JoinHandle<()>>,
}}

impl Worker{i} {{
    pub async fn run(&mut self, rx: &mut tokio::sync::mpsc::Receiver<u64>) -> u64 {{
        let handle = tokio::spawn(async move {{ {i} }});
        self.task = Some(tokio::spawn(async {{}}));
        let mut total = handle.await.unwrap_or_default();
        while let Some(value) = rx.recv().await {{
            total += value;
        }}
        if let Some(task) = self.task.take() {{
            task.abort();
            let _ = task.await;
        }}
        total
    }}
}}

"""

lib_lines = "".join(f"mod other{i};\n" for i in range(other_files))
body = "".join(block(i) for i in range((2000 - other_files) // 20))
base = lib_lines + body
base += "// filler\n" * (2000 - base.count("\n"))
assert base.count("\n") == 2000, base.count("\n")
leak = "pub async fn leak() {\n    tokio::spawn(async { loop { tick().await; } });\n}\nasync fn tick() {}\n"
with open(os.path.join(work, "src", "lib.rs"), "w") as f:
    f.write(base)
for i in range(other_files):
    with open(os.path.join(work, "src", f"other{i}.rs"), "w") as f:
        f.write("".join(block(1000 + i * 10 + j) for j in range(5)))

server = subprocess.Popen([tasklint, "server"], cwd=work, stdin=subprocess.PIPE, stdout=subprocess.PIPE)

def send(message):
    body = json.dumps(message).encode()
    server.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    server.stdin.flush()

def receive():
    length = None
    while True:
        line = server.stdout.readline()
        if not line:
            raise SystemExit("the server closed its output")
        if line in (b"\r\n", b"\n"):
            break
        name, _, value = line.decode().partition(":")
        if name.lower() == "content-length":
            length = int(value)
    return json.loads(server.stdout.read(length))

def diagnostics_of(version):
    while True:
        message = receive()
        if message.get("method") == "textDocument/publishDiagnostics" and message["params"].get("version") == version:
            return message["params"]["diagnostics"]

uri = "file://" + os.path.join(os.path.realpath(work), "src", "lib.rs")
send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"processId": None, "capabilities": {}}})
receive()
send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": uri, "languageId": "rust", "version": 1, "text": base}}})
start = time.perf_counter()
first = diagnostics_of(1)
open_ms = (time.perf_counter() - start) * 1000

times = []
counts = set()
for version in range(2, changes + 2):
    text = base + leak if version % 2 == 0 else base
    send({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
        "textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}})
    start = time.perf_counter()
    found = diagnostics_of(version)
    times.append((time.perf_counter() - start) * 1000)
    counts.add(len(found))
    time.sleep(0.05)  # a pause in typing, so each change is linted alone

send({"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": None})
send({"jsonrpc": "2.0", "method": "exit", "params": None})
server.wait(timeout=30)

lines = base.count("\n")
times.sort()
p90 = times[min(len(times) - 1, int(len(times) * 0.9))]
print(f"file: {lines} lines ({len(base)} bytes), crate: {other_files} other files; {len(times)} changes")
print(f"first lint on open: {open_ms:.1f} ms ({len(first)} diagnostics)")
print(f"didChange -> publishDiagnostics (debounce of 30 ms included): "
      f"min {times[0]:.1f} ms, median {statistics.median(times):.1f} ms, p90 {p90:.1f} ms, max {times[-1]:.1f} ms")
print(f"diagnostics per change: {sorted(counts)}")
PY
