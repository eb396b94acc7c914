//! `pg-db-missing` (DJ034): the server is up but the database named in NAME does not exist on it.
//!
//! Recognised by an `OperationalError` whose message holds PostgreSQL's `FATAL:  database "x" does not exist` in
//! any wording (bare, libpq ≥ 14's `connection to server at … failed:` prefix, psycopg 3's `connection failed:`).
//! Causes: the database was never created, a Docker volume created before POSTGRES_DB was set, NAME read from
//! an unset variable (`"None"`), or a SQLite file path kept as NAME after switching to PostgreSQL.

use super::kit::{self, Ranking, Values};
use super::pg_common::{self as pg, short};
use super::{Context, Family};
use crate::model::{Diagnosis, Fix, Snippet};

pub const FAMILY: Family = Family {
    id: "pg-db-missing",
    code: "DJ034",
    title: "The PostgreSQL database does not exist",
    summary: "OperationalError `FATAL:  database \"x\" does not exist` when Django connects: the server and the \
              credentials are fine, but no database of that NAME exists on it — never created, created in another \
              Docker volume, or NAME is a leftover SQLite path or an unset variable.",
    example: "real/pg_db_missing.txt",
    diagnose,
};

const EXPLANATION: &str = "Django reached PostgreSQL and logged in, but the database named in \
DATABASES[\"default\"][\"NAME\"] does not exist on that server. PostgreSQL never creates databases on connect \
and `migrate` does not create them either: someone has to run `createdb` (or the Docker image does it, once, \
when its data volume is empty).";

const REFERENCES: [&str; 2] = [
    pg::DATABASES_REF,
    "PostgreSQL documentation: createdb — https://www.postgresql.org/docs/current/app-createdb.html",
];

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
    let tests = vec![name_test(&v), pg::smoke_test(&v)];

    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(
        format!("`{}` says the database `{name}` does not exist on the server.", short(&hit.exception.type_name)),
        quote,
    );

    let c = r.cause("never-created", "The database was never created on this server", 1.5);
    if unset || path {
        c.weaken(0.2, format!("`{name}` is not a database name anyone would create."));
    }
    c.fix(fix_create(&v)).tests(tests.clone()).checks(checks(&v)).ci(ci.clone());

    let c =
        r.cause("docker-volume", "Docker: the data volume predates POSTGRES_DB, so the image never created it", 0.3);
    if docker {
        for d in f.docker.iter().take(2) {
            c.support(2.0, format!("The program runs in a container: {d}."), None);
        }
    } else {
        c.weaken(0.5, "Nothing in the paste shows a container.");
    }
    c.fix(fix_volume(&v)).tests(tests.clone()).checks(checks(&v)).ci(ci.clone());

    let c = r.cause("name-unset", "NAME comes from an environment variable that is unset", 0.2);
    if unset {
        c.support(5.0, format!("The name is `{name}`: Python wrote an unset value into the setting."), quote);
    }
    for e in f.env_settings.iter().take(2) {
        c.support(1.0, format!("Settings come from the environment: {e}."), None);
    }
    c.fix(fix_env(&v)).tests(tests.clone()).checks(checks(&v)).ci(ci.clone());

    let c = r.cause("sqlite-path", "NAME is still the SQLite file path from before the switch to PostgreSQL", 0.1);
    if path {
        c.support(
            6.0,
            format!("`{name}` is a file path: with SQLite NAME is a file, with PostgreSQL it is a database name."),
            quote,
        );
    }
    c.fix(fix_env(&v)).tests(tests).checks(checks(&v)).ci(ci);

    r.finish(|a, b| {
        format!(
            "The paste cannot decide between \"{a}\" and \"{b}\". List the databases on the server Django reaches: \
             `psql -h {} -p {} -U postgres -l`.",
            v.get("host"),
            v.get("port")
        )
    })
}

fn name_test(v: &Values) -> Snippet {
    pg::settings_test(
        v,
        "NAME is a database name, not a path or an unset value",
        "database_name_is_a_name",
        "    assert db[\"NAME\"] not in (\"\", \"None\", None)\n    assert \"/\" not in str(db[\"NAME\"]), \"a file path belongs to SQLite\"\n",
    )
}

fn fix_create(v: &Values) -> Fix {
    pg::fix(
        v,
        "Create the database (owned by the user Django connects as), then run migrate.",
        "terminal",
        "shell",
        "$ python manage.py {command}\n... FATAL:  database \"{db}\" does not exist\n",
        "$ createdb -h {host} -p {port} -U postgres -O <django-user> {db}\n$ python manage.py migrate\n",
    )
}

fn fix_volume(v: &Values) -> Fix {
    pg::fix(
        v,
        "Create the database inside the running container, or recreate the volume so POSTGRES_DB applies (this deletes its data).",
        "terminal",
        "shell",
        "$ docker compose up   # POSTGRES_DB set after the volume was created\n",
        "$ docker compose exec db createdb -U postgres {db}\n# or, losing the data:\n$ docker compose down -v && docker compose up -d\n",
    )
}

fn fix_env(v: &Values) -> Fix {
    pg::fix(
        v,
        "Give NAME a database name from the environment, with a safe default, instead of a path or an unset value.",
        "settings.py",
        "python",
        "DATABASES = {\"default\": {\"ENGINE\": \"{engine}\", \"NAME\": \"{db}\"}}\n",
        "import os\n\nDATABASES = {\n    \"default\": {\n        \"ENGINE\": \"{engine}\",\n        \"NAME\": os.environ.get(\"POSTGRES_DB\", \"app\"),\n    }\n}\n",
    )
}

fn checks(v: &Values) -> Vec<String> {
    vec![
        v.fill("`psql -h {host} -p {port} -U postgres -l`: is `{db}` in the list?"),
        "`python manage.py diffsettings | grep -A9 DATABASES`: the NAME Django really uses.".into(),
        "`docker volume ls` / `docker compose config`: was the volume created before POSTGRES_DB was set?".into(),
    ]
}
