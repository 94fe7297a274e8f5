//! The snapshot as stored: its records, and their conversions from and to
//! what a run holds.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::base::fasthash::FastMap;
use crate::base::finding::{Finding, Region};
use crate::base::fix::{Applicability, Edit, Fix};
use crate::base::rule::Severity;
use crate::input::stamp::{hash, Content, Stamp};
use crate::lint::engine::FileOutcome;

pub(super) fn bytes_of(path: &Path) -> &[u8] {
    path.as_os_str().as_encoded_bytes()
}

/// A path as stored: `None` when it is not UTF-8 (such a file is not cached).
pub(super) fn text_of(path: &Path) -> Option<String> {
    path.to_str().map(str::to_string)
}

/// A snapshot as read: its head and its crates.
#[derive(Debug)]
pub(super) struct Snapshot {
    pub(super) head: Head,
    pub(super) crates: Vec<CrateRecord>,
}

/// A snapshot but for its crates: what needs no file linted, written while
/// the run lints. On disk, a snapshot is its head's length (eight bytes,
/// little-endian), the head, then the crates, each packed ([`pack`]).
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Head {
    pub(super) format: u32,
    pub(super) key: String,
    /// When the run that wrote it started (see [`Stamp::is_racy`]).
    pub(super) taken: i64,
    /// The paths of the walk's files and of the run's, each once; the
    /// records name them by index.
    pub(super) paths: Vec<String>,
    pub(super) walk: Option<WalkRecord>,
    /// What the walk and the configuration read: `None` for a file that
    /// was not there (and must still not be).
    pub(super) watched: Vec<(String, Option<Stamp>)>,
    pub(super) files: Vec<FileRecord>,
}

/// The bytes a snapshot file starts with: the head, packed ([`pack`]),
/// after its packed length.
pub(super) fn encode_head(head: &Head) -> Result<Vec<u8>, bitcode::Error> {
    let packed = pack(&bitcode::serialize(head)?);
    let mut bytes = Vec::with_capacity(8 + packed.len());
    bytes.extend_from_slice(&(packed.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&packed);
    Ok(bytes)
}

/// The bytes that end a snapshot file: the crates, packed.
pub(super) fn encode_crates(crates: &[CrateRecord]) -> Result<Vec<u8>, bitcode::Error> {
    Ok(pack(&bitcode::serialize(crates)?))
}

/// A snapshot file's bytes, read back.
pub(super) fn decode(bytes: &[u8]) -> Result<Snapshot, String> {
    let (length, rest) = split_length(bytes)?;
    if length > rest.len() {
        return Err("shorter than its header says".to_string());
    }
    let (head, crates) = rest.split_at(length);
    // The two parts at once: a warm run waits for both.
    let (head, crates) = rayon::join(
        || bitcode::deserialize(&unpack(head)?).map_err(|err| err.to_string()),
        || bitcode::deserialize(&unpack(crates)?).map_err(|err| err.to_string()),
    );
    Ok(Snapshot {
        head: head?,
        crates: crates?,
    })
}

/// A length written as eight little-endian bytes, and the bytes after it.
fn split_length(bytes: &[u8]) -> Result<(usize, &[u8]), String> {
    let (length, rest) = bytes
        .split_first_chunk::<8>()
        .ok_or("shorter than its header")?;
    let length = usize::try_from(u64::from_le_bytes(*length)).unwrap_or(usize::MAX);
    Ok((length, rest))
}

/// Bytes compressed with LZ4, after their length (eight bytes,
/// little-endian) and the hash of the compressed block (sixteen): a damaged
/// byte anywhere is seen, not read as another stamp or message.
fn pack(bytes: &[u8]) -> Vec<u8> {
    let block = lz4_flex::block::compress(bytes);
    let mut packed = Vec::with_capacity(24 + block.len());
    packed.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
    packed.extend_from_slice(&hash(&block).to_le_bytes());
    packed.extend_from_slice(&block);
    packed
}

/// [`pack`]'s bytes back. A length no LZ4 block of this size can give, or
/// past what any snapshot needs, is refused before anything is allocated
/// for it (a crafted file with a valid checksum must not exhaust memory).
fn unpack(packed: &[u8]) -> Result<Vec<u8>, String> {
    /// LZ4 expands a block at most about 255 times.
    const MOST_EXPANDED: usize = 255;
    /// The corpus's 26,700 files take 6 MB unpacked.
    const MOST_UNPACKED: usize = 1 << 30;
    let (length, rest) = split_length(packed)?;
    let (sum, block) = rest
        .split_first_chunk::<16>()
        .ok_or("shorter than its header")?;
    if u128::from_le_bytes(*sum) != hash(block) {
        return Err("its checksum does not match".to_string());
    }
    if length > block.len().saturating_mul(MOST_EXPANDED) || length > MOST_UNPACKED {
        return Err("its header gives an impossible length".to_string());
    }
    let bytes = lz4_flex::block::decompress(block, length).map_err(|err| err.to_string())?;
    if bytes.len() != length {
        return Err("shorter than its header says".to_string());
    }
    Ok(bytes)
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct WalkRecord {
    /// Each with whether it was named on the command line.
    pub(super) files: Vec<(u32, bool)>,
    pub(super) unreadable: Vec<(String, String)>,
    pub(super) warnings: Vec<String>,
    pub(super) ignore_files: Vec<String>,
    pub(super) pruned: Vec<String>,
    pub(super) probed: Vec<(String, u8)>,
}

/// A file's path, stamp and hash (none for a file the widest prefilter
/// skipped: see [`Content`]).
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct FileRecord(pub(super) u32, pub(super) Stamp, Option<(u64, u64)>);

impl FileRecord {
    pub(super) fn new(path: u32, stamp: Stamp, content: Content) -> FileRecord {
        let hash = match content {
            Content::Hash(hash) => Some(split(hash)),
            Content::Skipped => None,
        };
        FileRecord(path, stamp, hash)
    }

    pub(super) fn content(&self) -> Content {
        self.2
            .map_or(Content::Skipped, |hash| Content::Hash(join(hash)))
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct CrateRecord {
    pub(super) root: Option<String>,
    /// Indices into the files, and whether each was named on the command line.
    pub(super) members: Vec<(u32, bool)>,
    /// The hash of the members' settings.
    pub(super) settings: (u64, u64),
    /// By position in `members`, for members with something to keep.
    pub(super) outcomes: Vec<(u32, OutcomeRecord)>,
    /// The crate pass's findings (before late suppressions).
    pub(super) late: Vec<FindingRecord>,
    /// The crate pass may read its skipped members: their bytes count,
    /// not only that they are skipped.
    pub(super) reads_skipped: bool,
    /// For a crate the run did not cover whole, whose files outside the
    /// run its results depend on: the stamp of everything the crate's own
    /// walk looks at (`None`: not there).
    pub(super) outside: Vec<(String, Option<Stamp>)>,
}

/// A file's outcome as kept (not the crate pass's facts: a crate is kept
/// with its crate pass's findings).
#[derive(Debug, Serialize, Deserialize)]
pub struct OutcomeRecord {
    pub(super) findings: Vec<FindingRecord>,
    pub(super) source: Option<String>,
    pub(super) parsed: bool,
}

/// A finding as kept.
#[derive(Debug, Serialize, Deserialize)]
pub struct FindingRecord {
    pub(super) rule: String,
    pub(super) severity: Severity,
    pub(super) path: String,
    pub(super) region: [usize; 4],
    pub(super) message: String,
    pub(super) help: String,
    pub(super) fingerprint: String,
    pub(super) local_fingerprint: String,
    pub(super) fix: Option<FixRecord>,
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct FixRecord {
    pub(super) applicability: Applicability,
    pub(super) message: String,
    pub(super) edits: Vec<([usize; 4], usize, usize, String)>,
}

/// A hash as stored (serde formats differ on `u128`), and back.
pub(super) fn split(hash: u128) -> (u64, u64) {
    ((hash >> 64) as u64, hash as u64)
}

pub(super) fn join((high, low): (u64, u64)) -> u128 {
    u128::from(high) << 64 | u128::from(low)
}

pub(super) fn region_of(r: [usize; 4]) -> Region {
    Region {
        line: r[0],
        column: r[1],
        end_line: r[2],
        end_column: r[3],
    }
}

pub(super) fn region_record(r: &Region) -> [usize; 4] {
    [r.line, r.column, r.end_line, r.end_column]
}

impl FindingRecord {
    pub fn of(finding: &Finding) -> FindingRecord {
        FindingRecord {
            rule: finding.rule.id.to_string(),
            severity: finding.severity,
            path: finding.path.clone(),
            region: region_record(&finding.region),
            message: finding.message.clone(),
            help: finding.help.clone(),
            fingerprint: finding.fingerprint.clone(),
            local_fingerprint: finding.local_fingerprint.clone(),
            fix: finding.fix.as_ref().map(|fix| FixRecord {
                applicability: fix.applicability,
                message: fix.message.clone(),
                edits: fix
                    .edits
                    .iter()
                    .map(|e| (region_record(&e.region), e.start, e.end, e.content.clone()))
                    .collect(),
            }),
        }
    }

    pub(super) fn finding(&self) -> Option<Finding> {
        Some(Finding {
            rule: crate::rules::by_id(&self.rule)?,
            severity: self.severity,
            path: self.path.clone(),
            region: region_of(self.region),
            message: self.message.clone(),
            help: self.help.clone(),
            fingerprint: self.fingerprint.clone(),
            local_fingerprint: self.local_fingerprint.clone(),
            fix: self.fix.as_ref().map(|fix| Fix {
                applicability: fix.applicability,
                message: fix.message.clone(),
                edits: fix
                    .edits
                    .iter()
                    .map(|(region, start, end, content)| Edit {
                        region: region_of(*region),
                        start: *start,
                        end: *end,
                        content: content.clone(),
                    })
                    .collect(),
            }),
        })
    }
}

impl OutcomeRecord {
    /// `None` for an outcome with nothing to keep (a file skipped).
    pub fn of(outcome: &FileOutcome) -> Option<OutcomeRecord> {
        let empty = outcome.findings.is_empty() && outcome.source.is_none() && !outcome.parsed;
        (!empty).then(|| OutcomeRecord {
            findings: outcome.findings.iter().map(FindingRecord::of).collect(),
            source: outcome.source.clone(),
            parsed: outcome.parsed,
        })
    }

    pub(super) fn outcome(&self) -> Option<FileOutcome> {
        Some(FileOutcome {
            findings: self
                .findings
                .iter()
                .map(FindingRecord::finding)
                .collect::<Option<_>>()?,
            source: self.source.clone(),
            parsed: self.parsed,
            facts: None,
        })
    }
}

/// The paths of a snapshot being written, each once.
#[derive(Default)]
pub(super) struct PathTable<'p> {
    pub(super) paths: Vec<String>,
    pub(super) ids: FastMap<&'p str, u32>,
}

impl<'p> PathTable<'p> {
    pub(super) fn id(&mut self, path: &'p Path) -> Option<u32> {
        let text = path.to_str()?;
        if let Some(&id) = self.ids.get(text) {
            return Some(id);
        }
        let id = self.paths.len() as u32;
        self.paths.push(text.to_string());
        self.ids.insert(text, id);
        Some(id)
    }
}

impl Snapshot {
    /// Indices in range: a snapshot edited by hand must not panic the run.
    pub(super) fn consistent(&self) -> bool {
        let paths = self.head.paths.len();
        let walk = self
            .head
            .walk
            .as_ref()
            .is_none_or(|w| w.files.iter().all(|(i, _)| (*i as usize) < paths));
        walk && self.head.files.iter().all(|f| (f.0 as usize) < paths)
            && self.crates.iter().all(|c| {
                c.members
                    .iter()
                    .all(|(i, _)| (*i as usize) < self.head.files.len())
                    && c.outcomes
                        .iter()
                        .all(|(at, _)| (*at as usize) < c.members.len())
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot_bytes() -> Vec<u8> {
        let head = Head {
            format: 1,
            key: "key".to_string(),
            taken: 7,
            paths: vec!["src/lib.rs".to_string(), "src/main.rs".to_string()],
            walk: None,
            watched: vec![("src".to_string(), None)],
            files: vec![FileRecord::new(
                1,
                Stamp {
                    size: 10,
                    modified: 11,
                    changed: 12,
                    inode: 13,
                    device: 14,
                    is_dir: false,
                },
                Content::Hash(3),
            )],
        };
        let crates = vec![CrateRecord {
            root: Some(".".to_string()),
            members: vec![(0, false)],
            settings: (5, 6),
            outcomes: Vec::new(),
            late: Vec::new(),
            reads_skipped: false,
            outside: Vec::new(),
        }];
        let mut bytes = encode_head(&head).expect("head");
        bytes.extend(encode_crates(&crates).expect("crates"));
        bytes
    }

    #[test]
    fn a_snapshot_reads_back() {
        let snapshot = decode(&snapshot_bytes()).expect("decodes");
        assert_eq!(snapshot.head.paths, ["src/lib.rs", "src/main.rs"]);
        assert_eq!(
            (snapshot.head.key.as_str(), snapshot.head.taken),
            ("key", 7)
        );
        assert_eq!(snapshot.crates[0].settings, (5, 6));
    }

    #[test]
    fn any_damaged_byte_is_seen() {
        let bytes = snapshot_bytes();
        for at in 0..bytes.len() {
            for bit in [0x01, 0x80] {
                let mut damaged = bytes.clone();
                damaged[at] ^= bit;
                assert!(decode(&damaged).is_err(), "byte {at} ^ {bit:#x}");
            }
            assert!(decode(&bytes[..at]).is_err(), "cut at {at}");
        }
    }

    #[test]
    fn an_impossible_length_allocates_nothing() {
        let mut packed = pack(b"some bytes");
        packed[..8].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(unpack(&packed).is_err());
    }
}
