//! Baselines and the formats findings are written in.

pub mod baseline;
pub mod output;
pub mod render;
