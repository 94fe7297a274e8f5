//! The packages `cargo tasklint` lints, picked as cargo picks them for
//! `cargo clippy`: asked of `cargo metadata --no-deps` (no network, no
//! lockfile written), through the `cargo_metadata` crate.

use std::path::{Path, PathBuf};

use cargo_metadata::{Metadata, MetadataCommand, Package};

/// Cargo's package selection flags.
#[derive(Debug, Default, Clone)]
pub struct PackageSelection {
    /// `--manifest-path`: start from this `Cargo.toml`, not the current folder.
    pub manifest_path: Option<PathBuf>,
    /// `-p/--package`: these packages (by name, or `name@version`).
    pub packages: Vec<String>,
    /// `--workspace`: every member.
    pub workspace: bool,
    /// `--exclude`: members `--workspace` leaves out.
    pub exclude: Vec<String>,
}

impl PackageSelection {
    /// No flag given: the packages of the current folder, as cargo does.
    pub fn is_default(&self) -> bool {
        self.manifest_path.is_none()
            && self.packages.is_empty()
            && !self.workspace
            && self.exclude.is_empty()
    }
}

/// One package picked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picked {
    pub name: String,
    /// The folder of its `Cargo.toml`, absolute.
    pub folder: PathBuf,
}

/// Why no package could be picked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkspaceError {
    /// `cargo metadata` could not run or found no `Cargo.toml`: there is no
    /// workspace to ask about (the caller may walk the folder instead).
    NoWorkspace(String),
    /// The flags name what the workspace does not have.
    Selection(String),
}

/// The packages `selection` names, for a run in the folder `cwd`.
pub fn pick(selection: &PackageSelection, cwd: &Path) -> Result<Vec<Picked>, WorkspaceError> {
    let mut command = MetadataCommand::new();
    command.no_deps().current_dir(cwd);
    if let Some(manifest) = &selection.manifest_path {
        command.manifest_path(cwd.join(manifest));
    }
    let metadata = command.exec().map_err(|err| {
        let text = err.to_string();
        let text = text
            .trim()
            .trim_start_matches("`cargo metadata` exited with an error: ")
            .trim_start_matches("error: ");
        WorkspaceError::NoWorkspace(text.trim().replace('\n', " "))
    })?;
    let start = match &selection.manifest_path {
        Some(manifest) => {
            let manifest = cwd.join(manifest);
            manifest
                .parent()
                .map_or(cwd.to_path_buf(), Path::to_path_buf)
        }
        None => cwd.to_path_buf(),
    };
    let members = metadata.workspace_packages();
    let picked: Vec<&Package> = if !selection.packages.is_empty() {
        selection
            .packages
            .iter()
            .map(|spec| named(&members, spec, &metadata))
            .collect::<Result<_, _>>()?
    } else if selection.workspace {
        for spec in &selection.exclude {
            named(&members, spec, &metadata).map_err(|_| {
                WorkspaceError::Selection(format!(
                    "`--exclude {spec}`: the workspace has no such package ({}); in `cargo tasklint`, `--exclude` names packages, as in cargo: leave out files with `--exclude-path` or the configuration's `exclude`",
                    names(&members)
                ))
            })?;
        }
        members
            .iter()
            .copied()
            .filter(|p| !selection.exclude.iter().any(|spec| is_spec_of(spec, p)))
            .collect()
    } else {
        current_packages(&metadata, &members, &start)
    };
    let mut picked: Vec<Picked> = picked
        .into_iter()
        .map(|package| Picked {
            name: package.name.to_string(),
            folder: folder_of(package),
        })
        .collect();
    picked.sort_by(|a, b| a.folder.cmp(&b.folder));
    picked.dedup();
    Ok(picked)
}

/// With no flag: the member whose folder holds `start` (the deepest), as
/// cargo picks the package of the nearest `Cargo.toml`; at the workspace
/// root, or in a folder of no member, the default members (cargo's
/// `default-members`, else every member, or a root package alone).
fn current_packages<'m>(
    metadata: &'m Metadata,
    members: &[&'m Package],
    start: &Path,
) -> Vec<&'m Package> {
    let root = metadata.workspace_root.as_std_path();
    let here = members
        .iter()
        .copied()
        .filter(|p| start.starts_with(folder_of(p)))
        .max_by_key(|p| folder_of(p).components().count());
    match here {
        Some(package) if folder_of(package) != root => vec![package],
        _ if metadata.workspace_default_members.is_available() => {
            metadata.workspace_default_packages()
        }
        // cargo before 1.71 does not say which members are the default.
        _ => members.to_vec(),
    }
}

fn named<'m>(
    members: &[&'m Package],
    spec: &str,
    metadata: &Metadata,
) -> Result<&'m Package, WorkspaceError> {
    members
        .iter()
        .copied()
        .find(|p| is_spec_of(spec, p))
        .ok_or_else(|| {
            WorkspaceError::Selection(format!(
                "package `{spec}` is not a member of the workspace at `{}` (members: {})",
                metadata.workspace_root,
                names(members)
            ))
        })
}

/// A package spec as `-p` takes it: the name, or `name@version`.
fn is_spec_of(spec: &str, package: &Package) -> bool {
    match spec.split_once('@') {
        Some((name, version)) => {
            package.name.as_str() == name && package.version.to_string() == version
        }
        None => package.name.as_str() == spec,
    }
}

fn names(members: &[&Package]) -> String {
    let mut names: Vec<&str> = members.iter().map(|p| p.name.as_str()).collect();
    names.sort_unstable();
    names.join(", ")
}

fn folder_of(package: &Package) -> PathBuf {
    package
        .manifest_path
        .parent()
        .map_or_else(PathBuf::new, |folder| folder.as_std_path().to_path_buf())
}
