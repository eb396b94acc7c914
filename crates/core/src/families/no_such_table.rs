//! `no-such-table` (DJ002): a query names a table the database does not have.
//!
//! Recognised by `OperationalError`/`ProgrammingError` (or the debug page's bare value) in every wording:
//! SQLite `no such table: t`, PostgreSQL `relation "t" does not exist` (psycopg2 and psycopg 3), MySQL/MariaDB
//! `(1146, "Table 'db.t' doesn't exist")`, Oracle `ORA-00942: table or view does not exist`. Causes are ranked
//! by the table's owner (Django's own tables always have migrations), where the query ran (module import
//! during `migrate`, a test, a request), and the engine.

use super::kit::{self, Ranking, Values};
use super::schema_common::{self as sc, Place};
use super::{orm_common, Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "no-such-table",
    code: "DJ002",
    title: "The database has no such table",
    summary: "\"no such table\" / \"relation … does not exist\": migrations not made or not run, a query at import time, or another database.",
    example: "real/sqlite_no_such_table.txt",
    diagnose,
};

const EXPLANATION: &str =
    "No table `{table}`: `makemigrations` or `migrate` did not happen for `{app}` on this database.";

fn recognise(message: &str) -> Option<(String, &str)> {
    for line in message.lines() {
        let l = line.trim();
        if let Some(t) = l.find("no such table: ").map(|p| &l[p + 15..]) {
            return Some((sc::ident(t.trim_start_matches("main.")), l));
        }
        if l.starts_with("relation \"") && l.ends_with("\" does not exist") {
            return sc::quoted(l, "relation \"", "\"").map(|t| (t, l));
        }
        if l.contains("(1146, ") {
            let t = kit::between(l, "Table '", "' doesn't exist")?;
            return Some((sc::ident(t.rsplit('.').next().unwrap_or(t)), l));
        }
        if l.contains("ORA-00942") {
            return Some((String::new(), l));
        }
    }
    None
}

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let found = kit::last_of_type(cx.tb, &["OperationalError", "ProgrammingError", "DatabaseError", "UndefinedTable"])
        .and_then(|e| recognise(&e.message));
    let Some((table, line)) = found else { return Vec::new() };
    let table = if table.is_empty() { "app_model".to_string() } else { table };
    let app = sc::table_app(&table).to_string();
    let django_table = sc::is_django_table(&table);
    let place = sc::place(cx);
    let sqlite = cx.facts.db_engine.as_deref() == Some("sqlite");
    let mut v = Values::new(cx);
    v.set("table", table.as_str()).set("app", app.as_str());
    let explanation = v.fill(EXPLANATION);
    let ci = sc::migrations_ci(&v);
    let tests = vec![sc::test_tables(), sc::test_migrations()];
    let mut r = Ranking::new(&FAMILY, explanation, &[sc::REF_MIGRATIONS, sc::REF_MIGRATE]);
    r.recognised(format!("No `{table}`; from {}.", sc::place_words(place)), Some(line));

    let c = r.cause("migrate-not-run", "Migrations not applied", 2.0);
    if django_table {
        c.support(2.5, format!("`{table}` is Django's own: `migrate` never ran here."), Some(&table));
    }
    if place == Place::Request {
        c.support(0.5, "A running site queried it.", None);
    }
    c.fix(v.fix(
        "Migrate this database.",
        "terminal",
        "shell",
        "$ python manage.py runserver\n",
        "$ python manage.py showmigrations {app}\n$ python manage.py migrate\n",
    ))
    .tests(tests.clone())
    .ci(ci.clone())
    .checks(vec![v.fill("`showmigrations {app}`: `[ ]` = not applied.")]);

    let c = r.cause("migration-missing", "No migration creates it", 1.0);
    if django_table {
        c.weaken(0.1, "Django's own table.");
    } else {
        c.support(0.8, format!("`{table}` is your app's; no `migrations/__init__.py`?"), Some(&table));
    }
    c.fix(v.fix(
        "Make, apply, commit.",
        "terminal",
        "shell",
        "$ python manage.py migrate\n",
        "$ python manage.py makemigrations {app}\n$ python manage.py migrate\n$ git add {app}/migrations/\n",
    ))
    .tests(tests.clone())
    .ci(ci.clone())
    .checks(vec!["`makemigrations --check --dry-run`.".into()]);

    let c = r.cause("import-time-query", "A query at import time", 0.2);
    if place == Place::Import {
        let f = sc::module_frame(cx);
        let code = f.and_then(|f| f.code.as_deref());
        c.support(6.0, format!("`{}` queries at module level.", f.map_or("", |f| f.file.as_str())), code);
    } else {
        c.weaken(0.3, "No module-level query.");
    }
    c.fix(v.fix(
        "Query lazily.",
        "forms.py",
        "python",
        "CHOICES = [(c.pk, c.name) for c in Category.objects.all()]\n",
        "def choices():\n    return [(c.pk, c.name) for c in Category.objects.all()]\n",
    ))
    .tests(tests.clone())
    .ci(ci.clone())
    .checks(vec!["Querysets in forms.py, urls.py, ready()?".into()]);

    let c = r.cause("test-database", "Not in the test database", 0.1);
    if place == Place::Test {
        c.support(3.0, "A test: `managed = False` or `--nomigrations`?", None);
    } else {
        c.weaken(0.3, "Not a test.");
    }
    c.fix(v.fix(
        "Create the unmanaged table in tests.",
        "conftest.py",
        "python",
        "class Meta:\n    managed = False\n    db_table = \"{table}\"\n",
        "@pytest.fixture(scope=\"session\")\ndef django_db_setup(django_db_setup, django_db_blocker):\n    with django_db_blocker.unblock(), connection.schema_editor() as e:\n        e.create_model(UnmanagedModel)\n",
    ))
    .tests(tests.clone())
    .ci(ci.clone())
    .checks(vec!["`managed = False`? `--nomigrations`?".into()]);

    let c = r.cause("wrong-database", "Another database than the migrated one", 0.4);
    if sqlite {
        c.support(0.6, "SQLite: a relative NAME differs per directory.", None);
    }
    if !cx.facts.docker.is_empty() {
        c.support(0.6, "A container: a new volume?", None);
    }
    c.fix(v.fix(
        "Use an absolute database path.",
        "settings.py",
        "python",
        "DATABASES[\"default\"][\"NAME\"] = \"db.sqlite3\"\n",
        "DATABASES[\"default\"][\"NAME\"] = BASE_DIR / \"db.sqlite3\"\n",
    ))
    .tests(tests)
    .ci(ci)
    .checks(vec!["`diffsettings | grep -A6 DATABASES`.".into()]);

    orm_common::finish(r, &format!("`showmigrations {app}`."))
}
