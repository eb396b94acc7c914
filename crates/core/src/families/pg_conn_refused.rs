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
    summary: "OperationalError \"Connection refused\": nothing listens at the settings' host and port.",
    example: "shared/seed_flat.txt",
    diagnose,
};

const EXPLANATION: &str = "Nothing accepted the connection at DATABASES' HOST and PORT, as seen from Django's \
process. Django connects lazily, so the traceback shows no line of your code.";

const REFERENCES: [&str; 1] =
    ["Django docs: DATABASES — https://docs.djangoproject.com/en/stable/ref/settings/#databases"];

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
        Wording::Libpq13 => "libpq ≤ 13",
        Wording::Libpq14 => "libpq 14+",
        Wording::Psycopg3 => "psycopg 3",
        Wording::Socket => "Unix socket",
        Wording::Timeout => "timeout",
        Wording::StartingUp => "starting up",
    };

    let mut v = pg::values(cx);
    v.set("host", if host_text.is_empty() { "localhost" } else { host_text });
    v.set("port", port.to_string());
    let workflow = pg::workflow(&v, "PostgreSQL service");
    let smoke = pg::smoke_test(&v);

    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    let ty = exc.type_name.rsplit('.').next().filter(|s| !s.is_empty()).unwrap_or("OperationalError");
    r.recognised(format!("`{ty}`: connection failed ({wording_note})."), quote);

    // 1. localhost inside a container.
    let c = r.cause("localhost-in-container", "In Docker, the app connects to localhost", 1.0);
    if docker {
        for d in f.docker.iter().take(2) {
            // A compose log prefix is proof; an /app-style path is a strong hint.
            let weight = if d.starts_with("docker compose") { 3.0 } else { 2.0 };
            c.support(weight, format!("Container: {d}."), None);
        }
    } else {
        c.weaken(0.3, "No container in the paste.");
    }
    if local && !socket {
        c.support(1.0, format!("`{host_text}` in a container is the container itself."), hq);
    } else if socket {
        c.support(0.0, "Empty HOST: libpq tried a local socket.", None);
    } else if remote {
        c.weaken(0.1, format!("`{host_text}` is another machine."));
    }
    let mut fix = v.fix(
        "Point HOST at the compose service (`db`).",
        "settings.py",
        "python",
        SETTINGS_BEFORE,
        &from_env(r#"os.environ.get("POSTGRES_HOST", "db")"#, r#"os.environ.get("POSTGRES_PORT", "5432")"#),
    );
    fix.also.push(v.snippet("Wait for a healthy database", "docker-compose.yml", "yaml", COMPOSE_HEALTHY));
    c.fix(fix).tests(vec![smoke.clone()]).checks(checks_container()).ci(workflow.clone());

    // 2. The server is not running on this machine (or not on this port).
    let c = r.cause("server-not-running", "PostgreSQL is not running there", 1.5);
    if local && !docker {
        let where_ = if socket { "a local socket" } else { host_text };
        c.support(2.0, format!("`{where_}`, no container: local server down or not on {port}."), hq);
    }
    if docker {
        c.weaken(0.4, "A container's localhost has no PostgreSQL.");
    }
    if remote {
        c.weaken(0.2, format!("`{host_text}` is not this machine."));
    }
    c.fix(v.fix(
        "Start PostgreSQL (or fix HOST/PORT).",
        "terminal",
        "shell",
        "$ pg_isready -h {host} -p {port}\n{host}:{port} - no response\n",
        "$ sudo systemctl start postgresql\n",
    ))
    .tests(vec![smoke.clone()])
    .checks(checks_local(&v))
    .ci(workflow.clone());

    // 3. The settings read an empty environment variable.
    let c = r.cause("empty-env-setting", "Settings read an unset environment variable", 0.3);
    for e in f.env_settings.iter().take(3) {
        c.support(2.5, format!("From the environment: {e}."), None);
    }
    if socket {
        c.support(2.5, "A Unix socket means HOST was empty.", quote);
    }
    if f.env_settings.is_empty() && !socket {
        c.weaken(1.0, format!("HOST was set (`{host_text}`)."));
    }
    let fix = if f.env_settings.iter().any(|e| e.contains("dj-database-url")) {
        v.fix("Fail fast without DATABASE_URL.", "settings.py", "python", DJ_URL_BEFORE, DJ_URL_AFTER)
    } else {
        v.fix(
            "Require HOST: unset fails with KeyError.",
            "settings.py",
            "python",
            &from_env(r#"os.environ.get("POSTGRES_HOST", "")"#, r#""{port}""#),
            &from_env(r#"os.environ["POSTGRES_HOST"]"#, r#""{port}""#),
        )
    };
    let env_test = v.snippet("Settings not empty", "tests/test_settings.py", "python", TEST_ENV);
    c.fix(fix).tests(vec![env_test]).checks(checks_env()).ci(workflow.clone());

    // 4. The wrong port.
    let c = r.cause("wrong-port", "Wrong port", 0.3);
    if port != 5432 {
        c.support(2.0, format!("Port {port} is not the default 5432."), hq);
    } else {
        c.weaken(1.0, "Default port 5432.");
    }
    c.fix(v.fix(
        "Use the server's port (`SHOW port;`).",
        "settings.py",
        "python",
        SETTINGS_BEFORE,
        &from_env(r#""{host}""#, r#"os.environ["POSTGRES_PORT"]"#),
    ))
    .tests(vec![smoke.clone()])
    .checks(checks_local(&v))
    .ci(workflow.clone());

    // 5. A remote host or compose service that is down or not ready yet.
    let c = r.cause("server-not-ready", "Database server down or not ready yet", 0.2);
    if remote {
        c.support(3.0, format!("`{host_text}` resolved; its server is down or not ready."), hq);
    }
    if rec.wording == Wording::StartingUp {
        c.support(4.0, "PostgreSQL is starting up.", quote);
    }
    if migrate && docker {
        c.support(1.0, "`migrate` in a container: an entrypoint racing the database.", None);
    }
    if local && !remote {
        c.weaken(1.0, "The host is local.");
    }
    c.fix(v.fix("Wait for a healthy database.", "docker-compose.yml", "yaml", COMPOSE_BEFORE, COMPOSE_HEALTHY))
        .tests(vec![smoke.clone()])
        .checks(checks_container())
        .ci(workflow.clone());

    // 6. Timeouts: a firewall or listen_addresses, not a refusal.
    if rec.wording == Wording::Timeout {
        let c = r.cause("unreachable-timeout", "Firewall or listen_addresses", 0.0);
        c.support(5.0, "A timeout: packets dropped.", quote);
        c.fix(v.fix(
            "Listen on the network; open the firewall.",
            "postgresql.conf",
            "ini",
            "listen_addresses = 'localhost'\n",
            "listen_addresses = '*'\n",
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
    orm::finish(r, &format!("`pg_isready -h {probe_host} -p {port}`"))
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

const TEST_ENV: &str = r#"from django.conf import settings


def test_db_settings_set():
    db = settings.DATABASES["default"]
    assert db["NAME"] and db["HOST"]
"#;

fn checks_local(v: &Values) -> Vec<String> {
    vec![v.fill("`pg_isready -h {host} -p {port}`"), "`systemctl status postgresql`".into()]
}

fn checks_container() -> Vec<String> {
    vec!["`docker compose ps`: is db healthy?".into(), "`docker compose exec web pg_isready -h db`".into()]
}

fn checks_env() -> Vec<String> {
    vec!["`docker compose exec web env | grep POSTGRES`".into(), "Django does not read `.env` itself.".into()]
}
