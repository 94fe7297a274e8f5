//! The crates whose paths the rules know, and the modules whose glob
//! imports bring known names into scope.

/// External crates whose paths the rules know. A path starting with one of
/// these names, unshadowed by an import, is taken as that crate's path.
pub const KNOWN_CRATES: &[&str] = &[
    "tokio",
    "tokio_util",
    "async_std",
    "smol",
    "async_executor",
    "async_global_executor",
    "glommio",
    "actix_rt",
    "futures",
    "futures_util",
    "std",
    "core",
    "alloc",
    "async_process",
];

/// Modules whose glob import (`use tokio::task::*;`) brings known names into scope.
pub const KNOWN_GLOB_MODULES: &[&str] = &[
    "tokio",
    "tokio::task",
    "tokio::runtime",
    "tokio::process",
    "tokio::signal",
    "tokio::sync",
    "tokio_util::sync",
    "tokio_util::task",
    "async_std::task",
    "async_std::prelude",
    "smol",
    "async_executor",
    "async_global_executor",
    "glommio",
    "actix_rt",
    "std::thread",
    "std::process",
    "futures",
    "futures::prelude",
];

/// The names an import must mention to matter to resolution: the known
/// crates and the segments of the known glob modules. (Masking keeps only
/// the `use` items that name one, a known path's segment, or a glob.)
pub fn import_words() -> impl Iterator<Item = &'static str> {
    KNOWN_CRATES
        .iter()
        .copied()
        .chain(KNOWN_GLOB_MODULES.iter().flat_map(|m| m.split("::")))
        .chain(crate::knowledge::spawner::known_path_segments())
}

/// The modules whose globs resolution follows (`tokio::task`, ...).
pub fn glob_modules() -> impl Iterator<Item = &'static str> {
    KNOWN_GLOB_MODULES.iter().copied()
}
