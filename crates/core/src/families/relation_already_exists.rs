//! `relation-already-exists` (DJ028): a migration creates a table (or index) that is already there.
//!
//! Recognised by PostgreSQL's `relation "x" already exists` (`ProgrammingError`, `psycopg2.errors.DuplicateTable`;
//! also for indexes and constraints), SQLite's `table "x" already exists` / `index x already exists`
//! (`OperationalError`) and MySQL/MariaDB's `(1050, "Table 'x' already exists")`. `column … already exists`
//! is another error and is not claimed. Causes: tables made outside migrations, lost migration history, or two
//! migrations creating the same table; the name (table versus index) and the command weigh them.

use super::ci::{self, Step};
use super::kit::{self, Ranking, Values};
use super::mysql_cant_connect::py;
use super::{Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "relation-already-exists",
    code: "DJ028",
    title: "A migration creates a table that already exists",
    summary: "ProgrammingError `relation \"x\" already exists` (PostgreSQL), OperationalError `table \"x\" already \
              exists` (SQLite) or `(1050, \"Table 'x' already exists\")` (MySQL) during migrate: the schema has \
              the table but django_migrations does not record the migration that creates it — tables made by \
              hand or restored from a dump, history deleted, or migrations regenerated or duplicated.",
    example: "real/mysql/pg_relation_already_exists.txt",
    diagnose,
};

const EXPLANATION: &str = "`migrate` applies every migration that the `django_migrations` table does not list. \
One of them creates a table (or index) that the database already has, so the schema and the recorded history \
disagree: the table was made some other way, or the history row for the migration that made it is gone.";

const REFERENCES: [&str; 2] = [
    "Django documentation: django-admin migrate --fake-initial — https://docs.djangoproject.com/en/stable/ref/django-admin/#cmdoption-migrate-fake-initial",
    "Django documentation: Migrations › Adding migrations to apps — https://docs.djangoproject.com/en/stable/topics/migrations/#adding-migrations-to-apps",
];

fn recognise(line: &str) -> Option<&str> {
    if !line.contains("already exists") || line.contains("column ") {
        return None;
    }
    kit::between(line, "relation \"", "\"")
        .or_else(|| kit::between(line, "table \"", "\""))
        .or_else(|| kit::between(line, "Table '", "'").filter(|_| line.contains("(1050,")))
        .or_else(|| kit::between(line, "table ", " already").filter(|_| line.starts_with("table ")))
        .or_else(|| kit::between(line, "index ", " already").filter(|_| line.starts_with("index ")))
}

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let types = ["ProgrammingError", "OperationalError", "DuplicateTable"];
    let Some(hit) = kit::find(cx.tb, &types, &["already exists"]) else {
        return Vec::new();
    };
    let line = hit.line;
    let Some(name) = recognise(line) else {
        return Vec::new();
    };
    let index =
        line.starts_with("index ") || name.ends_with("_uniq") || name.ends_with("_idx") || name.ends_with("_like");
    let app = name.split('_').next().filter(|a| !a.is_empty()).unwrap_or("app");
    let migrate = cx.facts.management_command.as_deref() == Some("migrate");
    let tests_run = matches!(cx.facts.runner.as_deref(), Some("pytest" | "django-test"));
    let mut v = Values::new(cx);
    v.set("table", name).set("app", app);
    let workflow = ci::workflow(
        &v,
        "migrations from an empty database",
        &[
            Step { name: "Migrations are complete", run: "python manage.py makemigrations --check --dry-run" },
            Step { name: "Migrate an empty database", run: "python manage.py migrate --noinput" },
            Step { name: "Nothing left unapplied", run: "python manage.py migrate --check" },
        ],
    );
    let tests = vec![py(
        "Every model's table is created by exactly one migration",
        "tests/test_migrations.py",
        TEST_MIGRATIONS.into(),
    )];
    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    let what = if index { "index or constraint" } else { "table" };
    r.recognised(format!("The {what} `{name}` already exists, yet a migration is creating it."), Some(line));

    let c = r.cause(
        "made-outside-migrations",
        "The table was created outside migrations (by hand, a restored dump, an old syncdb)",
        1.0,
    );
    if migrate && !index {
        c.support(
            1.0,
            "It failed in `migrate`, creating a table: the typical first migrate of an app against an existing schema.",
            None,
        );
    }
    if index {
        c.weaken(0.5, "The name is an index or constraint, which migrations create rather than people.");
    }
    c.fix(v.fix("Check that the existing table matches the migration, then mark it applied.", "terminal", "shell", "$ python manage.py migrate\n... relation \"{table}\" already exists\n", "$ python manage.py showmigrations {app}\n$ python manage.py migrate {app} --fake-initial   # fakes 0001 only if its tables all exist\n$ python manage.py migrate\n"))
        .tests(tests.clone())
        .ci(workflow.clone())
        .checks(vec![v.fill("`python manage.py showmigrations {app}`: which migrations are recorded as applied?"), v.fill("`python manage.py sqlmigrate {app} 0001` versus the real table: same columns?")]);

    let c = r.cause("history-lost", "Migration history was deleted or the migrations were regenerated", 0.8);
    if migrate {
        c.support(0.5, "django_migrations no longer lists the migration that made this table.", None);
    }
    c.fix(v.fix(
        "Record the migration as applied without running it (only if the schema matches).",
        "terminal",
        "shell",
        "$ python manage.py migrate {app}\n",
        "$ python manage.py migrate {app} 0001 --fake\n$ python manage.py migrate\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec![
        v.fill("`SELECT name, applied FROM django_migrations WHERE app = '{app}';` — rows missing or renamed?"),
        "Were migration files deleted and re-created (`git log -- */migrations/`)?".into(),
    ]);

    let c =
        r.cause("duplicate-migration", "Two migrations create the same table or index (merge or squash mistake)", 0.4);
    if index {
        c.support(
            2.0,
            "An index or constraint name clashes: two migrations add the same index, or one was renamed.",
            Some(name),
        );
    }
    if tests_run {
        c.support(1.5, "It failed on a fresh test database, where no table existed before: the migrations themselves create it twice.", None);
    }
    c.fix(v.fix(
        "Remove the duplicate operation so one migration creates it.",
        "migrations/00xx_….py",
        "python",
        "migrations.CreateModel(name=\"Model\", fields=[])  # {table} is also created by an earlier migration\n",
        "# Removed: {table} is created by an earlier migration of {app}.\n",
    ))
    .tests(tests)
    .ci(workflow)
    .checks(vec![v.fill("`grep -rn \"{table}\" */migrations/`: is it created in two migrations?")]);
    r.finish(|a, b| format!("The paste cannot decide between \"{a}\" and \"{b}\": run `python manage.py showmigrations {app}` and compare with the tables that exist (`\\dt` in psql, `.tables` in sqlite3, `SHOW TABLES` in MySQL)."))
}

const TEST_MIGRATIONS: &str = r#"import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_missing_or_unapplied_migrations():
    call_command("makemigrations", "--check", "--dry-run")
    call_command("migrate", "--check")
"#;
