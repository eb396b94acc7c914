//! `integrity-unique` (DJ010): an INSERT or UPDATE would duplicate a value that must be unique.
//!
//! Recognised by `IntegrityError` in every wording: SQLite `UNIQUE constraint failed: t.c` (composite
//! `t.a, t.b`), PostgreSQL `duplicate key value violates unique constraint "name"` + `DETAIL:  Key (c)=(v)
//! already exists.`, MySQL/MariaDB `(1062, "Duplicate entry 'v' for key 'k'")`, Oracle `ORA-00001`. Causes:
//! the id sequence behind the data (`_pkey`, `Key (id)=`), a real duplicate not validated, a race in
//! `get_or_create`, tests creating the same value twice.

use super::kit::{self, Ranking, Values};
use super::schema_common::{self as sc, Place};
use super::{Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "integrity-unique",
    code: "DJ010",
    title: "A unique value already exists",
    summary: "IntegrityError \"UNIQUE constraint failed\" (SQLite), \"duplicate key value violates unique \
              constraint\" (PostgreSQL) or \"Duplicate entry\" (MySQL): the row would repeat a value of a unique \
              field or primary key — a duplicate the code did not check, a race between two requests, or an id \
              sequence left behind by a restore or explicit ids.",
    example: "real/schema/sqlite_unique_command.txt",
    diagnose,
};

const EXPLANATION: &str = "The database refused to write a row because `{column}` of `{table}` must be unique and \
the value is already taken. The database is the last line of defence: the code saved without checking first \
(form validation, `get_or_create`), two processes wrote the same value at once, or — for the primary key — the \
id counter is behind the rows already there.";

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
    let tests = vec![sc::py("A duplicate is a form error, not a 500", "tests/test_unique.py", v.fill(TEST_UNIQUE))];
    let mut r = Ranking::new(&FAMILY, v.fill(EXPLANATION), &[sc::REF_INTEGRITY, REF_VALIDATE]);
    r.recognised(
        format!("A second row with the same `{column}` in `{table}`; it ran from {}.", sc::place_words(place)),
        Some(hit.line),
    );

    let c = r.cause("sequence-behind", "The id sequence is behind the rows already there (restore, explicit ids)", 0.1);
    if pkey {
        c.support(5.0, "The duplicate is the primary key, which the database chose itself: its sequence hands out ids that rows inserted with explicit ids (a dump, SQL, fixtures) already use.", Some(hit.line));
    } else {
        c.weaken(0.2, format!("The duplicate is `{column}`, not the primary key."));
    }
    c.fix(v.fix(
        "Move the sequence past the highest id (PostgreSQL).",
        "terminal",
        "shell",
        "$ psql -c \"INSERT ...\"   # rows restored with explicit ids\n",
        "$ python manage.py sqlsequencereset {app} | python manage.py dbshell\n",
    ))
    .tests(tests.clone())
    .ci(ci.clone())
    .checks(vec![v.fill("`SELECT max(id) FROM {table};` vs the sequence's last_value: the sequence must be higher.")]);

    let c = r.cause("duplicate-input", "A real duplicate value that the code saves without checking", 1.5);
    if pkey {
        c.weaken(0.2, "The duplicate is the primary key, which user input rarely sets.");
    }
    if place == Place::Command {
        c.support(
            0.6,
            "A management command (an import) wrote it: the input data holds the value twice or it already exists.",
            None,
        );
    }
    c.fix(v.fix(
        "Check uniqueness before saving (a ModelForm does it for unique fields), and turn a late clash into a clear error.",
        "views.py",
        "python",
        "obj = Model.objects.create({column}=value)\n",
        "from django.db import IntegrityError, transaction\n\ntry:\n    with transaction.atomic():\n        obj = Model.objects.create({column}=value)\nexcept IntegrityError:\n    obj = Model.objects.get({column}=value)\n",
    ))
    .tests(tests.clone())
    .ci(ci.clone())
    .checks(vec![v.fill("`SELECT {column}, count(*) FROM {table} GROUP BY {column} HAVING count(*) > 1;` and where the value came from.")]);

    let c = r.cause("race", "Two requests or workers created the same row at once", 0.4);
    if kit::frames(cx.tb).any(|f| f.function == "get_or_create" || f.function == "update_or_create") {
        c.support(2.0, "`get_or_create` checks and then inserts: two processes can both miss and both insert.", None);
    } else if place == Place::Request {
        c.support(0.3, "A request: a double submit can send the same data twice.", None);
    }
    c.fix(v.fix("Let the unique constraint decide, and retry the read.", "views.py", "python", "obj, created = Model.objects.get_or_create({column}=value)\n", "from django.db import IntegrityError\n\ntry:\n    obj, created = Model.objects.get_or_create({column}=value)\nexcept IntegrityError:\n    obj, created = Model.objects.get({column}=value), False\n"))
        .tests(tests.clone())
        .ci(ci.clone())
        .checks(vec!["Do the logs show two requests for the same data within a second?".into()]);

    let c = r.cause("test-data", "A test creates the same value twice", 0.1);
    if place == Place::Test {
        c.support(3.0, "It failed in a test: fixed values in factories or fixtures repeat.", None);
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
    .checks(vec!["Which two `create` calls in the test use the same value?".into()]);

    r.finish(|a, b| format!("The paste cannot decide between \"{a}\" and \"{b}\". Look up the existing row with the value in the message and when it was created."))
}

const REF_VALIDATE: &str = "Django documentation: Validating objects (validate_unique) — https://docs.djangoproject.com/en/stable/ref/models/instances/#validating-objects";

const TEST_UNIQUE: &str = r#"import pytest
from django.db import IntegrityError, transaction


@pytest.mark.django_db
def test_duplicate_is_refused(django_user_model):
    """Replace the model and values with yours: the second save must fail cleanly, not crash a view."""
    django_user_model.objects.create(username="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        django_user_model.objects.create(username="same")
"#;
