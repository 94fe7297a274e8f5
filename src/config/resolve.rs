//! Which configuration applies to each file: the nearest one up its
//! folders (or `--config`'s), the settings built from it, cached by folder
//! (see [`crate::config::files`] for reading them).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::base::fasthash::FastMap;
use crate::config::files::*;
use crate::config::settings::Settings;
use crate::input::discover::{in_folder, normalised, CrateRoots, Probes};
use crate::knowledge::spawner::Spawner;

/// Settings differ by configuration (its file and table) and by the
/// `per-file-ignores` entries (layer, entry) that match a file.
type SettingsKey = (PathBuf, String, Vec<(usize, usize)>);

/// Finds and caches configurations and the settings built from them.
pub struct Resolver {
    /// `--config` (Some(config)) or `--no-config` (Some(None)).
    forced: Option<Option<Arc<Config>>>,
    cli: Selection,
    by_dir: FastMap<PathBuf, Option<Arc<Config>>>,
    /// Which folders hold configuration files, when known in advance.
    probes: Arc<Probes>,
    settings: FastMap<SettingsKey, Arc<Settings>>,
    /// The folder of the last file asked about, and what applied to it when
    /// no `per-file-ignores` depended on the file's name: walked files come
    /// sorted, so most files share their folder with the one before.
    last: Option<(PathBuf, Applied)>,
}

/// What applies to one file.
#[derive(Clone)]
pub struct Applied {
    pub config: Option<Arc<Config>>,
    pub settings: Arc<Settings>,
}

impl Applied {
    pub fn excludes(&self, path: &Path) -> bool {
        self.config.as_ref().is_some_and(|c| c.excludes(path))
    }
}

impl Resolver {
    pub fn new(
        config_file: Option<&Path>,
        no_config: bool,
        cli: Selection,
    ) -> Result<Resolver, String> {
        // Unknown rules on the command line are errors even with no file to lint.
        Settings::default().apply_selection(
            cli.select.as_deref(),
            &cli.extend_select,
            &cli.ignore,
        )?;
        let forced = if no_config {
            Some(None)
        } else if let Some(file) = config_file {
            let config = load(file)?.ok_or_else(|| {
                format!(
                    "{}: no `[package.metadata.tasklint]` or `[workspace.metadata.tasklint]` table",
                    file.display()
                )
            })?;
            Some(Some(Arc::new(config)))
        } else {
            None
        };
        Ok(Resolver {
            forced,
            cli,
            by_dir: FastMap::default(),
            probes: Arc::default(),
            settings: FastMap::default(),
            last: None,
        })
    }

    /// Looks up, in parallel, which folders of these files (and their
    /// parents) hold configuration files or manifests, for the resolver
    /// and for the [`CrateRoots`](crate::input::discover::CrateRoots) sharing them.
    pub fn probe(&mut self, files: &[PathBuf], known: FastMap<PathBuf, u8>) -> Arc<Probes> {
        let mut dirs = Vec::new();
        // Walked files come sorted: files of one folder are neighbours.
        let mut last = None;
        for file in files {
            let folder = file.parent();
            if folder != last {
                last = folder;
                dirs.extend(normalised(file).parent().map(Path::to_path_buf));
                dirs.extend(CrateRoots::folder_of(file));
            }
        }
        self.probes = Arc::new(Probes::of_dirs(dirs, known));
        self.probes()
    }

    /// Takes probes known whole in advance (a replayed walk's) instead of
    /// [`Resolver::probe`].
    pub fn use_probes(&mut self, probes: Probes) -> Arc<Probes> {
        self.probes = Arc::new(probes);
        self.probes()
    }

    /// Every configuration file read so far, the files they extend
    /// included (for the result cache, which must notice when one changes).
    pub fn config_files(&self) -> Vec<PathBuf> {
        let forced = self.forced.iter().flatten();
        let mut files: Vec<PathBuf> = Vec::new();
        for config in forced.chain(self.by_dir.values().flatten()) {
            let mut next = Some(config);
            while let Some(config) = next {
                files.push(config.file.clone());
                next = config.base.as_ref();
            }
        }
        files.sort();
        files.dedup();
        files
    }

    /// The probes of [`Resolver::probe`] (none before it).
    pub fn probes(&self) -> Arc<Probes> {
        Arc::clone(&self.probes)
    }

    /// The configuration and settings for the file at `path`.
    pub fn for_file(&mut self, path: &Path) -> Result<Applied, String> {
        if let Some((last, applied)) = &self.last {
            if in_folder(path, last) {
                return Ok(applied.clone());
            }
        }
        let folder = path.parent().unwrap_or(Path::new(""));
        let config = match &self.forced {
            Some(forced) => forced.clone(),
            None => {
                let dir = normalised(path)
                    .parent()
                    .map(Path::to_path_buf)
                    .unwrap_or_default();
                self.nearest(&dir)?
            }
        };
        let (key, ignored) = match &config {
            Some(config) => {
                let (hits, ignored) = config.per_file_hits(path);
                ((config.file.clone(), config.table.clone(), hits), ignored)
            }
            None => ((PathBuf::new(), String::new(), Vec::new()), Vec::new()),
        };
        let settings = match self.settings.get(&key) {
            Some(settings) => settings.clone(),
            None => {
                let empty = Config::default();
                let base = config.as_deref().unwrap_or(&empty);
                let settings = Arc::new(base.settings(&self.cli, &ignored)?);
                self.settings.insert(key, settings.clone());
                settings
            }
        };
        let applied = Applied { config, settings };
        let by_name = applied.config.as_ref().is_some_and(|c| {
            c.layers()
                .iter()
                .any(|layer| !layer.per_file_ignores.is_empty())
        });
        self.last = (!by_name).then(|| (folder.to_path_buf(), applied.clone()));
        Ok(applied)
    }

    /// What `--show-settings` prints: the settings that apply to the file
    /// at `path`, and the files they come from.
    pub fn show_settings(&mut self, path: &Path) -> Result<String, String> {
        let applied = self.for_file(path)?;
        let shown = crate::input::discover::display_from_here(path);
        let mut out = format!("settings for {shown}\n");
        let mut line = |key: &str, value: &str| out.push_str(&format!("  {key:<16}{value}\n"));
        match &applied.config {
            None if matches!(self.forced, Some(None)) => line("from:", "none (--no-config)"),
            None => line("from:", "no configuration file (the defaults)"),
            Some(config) => {
                let forced = if self.forced.is_some() {
                    " (--config)"
                } else {
                    ""
                };
                for (i, layer) in config.layers().iter().rev().enumerate() {
                    let key = if i == 0 { "from:" } else { "extending:" };
                    line(
                        key,
                        &format!("{}{}", layer.source(), if i == 0 { forced } else { "" }),
                    );
                }
                for layer in config.layers() {
                    for entry in layer.per_file_matches(path) {
                        line(
                            "per-file-ignores:",
                            &format!(
                                "{} (in {})",
                                layer.per_file_ignores[entry].1.join(", "),
                                layer.source()
                            ),
                        );
                    }
                }
            }
        }
        let cli = &self.cli;
        if cli.select.is_some() || !cli.extend_select.is_empty() || !cli.ignore.is_empty() {
            line(
                "command line:",
                "--select, --extend-select and --ignore apply on top",
            );
        }
        line(
            "excluded:",
            if applied.excludes(path) {
                "yes, by the configuration's `exclude`"
            } else {
                "no"
            },
        );
        let settings = &applied.settings;
        let enabled: Vec<_> = settings.enabled_rules().collect();
        out.push_str(&format!("  rules ({} enabled):\n", enabled.len()));
        for rule in enabled {
            out.push_str(&format!(
                "    {:<28}{}\n",
                rule.id,
                settings.severity_of(rule).as_str()
            ));
        }
        let mut line = |key: &str, value: &str| {
            let value = if value.is_empty() { "none" } else { value };
            out.push_str(&format!("  {key:<16}{value}\n"));
        };
        line("lint-tests:", &settings.lint_tests.to_string());
        line("max-file-size:", &settings.max_file_size.to_string());
        for (key, kind) in [
            ("detaching:", Spawner::Detaching),
            ("cancel-on-drop:", Spawner::CancelOnDrop),
            ("owning:", Spawner::Owning),
        ] {
            let mut paths: Vec<&str> = settings
                .declared
                .spawners
                .iter()
                .filter(|(_, spawner)| **spawner == kind)
                .map(|(path, _)| path.as_str())
                .collect();
            paths.sort_unstable();
            line(key, &paths.join(", "));
        }
        line(
            "shutdown-words:",
            &settings.declared.shutdown_words.join(", "),
        );
        line("signals:", &settings.declared.signals.join(", "));
        Ok(out)
    }

    fn nearest(&mut self, dir: &Path) -> Result<Option<Arc<Config>>, String> {
        if let Some(known) = self.by_dir.get(dir) {
            return Ok(known.clone());
        }
        let mut found = None;
        let probed = self.probes.at(dir);
        for name in CONFIG_FILES.iter().chain(&["Cargo.toml"]) {
            let plain = *name == "Cargo.toml" && probed.plain_manifest();
            if !plain && probed.has(dir, name) {
                let file = dir.join(name);
                if let Some(config) = load(&file)? {
                    found = Some(Arc::new(config));
                    break;
                }
            }
        }
        if found.is_none() {
            if let Some(parent) = dir.parent() {
                found = self.nearest(parent)?;
            }
        }
        self.by_dir.insert(dir.to_path_buf(), found.clone());
        Ok(found)
    }
}
