//! `driver-missing` (DJ015): the database driver (or the backend module) cannot be imported.
//!
//! Recognised by `ImproperlyConfigured` with Django's texts for every backend and release: `Error loading
//! psycopg2 module: …` (≤ 4.1), `Error loading psycopg2 or psycopg module` (4.2+), `Error loading MySQLdb
//! module.\nDid you install mysqlclient?` (1.11: `…: %s.\nDid you install mysqlclient or MySQL-python?`), `Error
//! loading cx_Oracle module` / `Error loading oracledb module`, `Error loading either pysqlite2 or sqlite3
//! modules`, `Error loading psycopg_pool module`, and the unimportable ENGINE `'x' isn't an available database
//! backend`. Causes: not installed in the interpreter that runs Django, a binary wheel that does not load, a
//! misspelt ENGINE.

use super::ci::{self, Step};
use super::kit::{self, Ranking, Values};
use super::pg_common::{self as pg, short};
use super::{Context, Family};
use crate::model::{Diagnosis, Fix};

pub const FAMILY: Family = Family {
    id: "driver-missing",
    code: "DJ015",
    title: "The database driver is not installed (or not importable)",
    summary: "ImproperlyConfigured \"Error loading psycopg2 module\" / \"Error loading psycopg2 or psycopg module\" / \
              \"Error loading MySQLdb module\", or \"… isn't an available database backend\": Django's database backend \
              imports its driver at start-up, and the Python that runs Django cannot import it — not installed in \
              that environment, a broken binary, or a misspelt ENGINE.",
    example: "real/postgres/driver_missing_dj52.txt",
    diagnose,
};

const EXPLANATION: &str = "Django's database backend imports a driver package (psycopg or psycopg2 for PostgreSQL, \
mysqlclient for MySQL, oracledb for Oracle) when it loads, and that import failed in the Python that runs Django. \
Usually the package is installed somewhere else — another virtualenv, the system Python, your machine instead of \
the Docker image. The exception chained before this one says exactly what could not be imported.";

const REFERENCES: [&str; 2] = [
    "Django documentation: Get your database running (database bindings) — https://docs.djangoproject.com/en/stable/topics/install/#get-your-database-running",
    "Django documentation: Settings › DATABASES › ENGINE — https://docs.djangoproject.com/en/stable/ref/settings/#engine",
];

const PATTERNS: [&str; 8] = [
    "Error loading psycopg2",
    "Error loading psycopg_pool module",
    "Error loading psycopg",
    "Error loading MySQLdb module",
    "Error loading cx_Oracle module",
    "Error loading oracledb module",
    "Error loading either pysqlite2 or sqlite3",
    "isn't an available database backend",
];

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let Some(hit) = kit::find(cx.tb, &["ImproperlyConfigured"], &PATTERNS) else {
        return Vec::new();
    };
    let msg = hit.exception.message.as_str();
    let engine_typo = hit.pattern.starts_with("isn't");
    let binary = cx.tb.exceptions.iter().any(|e| {
        e.message.contains("DLL load failed")
            || e.message.contains("undefined symbol")
            || e.message.contains("_psycopg")
    }) || msg.contains("DLL load failed");
    let (package, module) = match hit.pattern {
        p if p.contains("MySQLdb") => ("mysqlclient", "MySQLdb"),
        p if p.contains("psycopg_pool") => ("\"psycopg[binary,pool]\"", "psycopg_pool"),
        p if p.contains("Oracle") || p.contains("oracledb") => ("oracledb", "oracledb"),
        p if p.contains("sqlite") => ("pysqlite3-binary", "sqlite3"),
        _ if msg.contains("psycopg2 or psycopg") => ("\"psycopg[binary]\"", "psycopg"),
        _ => ("psycopg2-binary", "psycopg2"),
    };
    let mut v = Values::new(cx);
    v.set("package", package);
    v.set("module", module);
    let backend = pg::quoted(msg, "").filter(|_| engine_typo).unwrap_or("django.db.backends.postgresql");
    v.set("backend", backend);
    if module == "MySQLdb" {
        v.set("engine", "django.db.backends.mysql").set("driver_pip", "mysqlclient");
    } else if module.starts_with("psycopg") {
        v.set("engine", "django.db.backends.postgresql").set("driver_pip", package.trim_matches('"'));
    }
    let quote = Some(hit.line);
    let ci = workflow(&v);
    let tests = vec![import_test(&v)];

    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(
        format!("`{}` says Django could not load its database backend.", short(&hit.exception.type_name)),
        quote,
    );
    if let Some(e) = cx
        .tb
        .exceptions
        .iter()
        .find(|e| e.type_name.ends_with("ModuleNotFoundError") || e.type_name.ends_with("ImportError"))
    {
        r.recognised("The chained import error names what is missing.", e.message.lines().next());
    }

    let c = r.cause("not-installed", "The driver is not installed in the Python environment that runs Django", 1.5);
    if engine_typo || binary {
        c.weaken(0.3, "The message points to a misspelt ENGINE or a broken binary instead.");
    }
    if let Some(p) = cx.facts.python_prefix.as_deref() {
        c.support(0.5, format!("Django ran from `{p}`: install the driver with that environment's pip."), None);
    }
    c.fix(fix_install(&v)).tests(tests.clone()).checks(checks(&v)).ci(ci.clone());

    let c = r.cause("binary-broken", "The driver is installed but its compiled part does not load", 0.1);
    if binary {
        c.support(
            4.0,
            "The import failed inside the driver's compiled module (DLL load / undefined symbol / _psycopg).",
            quote,
        );
    }
    c.fix(fix_install(&v)).tests(tests.clone()).checks(checks(&v)).ci(ci.clone());

    let c = r.cause("engine-typo", "ENGINE names a backend that does not exist", 0.05);
    if engine_typo {
        c.support(
            6.0,
            format!("`{backend}` is not one of Django's backends (mysql, oracle, postgresql, sqlite3)."),
            quote,
        );
    }
    c.fix(fix_engine(&v)).tests(tests).checks(checks(&v)).ci(ci);

    r.finish(|a, b| {
        format!(
            "The paste cannot decide between \"{a}\" and \"{b}\". Run `python -c \"import sys, {}; print(sys.executable)\"` with the same command that starts Django.",
            v.get("module")
        )
    })
}

fn import_test(v: &Values) -> crate::model::Snippet {
    pg::snippet(
        "The database backend and its driver import",
        "tests/test_database_driver.py",
        v.fill("import importlib\n\nfrom django.conf import settings\n\n\ndef test_database_backend_imports():\n    engine = settings.DATABASES[\"default\"][\"ENGINE\"]\n    importlib.import_module(engine + \".base\")  # raises ImproperlyConfigured like the paste\n"),
    )
}

fn workflow(v: &Values) -> crate::model::Snippet {
    ci::workflow(
        v,
        "install the driver from requirements and import the backend",
        &[
            Step {
                name: "Import the database backend",
                run: "python manage.py shell -c \"from django.db import connection; print(connection.vendor)\"",
            },
            Step { name: "Run the tests", run: "pytest" },
        ],
    )
}

fn fix_install(v: &Values) -> Fix {
    pg::fix(
        v,
        "Install the driver with the pip of the environment that runs Django, and pin it in requirements.txt.",
        "terminal",
        "shell",
        "$ python manage.py {command}\n... Error loading {module} module\n",
        "$ python -m pip install {package}        # the same python that runs manage.py\n$ echo '{package}' >> requirements.txt    # and rebuild the Docker image\n",
    )
}

fn fix_engine(v: &Values) -> Fix {
    pg::fix(
        v,
        "Use the exact backend path.",
        "settings.py",
        "python",
        "DATABASES = {\"default\": {\"ENGINE\": \"{backend}\"}}\n",
        "DATABASES = {\"default\": {\"ENGINE\": \"django.db.backends.postgresql\"}}  # or mysql, sqlite3, oracle\n",
    )
}

fn checks(v: &Values) -> Vec<String> {
    vec![
        v.fill("`python -m pip show {package}` with the python that runs Django (`which python`, the venv in the Docker image, the one gunicorn uses)."),
        "The debug page's \"Python Executable\" and \"Python Path\" fields show which environment really ran.".into(),
        "`pip install` errors earlier (`pg_config executable not found`, `mysql_config not found`) mean the build failed silently.".into(),
    ]
}
