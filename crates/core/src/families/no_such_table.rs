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
    summary: "OperationalError \"no such table\" (SQLite) or ProgrammingError \"relation … does not exist\" \
              (PostgreSQL) / \"Table … doesn't exist\" (MySQL): Django queried a table that was never created in \
              this database — migrations not run, never created for the app, a query at import time that runs \
              before migrate, or tests and settings pointing at another database.",
    example: "real/sqlite_no_such_table.txt",
    diagnose,
};

const EXPLANATION: &str = "Django sent a query for the table `{table}` and the database answered that it has no \
such table. Tables are created by migrations: `makemigrations` writes them for your models, `migrate` runs them \
against the database in your settings. One of the two did not happen for `{app}`, or it happened against another \
database than the one this code used.";

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
    r.recognised(format!("The database has no table `{table}`; it ran from {}.", sc::place_words(place)), Some(line));

    let c = r.cause("migrate-not-run", "Migrations were not applied to this database", 2.0);
    if django_table {
        c.support(2.5, format!("`{table}` belongs to Django's own `{app}` app, which always ships migrations: `migrate` has not run on this database."), Some(&table));
    }
    if place == Place::Request {
        c.support(0.5, "A running site queried it: the database it uses was never migrated (new database, new volume, fresh clone).", None);
    }
    c.fix(v.fix(
        "Apply the migrations to the database the settings point at, then start the app.",
        "terminal",
        "shell",
        "$ python manage.py runserver\ndjango.db.utils.OperationalError: no such table: {table}\n",
        "$ python manage.py showmigrations {app}   # [ ] = not applied\n$ python manage.py migrate\n$ python manage.py runserver\n",
    ))
    .tests(tests.clone())
    .ci(ci.clone())
    .checks(vec![v.fill("`python manage.py showmigrations {app}`: unapplied migrations show `[ ]`."), "Run `migrate` with the same settings and environment (DJANGO_SETTINGS_MODULE, DATABASE_URL) as the failing process.".into()]);

    let c =
        r.cause("migration-missing", "No migration creates this table: makemigrations was not run for the app", 1.0);
    if django_table {
        c.weaken(0.1, format!("`{table}` is one of Django's own tables, whose migrations always exist."));
    } else {
        c.support(0.8, format!("`{table}` belongs to your app `{app}`: if its `migrations/` folder (with `__init__.py`) is missing, `migrate` says \"No migrations to apply\" and never creates it."), Some(&table));
    }
    c.fix(v.fix(
        "Create the app's migration, commit it, and apply it.",
        "terminal",
        "shell",
        "$ python manage.py migrate\nNo migrations to apply.\n",
        "$ python manage.py makemigrations {app}\n$ python manage.py migrate\n$ git add {app}/migrations/\n",
    ))
    .tests(tests.clone())
    .ci(ci.clone())
    .checks(vec![
        v.fill("Is there a `{app}/migrations/__init__.py` and a migration with `CreateModel` for this table?"),
        "`python manage.py makemigrations --check --dry-run` lists what is missing.".into(),
    ]);

    let c = r.cause("import-time-query", "A query runs at import time, before migrate can create the table", 0.2);
    if place == Place::Import {
        let f = sc::module_frame(cx);
        let code = f.and_then(|f| f.code.as_deref());
        c.support(6.0, format!("Your module `{}` runs a query at module level while Django imports URLs/apps, so `migrate` itself crashes before it can create the table.", f.map_or("", |f| f.file.as_str())), code);
    } else {
        c.weaken(0.3, "No module-level frame of your code sits under Django's import of apps or URLs.");
    }
    c.fix(v.fix(
        "Evaluate the query lazily (when a request or form needs it), not when the module is imported.",
        "forms.py",
        "python",
        "CHOICES = [(c.pk, c.name) for c in Category.objects.all()]\n\n\nclass FilterForm(forms.Form):\n    category = forms.ChoiceField(choices=CHOICES)\n",
        "def category_choices():\n    return [(c.pk, c.name) for c in Category.objects.all()]\n\n\nclass FilterForm(forms.Form):\n    # A callable is evaluated each time the form is built, never at import.\n    category = forms.ChoiceField(choices=category_choices)\n",
    ))
    .tests(tests.clone())
    .ci(ci.clone())
    .checks(vec!["Look for querysets evaluated at module level in models.py, forms.py, urls.py, admin.py or AppConfig.ready().".into()]);

    let c = r.cause(
        "test-database",
        "The test database lacks the table (unmanaged model, or migrations disabled in tests)",
        0.1,
    );
    if place == Place::Test {
        c.support(3.0, "It failed in a test: the test database is built from migrations, so a `managed = False` model or `--nomigrations`/`MIGRATE: False` leaves the table out.", None);
    } else {
        c.weaken(0.3, "Nothing shows a test run.");
    }
    c.fix(v.fix(
        "Create the table of an unmanaged model in the test database (or make the model managed in tests).",
        "conftest.py",
        "python",
        "class Meta:\n    managed = False\n    db_table = \"{table}\"\n",
        "import pytest\nfrom django.apps import apps\nfrom django.db import connection\n\n\n@pytest.fixture(scope=\"session\")\ndef django_db_setup(django_db_setup, django_db_blocker):\n    with django_db_blocker.unblock():\n        with connection.schema_editor() as editor:\n            for model in apps.get_models():\n                if not model._meta.managed and model._meta.db_table == \"{table}\":\n                    editor.create_model(model)\n",
    ))
    .tests(tests.clone())
    .ci(ci.clone())
    .checks(vec![v.fill("Is the model for `{table}` `managed = False`? Does pytest run with `--nomigrations`?")]);

    let c = r.cause("wrong-database", "The code uses another database than the one you migrated", 0.4);
    if sqlite {
        c.support(
            0.6,
            "SQLite: a relative NAME opens a different file for each working directory, and each new file is empty.",
            None,
        );
    }
    if !cx.facts.docker.is_empty() {
        c.support(0.6, "A container: a new volume or image holds a fresh, unmigrated database.", None);
    }
    c.fix(v.fix(
        "Give the database an absolute location so every process (server, shell, tests) opens the same one.",
        "settings.py",
        "python",
        "DATABASES = {\"default\": {\"ENGINE\": \"django.db.backends.sqlite3\", \"NAME\": \"db.sqlite3\"}}\n",
        "from pathlib import Path\n\nBASE_DIR = Path(__file__).resolve().parent.parent\nDATABASES = {\"default\": {\"ENGINE\": \"django.db.backends.sqlite3\", \"NAME\": BASE_DIR / \"db.sqlite3\"}}\n",
    ))
    .tests(tests)
    .ci(ci)
    .checks(vec!["`python manage.py diffsettings | grep -A6 DATABASES` in the failing process: which database is it?".into()]);

    r.finish(|a, b| {
        format!("The paste cannot decide between \"{a}\" and \"{b}\". Run `python manage.py showmigrations {app}` with the failing process's settings: `[ ]` means not applied; no entry for the app means no migration exists.")
    })
}
