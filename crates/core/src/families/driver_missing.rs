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
use super::orm_common as orm;
use super::pg_common::{self as pg, short};
use super::{Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "driver-missing",
    code: "DJ015",
    title: "The database driver is not installed (or not importable)",
    summary: "ImproperlyConfigured \"Error loading psycopg2 / psycopg / MySQLdb module\" or \"… isn't an \
              available database backend\": the Python that runs Django cannot import the driver — not installed \
              there, a broken binary, or a misspelt ENGINE.",
    example: "real/postgres/driver_missing_dj52.txt",
    diagnose,
};

const EXPLANATION: &str = "Django's database backend imports its driver (psycopg/psycopg2, mysqlclient, oracledb) \
when it loads, and that import failed in the Python that runs Django. Usually the package is installed elsewhere \
(another virtualenv, not in the Docker image). The chained exception names what could not be imported.";

const REFERENCES: [&str; 2] = [
    "Django docs: Database bindings — https://docs.djangoproject.com/en/stable/topics/install/#get-your-database-running",
    "Django docs: ENGINE — https://docs.djangoproject.com/en/stable/ref/settings/#engine",
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
    let ci = ci::workflow(
        &v,
        "install requirements and import the backend",
        &[
            Step { name: "Checks", run: "python manage.py check --database default" },
            Step { name: "Tests", run: "pytest" },
        ],
    );
    let tests = vec![v.snippet("The database backend imports", "tests/test_db_driver.py", "python", TEST)];

    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("`{}`: Django could not load its database backend.", short(&hit.exception.type_name)), quote);
    if let Some(e) = cx
        .tb
        .exceptions
        .iter()
        .find(|e| e.type_name.ends_with("ModuleNotFoundError") || e.type_name.ends_with("ImportError"))
    {
        r.recognised("The chained import error names what is missing.", e.message.lines().next());
    }

    let c = r.cause("not-installed", "The driver is not installed in the environment that runs Django", 1.5);
    if engine_typo || binary {
        c.weaken(0.3, "The message points to a bad ENGINE or a broken binary.");
    }
    if let Some(p) = cx.facts.python_prefix.as_deref() {
        c.support(0.5, format!("Django ran from `{p}`: use its pip."), None);
    }
    let install = v.fix(
        "Install the driver with the pip of the Python that runs Django, and pin it in requirements.txt.",
        "terminal",
        "shell",
        "$ python manage.py {command}\n... Error loading {module} module\n",
        "$ python -m pip install {package}\n$ echo '{package}' >> requirements.txt\n",
    );
    c.fix(install.clone()).tests(tests.clone()).checks(checks(&v)).ci(ci.clone());

    let c = r.cause("binary-broken", "The driver is installed but its compiled part does not load", 0.1);
    if binary {
        c.support(4.0, "The import failed in the driver's compiled module.", quote);
    }
    c.fix(install).tests(tests.clone()).checks(checks(&v)).ci(ci.clone());

    let c = r.cause("engine-typo", "ENGINE names a backend that does not exist", 0.05);
    if engine_typo {
        c.support(6.0, format!("`{backend}` is not a Django backend."), quote);
    }
    c.fix(v.fix(
        "Use the exact backend path.",
        "settings.py",
        "python",
        "DATABASES = {\"default\": {\"ENGINE\": \"{backend}\"}}\n",
        "DATABASES = {\"default\": {\"ENGINE\": \"django.db.backends.postgresql\"}}  # or mysql, sqlite3\n",
    ))
    .tests(tests)
    .checks(checks(&v))
    .ci(ci);

    orm::finish(r, &v.fill("`python -c \"import {module}\"` with the Python that runs Django."))
}

const TEST: &str = r#"import importlib

from django.conf import settings


def test_database_backend_imports():
    importlib.import_module(settings.DATABASES["default"]["ENGINE"] + ".base")
"#;

fn checks(v: &Values) -> Vec<String> {
    vec![
        v.fill("`python -m pip show {package}` with the Python that runs Django (venv, Docker image, gunicorn's)."),
        "Earlier `pip install` errors (`pg_config not found`) mean the build failed.".into(),
    ]
}
