//! Configuration files (SPEC §4): `tasklint.toml`, `.tasklint.toml`, or a
//! `[package.metadata.tasklint]` / `[workspace.metadata.tasklint]` table in
//! `Cargo.toml`. For each file the nearest configuration up its folders wins;
//! `--config` forces one for all. A configuration extends another: the file
//! its `extend` key names, or for a package's table the workspace's
//! configuration. Errors name the file, the line, the key and what was
//! expected.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::base::bounded;
use crate::base::rule::Severity;
use crate::config::settings::{self, Settings};
use crate::input::discover::normalised;
use crate::knowledge::spawner::Spawner;
use crate::rules;

/// File names searched in each folder, in order of precedence.
pub(super) const CONFIG_FILES: &[&str] = &["tasklint.toml", ".tasklint.toml"];

/// One configuration, parsed and checked.
#[derive(Debug, Default)]
pub struct Config {
    /// The file it was read from.
    pub file: PathBuf,
    /// Its table in that file (`package.metadata.tasklint`), or "" for a
    /// whole tasklint file.
    pub table: String,
    /// The configuration it extends: the file `extend` names, or for a
    /// package's table the workspace's configuration. Its settings come
    /// first, and this one's apply over them.
    pub base: Option<Arc<Config>>,
    /// `extend`, as written, and where.
    extend: Option<(String, usize)>,
    /// The folder its globs are relative to.
    pub root: PathBuf,
    pub select: Option<Vec<String>>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
    pub exclude: Option<Gitignore>,
    /// `glob = [rule ids]`, each glob compiled on its own.
    pub per_file_ignores: Vec<(Gitignore, Vec<String>)>,
    /// Their globs, for finding the entries a path may match.
    pub per_file_set: PerFileSet,
    pub severity: Vec<(&'static str, Severity)>,
    pub lint_tests: Option<bool>,
    /// `max-file-size`, in bytes.
    pub max_file_size: Option<u64>,
    pub spawners: Vec<(String, Spawner)>,
    pub shutdown_words: Vec<String>,
    pub signals: Vec<String>,
}

/// The rule selection given on the command line, applied over the configuration.
#[derive(Debug, Default, Clone)]
pub struct Selection {
    pub select: Option<Vec<String>>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
}

impl Config {
    /// This configuration and those it extends, the base first.
    pub fn layers(&self) -> Vec<&Config> {
        let mut layers = Vec::new();
        let mut layer = Some(self);
        while let Some(config) = layer {
            layers.push(config);
            layer = config.base.as_deref();
        }
        layers.reverse();
        layers
    }

    /// Is `path` excluded by the `exclude` globs of this configuration or
    /// one it extends (each relative to its own file's folder)?
    pub fn excludes(&self, path: &Path) -> bool {
        self.layers().iter().any(|layer| {
            layer
                .exclude
                .as_ref()
                .is_some_and(|globs| matches(globs, &layer.root, path))
        })
    }

    /// The settings for a file: the configurations this one extends, then
    /// this one (a `select` starts again, `extend-select` and `ignore` add,
    /// `severity` entries and single values replace, spawner lists add up),
    /// then the command line's selection, then the `per-file-ignores` that
    /// match `path`.
    pub fn settings(&self, cli: &Selection, ignored: &[String]) -> Result<Settings, String> {
        let mut settings = Settings::default();
        let layers = self.layers();
        for layer in &layers {
            settings.apply_selection(
                layer.select.as_deref(),
                &layer.extend_select,
                &layer.ignore,
            )?;
        }
        settings.apply_selection(cli.select.as_deref(), &cli.extend_select, &cli.ignore)?;
        settings.apply_selection(None, &[], ignored)?;
        for layer in &layers {
            for (id, severity) in &layer.severity {
                settings.severity.insert(id, *severity);
            }
            if let Some(lint_tests) = layer.lint_tests {
                settings.lint_tests = lint_tests;
            }
            if let Some(max_file_size) = layer.max_file_size {
                settings.max_file_size = max_file_size;
            }
            for (path, spawner) in &layer.spawners {
                settings.add_spawner(path, *spawner);
            }
            settings
                .declared
                .shutdown_words
                .extend(layer.shutdown_words.iter().cloned());
            settings
                .declared
                .signals
                .extend(layer.signals.iter().cloned());
        }
        Ok(settings)
    }

    /// The `per-file-ignores` entries of every layer that match `path`, as
    /// (layer, entry) pairs, and the rules they ignore.
    pub(super) fn per_file_hits(&self, path: &Path) -> (Vec<(usize, usize)>, Vec<String>) {
        let mut hits = Vec::new();
        let mut ignored = Vec::new();
        for (i, layer) in self.layers().iter().enumerate() {
            for entry in layer.per_file_matches(path) {
                hits.push((i, entry));
                ignored.extend(layer.per_file_ignores[entry].1.iter().cloned());
            }
        }
        (hits, ignored)
    }

    /// Where this configuration was read, for people: the file, and the
    /// table in a `Cargo.toml`.
    pub fn source(&self) -> String {
        let file = crate::input::discover::display_from_here(&self.file);
        if self.table.is_empty() {
            file
        } else {
            format!("{file} [{}]", self.table)
        }
    }

    /// Indexes of the `per-file-ignores` entries whose glob matches `path`,
    /// in order: the entries the one set of all their globs may match,
    /// each confirmed by its own glob.
    pub(super) fn per_file_matches(&self, path: &Path) -> Vec<usize> {
        if self.per_file_ignores.is_empty() {
            return Vec::new();
        }
        let path = normalised(path);
        let Ok(relative) = path.strip_prefix(&self.root) else {
            return Vec::new();
        };
        let mut candidates = self.per_file_set.candidates(relative);
        candidates.retain(|&i| matches(&self.per_file_ignores[i].0, &self.root, &path));
        candidates
    }
}

/// The globs of every `per-file-ignores` entry in one [`GlobSet`]: a path
/// is matched once, not once per entry. Translated as `ignore` translates a
/// gitignore line, or more loosely: what the set finds, each entry's own
/// glob confirms.
#[derive(Debug, Default)]
pub struct PerFileSet {
    set: GlobSet,
    /// For each glob of the set: its entry, and whether it names folders only.
    globs: Vec<(usize, bool)>,
    /// Entries whose glob was not translated: always confirmed one by one.
    untranslated: Vec<usize>,
}

impl PerFileSet {
    fn new(entries: &[(Gitignore, Vec<String>)], lines: &[String]) -> PerFileSet {
        let mut builder = GlobSetBuilder::new();
        let mut per_file = PerFileSet::default();
        for (i, ((compiled, _), line)) in entries.iter().zip(lines).enumerate() {
            if compiled.num_ignores() == 0 {
                continue; // a comment or a `!` line: matches nothing
            }
            match gitignore_glob(line) {
                Some((glob, only_dir)) => {
                    builder.add(glob);
                    per_file.globs.push((i, only_dir));
                }
                None => per_file.untranslated.push(i),
            }
        }
        match builder.build() {
            Ok(set) => per_file.set = set,
            Err(_) => {
                per_file.globs.clear();
                per_file.untranslated = (0..entries.len()).collect();
            }
        }
        per_file
    }

    /// The entries that may match `relative` (a path under the
    /// configuration's folder) or one of its folders, sorted.
    fn candidates(&self, relative: &Path) -> Vec<usize> {
        let mut found = self.untranslated.clone();
        let mut hits = Vec::new();
        let mut is_dir = false;
        for candidate in relative.ancestors() {
            if candidate.as_os_str().is_empty() {
                break;
            }
            self.set.matches_into(candidate, &mut hits);
            for &hit in &hits {
                let (entry, only_dir) = self.globs[hit];
                if is_dir || !only_dir {
                    found.push(entry);
                }
            }
            is_dir = true;
        }
        found.sort_unstable();
        found.dedup();
        found
    }
}

/// A gitignore line as the glob `ignore` builds from it (a `/` inside
/// anchors it, none lets it match at any depth, a trailing `/` names
/// folders only), and whether it names folders only.
fn gitignore_glob(line: &str) -> Option<(Glob, bool)> {
    let mut line = line.trim_end();
    let mut anchored = false;
    if line.starts_with("\\!") || line.starts_with("\\#") {
        line = &line[1..];
    } else if let Some(rest) = line.strip_prefix('/') {
        line = rest;
        anchored = true;
    }
    let mut only_dir = false;
    if let Some(rest) = line.strip_suffix('/') {
        only_dir = true;
        line = rest.strip_suffix('\\').unwrap_or(rest);
    }
    let mut actual = line.to_string();
    if !anchored && !line.contains('/') && !line.starts_with("**/") {
        actual = format!("**/{actual}");
    }
    if actual.ends_with("/**") {
        actual.push_str("/*");
    }
    let glob = GlobBuilder::new(&actual)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
        .ok()?;
    Some((glob, only_dir))
}

fn matches(globs: &Gitignore, root: &Path, path: &Path) -> bool {
    let path = normalised(path);
    path.starts_with(root) && globs.matched_path_or_any_parents(&path, false).is_ignore()
}

/// Reads a configuration file. `Ok(None)` for a `Cargo.toml` without a
/// tasklint table. A `Cargo.toml` that mentions tasklint but is not valid
/// TOML is an error: skipping it would turn its configuration off unseen.
/// The configurations it extends are read with it.
pub fn load(file: &Path) -> Result<Option<Config>, String> {
    load_table(file, Want::Any, &mut Vec::new())
}

/// Which table of a `Cargo.toml` to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    /// The package's table, else the workspace's.
    Any,
    /// The workspace's: the base of a package's table.
    Workspace,
}

/// The files being read, each extending the next: a file met again is a cycle.
type Chain = Vec<(PathBuf, Want)>;

fn load_table(file: &Path, want: Want, chain: &mut Chain) -> Result<Option<Config>, String> {
    let text = bounded::read_to_string(file, bounded::CONFIG_LIMIT)
        .map_err(|err| format!("cannot read configuration `{}`: {err}", file.display()))?;
    let is_manifest = file.file_name().is_some_and(|n| n == "Cargo.toml");
    if is_manifest && !text.contains("tasklint") && want == Want::Any {
        return Ok(None); // no tasklint table: not worth parsing the manifest
    }
    let root = normalised(file)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let document = parse_toml(file, &text)?;
    let parser = Parser {
        file,
        text: &text,
        root: &root,
    };
    let mut is_package = false;
    let (table, prefix) = if is_manifest {
        let section = |name: &str| {
            get(document.get_ref(), name)
                .and_then(|v| v.get_ref().as_table())
                .and_then(|t| get(t, "metadata"))
                .and_then(|v| v.get_ref().as_table())
                .and_then(|t| get(t, "tasklint"))
                .map(|value| (value, format!("{name}.metadata.tasklint")))
        };
        let table = |(value, prefix)| parser.table(value, prefix);
        let package = match want {
            Want::Any => section("package").map(table).transpose()?,
            Want::Workspace => None,
        };
        let workspace = section("workspace").map(table).transpose()?;
        is_package = package.is_some();
        let Some(found) = package.or(workspace) else {
            return Ok(None);
        };
        found
    } else {
        (document.get_ref(), String::new())
    };
    let mut config = parser.config(table, &prefix)?;
    config.file = file.to_path_buf();
    config.table = prefix.trim_end_matches('.').to_string();
    config.root = root.clone();
    chain.push((normalised(file), want));
    let base = match &config.extend {
        Some((target, at)) => {
            let key = format!("{prefix}extend");
            let path = normalised(&root.join(target));
            if chain.iter().any(|(seen, _)| *seen == path) {
                let cycle: Vec<String> = chain
                    .iter()
                    .map(|(seen, _)| crate::input::discover::display_from_here(seen))
                    .chain([crate::input::discover::display_from_here(&path)])
                    .collect();
                return Err(format!(
                    "{}:{}: `{key}`: `{target}` extends this file again, a cycle: {}",
                    file.display(),
                    line_of(&text, *at),
                    cycle.join(" -> ")
                ));
            }
            if !path.is_file() {
                return Err(parser.error(
                    *at,
                    &key,
                    &format!("the path of a configuration file, relative to this one (`{}` is not a file)", path.display()),
                ));
            }
            let base = load_table(&path, Want::Any, chain)?.ok_or_else(|| {
                parser.error(
                    *at,
                    &key,
                    &format!("a file with a tasklint table (`{target}` has none)"),
                )
            })?;
            Some(base)
        }
        None if is_package => workspace_base(file, &document, chain)?,
        None => None,
    };
    chain.pop();
    config.base = base.map(Arc::new);
    Ok(Some(config))
}

/// The base of a package's table: the configuration of its workspace's root
/// folder (`tasklint.toml`, `.tasklint.toml`, or the root manifest's
/// `[workspace.metadata.tasklint]`). The root is the one `package.workspace`
/// names, else the nearest folder above with a `[workspace]` manifest, as
/// cargo finds it; for the root package, its own manifest.
fn workspace_base(
    manifest: &Path,
    document: &Spanned<DeTable<'_>>,
    chain: &mut Chain,
) -> Result<Option<Config>, String> {
    let folder = normalised(manifest)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    if get(document.get_ref(), "workspace").is_some() {
        return load_table(manifest, Want::Workspace, chain);
    }
    let named = get(document.get_ref(), "package")
        .and_then(|v| v.get_ref().as_table())
        .and_then(|t| get(t, "workspace"))
        .and_then(|v| v.get_ref().as_str())
        .map(|root| normalised(&folder.join(root)));
    let root = named.or_else(|| {
        folder.ancestors().skip(1).find_map(|dir| {
            let text =
                bounded::read_to_string(&dir.join("Cargo.toml"), bounded::CONFIG_LIMIT).ok()?;
            let document = DeTable::parse(&text).ok()?;
            get(document.get_ref(), "workspace").map(|_| dir.to_path_buf())
        })
    });
    let Some(root) = root else {
        return Ok(None);
    };
    for name in CONFIG_FILES {
        let file = root.join(name);
        if file.is_file() {
            return load_table(&file, Want::Any, chain);
        }
    }
    let file = root.join("Cargo.toml");
    if file.is_file() {
        return load_table(&file, Want::Workspace, chain);
    }
    Ok(None)
}

fn parse_toml<'t>(file: &Path, text: &'t str) -> Result<Spanned<DeTable<'t>>, String> {
    DeTable::parse(text).map_err(|err| {
        let line = err.span().map_or(1, |span| line_of(text, span.start));
        // toml's "duplicate key" spans the key but does not name it.
        let key = err
            .span()
            .filter(|_| err.message() == "duplicate key")
            .and_then(|span| text.get(span))
            .map(|key| format!(" `{}`", key.trim()))
            .unwrap_or_default();
        format!(
            "{}:{line}: invalid TOML: {}{key}",
            file.display(),
            err.message()
        )
    })
}

fn get<'t, 'i>(table: &'t DeTable<'i>, key: &str) -> Option<&'t Spanned<DeValue<'i>>> {
    table
        .iter()
        .find(|(k, _)| k.get_ref().as_ref() == key)
        .map(|(_, v)| v)
}

/// Why globs did not compile: one is invalid (what was expected), or all
/// are valid but too many to compile together (what went wrong).
enum GlobError {
    Invalid(String),
    TooMany(String),
}

fn compile(root: &Path, globs: &[String]) -> Result<Gitignore, GlobError> {
    let mut builder = GitignoreBuilder::new(root);
    for glob in globs {
        builder
            .add_line(None, glob)
            .map_err(|err| GlobError::Invalid(format!("a valid glob (`{glob}`: {err})")))?;
    }
    builder.build().map_err(|err| {
        GlobError::TooMany(crate::input::discover::too_many_globs(
            "",
            globs.len(),
            &err,
        ))
    })
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(1, |before| before.matches('\n').count() + 1)
}

struct Parser<'p> {
    file: &'p Path,
    text: &'p str,
    /// The folder globs are relative to.
    root: &'p Path,
}

impl Parser<'_> {
    fn glob_error(&self, offset: usize, key: &str, err: GlobError) -> String {
        match err {
            GlobError::Invalid(expected) => self.error(offset, key, &expected),
            GlobError::TooMany(what) => format!(
                "{}:{}: `{key}`{what}",
                self.file.display(),
                line_of(self.text, offset)
            ),
        }
    }

    fn error(&self, offset: usize, key: &str, expected: &str) -> String {
        format!(
            "{}:{}: `{key}`: expected {expected}",
            self.file.display(),
            line_of(self.text, offset)
        )
    }

    /// A manifest's tasklint table, and the prefix of its keys in messages.
    fn table<'t, 'i>(
        &self,
        value: &'t Spanned<DeValue<'i>>,
        prefix: String,
    ) -> Result<(&'t DeTable<'i>, String), String> {
        match value.get_ref() {
            DeValue::Table(table) => Ok((table, format!("{prefix}."))),
            _ => Err(self.error(value.span().start, &prefix, "a table")),
        }
    }

    fn config(&self, table: &DeTable<'_>, prefix: &str) -> Result<Config, String> {
        let mut config = Config::default();
        for (key, value) in table {
            let name = key.get_ref().as_ref();
            let full = format!("{prefix}{name}");
            let at = value.span().start;
            match name {
                "select" => config.select = Some(self.selectors(value, &full)?),
                "extend-select" => config.extend_select = self.selectors(value, &full)?,
                "ignore" => config.ignore = self.selectors(value, &full)?,
                "exclude" => {
                    let globs = self.strings(value, &full, "an array of globs")?;
                    let compiled =
                        compile(self.root, &globs).map_err(|e| self.glob_error(at, &full, e))?;
                    config.exclude = Some(compiled);
                }
                "per-file-ignores" => {
                    let DeValue::Table(entries) = value.get_ref() else {
                        return Err(self.error(at, &full, "a table of `\"glob\" = [rule ids]`"));
                    };
                    let mut lines = Vec::new();
                    for (glob, ids) in entries {
                        let key = format!("{full}.\"{}\"", glob.get_ref());
                        let globs = compile(self.root, &[glob.get_ref().to_string()])
                            .map_err(|e| self.glob_error(glob.span().start, &key, e))?;
                        let ids = self.selectors(ids, &key)?;
                        config.per_file_ignores.push((globs, ids));
                        lines.push(glob.get_ref().to_string());
                    }
                    config.per_file_set = PerFileSet::new(&config.per_file_ignores, &lines);
                }
                "severity" => {
                    let DeValue::Table(entries) = value.get_ref() else {
                        return Err(self.error(
                            at,
                            &full,
                            "a table of `rule-id = \"error\"|\"warning\"|\"note\"`",
                        ));
                    };
                    for (id, level) in entries {
                        let key = format!("{full}.{}", id.get_ref());
                        let Some(rule) = rules::by_id(id.get_ref()) else {
                            return Err(self.error(
                                id.span().start,
                                &key,
                                &format!(
                                    "a rule id, not `{}`{} (see `tasklint rules`)",
                                    id.get_ref(),
                                    crate::base::spelling::did_you_mean(
                                        id.get_ref(),
                                        rules::ALL.iter().map(|r| r.id)
                                    )
                                ),
                            ));
                        };
                        let severity = level
                            .get_ref()
                            .as_str()
                            .and_then(Severity::parse)
                            .ok_or_else(|| {
                                self.error(
                                    level.span().start,
                                    &key,
                                    "\"error\", \"warning\" or \"note\"",
                                )
                            })?;
                        config.severity.push((rule.id, severity));
                    }
                }
                "max-file-size" => {
                    let size = match value.get_ref() {
                        DeValue::Integer(size) => {
                            u64::from_str_radix(size.as_str(), size.radix()).ok()
                        }
                        _ => None,
                    };
                    match size {
                        Some(size) if size > 0 => config.max_file_size = Some(size),
                        _ => return Err(self.error(at, &full, "a positive number of bytes")),
                    }
                }
                "lint-tests" => match value.get_ref() {
                    DeValue::Boolean(on) => config.lint_tests = Some(*on),
                    _ => return Err(self.error(at, &full, "true or false")),
                },
                "detaching" | "cancel-on-drop" | "owning" => {
                    let kind = match name {
                        "detaching" => Spawner::Detaching,
                        "cancel-on-drop" => Spawner::CancelOnDrop,
                        _ => Spawner::Owning,
                    };
                    for path in self.paths(value, &full)? {
                        config.spawners.push((path, kind));
                    }
                }
                "shutdown-words" => {
                    let words = self.strings(value, &full, "an array of words")?;
                    if let Some(bad) = words
                        .iter()
                        .find(|w| w.is_empty() || !w.chars().all(|c| c.is_ascii_alphanumeric()))
                    {
                        return Err(self.error(
                            at,
                            &full,
                            &format!("words of letters and digits, not `{bad}`"),
                        ));
                    }
                    config.shutdown_words = words.iter().map(|w| w.to_ascii_lowercase()).collect();
                }
                "signals" => config.signals = self.paths(value, &full)?,
                "extend" => match value.get_ref().as_str() {
                    Some(target) if !target.is_empty() => {
                        config.extend = Some((target.to_string(), at));
                    }
                    _ => {
                        return Err(self.error(
                            at,
                            &full,
                            "the path of a configuration file, relative to this one",
                        ))
                    }
                },
                _ => {
                    return Err(format!(
                        "{}:{}: unknown key `{full}`{} (expected one of: {})",
                        self.file.display(),
                        line_of(self.text, key.span().start),
                        crate::base::spelling::did_you_mean(name, KEYS.iter().copied()),
                        KEYS.join(", ")
                    ))
                }
            }
        }
        Ok(config)
    }

    fn strings(
        &self,
        value: &Spanned<DeValue<'_>>,
        key: &str,
        expected: &str,
    ) -> Result<Vec<String>, String> {
        let DeValue::Array(items) = value.get_ref() else {
            return Err(self.error(value.span().start, key, expected));
        };
        items
            .iter()
            .map(|item| {
                item.get_ref()
                    .as_str()
                    .map(str::to_string)
                    .ok_or_else(|| self.error(item.span().start, key, expected))
            })
            .collect()
    }

    fn selectors(&self, value: &Spanned<DeValue<'_>>, key: &str) -> Result<Vec<String>, String> {
        let selectors =
            self.strings(value, key, "an array of rule ids, family names or \"all\"")?;
        for (selector, item) in selectors
            .iter()
            .zip(value.get_ref().as_array().into_iter().flatten())
        {
            if settings::select(selector).is_err() {
                return Err(self.error(
                    item.span().start,
                    key,
                    &format!(
                        "a rule id, family name or \"all\", not `{selector}`{} (see `tasklint rules`)",
                        crate::base::spelling::did_you_mean(selector, rules::selector_names())
                    ),
                ));
            }
        }
        Ok(selectors)
    }

    fn paths(&self, value: &Spanned<DeValue<'_>>, key: &str) -> Result<Vec<String>, String> {
        let paths = self.strings(value, key, "an array of paths like \"my_rt::spawn\"")?;
        for (path, item) in paths
            .iter()
            .zip(value.get_ref().as_array().into_iter().flatten())
        {
            let is_path = path
                .trim_start_matches("::")
                .split("::")
                .all(|seg| !seg.is_empty() && seg.chars().all(|c| c.is_alphanumeric() || c == '_'));
            if !is_path {
                return Err(self.error(
                    item.span().start,
                    key,
                    &format!("a path like \"my_rt::spawn\", not `{path}`"),
                ));
            }
        }
        Ok(paths
            .into_iter()
            .map(|p| p.trim_start_matches("::").to_string())
            .collect())
    }
}

/// Every key a configuration may have.
pub const KEYS: &[&str] = &[
    "extend",
    "select",
    "extend-select",
    "ignore",
    "exclude",
    "per-file-ignores",
    "severity",
    "lint-tests",
    "max-file-size",
    "detaching",
    "cancel-on-drop",
    "owning",
    "shutdown-words",
    "signals",
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The one set finds exactly the entries matching one by one would.
    #[test]
    fn per_file_set_matches_as_each_entry_alone() {
        let root = PathBuf::from("/project");
        let lines: Vec<String> = [
            "*.rs",
            "src/bin/**",
            "gen/",
            "/top.rs",
            "tests/*.rs",
            "**/deep/*.rs",
            "a/**/b.rs",
            "# comment",
            "!src/lib.rs",
            "\\!bang.rs",
            "trailing.rs   ",
            "[ab].rs",
            "src/{x,y}.rs",
            "nested/dir/",
            "**",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let entries: Vec<(Gitignore, Vec<String>)> = lines
            .iter()
            .map(|line| {
                let compiled = match compile(&root, std::slice::from_ref(line)) {
                    Ok(compiled) => compiled,
                    Err(_) => panic!("`{line}` compiles"),
                };
                (compiled, Vec::new())
            })
            .collect();
        let config = Config {
            root: root.clone(),
            per_file_set: PerFileSet::new(&entries, &lines),
            per_file_ignores: entries,
            ..Config::default()
        };
        assert!(
            config.per_file_set.untranslated.is_empty(),
            "every glob is in the set"
        );
        let paths = [
            "src/lib.rs",
            "src/bin/tool.rs",
            "src/bin/x/y.rs",
            "gen/a.rs",
            "x/gen/b.rs",
            "top.rs",
            "sub/top.rs",
            "tests/it.rs",
            "tests/sub/it.rs",
            "p/q/deep/r.rs",
            "a/b.rs",
            "a/x/y/b.rs",
            "bang.rs",
            "!bang.rs",
            "trailing.rs",
            "a.rs",
            "c.rs",
            "src/x.rs",
            "nested/dir/f.rs",
            "nested/dir",
        ];
        for path in paths {
            let path = root.join(path);
            let one_by_one: Vec<usize> = (0..config.per_file_ignores.len())
                .filter(|&i| matches(&config.per_file_ignores[i].0, &root, &path))
                .collect();
            assert_eq!(config.per_file_matches(&path), one_by_one, "{path:?}");
        }
    }
}
