//! `mysql-cant-connect` (DJ016): MySQL or MariaDB cannot be reached at all.
//!
//! Recognised by an `OperationalError` in every client's wording: libmysqlclient `(2002, "Can't connect to
//! local MySQL server through socket '…' (2)")` and `(2003, "Can't connect to MySQL server on 'h' (111)")`,
//! MariaDB Connector/C `(2002, "Can't connect to local server through socket …")` and `(2002, "Can't connect
//! to server on '127.0.0.1' (115)")`, PyMySQL `(2003, "Can't connect to MySQL server on 'h' ([Errno 111]
//! Connection refused)")`, and the unknown-host variant `(2005, "Unknown MySQL server host 'db' (-2)")`.
//! Causes are ranked by socket versus TCP wording, the host in the message and container evidence. Also home
//! of the MySQL helpers the other MySQL families share (values, smoke test, workflow).

use super::ci::{self, Step};
use super::kit::{self, Ranking, Values};
use super::{Context, Family};
use crate::model::{Diagnosis, Snippet};

pub const FAMILY: Family = Family {
    id: "mysql-cant-connect",
    code: "DJ016",
    title: "MySQL/MariaDB cannot be reached",
    summary: "OperationalError 2002/2003 (\"Can't connect to local MySQL server through socket\", \"Can't connect \
              to MySQL server on\") when Django connects: with HOST empty or `localhost` the client uses a Unix \
              socket that is not there; otherwise nothing listens at the host and port, or the database service \
              in Docker is not ready.",
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

const EXPLANATION: &str = "Django asked the MySQL driver to connect and no server answered. With HOST empty or \
`localhost` the MySQL client does not use TCP at all: it looks for a Unix socket file, and error 2002 says that \
file is missing. With an IP or a name it connects over TCP, and 2002/2003 with (111) or (115) means nothing \
accepted the connection there, as seen from the process that runs Django.";

const REFERENCES: [&str; 2] = [
    "Django documentation: Databases › MySQL notes › Connecting to the database — https://docs.djangoproject.com/en/stable/ref/databases/#connecting-to-the-database-1",
    "Django documentation: Settings › DATABASES (HOST, PORT) — https://docs.djangoproject.com/en/stable/ref/settings/#host",
];

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
    assert connection.vendor == "mysql"
"#;

pub(super) fn py(title: &str, file: &str, code: String) -> Snippet {
    Snippet { title: title.into(), file: file.into(), language: "python", code }
}

/// The MySQL-service workflow with a readiness wait, then `steps`.
pub(super) fn mysql_ci(v: &Values, title: &str, steps: &[Step<'_>]) -> Snippet {
    let mut all =
        vec![Step { name: "Wait for MySQL", run: "mysqladmin ping -h 127.0.0.1 -P {port} -uroot -proot --wait=30" }];
    all.extend(steps.iter().map(|s| Step { name: s.name, run: s.run }));
    ci::workflow(v, title, &all)
}

fn is_loopback(host: &str) -> bool {
    matches!(host, "localhost" | "127.0.0.1" | "::1") || host.starts_with("127.")
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
        "MySQL service with a health check",
        &[
            Step { name: "Check the database settings", run: "python manage.py check --database default" },
            Step { name: "Apply migrations", run: "python manage.py migrate --noinput" },
            Step { name: "Run the tests", run: "pytest" },
        ],
    );
    let tests = vec![
        py("MySQL accepts connections (pytest-django)", "tests/test_database.py", TEST_SMOKE.into()),
        py("HOST forces TCP", "tests/test_settings.py", v.fill(TEST_HOST)),
    ];
    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    let kind = if socket.is_some() { "through a Unix socket" } else { "over TCP" };
    r.recognised(format!("The MySQL client could not connect {kind}."), Some(line));

    let c = r.cause(
        "socket-missing",
        "HOST is empty or `localhost`, so the client looked for a socket that is not there",
        0.5,
    );
    match socket {
        Some(path) => {
            c.support(4.0, format!("The client used the socket `{path}`: HOST was empty or `localhost`, and no server created that file (none runs here, or it uses another path)."), Some(line));
        }
        None => {
            c.weaken(0.2, "The client tried TCP, not a socket.");
        }
    }
    c.fix(v.fix(
        "Use TCP (`127.0.0.1`) or the real socket path instead of the default socket.",
        "settings.py",
        "python",
        SETTINGS_BEFORE,
        SETTINGS_TCP,
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec![
        v.fill("`ls -l {socket}` and `mysql -h 127.0.0.1 -P {port} -u <user> -p` from where Django runs."),
        "`SHOW VARIABLES LIKE 'socket';` on the server gives the real socket path for OPTIONS unix_socket.".into(),
    ]);

    let c = r.cause("docker-service", "In Docker the database is another service, or it is not ready yet", 0.5);
    for d in cx.facts.docker.iter().take(2) {
        c.support(2.0, format!("The program runs in a container: {d}."), None);
    }
    if !is_loopback(host) && socket.is_none() && !unknown {
        c.support(2.5, format!("`{host}` is another host or compose service: it resolved, but nothing accepted the connection — typically MySQL still initialising."), host_part);
    }
    if !docker && is_loopback(host) {
        c.weaken(0.3, "Nothing in the paste shows a container.");
    }
    c.fix(v.fix(
        "Point HOST at the compose service and start the app once MySQL is healthy.",
        "docker-compose.yml",
        "yaml",
        COMPOSE_BEFORE,
        COMPOSE_AFTER,
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec![
        "`docker compose ps` and `docker compose logs db`: is MySQL up and healthy?".into(),
        "`docker compose exec web mysqladmin ping -h db`: run it from the app's container.".into(),
    ]);

    let c = r.cause("server-not-running", "MySQL is not running, or listens on another host or port", 1.0);
    if socket.is_none() && is_loopback(host) && !docker {
        c.support(
            2.5,
            format!(
                "A TCP connection to `{host}` was refused: no MySQL server listens on port {} of this machine.",
                v.get("port")
            ),
            Some(line),
        );
    }
    if unknown {
        c.weaken(0.2, "The host name did not resolve, so no server was even tried.");
    }
    c.fix(v.fix("Start the server (or fix PORT) and check it answers before starting Django.", "terminal", "shell", "$ python manage.py migrate\nOperationalError: (2002/2003, \"Can't connect ...\")\n", "$ sudo systemctl start mariadb     # or mysql; macOS: brew services start mysql\n$ mysqladmin ping -h {host} -P {port}\nmysqld is alive\n$ python manage.py migrate\n"))
        .tests(tests.clone())
        .ci(workflow.clone())
        .checks(vec![v.fill("`ss -ltnp | grep mysqld`: which address and port does the server listen on?"), "`sudo systemctl status mariadb` (or mysql): is the server running?".into()]);

    if unknown {
        let c = r.cause("host-unknown", "The database host name does not resolve", 0.0);
        c.support(
            5.0,
            format!("The client could not resolve `{host}`: a typo, or a compose service name used outside compose."),
            Some(line),
        );
        c.fix(v.fix(
            "Use a host name that resolves where Django runs.",
            "settings.py",
            "python",
            SETTINGS_BEFORE,
            SETTINGS_TCP,
        ))
        .tests(tests)
        .ci(workflow)
        .checks(vec![v.fill("`getent hosts {host}` where Django runs.")]);
    }
    r.finish(|a, b| {
        format!("The paste cannot decide between \"{a}\" and \"{b}\": run `mysqladmin ping -h 127.0.0.1 -P {}` where Django runs — if it answers, only the socket or host in the settings is wrong.", v.get("port"))
    })
}

const SETTINGS_BEFORE: &str =
    "DATABASES = {\n    \"default\": {\n        \"ENGINE\": \"{engine}\",\n        \"NAME\": \"{db}\",\n        \"HOST\": \"{host}\",\n        \"PORT\": \"{port}\",\n    }\n}\n";

const SETTINGS_TCP: &str = "import os\n\nDATABASES = {\n    \"default\": {\n        \"ENGINE\": \"{engine}\",\n        \"NAME\": \"{db}\",\n        # 127.0.0.1 (not localhost) makes the client use TCP; in compose use the service name.\n        \"HOST\": os.environ.get(\"MYSQL_HOST\", \"127.0.0.1\"),\n        \"PORT\": os.environ.get(\"MYSQL_PORT\", \"{port}\"),\n        # Or keep a socket, at the path the server really uses:\n        # \"OPTIONS\": {\"unix_socket\": \"/var/run/mysqld/mysqld.sock\"},\n    }\n}\n";

const COMPOSE_BEFORE: &str = "services:\n  db:\n    image: mysql:8.4\n  web:\n    build: .\n    environment:\n      MYSQL_HOST: localhost\n    depends_on:\n      - db\n";

const COMPOSE_AFTER: &str = "services:\n  db:\n    image: mysql:8.4\n    environment:\n      MYSQL_DATABASE: {db}\n      MYSQL_ROOT_PASSWORD: root\n    healthcheck:\n      test: [\"CMD\", \"mysqladmin\", \"ping\", \"-h\", \"127.0.0.1\", \"-proot\"]\n      interval: 5s\n      retries: 10\n  web:\n    build: .\n    environment:\n      MYSQL_HOST: db\n    depends_on:\n      db:\n        condition: service_healthy\n";

const TEST_HOST: &str = r#"import os

from django.conf import settings


def test_mysql_host_is_set():
    """An empty HOST or localhost makes the client use a Unix socket."""
    host = settings.DATABASES["default"]["HOST"]
    assert host, "HOST is empty: the client falls back to a Unix socket"
    if os.path.exists("/.dockerenv"):
        assert host not in ("localhost", "127.0.0.1")
"#;
