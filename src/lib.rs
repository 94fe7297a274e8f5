//! tasklint: finds leaked async tasks in Rust code.
//!
//! The pipeline: [`input`] finds the files, [`lint`] reads, prefilters
//! ([`text`]), parses ([`syntax`]) and walks each one ([`semantic`]) with
//! the [`rules`]' checks, and [`report`] writes the sorted findings;
//! `server` does the same for an editor, over the Language Server Protocol.

// Standard output carries the report alone, written by `output`; messages
// go through `diag`, which never panics on a closed or full stream.
#![warn(clippy::print_stdout, clippy::print_stderr)]

/// syn allocates for every token; glibc's allocator took ~30% of a corpus run.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

// The layers, lowest first: a module imports only from its own layer and
// the layers listed before it (`tests/layers.rs` checks it).
pub mod base;
pub mod cli;
pub mod config;
pub mod fuzzing;
pub mod input;
pub(crate) mod knowledge;
pub mod lint;
pub mod report;
pub mod rules;
pub(crate) mod semantic;
pub(crate) mod server;
pub(crate) mod syntax;
pub(crate) mod text;
