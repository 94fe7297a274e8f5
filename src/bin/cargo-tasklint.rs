//! `cargo tasklint ...`: cargo runs `cargo-tasklint tasklint ...`. With no
//! subcommand it runs `check` (so `cargo tasklint --help` is `check`'s help),
//! and `check` with no paths lints the packages cargo would pick.

use std::ffi::OsString;

use tasklint::cli::{self, Invocation};

fn main() -> std::process::ExitCode {
    let mut args: Vec<OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|arg| arg == "tasklint") {
        args.remove(1);
    }
    let subcommands = ["check", "rules", "explain", "help", "-V", "--version"];
    let has_subcommand = args
        .get(1)
        .and_then(|arg| arg.to_str())
        .is_some_and(|arg| subcommands.contains(&arg));
    if !has_subcommand {
        args.insert(1.min(args.len()), OsString::from("check"));
    }
    if let Some(program) = args.first_mut() {
        *program = OsString::from("cargo tasklint");
    }
    cli::run_from(args, Invocation::Cargo)
}
