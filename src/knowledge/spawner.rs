//! Spawners, as SPEC §1's table lists them, and the receiver types whose
//! methods spawn.

/// What dropping a spawner's handle does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spawner {
    /// Dropping the `JoinHandle` detaches the task (tokio, async-std, actix).
    Detaching,
    /// Dropping the `Task` cancels it (smol, async-executor, glommio).
    CancelOnDrop,
    /// The spawner owns the task (`JoinSet`, `TaskTracker`).
    Owning,
    /// `std::thread::spawn`: dropping the handle detaches the thread.
    Thread,
    /// `Command::spawn`: a `Child` process.
    Child,
}

/// Types whose values the rules follow: spawning receivers and task handles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Runtime,
    RuntimeHandle,
    RuntimeBuilder,
    LocalSet,
    JoinSet,
    TaskTracker,
    Executor,
    StdCommand,
    TokioCommand,
    ThreadBuilder,
    /// A tokio/async-std `JoinHandle` (awaitable, detaches on drop).
    JoinHandle,
    /// `JoinHandle` from `spawn_blocking`: `abort()` does nothing once started.
    BlockingJoinHandle,
    /// A `std::thread::JoinHandle`.
    ThreadJoinHandle,
    AbortHandle,
    Child,
    CancellationToken,
}

/// Resolved paths of functions that spawn.
const FUNCTION_SPAWNERS: &[(&str, Spawner)] = &[
    ("tokio::spawn", Spawner::Detaching),
    ("tokio::task::spawn", Spawner::Detaching),
    ("tokio::task::spawn_local", Spawner::Detaching),
    ("tokio::task::spawn_blocking", Spawner::Detaching),
    ("actix_rt::spawn", Spawner::Detaching),
    ("actix_rt::task::spawn_blocking", Spawner::Detaching),
    ("async_std::task::spawn", Spawner::Detaching),
    ("async_std::task::spawn_local", Spawner::Detaching),
    ("async_std::task::spawn_blocking", Spawner::Detaching),
    ("smol::spawn", Spawner::CancelOnDrop),
    ("async_global_executor::spawn", Spawner::CancelOnDrop),
    ("async_global_executor::spawn_local", Spawner::CancelOnDrop),
    (
        "async_global_executor::spawn_blocking",
        Spawner::CancelOnDrop,
    ),
    ("glommio::spawn_local", Spawner::CancelOnDrop),
    ("glommio::spawn_local_into", Spawner::CancelOnDrop),
    ("std::thread::spawn", Spawner::Thread),
];

/// Signal futures the rules know by path.
const SIGNAL_PATHS: &[&str] = &["tokio::signal::ctrl_c", "tokio::signal::unix::signal"];

/// Guards that abort a task when dropped, by path (`abort-spawn-blocking`
/// resolves them, so their imports are kept).
const GUARD_PATHS: &[&str] = &[
    "tokio_util::task::AbortOnDropHandle",
    "tokio_util::task::abort_on_drop::AbortOnDropHandle",
];

/// Is this the resolved path of an abort-on-drop guard's constructor?
pub fn is_abort_guard_constructor(path: &str) -> bool {
    path.strip_suffix("::new")
        .is_some_and(|ty| GUARD_PATHS.contains(&ty))
}

/// The spawner a resolved function path names.
pub fn function_spawner(path: &str) -> Option<Spawner> {
    FUNCTION_SPAWNERS
        .iter()
        .find(|(known, _)| *known == path)
        .map(|&(_, spawner)| spawner)
}

/// Is this a `spawn_blocking`-style spawner, whose task cannot be aborted once started?
pub fn is_blocking_spawner(name: &str) -> bool {
    name.ends_with("spawn_blocking")
}

/// Spawning methods by receiver kind.
pub fn method_spawner(kind: Kind, method: &str) -> Option<Spawner> {
    let spawner = match (kind, method) {
        (Kind::Runtime | Kind::RuntimeHandle, "spawn" | "spawn_blocking") => Spawner::Detaching,
        (Kind::LocalSet, "spawn_local") => Spawner::Detaching,
        (
            Kind::JoinSet | Kind::TaskTracker,
            "spawn" | "spawn_blocking" | "spawn_local" | "spawn_on" | "spawn_local_on"
            | "spawn_blocking_on",
        ) => Spawner::Owning,
        (Kind::Executor, "spawn") => Spawner::CancelOnDrop,
        (Kind::StdCommand | Kind::TokioCommand, "spawn") => Spawner::Child,
        (Kind::ThreadBuilder, "spawn") => Spawner::Thread,
        _ => return None,
    };
    Some(spawner)
}

/// The types whose values have a kind, by resolved path.
const KIND_TYPES: &[(&str, Kind)] = &[
    ("tokio::runtime::Runtime", Kind::Runtime),
    ("tokio::runtime::Handle", Kind::RuntimeHandle),
    ("tokio::runtime::Builder", Kind::RuntimeBuilder),
    ("tokio::task::LocalSet", Kind::LocalSet),
    ("tokio::task::JoinSet", Kind::JoinSet),
    ("tokio::task::join_set::JoinSet", Kind::JoinSet),
    ("tokio_util::task::TaskTracker", Kind::TaskTracker),
    (
        "tokio_util::task::task_tracker::TaskTracker",
        Kind::TaskTracker,
    ),
    ("smol::Executor", Kind::Executor),
    ("smol::LocalExecutor", Kind::Executor),
    ("async_executor::Executor", Kind::Executor),
    ("async_executor::LocalExecutor", Kind::Executor),
    ("async_executor::StaticExecutor", Kind::Executor),
    ("async_executor::StaticLocalExecutor", Kind::Executor),
    ("std::process::Command", Kind::StdCommand),
    ("tokio::process::Command", Kind::TokioCommand),
    ("std::thread::Builder", Kind::ThreadBuilder),
    ("tokio::task::JoinHandle", Kind::JoinHandle),
    ("tokio::task::join_handle::JoinHandle", Kind::JoinHandle),
    ("async_std::task::JoinHandle", Kind::JoinHandle),
    ("std::thread::JoinHandle", Kind::ThreadJoinHandle),
    ("tokio::task::AbortHandle", Kind::AbortHandle),
    ("std::process::Child", Kind::Child),
    ("tokio::process::Child", Kind::Child),
    (
        "tokio_util::sync::CancellationToken",
        Kind::CancellationToken,
    ),
    (
        "tokio_util::sync::cancellation_token::CancellationToken",
        Kind::CancellationToken,
    ),
];

/// The kind of a value whose type path resolves to `path`.
pub fn kind_of_type_path(path: &str) -> Option<Kind> {
    KIND_TYPES
        .iter()
        .find(|(known, _)| *known == path)
        .map(|&(_, kind)| kind)
}

/// The modules a type of [`kind_of_type_path`] named `name` lives in
/// (`process` for `Command`, `runtime` for `Handle`): a file that names
/// such a type names one of them too, in an import or a path.
pub fn modules_of_type_name(name: &str) -> impl Iterator<Item = &'static str> + '_ {
    KIND_TYPES.iter().filter_map(move |(path, _)| {
        let (module, last) = path.rsplit_once("::")?;
        (last == name).then(|| module.rsplit("::").next().unwrap_or(module))
    })
}

/// The names the types of [`kind_of_type_path`] are written with (`Runtime`, `Command`, ...).
pub fn kind_type_names() -> impl Iterator<Item = &'static str> {
    KIND_TYPES
        .iter()
        .filter_map(|(path, _)| path.rsplit("::").next())
}

/// The kind returned by a constructor function, by resolved path.
pub fn kind_of_constructor(path: &str) -> Option<Kind> {
    let (ty, function) = path.rsplit_once("::")?;
    let kind = kind_of_type_path(ty)?;
    let constructs = match kind {
        Kind::Runtime => matches!(function, "new"),
        Kind::RuntimeHandle => matches!(function, "current" | "try_current"),
        Kind::RuntimeBuilder => matches!(
            function,
            "new_multi_thread" | "new_current_thread" | "new_multi_thread_alt"
        ),
        Kind::LocalSet
        | Kind::JoinSet
        | Kind::TaskTracker
        | Kind::Executor
        | Kind::CancellationToken => {
            matches!(function, "new" | "default")
        }
        Kind::StdCommand | Kind::TokioCommand | Kind::ThreadBuilder => function == "new",
        _ => false,
    };
    constructs.then_some(kind)
}

/// The kind a method call on a receiver of kind `kind` returns, for the
/// builder-style and accessor methods the rules follow.
pub fn kind_after_method(kind: Kind, method: &str) -> Option<Kind> {
    match (kind, method) {
        (_, "clone" | "as_ref" | "borrow" | "deref" | "by_ref") => Some(kind),
        (Kind::Runtime, "handle") => Some(Kind::RuntimeHandle),
        (Kind::RuntimeBuilder, "build") => Some(Kind::Runtime),
        (Kind::RuntimeBuilder, _) => Some(Kind::RuntimeBuilder),
        (
            Kind::StdCommand | Kind::TokioCommand,
            "spawn" | "output" | "status" | "get_program" | "get_args",
        ) => None,
        (Kind::StdCommand | Kind::TokioCommand, _) => Some(kind),
        (Kind::ThreadBuilder, "name" | "stack_size" | "no_hooks") => Some(kind),
        (Kind::CancellationToken, "child_token") => Some(kind),
        _ => None,
    }
}

/// Paths whose glob imports or resolution the rules care about, used to
/// decide whether a glob-derived candidate names a real item.
pub fn is_known_path(path: &str) -> bool {
    function_spawner(path).is_some()
        || kind_of_type_path(path).is_some()
        || kind_of_constructor(path).is_some()
        || SIGNAL_PATHS.contains(&path)
        || GUARD_PATHS.contains(&path)
}

/// Every path above: spawning functions, kind types, signals.
pub fn known_paths() -> impl Iterator<Item = &'static str> {
    FUNCTION_SPAWNERS
        .iter()
        .map(|(path, _)| *path)
        .chain(KIND_TYPES.iter().map(|(path, _)| *path))
        .chain(SIGNAL_PATHS.iter().copied())
        .chain(GUARD_PATHS.iter().copied())
}

/// Every segment of every path above (`tokio`, `task`, `spawn`, `Runtime`,
/// `ctrl_c`, ...): an import that names none of them cannot make a path
/// resolve to one of them.
pub fn known_path_segments() -> impl Iterator<Item = &'static str> {
    known_paths().flat_map(|path| path.split("::"))
}
