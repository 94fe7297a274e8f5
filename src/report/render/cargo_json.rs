//! cargo's `--message-format=json` compiler messages, one JSON object a
//! line: `{"reason":"compiler-message","package_id":..,"manifest_path":..,
//! "target":{..},"message":{..}}` with a rustc diagnostic as `message`
//! (its `rendered` text, its spans, the rule id as its `code`, the help as a
//! child). rust-analyzer reads this from `check.overrideCommand`, so the
//! findings show in the editor on save.
//!
//! The package and target are those of the nearest `Cargo.toml` with a
//! `[package]` above the file (its library if it has `src/lib.rs`, else its
//! `src/main.rs` binary); a file outside any package gets a package named
//! after its folder.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use super::{Lines, Report};
use crate::base::finding::Finding;
use crate::base::rule::Severity;

/// The largest manifest read for a package's name.
const MANIFEST_LIMIT: u64 = 1 << 20;

pub fn render(report: &Report<'_>) -> String {
    let root = std::env::current_dir().unwrap_or_default();
    let mut packages: HashMap<PathBuf, Option<Package>> = HashMap::new();
    let mut rendered: Vec<String> = Vec::with_capacity(report.findings.len());
    super::human::each(report, false, |_, text| rendered.push(text));
    let mut lines: Option<(&str, Lines<'_>)> = None;
    let mut out = String::new();
    for (finding, rendered) in report.findings.iter().zip(rendered) {
        if lines.as_ref().is_none_or(|(path, _)| *path != finding.path) {
            let source = report.sources.get(&finding.path).map_or("", String::as_str);
            lines = Some((&finding.path, Lines::new(source)));
        }
        let Some((_, lines)) = &lines else { continue };
        let folder = root
            .join(&finding.path)
            .parent()
            .map_or_else(|| root.clone(), Path::to_path_buf);
        let package = package_of(&folder, &mut packages);
        let message = json!({
            "reason": "compiler-message",
            "package_id": package.id,
            "manifest_path": package.manifest,
            "target": package.target,
            "message": diagnostic(finding, lines, rendered),
        });
        out.push_str(&message.to_string());
        out.push('\n');
    }
    out
}

fn diagnostic(f: &Finding, lines: &Lines<'_>, rendered: String) -> Value {
    let r = f.region;
    let range = lines.range(r);
    let text: Vec<Value> = (r.line..=r.end_line)
        .map(|line| {
            let text = lines.text(line);
            let start = if line == r.line { r.column } else { 1 };
            let end = if line == r.end_line {
                r.end_column
            } else {
                text.chars().count() + 1
            };
            json!({ "text": text, "highlight_start": start, "highlight_end": end })
        })
        .collect();
    json!({
        "$message_type": "diagnostic",
        "message": f.message,
        "code": { "code": f.rule.id, "explanation": null },
        "level": match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        },
        "spans": [{
            "file_name": f.path,
            "byte_start": range.start,
            "byte_end": range.end,
            "line_start": r.line,
            "line_end": r.end_line,
            "column_start": r.column,
            "column_end": r.end_column,
            "is_primary": true,
            "text": text,
            "label": null,
            "suggested_replacement": null,
            "suggestion_applicability": null,
            "expansion": null,
        }],
        "children": [{
            "$message_type": "diagnostic",
            "message": f.help,
            "code": null,
            "level": "help",
            "spans": [],
            "children": [],
            "rendered": null,
        }],
        "rendered": rendered,
    })
}

/// What cargo says about the package a message belongs to.
#[derive(Clone)]
struct Package {
    id: String,
    manifest: String,
    target: Value,
}

/// The package of the nearest manifest with a `[package]` at or above
/// `folder`, looked up once per folder.
fn package_of(folder: &Path, cache: &mut HashMap<PathBuf, Option<Package>>) -> Package {
    let mut visited = Vec::new();
    let mut found = None;
    for dir in folder.ancestors() {
        if let Some(known) = cache.get(dir) {
            found = known.clone();
            break;
        }
        visited.push(dir.to_path_buf());
        if let Some(package) = read_package(dir) {
            found = Some(package);
            break;
        }
    }
    for dir in visited {
        cache.insert(dir, found.clone());
    }
    found.unwrap_or_else(|| loose_package(folder))
}

fn read_package(dir: &Path) -> Option<Package> {
    let manifest = dir.join("Cargo.toml");
    let text = crate::base::bounded::read_to_string(&manifest, MANIFEST_LIMIT).ok()?;
    let table: toml::Table = toml::from_str(&text).ok()?;
    let package = table.get("package")?.as_table()?;
    let name = package.get("name")?.as_str()?;
    // `version.workspace = true` and the like: not a string here.
    let version = package
        .get("version")
        .and_then(toml::Value::as_str)
        .unwrap_or("0.0.0");
    // cargo's default; an inherited or unknown edition (which readers of
    // this format may reject) is given as the current one.
    let edition = match package.get("edition") {
        None => "2015",
        Some(edition) => edition
            .as_str()
            .filter(|e| matches!(*e, "2015" | "2018" | "2021" | "2024"))
            .unwrap_or("2021"),
    };
    let (kind, src) = if dir.join("src/lib.rs").is_file() || !dir.join("src/main.rs").is_file() {
        ("lib", dir.join("src/lib.rs"))
    } else {
        ("bin", dir.join("src/main.rs"))
    };
    let target_name = if kind == "lib" {
        name.replace('-', "_")
    } else {
        name.to_string()
    };
    Some(Package {
        id: format!("{}#{name}@{version}", file_url(dir)),
        manifest: manifest.to_string_lossy().into_owned(),
        target: target(&target_name, kind, &src, edition),
    })
}

/// A file in no package: named after its folder.
fn loose_package(folder: &Path) -> Package {
    let name = folder.file_name().map_or_else(
        || "unknown".to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    Package {
        id: format!("{}#{name}@0.0.0", file_url(folder)),
        manifest: folder.join("Cargo.toml").to_string_lossy().into_owned(),
        target: target(&name, "lib", &folder.join("lib.rs"), "2021"),
    }
}

fn target(name: &str, kind: &str, src: &Path, edition: &str) -> Value {
    json!({
        "kind": [kind],
        "crate_types": [kind],
        "name": name,
        "src_path": src.to_string_lossy(),
        "edition": edition,
        "doc": kind == "lib",
        "doctest": kind == "lib",
        "test": true,
    })
}

/// cargo's package ids start with the package folder as a `path+file://` URL.
fn file_url(dir: &Path) -> String {
    let mut url = String::from("path+file://");
    for byte in dir.to_string_lossy().bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            url.push(char::from(byte));
        } else {
            url.push_str(&format!("%{byte:02X}"));
        }
    }
    url
}
