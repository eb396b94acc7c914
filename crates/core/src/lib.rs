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
pub mod secrets;

pub use model::*;

/// Explain a paste: everything the core knows, as one [`Report`]. Never panics, never fails.
pub fn explain(input: &str) -> Report {
    let mut report = explain_tracebacks(input);
    report.secrets = secrets::find(input);
    report
}

/// [`explain`] without looking for secrets: the big-log scan groups tracebacks and never shows the paste's
/// secrets, so it does not pay for finding them.
pub(crate) fn explain_tracebacks(input: &str) -> Report {
    let mut parsed = parse::parse(input);
    let mut tracebacks = std::mem::take(&mut parsed.tracebacks);
    // Logs repeat the same incident many times: annotate and diagnose each distinct traceback once, and give
    // its repeats copies (the signature covers everything either step reads).
    let keys: Vec<u64> = tracebacks.iter().map(signature).collect();
    let mut first_of: std::collections::HashMap<u64, usize> = std::collections::HashMap::new();
    for i in 0..tracebacks.len() {
        match first_of.get(&keys[i]) {
            Some(&j) => {
                let (exceptions, focus) = (tracebacks[j].exceptions.clone(), tracebacks[j].focus.clone());
                tracebacks[i].exceptions = exceptions;
                tracebacks[i].focus = focus;
            }
            None => {
                annotate::annotate(&mut tracebacks[i]);
                first_of.insert(keys[i], i);
            }
        }
    }
    let facts = facts::gather(&parsed, &tracebacks);
    // Each traceback gets the ranking without remedies (they travel once, below); the full diagnosis is kept
    // per signature.
    let mut seen: std::collections::HashMap<u64, (Vec<Diagnosis>, Vec<Diagnosis>)> = std::collections::HashMap::new();
    for (tb, &key) in tracebacks.iter_mut().zip(&keys) {
        let (_, ranking) = seen.entry(key).or_insert_with(|| {
            let full = families::diagnose(tb, &facts);
            let ranking = full.iter().map(without_remedies).collect();
            (full, ranking)
        });
        tb.diagnosis = ranking.clone();
    }
    // The primary traceback is the best-explained one; ties go to the first in the paste.
    let primary = (0..tracebacks.len()).max_by(|&a, &b| {
        let score = |i: usize| {
            tracebacks[i].diagnosis.first().map_or(-1.0f32, |d| if d.family == "general" { 0.0 } else { 1.0 })
        };
        score(a).total_cmp(&score(b)).then(b.cmp(&a))
    });
    // Remedies (fix, tests, CI, references) travel once, in the top-level `diagnosis` of the primary traceback:
    // a log with hundreds of tracebacks would otherwise repeat them hundreds of times. Explaining one
    // traceback's own lines gives its remedies.
    let diagnosis = primary.and_then(|i| seen.remove(&keys[i])).map(|(full, _)| full).unwrap_or_default();
    Report {
        input: InputStats { bytes: input.len(), lines: parsed.lines },
        tracebacks,
        diagnosis,
        primary,
        facts,
        problems: parsed.problems,
        secrets: Vec::new(),
    }
}

/// A diagnosis as each traceback carries it: the ranking and its evidence, no remedies.
fn without_remedies(d: &Diagnosis) -> Diagnosis {
    Diagnosis { fix: None, tests: Vec::new(), ci: None, references: Vec::new(), ..d.clone() }
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

/// The paste with its secrets masked, as JSON `{"text": …, "secrets": [{"kind", "line", "name"}…]}`: what the
/// wasm `mask_secrets` returns for the page's share link.
pub fn mask_secrets_json(input: &str) -> String {
    serde_json::to_string(&secrets::mask(input)).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}
