//! `sqlite-locked` (DJ020): SQLite gave up waiting for another connection's write lock.
//!
//! Recognised by an `OperationalError` (Django's or `sqlite3`'s) whose message is `database is locked` or
//! `database table is locked`; `no such table`, `unable to open database file` and `attempt to write a
//! readonly database` are other errors and not claimed. Causes are ranked by what served the code (several
//! gunicorn workers, threads, Celery, a request), a management command racing another process, and container
//! paths that suggest a bind-mounted file.

use super::ci::{self, Step};
use super::kit::{self, Ranking, Values};
use super::mysql_cant_connect::py;
use super::{Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "sqlite-locked",
    code: "DJ020",
    title: "SQLite database is locked",
    summary: "OperationalError \"database is locked\": another connection held SQLite's single write lock longer \
              than the timeout (5 s by default) — concurrent writers (several workers, threads, Celery), a long \
              transaction or an open DB browser, or a database file on a network or bind-mounted filesystem.",
    example: "real/mysql/sqlite_locked.txt",
    diagnose,
};

const EXPLANATION: &str = "SQLite lets one connection write at a time. This connection waited for the write \
lock for the configured timeout (Python's default is 5 seconds) and another connection still held it, so the \
write failed. It is a sign of concurrent writers on SQLite, or of one transaction that stays open too long.";

const REFERENCES: [&str; 2] = [
    "Django documentation: Databases › SQLite notes › Database is locked errors — https://docs.djangoproject.com/en/stable/ref/databases/#database-is-locked-errors",
    "Django documentation: Databases › SQLite notes › Transactions behavior (transaction_mode) — https://docs.djangoproject.com/en/stable/ref/databases/#sqlite-transaction-behavior",
];

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let Some(hit) = kit::find(cx.tb, &["OperationalError"], &["database is locked", "database table is locked"]) else {
        return Vec::new();
    };
    let line = hit.line;
    let f = cx.facts;
    let runner = f.runner.as_deref();
    let request = kit::has_frame(cx.tb, "django/core/handlers/base.py", "");
    let sessions = kit::has_frame(cx.tb, "sessions/backends/db.py", "");
    let mut v = Values::new(cx);
    v.set("engine", "django.db.backends.sqlite3").set("driver_pip", "");
    let workflow = ci::workflow(
        &v,
        "deployment checks",
        &[
            Step { name: "Check the deployment settings", run: "python manage.py check --deploy" },
            Step { name: "Run the tests", run: "pytest" },
        ],
    );
    let tests = vec![py(
        "Production does not write to SQLite without a lock strategy",
        "tests/test_settings.py",
        TEST_SETTINGS.into(),
    )];
    let ci_note =
        "CI runs one process at a time, so it rarely hits the lock; the test checks the settings that avoid it."
            .to_string();
    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised("SQLite's write lock was held by another connection past the timeout.", Some(line));

    let c = r.cause("concurrent-writers", "Several processes or threads write at the same time", 1.0);
    if let Some(run) = runner.filter(|r| matches!(*r, "gunicorn" | "uwsgi" | "celery" | "daphne" | "uvicorn")) {
        c.support(
            2.5,
            format!("It ran under {run}, which runs several workers or threads that write concurrently."),
            None,
        );
    }
    if request {
        c.support(1.0, "It happened while serving a request: other requests write at the same time.", None);
    }
    if sessions {
        c.support(1.0, "Sessions are saved in the database on every request, a frequent concurrent write.", None);
    }
    c.fix(v.fix(
        "Wait longer and take the write lock up front (Django 5.1+), or move to PostgreSQL for concurrent writes.",
        "settings.py",
        "python",
        SETTINGS_BEFORE,
        SETTINGS_AFTER,
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec![
        "How many workers or threads write? `gunicorn --workers`, Celery concurrency, background threads.".into(),
        ci_note.clone(),
    ]);

    let c =
        r.cause("long-transaction", "One long transaction (or an open DB browser / sqlite3 shell) holds the lock", 0.8);
    if f.management_command.is_some() {
        c.support(1.0, "A management command failed to write: another process (the dev server, a script, a DB browser) held the lock.", None);
    }
    c.fix(v.fix("Keep transactions short and close other tools that hold the file open.", "views.py / tasks.py", "python", "with transaction.atomic():\n    items = fetch_remote_items()  # slow network call inside the transaction\n    Item.objects.bulk_create(items)\n", "items = fetch_remote_items()  # slow work first, outside the transaction\nwith transaction.atomic():\n    Item.objects.bulk_create(items)\n"))
        .tests(tests.clone())
        .ci(workflow.clone())
        .checks(vec!["`fuser db.sqlite3` or `lsof db.sqlite3`: which other processes have the file open?".into(), "Is ATOMIC_REQUESTS on, or a DB browser (DB Browser for SQLite, `sqlite3` shell) open with uncommitted changes?".into()]);

    let c = r.cause("network-filesystem", "The database file is on a network or bind-mounted filesystem", 0.2);
    for d in f.docker.iter().take(1) {
        c.support(
            1.5,
            format!(
                "The program runs in a container ({d}); a bind-mounted SQLite file on Docker Desktop locks unreliably."
            ),
            None,
        );
    }
    c.fix(v.fix("Keep the SQLite file on the container's own filesystem (a named volume), not a bind mount.", "docker-compose.yml", "yaml", "services:\n  web:\n    volumes:\n      - .:/app  # db.sqlite3 lives on the host, shared into the container\n", "services:\n  web:\n    volumes:\n      - .:/app\n      - sqlite-data:/data  # NAME = \"/data/db.sqlite3\" in settings\nvolumes:\n  sqlite-data:\n"))
        .tests(tests)
        .ci(workflow)
        .checks(vec!["`df -T $(dirname db.sqlite3)`: NFS, SMB, fuse/grpcfuse (Docker Desktop) are not safe for SQLite locking.".into(), ci_note]);
    r.finish(|a, b| format!("The paste cannot decide between \"{a}\" and \"{b}\": `lsof db.sqlite3` while it happens shows who holds the file; several workers means concurrent writers."))
}

const SETTINGS_BEFORE: &str = "DATABASES = {\n    \"default\": {\n        \"ENGINE\": \"django.db.backends.sqlite3\",\n        \"NAME\": BASE_DIR / \"db.sqlite3\",\n    }\n}\n";

const SETTINGS_AFTER: &str = "DATABASES = {\n    \"default\": {\n        \"ENGINE\": \"django.db.backends.sqlite3\",\n        \"NAME\": BASE_DIR / \"db.sqlite3\",\n        \"OPTIONS\": {\n            \"timeout\": 20,  # seconds to wait for the write lock\n            \"transaction_mode\": \"IMMEDIATE\",  # Django 5.1+\n            \"init_command\": \"PRAGMA journal_mode=WAL;\",\n        },\n    }\n}\n";

const TEST_SETTINGS: &str = r#"from django.conf import settings


def test_sqlite_has_a_lock_strategy():
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        return
    options = database.get("OPTIONS", {})
    assert options.get("timeout", 5) >= 20 or options.get("transaction_mode") == "IMMEDIATE"
"#;
