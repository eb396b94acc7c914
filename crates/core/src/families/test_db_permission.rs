//! `test-db-permission` (DJ041): the test runner cannot create its test database.
//!
//! Django's own runner prints `Got an error creating the test database: …` and exits with status 2, without a
//! traceback; what reaches a traceback is pytest-django's report (`ProgrammingError: permission denied to create
//! database` with `CREATE DATABASE "test_x"`, then `SystemExit: 2`), MySQL's `(1044, "Access denied for user …")`
//! under the test database creation frames, and, for a test database left over from a killed run, the
//! `database "test_x" already exists` error followed by the `Type 'yes' …` prompt failing with `EOFError` where no
//! terminal answers (CI). Causes: a role without CREATEDB, a leftover test database, no interactive input.

use super::kit::{self, Ranking, Values};
use super::pg_common::{self as pg, short};
use super::{Context, Family};
use crate::model::{Diagnosis, Fix, Snippet};

pub const FAMILY: Family = Family {
    id: "test-db-permission",
    code: "DJ041",
    title: "The tests cannot create their test database",
    summary:
        "\"Got an error creating the test database: permission denied to create database\" (or \"… already exists\" \
              followed by a yes/no prompt that fails in CI): Django's test runner and pytest-django create a fresh \
              `test_<NAME>` database, which needs a role with CREATEDB and no leftover database of that name.",
    example: "real/postgres/test_db_permission_pytest.txt",
    diagnose,
};

const EXPLANATION: &str = "Before running any test, Django (or pytest-django) creates a separate database named \
`test_` + your NAME and drops it at the end. Creating a database needs the CREATEDB privilege, which roles on \
managed hosts usually lack; and a test database left behind by an interrupted run makes Django ask whether to \
delete it — a question nobody can answer in CI.";

const REFERENCES: [&str; 2] = [
    "Django documentation: The test database — https://docs.djangoproject.com/en/stable/topics/testing/overview/#the-test-database",
    "pytest-django documentation: --reuse-db and --create-db — https://pytest-django.readthedocs.io/en/latest/database.html",
];

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
    let ci = pg::workflow(&v, "tests against a throwaway database service");
    let tests = vec![pg::smoke_test(&v)];
    let leftover = hit.pattern == "already exists";

    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("`{}` was raised while creating the test database.", short(&hit.exception.type_name)), quote);

    let c = r.cause("no-createdb", "The database role may not create databases (no CREATEDB)", 0.5);
    if !leftover {
        c.support(4.0, "The server refused CREATE DATABASE for this role.", quote);
    } else {
        c.weaken(0.2, "The role could create databases: the name is simply taken.");
    }
    c.fix(fix_createdb(&v)).tests(tests.clone()).checks(checks(&v)).ci(ci.clone());

    let c = r.cause("leftover-test-db", "A test database from an interrupted run is still there", 0.2);
    if leftover {
        c.support(4.0, format!("`{name}` already exists: an earlier run was killed before it could drop it."), quote);
    }
    if let Some((_, e)) = eof {
        c.support(
            1.0,
            "Django then asked whether to delete it, and no one could answer (no terminal, as in CI).",
            Some(e.message.as_str()),
        );
    }
    c.fix(fix_noinput(&v)).tests(tests).checks(checks(&v)).ci(ci);

    r.finish(|a, b| {
        format!(
            "The paste cannot decide between \"{a}\" and \"{b}\". As a superuser: `\\du` shows whether the role has \
             Create DB, and `\\l {}` whether the test database is left over.",
            v.get("test_db")
        )
    })
}

fn fix_createdb(v: &Values) -> Fix {
    let mut fix = pg::fix(
        v,
        "Let the role create (and drop) the test database, or run the tests against a throwaway server where it may.",
        "psql",
        "sql",
        "-- as the app's role: CREATE DATABASE \"{test_db}\" -> permission denied\n",
        "-- as a superuser (not on production servers):\nALTER ROLE {user} CREATEDB;\n",
    );
    fix.also.push(Snippet {
        title: "Or point the tests at a database the role owns, and keep it".into(),
        file: "settings.py".into(),
        language: "python",
        code: v.fill("DATABASES[\"default\"][\"TEST\"] = {\"NAME\": \"{test_db}\"}  # created once by an admin\n# then: python manage.py test --keepdb   /   pytest --reuse-db\n"),
    });
    fix
}

fn fix_noinput(v: &Values) -> Fix {
    pg::fix(
        v,
        "Never prompt in CI: let Django drop the leftover database itself.",
        "terminal",
        "shell",
        "$ python manage.py test\nType 'yes' if you would like to try deleting the test database '{test_db}', or 'no' to cancel:\n",
        "$ python manage.py test --noinput    # pytest-django: pytest --create-db\n",
    )
}

fn checks(v: &Values) -> Vec<String> {
    vec![
        "`psql -c '\\du'` as a superuser: does the app's role have Create DB?".into(),
        v.fill("`psql -l | grep {test_db}`: is a test database left from an earlier run?"),
        "Managed databases (Heroku, some RDS setups) do not grant CREATEDB: run the tests against a CI service database instead.".into(),
    ]
}
