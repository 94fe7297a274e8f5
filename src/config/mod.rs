//! Configuration files and the settings they resolve to.

pub mod files;
pub mod resolve;
pub mod settings;
