//! Finding the files to lint: the walk, crate roots, configuration probes.

pub mod discover;
pub(crate) mod read;
pub mod stamp;
pub mod workspace;
