//! What a configuration adds to the tables: its own spawners, the words
//! that name its shutdown paths, and its signal futures.

use std::collections::HashMap;

use crate::knowledge::spawner::Spawner;

#[derive(Debug, Clone, Default)]
pub struct Declared {
    /// Resolved paths of functions that spawn, and what dropping their handle does.
    pub spawners: HashMap<String, Spawner>,
    pub shutdown_words: Vec<String>,
    pub signals: Vec<String>,
}

impl Declared {
    pub fn spawner(&self, path: &str) -> Option<Spawner> {
        self.spawners.get(path).copied()
    }

    pub fn is_spawner(&self, path: &str) -> bool {
        self.spawners.contains_key(path)
    }
}
