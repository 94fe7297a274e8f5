//! tasklint: finds leaked async tasks in Rust code.
//!
//! The pipeline: [`discover`] the files, [`engine`] reads, prefilters,
//! parses and walks each one ([`walk`]) with the [`rules`]' checks, and
//! [`render`] writes the sorted findings.

// Standard output carries the report alone, written by `output`; messages
// go through `diag`, which never panics on a closed or full stream.
#![warn(clippy::print_stdout, clippy::print_stderr)]

/// syn allocates for every token; glibc's allocator took ~30% of a corpus run.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod baseline;
pub mod bounded;
pub mod cli;
pub mod config;
pub mod crate_pass;
pub mod depth;
pub mod diag;
pub mod discover;
pub mod engine;
pub mod escape;
pub mod fasthash;
pub mod finding;
pub mod fingerprint;
pub mod fuzzing;
pub mod handles;
pub mod inputs;
pub mod macros;
pub mod mask;
pub mod output;
pub mod prefilter;
pub mod render;
pub mod resolve;
pub mod rules;
pub mod settings;
pub mod signals;
pub mod spans;
pub mod spawner;
pub mod suppress;
pub mod walk;
