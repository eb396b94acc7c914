//! `pg-conn-closed` (DJ036): an open PostgreSQL connection went away under Django.
//!
//! Recognised by an `OperationalError`, `InterfaceError` or `DatabaseError` whose message is libpq's `server closed
//! the connection unexpectedly`, the server's `terminating connection due to administrator command` (psycopg 3's
//! `AdminShutdown`), `SSL SYSCALL error: EOF detected`, `SSL connection has been closed unexpectedly`, psycopg2's
//! `connection already closed`, or psycopg 3's `the connection is closed` / `the connection is lost`. Causes: a
//! persistent or long-lived connection dropped by the server, a proxy or a firewall; a server restart or failover;
//! code that reuses a connection after the first error; at connect time, an SSL or port mismatch.

use super::kit::{self, Ranking};
use super::pg_common::{self as pg, short};
use super::{Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "pg-conn-closed",
    code: "DJ036",
    title: "The PostgreSQL connection was closed under Django",
    summary: "\"server closed the connection unexpectedly\": a restart, a proxy idle timeout, or reuse after an error.",
    example: "real/postgres/conn_closed_terminated.txt",
    diagnose,
};

const EXPLANATION: &str =
    "An open connection died (server restart, or an idle cut by a proxy); Django notices on the next query.";

const REFERENCES: [&str; 1] = [
    "Django docs: Persistent connections — https://docs.djangoproject.com/en/stable/ref/databases/#persistent-connections",
];

const PATTERNS: [&str; 7] = [
    "server closed the connection unexpectedly",
    "terminating connection due to administrator command",
    "SSL SYSCALL error: EOF detected",
    "SSL connection has been closed unexpectedly",
    "connection already closed",
    "the connection is closed",
    "the connection is lost",
];

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let Some(hit) = kit::find(cx.tb, &["OperationalError", "InterfaceError", "DatabaseError"], &PATTERNS) else {
        return Vec::new();
    };
    let f = cx.facts;
    let at_connect = kit::has_frame(cx.tb, "", "get_new_connection");
    let reuse = hit.pattern.contains("already closed") || hit.pattern == "the connection is closed";
    let admin = hit.pattern.starts_with("terminating");
    let long_running = f.runner.as_deref() == Some("celery")
        || (f.management_command.is_some()
            && !matches!(f.management_command.as_deref(), Some("migrate" | "runserver")));
    let v = pg::values(cx);
    let quote = Some(hit.line);
    let ci = pg::workflow(&v, "PostgreSQL");
    let tests = vec![pg::snippet("Connections health-checked", "tests/test_settings.py", HEALTH_TEST.into())];
    let checks = CHECKS.iter().map(|s| v.fill(s)).collect::<Vec<_>>();

    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("`{}`: connection lost.", short(&hit.exception.type_name)), quote);

    let c = r.cause("idle-connection-dropped", "Idle connection dropped", 1.0);
    if long_running {
        c.support(
            1.5,
            format!(
                "Long-lived process: {}.",
                f.management_command.as_deref().or(f.runner.as_deref()).unwrap_or("worker")
            ),
            None,
        );
    }
    if at_connect {
        c.weaken(0.3, "Failed while connecting.");
    }
    c.fix(v.fix(FIX_HEALTH.0, FIX_HEALTH.1, FIX_HEALTH.2, FIX_HEALTH.3, FIX_HEALTH.4))
        .tests(tests.clone())
        .checks(checks.clone())
        .ci(ci.clone());

    let c = r.cause("server-restarted", "Server ended the session", 0.5);
    if admin {
        c.support(3.0, "The server ended it.", quote);
    }
    c.fix(v.fix(FIX_HEALTH.0, FIX_HEALTH.1, FIX_HEALTH.2, FIX_HEALTH.3, FIX_HEALTH.4))
        .tests(tests.clone())
        .checks(checks.clone())
        .ci(ci.clone());

    let c = r.cause("reused-after-error", "Reused after an error", 0.2);
    if reuse {
        c.support(4.0, "Already closed by an earlier error.", quote);
    }
    c.fix(v.fix(FIX_REUSE.0, FIX_REUSE.1, FIX_REUSE.2, FIX_REUSE.3, FIX_REUSE.4))
        .tests(tests.clone())
        .checks(checks.clone())
        .ci(ci.clone());

    let c = r.cause("ssl-or-wrong-port", "SSL mismatch or wrong port", 0.1);
    if at_connect {
        c.support(3.0, "Failed in the handshake.", None);
    }
    if hit.pattern.starts_with("SSL") {
        c.support(1.0, "An SSL failure.", quote);
    }
    c.fix(v.fix(FIX_SSL.0, FIX_SSL.1, FIX_SSL.2, FIX_SSL.3, FIX_SSL.4)).tests(tests).checks(checks).ci(ci);

    super::orm_common::finish(r, "a restart in the server log?")
}

const HEALTH_TEST: &str = r#"from django.conf import settings


def test_health_checks():
    db = settings.DATABASES["default"]
    assert not db.get("CONN_MAX_AGE") or db.get("CONN_HEALTH_CHECKS")
"#;

const FIX_HEALTH: (&str, &str, &str, &str, &str) = (
    "Health-check persistent connections; keep them younger than idle timeouts.",
    "settings.py",
    "python",
    "DATABASES[\"default\"][\"CONN_MAX_AGE\"] = None\n",
    "DATABASES[\"default\"].update(CONN_MAX_AGE=60, CONN_HEALTH_CHECKS=True)\n",
);

const FIX_REUSE: (&str, &str, &str, &str, &str) = (
    "Close it after an error.",
    "worker.py",
    "python",
    "try:\n    process()\nexcept OperationalError:\n    process()\n",
    "try:\n    process()\nexcept OperationalError:\n    connection.close()\n    process()\n",
);

const FIX_SSL: (&str, &str, &str, &str, &str) = (
    "Match the SSL mode.",
    "settings.py",
    "python",
    "DATABASES[\"default\"][\"PORT\"] = \"{port}\"\n",
    "DATABASES[\"default\"][\"OPTIONS\"] = {\"sslmode\": \"require\"}\n",
);

const CHECKS: [&str; 2] = ["Server log: a restart?", "A proxy's idle timeout vs CONN_MAX_AGE?"];
