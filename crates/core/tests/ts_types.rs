//! The npm package's TypeScript types of the report (`npm/report.d.ts`) are generated from `model.rs` by
//! ts-rs and must match it: this test renders every type reachable from `Report` (and `Masked`, the result of
//! masking secrets) into one declaration file and compares it with the committed one. `UPDATE_TS=1` rewrites
//! the file instead.
//!
//! Run with the `ts` feature (ts-rs is optional, so the wasm and the CLI never build it):
//! `cargo test -p traceback-explainer-core --features ts --test ts_types` (a step of `./dev test`).

use std::any::TypeId;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use traceback_explainer_core::{Masked, Report};
use ts_rs::{Config, TypeVisitor, TS};

const HEADER: &str = "\
// The JSON report of Traceback Explainer: what `explain(text)` returns (and the CLI prints with --format json),
// and `Masked`, what `maskSecrets(text)` returns.
// Generated from crates/core/src/model.rs by ts-rs; do not edit. To regenerate:
//   UPDATE_TS=1 cargo test -p traceback-explainer-core --features ts --test ts_types
";

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every named type reachable from `Report` and `Masked` (not `string`, `number`, `Array<…>`), as `(name, declaration)`.
/// ts-rs visits dependencies in hash-set order, which changes between compilations: `render` orders them.
struct Declarations<'a> {
    cfg: &'a Config,
    seen: HashSet<TypeId>,
    found: BTreeMap<String, String>,
}

impl TypeVisitor for Declarations<'_> {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        if T::output_path().is_none() || !self.seen.insert(TypeId::of::<T>()) {
            return;
        }
        let mut decl = T::docs().map(|d| doc_comment(&d, "")).unwrap_or_default();
        decl.push_str("export ");
        decl.push_str(&layout(&T::decl(self.cfg)));
        self.found.insert(T::ident(self.cfg), decl);
        T::visit_dependencies(self);
    }
}

/// The declaration file: `Report` first, then each type where it is first used (depth-first, in the order
/// of the fields that name it), so the file reads top-down like model.rs; `Masked` last.
fn render() -> String {
    let cfg = Config::new();
    let mut decls = Declarations { cfg: &cfg, seen: HashSet::new(), found: BTreeMap::new() };
    decls.visit::<Report>();
    decls.visit::<Masked>();
    let found = decls.found;

    let mut order: Vec<&str> = Vec::new();
    let mut stack = vec!["Masked", "Report"];
    while let Some(name) = stack.pop() {
        if order.contains(&name) {
            continue;
        }
        order.push(name);
        // Type names used by this declaration's fields (comment lines skipped), pushed so the first is next.
        let used: Vec<&str> = found[name]
            .lines()
            .filter(|l| !l.trim_start().starts_with(['/', '*']))
            .flat_map(|l| l.split(|c: char| !(c.is_alphanumeric() || c == '_')))
            .filter(|w| *w != name && found.contains_key(*w))
            .collect();
        stack.extend(used.into_iter().rev());
    }
    assert_eq!(order.len(), found.len(), "every declared type is reached from Report or Masked");

    let mut out = String::from(HEADER);
    for name in order {
        out.push('\n');
        out.push_str(&found[name]);
        out.push('\n');
    }
    out
}

/// ts-rs writes a struct on one line with its field docs in between (`type X = { \n/**…*/\na: T, b: U, };`):
/// lay it out one field a line, indented, so the file reads like hand-written TypeScript.
fn layout(decl: &str) -> String {
    let (Some(open), true) = (decl.find("= { "), decl.ends_with("};")) else {
        return decl.to_string(); // a union of string literals: already one readable line
    };
    let body = &decl[open + 4..decl.len() - 2];
    let mut out = format!("{}= {{\n", &decl[..open]);
    let mut rest = body.trim_start();
    while !rest.is_empty() {
        if let Some(doc) = rest.strip_prefix("/**") {
            let end = doc.find("*/").expect("unterminated doc comment");
            out.push_str(&doc_comment(&format!("/**{}*/", &doc[..end]), "  "));
            rest = doc[end + 2..].trim_start();
            continue;
        }
        // One field, up to the `, ` outside `<…>`, `{…}`, `(…)` and string literals.
        let (mut depth, mut quoted, mut end) = (0i32, false, rest.len());
        for (i, c) in rest.char_indices() {
            match c {
                '"' => quoted = !quoted,
                '<' | '{' | '(' if !quoted => depth += 1,
                '>' | '}' | ')' if !quoted => depth -= 1,
                ',' if !quoted && depth == 0 => {
                    end = i;
                    break;
                }
                _ => {}
            }
        }
        out.push_str(&format!("  {},\n", rest[..end].trim()));
        rest = rest.get(end + 1..).unwrap_or("").trim_start();
    }
    out.push_str("};");
    out
}

/// A `/** … */` block as ts-rs writes it, re-indented; a one-line comment stays on one line.
fn doc_comment(docs: &str, indent: &str) -> String {
    let inner = docs.trim().trim_start_matches("/**").trim_end_matches("*/");
    let mut lines: Vec<&str> = inner
        .lines()
        .map(|l| {
            let l = l.trim();
            l.strip_prefix("* ").or_else(|| l.strip_prefix('*')).unwrap_or(l)
        })
        .skip_while(|l| l.is_empty())
        .collect();
    while lines.last() == Some(&"") {
        lines.pop();
    }
    match lines.as_slice() {
        [one] => format!("{indent}/** {one} */\n"),
        _ => {
            let mut out = format!("{indent}/**\n");
            for l in lines {
                out.push_str(&if l.is_empty() { format!("{indent} *\n") } else { format!("{indent} * {l}\n") });
            }
            out.push_str(&format!("{indent} */\n"));
            out
        }
    }
}

#[test]
fn report_d_ts_is_up_to_date() {
    let path = repo_root().join("npm/report.d.ts");
    let want = render();
    if std::env::var_os("UPDATE_TS").is_some() {
        std::fs::write(&path, &want).unwrap();
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "npm/report.d.ts is out of date with crates/core/src/model.rs. Regenerate it with\n  \
         UPDATE_TS=1 cargo test -p traceback-explainer-core --features ts --test ts_types\n\
         --- generated now ---\n{want}"
    );
}

/// A field serde leaves out when empty must be optional (`?`) in TypeScript: ts-rs does not infer that from
/// `skip_serializing_if` alone, so each such field carries a `ts(optional…)` attribute next to it.
#[test]
fn every_skipped_field_is_optional_in_typescript() {
    let mut missing = Vec::new();
    for file in rust_files(&repo_root().join("crates/core/src")) {
        let text = std::fs::read_to_string(&file).unwrap();
        if !text.contains("derive(ts_rs::TS)") {
            continue;
        }
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if !line.contains("skip_serializing") {
                continue;
            }
            // The attribute lines of this one field: up and down from here while lines are attributes.
            let is_attr = |l: &str| l.trim_start().starts_with("#[");
            let first = (0..i).rev().take_while(|&j| is_attr(lines[j])).last().unwrap_or(i);
            let last = (i + 1..lines.len()).take_while(|&j| is_attr(lines[j])).last().unwrap_or(i);
            if !lines[first..=last].iter().any(|l| l.contains("ts(optional")) {
                missing.push(format!("{}:{}: {}", file.display(), i + 1, line.trim()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "add #[cfg_attr(feature = \"ts\", ts(optional))] (Option) or ts(optional = nullable) (Vec) to:\n{}",
        missing.join("\n")
    );
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}
