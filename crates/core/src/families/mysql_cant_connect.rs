//! `mysql-cant-connect` (DJ016): MySQL or MariaDB cannot be reached at all.
//!
//! Recognised by an `OperationalError` 2002/2003/2005 in the wording of libmysqlclient, MariaDB Connector/C
//! and PyMySQL (socket, TCP, unknown host). Causes are ranked by socket versus TCP wording, the host in the
//! message and container evidence. Also home of the helpers the other MySQL families share.

use super::ci::{self, Step};
use super::kit::{self, Ranking, Values};
pub(super) use super::startup::python as py;
use super::{Context, Family};
use crate::model::{Diagnosis, Snippet};

pub const FAMILY: Family = Family {
    id: "mysql-cant-connect",
    code: "DJ016",
    title: "MySQL/MariaDB cannot be reached",
    summary: "2002/2003 \"Can't connect to MySQL server\": no socket, nothing listening, or container not ready.",
    example: "real/mysql/mysql_cant_connect_socket.txt",
    diagnose,
};

const PATTERNS: [&str; 6] = [
    "Can't connect to local MySQL server through socket",
    "Can't connect to local server through socket",
    "Can't connect to MySQL server on",
    "Can't connect to server on",
    "Unknown MySQL server host",
    "Unknown server host",
];

const EXPLANATION: &str = "No MySQL server answered. HOST empty or `localhost` means a Unix socket \
(2002: file missing); otherwise TCP, and (111) means nothing accepted it.";

const REFERENCES: [&str; 1] =
    ["Django docs: MySQL — https://docs.djangoproject.com/en/stable/ref/databases/#mysql-notes"];

/// Values for every MySQL family: engine, driver, host, port 3306 unless the paste says otherwise.
pub(super) fn mysql_values(cx: &Context<'_>) -> Values {
    let mut v = Values::new(cx);
    v.set("engine", "django.db.backends.mysql");
    v.set("driver_pip", if cx.facts.db_driver.as_deref() == Some("pymysql") { "pymysql" } else { "mysqlclient" });
    if cx.facts.db_port.is_none() {
        v.set("port", "3306");
    }
    if cx.facts.db_host.is_none() {
        v.set("host", "127.0.0.1");
    }
    v
}

/// The connection smoke test every MySQL family offers.
pub(super) const TEST_SMOKE: &str = r#"import pytest
from django.db import connection


@pytest.mark.django_db
def test_mysql_accepts_connections():
    connection.ensure_connection()
"#;

/// The MySQL-service workflow with a readiness wait, then `steps`.
pub(super) fn mysql_ci(v: &Values, title: &str, steps: &[Step<'_>]) -> Snippet {
    let mut all =
        vec![Step { name: "Wait for MySQL", run: "mysqladmin ping -h 127.0.0.1 -P {port} -uroot -proot --wait=30" }];
    all.extend(steps.iter().map(|s| Step { name: s.name, run: s.run }));
    ci::workflow(v, title, &all)
}

fn is_loopback(host: &str) -> bool {
    matches!(host, "localhost" | "::1") || host.starts_with("127.")
}

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let Some(hit) = kit::find(cx.tb, &["OperationalError"], &PATTERNS) else {
        return Vec::new();
    };
    let line = hit.line;
    let socket = kit::between(line, "through socket '", "'");
    let unknown = hit.pattern.starts_with("Unknown");
    let host_part = kit::between(line, " on '", "'").or_else(|| kit::between(line, " host '", "'"));
    let host = host_part.map(|h| h.split(':').next().unwrap_or(h)).unwrap_or("localhost");
    let docker = !cx.facts.docker.is_empty();
    let mut v = mysql_values(cx);
    v.set("host", host);
    v.set("socket", socket.unwrap_or("/var/run/mysqld/mysqld.sock"));
    let workflow = mysql_ci(
        &v,
        "MySQL service",
        &[Step { name: "Migrate", run: "python manage.py migrate --noinput" }, Step { name: "Tests", run: "pytest" }],
    );
    let tests = vec![py("MySQL connects", "tests/test_database.py", TEST_SMOKE.into())];
    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(if socket.is_some() { "No server at the socket." } else { "No server over TCP." }, Some(line));
    let settings = v.fix("Use TCP.", "settings.py", "python", SETTINGS_BEFORE, SETTINGS_TCP);

    let c = r.cause("socket-missing", "No socket (HOST empty or `localhost`)", 0.5);
    match socket {
        Some(path) => {
            c.support(4.0, format!("`{path}` is missing."), Some(line));
        }
        None => {
            c.weaken(0.2, "TCP was used.");
        }
    }
    c.fix(settings.clone()).tests(tests.clone()).ci(workflow.clone()).checks(vec![v.fill("`ls -l {socket}`")]);

    let c = r.cause("docker-service", "Docker: wrong service or not ready", 0.5);
    for d in cx.facts.docker.iter().take(2) {
        c.support(2.0, format!("Container: {d}."), None);
    }
    if !is_loopback(host) && socket.is_none() && !unknown {
        c.support(2.5, format!("`{host}` refused."), host_part);
    }
    if !docker && is_loopback(host) {
        c.weaken(0.3, "No container.");
    }
    c.fix(v.fix("HOST = service; wait until healthy.", "docker-compose.yml", "yaml", COMPOSE_BEFORE, COMPOSE_AFTER))
        .tests(tests.clone())
        .ci(workflow.clone())
        .checks(vec!["`docker compose logs db`".into()]);

    let c = r.cause("server-not-running", "MySQL is not running", 1.0);
    if socket.is_none() && is_loopback(host) && !docker {
        c.support(2.5, v.fill("Nothing on {host}:{port}."), Some(line));
    }
    if unknown {
        c.weaken(0.2, "Host unresolved.");
    }
    c.fix(v.fix("Start the server.", "terminal", "shell", "", "$ sudo systemctl start mysql\n"))
        .tests(tests.clone())
        .ci(workflow.clone())
        .checks(vec!["`ss -ltnp | grep mysqld`".into()]);

    if unknown {
        let c = r.cause("host-unknown", "Host does not resolve", 0.0);
        c.support(5.0, format!("`{host}` does not resolve."), Some(line));
        c.fix(settings).tests(tests).ci(workflow).checks(vec![v.fill("`getent hosts {host}`")]);
    }
    r.finish(|a, b| format!("{a} / {b}: try `mysqladmin ping -P {}`.", v.get("port")))
}

const SETTINGS_BEFORE: &str = "DATABASES = {\"default\": {\"ENGINE\": \"{engine}\", \"HOST\": \"{host}\"}}\n";

const SETTINGS_TCP: &str = "DATABASES = {\"default\": {\"ENGINE\": \"{engine}\", \"HOST\": \"127.0.0.1\"}}\n";

const COMPOSE_BEFORE: &str = "services:\n  web:\n    environment:\n      MYSQL_HOST: localhost\n";

const COMPOSE_AFTER: &str = "services:\n  web:\n    environment:\n      MYSQL_HOST: db\n    depends_on:\n      db:\n        condition: service_healthy\n";
