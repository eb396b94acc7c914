//! `pg-conn-refused` (DJ001): PostgreSQL refuses the connection or cannot be reached.
//!
//! Recognised by an `OperationalError` whose message is libpq's refusal in any wording: libpq ≤ 13
//! (`could not connect to server: Connection refused`), libpq ≥ 14 (`connection to server at "h" (ip), port
//! N failed: Connection refused`), psycopg 3 (`connection failed: …`), the Unix-socket variant (`No such file
//! or directory` on `.s.PGSQL.N`), timeouts, and `the database system is starting up`. Causes are ranked by
//! the host and port in the message, container evidence (compose prefixes, `/app` paths), settings read from
//! the environment, and the command that ran.

use super::ci::{self, Step};
use super::kit::{Ranking, Values};
use super::{Context, Family};
use crate::model::{Diagnosis, Fix, Snippet};

pub const FAMILY: Family = Family {
    id: "pg-conn-refused",
    code: "DJ001",
    title: "PostgreSQL refused the connection",
    summary: "OperationalError \"Connection refused\" (or its Unix-socket and timeout variants) when Django first \
                  connects to PostgreSQL: nothing listens at the host and port the settings name, as seen from the \
                  process running Django — a container pointing at localhost, a stopped server, an empty HOST from \
                  an unset environment variable, or the wrong port.",
    example: "shared/seed_flat.txt",
    diagnose,
};

const EXPLANATION: &str = "Django tried to open a connection to PostgreSQL and nothing accepted it. The driver \
(psycopg) asked the operating system to connect to the host and port in your DATABASES setting, and the \
connection was refused: no PostgreSQL server listens there, from the point of view of the process that runs \
Django. Django only connects when it first needs the database (the first query, `migrate`, a test), so the \
traceback shows Django's `ensure_connection` and the driver's `connect`, not your code.";

const REFERENCES: [&str; 3] = [
    "Django documentation: Settings › DATABASES (HOST, PORT) — https://docs.djangoproject.com/en/stable/ref/settings/#databases",
    "Django documentation: Databases › PostgreSQL notes — https://docs.djangoproject.com/en/stable/ref/databases/#postgresql-notes",
    "PostgreSQL documentation: pg_isready — https://www.postgresql.org/docs/current/app-pg-isready.html",
];

/// How the message was worded: tells which libpq/driver produced it.
#[derive(Clone, Copy, PartialEq)]
enum Wording {
    Libpq13,
    Libpq14,
    Psycopg3,
    Socket,
    Timeout,
    StartingUp,
}

struct Recognised<'a> {
    wording: Wording,
    /// The line of the message that decided it.
    line: &'a str,
}

fn recognise(message: &str) -> Option<Recognised<'_>> {
    let first = message.lines().next().unwrap_or("").trim();
    let refused = message.contains("Connection refused");
    let wording = if message.contains("the database system is starting up") {
        Wording::StartingUp
    } else if refused && message.contains("connection failed: connection to server") {
        Wording::Psycopg3
    } else if refused && message.contains("connection to server at") {
        Wording::Libpq14
    } else if refused && message.contains("could not connect to server") {
        Wording::Libpq13
    } else if message.contains("No such file or directory")
        && (message.contains(".s.PGSQL.") || message.contains("Unix domain socket"))
    {
        Wording::Socket
    } else if (message.contains("timeout expired") || message.contains("connection timeout expired"))
        && (message.contains("connection to server")
            || first.starts_with("timeout expired")
            || first.contains("connection timeout expired"))
    {
        Wording::Timeout
    } else {
        return None;
    };
    Some(Recognised { wording, line: first })
}

fn is_loopback(host: &str) -> bool {
    matches!(host, "localhost" | "127.0.0.1" | "::1" | "0.0.0.0") || host.starts_with("127.")
}

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let Some((exc, rec)) = cx
        .tb
        .exceptions
        .iter()
        .rev()
        .filter(|e| e.type_name.is_empty() || e.type_name.ends_with("OperationalError"))
        .find_map(|e| recognise(&e.message).map(|r| (e, r)))
    else {
        return Vec::new();
    };
    let f = cx.facts;
    let host = f.db_host.as_deref();
    let port = f.db_port.unwrap_or(5432);
    let socket = rec.wording == Wording::Socket || (host.is_none() && f.db_socket.is_some());
    let local = host.map_or(socket, is_loopback);
    let remote = host.is_some_and(|h| !is_loopback(h));
    let docker = !f.docker.is_empty();
    let migrate = f.management_command.as_deref() == Some("migrate");
    let host_text = host.unwrap_or(if socket { "" } else { "localhost" });
    let quote = Some(rec.line);
    let wording_note = match rec.wording {
        Wording::Libpq13 => "libpq 13 or older wording (psycopg2-binary 2.8 or a system libpq ≤ 13)",
        Wording::Libpq14 => "libpq 14+ wording (psycopg2 2.9)",
        Wording::Psycopg3 => "psycopg 3 wording (\"connection failed:\")",
        Wording::Socket => "the Unix-socket wording: HOST was empty, so libpq tried a local socket",
        Wording::Timeout => "a timeout: packets were dropped rather than refused",
        Wording::StartingUp => "the server answered that it is still starting up",
    };

    let mut v = Values::new(cx);
    v.set("engine", "django.db.backends.postgresql");
    v.set("host", if host_text.is_empty() { "localhost" } else { host_text });
    v.set("port", port.to_string());
    if f.db_driver.as_deref() != Some("psycopg") {
        v.set("driver_pip", "psycopg2-binary");
    }
    let workflow = ci(&v);

    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(
        format!("The exception `{}` says the connection failed — {wording_note}.", short(&exc.type_name)),
        quote,
    );

    // 1. localhost inside a container.
    let c = r.cause(
        "localhost-in-container",
        "Inside Docker, the app connects to localhost instead of the database service",
        1.0,
    );
    if docker {
        for d in f.docker.iter().take(2) {
            // A compose log prefix is proof; an /app-style path is a strong hint.
            let weight = if d.starts_with("docker compose") { 3.0 } else { 2.0 };
            c.support(weight, format!("The program runs in a container: {d}."), None);
        }
    } else {
        c.weaken(0.3, "Nothing in the paste shows a container (no compose log prefix, no /app-style paths).");
    }
    if local && !socket {
        c.support(
            1.0,
            format!(
                "The host is `{host_text}`: inside a container that is the container itself, not the database service."
            ),
            host_quote(host_text, port).as_deref(),
        );
    } else if socket {
        c.support(0.0, "HOST is empty, so the driver looked for a local Unix socket; a container has no PostgreSQL socket of its own.", None);
    } else if remote {
        c.weaken(
            0.1,
            format!("The host is `{host_text}`, not localhost: the app already points at another machine or service."),
        );
    }
    c.fix(fix_container(&v)).tests(tests_container(&v)).checks(checks_container(&v)).ci(workflow.clone());

    // 2. The server is not running on this machine (or not on this port).
    let c = r.cause("server-not-running", "PostgreSQL is not running (or not listening) where the settings point", 1.5);
    if local && !docker {
        let where_ = if socket { "a local socket" } else { host_text };
        c.support(2.0, format!("The host is `{where_}` and nothing suggests a container: the PostgreSQL server on this machine is not running, or not listening on port {port}."), host_quote(host_text, port).as_deref());
    }
    if docker {
        c.weaken(0.4, "The paste shows a container, where localhost is not the machine that runs PostgreSQL.");
    }
    if remote {
        c.weaken(0.2, format!("The host `{host_text}` is not this machine."));
    }
    c.fix(fix_start_server(&v)).tests(tests_connection(&v)).checks(checks_local(&v)).ci(workflow.clone());

    // 3. The settings read an empty environment variable.
    let c = r.cause(
        "empty-env-setting",
        "The database settings come from an environment variable that is empty or unset",
        0.3,
    );
    for e in f.env_settings.iter().take(3) {
        c.support(2.5, format!("Settings come from the environment: {e}."), None);
    }
    if socket {
        c.support(2.5, "libpq tried a Unix socket, which it does only when HOST is empty — typically an unset or empty environment variable.", quote);
    }
    if f.env_settings.is_empty() && !socket {
        c.weaken(1.0, format!("The message names a host (`{host_text}`), so HOST was set to something."));
    }
    let dj_database_url = f.env_settings.iter().any(|e| e.contains("dj-database-url"));
    c.fix(fix_env(&v, dj_database_url)).tests(tests_env(&v)).checks(checks_env(&v)).ci(workflow.clone());

    // 4. The wrong port.
    let c = r.cause("wrong-port", "PostgreSQL listens on another port than the settings say", 0.3);
    if port != 5432 {
        c.support(
            2.0,
            format!("Port {port} is not PostgreSQL's default 5432: check which port the server really uses."),
            host_quote(host_text, port).as_deref(),
        );
    } else {
        c.weaken(1.0, "The paste uses the default port 5432; a wrong port is possible only if your server was set up on another one (5433 for a second cluster).");
    }
    c.fix(fix_port(&v)).tests(tests_connection(&v)).checks(checks_local(&v)).ci(workflow.clone());

    // 5. A remote host or compose service that is down or not ready yet.
    let c = r.cause(
        "server-not-ready",
        "The database server (another host or compose service) is down or not ready yet",
        0.2,
    );
    if remote {
        c.support(3.0, format!("The host `{host_text}` is another machine or compose service: the name resolved, so the network is right, but the server there is down or not ready yet."), host_quote(host_text, port).as_deref());
    }
    if rec.wording == Wording::StartingUp {
        c.support(4.0, "PostgreSQL itself said it is still starting up.", quote);
    }
    if migrate && docker {
        c.support(1.0, "`manage.py migrate` ran inside a container, typically from an entrypoint that starts before the database accepts connections.", None);
    }
    if local && !remote {
        c.weaken(1.0, "The host is local, not a separate server.");
    }
    c.fix(fix_healthcheck(&v)).tests(tests_connection(&v)).checks(checks_container(&v)).ci(workflow.clone());

    // 6. Timeouts: a firewall or listen_addresses, not a refusal.
    if rec.wording == Wording::Timeout {
        let c = r.cause(
            "unreachable-timeout",
            "Nothing answers: a firewall or listen_addresses blocks the connection",
            0.0,
        );
        c.support(5.0, "A timeout means nothing answered at all: a firewall, security group or `listen_addresses` is dropping the connection.", quote);
        c.fix(fix_listen(&v)).tests(tests_connection(&v)).checks(checks_local(&v)).ci(workflow);
    }

    // With an empty HOST, libpq used the socket directory: probe that, not a host name.
    let probe_host = match (&f.db_socket, socket) {
        (Some(path), true) => path.rsplit_once('/').map_or("/var/run/postgresql", |(dir, _)| dir).to_string(),
        _ => host_text.to_string(),
    };
    r.finish(|a, b| {
        format!(
            "The paste cannot decide between \"{a}\" and \"{b}\". Run `pg_isready -h {probe_host} -p {port}` where Django runs: \
             \"no response\" means nothing listens there; \"accepting connections\" means the server is up and the \
             settings or network differ between where you ran it and where Django runs."
        )
    })
}

fn short(t: &str) -> &str {
    t.rsplit('.').next().filter(|s| !s.is_empty()).unwrap_or("OperationalError")
}

fn host_quote(host: &str, port: u16) -> Option<String> {
    (!host.is_empty()).then(|| format!("host \"{host}\", port {port}"))
}

const SETTINGS_BEFORE: &str = r#"DATABASES = {
    "default": {
        "ENGINE": "{engine}",
        "NAME": "{db}",
        "HOST": "{host}",
        "PORT": "{port}",
    }
}
"#;

const SETTINGS_FROM_ENV: &str = r#"import os

DATABASES = {
    "default": {
        "ENGINE": "{engine}",
        "NAME": os.environ.get("POSTGRES_DB", "{db}"),
        "USER": os.environ.get("POSTGRES_USER", "postgres"),
        "PASSWORD": os.environ.get("POSTGRES_PASSWORD", ""),
        # In docker compose the database is another service: use its name, never localhost.
        "HOST": os.environ.get("POSTGRES_HOST", "db"),
        "PORT": os.environ.get("POSTGRES_PORT", "5432"),
    }
}
"#;

const COMPOSE_HEALTHY: &str = r#"services:
  db:
    image: postgres:16
    environment:
      POSTGRES_DB: {db}
      POSTGRES_PASSWORD: postgres
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U postgres -d {db}"]
      interval: 5s
      timeout: 5s
      retries: 10
  web:
    build: .
    environment:
      POSTGRES_HOST: db
      POSTGRES_PORT: "5432"
      POSTGRES_PASSWORD: postgres
    depends_on:
      db:
        condition: service_healthy
"#;

const COMPOSE_BEFORE: &str = r#"services:
  db:
    image: postgres:16
  web:
    build: .
    command: sh -c "python manage.py migrate && gunicorn mysite.wsgi"
    depends_on:
      - db
"#;

fn fix_container(v: &Values) -> Fix {
    Fix {
        summary: "Point HOST at the database's compose service (here `db`), read from the environment, and start the app only when the database is healthy.".into(),
        file: "settings.py".into(),
        language: "python",
        before: v.fill(SETTINGS_BEFORE),
        after: v.fill(SETTINGS_FROM_ENV),
        also: vec![Snippet { title: "Start the app only once PostgreSQL accepts connections".into(), file: "docker-compose.yml".into(), language: "yaml", code: v.fill(COMPOSE_HEALTHY) }],
    }
}

fn fix_healthcheck(v: &Values) -> Fix {
    Fix {
        summary: "Make the app wait until the database service is healthy before it runs migrate or serves requests."
            .into(),
        file: "docker-compose.yml".into(),
        language: "yaml",
        before: v.fill(COMPOSE_BEFORE),
        after: v.fill(COMPOSE_HEALTHY),
        also: Vec::new(),
    }
}

fn fix_start_server(v: &Values) -> Fix {
    Fix {
        summary: format!("Start PostgreSQL where Django runs (or fix HOST/PORT), and check it accepts connections on {}:{} before starting Django.", v.get("host"), v.get("port")),
        file: "terminal".into(),
        language: "shell",
        before: v.fill("$ python manage.py migrate\ndjango.db.utils.OperationalError: ... \"{host}\" ... port {port} failed: Connection refused\n"),
        after: v.fill(
            "$ sudo systemctl start postgresql          # Debian/Ubuntu; macOS: brew services start postgresql@16\n\
             $ pg_isready -h {host} -p {port}\n\
             {host}:{port} - accepting connections\n\
             $ python manage.py migrate\n",
        ),
        also: Vec::new(),
    }
}

fn fix_env(v: &Values, dj_database_url: bool) -> Fix {
    if dj_database_url {
        return Fix {
            summary: "Fail at start-up with a clear message when DATABASE_URL is missing, instead of silently connecting to an empty host.".into(),
            file: "settings.py".into(),
            language: "python",
            before: "import dj_database_url\n\nDATABASES = {\"default\": dj_database_url.config()}\n".into(),
            after: v.fill("import os\n\nimport dj_database_url\nfrom django.core.exceptions import ImproperlyConfigured\n\nif not os.environ.get(\"DATABASE_URL\"):\n    raise ImproperlyConfigured(\"Set DATABASE_URL, e.g. postgres://postgres:postgres@{host}:{port}/{db}\")\n\nDATABASES = {\"default\": dj_database_url.config(conn_max_age=600)}\n"),
            also: Vec::new(),
        };
    }
    Fix {
        summary: "Require the database settings from the environment, so an unset variable stops Django with a clear message instead of an empty HOST.".into(),
        file: "settings.py".into(),
        language: "python",
        before: v.fill("import os\n\nDATABASES = {\n    \"default\": {\n        \"ENGINE\": \"{engine}\",\n        \"NAME\": os.environ.get(\"POSTGRES_DB\", \"\"),\n        \"HOST\": os.environ.get(\"POSTGRES_HOST\", \"\"),\n        \"PORT\": os.environ.get(\"POSTGRES_PORT\", \"\"),\n    }\n}\n"),
        after: v.fill(
            "import os\n\nfrom django.core.exceptions import ImproperlyConfigured\n\n\ndef env(name, default=None):\n    value = os.environ.get(name, default)\n    if not value:\n        raise ImproperlyConfigured(f\"Set the {name} environment variable\")\n    return value\n\n\nDATABASES = {\n    \"default\": {\n        \"ENGINE\": \"{engine}\",\n        \"NAME\": env(\"POSTGRES_DB\", \"{db}\"),\n        \"USER\": env(\"POSTGRES_USER\", \"postgres\"),\n        \"PASSWORD\": os.environ.get(\"POSTGRES_PASSWORD\", \"\"),\n        \"HOST\": env(\"POSTGRES_HOST\"),\n        \"PORT\": env(\"POSTGRES_PORT\", \"{port}\"),\n    }\n}\n",
        ),
        also: Vec::new(),
    }
}

fn fix_port(v: &Values) -> Fix {
    Fix {
        summary: "Use the port PostgreSQL really listens on (see `SHOW port;` or `pg_lsclusters`), from the environment.".into(),
        file: "settings.py".into(),
        language: "python",
        before: v.fill(SETTINGS_BEFORE),
        after: v.fill("import os\n\nDATABASES = {\n    \"default\": {\n        \"ENGINE\": \"{engine}\",\n        \"NAME\": \"{db}\",\n        \"HOST\": os.environ.get(\"POSTGRES_HOST\", \"{host}\"),\n        # The port your server really uses: `psql -c 'SHOW port;'` or `pg_lsclusters`.\n        \"PORT\": os.environ.get(\"POSTGRES_PORT\", \"5432\"),\n    }\n}\n"),
        also: Vec::new(),
    }
}

fn fix_listen(v: &Values) -> Fix {
    Fix {
        summary: "Let PostgreSQL listen on the network interface and allow the app's address; open the port in the firewall or security group.".into(),
        file: "postgresql.conf".into(),
        language: "ini",
        before: "listen_addresses = 'localhost'\n".into(),
        after: v.fill("listen_addresses = '*'\n# and in pg_hba.conf, for the app's network:\n# host  {db}  postgres  10.0.0.0/8  scram-sha-256\n"),
        also: Vec::new(),
    }
}

const TEST_CONNECTION: &str = r#"import pytest
from django.db import connection


@pytest.mark.django_db
def test_database_accepts_connections():
    """Fails with the same OperationalError when the database is unreachable."""
    connection.ensure_connection()
    assert connection.is_usable()
    assert connection.vendor == "postgresql"
"#;

const TEST_PORT: &str = r#"from django.conf import settings


def test_database_port_is_the_one_the_server_uses():
    port = str(settings.DATABASES["default"].get("PORT") or "5432")
    assert port == "{port}", "PORT differs from where PostgreSQL listens"
"#;

const TEST_CONTAINER_HOST: &str = r#"import os

import pytest
from django.conf import settings

LOOPBACK = {"", "localhost", "127.0.0.1", "::1"}


def running_in_container():
    return os.path.exists("/.dockerenv") or "KUBERNETES_SERVICE_HOST" in os.environ


def test_database_host_is_a_service_name_inside_containers():
    """Inside a container, localhost is the container itself, not the database."""
    if not running_in_container():
        pytest.skip("only meaningful inside a container")
    assert settings.DATABASES["default"]["HOST"] not in LOOPBACK
"#;

const TEST_ENV: &str = r#"from django.conf import settings


def test_database_settings_are_filled_in():
    """An unset environment variable must not reach the driver as an empty value."""
    database = settings.DATABASES["default"]
    assert database["ENGINE"] == "{engine}"
    assert database["NAME"], "NAME is empty: is POSTGRES_DB / DATABASE_URL set?"
    assert database["HOST"], "HOST is empty: the driver falls back to a local Unix socket"
"#;

fn snippet(title: &str, file: &str, code: String) -> Snippet {
    Snippet { title: title.into(), file: file.into(), language: "python", code }
}

fn tests_connection(v: &Values) -> Vec<Snippet> {
    vec![
        snippet("The database accepts connections (pytest-django)", "tests/test_database.py", v.fill(TEST_CONNECTION)),
        snippet("The settings use the port the server listens on", "tests/test_settings.py", v.fill(TEST_PORT)),
    ]
}

fn tests_container(v: &Values) -> Vec<Snippet> {
    vec![
        snippet("HOST is not localhost inside a container", "tests/test_settings.py", v.fill(TEST_CONTAINER_HOST)),
        snippet("The database accepts connections (pytest-django)", "tests/test_database.py", v.fill(TEST_CONNECTION)),
    ]
}

fn tests_env(v: &Values) -> Vec<Snippet> {
    vec![
        snippet("The database settings are not empty", "tests/test_settings.py", v.fill(TEST_ENV)),
        snippet("The database accepts connections (pytest-django)", "tests/test_database.py", v.fill(TEST_CONNECTION)),
    ]
}

fn ci(v: &Values) -> Snippet {
    ci::workflow(
        v,
        "PostgreSQL service with a health check",
        &[
            Step { name: "Wait for PostgreSQL", run: "pg_isready -h localhost -p {port} -t 30" },
            Step { name: "Check the database settings", run: "python manage.py check --database default" },
            Step { name: "Apply migrations", run: "python manage.py migrate --noinput" },
            Step { name: "Run the tests", run: "pytest" },
        ],
    )
}

fn checks_local(v: &Values) -> Vec<String> {
    vec![
        v.fill("`pg_isready -h {host} -p {port}` — \"no response\" means nothing listens there."),
        v.fill("`sudo systemctl status postgresql` (Linux) or `brew services list` (macOS): is the server running?"),
        v.fill("`ss -ltnp | grep {port}` (Linux) or `lsof -iTCP:{port} -sTCP:LISTEN` (macOS): which port does it listen on?"),
        v.fill("`psql -h {host} -p {port} -U postgres -c 'SELECT 1'` from the same machine, user and virtualenv that run Django."),
    ]
}

fn checks_container(v: &Values) -> Vec<String> {
    vec![
        "`docker compose ps`: is the database service up and healthy?".into(),
        "`docker compose logs db`: did PostgreSQL start, or is it still initialising?".into(),
        v.fill("`docker compose exec web pg_isready -h db -p 5432` — run it from the app's container, not from your machine."),
        if is_loopback(v.get("host")) {
            v.fill("In settings, HOST must be the service name from docker-compose.yml (e.g. `db`), not `{host}`.")
        } else {
            v.fill("`{host}` must be the database's service name in docker-compose.yml, on a network the app shares.")
        },
    ]
}

fn checks_env(v: &Values) -> Vec<String> {
    vec![
        "`env | grep -E 'DATABASE_URL|POSTGRES|DB_'` in the process that runs Django (`docker compose exec web env`): are the variables set and non-empty?".into(),
        "`python manage.py diffsettings | grep -A8 DATABASES`: what HOST and PORT did Django end up with?".into(),
        v.fill("`.env` files are not read by Django itself: check that your settings load them (django-environ, python-dotenv) or that compose passes them (`env_file:`)."),
    ]
}
