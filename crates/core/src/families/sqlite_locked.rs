//! `sqlite-locked` (DJ020): SQLite gave up waiting for another connection's write lock.
//!
//! Recognised by an `OperationalError` `database is locked` or `database table is locked` (other SQLite errors
//! are not claimed). Causes are ranked by what served the code (workers, threads, Celery, a request), a
//! management command racing another process, and containers (bind-mounted files).

use super::ci::{self, Step};
use super::kit::{self, Ranking, Values};
use super::mysql_cant_connect::py;
use super::{Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "sqlite-locked",
    code: "DJ020",
    title: "SQLite database is locked",
    summary: "SQLite write lock held too long: concurrent writers, a long transaction, or a network file.",
    example: "real/mysql/sqlite_locked.txt",
    diagnose,
};

const EXPLANATION: &str = "SQLite has one writer at a time; the lock wait timed out.";

const REFERENCES: [&str; 1] = [
    "Django docs: database is locked — https://docs.djangoproject.com/en/stable/ref/databases/#database-is-locked-errors",
];

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let Some(hit) = kit::find(cx.tb, &["OperationalError"], &["database is locked", "database table is locked"]) else {
        return Vec::new();
    };
    let line = hit.line;
    let f = cx.facts;
    let mut v = Values::new(cx);
    v.set("engine", "django.db.backends.sqlite3").set("driver_pip", "");
    let workflow = ci::workflow(&v, "tests", &[Step { name: "Tests", run: "pytest" }]);
    let tests = vec![py("SQLite waits", "tests/test_settings.py", TEST_SETTINGS.into())];
    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised("Write lock held.", Some(line));

    let c = r.cause("concurrent-writers", "Concurrent writers", 1.0);
    if let Some(run) =
        f.runner.as_deref().filter(|r| matches!(*r, "gunicorn" | "uwsgi" | "celery" | "daphne" | "uvicorn"))
    {
        c.support(2.5, format!("{run} workers."), None);
    }
    if kit::has_frame(cx.tb, "django/core/handlers/base.py", "") {
        c.support(1.0, "A request.", None);
    }
    if kit::has_frame(cx.tb, "sessions/backends/db.py", "") {
        c.support(1.0, "DB sessions write.", None);
    }
    c.fix(v.fix(
        "Wait longer, or use PostgreSQL.",
        "settings.py",
        "python",
        "",
        "DATABASES[\"default\"][\"OPTIONS\"] = {\"timeout\": 20}\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec!["How many writers?".into()]);

    let c = r.cause("long-transaction", "A long transaction holds the lock", 0.8);
    if f.management_command.is_some() {
        c.support(1.0, "A command.", None);
    }
    c.fix(v.fix(
        "Keep slow work outside.",
        "views.py",
        "python",
        "with atomic():\n    items = fetch()\n",
        "items = fetch()\nwith atomic():\n    save(items)\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec!["`lsof db.sqlite3`".into()]);

    let c = r.cause("network-filesystem", "File on a network or bind mount", 0.2);
    for d in f.docker.iter().take(1) {
        c.support(1.5, format!("Container: {d}."), None);
    }
    c.fix(v.fix(
        "Use a named volume.",
        "docker-compose.yml",
        "yaml",
        "volumes:\n  - .:/app\n",
        "volumes:\n  - data:/data\n",
    ))
    .tests(tests)
    .ci(workflow)
    .checks(vec!["`df -T .`".into()]);
    super::orm_common::finish(r, "`lsof db.sqlite3`.")
}

const TEST_SETTINGS: &str = r#"from django.conf import settings


def test_sqlite_timeout():
    db = settings.DATABASES["default"]
    assert "sqlite" not in db["ENGINE"] or db.get("OPTIONS", {}).get("timeout", 5) >= 20
"#;
