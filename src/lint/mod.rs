//! Linting: one file, suppressions, the crate pass, the run.

pub mod cache;
pub mod crate_models;
pub mod crate_pass;
pub mod engine;
pub mod explain;
pub mod fix;
pub mod inputs;
pub mod run;
pub(crate) mod suppress;
