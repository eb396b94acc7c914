//! `pg-conn-refused` (DJ001): PostgreSQL refuses the connection or cannot be reached.
//!
//! Recognised by an `OperationalError` whose message is libpq's refusal in any wording: libpq ≤ 13
//! (`could not connect to server: Connection refused`), libpq ≥ 14 (`connection to server at "h" (ip), port
//! N failed: Connection refused`), psycopg 3 (`connection failed: …`), the Unix-socket variant (`No such file
//! or directory` on `.s.PGSQL.N`), timeouts, and `the database system is starting up`. Causes are ranked by
//! the host and port in the message, container evidence (compose prefixes, `/app` paths), settings read from
//! the environment, and the command that ran.

use super::kit::{Ranking, Values};
use super::orm_common as orm;
use super::pg_common as pg;
use super::{Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "pg-conn-refused",
    code: "DJ001",
    title: "PostgreSQL refused the connection",
    summary: "OperationalError \"Connection refused\" (or its socket and timeout variants): nothing listens at the \
              host and port the settings name, as seen from Django's process — localhost inside a container, a \
              stopped server, an empty HOST from an unset variable, or the wrong port.",
    example: "shared/seed_flat.txt",
    diagnose,
};

const EXPLANATION: &str = "Nothing accepted the connection to the HOST and PORT in DATABASES, as seen from the \
process that runs Django. Django connects lazily (first query, `migrate`, a test), so the traceback shows \
`ensure_connection` and the driver's `connect`, not your code.";

const REFERENCES: [&str; 2] = [
    "Django docs: DATABASES — https://docs.djangoproject.com/en/stable/ref/settings/#databases",
    "PostgreSQL docs: pg_isready — https://www.postgresql.org/docs/current/app-pg-isready.html",
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
    let hq = (!host_text.is_empty()).then(|| format!("host \"{host_text}\", port {port}"));
    let hq = hq.as_deref();
    let wording_note = match rec.wording {
        Wording::Libpq13 => "libpq ≤ 13 wording",
        Wording::Libpq14 => "libpq 14+ wording",
        Wording::Psycopg3 => "psycopg 3 wording",
        Wording::Socket => "Unix socket: HOST was empty",
        Wording::Timeout => "a timeout: packets dropped, not refused",
        Wording::StartingUp => "the server is still starting up",
    };

    let mut v = pg::values(cx);
    v.set("host", if host_text.is_empty() { "localhost" } else { host_text });
    v.set("port", port.to_string());
    let workflow = pg::workflow(&v, "PostgreSQL service with a health check");
    let smoke = pg::smoke_test(&v);

    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    let ty = exc.type_name.rsplit('.').next().filter(|s| !s.is_empty()).unwrap_or("OperationalError");
    r.recognised(format!("`{ty}`: the connection failed ({wording_note})."), quote);

    // 1. localhost inside a container.
    let c = r.cause(
        "localhost-in-container",
        "Inside Docker, the app connects to localhost, not the database service",
        1.0,
    );
    if docker {
        for d in f.docker.iter().take(2) {
            // A compose log prefix is proof; an /app-style path is a strong hint.
            let weight = if d.starts_with("docker compose") { 3.0 } else { 2.0 };
            c.support(weight, format!("Runs in a container: {d}."), None);
        }
    } else {
        c.weaken(0.3, "Nothing in the paste shows a container.");
    }
    if local && !socket {
        c.support(1.0, format!("Host `{host_text}` inside a container is the container itself."), hq);
    } else if socket {
        c.support(0.0, "HOST is empty, so libpq looked for a local socket; a container has none.", None);
    } else if remote {
        c.weaken(0.1, format!("Host `{host_text}` already points at another machine."));
    }
    let mut fix = v.fix(
        "Point HOST at the compose service (`db`) from the environment; start the app once the database is healthy.",
        "settings.py",
        "python",
        SETTINGS_BEFORE,
        &from_env(r#"os.environ.get("POSTGRES_HOST", "db")"#, r#"os.environ.get("POSTGRES_PORT", "5432")"#),
    );
    fix.also.push(v.snippet("Start the app once PostgreSQL is healthy", "docker-compose.yml", "yaml", COMPOSE_HEALTHY));
    let host_test =
        v.snippet("HOST is not localhost in a container", "tests/test_settings.py", "python", TEST_CONTAINER_HOST);
    c.fix(fix).tests(vec![host_test, smoke.clone()]).checks(checks_container(&v)).ci(workflow.clone());

    // 2. The server is not running on this machine (or not on this port).
    let c = r.cause("server-not-running", "PostgreSQL is not running (or not listening) where the settings point", 1.5);
    if local && !docker {
        let where_ = if socket { "a local socket" } else { host_text };
        c.support(2.0, format!("Host `{where_}`, no container: the local server is down or not on port {port}."), hq);
    }
    if docker {
        c.weaken(0.4, "A container: its localhost does not run PostgreSQL.");
    }
    if remote {
        c.weaken(0.2, format!("Host `{host_text}` is not this machine."));
    }
    c.fix(v.fix(
        "Start PostgreSQL where Django runs (or fix HOST/PORT) and check it accepts connections.",
        "terminal",
        "shell",
        "$ python manage.py migrate\n... \"{host}\" ... port {port} failed: Connection refused\n",
        "$ sudo systemctl start postgresql   # macOS: brew services start postgresql@16\n$ pg_isready -h {host} -p {port}\n{host}:{port} - accepting connections\n",
    ))
    .tests(vec![smoke.clone()])
    .checks(checks_local(&v))
    .ci(workflow.clone());

    // 3. The settings read an empty environment variable.
    let c = r.cause("empty-env-setting", "The database settings come from an empty or unset environment variable", 0.3);
    for e in f.env_settings.iter().take(3) {
        c.support(2.5, format!("Settings come from the environment: {e}."), None);
    }
    if socket {
        c.support(2.5, "libpq uses a Unix socket only when HOST is empty, typically an unset variable.", quote);
    }
    if f.env_settings.is_empty() && !socket {
        c.weaken(1.0, format!("The message names host `{host_text}`, so HOST was set."));
    }
    let fix = if f.env_settings.iter().any(|e| e.contains("dj-database-url")) {
        v.fix("Stop at start-up when DATABASE_URL is missing.", "settings.py", "python", DJ_URL_BEFORE, DJ_URL_AFTER)
    } else {
        v.fix(
            "Require HOST from the environment: an unset variable stops Django with a KeyError.",
            "settings.py",
            "python",
            &from_env(r#"os.environ.get("POSTGRES_HOST", "")"#, r#""{port}""#),
            &from_env(r#"os.environ["POSTGRES_HOST"]"#, r#""{port}""#),
        )
    };
    let env_test = v.snippet("The database settings are not empty", "tests/test_settings.py", "python", TEST_ENV);
    c.fix(fix).tests(vec![env_test]).checks(checks_env()).ci(workflow.clone());

    // 4. The wrong port.
    let c = r.cause("wrong-port", "PostgreSQL listens on another port than the settings say", 0.3);
    if port != 5432 {
        c.support(2.0, format!("Port {port} is not the default 5432: which port does the server use?"), hq);
    } else {
        c.weaken(1.0, "Default port 5432: wrong only if your server uses another (5433 for a second cluster).");
    }
    c.fix(v.fix(
        "Use the port the server listens on (`SHOW port;`, `pg_lsclusters`), from the environment.",
        "settings.py",
        "python",
        SETTINGS_BEFORE,
        &from_env(r#""{host}""#, r#"os.environ["POSTGRES_PORT"]"#),
    ))
    .tests(vec![smoke.clone()])
    .checks(checks_local(&v))
    .ci(workflow.clone());

    // 5. A remote host or compose service that is down or not ready yet.
    let c = r.cause(
        "server-not-ready",
        "The database server (another host or compose service) is down or not ready yet",
        0.2,
    );
    if remote {
        c.support(
            3.0,
            format!("Host `{host_text}` resolved, so the network is right; the server there is down or not ready."),
            hq,
        );
    }
    if rec.wording == Wording::StartingUp {
        c.support(4.0, "PostgreSQL said it is still starting up.", quote);
    }
    if migrate && docker {
        c.support(
            1.0,
            "`migrate` ran in a container, typically an entrypoint that starts before the database is ready.",
            None,
        );
    }
    if local && !remote {
        c.weaken(1.0, "The host is local, not a separate server.");
    }
    c.fix(v.fix(
        "Start the app only once the database service is healthy.",
        "docker-compose.yml",
        "yaml",
        COMPOSE_BEFORE,
        COMPOSE_HEALTHY,
    ))
    .tests(vec![smoke.clone()])
    .checks(checks_container(&v))
    .ci(workflow.clone());

    // 6. Timeouts: a firewall or listen_addresses, not a refusal.
    if rec.wording == Wording::Timeout {
        let c = r.cause(
            "unreachable-timeout",
            "Nothing answers: a firewall or listen_addresses blocks the connection",
            0.0,
        );
        c.support(5.0, "A timeout: a firewall, security group or `listen_addresses` drops the packets.", quote);
        c.fix(v.fix(
            "Listen on the network and allow the app's address; open the port in the firewall.",
            "postgresql.conf",
            "ini",
            "listen_addresses = 'localhost'\n",
            "listen_addresses = '*'\n# pg_hba.conf: host  {db}  postgres  10.0.0.0/8  scram-sha-256\n",
        ))
        .tests(vec![smoke])
        .checks(checks_local(&v))
        .ci(workflow);
    }

    // With an empty HOST, libpq used the socket directory: probe that, not a host name.
    let probe_host = match (&f.db_socket, socket) {
        (Some(path), true) => path.rsplit_once('/').map_or("/var/run/postgresql", |(dir, _)| dir).to_string(),
        _ => host_text.to_string(),
    };
    orm::finish(r, &format!("`pg_isready -h {probe_host} -p {port}` where Django runs."))
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

/// The settings with HOST and PORT read by the given Python expressions.
fn from_env(host: &str, port: &str) -> String {
    format!("import os\n\n{}", SETTINGS_BEFORE.replace("\"{host}\"", host).replace("\"{port}\"", port))
}

const DJ_URL_BEFORE: &str = "import dj_database_url\n\nDATABASES = {\"default\": dj_database_url.config()}\n";

const DJ_URL_AFTER: &str = r#"import os

import dj_database_url

if not os.environ.get("DATABASE_URL"):
    raise RuntimeError("Set DATABASE_URL=postgres://postgres:postgres@{host}:{port}/{db}")
DATABASES = {"default": dj_database_url.config()}
"#;

const COMPOSE_HEALTHY: &str = r#"services:
  db:
    image: postgres:16
    environment:
      POSTGRES_DB: {db}
      POSTGRES_PASSWORD: postgres
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U postgres"]
      interval: 5s
      retries: 10
  web:
    build: .
    environment:
      POSTGRES_HOST: db
    depends_on:
      db:
        condition: service_healthy
"#;

const COMPOSE_BEFORE: &str = r#"services:
  db:
    image: postgres:16
  web:
    build: .
    depends_on:
      - db
"#;

const TEST_CONTAINER_HOST: &str = r#"import os

from django.conf import settings


def test_database_host_is_not_loopback_in_a_container():
    if os.path.exists("/.dockerenv"):
        assert settings.DATABASES["default"]["HOST"] not in ("", "localhost", "127.0.0.1")
"#;

const TEST_ENV: &str = r#"from django.conf import settings


def test_database_settings_are_filled_in():
    db = settings.DATABASES["default"]
    assert db["NAME"] and db["HOST"], "unset variable: empty HOST means a Unix socket"
"#;

fn checks_local(v: &Values) -> Vec<String> {
    vec![
        v.fill("`pg_isready -h {host} -p {port}`: \"no response\" means nothing listens there."),
        "`systemctl status postgresql` or `brew services list`: is the server running?".into(),
        v.fill("`ss -ltnp | grep {port}` or `lsof -iTCP:{port} -sTCP:LISTEN`: the port it listens on."),
    ]
}

fn checks_container(v: &Values) -> Vec<String> {
    vec![
        "`docker compose ps` / `docker compose logs db`: is the database up and healthy?".into(),
        "`docker compose exec web pg_isready -h db -p 5432`, from the app's container.".into(),
        v.fill(if is_loopback(v.get("host")) {
            "HOST must be the compose service name (e.g. `db`), not `{host}`."
        } else {
            "`{host}` must be a compose service on the app's network."
        }),
    ]
}

fn checks_env() -> Vec<String> {
    vec![
        "`docker compose exec web env | grep -E 'DATABASE_URL|POSTGRES'`: set and non-empty where Django runs?".into(),
        "Django does not read `.env` itself: load it (django-environ, python-dotenv) or pass `env_file:` in compose."
            .into(),
    ]
}
