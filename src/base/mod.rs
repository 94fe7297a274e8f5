//! Rules, findings, fingerprints and small helpers every layer uses.

pub(crate) mod bounded;
pub(crate) mod count;
pub(crate) mod diag;
pub(crate) mod escape;
pub(crate) mod fasthash;
pub mod finding;
pub(crate) mod fingerprint;
pub mod fix;
pub mod region;
pub mod rule;
pub(crate) mod spelling;
