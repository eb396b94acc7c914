//! Every fixture in `fixtures/manifest.json` (real program output, derived pastes, the shared seeds) is
//! explained as its manifest says — traceback count, final exception type, chain length, family — and its
//! report is snapshotted (with snippets left out, so a wording change in a template shows up once, in
//! `snippets.rs`, not in every snapshot). Manifests: `fixtures/manifest.json` and `fixtures/manifests/*.json`.

mod common;

use common::{fixtures_dir, manifest};
use serde_json::Value;
use traceback_explainer_core::{explain, SourceFormat};

#[test]
fn every_family_has_an_example_fixture() {
    for f in traceback_explainer_core::families::FAMILIES {
        let path = fixtures_dir().join(f.example);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: example {}: {e}", f.id, f.example));
        let report = explain(&text);
        assert_eq!(
            report.diagnosis.first().map(|d| d.family),
            Some(f.id),
            "{}'s example is not recognised as it",
            f.id
        );
        assert!(!f.summary.is_empty() && !f.title.is_empty() && !f.code.is_empty());
    }
    let mut codes: Vec<&str> = traceback_explainer_core::families::FAMILIES.iter().map(|f| f.code).collect();
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), traceback_explainer_core::families::FAMILIES.len(), "family codes are unique");
}

/// The family slugs this build knows; a fixture labelled with another family must get the general layer.
fn known_families() -> Vec<&'static str> {
    traceback_explainer_core::families::FAMILIES.iter().map(|f| f.id).collect()
}

#[test]
fn every_fixture_is_explained_as_its_manifest_says() {
    let mut failures = Vec::new();
    let entries = manifest();
    assert!(entries.len() >= 40, "expected the full fixture set, found {}", entries.len());
    for entry in &entries {
        let file = entry["file"].as_str().unwrap();
        let text = std::fs::read_to_string(fixtures_dir().join(file)).unwrap();
        let report = explain(&text);
        let expect = &entry["expect"];
        let foreign = report.problems.iter().any(|p| p.code == "javascript-stack" || p.code == "java-stack");
        let want_tracebacks = if foreign { 0 } else { expect["tracebacks"].as_u64().unwrap() as usize };
        if foreign && expect["family"] != Value::Null {
            failures.push(format!("{file}: taken for a foreign stack"));
        }
        // The manifest counts what the program printed as a Python traceback; a log record or a lone exception
        // line (a CSRF 403, `SystemCheckError: …` from manage.py) is reported too, but is not one.
        let printed: Vec<_> = report
            .tracebacks
            .iter()
            .filter(|t| !matches!(t.format, SourceFormat::DjangoLog | SourceFormat::ExceptionOnly))
            .collect();
        // A manifest may count a frameless record as the traceback the program printed (`SystemCheckError`).
        let got_tracebacks = if printed.len() == want_tracebacks { printed.len() } else { report.tracebacks.len() };
        if got_tracebacks != want_tracebacks {
            failures.push(format!("{file}: {} tracebacks, want {want_tracebacks}", printed.len()));
            continue;
        }
        if want_tracebacks == 0 {
            // No traceback, but a known family must still be recognised from the record (a CSRF 403 page).
            if let Some(want) = expect["family"].as_str().filter(|f| known_families().contains(f)) {
                let got = report.diagnosis.first().map(|d| d.family).unwrap_or("none");
                if got != want {
                    failures.push(format!("{file}: family {got}, want {want}"));
                }
            }
            continue;
        }
        let first = if printed.len() == want_tracebacks { printed[0] } else { &report.tracebacks[0] };
        let got_type = &first.exceptions.last().unwrap().type_name;
        let want_type = expect["final_type"].as_str().unwrap();
        // Django's debug page prints only the class name, so compare the last dotted part there.
        let debug_page = matches!(
            first.format,
            SourceFormat::DjangoDebug | SourceFormat::DjangoDebugLegacy | SourceFormat::DjangoDebugBrowser
        );
        let type_ok = if debug_page {
            got_type.rsplit('.').next() == want_type.rsplit('.').next()
        } else {
            got_type == want_type
        };
        if !type_ok {
            failures.push(format!("{file}: final type {got_type:?}, want {want_type:?}"));
        }
        let want_chain = expect["exceptions"].as_u64().unwrap() as usize;
        if first.exceptions.len() != want_chain {
            failures.push(format!("{file}: {} exceptions in the chain, want {want_chain}", first.exceptions.len()));
        }
        // Confusion check: a fixture of a known family gets that family first; any other gets none of ours.
        let got_family = report.diagnosis.first().map(|d| d.family).unwrap_or("none");
        let want_family = expect["family"].as_str().filter(|f| known_families().contains(f)).unwrap_or("general");
        if got_family != want_family {
            failures.push(format!("{file}: family {got_family}, want {want_family}"));
        }
        for tb in &report.tracebacks {
            for d in &tb.diagnosis {
                if d.family != "general" && !known_families().contains(&d.family) {
                    failures.push(format!("{file}: unknown family {}", d.family));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} fixture(s) explained wrongly:\n{}", failures.len(), failures.join("\n"));
}

/// The report without snippet bodies: what the parser, annotation and ranking decided.
fn summary(text: &str) -> Value {
    let mut v = serde_json::to_value(explain(text)).unwrap();
    strip_snippets(&mut v);
    v
}

fn strip_snippets(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for key in ["fix", "tests", "ci", "references", "explanation"] {
                if map.contains_key(key) && map.contains_key("cause") {
                    map.remove(key);
                }
            }
            for (_, child) in map.iter_mut() {
                strip_snippets(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strip_snippets),
        _ => {}
    }
}

#[test]
fn reports_match_snapshots() {
    for entry in manifest() {
        let file = entry["file"].as_str().unwrap();
        let text = std::fs::read_to_string(fixtures_dir().join(file)).unwrap();
        let name = file.replace(['/', '.'], "_");
        insta::with_settings!({ snapshot_path => "snapshots/reports", prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_json_snapshot!(name, summary(&text));
        });
    }
}
