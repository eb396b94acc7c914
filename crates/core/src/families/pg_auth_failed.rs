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
use super::pg_common as pg;
use super::{Context, Family};
use crate::model::{Diagnosis, Snippet};

pub const FAMILY: Family = Family {
    id: "pg-auth-failed",
    code: "DJ013",
    title: "PostgreSQL rejected the user or password",
    summary: "OperationalError \"password authentication failed\" / \"no pg_hba.conf entry\": the server refuses \
              the USER, PASSWORD or method.",
    example: "real/pg_auth_failed.txt",
    diagnose,
};

const EXPLANATION: &str = "PostgreSQL refused the login: user, password or method (socket vs TCP) fails pg_hba.conf.";

const REFERENCES: [&str; 1] = [pg::DATABASES_REF];

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
    let p = hit.pattern;
    let mut v = pg::values(cx);
    v.set("user", user);
    let quote = Some(hit.line);
    let ci = pg::workflow(&v, "PostgreSQL service with known credentials");
    let tests = vec![settings_test(&v, PASSWORD_TEST), pg::smoke_test(&v)];
    let pw = pg::lines(&v, &CHECKS_PASSWORD);
    let hba = pg::lines(&v, &CHECKS_HBA);

    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(v.fill("Login refused for `{user}`."), quote);

    let c = r.cause("empty-password", "The password is empty (unset variable)", 0.3);
    if p.starts_with("fe_sendauth") {
        c.support(5.0, "No password to send: PASSWORD is empty.", quote);
    }
    for e in f.env_settings.iter().take(2) {
        c.support(1.0, format!("Settings read the environment: {e}."), None);
    }
    c.fix(pg::fix_of(&v, &FIX_ENV)).tests(tests.clone()).checks(pw.clone()).ci(ci.clone());

    let c = r.cause("wrong-password", "Wrong password or user in DATABASES", 1.0);
    if p.starts_with("password authentication") {
        c.support(3.0, "The server rejected the password (or the role).", quote);
    }
    c.fix(pg::fix_of(&v, &FIX_ALTER)).tests(tests.clone()).checks(pw.clone()).ci(ci.clone());

    let c = r.cause("docker-volume-password", "POSTGRES_PASSWORD changed after the volume was created", 0.2);
    if p.starts_with("password authentication") && docker {
        c.support(3.0, "In a container: POSTGRES_PASSWORD applies only to an empty volume.", None);
    } else if !docker {
        c.weaken(0.5, "No container in the paste.");
    }
    c.fix(pg::fix_of(&v, &FIX_VOLUME)).tests(tests.clone()).checks(pg::lines(&v, &CHECKS_DOCKER)).ci(ci.clone());

    let c = r.cause("peer-over-socket", "Empty HOST: Unix socket and peer auth", 0.2);
    if p.starts_with("Peer") || p.starts_with("Ident") {
        c.support(5.0, "Peer/ident auth applies only to socket connections: HOST is empty.", quote);
    }
    if socket {
        c.support(1.0, "The message names a Unix socket.", quote);
    }
    c.fix(pg::fix_of(&v, &FIX_HOST))
        .tests(vec![settings_test(&v, HOST_TEST), pg::smoke_test(&v)])
        .checks(hba.clone())
        .ci(ci.clone());

    let c = r.cause("no-hba-entry", "No pg_hba.conf line allows this client", 0.1);
    if p.starts_with("no pg_hba") {
        c.support(5.0, "No pg_hba.conf rule matches this client.", quote);
    }
    if p.starts_with("SCRAM") {
        c.support(4.0, "libpq is too old for scram-sha-256.", quote);
    }
    c.fix(pg::fix_of(&v, &FIX_HBA)).tests(tests.clone()).checks(hba).ci(ci.clone());

    let c = r.cause("role-missing", "The USER does not exist", 0.1);
    if p.starts_with("FATAL:  role") {
        c.support(5.0, v.fill("The server has no role `{user}`."), quote);
    }
    c.fix(pg::fix_of(&v, &FIX_ALTER)).tests(tests).checks(pw).ci(ci);

    super::orm_common::finish(r, &v.fill("try `psql -h {host} -p {port} -U {user} -d {db}` where Django runs."))
}

const PASSWORD_TEST: [&str; 3] =
    ["PASSWORD is set", "password_is_set", "    assert db[\"USER\"]\n    assert db.get(\"PASSWORD\")\n"];
const HOST_TEST: [&str; 3] = ["HOST is set", "host_is_set", "    assert db[\"HOST\"]\n"];

fn settings_test(v: &Values, t: [&str; 3]) -> Snippet {
    pg::settings_test(v, t[0], t[1], t[2])
}

const FIX_ENV: pg::FixText = (
    "Fail clearly when the password variable is unset.",
    "settings.py",
    "python",
    "DATABASES[\"default\"][\"PASSWORD\"] = os.environ.get(\"POSTGRES_PASSWORD\", \"\")\n",
    "DATABASES[\"default\"][\"PASSWORD\"] = os.environ[\"POSTGRES_PASSWORD\"]\n",
);
const FIX_ALTER: pg::FixText = (
    "As a superuser, set the role's password (or create it).",
    "psql",
    "sql",
    "-- wrong PASSWORD for \"{user}\"\n",
    "CREATE ROLE \"{user}\" LOGIN;  -- only if missing\nALTER ROLE \"{user}\" PASSWORD 'the-password-in-settings';\n",
);
const FIX_VOLUME: pg::FixText = (
    "Set the password in the database, or recreate the volume (loses data).",
    "terminal",
    "shell",
    "$ docker compose up\n",
    "$ docker compose exec db psql -U postgres -c \"ALTER ROLE {user} PASSWORD 'new'\"\n# or: docker compose down -v && docker compose up -d\n",
);
const FIX_HOST: pg::FixText = (
    "Set HOST to connect over TCP.",
    "settings.py",
    "python",
    "DATABASES[\"default\"][\"HOST\"] = \"\"\n",
    "DATABASES[\"default\"][\"HOST\"] = os.environ.get(\"POSTGRES_HOST\", \"{host}\")\n",
);
const FIX_HBA: pg::FixText = (
    "Allow the app's address in pg_hba.conf, then reload.",
    "pg_hba.conf",
    "ini",
    "local   all   all   peer\n",
    "host    {db}  {user}  10.0.0.0/8    scram-sha-256\n",
);

const CHECKS_PASSWORD: [&str; 3] = [
    "`psql -h {host} -p {port} -U {user} -d {db}` where Django runs.",
    "`python manage.py diffsettings | grep -A9 DATABASES`",
    "`SELECT rolname FROM pg_roles;`",
];
const CHECKS_DOCKER: [&str; 2] = [
    "`docker volume ls`: is the volume older than the password change?",
    "`docker compose exec web env | grep -i postgres`",
];
const CHECKS_HBA: [&str; 2] = [
    "`SHOW hba_file;`: the first matching line decides.",
    "`psql -h {host} -U {user} -d {db}` (TCP) vs `psql -U {user} -d {db}` (socket).",
];
