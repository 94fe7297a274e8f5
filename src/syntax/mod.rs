//! Syntax trees: macro expansion and spans.

pub mod exprs;
pub mod macros;
pub mod names;
pub mod spans;
