//! The wasm export `explain`, run in headless Chromium through wasm-bindgen-test: it always answers with
//! JSON of the `Report` shape, whatever it is given, and it explains the seed paste.
//!
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown -p traceback-explainer-wasm`
//! (the runner is set in `.cargo/config.toml`). `./dev test` runs it.

use serde_json::Value;
use traceback_explainer_wasm::explain;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The seed paste: a psycopg2 "connection refused" traceback flattened onto one line, as people post it.
const SEED_FLAT: &str = include_str!("../../../www/examples/seed_flat.txt");

/// Explains `text` and checks the answer is a JSON object with every top-level key of `Report`.
#[track_caller]
fn report(text: &str) -> Value {
    let json = explain(text);
    let value: Value = serde_json::from_str(&json).expect("explain() returns JSON");
    for key in ["tracebacks", "diagnosis", "primary", "facts", "problems", "input"] {
        assert!(value.get(key).is_some(), "the report has no `{key}`: {json:.200}");
    }
    assert!(value["tracebacks"].is_array() && value["diagnosis"].is_array() && value["problems"].is_array());
    value
}

#[wasm_bindgen_test]
fn explain_returns_a_report() {
    let r = report("Traceback (most recent call last):\nKeyError: 'x'\n");
    assert!(r["input"]["bytes"].as_u64().unwrap() > 0);
}

#[wasm_bindgen_test]
fn empty_input_is_a_report() {
    let r = report("");
    assert_eq!(r["input"]["bytes"], 0);
    assert_eq!(r["tracebacks"].as_array().unwrap().len(), 0);
}

#[wasm_bindgen_test]
fn binary_looking_input_is_a_report() {
    let junk: String = (0u32..4096).filter_map(|i| char::from_u32((i * 7919) % 0xD7FF)).collect();
    report(&junk);
    report("\0\u{1}\u{2}\u{fffd}\u{feff}Traceback\0 (most recent call last):\0File \"\0\", line \0");
}

#[wasm_bindgen_test]
fn one_megabyte_input_is_a_report() {
    let mut big = String::with_capacity(1 << 20);
    while big.len() < (1 << 20) {
        big.push_str(SEED_FLAT.trim_end());
        big.push_str("\n2025-03-01 08:00:00 INFO django.server \"GET / HTTP/1.1\" 200 1234\n");
    }
    let r = report(&big);
    assert_eq!(r["input"]["bytes"].as_u64().unwrap() as usize, big.len());
}

#[wasm_bindgen_test]
fn explains_the_seed_paste() {
    let r = report(SEED_FLAT);
    let tracebacks = r["tracebacks"].as_array().unwrap();
    assert_eq!(tracebacks.len(), 1, "one traceback in the seed");
    let last = tracebacks[0]["exceptions"].as_array().unwrap().last().expect("an exception");
    assert_eq!(last["type"], "django.db.utils.OperationalError");
    assert_eq!(last["frames"].as_array().unwrap().len(), 5);
    assert_eq!(r["diagnosis"][0]["family"], "pg-conn-refused");
}

#[wasm_bindgen_test]
fn mask_secrets_returns_the_masked_text_and_what_was_masked() {
    let json = traceback_explainer_wasm::mask_secrets("DATABASE_URL=postgres://app:s3cret-pw@db/app\nx");
    let v: Value = serde_json::from_str(&json).expect("mask_secrets() returns JSON");
    assert_eq!(v["text"], "DATABASE_URL=postgres://app:********@db/app\nx");
    assert_eq!(v["secrets"][0]["kind"], "url_password");
    assert_eq!(v["secrets"][0]["line"], 1);
    assert!(!json.contains("s3cret-pw"));
}
