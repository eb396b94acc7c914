//! What the fixture tests share: where the fixtures are and the list of them from every manifest.

use serde_json::Value;
use std::path::{Path, PathBuf};

pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// `fixtures/manifest.json` and every `fixtures/manifests/*.json` (one per fixture script), in name order.
pub fn manifest() -> Vec<Value> {
    let mut paths = vec![fixtures_dir().join("manifest.json")];
    if let Ok(dir) = std::fs::read_dir(fixtures_dir().join("manifests")) {
        let mut more: Vec<PathBuf> = dir
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        more.sort();
        paths.extend(more);
    }
    let mut entries = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let list: Vec<Value> = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        entries.extend(list);
    }
    entries
}
