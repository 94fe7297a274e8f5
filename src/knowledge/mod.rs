//! Data tables: spawners and their drop semantics.

pub mod declared;
pub mod spawner;
