//! `pg-too-many-clients` (DJ037): PostgreSQL has no free connection slot.
//!
//! Recognised by an `OperationalError` whose message holds `sorry, too many clients already`, `remaining
//! connection slots are reserved for …` (PostgreSQL ≤ 15 wording; 16+ says `… reserved for roles with …`), or the
//! per-role / per-database limits `too many connections for role` / `for database`, with or without libpq ≥ 14's
//! and psycopg 3's prefixes. Causes: persistent connections × workers × threads above max_connections, threads
//! or background code that never close their connections, a small hosted plan, parallel test runs.

use super::kit::{self, Ranking, Values};
use super::orm_common as orm;
use super::pg_common::{self as pg, short};
use super::{Context, Family};
use crate::model::{Diagnosis, Fix};

pub const FAMILY: Family = Family {
    id: "pg-too-many-clients",
    code: "DJ037",
    title: "PostgreSQL has no free connection slot",
    summary: "OperationalError \"sorry, too many clients already\" or \"remaining connection slots are \
              reserved\": every max_connections slot is taken — persistent connections of many workers, threads \
              that never close theirs, or a small plan's limit.",
    example: "real/postgres/too_many_clients_request.txt",
    diagnose,
};

const EXPLANATION: &str = "PostgreSQL refused the session: all max_connections slots were in use (the last few \
are reserved for superusers). Each Django process and thread holds its own connection, kept open when \
CONN_MAX_AGE > 0; the limit is the total across every process using this server.";

const REFERENCES: [&str; 2] = [
    "Django docs: Persistent connections — https://docs.djangoproject.com/en/stable/ref/databases/#persistent-connections",
    "Django docs: Connection pool — https://docs.djangoproject.com/en/stable/ref/databases/#connection-pool",
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
    let close = v.snippet("Threads close their connection", "tests/test_connections.py", "python", CLOSE_TEST);
    let budget = v.snippet("Workers × threads fit max_connections", "tests/test_settings.py", "python", BUDGET_TEST);

    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("`{}`: no connection slot left.", short(&hit.exception.type_name)), quote);

    let c =
        r.cause("persistent-connections", "Persistent connections × processes × threads exceed max_connections", 1.5);
    if request {
        c.support(1.0, "A request: every web worker holds a connection.", None);
    }
    if matches!(runner, "gunicorn" | "uwsgi" | "daphne" | "uvicorn") {
        c.support(1.0, format!("Served by {runner}: each worker × thread keeps one."), None);
    }
    c.fix(fix_pool(&v)).tests(vec![budget.clone()]).checks(checks()).ci(ci.clone());

    let c = r.cause("leaked-connections", "Threads or background code open connections and never close them", 0.6);
    if worker {
        c.support(1.5, "A thread or worker: its connections stay open until closed.", None);
    }
    c.fix(fix_close(&v)).tests(vec![close]).checks(checks()).ci(ci.clone());

    let c = r.cause("small-plan", "The server's limit is small (hosted plan, role or database limit)", 0.4);
    if hit.pattern.starts_with("remaining") {
        c.support(1.0, "Only superuser slots left: a low max_connections.", quote);
    }
    if per_role {
        c.support(4.0, "A per-role or per-database CONNECTION LIMIT.", quote);
    }
    c.fix(fix_pool(&v)).tests(vec![budget.clone()]).checks(checks()).ci(ci.clone());

    let c = r.cause("parallel-tests", "Tests run in parallel, each process with its own connections", 0.1);
    if testing {
        c.support(3.0, format!("Under the test runner ({runner})."), None);
    } else {
        c.weaken(0.5, "No test run in the paste.");
    }
    c.fix(v.fix(
        "Run fewer test processes, or give the test server more connections.",
        "terminal",
        "shell",
        "$ pytest -n 16\n",
        "$ pytest -n 4   # CI service: postgres -c max_connections=200\n",
    ))
    .tests(vec![budget])
    .checks(checks())
    .ci(ci);

    orm::finish(r, "many `idle` rows in `pg_stat_activity` mean persistent or leaked connections.")
}

const CLOSE_TEST: &str = r#"import threading

import pytest
from django.db import connection


@pytest.mark.django_db(transaction=True)
def test_thread_closes_its_connection():
    seen = {}

    def work():
        connection.ensure_connection()
        connection.close()
        seen["closed"] = connection.connection is None

    t = threading.Thread(target=work)
    t.start()
    t.join()
    assert seen["closed"]
"#;

const BUDGET_TEST: &str = r#"from django.conf import settings

MAX_CONNECTIONS = 100  # SHOW max_connections;
WORKERS, THREADS = 4, 2  # gunicorn --workers / --threads


def test_connections_fit_the_server():
    assert WORKERS * THREADS * len(settings.DATABASES) < MAX_CONNECTIONS - 3
"#;

fn fix_pool(v: &Values) -> Fix {
    v.fix(
        "Share few connections: Django 5.1+'s pool (psycopg 3) or PgBouncer; no idle connections forever.",
        "settings.py",
        "python",
        "DATABASES = {\"default\": {\"ENGINE\": \"{engine}\", \"CONN_MAX_AGE\": None}}\n",
        "DATABASES = {\n    \"default\": {\n        \"ENGINE\": \"{engine}\",\n        \"CONN_MAX_AGE\": 0,\n        \"OPTIONS\": {\"pool\": {\"max_size\": 10}},\n    }\n}\n",
    )
}

fn fix_close(v: &Values) -> Fix {
    v.fix(
        "Close the thread's connection when its work ends.",
        "worker.py",
        "python",
        "def work():\n    do_queries()\n",
        "from django.db import connection\n\n\ndef work():\n    try:\n        do_queries()\n    finally:\n        connection.close()\n",
    )
}

fn checks() -> Vec<String> {
    vec![
        "`SHOW max_connections;` vs `SELECT count(*) FROM pg_stat_activity;`".into(),
        "Count processes × threads of every app, worker and cron job using this database.".into(),
        "`SELECT rolname, rolconnlimit FROM pg_roles WHERE rolconnlimit <> -1;`".into(),
    ]
}
