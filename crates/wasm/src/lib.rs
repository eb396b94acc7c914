//! The wasm adapter: the page's only door into the core. A handful of exports, JSON strings out.
//!
//! Kept deliberately thin: no logic lives here, so native tests of the core cover what the page shows.

use wasm_bindgen::prelude::*;

/// Explain a paste. Returns the report as a JSON string (the same JSON the CLI prints with `--format json`).
#[wasm_bindgen]
pub fn explain(text: &str) -> String {
    traceback_explainer_core::explain_json(text)
}

/// The core's version, shown in the page footer.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Summarize one piece of a big log into groups of tracebacks (see `log_summary` in the core): the page's
/// worker feeds a log in pieces and puts the part not consumed in front of the next piece.
#[wasm_bindgen]
pub fn summarize_log(piece: &str, more_follows: bool) -> String {
    traceback_explainer_core::log_summary::summarize_json(piece, more_follows)
}

/// The paste with its secrets masked, for a share link: JSON `{"text": masked, "secrets": [{"kind", "line",
/// "name"}…]}` (see `secrets` in the core). Each value becomes `********`; every other byte stays.
#[wasm_bindgen]
pub fn mask_secrets(text: &str) -> String {
    traceback_explainer_core::mask_secrets_json(text)
}
