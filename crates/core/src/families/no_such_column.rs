//! `no-such-column` (DJ012): the table exists but lacks a column the model (or the SQL) names.
//!
//! Recognised by `OperationalError`/`ProgrammingError` in every wording: SQLite `no such column: t.c` and, on
//! INSERT, `table t has no column named c`; PostgreSQL `column t.c does not exist` and `column "c" of relation
//! "t" does not exist`; MySQL/MariaDB `(1054, "Unknown column 't.c' in 'field list'")` (MariaDB 10.11 says
//! `in 'SELECT'`); Oracle `ORA-00904: … invalid identifier`. Causes: a field added without a migration, a
//! migration not applied (or deployed after the code), a faked migration or another database, raw SQL.

use super::kit::{self, Ranking, Values};
use super::schema_common::{self as sc, Place};
use super::{Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "no-such-column",
    code: "DJ012",
    title: "The table has no such column",
    summary: "OperationalError \"no such column\" (SQLite, MySQL) or ProgrammingError \"column … does not exist\" \
              (PostgreSQL): the model has a field whose column is not in the database table — a field added \
              without `makemigrations`, a migration not applied where the code runs, or a faked migration.",
    example: "real/schema/sqlite_no_such_column_select.txt",
    diagnose,
};

const EXPLANATION: &str = "The table `{table}` exists, but it has no column `{column}`. Django builds its SQL \
from your models, so the model has a field that the database does not: the migration that adds the column was \
never written, or never applied to this database.";

/// (table, column, line) from the message.
fn recognise(message: &str) -> Option<(String, String, &str)> {
    for line in message.lines() {
        let l = line.trim();
        if let Some(p) = l.find("no such column: ") {
            let (t, c) = sc::split_column(&l[p + 16..]);
            return Some((t, c, l));
        }
        if l.starts_with("table ") && l.contains(" has no column named ") {
            let t = kit::between(l, "table ", " has no column").map(sc::ident).unwrap_or_default();
            let c = kit::between(l, "no column named ", "\n").map(sc::ident).unwrap_or_default();
            return Some((t, c, l));
        }
        if l.starts_with("column ") && l.ends_with(" does not exist") {
            if l.contains(" of relation \"") {
                let c = sc::quoted(l, "column \"", "\"").unwrap_or_default();
                let t = sc::quoted(l, "of relation \"", "\"").unwrap_or_default();
                return Some((t, c, l));
            }
            let (t, c) = sc::split_column(l.trim_start_matches("column ").trim_end_matches(" does not exist"));
            return Some((t, c, l));
        }
        if l.contains("(1054, ") {
            let (t, c) = sc::split_column(kit::between(l, "Unknown column '", "'").unwrap_or(""));
            return Some((t, c, l));
        }
        if l.contains("ORA-00904") {
            return Some((String::new(), sc::quoted(l, "\"", "\"").unwrap_or_default(), l));
        }
    }
    None
}

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let found = cx.tb.exceptions.last().and_then(|e| {
        let t = e.type_name.as_str();
        let ok = t.is_empty()
            || ["OperationalError", "ProgrammingError", "DatabaseError", "UndefinedColumn"]
                .iter()
                .any(|s| t.ends_with(s));
        if ok {
            recognise(&e.message)
        } else {
            None
        }
    });
    let Some((table, column, line)) = found else { return Vec::new() };
    let table = if table.is_empty() { "app_model".to_string() } else { table };
    let column = if column.is_empty() { "field".to_string() } else { column };
    let field = column.strip_suffix("_id").unwrap_or(&column).to_string();
    let app = sc::table_app(&table).to_string();
    let place = sc::place(cx);
    let mut v = Values::new(cx);
    v.set("table", table.as_str()).set("column", column.as_str()).set("field", field).set("app", app.as_str());
    let ci = sc::migrations_ci(&v);
    let tests = vec![
        sc::test_migrations(),
        sc::py("Every column of every model can be read", "tests/test_migrations.py", v.fill(TEST_COLUMNS)),
    ];
    let mut r = Ranking::new(&FAMILY, v.fill(EXPLANATION), &[sc::REF_MIGRATIONS, sc::REF_MIGRATE]);
    r.recognised(format!("`{table}` has no column `{column}`; it ran from {}.", sc::place_words(place)), Some(line));

    let c = r.cause("migration-not-created", "The field was added to the model without a migration", 1.5);
    if place == Place::Test {
        c.support(1.0, "Tests build their database from the migrations, so a field with no migration is missing there even on a fresh database.", None);
    }
    c.fix(v.fix(
        "Write the migration for the new field, commit it, and apply it.",
        "terminal",
        "shell",
        "$ python manage.py migrate\nNo migrations to apply.\n  Your models in app(s): '{app}' have changes that are not yet reflected in a migration\n",
        "$ python manage.py makemigrations {app}\n$ python manage.py migrate\n$ git add {app}/migrations/\n",
    ))
    .tests(tests.clone())
    .ci(ci.clone())
    .checks(vec!["`python manage.py makemigrations --check --dry-run`: does it list the field?".into()]);

    let c = r.cause("migration-not-applied", "The migration exists but was not applied where the code runs", 1.2);
    if place == Place::Request {
        c.support(
            0.8,
            "A running site hit it: code with the new field was deployed before (or without) `migrate`.",
            None,
        );
    }
    if !cx.facts.docker.is_empty() || matches!(cx.facts.runner.as_deref(), Some("gunicorn" | "uwsgi")) {
        c.support(0.5, "A deployed server (container or WSGI server): run `migrate` as a release step before the new code serves traffic.", None);
    }
    c.fix(v.fix(
        "Apply the pending migrations before the new code serves requests (a release step).",
        "terminal",
        "shell",
        "$ git pull && systemctl restart app\n",
        "$ git pull\n$ python manage.py migrate --noinput\n$ systemctl restart app\n",
    ))
    .tests(tests.clone())
    .ci(ci.clone())
    .checks(vec![
        v.fill("`python manage.py showmigrations {app}` on the failing server: `[ ]` marks the unapplied one.")
    ]);

    let c = r.cause(
        "faked-or-other-database",
        "The migration is marked applied but the column is missing (faked, or another database)",
        0.4,
    );
    c.fix(v.fix(
        "Re-run the migration for real: go back to the one before it (faking the way back), then migrate again.",
        "terminal",
        "shell",
        "$ python manage.py migrate {app}\nNo migrations to apply.\n",
        "$ python manage.py showmigrations {app}\n$ python manage.py migrate {app} <migration before the one adding {column}> --fake\n$ python manage.py migrate {app}\n",
    ))
    .tests(tests.clone())
    .ci(ci.clone())
    .checks(vec![v.fill("`python manage.py sqlmigrate {app} <name>` vs the real table (`\\d {table}` in psql, `.schema {table}` in sqlite3).")]);

    let raw = kit::last_app_frame(cx.tb)
        .and_then(|f| f.code.as_deref())
        .filter(|c| c.contains(".raw(") || c.contains("execute(") || c.contains(".extra("));
    let c = r.cause("raw-sql", "Hand-written SQL names a column that does not exist", 0.05);
    match raw {
        Some(code) => {
            c.support(2.0, "Your own line runs SQL directly: check the column name in it.", Some(code));
        }
        None => {
            c.weaken(0.5, "The query was built by the ORM from your models, not written by hand.");
        }
    }
    c.fix(v.fix("Use the column's real name (or the ORM).", "views.py", "python", "cursor.execute(\"SELECT {column} FROM {table}\")\n", "rows = Model.objects.values_list(\"pk\", flat=True)\n"))
        .tests(tests)
        .ci(ci)
        .checks(vec![v.fill("Compare with the real table: `python manage.py dbshell` then `\\d {table}` (PostgreSQL) or `.schema {table}` (SQLite).")]);

    r.finish(|a, b| {
        format!("The paste cannot decide between \"{a}\" and \"{b}\". `python manage.py makemigrations --check --dry-run` lists a missing migration; `python manage.py showmigrations` shows one not applied.")
    })
}

const TEST_COLUMNS: &str = r#"import pytest
from django.apps import apps


@pytest.mark.django_db
def test_every_model_column_exists():
    """Selects every concrete field of every model: fails with the same error on a missing column."""
    for model in apps.get_models():
        if model._meta.managed:
            list(model.objects.values(*[f.attname for f in model._meta.concrete_fields])[:1])
"#;
