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
use super::pg_common::{self as pg, short};
use super::{Context, Family};
use crate::model::{Diagnosis, Fix};

pub const FAMILY: Family = Family {
    id: "db-version-too-old",
    code: "DJ038",
    title: "The database (or its driver) is older than this Django supports",
    summary:
        "\"SQLite 3.9.0 or later is required (found 3.7.17)\", \"PostgreSQL 14 or later is required (found 13.x)\" or \
              \"psycopg version 3.1.8 or newer is required; you have …\": each Django release supports a minimum \
              database server, SQLite library and driver version, and refuses to start below it.",
    example: "real/postgres/driver_too_old_psycopg316.txt",
    diagnose,
};

const EXPLANATION: &str = "Each Django release drops old database versions. At start-up (the backend import, up \
to 4.0) or on the first connection (4.1+), Django compares the version it found with its minimum and stops. The \
message names both: upgrade the piece it names — the server, the SQLite library inside Python, or the driver \
package — or use a Django release that still supports it.";

const REFERENCES: [&str; 2] = [
    "Django documentation: Databases (supported versions per backend) — https://docs.djangoproject.com/en/stable/ref/databases/",
    "Django documentation: Release notes (dropped database versions) — https://docs.djangoproject.com/en/stable/releases/",
];

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
    r.recognised(
        format!("`{}` says {product} {found} is below the minimum {needed}.", short(&hit.exception.type_name)),
        quote,
    );

    let c = r.cause("old-sqlite-library", "Python's sqlite3 uses an old SQLite library from the operating system", 0.1);
    if sqlite {
        c.support(
            5.0,
            format!("SQLite {found} is the library Python was built with (3.7.17 is CentOS/RHEL 7's)."),
            quote,
        );
    }
    c.fix(fix_sqlite(&v)).tests(tests.clone()).checks(checks(&v)).ci(ci.clone());

    let c = r.cause("old-server", "The database server is older than this Django supports", 0.1);
    if !sqlite && !driver {
        c.support(5.0, format!("The server reports {product} {found}."), quote);
    }
    c.fix(fix_server(&v)).tests(tests.clone()).checks(checks(&v)).ci(ci.clone());

    let c = r.cause("old-driver", "The driver package is pinned to a version this Django rejects", 0.1);
    if driver {
        c.support(5.0, format!("The installed {product} is {found}; this Django needs {needed} or newer."), quote);
    }
    c.fix(fix_driver(&v)).tests(tests).checks(checks(&v)).ci(ci);

    r.finish(|a, b| {
        format!("The paste cannot decide between \"{a}\" and \"{b}\": read which product the message names.")
    })
}

/// Driver minimums this family owns (mysqlclient's has its own family).
fn is_our_driver(line: &str) -> bool {
    ["psycopg", "oracledb", "cx_Oracle"].iter().any(|p| line.starts_with(p))
}

fn version_test(v: &Values) -> crate::model::Snippet {
    pg::snippet(
        "The database is a version this Django supports (Django 4.1+)",
        "tests/test_database.py",
        v.fill("import pytest\nfrom django.db import connection\n\n\n@pytest.mark.django_db\ndef test_database_version_is_supported():\n    connection.ensure_connection()\n    assert connection.get_database_version() >= connection.features.minimum_database_version\n"),
    )
}

fn workflow(v: &Values) -> crate::model::Snippet {
    ci::workflow(
        v,
        "the same database version and driver as production",
        &[
            Step {
                name: "Show versions",
                run: "python -c \"import sqlite3, django; print(django.get_version(), sqlite3.sqlite_version)\"",
            },
            Step { name: "Connect and check the server version", run: "python manage.py check --database default" },
            Step { name: "Run the tests", run: "pytest" },
        ],
    )
}

fn fix_sqlite(v: &Values) -> Fix {
    pg::fix(
        v,
        "Use a Python built against a newer SQLite (a current base image), or swap in pysqlite3-binary before Django loads.",
        "settings.py",
        "python",
        "DATABASES = {\"default\": {\"ENGINE\": \"django.db.backends.sqlite3\", \"NAME\": \"db.sqlite3\"}}\n",
        "# pip install pysqlite3-binary  (Linux wheels bundle a current SQLite)\nimport sys\n\n__import__(\"pysqlite3\")\nsys.modules[\"sqlite3\"] = sys.modules.pop(\"pysqlite3\")\n\nDATABASES = {\"default\": {\"ENGINE\": \"django.db.backends.sqlite3\", \"NAME\": \"db.sqlite3\"}}\n",
    )
}

fn fix_server(v: &Values) -> Fix {
    pg::fix(
        v,
        "Upgrade the server to {product} {needed}+ — or keep a Django release that still supports {found}.",
        "requirements.txt",
        "text",
        "Django  # latest: needs {product} {needed}+\n",
        "Django==4.2.*  # if the {product} {found} server cannot be upgraded yet (check its supported versions)\n",
    )
}

fn fix_driver(v: &Values) -> Fix {
    pg::fix(v, "Upgrade the driver pin.", "requirements.txt", "text", "{product}=={found}\n", "{product}>={needed}\n")
}

fn checks(v: &Values) -> Vec<String> {
    vec![
        "`python -c \"import sqlite3; print(sqlite3.sqlite_version)\"` with the Python that runs Django.".into(),
        "`SELECT version();` on the server Django connects to.".into(),
        v.fill("`python -m pip show {product}`: which driver version is installed?"),
    ]
}
