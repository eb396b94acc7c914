//! How often the first-ranked cause is the true one. Every manifest entry with `expect.cause` (the cause
//! known from how the fixture was made, never from a parser) is explained, and `diagnosis[0]`'s family and
//! cause are compared with the label. The table and the figure are printed (`cargo test --test accuracy --
//! --nocapture`) and written to `target/accuracy.txt`. Only a floor is asserted, so the test guards against
//! regressions without being fitted to the fixtures.

mod common;

use common::{fixtures_dir, manifest};
use std::fmt::Write as _;
use std::path::Path;
use traceback_explainer_core::explain;

/// Lowest share of first causes that must be right (it was well above this when the test was written).
const FLOOR_PERCENT: f64 = 50.0;

#[test]
fn first_ranked_cause_accuracy() {
    let mut rows = Vec::new();
    let (mut right, mut total) = (0usize, 0usize);
    for entry in manifest() {
        let Some(want_cause) = entry["expect"]["cause"].as_str() else { continue };
        let file = entry["file"].as_str().unwrap();
        let want_family = entry["expect"]["family"].as_str().unwrap_or("general");
        let text = std::fs::read_to_string(fixtures_dir().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let report = explain(&text);
        let (got_family, got_cause, runner_up) = match report.diagnosis.first() {
            Some(d) => (d.family, d.cause, report.diagnosis.get(1).map_or("-", |n| n.cause)),
            None => ("none", "-", "-"),
        };
        let ok = got_family == want_family && got_cause == want_cause;
        total += 1;
        right += usize::from(ok);
        rows.push((ok, file.to_string(), want_cause.to_string(), format!("{got_family}/{got_cause}"), runner_up));
    }
    assert!(total > 0, "no manifest entry has expect.cause");

    let pct = 100.0 * right as f64 / total as f64;
    let mut out = String::new();
    let w = rows.iter().map(|r| r.1.len()).max().unwrap_or(4).max(4);
    let _ = writeln!(out, "{:<2} {:<w$}  {:<24} {:<40} second", "", "file", "expected", "got (family/cause)");
    for (ok, file, want, got, second) in &rows {
        let _ = writeln!(out, "{:<2} {file:<w$}  {want:<24} {got:<40} {second}", if *ok { "ok" } else { "XX" });
    }
    // Per expected cause: right / labelled.
    let mut causes: Vec<&str> = rows.iter().map(|r| r.2.as_str()).collect();
    causes.sort();
    causes.dedup();
    let _ = writeln!(out);
    for c in causes {
        let n = rows.iter().filter(|r| r.2 == c).count();
        let k = rows.iter().filter(|r| r.2 == c && r.0).count();
        let _ = writeln!(out, "{c:<24} {k} of {n}");
    }
    let _ = writeln!(out, "\nfirst cause right: {right} of {total} ({pct:.0} %)");
    println!("{out}");

    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target");
    let _ = std::fs::create_dir_all(&target);
    std::fs::write(target.join("accuracy.txt"), &out).expect("write target/accuracy.txt");

    assert!(
        pct >= FLOOR_PERCENT,
        "first cause right in {right} of {total} ({pct:.0} %), below the floor of {FLOOR_PERCENT} %:\n{out}"
    );
}
