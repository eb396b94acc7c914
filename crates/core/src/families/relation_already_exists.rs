//! `relation-already-exists` (DJ028): a migration creates a table (or index) that is already there.
//!
//! Recognised by PostgreSQL's `relation "x" already exists`, SQLite's `table "x" already exists` / `index x
//! already exists` and MySQL's `(1050, "Table 'x' already exists")`; `column … already exists` is not claimed.
//! Causes: tables made outside migrations, lost history, two migrations creating the same table.

use super::kit::{self, Ranking, Values};
use super::schema_common as sc;
use super::{Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "relation-already-exists",
    code: "DJ028",
    title: "A migration creates a table that already exists",
    summary: "\"already exists\": the table exists but its migration is not recorded.",
    example: "real/mysql/pg_relation_already_exists.txt",
    diagnose,
};

const EXPLANATION: &str = "A migration not in `django_migrations` creates a table the database already has.";

const REFERENCES: [&str; 1] = [
    "Django docs: --fake-initial — https://docs.djangoproject.com/en/stable/ref/django-admin/#cmdoption-migrate-fake-initial",
];

fn recognise(line: &str) -> Option<&str> {
    if !line.contains("already exists") || line.contains("column ") {
        return None;
    }
    kit::between(line, "relation \"", "\"")
        .or_else(|| kit::between(line, "table \"", "\""))
        .or_else(|| kit::between(line, "Table '", "'").filter(|_| line.contains("(1050,")))
        .or_else(|| kit::between(line, "table ", " already").filter(|_| line.starts_with("table ")))
        .or_else(|| kit::between(line, "index ", " already").filter(|_| line.starts_with("index ")))
}

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let types = ["ProgrammingError", "OperationalError", "DuplicateTable"];
    let Some(hit) = kit::find(cx.tb, &types, &["already exists"]) else {
        return Vec::new();
    };
    let line = hit.line;
    let Some(name) = recognise(line) else {
        return Vec::new();
    };
    let index =
        line.starts_with("index ") || name.ends_with("_uniq") || name.ends_with("_idx") || name.ends_with("_like");
    let app = name.split('_').next().filter(|a| !a.is_empty()).unwrap_or("app");
    let migrate = cx.facts.management_command.as_deref() == Some("migrate");
    let tests_run = matches!(cx.facts.runner.as_deref(), Some("pytest" | "django-test"));
    let mut v = Values::new(cx);
    v.set("table", name).set("app", app);
    let workflow = sc::migrations_ci(&v);
    let tests = vec![sc::test_migrations()];
    let show = v.fill("`python manage.py showmigrations {app}`");
    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("`{name}` already exists."), Some(line));

    let c = r.cause("made-outside-migrations", "Table made outside migrations", 1.0);
    if migrate && !index {
        c.support(1.0, "`migrate` on an existing schema.", None);
    }
    if index {
        c.weaken(0.5, "An index.");
    }
    c.fix(v.fix("Mark it applied.", "terminal", "shell", "", "$ python manage.py migrate {app} --fake-initial\n"))
        .tests(tests.clone())
        .ci(workflow.clone())
        .checks(vec![show.clone()]);

    let c = r.cause("history-lost", "Migration history lost", 0.8);
    if migrate {
        c.support(0.5, "Not recorded.", None);
    }
    c.fix(v.fix("Record it with --fake.", "terminal", "shell", "", "$ python manage.py migrate {app} 0001 --fake\n"))
        .tests(tests.clone())
        .ci(workflow.clone())
        .checks(vec![show]);

    let c = r.cause("duplicate-migration", "Two migrations create it", 0.4);
    if index {
        c.support(2.0, "An index.", Some(name));
    }
    if tests_run {
        c.support(1.5, "Fresh test database.", None);
    }
    c.fix(v.fix(
        "Remove the duplicate.",
        "migrations/00xx.py",
        "python",
        "migrations.CreateModel(name=\"Model\", fields=[])\n",
        "",
    ))
    .tests(tests)
    .ci(workflow)
    .checks(vec![v.fill("`grep -r {table} */migrations`")]);
    super::orm_common::finish(r, "compare `showmigrations` with the tables.")
}
