//! `db-version-too-old` (DJ038): the database server, the SQLite library or the driver is older than this Django
//! supports.
//!
//! Recognised by `ImproperlyConfigured` (≤ 4.0, raised when the backend is imported) or `NotSupportedError` (4.1+,
//! raised by `check_database_version_supported` on connect) with `<Product> <min> or later is required (found
//! <version>).` — SQLite, PostgreSQL, MySQL, MariaDB, Oracle — and the driver minimums `psycopg2_version 2.5.4 or
//! newer is required; you have …` (≤ 3.2), `psycopg2 version 2.8.4 or newer …` (4.x–5.2), `psycopg version 3.1.8
//! or newer …` (4.2+), `oracledb … or newer`. mysqlclient's minimum belongs to `mysqlclient-version`.

use super::ci::{self, Step};
use super::kit::{self, Ranking, Values};
use super::pg_common as pg;
use super::{Context, Family};
use crate::model::{Diagnosis, Fix};

pub const FAMILY: Family = Family {
    id: "db-version-too-old",
    code: "DJ038",
    title: "The database (or its driver) is older than this Django supports",
    summary: "\"SQLite 3.9.0 or later is required (found 3.7.17)\": the database or driver is too old.",
    example: "real/postgres/driver_too_old_psycopg316.txt",
    diagnose,
};

const EXPLANATION: &str = "Upgrade what the message names, or use an older Django.";

const REFERENCES: [&str; 1] = ["Django docs: Databases — https://docs.djangoproject.com/en/stable/ref/databases/"];

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let types = ["ImproperlyConfigured", "NotSupportedError"];
    let hit = kit::find(cx.tb, &types, &["or later is required (found"])
        .or_else(|| kit::find(cx.tb, &types, &["or newer is required; you have"]).filter(|h| is_our_driver(h.line)));
    let Some(hit) = hit else {
        return Vec::new();
    };
    let line = hit.line;
    let driver = hit.pattern.contains("newer");
    let product = line.split(' ').next().unwrap_or("SQLite");
    let product = if product.starts_with("psycopg2") { "psycopg2" } else { product };
    let needed = kit::between(line, " ", " or ").map(|s| s.trim_start_matches("version ")).unwrap_or("?");
    let found = kit::between(line, "(found ", ")").or_else(|| kit::between(line, "you have ", " ")).unwrap_or("?");
    let found = found.trim_end_matches('.');
    let sqlite = product == "SQLite";
    let mut v = Values::new(cx);
    v.set("product", product).set("needed", needed).set("found", found);
    let quote = Some(line);
    let ci = workflow(&v);
    let tests = vec![version_test(&v)];

    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(v.fill("{product} {found} < {needed}."), quote);

    let c = r.cause("old-sqlite-library", "An old system SQLite", 0.1);
    if sqlite {
        c.support(5.0, format!("Python has SQLite {found}."), quote);
    }
    c.fix(fix_sqlite(&v)).tests(tests.clone()).checks(checks(&v)).ci(ci.clone());

    let c = r.cause("old-server", "An old database server", 0.1);
    if !sqlite && !driver {
        c.support(5.0, format!("Server: {product} {found}."), quote);
    }
    c.fix(fix_server(&v)).tests(tests.clone()).checks(checks(&v)).ci(ci.clone());

    let c = r.cause("old-driver", "An old driver pin", 0.1);
    if driver {
        c.support(5.0, v.fill("Driver: {product} {found}."), quote);
    }
    c.fix(fix_driver(&v)).tests(tests).checks(checks(&v)).ci(ci);

    super::orm_common::finish(r, "which product does the message name?")
}

/// Driver minimums this family owns (mysqlclient's has its own family).
fn is_our_driver(line: &str) -> bool {
    ["psycopg", "oracledb", "cx_Oracle"].iter().any(|p| line.starts_with(p))
}

fn version_test(v: &Values) -> crate::model::Snippet {
    pg::snippet(
        "The database version is supported",
        "tests/test_database.py",
        v.fill("import pytest\nfrom django.db import connection\n\n\n@pytest.mark.django_db\ndef test_db_version():\n    connection.ensure_connection()\n    assert connection.get_database_version() >= connection.features.minimum_database_version\n"),
    )
}

fn workflow(v: &Values) -> crate::model::Snippet {
    ci::workflow(
        v,
        "versions",
        &[
            Step {
                name: "Versions",
                run: "python -c \"import sqlite3, django; print(django.get_version(), sqlite3.sqlite_version)\"",
            },
            Step { name: "DB check", run: "python manage.py check --database default" },
            Step { name: "Tests", run: "pytest" },
        ],
    )
}

fn fix_sqlite(v: &Values) -> Fix {
    pg::fix(
        v,
        "Use pysqlite3-binary (or a newer Python).",
        "settings.py",
        "python",
        "import sqlite3\n",
        "# pip install pysqlite3-binary\nimport sys\n\n__import__(\"pysqlite3\")\nsys.modules[\"sqlite3\"] = sys.modules.pop(\"pysqlite3\")\n",
    )
}

fn fix_server(v: &Values) -> Fix {
    pg::fix(
        v,
        "Upgrade to {product} {needed}+, or pin Django.",
        "requirements.txt",
        "text",
        "Django\n",
        "Django==4.2.*\n",
    )
}

fn fix_driver(v: &Values) -> Fix {
    pg::fix(v, "Upgrade the driver pin.", "requirements.txt", "text", "{product}=={found}\n", "{product}>={needed}\n")
}

fn checks(v: &Values) -> Vec<String> {
    vec![
        "`python -c \"import sqlite3; print(sqlite3.sqlite_version)\"`".into(),
        "`SELECT version();`".into(),
        v.fill("`pip show {product}`"),
    ]
}
