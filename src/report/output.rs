//! Writing the report and the baseline without losing anything: a regular
//! (or missing) file is replaced whole through a unique temporary file beside
//! it, anything else (a device, a FIFO, `/dev/stdout`) is written in place,
//! a signal removes the temporary file, and a file another option names is
//! never overwritten.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::{Mutex, PoisonError};

/// Temporary files being written, removed if a signal ends the run.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Writes the report to standard output. A closed pipe (`tasklint ... |
/// head`) ends the write quietly: the reader wanted no more. Any other error
/// (a full disk) is an error: the report is lost.
pub fn to_stdout(text: &str) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        written => written,
    }
}

/// Refuses to write `path` for `option` when another option names the
/// same file (`--output X --write-baseline X` would overwrite the baseline
/// just written with the report). Checked just before the write, when a
/// baseline written by this run exists.
pub fn refuse_overwrite(
    option: &str,
    path: &Path,
    others: &[(&str, Option<&Path>)],
) -> Result<(), String> {
    let Some(target) = identity(path) else {
        return Ok(());
    };
    for (other, other_path) in others {
        if other_path.and_then(identity).as_ref() == Some(&target) {
            return Err(format!(
                "{option} and {other} name the same file `{}`: refusing to overwrite it",
                path.display()
            ));
        }
    }
    Ok(())
}

/// What makes two names one file: the same inode for a regular file that
/// exists, the same folder and name for one that does not yet. Devices and
/// FIFOs have none: writing one cannot destroy the other role's file.
#[derive(PartialEq, Eq)]
enum Identity {
    #[cfg(unix)]
    Inode(u64, u64),
    #[cfg(not(unix))]
    Canonical(PathBuf),
    Missing(PathBuf),
}

fn identity(path: &Path) -> Option<Identity> {
    match fs::metadata(path) {
        Ok(meta) if meta.is_file() => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::MetadataExt;
                Some(Identity::Inode(meta.dev(), meta.ino()))
            }
            #[cfg(not(unix))]
            {
                fs::canonicalize(path).ok().map(Identity::Canonical)
            }
        }
        Ok(_) => None,
        Err(_) => {
            let folder = fs::canonicalize(folder_of(path)).ok()?;
            Some(Identity::Missing(folder.join(path.file_name()?)))
        }
    }
}

/// Writes `text` to the file `path` names for `option` (`--output`,
/// `--write-baseline`): a regular or missing file is replaced whole, keeping
/// its permissions; a symlink is followed; anything else is written in place.
pub fn write_file(path: &Path, option: &str, text: &str) -> Result<(), String> {
    let fail = |err: String| format!("cannot write {option} file `{}`: {err}", path.display());
    // Our own standard output, which a process of another user (`sudo -u`)
    // may not be allowed to open again by name.
    if ["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"]
        .map(Path::new)
        .contains(&path)
    {
        return to_stdout(text).map_err(|err| fail(err.to_string()));
    }
    match target(path).map_err(|err| fail(err.to_string()))? {
        Target::Replace(file) => replace(&file, text.as_bytes()).map_err(fail),
        Target::InPlace { create } => {
            in_place(path, text.as_bytes(), create).map_err(|err| fail(err.to_string()))
        }
    }
}

/// Replaces a source file with its fixed text (`check --fix`), as a report
/// is replaced: through a temporary file beside it, renamed over it,
/// keeping its mode; a symlink's target is replaced, the link stays. Only a
/// regular file is written.
pub fn write_source(path: &Path, text: &str) -> Result<(), String> {
    let fail = |err: String| format!("cannot write the fixed file `{}`: {err}", path.display());
    match target(path).map_err(|err| fail(err.to_string()))? {
        Target::Replace(file) => replace(&file, text.as_bytes()).map_err(fail),
        Target::InPlace { .. } => Err(fail("not a regular file".to_string())),
    }
}

/// Can the source file at `path` be replaced, and does it still hold
/// `expected`? Checked for every file before any is written, so that a
/// read-only file (or one edited meanwhile) stops `--fix` before it
/// changes anything.
pub fn check_source(path: &Path, expected: &str) -> Result<(), String> {
    let fail = |err: String| format!("cannot write the fixed file `{}`: {err}", path.display());
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .map_err(|err| fail(err.to_string()))?;
    let mut now = Vec::new();
    std::io::Read::read_to_end(&mut file, &mut now).map_err(|err| fail(err.to_string()))?;
    if now != expected.as_bytes() {
        return Err(fail(
            "it changed while tasklint was fixing it; run again".to_string(),
        ));
    }
    Ok(())
}

/// How a file named by `--output` is written.
enum Target {
    /// A regular file, or none yet: replaced whole (at the end of its symlinks).
    Replace(PathBuf),
    /// A device, FIFO, socket, a link into `/dev` or `/proc`
    /// (`/dev/stdout`), or a dangling link (`create`): opened and written.
    InPlace { create: bool },
}

fn target(path: &Path) -> io::Result<Target> {
    let mut current = path.to_path_buf();
    let mut linked = false;
    // As many links as Linux follows.
    for _ in 0..40 {
        let meta = match fs::symlink_metadata(&current) {
            Err(err) if err.kind() == io::ErrorKind::NotFound && linked => {
                return Ok(Target::InPlace { create: true })
            }
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                return Ok(Target::Replace(current))
            }
            Err(err) => return Err(err),
            Ok(meta) => meta,
        };
        let kind = meta.file_type();
        if kind.is_symlink() {
            // `/dev/stdout` leads to `/proc/self/fd/1`: what the shell
            // opened (maybe to append), never to be replaced.
            let next = folder_of(&current).join(fs::read_link(&current)?);
            if is_system(&current) || is_system(&next) {
                return Ok(Target::InPlace { create: false });
            }
            current = next;
            linked = true;
        } else if kind.is_file() {
            return Ok(Target::Replace(current));
        } else if kind.is_dir() {
            return Err(io::Error::other("it is a folder"));
        } else {
            return Ok(Target::InPlace { create: false });
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

/// Is `path` under `/dev` or `/proc`?
fn is_system(path: &Path) -> bool {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut parts = absolute.components();
    parts.next() == Some(Component::RootDir)
        && matches!(parts.next(), Some(Component::Normal(top)) if top == "dev" || top == "proc")
}

/// The folder a path names a file in (`.` for a bare name).
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder,
        _ => Path::new("."),
    }
}

/// Appends, so that a file the shell opened to append to (`>>`), reached
/// through `/dev/stdout`, keeps what it holds.
fn in_place(path: &Path, text: &[u8], create: bool) -> io::Result<()> {
    let mut file = OpenOptions::new().append(true).create(create).open(path)?;
    file.write_all(text)?;
    file.flush()
}

/// Replaces `file` (a regular file or none) whole: the text goes to a
/// unique temporary file beside it, created exclusively, then renamed over it.
fn replace(file: &Path, text: &[u8]) -> Result<(), String> {
    // Opening for writing checks the permission a plain write would need:
    // a read-only report is not silently replaced.
    let existing = match OpenOptions::new().write(true).open(file) {
        Ok(opened) => Some(opened.metadata().map_err(|err| err.to_string())?),
        Err(err) if err.kind() == io::ErrorKind::NotFound => None,
        Err(err) => return Err(err.to_string()),
    };
    let folder = folder_of(file);
    let name = file.file_name().unwrap_or_default().to_string_lossy();
    clean_up_on_signals();
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tasklint-tmp");
    #[cfg(unix)]
    {
        // A new report gets a new file's usual mode (umask applies).
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    let temporary = {
        let mut pending = PENDING.lock().unwrap_or_else(PoisonError::into_inner);
        let temporary = builder.tempfile_in(folder).map_err(|err| {
            format!(
                "cannot create a temporary file in `{}`: {err}",
                folder.display()
            )
        })?;
        pending.push(temporary.path().to_path_buf());
        temporary
    };
    let temporary_path = temporary.path().to_path_buf();
    let written = fill(temporary.as_file(), text, existing.as_ref())
        .map_err(|err| {
            format!(
                "cannot write the temporary file `{}`: {err}",
                temporary_path.display()
            )
        })
        .and_then(|()| {
            temporary
                .persist(file)
                .map(drop)
                .map_err(|err| err.error.to_string())
        });
    let mut pending = PENDING.lock().unwrap_or_else(PoisonError::into_inner);
    pending.retain(|p| *p != temporary_path);
    written
}

/// Writes the text to the temporary file, with the mode (and, where
/// allowed, the owner) of the file it replaces, and waits for the disk.
fn fill(mut file: &File, text: &[u8], existing: Option<&fs::Metadata>) -> io::Result<()> {
    file.write_all(text)?;
    if let Some(existing) = existing {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            // Only root may give a file away; others keep what they can.
            let _ = std::os::unix::fs::fchown(file, Some(existing.uid()), Some(existing.gid()));
        }
        file.set_permissions(existing.permissions())?;
    }
    file.sync_all()
}

/// On SIGINT or SIGTERM, removes the temporary files being written
/// and exits as the signal would have (128 + its number). Set up before the
/// first temporary file is made; until then a signal ends the run as usual.
#[cfg(unix)]
fn clean_up_on_signals() {
    use signal_hook::consts::{SIGINT, SIGTERM};
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else {
            return;
        };
        let _ = std::thread::Builder::new()
            .name("signals".into())
            .spawn(move || {
                if let Some(signal) = signals.forever().next() {
                    // Holding the lock, no other temporary file can be made.
                    let pending = PENDING.lock().unwrap_or_else(PoisonError::into_inner);
                    for path in pending.iter() {
                        let _ = fs::remove_file(path);
                    }
                    std::process::exit(128 + signal);
                }
            });
    });
}

#[cfg(not(unix))]
fn clean_up_on_signals() {}
