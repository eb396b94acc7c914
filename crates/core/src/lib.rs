//! Traceback Explainer core: parse a pasted Python/Django traceback, annotate its frames, diagnose the cause.
//!
//! Pure: no IO, no wasm-bindgen, no clock. The wasm adapter and the CLI are thin layers over [`explain`].

pub mod annotate;
pub mod facts;
pub mod families;
pub mod knowledge;
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
    for tb in &mut tracebacks {
        tb.diagnosis = families::diagnose(tb, &facts);
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

/// The report as JSON, exactly as the CLI's `--format json` and the wasm `explain` return it.
pub fn explain_json(input: &str) -> String {
    serde_json::to_string(&explain(input)).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}
