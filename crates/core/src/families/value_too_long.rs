//! `value-too-long` (DJ035): a string longer than its column reached the database.
//!
//! Recognised by a `DataError` (or `OperationalError`, older MySQL drivers) with PostgreSQL's `value too long
//! for type character varying(N)` (`psycopg2.errors.StringDataRightTruncation`), MySQL/MariaDB strict mode's
//! `(1406, "Data too long for column 'x' at row 1")`, or Oracle's `ORA-12899: value too large for column`.
//! SQLite never raises it (it does not enforce max_length). Causes are ranked by what ran: a view or import
//! command saving unvalidated input, a migration, or a suite that passed on SQLite.

use super::ci::{self, Step};
use super::kit::{self, Ranking, Values};
use super::mysql_cant_connect::py;
use super::{orm_common, Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "value-too-long",
    code: "DJ035",
    title: "A value is longer than its database column",
    summary:
        "\"value too long for type character varying(N)\" / 1406: a string over max_length reached save() unvalidated.",
    example: "real/mysql/pg_value_too_long.txt",
    diagnose,
};

const PATTERNS: [&str; 4] = [
    "value too long for type character varying(",
    "value too long for type character(",
    "Data too long for column '",
    "value too large for column",
];

const EXPLANATION: &str =
    "`save()` never checks `max_length` (`full_clean()` and forms do); SQLite stores anything, other engines refuse.";

const REFERENCES: [&str; 1] = ["Django docs: Validating objects — https://docs.djangoproject.com/en/stable/ref/models/instances/#validating-objects"];

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let Some(hit) = kit::find(cx.tb, &["DataError", "OperationalError", "StringDataRightTruncation"], &PATTERNS) else {
        return Vec::new();
    };
    let line = hit.line;
    let limit = kit::between(line, "varying(", ")")
        .or_else(|| kit::between(line, "character(", ")"))
        .or_else(|| kit::between(line, "maximum: ", ")"))
        .filter(|n| n.bytes().all(|b| b.is_ascii_digit()));
    let column = kit::between(line, "for column '", "'").or_else(|| kit::between(line, "for column ", " ("));
    let f = cx.facts;
    let migrate = f.management_command.as_deref() == Some("migrate");
    let app = kit::last_app_frame(cx.tb);
    let mysql = line.contains("(1406,");
    let mut v = Values::new(cx);
    if mysql {
        v.set("engine", "django.db.backends.mysql").set("port", "3306");
        v.set("driver_pip", if f.db_driver.as_deref() == Some("pymysql") { "pymysql" } else { "mysqlclient" });
    }
    v.set("n", limit.unwrap_or("200"))
        .set("field", column.map_or("title", |c| c.rsplit('.').next().unwrap_or(c).trim_matches('"')));
    let n1 = limit.and_then(|n| n.parse::<u32>().ok()).map_or(201, |n| n + 1);
    v.set("n1", n1.to_string());
    let workflow = ci::workflow(
        &v,
        "production engine",
        &[Step { name: "Migrate", run: "python manage.py migrate --noinput" }, Step { name: "Tests", run: "pytest" }],
    );
    let tests = vec![py("Too long is rejected", "tests/test_lengths.py", v.fill(TEST_LENGTH))];
    let what = match (limit, column) {
        (Some(n), _) => format!("{n} characters"),
        (None, Some(c)) => format!("`{c}`"),
        _ => "its column".into(),
    };
    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("Too long for {what}."), Some(line));

    let c = r.cause("unvalidated-input", "Unvalidated input", 1.0);
    if let Some(fr) = app.filter(|_| !migrate) {
        c.support(2.0, format!("Saved at `{}` line {}.", fr.file, fr.line.unwrap_or(0)), fr.code.as_deref());
    }
    if migrate {
        c.weaken(0.3, "In `migrate`.");
    }
    c.fix(v.fix("Validate first.", "views.py", "python", SAVE_BEFORE, SAVE_AFTER))
        .tests(tests.clone())
        .ci(workflow.clone())
        .checks(vec![v.fill("Log `len(value)` before saving.")]);

    let c = r.cause("field-too-short", "Field too short", 0.6);
    if limit == Some("200") {
        c.support(1.0, "200: URLField's default.", limit);
    }
    c.fix(v.fix(
        "Widen it; migrate.",
        "models.py",
        "python",
        "{field} = models.CharField(max_length={n})\n",
        "{field} = models.CharField(max_length=500)\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec!["`SELECT max(length(col))` on real data.".into()]);

    let c = r.cause("sqlite-in-tests", "Tests ran on SQLite", 0.4);
    if f.runner.as_deref() == Some("pytest") || f.runner.as_deref() == Some("django-test") {
        c.support(0.5, "Under the test runner.", None);
    }
    c.fix(v.fix(
        "Test on the real engine.",
        "settings.py",
        "python",
        "ENGINE = \"django.db.backends.sqlite3\"\n",
        "ENGINE = \"{engine}\"\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec!["`diffsettings | grep ENGINE` in both.".into()]);

    let c = r.cause("migration-shortens", "A migration shortens it", 0.1);
    if migrate {
        c.support(3.0, "In `migrate`: rows too long.", None);
    }
    c.fix(v.fix(
        "Shorten the data first.",
        "migrations/00xx_shorten.py",
        "python",
        "migrations.AlterField(...),\n",
        "migrations.RunSQL(\"UPDATE t SET {field} = LEFT({field}, {n})\"),\n",
    ))
    .tests(tests)
    .ci(workflow)
    .checks(vec!["`sqlmigrate` it.".into()]);
    orm_common::finish(r, "compare max_length with the value's length.")
}

const SAVE_BEFORE: &str = "Model.objects.create({field}=data[\"{field}\"])\n";

const SAVE_AFTER: &str = "obj = Model({field}=data[\"{field}\"])\nobj.full_clean()\nobj.save()\n";

const TEST_LENGTH: &str = r#"import pytest
from django.core.exceptions import ValidationError

from myapp.models import Model


@pytest.mark.django_db
def test_too_long():
    with pytest.raises(ValidationError):
        Model({field}="x" * {n1}).full_clean()
"#;
