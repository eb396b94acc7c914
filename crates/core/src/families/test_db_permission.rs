//! `test-db-permission` (DJ041): the test runner cannot create its test database.
//!
//! Django's own runner prints `Got an error creating the test database: …` and exits with status 2, without a
//! traceback; what reaches a traceback is pytest-django's report (`ProgrammingError: permission denied to create
//! database` with `CREATE DATABASE "test_x"`, then `SystemExit: 2`), MySQL's `(1044, "Access denied for user …")`
//! under the test database creation frames, and, for a test database left over from a killed run, the
//! `database "test_x" already exists` error followed by the `Type 'yes' …` prompt failing with `EOFError` where no
//! terminal answers (CI). Causes: a role without CREATEDB, a leftover test database, no interactive input.

use super::kit::{self, Ranking};
use super::pg_common::{self as pg, short};
use super::{Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "test-db-permission",
    code: "DJ041",
    title: "The tests cannot create their test database",
    summary: "\"Got an error creating the test database\": no CREATEDB, or a leftover test database prompts in CI.",
    example: "real/postgres/test_db_permission_pytest.txt",
    diagnose,
};

const EXPLANATION: &str = "Tests create `test_` + NAME (needs CREATEDB); a leftover one makes Django prompt.";

const REFERENCES: [&str; 1] = ["Django docs: The test database — https://docs.djangoproject.com/en/stable/topics/testing/overview/#the-test-database"];

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let tb = cx.tb;
    let creating = kit::has_frame(tb, "creation.py", "_execute_create_test_db")
        || kit::has_frame(tb, "creation.py", "_create_test_db");
    let denied = kit::find(tb, &[], &["permission denied to create database"]);
    let mysql = kit::find(tb, &[], &["(1044, \"Access denied for user"]).filter(|_| creating);
    let exists = kit::find(tb, &[], &["already exists"]).filter(|h| creating && h.line.contains("database"));
    let eof = kit::find_type(tb, &["EOFError"]).filter(|_| creating);
    let Some(hit) = denied.or(mysql).or(exists) else {
        return Vec::new();
    };
    let name = pg::quoted(hit.line, "database ").unwrap_or("test_app");
    let mut v = pg::values(cx);
    if let Some(e) = cx.facts.db_engine.as_deref().filter(|e| *e == "mysql") {
        v.set("engine", format!("django.db.backends.{e}"));
    }
    v.set("test_db", name);
    v.set("user", "app");
    let quote = Some(hit.line);
    let ci = pg::workflow(&v, "PostgreSQL");
    let tests = vec![pg::smoke_test(&v)];
    let leftover = hit.pattern == "already exists";

    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("`{}` creating the test database.", short(&hit.exception.type_name)), quote);
    let checks = CHECKS.iter().map(|s| v.fill(s)).collect::<Vec<_>>();

    let c = r.cause("no-createdb", "Role lacks CREATEDB", 0.5);
    if !leftover {
        c.support(4.0, "CREATE DATABASE refused.", quote);
    } else {
        c.weaken(0.2, "The name is taken.");
    }
    let mut fix = v.fix(FIX_CREATEDB.0, FIX_CREATEDB.1, FIX_CREATEDB.2, FIX_CREATEDB.3, FIX_CREATEDB.4);
    fix.also.push(v.snippet("Or a kept test database", "settings.py", "python", KEEPDB));
    c.fix(fix).tests(tests.clone()).checks(checks.clone()).ci(ci.clone());

    let c = r.cause("leftover-test-db", "Leftover test database", 0.2);
    if leftover {
        c.support(4.0, format!("`{name}` exists."), quote);
    }
    if let Some((_, e)) = eof {
        c.support(1.0, "The delete prompt got no answer.", Some(e.message.as_str()));
    }
    c.fix(v.fix(FIX_NOINPUT.0, FIX_NOINPUT.1, FIX_NOINPUT.2, FIX_NOINPUT.3, FIX_NOINPUT.4))
        .tests(tests)
        .checks(checks)
        .ci(ci);

    super::orm_common::finish(r, "`\\du` and `\\l` as superuser.")
}

const FIX_CREATEDB: (&str, &str, &str, &str, &str) =
    ("Grant CREATEDB.", "psql", "sql", "ALTER ROLE {user} NOCREATEDB;\n", "ALTER ROLE {user} CREATEDB;\n");

const KEEPDB: &str = "DATABASES[\"default\"][\"TEST\"] = {\"NAME\": \"{test_db}\"}\n";

const FIX_NOINPUT: (&str, &str, &str, &str, &str) =
    ("Never prompt in CI.", "terminal", "shell", "$ python manage.py test\n", "$ python manage.py test --noinput\n");

const CHECKS: [&str; 2] = ["`psql -c '\\du'`: Create DB?", "`psql -l | grep {test_db}`."];
