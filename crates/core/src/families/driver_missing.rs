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
    title: "The database driver is not installed",
    summary: "ImproperlyConfigured \"Error loading psycopg2 module\": Django's Python cannot import the driver.",
    example: "real/postgres/driver_missing_dj52.txt",
    diagnose,
};

const EXPLANATION: &str = "The database backend could not import its driver in the Python that runs Django; \
usually it is installed elsewhere (another virtualenv, not in the image).";

const REFERENCES: [&str; 1] = ["Django docs: ENGINE — https://docs.djangoproject.com/en/stable/ref/settings/#engine"];

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
        "import the backend",
        &[
            Step { name: "Check", run: "python manage.py check --database default" },
            Step { name: "Test", run: "pytest" },
        ],
    );
    let tests = vec![v.snippet("Backend imports", "tests/test_db_driver.py", "python", TEST)];

    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("`{}`: the backend did not load.", short(&hit.exception.type_name)), quote);
    if let Some(e) = cx
        .tb
        .exceptions
        .iter()
        .find(|e| e.type_name.ends_with("ModuleNotFoundError") || e.type_name.ends_with("ImportError"))
    {
        r.recognised("The chained error names the module.", e.message.lines().next());
    }

    let c = r.cause("not-installed", "Driver not installed where Django runs", 1.5);
    if engine_typo || binary {
        c.weaken(0.3, "A bad ENGINE or broken binary.");
    }
    if let Some(p) = cx.facts.python_prefix.as_deref() {
        c.support(0.5, format!("Django ran from `{p}`."), None);
    }
    let install = v.fix(
        "Install it with Django's Python; pin it.",
        "terminal",
        "shell",
        "$ pip install {package}\n",
        "$ python -m pip install {package}\n$ echo '{package}' >> requirements.txt\n",
    );
    c.fix(install.clone()).tests(tests.clone()).checks(checks(&v)).ci(ci.clone());

    let c = r.cause("binary-broken", "The driver's binary does not load", 0.1);
    if binary {
        c.support(4.0, "The compiled module failed.", quote);
    }
    c.fix(install).tests(tests.clone()).checks(checks(&v)).ci(ci.clone());

    let c = r.cause("engine-typo", "ENGINE is misspelt", 0.05);
    if engine_typo {
        c.support(6.0, format!("`{backend}` is no backend."), quote);
    }
    c.fix(v.fix(
        "Use the exact backend path.",
        "settings.py",
        "python",
        "DATABASES = {\"default\": {\"ENGINE\": \"{backend}\"}}\n",
        "DATABASES = {\"default\": {\"ENGINE\": \"django.db.backends.postgresql\"}}\n",
    ))
    .tests(tests)
    .checks(checks(&v))
    .ci(ci);

    orm::finish(r, &v.fill("`python -c \"import {module}\"` where Django runs."))
}

const TEST: &str = r#"import importlib

from django.conf import settings


def test_backend_imports():
    importlib.import_module(settings.DATABASES["default"]["ENGINE"] + ".base")
"#;

fn checks(v: &Values) -> Vec<String> {
    vec![
        v.fill("`python -m pip show {package}` where Django runs."),
        "`pip install` errors (`pg_config not found`)?".into(),
    ]
}
