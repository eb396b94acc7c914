//! The full explanation of the seed paste (fix, tests, CI), as Markdown: one snapshot that shows every snippet
//! filled with the values from the paste, plus checks that the values really are the paste's.

use traceback_explainer_core::{explain, render};

const SEED: &str = include_str!("../../../fixtures/shared/seed_flat.txt");

#[test]
fn seed_markdown_snapshot() {
    let md = render::markdown(&explain(SEED));
    insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!("seed_markdown", md);
    });
}

#[test]
fn seed_snippets_carry_the_paste_values() {
    let r = explain(SEED);
    let top = &r.diagnosis[0];
    assert_eq!(top.family, "pg-conn-refused");
    let fix = top.fix.as_ref().unwrap();
    assert!(fix.before.contains("\"HOST\": \"localhost\""), "{}", fix.before);
    assert!(fix.before.contains("\"PORT\": \"5432\""));
    let ci = top.ci.as_ref().unwrap();
    assert!(ci.code.contains("python-version: \"3.11\""), "Python version from the paste's paths");
    assert!(ci.code.contains("\"5432:5432\""));
    assert!(ci.code.contains("--health-cmd"));
    assert!(top.tests.iter().any(|t| t.code.contains("@pytest.mark.django_db")));
}

#[test]
fn other_port_and_host_flow_into_snippets() {
    let paste = SEED.replace("5432", "5433").replace("\"localhost\" (127.0.0.1)", "\"db\" (172.18.0.2)");
    let r = explain(&paste);
    let top = &r.diagnosis[0];
    assert_eq!(top.cause, "server-not-ready", "a compose service name points at a server that is down");
    assert!(top.ci.as_ref().unwrap().code.contains("\"5433:5432\""));
    assert_eq!(r.facts.db_host.as_deref(), Some("db"));
    assert_eq!(r.facts.db_port, Some(5433));
}
