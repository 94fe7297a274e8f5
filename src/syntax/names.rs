//! Names in syntax trees: a path's segments, raw identifiers.

/// A path's segment names: `["tokio", "spawn"]` for `::tokio::spawn::<F>`.
pub fn segments(path: &syn::Path) -> Vec<String> {
    path.segments.iter().map(|s| unraw(&s.ident)).collect()
}

/// A path's last segment name: `spawn` for `tokio::spawn`, `""` for none.
pub fn last_segment(path: &syn::Path) -> String {
    path.segments
        .last()
        .map(|s| unraw(&s.ident))
        .unwrap_or_default()
}

/// An identifier's name, without the `r#` of a raw identifier
/// (`tokio::r#spawn` is `tokio::spawn`).
pub fn unraw(ident: &syn::Ident) -> String {
    let name = ident.to_string();
    match name.strip_prefix("r#") {
        Some(bare) => bare.to_string(),
        None => name,
    }
}
