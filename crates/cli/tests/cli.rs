//! The CLI's contract: exit 0 when a traceback was explained, 1 when none was found, 2 on usage errors;
//! `--list` and `--explain` for the knowledge base; `--mask` for sharing a log.

use std::io::Write;
use std::process::{Command, Stdio};

fn run(args: &[&str], stdin: &str) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_traceback-explainer"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the CLI runs");
    // The CLI may exit before reading stdin (usage errors): a broken pipe here is expected, not a failure.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    let out = child.wait_with_output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned())
}

const SEED: &str = include_str!("../../../fixtures/shared/seed_flat.txt");

#[test]
fn explains_stdin_in_every_format() {
    let (code, text) = run(&[], SEED);
    assert_eq!(code, 0);
    assert!(text.contains("pg-conn-refused"), "{text}");
    let (code, json) = run(&["-", "--format", "json"], SEED);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["tracebacks"][0]["exceptions"][0]["frames"].as_array().unwrap().len(), 5);
    let (code, md) = run(&["--format=markdown"], SEED);
    assert_eq!(code, 0);
    assert!(md.starts_with("## `django.db.utils.OperationalError"));
}

#[test]
fn exit_codes() {
    assert_eq!(run(&[], "no traceback in here").0, 1);
    assert_eq!(run(&["--format", "yaml"], SEED).0, 2);
    assert_eq!(run(&["--bogus"], SEED).0, 2);
    assert_eq!(run(&["/nonexistent/file.log"], "").0, 2);
    assert_eq!(run(&["a.log", "b.log"], "").0, 2);
    assert_eq!(run(&["--help"], "").0, 0);
}

#[test]
fn lists_and_explains_families() {
    let (code, list) = run(&["--list"], "");
    assert_eq!(code, 0);
    assert!(list.contains("DJ001") && list.contains("pg-conn-refused"));
    let (code, one) = run(&["--explain", "DJ001"], "");
    assert_eq!(code, 0);
    assert!(one.contains("Example (fixtures/") && one.contains("Causes, most likely first"), "{one}");
    assert_eq!(run(&["--explain", "pg-conn-refused"], "").0, 0);
    assert_eq!(run(&["--explain", "DJ999"], "").0, 2);
}

#[test]
fn mask_prints_the_input_with_secrets_masked() {
    let log =
        "web-1  | DATABASE_URL=postgres://app:s3cret-pw@db:5432/app\nweb-1  | Traceback (most recent call last):\n";
    let (code, out) = run(&["--mask"], log);
    assert_eq!(code, 0);
    assert_eq!(out, log.replace("s3cret-pw", "********"));
    // Nothing to mask, or nothing at all: the input as it came, still exit 0.
    assert_eq!(run(&["--mask"], "no traceback in here"), (0, "no traceback in here".to_string()));
    assert_eq!(run(&["-", "--mask"], ""), (0, String::new()));
}
