//! Reads with a size cap: `--config /dev/zero` or `--baseline /dev/urandom`
//! must end in an error, not in a read that never ends or an allocation that
//! takes the machine's memory.

use std::io::Read;
use std::path::Path;

/// The most a configuration file may hold.
pub const CONFIG_LIMIT: u64 = 16 << 20;
/// The most a baseline may hold (some 300 bytes an entry).
pub const BASELINE_LIMIT: u64 = 256 << 20;

/// Why a bounded read failed.
#[derive(Debug)]
pub enum Error {
    Io(std::io::Error),
    /// More than the limit (in bytes).
    TooLarge(u64),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Io(err) => err.fmt(f),
            Error::TooLarge(limit) => write!(f, "larger than {} MiB", limit >> 20),
        }
    }
}

/// Reads everything `reader` holds, up to `limit` bytes.
pub fn read(reader: impl Read, limit: u64) -> Result<Vec<u8>, Error> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(Error::Io)?;
    if bytes.len() as u64 > limit {
        return Err(Error::TooLarge(limit));
    }
    Ok(bytes)
}

/// Reads a file as UTF-8 text, up to `limit` bytes.
pub fn read_to_string(path: &Path, limit: u64) -> Result<String, Error> {
    let file = std::fs::File::open(path).map_err(Error::Io)?;
    let bytes = read(file, limit)?;
    String::from_utf8(bytes).map_err(|err| {
        Error::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "not UTF-8 text (at byte {})",
                err.utf8_error().valid_up_to()
            ),
        ))
    })
}
