//! Embeds the fixture files into the CLI so `--explain CODE` can show each family's example traceback explained.
//! The core stays free of them (they would weigh on the wasm); only the native binary carries them.

use std::fmt::Write;
use std::path::{Path, PathBuf};

fn walk(dir: &Path, root: &Path, out: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, root, out);
        } else if path.extension().is_some_and(|e| e == "txt") {
            let rel = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
            out.push((rel, path.canonicalize().unwrap()));
        }
    }
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    for sub in ["real", "derived", "shared", "handmade"] {
        walk(&root.join(sub), &root, &mut files);
    }
    let mut code =
        String::from("/// Fixture files by path under `fixtures/`.\npub static FIXTURES: &[(&str, &str)] = &[\n");
    for (rel, abs) in files {
        let _ = writeln!(code, "    ({rel:?}, include_str!({:?})),", abs.display().to_string());
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("fixtures.rs");
    std::fs::write(out, code).unwrap();
}
