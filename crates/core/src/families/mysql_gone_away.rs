//! `mysql-gone-away` (DJ026): an open MySQL/MariaDB connection died under Django.
//!
//! Recognised by an `OperationalError` with `(2006, 'MySQL server has gone away')` (MariaDB Connector/C:
//! `'Server has gone away'`; PyMySQL: `MySQL server has gone away (ConnectionResetError(…))`), `(2013, 'Lost
//! connection to MySQL server during query')` (MariaDB: `'Lost connection to server during query'`), or MySQL
//! 8's `(4031, 'The client was disconnected by the server because of inactivity…')`. Causes are ranked by what
//! ran (a management command or worker, a web server with persistent connections), the error number and
//! whether the query was being written.

use super::ci::Step;
use super::kit::{self, Ranking};
use super::mysql_cant_connect::{mysql_ci, mysql_values, py};
use super::{Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "mysql-gone-away",
    code: "DJ026",
    title: "The MySQL server closed the connection (gone away / lost connection)",
    summary: "OperationalError 2006 \"MySQL server has gone away\" or 2013 \"Lost connection to MySQL server \
              during query\": a connection Django kept open was closed by the server — idle past `wait_timeout` \
              in a long-running worker or with CONN_MAX_AGE, a packet larger than `max_allowed_packet`, or a \
              server restart or KILL.",
    example: "real/mysql/mysql_gone_away.txt",
    diagnose,
};

const PATTERNS: [&str; 5] = [
    "MySQL server has gone away",
    "Server has gone away",
    "Lost connection to MySQL server",
    "Lost connection to server during query",
    "disconnected by the server because of inactivity",
];

const EXPLANATION: &str = "The connection was open and working, then the server closed it. MySQL drops \
connections idle longer than `wait_timeout` (8 hours by default, often much less on managed servers), kills \
connections that send a packet over `max_allowed_packet`, and loses all of them on a restart. Django does not \
notice until the next query, which fails with this error.";

const REFERENCES: [&str; 2] = [
    "Django documentation: Databases › Persistent connections (CONN_MAX_AGE, CONN_HEALTH_CHECKS) — https://docs.djangoproject.com/en/stable/ref/databases/#persistent-connections",
    "Django documentation: django.db.close_old_connections — https://docs.djangoproject.com/en/stable/ref/databases/#caveats",
];

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let Some(hit) = kit::find(cx.tb, &["OperationalError"], &PATTERNS) else {
        return Vec::new();
    };
    let line = hit.line;
    let f = cx.facts;
    let during_query = line.contains("during query");
    let command = f.management_command.as_deref().filter(|c| !matches!(*c, "migrate" | "runserver"));
    let worker = command.is_some() || f.runner.as_deref() == Some("celery");
    let web = matches!(f.runner.as_deref(), Some("gunicorn" | "uwsgi" | "runserver" | "daphne" | "uvicorn"))
        || kit::has_frame(cx.tb, "django/core/handlers/base.py", "");
    let writing = kit::has_frame(cx.tb, "django/db/models/query.py", "bulk_create")
        || kit::has_frame(cx.tb, "django/db/models/base.py", "save");
    let mut v = mysql_values(cx);
    let ident = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    v.set("worker", command.filter(|c| ident(c)).unwrap_or("worker"));
    let app = kit::last_app_frame(cx.tb)
        .and_then(|fr| {
            fr.file.split("/management/commands/").next().filter(|_| fr.file.contains("/management/commands/"))
        })
        .and_then(|dir| dir.rsplit('/').next())
        .filter(|a| ident(a));
    v.set("app", app.unwrap_or("myapp"));
    let workflow = mysql_ci(
        &v,
        "settings checks against MySQL",
        &[
            Step { name: "Check the deployment settings", run: "python manage.py check --deploy --database default" },
            Step { name: "Run the tests", run: "pytest" },
        ],
    );
    let tests = vec![
        py("The worker refreshes stale connections", "tests/test_worker.py", v.fill(TEST_WORKER)),
        py("Persistent connections are health-checked", "tests/test_settings.py", TEST_SETTINGS.into()),
    ];
    let ci_note =
        "CI cannot wait out a production `wait_timeout`; the tests check the code and settings that avoid it."
            .to_string();
    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised("The server closed a connection Django still held.", Some(line));

    let c = r.cause("idle-worker", "A long-running process kept its connection idle past wait_timeout", 1.0);
    if let Some(cmd) = command {
        c.support(2.5, format!("It ran in the management command `{cmd}`: a long-running process outside Django's request cycle, where nothing closes stale connections."), None);
    }
    if f.runner.as_deref() == Some("celery") {
        c.support(2.5, "It ran in a Celery worker, outside Django's request cycle.", None);
    }
    if line.contains("gone away") || line.contains("inactivity") {
        c.support(1.0, "\"Gone away\" is what the next query after an idle timeout gets.", Some(line));
    }
    c.fix(v.fix(
        "Drop stale connections before each unit of work.",
        &v.fill("{app}/management/commands/{worker}.py"),
        "python",
        WORKER_BEFORE,
        WORKER_AFTER,
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec![
        "`SHOW VARIABLES LIKE 'wait_timeout';` — compare with the worker's idle time.".into(),
        ci_note.clone(),
    ]);

    let c = r.cause("conn-max-age", "CONN_MAX_AGE keeps connections longer than the server (or a proxy) allows", 0.6);
    if web {
        c.support(
            1.5,
            "It happened while serving a request, where CONN_MAX_AGE decides how long connections live.",
            None,
        );
    }
    if worker {
        c.weaken(0.5, "It ran outside a web request.");
    }
    c.fix(v.fix("Keep persistent connections shorter than wait_timeout and health-check them (Django 4.1+).", "settings.py", "python", "DATABASES[\"default\"][\"CONN_MAX_AGE\"] = None  # forever\n", "DATABASES[\"default\"][\"CONN_MAX_AGE\"] = 60  # below the server's wait_timeout\nDATABASES[\"default\"][\"CONN_HEALTH_CHECKS\"] = True\n"))
        .tests(tests.clone())
        .ci(workflow.clone())
        .checks(vec!["`python manage.py diffsettings | grep -i conn_` versus `SHOW VARIABLES LIKE 'wait_timeout';`.".into(), ci_note.clone()]);

    let c = r.cause("packet-too-large", "One query was larger than max_allowed_packet", 0.3);
    if writing {
        c.support(
            1.0,
            "The failing query writes rows (save/bulk_create): a large value or batch can exceed max_allowed_packet.",
            None,
        );
    }
    if during_query {
        c.support(1.0, "The connection was lost during a query, not before it.", Some(line));
    }
    c.fix(v.fix(
        "Write in smaller batches, or raise max_allowed_packet on the server.",
        "my.cnf",
        "ini",
        "[mysqld]\nmax_allowed_packet = 16M\n",
        "[mysqld]\nmax_allowed_packet = 256M\n# and in code: Model.objects.bulk_create(rows, batch_size=500)\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec!["The server's error log: `Got a packet bigger than 'max_allowed_packet' bytes`?".into()]);

    let c = r.cause("server-restart", "The server restarted, crashed or killed the connection", 0.4);
    if during_query {
        c.support(2.5, "The connection was lost in the middle of a query: the server went away or the connection was killed while it ran.", Some(line));
    }
    c.fix(v.fix("Reconnect after a restart: health checks for web requests, close_old_connections for workers.", "settings.py", "python", "DATABASES[\"default\"][\"CONN_MAX_AGE\"] = 600\n", "DATABASES[\"default\"][\"CONN_MAX_AGE\"] = 600\nDATABASES[\"default\"][\"CONN_HEALTH_CHECKS\"] = True\n"))
        .tests(tests)
        .ci(workflow)
        .checks(vec!["The server's error log and uptime (`SHOW GLOBAL STATUS LIKE 'Uptime';`): did it restart, or was the query KILLed?".into(), ci_note]);
    r.finish(|a, b| format!("The paste cannot decide between \"{a}\" and \"{b}\": compare how long the connection sat idle with `SHOW VARIABLES LIKE 'wait_timeout';`, and look in the server's error log at that time."))
}

const WORKER_BEFORE: &str =
    "def handle(self, *args, **options):\n    while True:\n        process_next_job()\n        time.sleep(60)\n";

const WORKER_AFTER: &str = "from django.db import close_old_connections\n\n\ndef run_once():\n    # Closes connections past CONN_MAX_AGE or unusable, as Django does per request.\n    close_old_connections()\n    process_next_job()\n\n\ndef handle(self, *args, **options):\n    while True:\n        run_once()\n        time.sleep(60)\n";

const TEST_WORKER: &str = r#"from unittest import mock

from {app}.management.commands import {worker} as command


def test_each_job_starts_with_close_old_connections():
    with mock.patch.object(command, "close_old_connections") as close, mock.patch.object(command, "process_next_job"):
        command.run_once()
    close.assert_called_once()
"#;

const TEST_SETTINGS: &str = r#"from django.conf import settings


def test_persistent_connections_are_checked():
    database = settings.DATABASES["default"]
    if database.get("CONN_MAX_AGE"):
        assert database.get("CONN_HEALTH_CHECKS"), "set CONN_HEALTH_CHECKS with CONN_MAX_AGE"
"#;
