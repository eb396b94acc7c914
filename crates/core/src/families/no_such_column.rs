//! `no-such-column` (DJ012): the table exists but lacks a column the model (or the SQL) names.
//!
//! Recognised by `OperationalError`/`ProgrammingError` in every wording: SQLite `no such column: t.c` and, on
//! INSERT, `table t has no column named c`; PostgreSQL `column t.c does not exist` and `column "c" of relation
//! "t" does not exist`; MySQL/MariaDB `(1054, "Unknown column 't.c' in 'field list'")` (MariaDB 10.11 says
//! `in 'SELECT'`); Oracle `ORA-00904: … invalid identifier`. Causes: a field added without a migration, a
//! migration not applied (or deployed after the code), a faked migration or another database, raw SQL.

use super::kit::{self, Ranking, Values};
use super::orm_common as orm;
use super::schema_common::{self as sc, Place};
use super::{Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "no-such-column",
    code: "DJ012",
    title: "The table has no such column",
    summary: "\"no such column\" / \"column … does not exist\": a model field has no column in the table.",
    example: "real/schema/sqlite_no_such_column_select.txt",
    diagnose,
};

const EXPLANATION: &str = "`{table}` has no column `{column}`: a field's migration was not written or not applied.";

/// (table, column, line) from the message.
fn recognise(message: &str) -> Option<(String, String, &str)> {
    for line in message.lines() {
        let l = line.trim();
        if let Some(p) = l.find("no such column: ") {
            let (t, c) = sc::split_column(&l[p + 16..]);
            return Some((t, c, l));
        }
        if l.starts_with("table ") && l.contains(" has no column named ") {
            let t = kit::between(l, "table ", " has no column").map(sc::ident).unwrap_or_default();
            let c = kit::between(l, "no column named ", "\n").map(sc::ident).unwrap_or_default();
            return Some((t, c, l));
        }
        if l.starts_with("column ") && l.ends_with(" does not exist") {
            if l.contains(" of relation \"") {
                let c = sc::quoted(l, "column \"", "\"").unwrap_or_default();
                let t = sc::quoted(l, "of relation \"", "\"").unwrap_or_default();
                return Some((t, c, l));
            }
            let (t, c) = sc::split_column(l.trim_start_matches("column ").trim_end_matches(" does not exist"));
            return Some((t, c, l));
        }
        if l.contains("(1054, ") {
            let (t, c) = sc::split_column(kit::between(l, "Unknown column '", "'").unwrap_or(""));
            return Some((t, c, l));
        }
        if l.contains("ORA-00904") {
            return Some((String::new(), sc::quoted(l, "\"", "\"").unwrap_or_default(), l));
        }
    }
    None
}

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let found = kit::last_of_type(cx.tb, &["OperationalError", "ProgrammingError", "DatabaseError", "UndefinedColumn"])
        .and_then(|e| recognise(&e.message));
    let Some((table, column, line)) = found else { return Vec::new() };
    let table = if table.is_empty() { "app_model".to_string() } else { table };
    let column = if column.is_empty() { "field".to_string() } else { column };
    let field = column.strip_suffix("_id").unwrap_or(&column).to_string();
    let app = sc::table_app(&table).to_string();
    let place = sc::place(cx);
    let mut v = Values::new(cx);
    v.set("table", table.as_str()).set("column", column.as_str()).set("field", field).set("app", app.as_str());
    let ci = sc::migrations_ci(&v);
    let tests = vec![sc::test_migrations()];
    let mut r = Ranking::new(&FAMILY, v.fill(EXPLANATION), &[sc::REF_MIGRATIONS]);
    r.recognised(format!("No `{column}` in `{table}`; from {}.", sc::place_words(place)), Some(line));

    let c = r.cause("migration-not-created", "No migration for the new field", 1.5);
    if place == Place::Test {
        c.support(1.0, "Tests build the database from migrations.", None);
    }
    c.fix(v.fix(
        "Write and apply the migration.",
        "terminal",
        "shell",
        "$ python manage.py migrate\n",
        "$ python manage.py makemigrations {app}\n$ python manage.py migrate\n",
    ))
    .tests(tests.clone())
    .ci(ci.clone())
    .checks(vec!["`makemigrations --check --dry-run`".into()]);

    let c = r.cause("migration-not-applied", "The migration was not applied here", 1.2);
    if place == Place::Request {
        c.support(0.8, "A site: deployed before `migrate`.", None);
    }
    if !cx.facts.docker.is_empty() || matches!(cx.facts.runner.as_deref(), Some("gunicorn" | "uwsgi")) {
        c.support(0.5, "A deployed server.", None);
    }
    c.fix(v.fix(
        "Migrate before restarting.",
        "terminal",
        "shell",
        "$ systemctl restart app\n",
        "$ python manage.py migrate --noinput\n$ systemctl restart app\n",
    ))
    .tests(tests.clone())
    .ci(ci.clone())
    .checks(vec![v.fill("`showmigrations {app}` there.")]);

    let c = r.cause("faked-or-other-database", "Migration faked or applied elsewhere", 0.4);
    c.fix(v.fix(
        "Fake back, then migrate.",
        "terminal",
        "shell",
        "$ python manage.py migrate {app}\n",
        "$ python manage.py migrate {app} <previous> --fake\n$ python manage.py migrate {app}\n",
    ))
    .tests(tests.clone())
    .ci(ci.clone())
    .checks(vec![v.fill("`dbshell`: `\\d {table}`")]);

    let raw = kit::last_app_frame(cx.tb)
        .and_then(|f| f.code.as_deref())
        .filter(|c| c.contains(".raw(") || c.contains("execute(") || c.contains(".extra("));
    let c = r.cause("raw-sql", "Raw SQL names a wrong column", 0.05);
    match raw {
        Some(code) => {
            c.support(2.0, "Your line runs SQL.", Some(code));
        }
        None => {
            c.weaken(0.5, "The ORM built it.");
        }
    }
    c.fix(v.fix(
        "Use the real name.",
        "views.py",
        "python",
        "cursor.execute(\"SELECT {column} FROM {table}\")\n",
        "rows = Model.objects.values_list(\"pk\", flat=True)\n",
    ))
    .tests(tests)
    .ci(ci)
    .checks(vec![v.fill("`dbshell`: `\\d {table}`")]);

    orm::finish(r, "`makemigrations --check`, then `showmigrations`.")
}
