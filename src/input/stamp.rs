//! What a file or folder looked like when it was read, for the result
//! cache: its metadata (a [`Stamp`]) and a hash of its bytes.
//!
//! A stamp holds when every field is the same. The change time is in it
//! because it cannot be set back: a file rewritten and given its old
//! modification time still gets a new change time, and then its hash
//! decides. A stamp taken less than [`RACY`] before the run that took it
//! may belong to a file written again within the same clock tick (file
//! times are coarse), so it is not trusted alone: the file is hashed.

use std::fs::Metadata;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "Fields", into = "Fields")]
pub struct Stamp {
    pub size: u64,
    /// Nanoseconds since the Unix epoch (good until 2262).
    pub modified: i64,
    pub changed: i64,
    pub inode: u64,
    pub device: u64,
    pub is_dir: bool,
}

/// What a run found out about a file it was asked to lint, for the result
/// cache.
#[derive(Debug, Clone, Copy)]
pub struct Seen {
    pub stamp: Stamp,
    pub content: Content,
    /// How its bytes compare with those the snapshot's results were found
    /// from.
    pub holds: Holds,
}

/// What the cache keeps of a file's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    /// The hash of its bytes.
    Hash(u128),
    /// Skipped by the widest prefilter (no trigger word of any rule): not
    /// hashed. Settings that filter within the widest skip any such bytes
    /// alike, whatever they are (most of a tree's files, and most of its
    /// bytes, are skipped).
    Skipped,
}

/// How a file's bytes compare with those a snapshot kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holds {
    /// Other bytes, or none kept.
    No,
    /// The same bytes (the stamp is the same, or the hash).
    Bytes,
    /// Skipped by the widest prefilter then and now: the same to settings
    /// that filter within the widest, not to others.
    Skipped,
}

impl Content {
    /// How these bytes compare with those `kept` describes.
    pub fn against(self, kept: Content) -> Holds {
        match (self, kept) {
            (Content::Hash(now), Content::Hash(then)) if now == then => Holds::Bytes,
            (Content::Skipped, Content::Skipped) => Holds::Skipped,
            _ => Holds::No,
        }
    }
}

/// A stamp as stored: a list, not an object with its field names.
#[derive(Serialize, Deserialize)]
struct Fields(u64, i64, i64, u64, u64, bool);

impl From<Stamp> for Fields {
    fn from(s: Stamp) -> Fields {
        Fields(s.size, s.modified, s.changed, s.inode, s.device, s.is_dir)
    }
}

impl From<Fields> for Stamp {
    fn from(f: Fields) -> Stamp {
        Stamp {
            size: f.0,
            modified: f.1,
            changed: f.2,
            inode: f.3,
            device: f.4,
            is_dir: f.5,
        }
    }
}

/// File times this close to the run that took the stamp may hide a later
/// write in the same tick (ext4's clock ticks in milliseconds; FAT's in
/// two seconds).
pub const RACY: i64 = 2_000_000_000;

impl Stamp {
    pub fn of(metadata: &Metadata) -> Stamp {
        let nanos = |time: std::io::Result<SystemTime>| {
            time.ok()
                .map(|time| match time.duration_since(UNIX_EPOCH) {
                    Ok(after) => after.as_nanos() as i64,
                    Err(before) => -(before.duration().as_nanos() as i64),
                })
                .unwrap_or(0)
        };
        #[cfg(unix)]
        let (changed, inode, device) = {
            use std::os::unix::fs::MetadataExt;
            (
                metadata.ctime() * 1_000_000_000 + metadata.ctime_nsec(),
                metadata.ino(),
                metadata.dev(),
            )
        };
        #[cfg(not(unix))]
        let (changed, inode, device) = (nanos(metadata.created()), 0, 0);
        Stamp {
            size: metadata.len(),
            modified: nanos(metadata.modified()),
            changed,
            inode,
            device,
            is_dir: metadata.is_dir(),
        }
    }

    /// The stamp of what is at `path` (links followed), `None` when nothing is.
    pub fn at(path: &Path) -> Option<Stamp> {
        std::fs::metadata(path).ok().map(|m| Stamp::of(&m))
    }

    /// Was it written too close to `taken` (nanoseconds since the epoch)
    /// for the stamp alone to tell a later write?
    pub fn is_racy(&self, taken: i64) -> bool {
        self.modified.max(self.changed) > taken - RACY
    }
}

/// Now, in nanoseconds since the Unix epoch.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i64)
}

/// The hash of a file's bytes.
pub fn hash(bytes: &[u8]) -> u128 {
    twox_hash::XxHash3_128::oneshot(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rewrite_with_the_old_modification_time_changes_the_stamp() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("a.rs");
        std::fs::write(&file, "fn a() {}\n").expect("write");
        let old = SystemTime::now() - std::time::Duration::from_secs(60);
        let set = |file: &Path| {
            let handle = std::fs::File::options()
                .write(true)
                .open(file)
                .expect("open");
            handle.set_modified(old).expect("set time");
        };
        set(&file);
        let before = Stamp::at(&file).expect("stamp");
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&file, "fn b() {}\n").expect("write");
        set(&file);
        let after = Stamp::at(&file).expect("stamp");
        assert_eq!((before.size, before.modified), (after.size, after.modified));
        assert_ne!(before, after, "the change time tells the rewrite");
        assert!(after.is_racy(now()), "just changed");
        assert!(!after.is_racy(now() + 10 * RACY));
        assert_ne!(hash(b"fn a() {}\n"), hash(b"fn b() {}\n"));
    }
}
