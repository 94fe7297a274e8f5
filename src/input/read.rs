//! Reading source files: bounded, without blocking on a FIFO, into a
//! buffer reused per thread.

use std::cell::RefCell;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::input::stamp::Stamp;

/// What reading a file during the walk found (see [`read_early`]).
#[derive(Debug, Default)]
pub enum Early {
    /// Not read yet (or reading failed: it is read again, to report why).
    #[default]
    Unread,
    /// No trigger word of any rule: no settings without extra trigger
    /// words could let it through.
    Skipped,
    /// Skipped like [`Early::Skipped`], but it names a type whose items a
    /// crate-wide model reads: its bytes, for them.
    Declares(Vec<u8>),
    /// Let through by the widest prefilter.
    Read(Vec<u8>),
    /// Could not be read at all (a folder the walk could not read, standard
    /// input larger than `max-file-size`): a `parse-error` with this message.
    Failed(String),
}

thread_local! {
    /// One read buffer per thread: most files are rejected by the
    /// prefilter, and reusing the buffer spares the allocator and the
    /// kernel's page clearing for each of them.
    static BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    /// A FIFO, a device, a socket or a folder.
    NotRegular,
    /// Larger than the limit: its size, or the limit plus one when it grew.
    TooLarge(u64),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(err) => err.fmt(f),
            ReadError::NotRegular => f.write_str("not a regular file"),
            ReadError::TooLarge(size) => write!(
                f,
                "too large ({})",
                crate::base::count::plural(*size, "byte")
            ),
        }
    }
}

impl From<std::io::Error> for ReadError {
    fn from(err: std::io::Error) -> Self {
        ReadError::Io(err)
    }
}

/// Reads the file at `path` into this thread's buffer and copies it out
/// only when `passes` lets it through.
pub fn read_filtered(
    path: &Path,
    limit: u64,
    passes: impl Fn(&[u8]) -> bool,
) -> Result<Option<Vec<u8>>, ReadError> {
    BUFFER.with(|buffer| {
        let mut buffer = buffer.borrow_mut();
        let read = read_into(path, limit, &mut buffer)?;
        let bytes = &buffer[..read];
        Ok(passes(bytes).then(|| bytes.to_vec()))
    })
}

/// Reads the file at `path` into this thread's buffer for the result
/// cache: what `take` makes of its bytes, and its stamp, taken before they
/// are read (a write after it changes the stamp the next run sees).
pub fn read_stamped<R>(
    path: &Path,
    limit: u64,
    take: impl FnOnce(&[u8]) -> R,
) -> Result<(R, Stamp), ReadError> {
    let file = open_nonblocking(path)?;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(ReadError::NotRegular);
    }
    let stamp = Stamp::of(&metadata);
    BUFFER.with(|buffer| {
        let mut buffer = buffer.borrow_mut();
        let read = read_open(&file, limit, Some(stamp.size), &mut buffer)?;
        Ok((take(&buffer[..read]), stamp))
    })
}

/// Opens a file to read without blocking on a FIFO that took its place.
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// Reads a regular file whole, up to `limit` bytes (for the crate pass's
/// reads of files the run does not lint).
pub fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let mut buffer = Vec::new();
    let read = read_into(path, limit, &mut buffer)?;
    buffer.truncate(read);
    Ok(buffer)
}

/// Reads the file at `path` into the start of `buffer`, growing it as
/// needed, and returns the length read; never more than `limit` bytes.
/// `read_to_end` asks the file for its size and position first: two system
/// calls per file that a reused buffer does not need, on a tree where most
/// files are read only to be skipped. For the same reason the open file is
/// checked to be a regular file only when the read looks odd (it failed,
/// was empty or went past the limit): opened without blocking, a FIFO or a
/// folder that took a walked file's place fails or reads nothing at once,
/// and a device is cut at the limit.
fn read_into(path: &Path, limit: u64, buffer: &mut Vec<u8>) -> Result<usize, ReadError> {
    read_open(&open_nonblocking(path)?, limit, None, buffer)
}

/// [`read_into`] from a file already open.
fn read_open(
    file: &File,
    limit: u64,
    expected: Option<u64>,
    buffer: &mut Vec<u8>,
) -> Result<usize, ReadError> {
    // One byte past the limit tells a file that is too large.
    let mut bounded = file.take(limit.saturating_add(1));
    // The size its stamp gave (within the limit, not empty): one read
    // fills it, and no second one is made to see the end.
    let expected = expected.filter(|&size| size > 0 && size <= limit);
    if let Some(size) = expected {
        let room = size as usize + 1;
        if buffer.len() < room {
            buffer.resize(room.max(64 * 1024), 0);
        }
    }
    let mut filled = 0;
    let outcome = loop {
        if buffer.len() - filled < 8192 {
            buffer.resize((buffer.len() * 2).max(64 * 1024), 0);
        }
        match bounded.read(&mut buffer[filled..]) {
            Ok(0) => break Ok(()),
            Ok(n) if expected == Some((filled + n) as u64) => {
                filled += n;
                break Ok(());
            }
            Ok(n) => filled += n,
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
            Err(err) => break Err(err),
        }
    };
    if outcome.is_ok() && filled > 0 && filled as u64 <= limit {
        return Ok(filled);
    }
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(ReadError::NotRegular);
    }
    outcome?;
    if filled as u64 > limit {
        return Err(ReadError::TooLarge(metadata.len().max(filled as u64)));
    }
    Ok(filled)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A FIFO named `z.rs` in `dir`, or `None` where `mkfifo` is missing.
    pub(crate) fn fifo_in(dir: &Path) -> Option<std::path::PathBuf> {
        let fifo = dir.join("z.rs");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        made.is_ok_and(|status| status.success()).then_some(fifo)
    }

    /// A FIFO where a file was (swapped in after the walk saw a file) is
    /// refused at once: opening it must not wait for a writer.
    #[test]
    fn a_fifo_is_not_read_and_does_not_block() {
        let dir = tempfile::tempdir().expect("temp dir");
        let Some(fifo) = fifo_in(dir.path()) else {
            return; // no mkfifo here
        };
        assert!(matches!(
            read_bounded(&fifo, 1 << 20),
            Err(ReadError::NotRegular)
        ));
    }

    #[test]
    fn a_stamped_read_gives_every_byte_at_any_size() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("a.rs");
        for size in [0, 1, 8191, 65_535, 65_536, 65_537, 200_001] {
            let text: Vec<u8> = (0..size).map(|i| b'a' + (i % 26) as u8).collect();
            std::fs::write(&file, &text).expect("write");
            let (kept, stamp) = read_stamped(&file, 1 << 20, <[u8]>::to_vec).expect("readable");
            assert_eq!(kept, text, "size {size}");
            assert_eq!(stamp.size, size as u64);
        }
        std::fs::write(&file, vec![b'x'; 100]).expect("write");
        assert!(matches!(
            read_stamped(&file, 99, |_| ()),
            Err(ReadError::TooLarge(100))
        ));
    }

    #[test]
    fn a_file_over_the_limit_is_not_read() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("big.rs");
        std::fs::write(&file, "fn main() {}\n").expect("write");
        assert!(matches!(
            read_bounded(&file, 5),
            Err(ReadError::TooLarge(13))
        ));
        assert_eq!(read_bounded(&file, 13).expect("at the limit").len(), 13);
    }
}
