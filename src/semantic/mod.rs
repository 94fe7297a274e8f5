//! What the code means: resolution, the per-file context, the walker, the task-handle model.

pub mod context;
pub mod crate_model;
pub mod explain;
pub mod frames;
pub mod handles;
pub mod lookup;
pub mod resolve;
pub mod signals;
pub mod spawns;
pub mod walk;
