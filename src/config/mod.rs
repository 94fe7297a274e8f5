//! Configuration files and the settings they resolve to.

pub mod files;
pub mod settings;
