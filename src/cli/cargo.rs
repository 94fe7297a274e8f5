//! `cargo tasklint`: cargo's package flags on `check`, and what it lints
//! when given no paths (the packages cargo would pick, see
//! [`crate::input::workspace`]).

use std::path::{Path, PathBuf};

use clap::{Args, Command, CommandFactory};

use crate::base::diag::diag;
use crate::base::escape;
use crate::input::workspace::{self, PackageSelection, WorkspaceError};

use super::{Cli, Invocation};

/// Cargo's package selection, for `cargo tasklint` (hidden, and refused, in
/// `tasklint check`).
#[derive(Debug, Args, Default)]
pub(super) struct PackageArgs {
    /// Lint this package of the workspace (repeatable; a name or `name@version`).
    #[arg(
        short = 'p',
        long = "package",
        value_name = "SPEC",
        hide = true,
        conflicts_with_all = ["paths", "workspace"]
    )]
    packages: Vec<String>,
    /// Lint every member of the workspace.
    #[arg(long, alias = "all", hide = true, conflicts_with = "paths")]
    workspace: bool,
    /// Leave this package out of `--workspace` (repeatable).
    #[arg(
        long = "exclude-package",
        value_name = "SPEC",
        hide = true,
        requires = "workspace"
    )]
    exclude_packages: Vec<String>,
    /// The `Cargo.toml` to start from instead of the current folder.
    #[arg(long, value_name = "PATH", hide = true, conflicts_with = "paths")]
    manifest_path: Option<PathBuf>,
}

impl PackageArgs {
    fn selection(&self) -> PackageSelection {
        PackageSelection {
            manifest_path: self.manifest_path.clone(),
            packages: self.packages.clone(),
            workspace: self.workspace,
            exclude: self.exclude_packages.clone(),
        }
    }
}

const CARGO_ABOUT: &str = "Lint the packages of the Cargo workspace, as `cargo clippy` picks them";

const CARGO_HELP: &str = "\
Which packages, with no paths given (asked of `cargo metadata`):
  in a member's folder      that package alone
  at the workspace root     the default members: `default-members`, else every
                            member (a root package alone, if there is one)
  -p, --package SPEC        these packages (repeatable)
  --workspace               every member, also one outside the root's folder;
                            `--exclude SPEC` leaves packages out
  --manifest-path PATH      start from that Cargo.toml, not the current folder

Crates in `workspace.exclude` are not members and are not linted (run inside
one, it is a package of its own). A folder inside a package with its own
Cargo.toml is another package. Paths given are linted as `tasklint check`
lints them. Without cargo, or outside any Cargo project, the current folder
is walked instead, and a note on standard error says so.";

/// The command line's parser: `tasklint`'s, or for `cargo tasklint` the same
/// with cargo's package flags shown and `--exclude` naming packages, as in
/// cargo (tasklint's file globs are then `--exclude-path`).
pub(super) fn command(invocation: Invocation) -> Command {
    let command = Cli::command();
    if invocation == Invocation::Direct {
        return command;
    }
    let show = |arg: clap::Arg| arg.hide(false);
    command
        .bin_name("cargo tasklint")
        .mut_subcommand("check", |check| {
            check
                .about(CARGO_ABOUT)
                .after_help(CARGO_HELP)
                .mut_arg("exclude", |arg| arg.long("exclude-path"))
                .mut_arg("exclude_packages", |arg| show(arg).long("exclude"))
                .mut_arg("packages", show)
                .mut_arg("workspace", show)
                .mut_arg("manifest_path", show)
        })
}

/// What `check` lints when given no paths, and whether the walk keeps to
/// each package's own files. `tasklint check` lints `.`; `cargo tasklint`
/// the packages cargo would pick, or `.` when there is no workspace (saying
/// so unless `quiet`).
pub(super) fn default_paths(
    args: &PackageArgs,
    invocation: Invocation,
    quiet: bool,
) -> Result<(Vec<PathBuf>, bool), String> {
    let here = PathBuf::from(".");
    let selection = args.selection();
    if invocation == Invocation::Direct {
        if !selection.is_default() {
            return Err(
                "`--package`, `--workspace`, `--exclude-package` and `--manifest-path` are for `cargo tasklint`"
                    .to_string(),
            );
        }
        return Ok((vec![here], false));
    }
    let cwd =
        std::env::current_dir().map_err(|err| format!("cannot read the current folder: {err}"))?;
    match workspace::pick(&selection, &cwd) {
        Ok(picked) => Ok((
            picked
                .iter()
                .map(|p| relative_to(&p.folder, &cwd))
                .collect(),
            true,
        )),
        Err(WorkspaceError::NoWorkspace(why)) if selection.is_default() => {
            if !quiet {
                diag!(
                    "note: no Cargo workspace found ({}); linting the current folder instead",
                    escape::text(&why)
                );
            }
            Ok((vec![here], false))
        }
        Err(WorkspaceError::NoWorkspace(why)) => Err(format!("cannot read the workspace: {why}")),
        Err(WorkspaceError::Selection(why)) => Err(why),
    }
}

/// `folder` relative to `cwd` (`.`, `a`, `../outside`), so that reported
/// paths stay relative to where cargo was run.
fn relative_to(folder: &Path, cwd: &Path) -> PathBuf {
    match pathdiff::diff_paths(folder, cwd) {
        Some(relative) if relative.as_os_str().is_empty() => PathBuf::from("."),
        Some(relative) => relative,
        None => folder.to_path_buf(),
    }
}
