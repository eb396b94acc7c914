//! Traceback Explainer core: parse a pasted Python/Django traceback, annotate its frames, diagnose the cause.
//!
//! Pure: no IO, no wasm-bindgen, no clock. The wasm adapter and the CLI are thin layers over [`explain`].

pub mod model;

pub use model::*;

/// Explain a paste: everything the core knows, as one [`Report`]. Never panics, never fails.
pub fn explain(input: &str) -> Report {
    Report {
        input: InputStats { bytes: input.len(), lines: input.lines().count() },
        ..Report::default()
    }
}

/// The report as JSON, exactly as the CLI's `--format json` and the wasm `explain` return it.
pub fn explain_json(input: &str) -> String {
    serde_json::to_string(&explain(input)).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}
