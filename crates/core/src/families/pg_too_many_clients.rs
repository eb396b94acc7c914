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
    summary: "OperationalError \"too many clients already\": every max_connections slot is taken.",
    example: "real/postgres/too_many_clients_request.txt",
    diagnose,
};

const EXPLANATION: &str = "All max_connections slots were in use. Each Django process and thread holds its own \
connection (kept open when CONN_MAX_AGE > 0).";

const REFERENCES: [&str; 1] =
    ["Django docs: Persistent connections — https://docs.djangoproject.com/en/stable/ref/databases/#persistent-connections"];

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
    let ci = pg::workflow(&v, "PostgreSQL service");
    let close = v.snippet("Threads close connections", "tests/test_connections.py", "python", CLOSE_TEST);
    let budget = v.snippet("Connections fit", "tests/test_settings.py", "python", BUDGET_TEST);

    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("`{}`: no slot left.", short(&hit.exception.type_name)), quote);

    let c = r.cause("persistent-connections", "Persistent connections exceed max_connections", 1.5);
    if request {
        c.support(1.0, "A request: each worker holds a connection.", None);
    }
    if matches!(runner, "gunicorn" | "uwsgi" | "daphne" | "uvicorn") {
        c.support(1.0, format!("Served by {runner}."), None);
    }
    c.fix(fix_pool(&v)).tests(vec![budget.clone()]).checks(checks()).ci(ci.clone());

    let c = r.cause("leaked-connections", "Threads never close their connections", 0.6);
    if worker {
        c.support(1.5, "A thread or worker.", None);
    }
    c.fix(fix_close(&v)).tests(vec![close]).checks(checks()).ci(ci.clone());

    let c = r.cause("small-plan", "The server's limit is small", 0.4);
    if hit.pattern.starts_with("remaining") {
        c.support(1.0, "Only superuser slots left.", quote);
    }
    if per_role {
        c.support(4.0, "A role or database CONNECTION LIMIT.", quote);
    }
    c.fix(fix_pool(&v)).tests(vec![budget.clone()]).checks(checks()).ci(ci.clone());

    let c = r.cause("parallel-tests", "Parallel test processes", 0.1);
    if testing {
        c.support(3.0, format!("Test run ({runner})."), None);
    } else {
        c.weaken(0.5, "No test run in the paste.");
    }
    c.fix(v.fix("Run fewer test processes.", "terminal", "shell", "$ pytest -n 16\n", "$ pytest -n 4\n"))
        .tests(vec![budget])
        .checks(checks())
        .ci(ci);

    orm::finish(r, "count `idle` rows in `pg_stat_activity`.")
}

const CLOSE_TEST: &str = r#"import threading

import pytest
from django.db import connection


@pytest.mark.django_db(transaction=True)
def test_thread_closes_connection():
    seen = []

    def work():
        connection.ensure_connection()
        connection.close()
        seen.append(connection.connection)

    t = threading.Thread(target=work)
    t.start()
    t.join()
    assert seen == [None]
"#;

const BUDGET_TEST: &str = r#"from django.conf import settings

MAX_CONNECTIONS, WORKERS, THREADS = 100, 4, 2


def test_connections_fit():
    assert WORKERS * THREADS * len(settings.DATABASES) < MAX_CONNECTIONS - 3
"#;

fn fix_pool(v: &Values) -> Fix {
    v.fix(
        "Use a pool (Django 5.1+) or PgBouncer.",
        "settings.py",
        "python",
        "DATABASES[\"default\"][\"CONN_MAX_AGE\"] = None\n",
        "DATABASES[\"default\"][\"CONN_MAX_AGE\"] = 0\nDATABASES[\"default\"][\"OPTIONS\"] = {\"pool\": {\"max_size\": 10}}\n",
    )
}

fn fix_close(v: &Values) -> Fix {
    v.fix(
        "Close the connection when done.",
        "worker.py",
        "python",
        "do_queries()\n",
        "try:\n    do_queries()\nfinally:\n    connection.close()\n",
    )
}

fn checks() -> Vec<String> {
    vec![
        "`SHOW max_connections;` vs `SELECT count(*) FROM pg_stat_activity;`".into(),
        "Count processes × threads of all clients.".into(),
    ]
}
