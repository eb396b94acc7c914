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
    summary: "IntegrityError \"UNIQUE constraint failed\" / \"duplicate key value violates unique constraint\" / \
              \"Duplicate entry\": the row repeats a unique value — an unchecked duplicate, a race, or an id \
              sequence behind the data.",
    example: "real/schema/sqlite_unique_command.txt",
    diagnose,
};

const EXPLANATION: &str = "The database refused the row: `{column}` of `{table}` must be unique and the value \
is taken. The code saved without checking, two processes wrote the same value at once, or the primary key's id \
counter is behind the existing rows.";

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
    let tests = vec![sc::py("A duplicate is refused cleanly", "tests/test_unique.py", TEST_UNIQUE.into())];
    let mut r = Ranking::new(&FAMILY, v.fill(EXPLANATION), &[sc::REF_INTEGRITY, REF_VALIDATE]);
    r.recognised(format!("Duplicate `{column}` in `{table}`, from {}.", sc::place_words(place)), Some(hit.line));

    let c = r.cause("sequence-behind", "The id sequence is behind the existing rows (restore, explicit ids)", 0.1);
    if pkey {
        c.support(
            5.0,
            "The primary key clashes: the sequence hands out ids that rows loaded with explicit ids already use.",
            Some(hit.line),
        );
    } else {
        c.weaken(0.2, "Not the primary key.");
    }
    c.fix(v.fix(
        "Move the sequence past the highest id (PostgreSQL).",
        "terminal",
        "shell",
        "$ psql < dump.sql\n",
        "$ python manage.py sqlsequencereset {app} | python manage.py dbshell\n",
    ))
    .tests(tests.clone())
    .ci(ci.clone())
    .checks(vec![v.fill("`SELECT max(id) FROM {table};` must be below the sequence's last_value.")]);

    let c = r.cause("duplicate-input", "A real duplicate the code saves without checking", 1.5);
    if pkey {
        c.weaken(0.2, "User input rarely sets the primary key.");
    }
    if place == Place::Command {
        c.support(0.6, "A command (an import): the data repeats the value.", None);
    }
    c.fix(v.fix(
        "Validate before saving (a ModelForm does) and handle a late clash.",
        "views.py",
        "python",
        "obj = Model.objects.create({column}=value)\n",
        "from django.db import IntegrityError, transaction\n\ntry:\n    with transaction.atomic():\n        obj = Model.objects.create({column}=value)\nexcept IntegrityError:\n    obj = Model.objects.get({column}=value)\n",
    ))
    .tests(tests.clone())
    .ci(ci.clone())
    .checks(vec!["Where did the existing value come from?".into()]);

    let c = r.cause("race", "Two requests or workers created the same row at once", 0.4);
    if kit::frames(cx.tb).any(|f| f.function == "get_or_create" || f.function == "update_or_create") {
        c.support(2.0, "`get_or_create` reads then inserts: two processes can both insert.", None);
    } else if place == Place::Request {
        c.support(0.3, "A request: a double submit sends it twice.", None);
    }
    c.fix(v.fix("Let the constraint decide, then read again.", "views.py", "python", "obj, _ = Model.objects.get_or_create({column}=value)\n", "from django.db import IntegrityError\n\ntry:\n    obj, _ = Model.objects.get_or_create({column}=value)\nexcept IntegrityError:\n    obj = Model.objects.get({column}=value)\n"))
        .tests(tests.clone())
        .ci(ci.clone())
        .checks(vec!["Two requests for the same data within a second in the logs?".into()]);

    let c = r.cause("test-data", "A test creates the same value twice", 0.1);
    if place == Place::Test {
        c.support(3.0, "A test: fixed factory or fixture values repeat.", None);
    }
    c.fix(v.fix(
        "Give each test object its own value.",
        "tests/factories.py",
        "python",
        "{column} = \"same\"\n",
        "import factory\n\n{column} = factory.Sequence(lambda n: f\"{column}-{n}\")\n",
    ))
    .tests(tests)
    .ci(ci)
    .checks(vec!["Which two `create` calls share the value?".into()]);

    orm::finish(r, "when was the existing row created?")
}

const REF_VALIDATE: &str = "Django docs: Validating objects — https://docs.djangoproject.com/en/stable/ref/models/instances/#validating-objects";

const TEST_UNIQUE: &str = r#"import pytest
from django.db import IntegrityError, transaction


@pytest.mark.django_db
def test_duplicate_is_refused(django_user_model):
    django_user_model.objects.create(username="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        django_user_model.objects.create(username="same")
"#;
