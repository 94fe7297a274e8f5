//! Syntax trees: macro expansion and spans.

pub mod macros;
pub mod spans;
