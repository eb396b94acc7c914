//! `pg-conn-closed` (DJ036): an open PostgreSQL connection went away under Django.
//!
//! Recognised by an `OperationalError`, `InterfaceError` or `DatabaseError` whose message is libpq's `server closed
//! the connection unexpectedly`, the server's `terminating connection due to administrator command` (psycopg 3's
//! `AdminShutdown`), `SSL SYSCALL error: EOF detected`, `SSL connection has been closed unexpectedly`, psycopg2's
//! `connection already closed`, or psycopg 3's `the connection is closed` / `the connection is lost`. Causes: a
//! persistent or long-lived connection dropped by the server, a proxy or a firewall; a server restart or failover;
//! code that reuses a connection after the first error; at connect time, an SSL or port mismatch.

use super::kit::{self, Ranking, Values};
use super::pg_common::{self as pg, short};
use super::{Context, Family};
use crate::model::{Diagnosis, Fix, Snippet};

pub const FAMILY: Family = Family {
    id: "pg-conn-closed",
    code: "DJ036",
    title: "The PostgreSQL connection was closed under Django",
    summary: "OperationalError \"server closed the connection unexpectedly\" / \"terminating connection due to \
              administrator command\", or InterfaceError \"connection already closed\": a connection Django had \
              open was dropped — by a server restart or failover, an idle timeout in a proxy or firewall, or it was \
              reused after an earlier error.",
    example: "real/postgres/conn_closed_terminated.txt",
    diagnose,
};

const EXPLANATION: &str = "Django had a working connection to PostgreSQL and the other end went away: the server \
process serving it ended (restart, failover, pg_terminate_backend, a crash) or something in between (PgBouncer, \
a load balancer, a NAT or firewall idle timeout) cut it. Django notices only on the next query. A connection that \
failed once stays dead: reusing it gives \"connection already closed\".";

const REFERENCES: [&str; 2] = [
    "Django documentation: Databases › Persistent connections, CONN_HEALTH_CHECKS — https://docs.djangoproject.com/en/stable/ref/databases/#persistent-connections",
    "Django documentation: close_old_connections (handling connections outside requests) — https://docs.djangoproject.com/en/stable/ref/databases/#connection-management",
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
    let ci = pg::workflow(&v, "PostgreSQL service for the tests");
    let tests = vec![health_test(&v), loop_test(&v)];

    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("`{}` says the connection to PostgreSQL was lost.", short(&hit.exception.type_name)), quote);

    let c = r.cause(
        "idle-connection-dropped",
        "A long-lived connection was dropped while idle (CONN_MAX_AGE, worker, proxy timeout)",
        1.0,
    );
    if long_running {
        c.support(
            1.5,
            format!(
                "It ran in a long-lived process ({}), which keeps one connection for a long time.",
                f.management_command.as_deref().or(f.runner.as_deref()).unwrap_or("worker")
            ),
            None,
        );
    }
    if at_connect {
        c.weaken(0.3, "It failed while opening the connection, not on an idle one.");
    }
    c.fix(fix_health(&v)).tests(tests.clone()).checks(checks()).ci(ci.clone());

    let c = r.cause("server-restarted", "The server restarted, failed over, or ended the session on purpose", 0.5);
    if admin {
        c.support(
            3.0,
            "The server said it ended the session itself: a restart, a failover, or pg_terminate_backend.",
            quote,
        );
    }
    c.fix(fix_health(&v)).tests(tests.clone()).checks(checks()).ci(ci.clone());

    let c = r.cause(
        "reused-after-error",
        "The code caught the first database error and kept using the dead connection",
        0.2,
    );
    if reuse {
        c.support(
            4.0,
            "\"Already closed\" means an earlier error closed this connection and the code queried it again.",
            quote,
        );
    }
    c.fix(fix_reuse(&v)).tests(tests.clone()).checks(checks()).ci(ci.clone());

    let c = r.cause("ssl-or-wrong-port", "At connect time: an SSL mismatch, or the port is not PostgreSQL", 0.1);
    if at_connect {
        c.support(3.0, "It failed inside `get_new_connection`, during the handshake.", None);
    }
    if hit.pattern.starts_with("SSL") {
        c.support(1.0, "The message is an SSL-level failure.", quote);
    }
    c.fix(fix_ssl(&v)).tests(tests).checks(checks()).ci(ci);

    r.finish(|a, b| {
        format!(
            "The paste cannot decide between \"{a}\" and \"{b}\". Read the PostgreSQL server log at the time of the error: \
             \"terminating connection\" or a restart there means the server ended it; nothing there points to a proxy, firewall or idle timeout."
        )
    })
}

const HEALTH_TEST: &str = r#"from django.conf import settings


def test_persistent_connections_are_checked():
    db = settings.DATABASES["default"]
    if db.get("CONN_MAX_AGE"):
        assert db.get("CONN_HEALTH_CHECKS"), "Django 4.1+: test the connection before reusing it"
"#;

const LOOP_TEST: &str = r#"from unittest import mock


def test_worker_loop_refreshes_connections():
    from myapp import worker  # the module with the long-running loop

    with mock.patch.object(worker, "close_old_connections") as refresh:
        worker.run_once()
    refresh.assert_called()
"#;

fn health_test(v: &Values) -> Snippet {
    pg::snippet("Persistent connections are health-checked", "tests/test_settings.py", v.fill(HEALTH_TEST))
}

fn loop_test(v: &Values) -> Snippet {
    pg::snippet("A long-running loop refreshes its connection", "tests/test_worker.py", v.fill(LOOP_TEST))
}

fn fix_health(v: &Values) -> Fix {
    pg::fix(
        v,
        "Check a persistent connection before reuse (Django 4.1+) and keep it younger than any idle timeout; in loops outside requests call close_old_connections().",
        "settings.py",
        "python",
        "DATABASES = {\"default\": {\"ENGINE\": \"{engine}\", \"CONN_MAX_AGE\": None}}\n",
        "DATABASES = {\n    \"default\": {\n        \"ENGINE\": \"{engine}\",\n        \"CONN_MAX_AGE\": 60,  # below the proxy/firewall idle timeout\n        \"CONN_HEALTH_CHECKS\": True,\n    }\n}\n",
    )
}

fn fix_reuse(v: &Values) -> Fix {
    pg::fix(
        v,
        "After a database error, drop the connection before trying again; Django opens a fresh one on the next query.",
        "worker.py",
        "python",
        "try:\n    process()\nexcept OperationalError:\n    process()  # same dead connection\n",
        "from django.db import OperationalError, close_old_connections, connection\n\ntry:\n    process()\nexcept OperationalError:\n    connection.close()  # or close_old_connections()\n    process()\n",
    )
}

fn fix_ssl(v: &Values) -> Fix {
    pg::fix(
        v,
        "Match the server's SSL setup and make sure PORT is PostgreSQL's.",
        "settings.py",
        "python",
        "DATABASES = {\"default\": {\"ENGINE\": \"{engine}\", \"PORT\": \"{port}\"}}\n",
        "DATABASES = {\n    \"default\": {\n        \"ENGINE\": \"{engine}\",\n        \"PORT\": \"{port}\",\n        \"OPTIONS\": {\"sslmode\": \"require\"},  # or \"disable\" for a server without SSL\n    }\n}\n",
    )
}

fn checks() -> Vec<String> {
    vec![
        "The PostgreSQL log at that time: `terminating connection`, `server process … was terminated`, or a restart?"
            .into(),
        "Is there PgBouncer, a load balancer or a cloud NAT in between, and what is its idle timeout?".into(),
        "`python manage.py diffsettings | grep CONN_`: CONN_MAX_AGE and CONN_HEALTH_CHECKS.".into(),
    ]
}
