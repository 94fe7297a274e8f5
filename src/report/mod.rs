//! Baselines and the formats findings are written in.

pub(crate) mod baseline;
pub(crate) mod output;
pub mod render;
