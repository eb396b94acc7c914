//! `pg-db-missing` (DJ034): the server is up but the database named in NAME does not exist on it.
//!
//! Recognised by an `OperationalError` whose message holds PostgreSQL's `FATAL:  database "x" does not exist` in
//! any wording (bare, libpq ≥ 14's `connection to server at … failed:` prefix, psycopg 3's `connection failed:`).
//! Causes: the database was never created, a Docker volume created before POSTGRES_DB was set, NAME read from
//! an unset variable (`"None"`), or a SQLite file path kept as NAME after switching to PostgreSQL.

use super::kit::{self, Ranking, Values};
use super::orm_common as orm;
use super::pg_common::{self as pg, short};
use super::{Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "pg-db-missing",
    code: "DJ034",
    title: "The PostgreSQL database does not exist",
    summary: "OperationalError `FATAL:  database \"x\" does not exist`: the server and credentials are fine, but \
              no database of that NAME exists — never created, another Docker volume, or NAME is a SQLite path or \
              an unset variable.",
    example: "real/pg_db_missing.txt",
    diagnose,
};

const EXPLANATION: &str = "Django logged in to PostgreSQL, but the database in DATABASES[\"default\"][\"NAME\"] \
does not exist there. Neither PostgreSQL nor `migrate` creates it: run `createdb` (the Docker image does it once, \
when its volume is empty).";

const REFERENCES: [&str; 2] =
    [pg::DATABASES_REF, "PostgreSQL docs: createdb — https://www.postgresql.org/docs/current/app-createdb.html"];

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let Some(hit) = kit::find(cx.tb, &["OperationalError"], &["database \""]) else {
        return Vec::new();
    };
    if !hit.line.contains("does not exist") || hit.line.contains("role \"") {
        return Vec::new();
    }
    let name = pg::quoted(hit.line, "database ").unwrap_or("app");
    let f = cx.facts;
    let docker = !f.docker.is_empty();
    let unset = matches!(name, "None" | "none" | "null" | "undefined") || name.starts_with('$');
    let path = name.contains('/') || name.contains('\\') || name.ends_with(".sqlite3") || name.ends_with(".db");
    let mut v = pg::values(cx);
    v.set("db", name);
    let quote = Some(hit.line);
    let ci = pg::workflow(&v, "PostgreSQL service that creates the database");
    let smoke = vec![pg::smoke_test(&v)];
    let name_test = vec![pg::settings_test(
        &v,
        "NAME is a database name",
        "database_name_is_a_name",
        "    assert db[\"NAME\"] not in (\"\", \"None\", None) and \"/\" not in str(db[\"NAME\"])\n",
    )];

    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("`{}`: database `{name}` does not exist.", short(&hit.exception.type_name)), quote);

    let c = r.cause("never-created", "The database was never created on this server", 1.5);
    if unset || path {
        c.weaken(0.2, "Nobody would create a database of that name.");
    }
    c.fix(pg::fix(
        &v,
        "Create the database (owned by Django's user), then migrate.",
        "terminal",
        "shell",
        "$ python manage.py {command}\n... database \"{db}\" does not exist\n",
        "$ createdb -h {host} -p {port} -U postgres -O <django-user> {db}\n$ python manage.py migrate\n",
    ))
    .tests(smoke.clone())
    .checks(checks(&v))
    .ci(ci.clone());

    let c =
        r.cause("docker-volume", "Docker: the data volume predates POSTGRES_DB, so the image never created it", 0.3);
    if docker {
        for d in f.docker.iter().take(2) {
            c.support(2.0, format!("Runs in a container: {d}."), None);
        }
    } else {
        c.weaken(0.5, "No container in the paste.");
    }
    c.fix(pg::fix(
        &v,
        "Create it in the container, or recreate the volume so POSTGRES_DB applies (deletes data).",
        "terminal",
        "shell",
        "$ docker compose up\n",
        "$ docker compose exec db createdb -U postgres {db}\n# or: docker compose down -v && docker compose up -d\n",
    ))
    .tests(smoke)
    .checks(checks(&v))
    .ci(ci.clone());

    let c = r.cause("name-unset", "NAME comes from an environment variable that is unset", 0.2);
    if unset {
        c.support(5.0, format!("`{name}`: an unset value written into the setting."), quote);
    }
    for e in f.env_settings.iter().take(2) {
        c.support(1.0, format!("Settings come from the environment: {e}."), None);
    }
    let fix_env = pg::fix(
        &v,
        "Read NAME from the environment with a default, not a path or an unset value.",
        "settings.py",
        "python",
        "DATABASES = {\"default\": {\"ENGINE\": \"{engine}\", \"NAME\": \"{db}\"}}\n",
        "import os\n\nDATABASES = {\"default\": {\"ENGINE\": \"{engine}\", \"NAME\": os.environ.get(\"POSTGRES_DB\", \"app\")}}\n",
    );
    c.fix(fix_env.clone()).tests(name_test.clone()).checks(checks(&v)).ci(ci.clone());

    let c = r.cause("sqlite-path", "NAME is still the SQLite file path from before the switch to PostgreSQL", 0.1);
    if path {
        c.support(6.0, format!("`{name}` is a file path, a SQLite NAME."), quote);
    }
    c.fix(fix_env).tests(name_test).checks(checks(&v)).ci(ci);

    orm::finish(r, &v.fill("`psql -h {host} -p {port} -U postgres -l`."))
}

fn checks(v: &Values) -> Vec<String> {
    vec![
        v.fill("`psql -h {host} -p {port} -U postgres -l`: is `{db}` listed?"),
        "`python manage.py diffsettings | grep -A9 DATABASES`: the NAME Django uses.".into(),
        "`docker volume ls`: was the volume created before POSTGRES_DB was set?".into(),
    ]
}
