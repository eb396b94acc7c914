//! Traceback Explainer core: parse a pasted Python/Django traceback, annotate its frames, diagnose the cause.
//!
//! Pure: no IO, no wasm-bindgen, no clock. The wasm adapter and the CLI are thin layers over [`explain`].

pub mod annotate;
pub mod facts;
pub mod families;
pub mod knowledge;
pub mod log_summary;
pub mod model;
pub mod parse;
pub mod render;

pub use model::*;

/// Explain a paste: everything the core knows, as one [`Report`]. Never panics, never fails.
pub fn explain(input: &str) -> Report {
    let mut parsed = parse::parse(input);
    let mut tracebacks = std::mem::take(&mut parsed.tracebacks);
    for tb in &mut tracebacks {
        annotate::annotate(tb);
    }
    let facts = facts::gather(&parsed, &tracebacks);
    // Logs repeat the same incident many times: diagnose each distinct traceback once.
    let mut seen: std::collections::HashMap<u64, Vec<Diagnosis>> = std::collections::HashMap::new();
    for tb in &mut tracebacks {
        let key = signature(tb);
        let diagnosis = seen.entry(key).or_insert_with(|| families::diagnose(tb, &facts)).clone();
        tb.diagnosis = diagnosis;
    }
    // The primary traceback is the best-explained one; ties go to the first in the paste.
    let primary = (0..tracebacks.len()).max_by(|&a, &b| {
        let score = |i: usize| {
            tracebacks[i].diagnosis.first().map_or(-1.0f32, |d| if d.family == "general" { 0.0 } else { 1.0 })
        };
        score(a).total_cmp(&score(b)).then(b.cmp(&a))
    });
    let diagnosis = primary.map(|i| tracebacks[i].diagnosis.clone()).unwrap_or_default();
    // Remedies (fix, tests, CI, references) travel once, in the top-level `diagnosis` of the primary traceback:
    // a log with hundreds of tracebacks would otherwise repeat them hundreds of times. Explaining one
    // traceback's own lines gives its remedies.
    for tb in &mut tracebacks {
        for d in &mut tb.diagnosis {
            d.fix = None;
            d.tests.clear();
            d.ci = None;
            d.references.clear();
        }
    }
    Report {
        input: InputStats { bytes: input.len(), lines: parsed.lines },
        tracebacks,
        diagnosis,
        primary,
        facts,
        problems: parsed.problems,
    }
}

/// A hash of everything a family can look at in a traceback (the facts are shared by the whole paste).
fn signature(tb: &Traceback) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for e in &tb.exceptions {
        e.type_name.hash(&mut h);
        e.message.hash(&mut h);
        e.link.map(|l| l as u8).hash(&mut h);
        for g in &e.group {
            g.type_name.hash(&mut h);
            g.message.hash(&mut h);
        }
        for f in &e.frames {
            f.file.hash(&mut h);
            f.line.hash(&mut h);
            f.function.hash(&mut h);
            f.code.hash(&mut h);
        }
    }
    tb.format.hash(&mut h);
    h.finish()
}

/// The report as JSON, exactly as the CLI's `--format json` and the wasm `explain` return it.
pub fn explain_json(input: &str) -> String {
    serde_json::to_string(&explain(input)).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}
