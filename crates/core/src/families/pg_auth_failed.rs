//! `pg-auth-failed` (DJ013): PostgreSQL is up but refuses the credentials.
//!
//! Recognised by an `OperationalError` whose message is one of PostgreSQL's or libpq's authentication texts, in
//! every wording (bare `FATAL:` of libpq ≤ 13, libpq ≥ 14's `connection to server at … failed:` prefix,
//! psycopg 3's `connection failed:`): `password authentication failed for user "u"`, `fe_sendauth: no password
//! supplied`, `Peer authentication failed` / `Ident authentication failed`, `no pg_hba.conf entry for host`,
//! `role "u" does not exist`. Causes: a wrong or empty password (often an unset variable), a Docker volume
//! initialised with another `POSTGRES_PASSWORD`, an empty HOST that sends the driver to the Unix socket and peer
//! authentication, a missing pg_hba.conf line, or a wrong USER.

use super::kit::{self, Ranking, Values};
use super::pg_common::{self as pg, short};
use super::{Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "pg-auth-failed",
    code: "DJ013",
    title: "PostgreSQL rejected the user or password",
    summary: "OperationalError \"password authentication failed\", \"fe_sendauth: no password supplied\", \"Peer \
              authentication failed\" or \"no pg_hba.conf entry\": the server is running and reachable, but the USER \
              and PASSWORD in DATABASES (or the way the client connects) are not accepted.",
    example: "real/pg_auth_failed.txt",
    diagnose,
};

const EXPLANATION: &str = "Django reached the PostgreSQL server, but the server refused to log the client in. \
The network and the server are fine; what is wrong is the user, the password, or how the client connects \
(Unix socket vs TCP), checked against the server's pg_hba.conf rules. Django connects lazily, so the traceback \
ends in the driver's `connect`, not in your code.";

const REFERENCES: [&str; 3] = [
    pg::DATABASES_REF,
    "PostgreSQL documentation: The pg_hba.conf file — https://www.postgresql.org/docs/current/auth-pg-hba-conf.html",
    "Docker Hub postgres image: POSTGRES_PASSWORD only applies to an empty data directory — https://hub.docker.com/_/postgres",
];

const PATTERNS: [&str; 7] = [
    "password authentication failed for user",
    "fe_sendauth: no password supplied",
    "Peer authentication failed for user",
    "Ident authentication failed for user",
    "no pg_hba.conf entry for host",
    "FATAL:  role \"",
    "SCRAM authentication requires libpq version 10",
];

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let Some(hit) = kit::find(cx.tb, &["OperationalError"], &PATTERNS) else {
        return Vec::new();
    };
    if hit.pattern == "FATAL:  role \"" && !hit.line.contains("does not exist") {
        return Vec::new();
    }
    let msg = hit.exception.message.as_str();
    let f = cx.facts;
    let user = pg::quoted(msg, "for user ").or_else(|| pg::quoted(msg, "role ")).unwrap_or("postgres");
    let docker = !f.docker.is_empty();
    let socket = msg.contains("on socket \"") || f.db_socket.is_some();
    let mut v = pg::values(cx);
    v.set("user", user);
    let quote = Some(hit.line);
    let ci = pg::workflow(&v, "PostgreSQL service with known credentials");
    let tests = vec![password_test(&v), pg::smoke_test(&v)];

    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("`{}` says the server refused to log `{user}` in.", short(&hit.exception.type_name)), quote);

    let c = r.cause("empty-password", "The password is empty: the variable that should hold it is unset", 0.3);
    if hit.pattern.starts_with("fe_sendauth") {
        c.support(5.0, "libpq had no password to send at all: PASSWORD is empty, typically an unset environment variable or a `.env` file that is not loaded.", quote);
    }
    for e in f.env_settings.iter().take(2) {
        c.support(1.0, format!("Settings come from the environment: {e}."), None);
    }
    c.fix(fix_env(&v)).tests(tests.clone()).checks(checks_password(&v)).ci(ci.clone());

    let c =
        r.cause("wrong-password", "The password (or the user name) in DATABASES is not the one the server has", 1.0);
    if hit.pattern.starts_with("password authentication") {
        c.support(3.0, format!("The server received a password for `{user}` and rejected it. With scram-sha-256 or md5, PostgreSQL says the same when the role does not exist, so check the user name too."), quote);
    }
    c.fix(fix_alter(&v)).tests(tests.clone()).checks(checks_password(&v)).ci(ci.clone());

    let c = r.cause(
        "docker-volume-password",
        "Docker: POSTGRES_PASSWORD changed after the data volume was first created",
        0.2,
    );
    if hit.pattern.starts_with("password authentication") && docker {
        c.support(3.0, "The program runs in a container: the postgres image applies POSTGRES_PASSWORD only when its volume is empty, so a password changed later is ignored.", None);
    } else if !docker {
        c.weaken(0.5, "Nothing in the paste shows a container.");
    }
    c.fix(fix_volume(&v)).tests(tests.clone()).checks(checks_docker()).ci(ci.clone());

    let c =
        r.cause("peer-over-socket", "HOST is empty, so the driver used the Unix socket and peer authentication", 0.2);
    if hit.pattern.starts_with("Peer") || hit.pattern.starts_with("Ident") {
        c.support(5.0, format!("Peer/ident authentication compares the operating-system user with `{user}`: it is used only for local socket connections, which happen when HOST is empty."), quote);
    }
    if socket {
        c.support(1.0, "The message names a Unix socket, not a host and port.", quote);
    }
    c.fix(fix_host(&v)).tests(vec![host_test(&v), pg::smoke_test(&v)]).checks(checks_hba(&v)).ci(ci.clone());

    let c = r.cause("no-hba-entry", "pg_hba.conf has no line that lets this client connect", 0.1);
    if hit.pattern.starts_with("no pg_hba") {
        c.support(5.0, "The server found no pg_hba.conf rule for this client address, user and database.", quote);
    }
    if hit.pattern.starts_with("SCRAM") {
        c.support(4.0, "The client library is too old for the scram-sha-256 method the server requires.", quote);
    }
    c.fix(fix_hba(&v)).tests(tests.clone()).checks(checks_hba(&v)).ci(ci.clone());

    let c = r.cause("role-missing", "The USER in DATABASES does not exist on this server", 0.1);
    if hit.pattern.starts_with("FATAL:  role") {
        c.support(5.0, format!("The server has no role `{user}`."), quote);
    }
    c.fix(fix_alter(&v)).tests(tests).checks(checks_password(&v)).ci(ci);

    r.finish(|a, b| {
        format!(
            "The paste cannot decide between \"{a}\" and \"{b}\". Try the same credentials by hand where Django runs: \
             `psql -h {} -p {} -U {user} -d {}` — if psql fails too, the password or role is wrong on the server.",
            v.get("host"),
            v.get("port"),
            v.get("db")
        )
    })
}

fn password_test(v: &Values) -> crate::model::Snippet {
    pg::settings_test(
        v,
        "The database password is set",
        "database_password_is_set",
        "    assert db[\"USER\"], \"USER is empty\"\n    assert db.get(\"PASSWORD\"), \"PASSWORD is empty: is the variable set where Django runs?\"\n",
    )
}

fn host_test(v: &Values) -> crate::model::Snippet {
    pg::settings_test(
        v,
        "HOST is set, so the driver uses TCP and password authentication",
        "database_host_is_set",
        "    assert db[\"HOST\"], \"empty HOST means a Unix socket and peer authentication\"\n",
    )
}

fn fix_env(v: &Values) -> crate::model::Fix {
    pg::fix(
        v,
        "Read the password from the environment and stop with a clear message when it is missing.",
        "settings.py",
        "python",
        "DATABASES = {\n    \"default\": {\n        \"ENGINE\": \"{engine}\",\n        \"USER\": \"{user}\",\n        \"PASSWORD\": os.environ.get(\"POSTGRES_PASSWORD\", \"\"),\n    }\n}\n",
        "from django.core.exceptions import ImproperlyConfigured\n\nif not os.environ.get(\"POSTGRES_PASSWORD\"):\n    raise ImproperlyConfigured(\"Set POSTGRES_PASSWORD\")\n\nDATABASES = {\n    \"default\": {\n        \"ENGINE\": \"{engine}\",\n        \"USER\": os.environ.get(\"POSTGRES_USER\", \"{user}\"),\n        \"PASSWORD\": os.environ[\"POSTGRES_PASSWORD\"],\n    }\n}\n",
    )
}

fn fix_alter(v: &Values) -> crate::model::Fix {
    pg::fix(
        v,
        "Give the role the password the settings use (or create the role), as a superuser.",
        "psql",
        "sql",
        "-- DATABASES[\"default\"]: USER \"{user}\", PASSWORD \"…\" (not what the server has)\n",
        "-- sudo -u postgres psql\nCREATE ROLE \"{user}\" LOGIN;  -- only if the role does not exist\nALTER ROLE \"{user}\" WITH PASSWORD 'the-password-in-settings';\n",
    )
}

fn fix_volume(v: &Values) -> crate::model::Fix {
    pg::fix(
        v,
        "Either set the password inside the existing database, or recreate the volume so POSTGRES_PASSWORD applies (this deletes its data).",
        "terminal",
        "shell",
        "$ docker compose up   # POSTGRES_PASSWORD changed since the volume was created\n",
        "$ docker compose exec db psql -U postgres -c \"ALTER ROLE {user} PASSWORD 'new-password'\"\n# or, losing the data:\n$ docker compose down -v && docker compose up -d\n",
    )
}

fn fix_host(v: &Values) -> crate::model::Fix {
    pg::fix(
        v,
        "Set HOST so the driver connects over TCP, where pg_hba.conf asks for a password instead of peer authentication.",
        "settings.py",
        "python",
        "DATABASES = {\"default\": {\"ENGINE\": \"{engine}\", \"USER\": \"{user}\", \"HOST\": \"\"}}  # socket: peer auth\n",
        "DATABASES = {\n    \"default\": {\n        \"ENGINE\": \"{engine}\",\n        \"USER\": \"{user}\",\n        \"HOST\": os.environ.get(\"POSTGRES_HOST\", \"localhost\"),\n        \"PORT\": os.environ.get(\"POSTGRES_PORT\", \"{port}\"),\n    }\n}\n",
    )
}

fn fix_hba(v: &Values) -> crate::model::Fix {
    pg::fix(
        v,
        "Allow the app's address with password authentication in pg_hba.conf, then reload PostgreSQL.",
        "pg_hba.conf",
        "ini",
        "local   all   all   peer\n",
        "local   all   all                 peer\nhost    {db}  {user}  127.0.0.1/32  scram-sha-256\nhost    {db}  {user}  10.0.0.0/8    scram-sha-256\n# then: sudo systemctl reload postgresql\n",
    )
}

fn checks_password(v: &Values) -> Vec<String> {
    vec![
        v.fill("`psql -h {host} -p {port} -U {user} -d {db}` with the password from settings, where Django runs."),
        "`python manage.py diffsettings | grep -A9 DATABASES`: the USER and PASSWORD Django really uses (quotes or spaces from `.env` show here).".into(),
        "`SELECT rolname FROM pg_roles;` as a superuser: does the role exist?".into(),
    ]
}

fn checks_docker() -> Vec<String> {
    vec![
        "`docker volume ls`: a volume older than your last POSTGRES_PASSWORD change keeps the old password.".into(),
        "`docker compose exec web env | grep -i postgres`: the password the app container really has.".into(),
    ]
}

fn checks_hba(v: &Values) -> Vec<String> {
    vec![
        "`SHOW hba_file;` then read it: the first line matching connection type, database, user and address decides the method.".into(),
        v.fill("`psql -h {host} -U {user} -d {db}` (TCP) vs `psql -U {user} -d {db}` (socket): only the socket one fails with peer auth."),
    ]
}
