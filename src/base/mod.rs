//! Rules, findings, fingerprints and small helpers every layer uses.

pub mod bounded;
pub mod diag;
pub mod escape;
pub mod fasthash;
pub mod finding;
pub mod fingerprint;
pub mod rule;
