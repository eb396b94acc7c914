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
    summary: "OperationalError `FATAL:  database \"x\" does not exist`: no database of that NAME.",
    example: "real/pg_db_missing.txt",
    diagnose,
};

const EXPLANATION: &str = "Django logged in, but the NAME database does not exist; `migrate` does not create it.";

const REFERENCES: [&str; 1] = [pg::DATABASES_REF];

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
    let ci = pg::workflow(&v, "PostgreSQL service");
    let smoke = vec![pg::smoke_test(&v)];
    let name_test = vec![pg::settings_test(
        &v,
        "NAME is a name",
        "db_name",
        "    assert db[\"NAME\"] not in (\"\", \"None\", None) and \"/\" not in db[\"NAME\"]\n",
    )];

    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("`{}`: no database `{name}`.", short(&hit.exception.type_name)), quote);

    let c = r.cause("never-created", "The database was never created", 1.5);
    if unset || path {
        c.weaken(0.2, "An unlikely database name.");
    }
    c.fix(pg::fix(
        &v,
        "Create it, then migrate.",
        "terminal",
        "shell",
        "$ python manage.py migrate\n",
        "$ createdb -h {host} -p {port} -U postgres {db}\n$ python manage.py migrate\n",
    ))
    .tests(smoke.clone())
    .checks(checks(&v))
    .ci(ci.clone());

    let c = r.cause("docker-volume", "Docker volume predates POSTGRES_DB", 0.3);
    if docker {
        for d in f.docker.iter().take(2) {
            c.support(2.0, format!("Container: {d}."), None);
        }
    } else {
        c.weaken(0.5, "No container.");
    }
    c.fix(pg::fix(
        &v,
        "Create it in the container.",
        "terminal",
        "shell",
        "$ docker compose up\n",
        "$ docker compose exec db createdb -U postgres {db}\n",
    ))
    .tests(smoke)
    .checks(checks(&v))
    .ci(ci.clone());

    let c = r.cause("name-unset", "NAME from an unset variable", 0.2);
    if unset {
        c.support(5.0, format!("`{name}` is an unset value."), quote);
    }
    for e in f.env_settings.iter().take(2) {
        c.support(1.0, format!("From the environment: {e}."), None);
    }
    let fix_env = pg::fix(
        &v,
        "Read NAME with a default.",
        "settings.py",
        "python",
        "DATABASES[\"default\"][\"NAME\"] = \"{db}\"\n",
        "DATABASES[\"default\"][\"NAME\"] = os.environ.get(\"POSTGRES_DB\", \"app\")\n",
    );
    c.fix(fix_env.clone()).tests(name_test.clone()).checks(checks(&v)).ci(ci.clone());

    let c = r.cause("sqlite-path", "NAME is still a SQLite path", 0.1);
    if path {
        c.support(6.0, format!("`{name}` is a file path."), quote);
    }
    c.fix(fix_env).tests(name_test).checks(checks(&v)).ci(ci);

    orm::finish(r, &v.fill("`psql -h {host} -U postgres -l`."))
}

fn checks(v: &Values) -> Vec<String> {
    vec![
        v.fill("`psql -h {host} -p {port} -U postgres -l`: is `{db}` listed?"),
        "`python manage.py diffsettings | grep -A9 DATABASES`".into(),
    ]
}
