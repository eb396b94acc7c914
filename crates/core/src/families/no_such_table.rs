//! `no-such-table` (DJ002): a query names a table the database does not have.
//!
//! Recognised by `OperationalError`/`ProgrammingError` (or the debug page's bare value) in every wording:
//! SQLite `no such table: t`, PostgreSQL `relation "t" does not exist` (psycopg2 and psycopg 3), MySQL/MariaDB
//! `(1146, "Table 'db.t' doesn't exist")`, Oracle `ORA-00942: table or view does not exist`. Causes are ranked
//! by the table's owner (Django's own tables always have migrations), where the query ran (module import
//! during `migrate`, a test, a request), and the engine.

use super::kit::{self, Ranking, Values};
use super::schema_common::{self as sc, Place};
use super::{Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "no-such-table",
    code: "DJ002",
    title: "The database has no such table",
    summary: "\"no such table\" / \"relation … does not exist\" / \"Table … doesn\'t exist\": the table was never created in this database — migrations not made or not run, a query at import time, or another database.",
    example: "real/sqlite_no_such_table.txt",
    diagnose,
};

const EXPLANATION: &str = "The database has no table `{table}`. Migrations create tables: `makemigrations` writes them, `migrate` applies them; one did not happen for `{app}` on this database.";

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
    let found = cx.tb.exceptions.last().and_then(|e| {
        let t = e.type_name.as_str();
        let ok = t.is_empty()
            || ["OperationalError", "ProgrammingError", "DatabaseError", "UndefinedTable"]
                .iter()
                .any(|s| t.ends_with(s));
        if ok {
            recognise(&e.message)
        } else {
            None
        }
    });
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
    r.recognised(format!("No table `{table}`; it ran from {}.", sc::place_words(place)), Some(line));

    let c = r.cause("migrate-not-run", "Migrations were not applied to this database", 2.0);
    if django_table {
        c.support(
            2.5,
            format!("`{table}` is Django's own (`{app}`), which always has migrations: `migrate` never ran here."),
            Some(&table),
        );
    }
    if place == Place::Request {
        c.support(0.5, "A running site queried it: its database was never migrated.", None);
    }
    c.fix(v.fix(
        "Migrate the database the settings point at.",
        "terminal",
        "shell",
        "$ python manage.py runserver\nOperationalError: no such table: {table}\n",
        "$ python manage.py showmigrations {app}\n$ python manage.py migrate\n",
    ))
    .tests(tests.clone())
    .ci(ci.clone())
    .checks(vec![v.fill("`showmigrations {app}` with the failing process's settings: `[ ]` = not applied.")]);

    let c = r.cause("migration-missing", "No migration creates this table", 1.0);
    if django_table {
        c.weaken(0.1, "Django's own tables always have migrations.");
    } else {
        c.support(
            0.8,
            format!("`{table}` is your app `{app}`'s: without `migrations/__init__.py`, `migrate` never creates it."),
            Some(&table),
        );
    }
    c.fix(v.fix(
        "Create the migration, commit it, apply it.",
        "terminal",
        "shell",
        "$ python manage.py migrate\nNo migrations to apply.\n",
        "$ python manage.py makemigrations {app}\n$ python manage.py migrate\n$ git add {app}/migrations/\n",
    ))
    .tests(tests.clone())
    .ci(ci.clone())
    .checks(vec!["`makemigrations --check --dry-run` lists what is missing.".into()]);

    let c = r.cause("import-time-query", "A query runs at import time, before migrate", 0.2);
    if place == Place::Import {
        let f = sc::module_frame(cx);
        let code = f.and_then(|f| f.code.as_deref());
        c.support(
            6.0,
            format!(
                "`{}` queries at module level while Django imports apps/URLs, so `migrate` crashes first.",
                f.map_or("", |f| f.file.as_str())
            ),
            code,
        );
    } else {
        c.weaken(0.3, "No module-level frame of your code under Django's imports.");
    }
    c.fix(v.fix(
        "Query lazily (a callable), not at import.",
        "forms.py",
        "python",
        "CHOICES = [(c.pk, c.name) for c in Category.objects.all()]\n",
        "def choices():  # forms.ChoiceField(choices=choices)\n    return [(c.pk, c.name) for c in Category.objects.all()]\n",
    ))
    .tests(tests.clone())
    .ci(ci.clone())
    .checks(vec!["Look for querysets evaluated in models.py, forms.py, urls.py or AppConfig.ready().".into()]);

    let c = r.cause("test-database", "The test database lacks the table (unmanaged model, no migrations)", 0.1);
    if place == Place::Test {
        c.support(
            3.0,
            "A test: `managed = False` or `--nomigrations` leaves the table out of the test database.",
            None,
        );
    } else {
        c.weaken(0.3, "Nothing shows a test run.");
    }
    c.fix(v.fix(
        "Create the unmanaged model's table in the test database.",
        "conftest.py",
        "python",
        "class Meta:\n    managed = False\n    db_table = \"{table}\"\n",
        "@pytest.fixture(scope=\"session\")\ndef django_db_setup(django_db_setup, django_db_blocker):\n    with django_db_blocker.unblock(), connection.schema_editor() as e:\n        e.create_model(UnmanagedModel)  # db_table \"{table}\"\n",
    ))
    .tests(tests.clone())
    .ci(ci.clone())
    .checks(vec!["Is the model `managed = False`? Does pytest run with `--nomigrations`?".into()]);

    let c = r.cause("wrong-database", "The code uses another database than the migrated one", 0.4);
    if sqlite {
        c.support(0.6, "SQLite: a relative NAME is a new, empty file in each working directory.", None);
    }
    if !cx.facts.docker.is_empty() {
        c.support(0.6, "A container: a new volume holds an unmigrated database.", None);
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
    .checks(vec!["`diffsettings | grep -A6 DATABASES` in the failing process.".into()]);

    r.finish(|a, b| format!("Can't tell \"{a}\" from \"{b}\": `showmigrations {app}` — `[ ]` or no entry?"))
}
