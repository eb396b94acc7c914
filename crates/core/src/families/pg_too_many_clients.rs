//! `pg-too-many-clients` (DJ037): PostgreSQL has no free connection slot.
//!
//! Recognised by an `OperationalError` whose message holds `sorry, too many clients already`, `remaining
//! connection slots are reserved for …` (PostgreSQL ≤ 15 wording; 16+ says `… reserved for roles with …`), or the
//! per-role / per-database limits `too many connections for role` / `for database`, with or without libpq ≥ 14's
//! and psycopg 3's prefixes. Causes: persistent connections × workers × threads above max_connections, threads
//! or background code that never close their connections, a small hosted plan, parallel test runs.

use super::kit::{self, Ranking, Values};
use super::pg_common::{self as pg, short};
use super::{Context, Family};
use crate::model::{Diagnosis, Fix, Snippet};

pub const FAMILY: Family = Family {
    id: "pg-too-many-clients",
    code: "DJ037",
    title: "PostgreSQL has no free connection slot",
    summary: "OperationalError \"sorry, too many clients already\" or \"remaining connection slots are reserved\": \
              every connection PostgreSQL allows (max_connections) is taken — by persistent connections of many \
              workers, by threads that never close theirs, or by a small plan's low limit.",
    example: "real/postgres/too_many_clients_request.txt",
    diagnose,
};

const EXPLANATION: &str = "PostgreSQL accepted the network connection but refused the session: all of its \
max_connections slots were in use (the last few are kept for superusers, hence \"reserved\"). Each Django \
process — and each thread in it — holds its own connection, kept open between requests when CONN_MAX_AGE > 0. \
The error is about the total across every process that talks to this server, not about the request that failed.";

const REFERENCES: [&str; 3] = [
    "Django documentation: Databases › Persistent connections — https://docs.djangoproject.com/en/stable/ref/databases/#persistent-connections",
    "Django documentation: PostgreSQL connection pool (5.1+) — https://docs.djangoproject.com/en/stable/ref/databases/#connection-pool",
    "PostgreSQL documentation: max_connections — https://www.postgresql.org/docs/current/runtime-config-connection.html",
];

const PATTERNS: [&str; 4] = [
    "too many clients already",
    "remaining connection slots are reserved",
    "too many connections for role",
    "too many connections for database",
];

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let Some(hit) = kit::find(cx.tb, &["OperationalError"], &PATTERNS) else {
        return Vec::new();
    };
    let f = cx.facts;
    let runner = f.runner.as_deref().unwrap_or("");
    let testing = matches!(runner, "pytest" | "django-test");
    let worker = matches!(runner, "celery") || kit::has_frame(cx.tb, "threading.py", "run");
    let request = kit::has_frame(cx.tb, "django/core/handlers/base.py", "");
    let per_role = hit.pattern.contains("for role") || hit.pattern.contains("for database");
    let v = pg::values(cx);
    let quote = Some(hit.line);
    let ci = pg::workflow(&v, "PostgreSQL service for the tests");
    let tests = vec![close_test(&v), budget_test(&v)];

    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("`{}` says PostgreSQL has no connection slot left.", short(&hit.exception.type_name)), quote);

    let c =
        r.cause("persistent-connections", "Persistent connections × processes × threads exceed max_connections", 1.5);
    if request {
        c.support(1.0, "It failed while serving a request: every web worker holds its own connection.", None);
    }
    if matches!(runner, "gunicorn" | "uwsgi" | "daphne" | "uvicorn") {
        c.support(1.0, format!("Served by {runner}: workers × threads each keep a connection."), None);
    }
    c.fix(fix_pool(&v)).tests(tests.clone()).checks(checks()).ci(ci.clone());

    let c = r.cause("leaked-connections", "Threads or background code open connections and never close them", 0.6);
    if worker {
        c.support(
            1.5,
            "The traceback runs in a thread or a worker: connections opened there stay open until closed by hand.",
            None,
        );
    }
    c.fix(fix_close(&v)).tests(tests.clone()).checks(checks()).ci(ci.clone());

    let c = r.cause("small-plan", "The server's limit is small (a hosted plan, or a role/database limit)", 0.4);
    if hit.pattern.starts_with("remaining") {
        c.support(1.0, "Only the superuser slots were left: a low max_connections, as on small hosted plans.", quote);
    }
    if per_role {
        c.support(4.0, "A per-role or per-database CONNECTION LIMIT was reached, not the server's total.", quote);
    }
    c.fix(fix_pool(&v)).tests(tests.clone()).checks(checks()).ci(ci.clone());

    let c = r.cause("parallel-tests", "Tests run in parallel, each process with its own connections", 0.1);
    if testing {
        c.support(3.0, format!("It happened under the test runner ({runner})."), None);
    } else {
        c.weaken(0.5, "Nothing in the paste shows a test run.");
    }
    c.fix(fix_tests()).tests(tests).checks(checks()).ci(ci);

    r.finish(|a, b| {
        format!(
            "The paste cannot decide between \"{a}\" and \"{b}\". As a superuser run `SELECT usename, application_name, state, count(*) FROM pg_stat_activity GROUP BY 1, 2, 3 ORDER BY 4 DESC;` \
             — many `idle` connections from the app point to persistent connections or leaks."
        )
    })
}

const CLOSE_TEST: &str = r#"import threading

import pytest
from django.db import connection


@pytest.mark.django_db(transaction=True)
def test_background_thread_closes_its_connection():
    seen = {}

    def work():
        connection.ensure_connection()
        # ... the code your thread runs ...
        connection.close()
        seen["closed"] = connection.connection is None

    t = threading.Thread(target=work)
    t.start()
    t.join()
    assert seen["closed"]
"#;

const BUDGET_TEST: &str = r#"from django.conf import settings

MAX_CONNECTIONS = 100  # SHOW max_connections; on your server
WORKERS, THREADS = 4, 2  # gunicorn --workers / --threads, per host


def test_connections_fit_the_server():
    per_process = len(settings.DATABASES) * THREADS
    assert WORKERS * per_process < MAX_CONNECTIONS - 3
"#;

fn close_test(v: &Values) -> Snippet {
    pg::snippet("Threads close the connection they open", "tests/test_connections.py", v.fill(CLOSE_TEST))
}

fn budget_test(v: &Values) -> Snippet {
    pg::snippet("Workers × threads fit max_connections", "tests/test_settings.py", v.fill(BUDGET_TEST))
}

fn fix_pool(v: &Values) -> Fix {
    pg::fix(
        v,
        "Share a few connections: Django 5.1+'s pool (psycopg 3), or PgBouncer in front of PostgreSQL; and do not keep idle connections forever.",
        "settings.py",
        "python",
        "DATABASES = {\"default\": {\"ENGINE\": \"{engine}\", \"CONN_MAX_AGE\": None}}\n",
        "# pip install \"psycopg[binary,pool]\"  (Django 5.1+)\nDATABASES = {\n    \"default\": {\n        \"ENGINE\": \"{engine}\",\n        \"CONN_MAX_AGE\": 0,  # the pool requires 0\n        \"OPTIONS\": {\"pool\": {\"min_size\": 2, \"max_size\": 10}},\n    }\n}\n",
    )
}

fn fix_close(v: &Values) -> Fix {
    pg::fix(
        v,
        "Close the thread's connection when its work ends (or use close_old_connections in long loops).",
        "worker.py",
        "python",
        "def work():\n    do_queries()\n",
        "from django.db import close_old_connections, connection\n\n\ndef work():\n    close_old_connections()\n    try:\n        do_queries()\n    finally:\n        connection.close()\n",
    )
}

fn fix_tests() -> Fix {
    Fix {
        summary: "Run fewer test processes, or give the test server more connections.".into(),
        file: "terminal".into(),
        language: "shell",
        before: "$ pytest -n 16\n".into(),
        after: "$ pytest -n 4          # or: python manage.py test --parallel 4\n# CI service: postgres -c max_connections=200\n".into(),
        also: Vec::new(),
    }
}

fn checks() -> Vec<String> {
    vec![
        "`SHOW max_connections;` and `SELECT count(*) FROM pg_stat_activity;`: how close to the limit is the server normally?".into(),
        "Count processes × threads of every app, worker and cron job that uses this database (and × aliases in DATABASES).".into(),
        "`SELECT rolname, rolconnlimit FROM pg_roles WHERE rolconnlimit <> -1;`: a per-role limit?".into(),
    ]
}
