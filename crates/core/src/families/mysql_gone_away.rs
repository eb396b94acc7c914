//! `mysql-gone-away` (DJ026): an open MySQL/MariaDB connection died under Django.
//!
//! Recognised by an `OperationalError` 2006 (gone away), 2013 (lost connection during query) or MySQL 8's
//! 4031 (disconnected for inactivity), in MySQL, MariaDB and PyMySQL wording. Causes are ranked by what ran (a
//! command or worker, a web server), the error number and whether the query was writing.

use super::ci::Step;
use super::kit::{self, Ranking};
use super::mysql_cant_connect::{mysql_ci, mysql_values, py};
use super::{Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "mysql-gone-away",
    code: "DJ026",
    title: "The MySQL server closed the connection (gone away / lost connection)",
    summary: "2006/2013 \"MySQL server has gone away\": idle past wait_timeout, packet too large, or restart.",
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

const EXPLANATION: &str =
    "The server closed an open connection (idle timeout, large packet, restart); the next query failed.";

const REFERENCES: [&str; 1] =
    ["Django docs: CONN_MAX_AGE — https://docs.djangoproject.com/en/stable/ref/databases/#persistent-connections"];

const WAIT: &str = "`wait_timeout`";

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let Some(hit) = kit::find(cx.tb, &["OperationalError"], &PATTERNS) else {
        return Vec::new();
    };
    let line = hit.line;
    let f = cx.facts;
    let during_query = line.contains("during query");
    let command = f.management_command.as_deref().filter(|c| !matches!(*c, "migrate" | "runserver"));
    let celery = f.runner.as_deref() == Some("celery");
    let worker = command.is_some() || celery;
    let web = matches!(f.runner.as_deref(), Some("gunicorn" | "uwsgi" | "runserver" | "daphne" | "uvicorn"))
        || kit::has_frame(cx.tb, "django/core/handlers/base.py", "");
    let writing = kit::has_frame(cx.tb, "django/db/models/query.py", "bulk_create")
        || kit::has_frame(cx.tb, "django/db/models/base.py", "save");
    let mut v = mysql_values(cx);
    let ident = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    v.set("worker", command.filter(|c| ident(c)).unwrap_or("worker"));
    let app = kit::last_app_frame(cx.tb)
        .and_then(|fr| fr.file.split_once("/management/commands/").map(|(dir, _)| dir))
        .and_then(|dir| dir.rsplit('/').next())
        .filter(|a| ident(a));
    v.set("app", app.unwrap_or("myapp"));
    let workflow = mysql_ci(&v, "MySQL", &[Step { name: "Tests", run: "pytest" }]);
    let tests = vec![
        py("Worker closes old connections", "tests/test_worker.py", v.fill(TEST_WORKER)),
        py("Connections are checked", "tests/test_settings.py", TEST_SETTINGS.into()),
    ];
    let settings = |before: &str| {
        v.fix(
            "Health-check connections.",
            "settings.py",
            "python",
            before,
            "DATABASES[\"default\"][\"CONN_MAX_AGE\"] = 60\nDATABASES[\"default\"][\"CONN_HEALTH_CHECKS\"] = True\n",
        )
    };
    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised("The server closed the connection.", Some(line));

    let c = r.cause("idle-worker", "A long-running process idled past wait_timeout", 1.0);
    if let Some(cmd) = command {
        c.support(2.5, format!("Long command `{cmd}`."), None);
    }
    if celery {
        c.support(2.5, "A Celery worker.", None);
    }
    if line.contains("gone away") || line.contains("inactivity") {
        c.support(1.0, "\"Gone away\": idle timeout.", Some(line));
    }
    c.fix(v.fix(
        "close_old_connections() per job.",
        &v.fill("{app}/management/commands/{worker}.py"),
        "python",
        "def run_once():\n    process_next_job()\n",
        "from django.db import close_old_connections\n\n\ndef run_once():\n    close_old_connections()\n    process_next_job()\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec![format!("{WAIT} vs idle time.")]);

    let c = r.cause("conn-max-age", "CONN_MAX_AGE exceeds the server's timeout", 0.6);
    if web {
        c.support(1.5, "A web request.", None);
    }
    if worker {
        c.weaken(0.5, "Not a request.");
    }
    c.fix(settings("DATABASES[\"default\"][\"CONN_MAX_AGE\"] = None\n"))
        .tests(tests.clone())
        .ci(workflow.clone())
        .checks(vec![format!("CONN_MAX_AGE vs {WAIT}")]);

    let c = r.cause("packet-too-large", "Query over max_allowed_packet", 0.3);
    if writing {
        c.support(1.0, "The query writes rows.", None);
    }
    if during_query {
        c.support(1.0, "Lost during a query.", Some(line));
    }
    c.fix(v.fix(
        "Raise max_allowed_packet.",
        "my.cnf",
        "ini",
        "max_allowed_packet = 16M\n",
        "max_allowed_packet = 256M\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec!["Server log: packet too big?".into()]);

    let c = r.cause("server-restart", "Server restart or KILL", 0.4);
    if during_query {
        c.support(2.5, "Lost mid-query.", Some(line));
    }
    c.fix(settings("DATABASES[\"default\"][\"CONN_MAX_AGE\"] = 600\n"))
        .tests(tests)
        .ci(workflow)
        .checks(vec!["`SHOW STATUS LIKE 'Uptime';`".into()]);
    super::orm_common::finish(r, "read the server log.")
}

const TEST_WORKER: &str = r#"from unittest import mock

from {app}.management.commands import {worker} as command


def test_closes_old_connections():
    with mock.patch.object(command, "close_old_connections") as close, mock.patch.object(command, "process_next_job"):
        command.run_once()
    close.assert_called_once()
"#;

const TEST_SETTINGS: &str = r#"from django.conf import settings


def test_connections_checked():
    db = settings.DATABASES["default"]
    assert not db.get("CONN_MAX_AGE") or db.get("CONN_HEALTH_CHECKS")
"#;
