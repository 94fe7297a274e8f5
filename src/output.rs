//! Writing the report: to standard output, where a closed pipe ends the
//! write quietly and any other error is reported.

use std::io::{self, Write};

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
