//! `integrity-unique` (DJ010): an INSERT or UPDATE would duplicate a value that must be unique.
//!
//! Recognised by `IntegrityError` in every wording: SQLite `UNIQUE constraint failed: t.c` (composite
//! `t.a, t.b`), PostgreSQL `duplicate key value violates unique constraint "name"` + `DETAIL:  Key (c)=(v)
//! already exists.`, MySQL/MariaDB `(1062, "Duplicate entry 'v' for key 'k'")`, Oracle `ORA-00001`. Causes:
//! the id sequence behind the data (`_pkey`, `Key (id)=`), a real duplicate not validated, a race in
//! `get_or_create`, tests creating the same value twice.

use super::kit::{self, Ranking, Values};
use super::orm_common as orm;
use super::schema_common::{self as sc, Place};
use super::{Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "integrity-unique",
    code: "DJ010",
    title: "A unique value already exists",
    summary: "IntegrityError \"UNIQUE constraint failed\": the row repeats a unique value.",
    example: "real/schema/sqlite_unique_command.txt",
    diagnose,
};

const EXPLANATION: &str = "`{column}` of `{table}` must be unique and the value is taken.";

struct Hit<'a> {
    table: String,
    column: String,
    constraint: String,
    line: &'a str,
}

fn recognise(message: &str) -> Option<Hit<'_>> {
    let first = message.lines().map(str::trim).find(|l| {
        l.contains("UNIQUE constraint failed: ")
            || l.contains("duplicate key value violates unique constraint")
            || l.contains("(1062, ")
            || l.contains("ORA-00001")
    })?;
    let mut h = Hit { table: String::new(), column: String::new(), constraint: String::new(), line: first };
    if let Some(p) = first.find("UNIQUE constraint failed: ") {
        let cols = &first[p + 26..];
        let (t, c) = sc::split_column(cols.split(',').next().unwrap_or(cols));
        h.table = t;
        h.column = c;
    } else if first.contains("duplicate key") {
        h.constraint = sc::quoted(first, "constraint \"", "\"").unwrap_or_default();
        h.column = sc::quoted(message, "Key (", ")=").unwrap_or_default();
        h.table = h
            .constraint
            .strip_suffix("_pkey")
            .or_else(|| h.constraint.strip_suffix(&format!("_{}_key", h.column)))
            .unwrap_or("")
            .to_string();
    } else if first.contains("(1062, ") {
        h.constraint = sc::quoted(first, "for key '", "'").unwrap_or_default();
        h.column = h.constraint.rsplit('.').next().unwrap_or("").to_string();
    }
    Some(h)
}

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let Some(hit) =
        kit::find(cx.tb, &["IntegrityError"], &["UNIQUE constraint", "duplicate key value", "(1062, ", "ORA-00001"])
            .filter(|h| sc::is_final(cx, h.index))
            .and_then(|h| recognise(&h.exception.message))
    else {
        return Vec::new();
    };
    let table = if hit.table.is_empty() { "app_model".to_string() } else { hit.table.clone() };
    let column = sc::pyname(&hit.column);
    let pkey = hit.constraint.ends_with("_pkey") || hit.constraint == "PRIMARY" || column == "id";
    let place = sc::place(cx);
    let mut v = Values::new(cx);
    v.set("table", table.as_str()).set("column", column.as_str()).set("app", sc::table_app(&table));
    let ci = sc::migrations_ci(&v);
    let tests = vec![sc::py("Duplicate refused", "tests/test_unique.py", TEST_UNIQUE.into())];
    let mut r = Ranking::new(&FAMILY, v.fill(EXPLANATION), &[sc::REF_INTEGRITY]);
    r.recognised(format!("Duplicate `{column}` in `{table}`, from {}.", sc::place_words(place)), Some(hit.line));

    let c = r.cause("sequence-behind", "The id sequence is behind the rows", 0.1);
    if pkey {
        c.support(5.0, "The primary key clashes.", Some(hit.line));
    } else {
        c.weaken(0.2, "Not the primary key.");
    }
    c.fix(v.fix(
        "Reset the sequence.",
        "terminal",
        "shell",
        "$ psql < dump.sql\n",
        "$ python manage.py sqlsequencereset {app} | python manage.py dbshell\n",
    ))
    .tests(tests.clone())
    .ci(ci.clone())
    .checks(vec![v.fill("`SELECT max(id) FROM {table};` vs the sequence.")]);

    let c = r.cause("duplicate-input", "An unchecked duplicate", 1.5);
    if pkey {
        c.weaken(0.2, "Input rarely sets the key.");
    }
    if place == Place::Command {
        c.support(0.6, "A command: the data repeats it.", None);
    }
    c.fix(v.fix(
        "Handle the clash.",
        "views.py",
        "python",
        "obj = Model.objects.create({column}=value)\n",
        "try:\n    with transaction.atomic():\n        obj = Model.objects.create({column}=value)\nexcept IntegrityError:\n    obj = Model.objects.get({column}=value)\n",
    ))
    .tests(tests.clone())
    .ci(ci.clone())
    .checks(vec!["Where did the value come from?".into()]);

    let c = r.cause("race", "A race: two writers at once", 0.4);
    if kit::frames(cx.tb).any(|f| f.function == "get_or_create" || f.function == "update_or_create") {
        c.support(2.0, "`get_or_create` races.", None);
    } else if place == Place::Request {
        c.support(0.3, "A request: a double submit?", None);
    }
    c.fix(v.fix("Catch the clash, read again.", "views.py", "python", "obj, _ = Model.objects.get_or_create({column}=value)\n", "try:\n    obj, _ = Model.objects.get_or_create({column}=value)\nexcept IntegrityError:\n    obj = Model.objects.get({column}=value)\n"))
        .tests(tests.clone())
        .ci(ci.clone())
        .checks(vec!["Twin requests in the logs?".into()]);

    let c = r.cause("test-data", "A test creates it twice", 0.1);
    if place == Place::Test {
        c.support(3.0, "A test: fixed values repeat.", None);
    }
    c.fix(v.fix(
        "Unique test values.",
        "tests/factories.py",
        "python",
        "{column} = \"same\"\n",
        "{column} = factory.Sequence(str)\n",
    ))
    .tests(tests)
    .ci(ci)
    .checks(vec!["Which two `create` calls?".into()]);

    orm::finish(r, "when was the row created?")
}

const TEST_UNIQUE: &str = r#"import pytest
from django.db import IntegrityError, transaction


@pytest.mark.django_db
def test_duplicate(django_user_model):
    django_user_model.objects.create(username="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        django_user_model.objects.create(username="same")
"#;
