//! Text before parsing: the lexer, the prefilter, the depth guard, masking.
//!
//! - [`lexer`]: the byte-scan lexer (tokens, literals, comments, brackets).
//! - [`prefilter`]: whether any enabled rule could report in a file.
//! - [`depth`]: the guard against nesting that would overflow the stack.
//! - [`mask`]: blanking the bodies and items no rule reads, before parsing.
//! - `items`, `keep` (private to masking): what masking finds in a file,
//!   and what it keeps.
//! - [`fields`]: the handle fields of a crate, which keep bodies that name them.
//! - [`snippet`]: code quoted in messages, as written, on one line.

pub mod depth;
pub mod fields;
mod items;
mod keep;
pub mod lexer;
pub mod mask;
pub mod prefilter;
pub mod signatures;
pub mod snippet;
