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
    summary: "OperationalError \"database is locked\": another connection held SQLite's write lock past the timeout — concurrent writers, a long transaction, or a network file.",
    example: "real/mysql/sqlite_locked.txt",
    diagnose,
};

const EXPLANATION: &str = "SQLite allows one writer at a time. This connection waited the timeout (5 s by \
default) for the write lock and another connection still held it.";

const REFERENCES: [&str; 1] = [
    "Django docs: SQLite database is locked — https://docs.djangoproject.com/en/stable/ref/databases/#database-is-locked-errors",
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
    let tests = vec![py("SQLite has a lock strategy", "tests/test_settings.py", TEST_SETTINGS.into())];
    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised("Another connection held the write lock.", Some(line));

    let c = r.cause("concurrent-writers", "Several processes or threads write at the same time", 1.0);
    if let Some(run) =
        f.runner.as_deref().filter(|r| matches!(*r, "gunicorn" | "uwsgi" | "celery" | "daphne" | "uvicorn"))
    {
        c.support(2.5, format!("{run} runs concurrent workers."), None);
    }
    if kit::has_frame(cx.tb, "django/core/handlers/base.py", "") {
        c.support(1.0, "In a request: other requests write too.", None);
    }
    if kit::has_frame(cx.tb, "sessions/backends/db.py", "") {
        c.support(1.0, "Database sessions write on every request.", None);
    }
    c.fix(v.fix(
        "Wait longer and lock up front (Django 5.1+), or use PostgreSQL.",
        "settings.py",
        "python",
        "DATABASES[\"default\"][\"OPTIONS\"] = {}\n",
        "DATABASES[\"default\"][\"OPTIONS\"] = {\"timeout\": 20, \"transaction_mode\": \"IMMEDIATE\"}\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec!["How many workers or threads write?".into()]);

    let c =
        r.cause("long-transaction", "One long transaction (or an open DB browser / sqlite3 shell) holds the lock", 0.8);
    if f.management_command.is_some() {
        c.support(1.0, "A command raced another process for the lock.", None);
    }
    c.fix(v.fix(
        "Keep slow work out of transactions.",
        "views.py",
        "python",
        "with transaction.atomic():\n    items = fetch_remote_items()\n",
        "items = fetch_remote_items()\nwith transaction.atomic():\n    Item.objects.bulk_create(items)\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec!["`lsof db.sqlite3`: who has the file open?".into()]);

    let c = r.cause("network-filesystem", "The database file is on a network or bind-mounted filesystem", 0.2);
    for d in f.docker.iter().take(1) {
        c.support(1.5, format!("Runs in a container ({d}): bind-mounted SQLite locks unreliably."), None);
    }
    c.fix(v.fix(
        "Keep the file on a named volume, not a bind mount.",
        "docker-compose.yml",
        "yaml",
        "services:\n  web:\n    volumes:\n      - .:/app\n",
        "services:\n  web:\n    volumes:\n      - data:/data  # NAME = \"/data/db.sqlite3\"\nvolumes:\n  data:\n",
    ))
    .tests(tests)
    .ci(workflow)
    .checks(vec!["`df -T .`: NFS/SMB/fuse are unsafe for SQLite.".into()]);
    r.finish(|a, b| format!("\"{a}\" or \"{b}\"? `lsof db.sqlite3` while it happens."))
}

const TEST_SETTINGS: &str = r#"from django.conf import settings


def test_sqlite_waits_for_the_lock():
    db = settings.DATABASES["default"]
    assert "sqlite" not in db["ENGINE"] or db.get("OPTIONS", {}).get("timeout", 5) >= 20
"#;
