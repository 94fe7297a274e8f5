//! Data tables: spawners and their drop semantics.

pub mod spawner;
