//! Messages on standard error that never panic: `eprintln!` panics when
//! standard error is a closed pipe or a full disk, and a lost warning must
//! not turn a finished run into a crash (exit 101).

use std::fmt;
use std::io::Write;

/// Like `eprintln!`, but a standard error that cannot be written is ignored.
macro_rules! diag {
    ($($arg:tt)*) => {
        $crate::base::diag::line(format_args!($($arg)*))
    };
}
pub(crate) use diag;

/// Writes one line to standard error, ignoring errors.
pub fn line(args: fmt::Arguments<'_>) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{args}");
}

/// Writes text as it is to standard error, ignoring errors.
pub fn text(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(text.as_bytes());
}
