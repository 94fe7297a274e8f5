//! Text before parsing: the lexer, the prefilter, the depth guard, masking.

pub mod depth;
pub mod mask;
pub mod prefilter;
