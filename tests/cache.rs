//! The result cache: a warm run prints what a cold run prints, byte for
//! byte, and reads nothing it need not; every way an entry goes stale is
//! noticed. The cache's own line of `TASKLINT_TIMING` says what a run
//! took from the cache.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, SystemTime};

use support::{scratch, stderr, stdout, write};

/// File times this close to a run are not trusted alone (the cache's
/// racy window is two seconds): fixtures written just now wait it out
/// where a test needs stamps to hold.
fn settle() {
    std::thread::sleep(Duration::from_millis(2200));
}

/// Runs the binary in `dir` with its cache in `cache`.
fn run_with_cache(dir: &Path, cache: &Path, args: &[&str]) -> Output {
    support::command(dir, args)
        .env("TASKLINT_CACHE_DIR", cache)
        .env("TASKLINT_TIMING", "1")
        .output()
        .expect("tasklint runs")
}

/// The run's `cache:` line.
fn cache_line(output: &Output) -> String {
    stderr(output)
        .lines()
        .find(|line| line.starts_with("cache:"))
        .unwrap_or_else(|| panic!("no cache line in:\n{}", stderr(output)))
        .to_string()
}

/// Asserts that `text` holds `part`, showing `text` when it does not.
fn has(text: &str, part: &str) {
    assert!(text.contains(part), "no {part:?} in:\n{text}");
}

/// Asserts that `text` does not hold `part`, showing `text` when it does.
fn lacks(text: &str, part: &str) {
    assert!(!text.contains(part), "{part:?} in:\n{text}");
}

/// What a run without the cache prints.
fn uncached(dir: &Path, args: &[&str]) -> Output {
    let mut args = args.to_vec();
    args.push("--no-cache");
    support::tasklint(dir, &args)
}

/// Runs with the cache and asserts that the output is a run's without it.
fn as_uncached(dir: &Path, cache: &Path, args: &[&str]) -> Output {
    let output = run_with_cache(dir, cache, args);
    assert_eq!(
        shown(&output),
        shown(&uncached(dir, args)),
        "tasklint {}",
        args.join(" ")
    );
    output
}

/// Stdout, exit code and standard error but for the timing lines.
fn shown(output: &Output) -> (String, Option<i32>, String) {
    let err: String = stderr(output)
        .lines()
        .filter(|line| !line.starts_with("timing:") && !line.starts_with("cache:"))
        .map(|line| format!("{line}\n"))
        .collect();
    (stdout(output), output.status.code(), err)
}

const ARGS: &[&str] = &["check", ".", "--select", "all", "--format", "concise"];

/// A crate whose findings span files: a spawner inferred from
/// `runtime.rs`'s signature is called in `client.rs`; a handle field
/// declared in `lib.rs`, filled in `worker.rs`, is joined in `stop.rs`;
/// `leak.rs` leaks on its own.
fn project() -> (tempfile::TempDir, PathBuf) {
    let dir = scratch();
    let root = dir.path().join("demo");
    write(
        &root,
        "Cargo.toml",
        "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    write(
        &root,
        "src/lib.rs",
        "pub mod client;\npub mod runtime;\npub mod stop;\npub mod worker;\n\npub(crate) struct Worker {\n    handle: tokio::task::JoinHandle<()>,\n}\n",
    );
    write(
        &root,
        "src/runtime.rs",
        "pub fn spawn<F>(future: F) -> tokio::task::JoinHandle<F::Output>\nwhere\n    F: std::future::Future + Send + 'static,\n    F::Output: Send + 'static,\n{\n    tokio::spawn(future)\n}\n",
    );
    write(
        &root,
        "src/client.rs",
        "pub fn start() {\n    crate::runtime::spawn(async {});\n}\n",
    );
    write(
        &root,
        "src/worker.rs",
        "impl crate::Worker {\n    pub(crate) fn new() -> crate::Worker {\n        crate::Worker { handle: tokio::spawn(async {}) }\n    }\n}\n",
    );
    write(
        &root,
        "src/stop.rs",
        "pub(crate) async fn stop(worker: crate::Worker) {\n    worker.handle.await.unwrap();\n}\n",
    );
    write(
        &root,
        "src/leak.rs",
        "pub fn f() {\n    tokio::spawn(async { loop {} });\n}\n",
    );
    (dir, root)
}

/// Runs cold, then checks that every later run matches a run without the
/// cache; returns the cache folder.
fn cold(root: &Path) -> PathBuf {
    let cache = root.parent().expect("parent").join("cache");
    let first = as_uncached(root, &cache, ARGS);
    has(&cache_line(&first), "walk done");
    cache
}

/// Runs warm and checks the output is that of a run without the cache.
fn warm(root: &Path, cache: &Path) -> String {
    cache_line(&as_uncached(root, cache, ARGS))
}

fn set_modified(path: &Path, time: SystemTime) {
    let file = std::fs::File::options()
        .write(true)
        .open(path)
        .expect("open");
    file.set_modified(time).expect("set time");
}

#[test]
fn a_warm_run_reads_no_file_and_prints_the_same() {
    let (_dir, root) = project();
    settle();
    let cache = cold(&root);
    let before = stdout(&uncached(&root, ARGS));
    has(&before, "client.rs");
    has(&before, "leak.rs");
    let line = warm(&root, &cache);
    assert_eq!(
        line,
        "cache: walk replayed, 0 files read, 1 crate from the cache, 0 crates linted"
    );
    // Findings are cached, not their rendering: other formats come out
    // the same too.
    for format in ["json", "human", "sarif", "github"] {
        let args = ["check", ".", "--select", "all", "--format", format];
        let warm = as_uncached(&root, &cache, &args);
        assert!(cache_line(&warm).contains("1 crate from the cache"));
    }
    // A snapshot that did not change is not written again.
    let snapshot = snapshots(&cache).pop().expect("a snapshot");
    let written = std::fs::metadata(&snapshot).and_then(|m| m.modified()).ok();
    warm(&root, &cache);
    let again = std::fs::metadata(&snapshot).and_then(|m| m.modified()).ok();
    assert_eq!(written, again);
}

#[test]
fn a_changed_file_is_linted_again() {
    let (_dir, root) = project();
    settle();
    let cache = cold(&root);
    write(&root, "src/leak.rs", "pub fn f() {}\n");
    let line = warm(&root, &cache);
    has(&line, "1 file read");
    has(&line, "1 crate linted");
    assert!(!stdout(&uncached(&root, ARGS)).contains("leak.rs"));
}

#[test]
fn the_hash_decides_when_size_and_modification_time_are_the_same() {
    let (_dir, root) = project();
    let leak = root.join("src/leak.rs");
    let old = SystemTime::now() - Duration::from_secs(3600);
    set_modified(&leak, old);
    settle();
    let cache = cold(&root);
    let before = std::fs::read_to_string(&leak).expect("read");
    // Same length, no longer an endless loop; the old modification time
    // back.
    let after = before.replace("loop {}", "loup {}");
    assert_eq!(before.len(), after.len());
    std::fs::write(&leak, &after).expect("write");
    set_modified(&leak, old);
    let line = warm(&root, &cache);
    has(&line, "1 file read");
    lacks(&stdout(&uncached(&root, ARGS)), "detached-endless-task");
    // The same bytes written again: read, and the crate comes from the cache.
    std::fs::write(&leak, &after).expect("write");
    let line = warm(&root, &cache);
    assert!(
        line.contains("1 file read, 1 crate from the cache"),
        "{line}"
    );
}

/// A crate of a spawn and a file without a word any rule looks for.
fn plain_project() -> (tempfile::TempDir, PathBuf) {
    let dir = scratch();
    let root = dir.path().join("plain");
    write(
        &root,
        "Cargo.toml",
        "[package]\nname = \"plain\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    write(
        &root,
        "src/lib.rs",
        "pub mod plain;\n\npub fn f() {\n    tokio::spawn(async {});\n}\n",
    );
    write(&root, "src/plain.rs", "pub fn plain() {}\n");
    (dir, root)
}

#[test]
fn a_file_the_prefilter_skips_is_not_hashed_and_new_bytes_it_skips_change_nothing() {
    let (_dir, root) = plain_project();
    settle();
    let cache = cold(&root);
    // Other bytes, still without a word any rule looks for: read, skipped
    // again, and the crate's results stand.
    write(&root, "src/plain.rs", "pub fn plain() -> u8 {\n    1\n}\n");
    let line = warm(&root, &cache);
    has(&line, "1 file read, 1 crate from the cache");
    // A spawn in it: linted again.
    let spawns = "pub fn plain() {\n    tokio::spawn(async {});\n}\n";
    relinted(&root, &cache, "src/plain.rs", spawns, "src/plain.rs:2");
}

/// Writes `text` to `file`, runs warm, and checks that the file was read,
/// its crate linted again, and the output shows `shown`.
fn relinted(root: &Path, cache: &Path, file: &str, text: &str, shown: &str) {
    write(root, file, text);
    let line = warm(root, cache);
    has(
        &line,
        "1 file read, 0 crates from the cache, 1 crate linted",
    );
    has(&stdout(&uncached(root, ARGS)), shown);
}

#[test]
fn a_skipped_file_is_linted_again_where_the_configuration_adds_words() {
    let (_dir, root) = plain_project();
    write(&root, "tasklint.toml", "detaching = [\"my_rt::launch\"]\n");
    // No word of the built-in rules: the walk's prefilter skips it, and
    // the configured spawner's word has it read again.
    write(
        &root,
        "src/go.rs",
        "pub fn go() {\n    my_rt::launch(async {});\n}\n",
    );
    settle();
    let cache = cold(&root);
    has(&stdout(&uncached(&root, ARGS)), "src/go.rs:2");
    // Still skipped by the built-in words, but its finding moved.
    let moved = "pub fn go() {\n\n    my_rt::launch(async {});\n}\n";
    relinted(&root, &cache, "src/go.rs", moved, "src/go.rs:3");
}

#[test]
fn a_changed_configuration_is_noticed() {
    let (_dir, root) = project();
    settle();
    let cache = cold(&root);
    let args = ["check", ".", "--format", "concise"];
    run_with_cache(&root, &cache, &args);
    write(
        &root,
        "tasklint.toml",
        "ignore = [\"detached-endless-task\"]\n",
    );
    let output = as_uncached(&root, &cache, &args);
    lacks(&stdout(&output), "leak.rs");
    // And changed back, in place.
    write(&root, "tasklint.toml", "ignore = []\n");
    let output = as_uncached(&root, &cache, &args);
    has(&stdout(&output), "leak.rs");
}

/// `runtime::spawn` as it is in [`project`], but returning no handle: a
/// call of it no longer spawns.
const SPAWN_WITHOUT_HANDLE: &str = "pub fn spawn<F>(future: F)\nwhere\n    F: std::future::Future + Send + 'static,\n    F::Output: Send + 'static,\n{\n    drop(tokio::spawn(future));\n}\n";

/// A pre-commit run: the changed file named.
const PRE_COMMIT: [&str; 6] = [
    "check",
    "src/client.rs",
    "--select",
    "all",
    "--format",
    "concise",
];

#[test]
fn a_signature_in_another_file_decides_again() {
    let (_dir, root) = project();
    settle();
    let cache = cold(&root);
    assert!(stdout(&uncached(&root, ARGS)).contains("client.rs"));
    // `runtime::spawn` no longer returns a handle: `client.rs`, unchanged,
    // no longer spawns.
    write(&root, "src/runtime.rs", SPAWN_WITHOUT_HANDLE);
    let line = warm(&root, &cache);
    has(&line, "1 crate linted");
    assert!(!stdout(&uncached(&root, ARGS)).contains("client.rs"));
}

/// A pre-commit run names the changed files: their crate's results also
/// depend on its files outside the run, whose stamps are kept too.
#[test]
fn a_crate_not_covered_whole_follows_its_files_outside_the_run() {
    let (_dir, root) = project();
    settle();
    let cache = root.parent().expect("parent").join("cache");
    for args in [
        &PRE_COMMIT[..],
        &["check", "src", "--select", "all", "--format", "concise"][..],
    ] {
        as_uncached(&root, &cache, args);
        let warm = as_uncached(&root, &cache, args);
        has(&cache_line(&warm), "1 crate from the cache");
    }
    let args = PRE_COMMIT;
    assert!(stdout(&uncached(&root, &args)).contains("client.rs"));
    // `runtime.rs`, not in the run, no longer returns a handle.
    write(&root, "src/runtime.rs", SPAWN_WITHOUT_HANDLE);
    let output = as_uncached(&root, &cache, &args);
    lacks(&stdout(&output), "client.rs");
    has(&cache_line(&output), "1 crate linted");
}

#[test]
fn a_handle_field_joined_in_another_file_decides_again() {
    let (_dir, root) = project();
    settle();
    let cache = cold(&root);
    assert!(!stdout(&uncached(&root, ARGS)).contains("lib.rs"));
    // `stop.rs` no longer joins the field: `lib.rs`, unchanged, is reported.
    // The prefilter skips `stop.rs` before and after, but the crate pass
    // reads it for the field's uses: its bytes count.
    write(
        &root,
        "src/stop.rs",
        "pub(crate) fn stop(_worker: crate::Worker) {}\n",
    );
    let line = warm(&root, &cache);
    has(
        &line,
        "1 file read, 0 crates from the cache, 1 crate linted",
    );
    assert!(stdout(&uncached(&root, ARGS)).contains("src/lib.rs"));
}

#[test]
fn a_deleted_file_is_gone_from_the_report_and_the_cache() {
    let (_dir, root) = project();
    settle();
    let cache = cold(&root);
    std::fs::remove_file(root.join("src/leak.rs")).expect("remove");
    let line = warm(&root, &cache);
    has(&line, "walk done");
    assert!(!stdout(&uncached(&root, ARGS)).contains("leak.rs"));
    settle();
    warm(&root, &cache);
    let line = warm(&root, &cache);
    assert_eq!(
        line,
        "cache: walk replayed, 0 files read, 1 crate from the cache, 0 crates linted"
    );
    let snapshot = std::fs::read(snapshots(&cache).pop().expect("snapshot")).expect("read");
    let needle = b"leak.rs";
    assert!(
        !snapshot.windows(needle.len()).any(|w| w == needle),
        "the deleted file's entry is pruned"
    );
}

/// The snapshot files under `cache`, oldest first.
fn snapshots(cache: &Path) -> Vec<PathBuf> {
    let mut found: Vec<(SystemTime, PathBuf)> = Vec::new();
    for version in std::fs::read_dir(cache).expect("cache dir").flatten() {
        if !version.path().is_dir() {
            continue;
        }
        for entry in std::fs::read_dir(version.path())
            .expect("version dir")
            .flatten()
        {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "bin") {
                let time = entry.metadata().and_then(|m| m.modified()).expect("time");
                found.push((time, path));
            }
        }
    }
    found.sort();
    found.into_iter().map(|(_, path)| path).collect()
}

#[test]
fn a_damaged_cache_is_ignored_with_a_note() {
    let (_dir, root) = project();
    settle();
    let cache = cold(&root);
    let snapshot = snapshots(&cache).pop().expect("snapshot");
    let bytes = std::fs::read(&snapshot).expect("read");
    let damaged: Vec<(&str, Vec<u8>)> = vec![
        ("truncated", bytes[..bytes.len() / 2].to_vec()),
        ("empty", Vec::new()),
        (
            "garbage",
            (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect(),
        ),
        ("flipped", {
            let mut flipped = bytes.clone();
            for at in (0..flipped.len()).step_by(97) {
                flipped[at] ^= 0x5a;
            }
            flipped
        }),
        ("one byte flipped", {
            let mut flipped = bytes.clone();
            flipped[bytes.len() * 2 / 3] ^= 0x01;
            flipped
        }),
    ];
    for (what, damage) in damaged {
        std::fs::write(&snapshot, damage).expect("write");
        let output = run_with_cache(&root, &cache, ARGS);
        let (out, code, err) = shown(&output);
        let (clean_out, clean_code, _) = shown(&uncached(&root, ARGS));
        assert_eq!((out, code), (clean_out, clean_code), "{what}");
        assert!(!err.contains("panicked"), "{what}: {err}");
        // Every damage is seen (the snapshot's parts carry checksums).
        assert!(err.contains("note: cache"), "{what}: {err}");
        assert!(err.contains("ignored"), "{what}: {err}");
        // Written again whole: the next run is warm.
        let line = warm(&root, &cache);
        assert!(line.contains("1 crate from the cache"), "{what}: {line}");
    }
    // A snapshot that cannot be read (a folder in its place).
    std::fs::remove_file(&snapshot).expect("remove");
    std::fs::create_dir(&snapshot).expect("mkdir");
    let output = run_with_cache(&root, &cache, ARGS);
    assert_eq!(shown(&output).0, shown(&uncached(&root, ARGS)).0);
    has(&stderr(&output), "note: cache");
    // A FIFO in the snapshot's place: not waited on.
    std::fs::remove_dir(&snapshot).expect("rmdir");
    let made = std::process::Command::new("mkfifo").arg(&snapshot).status();
    if made.is_ok_and(|status| status.success()) {
        let output = run_with_cache(&root, &cache, ARGS);
        assert_eq!(shown(&output).0, shown(&uncached(&root, ARGS)).0);
        has(&stderr(&output), "note: cache");
        std::fs::remove_file(&snapshot).expect("rm fifo");
    }
    // A cache folder that cannot be made: a note, and the run goes on.
    let blocked = root.parent().expect("parent").join("blocked");
    std::fs::write(&blocked, "a file").expect("write");
    let output = run_with_cache(&root, &blocked.join("cache"), ARGS);
    assert_eq!(shown(&output).0, shown(&uncached(&root, ARGS)).0);
    has(&stderr(&output), "note: cache not written");
}

#[test]
fn another_build_of_tasklint_starts_cold() {
    let (dir, root) = project();
    let tool = dir.path().join("tasklint-copy");
    std::fs::copy(env!("CARGO_BIN_EXE_tasklint"), &tool).expect("copy the binary");
    let cache = root.parent().expect("parent").join("cache");
    let run = |tool: &Path| {
        std::process::Command::new(tool)
            .args(ARGS)
            .current_dir(&root)
            .env("NO_COLOR", "1")
            .env("TASKLINT_CACHE_DIR", &cache)
            .env("TASKLINT_TIMING", "1")
            .output()
            .expect("runs")
    };
    set_modified(&tool, SystemTime::now() - Duration::from_secs(3600));
    settle();
    run(&tool);
    assert!(cache_line(&run(&tool)).contains("1 crate from the cache"));
    // Rebuilt (a new binary in its place): its snapshot is another.
    set_modified(&tool, SystemTime::now() - Duration::from_secs(60));
    let line = cache_line(&run(&tool));
    has(&line, "0 crates from the cache");
    // Each version keeps its snapshots in a folder of its own.
    let version = cache.join(env!("CARGO_PKG_VERSION"));
    assert!(version.is_dir(), "{}", version.display());
}

#[test]
fn two_runs_at_once_leave_a_cache_that_works() {
    let (_dir, root) = project();
    settle();
    let cache = root.parent().expect("parent").join("cache");
    let spawn = || {
        support::command(&root, ARGS)
            .env("TASKLINT_CACHE_DIR", &cache)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn")
    };
    let clean = shown(&uncached(&root, ARGS)).0;
    for _ in 0..3 {
        let (a, b) = (spawn(), spawn());
        for child in [a, b] {
            let output = child.wait_with_output().expect("wait");
            assert_eq!(stdout(&output), clean);
        }
    }
    let line = warm(&root, &cache);
    has(&line, "1 crate from the cache");
    // No temporary file is left behind.
    for version in std::fs::read_dir(&cache).expect("cache").flatten() {
        if version.path().is_dir() {
            for entry in std::fs::read_dir(version.path()).expect("dir").flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                assert!(name.ends_with(".bin"), "left behind: {name}");
            }
        }
    }
}

#[test]
fn the_default_cache_is_in_the_project_root_and_ignores_itself() {
    let (_dir, root) = project();
    write(&root, "Cargo.lock", "version = 4\n");
    std::fs::create_dir_all(root.join("src/nested")).expect("mkdir");
    let from_sub = support::command(&root.join("src/nested"), &["check", "../.."])
        .env_remove("TASKLINT_CACHE_DIR")
        .output()
        .expect("runs");
    assert!(from_sub.status.code().is_some());
    let cache = root.join(".tasklint_cache");
    let ignore = std::fs::read_to_string(cache.join(".gitignore")).expect(".gitignore");
    assert!(ignore.lines().any(|line| line == "*"), "{ignore}");
    assert!(cache.join("CACHEDIR.TAG").is_file());
    // `--no-cache` neither reads nor writes one.
    let (_other, elsewhere) = project();
    write(&elsewhere, "Cargo.lock", "version = 4\n");
    support::command(&elsewhere, &["check", "--no-cache"])
        .env_remove("TASKLINT_CACHE_DIR")
        .output()
        .expect("runs");
    assert!(!elsewhere.join(".tasklint_cache").exists());
}

/// The crates-like fixture of the repository (several crates, a
/// workspace), cold and warm, in every format: byte for byte the same.
#[test]
fn the_crates_fixture_prints_the_same_cold_and_warm() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/crates");
    let dir = scratch();
    let cache = dir.path().join("cache");
    for format in ["concise", "json", "sarif", "human"] {
        let args = ["check", ".", "--select", "all", "--format", format];
        let clean = uncached(&fixtures, &args);
        let cold = run_with_cache(&fixtures, &cache, &args);
        let warm = run_with_cache(&fixtures, &cache, &args);
        assert!(!stdout(&clean).is_empty());
        assert_eq!(cold.stdout, clean.stdout, "{format}: cold");
        assert_eq!(warm.stdout, clean.stdout, "{format}: warm");
        assert_eq!(shown(&warm), shown(&clean), "{format}");
        assert!(
            !cache_line(&warm).contains(" 0 crates from the cache"),
            "{format}: {}",
            cache_line(&warm)
        );
    }
}
