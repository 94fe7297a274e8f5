//! A fast, non-cryptographic hasher for the maps on hot paths (folders,
//! identifiers). The standard SipHash guards against hash flooding, which a
//! linter reading its own user's files does not need; it was a visible share
//! of the serial work between walking and linting.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// FxHash's mixing step (as in rustc), eight bytes at a time.
#[derive(Debug, Default, Clone, Copy)]
pub struct FastHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FastHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;
pub type FastSet<T> = HashSet<T, BuildHasherDefault<FastHasher>>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::{BuildHasher, Hash};

    fn hash(value: impl Hash) -> u64 {
        BuildHasherDefault::<FastHasher>::default().hash_one(value)
    }

    #[test]
    fn equal_values_hash_equal_and_different_ones_apart() {
        assert_eq!(hash("tokio/src/task"), hash("tokio/src/task"));
        let names = [
            "a",
            "b",
            "ab",
            "ba",
            "spawn",
            "spawn_blocking",
            "",
            "0123456789abcdefg",
        ];
        let hashes: FastSet<u64> = names.iter().map(hash).collect();
        assert_eq!(hashes.len(), names.len());
        let map: FastMap<&str, usize> = names.iter().copied().zip(0..).collect();
        assert_eq!(map.get("spawn"), Some(&4));
    }
}
