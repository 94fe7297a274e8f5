//! Data tables: spawners and their drop semantics.

pub mod crates;
pub mod declared;
pub mod spawner;
