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
use super::{Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "value-too-long",
    code: "DJ035",
    title: "A value is longer than its database column",
    summary: "DataError \"value too long for type character varying(N)\" (PostgreSQL) or \"(1406, 'Data too long \
              for column …')\" (MySQL strict mode): a string longer than the field's max_length reached save() \
              without validation — from an API, an import script or a data migration — often after tests passed \
              on SQLite, which does not enforce lengths.",
    example: "real/mysql/pg_value_too_long.txt",
    diagnose,
};

const PATTERNS: [&str; 4] = [
    "value too long for type character varying(",
    "value too long for type character(",
    "Data too long for column '",
    "value too large for column",
];

const EXPLANATION: &str = "The database refused to store a string longer than the column allows. Django's \
`max_length` is checked by forms, serializers and `full_clean()`, never by `save()` or `objects.create()`, so \
text that skips validation goes straight to the database — which cuts it off with this error on PostgreSQL, \
MySQL in strict mode and Oracle, and silently accepts it on SQLite.";

const REFERENCES: [&str; 2] = [
    "Django documentation: Model field reference › CharField.max_length — https://docs.djangoproject.com/en/stable/ref/models/fields/#django.db.models.CharField.max_length",
    "Django documentation: Validating objects (full_clean) — https://docs.djangoproject.com/en/stable/ref/models/instances/#validating-objects",
];

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
        "tests on the production database engine",
        &[
            Step { name: "Apply migrations", run: "python manage.py migrate --noinput" },
            Step { name: "Run the tests on the real engine, not SQLite", run: "pytest" },
        ],
    );
    let tests =
        vec![py("Too-long input is a validation error, not a DataError", "tests/test_lengths.py", v.fill(TEST_LENGTH))];
    let what = match (limit, column) {
        (Some(n), _) => format!("a column of at most {n} characters"),
        (None, Some(c)) => format!("the column `{c}`"),
        _ => "a column".to_string(),
    };
    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("The database refused a string too long for {what}."), Some(line));

    let c = r.cause("unvalidated-input", "Input longer than max_length reached save() without validation", 1.0);
    if let Some(fr) = app.filter(|_| !migrate) {
        c.support(
            2.0,
            format!(
                "Your code saved it directly at `{}` line {}: no form or serializer checked the length.",
                fr.file,
                fr.line.unwrap_or(0)
            ),
            fr.code.as_deref(),
        );
    }
    if migrate {
        c.weaken(0.3, "It happened during `migrate`, not while saving input.");
    }
    c.fix(v.fix(
        "Validate before saving (or truncate on purpose).",
        "models.py / views.py",
        "python",
        SAVE_BEFORE,
        SAVE_AFTER,
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec![
        v.fill("Which field has max_length={n}? `grep -rn \"max_length={n}\" */models.py`."),
        "How long is the value that failed? Log `len(value)` where it is saved.".into(),
    ]);

    let c = r.cause("field-too-short", "The field is too short for real data (URLs, names, user agents)", 0.6);
    if limit == Some("200") {
        c.support(
            1.0,
            "200 is the default length of URLField and a common CharField guess; real URLs are often longer.",
            limit,
        );
    }
    c.fix(v.fix("Widen the field (or use TextField), then make and apply the migration.", "models.py", "python", "{field} = models.CharField(max_length={n})\n", "{field} = models.CharField(max_length=500)  # or models.TextField()\n# then: python manage.py makemigrations && python manage.py migrate\n"))
        .tests(tests.clone())
        .ci(workflow.clone())
        .checks(vec!["`SELECT max(length(col)) FROM table;` on production data shows how long values really get.".into()]);

    let c = r.cause("sqlite-in-tests", "Tests ran on SQLite, which never enforces max_length", 0.4);
    if f.runner.as_deref() == Some("pytest") || f.runner.as_deref() == Some("django-test") {
        c.support(0.5, "It happened under the test runner.", None);
    }
    c.fix(v.fix("Run the test suite on the production engine.", "settings.py", "python", "DATABASES = {\"default\": {\"ENGINE\": \"django.db.backends.sqlite3\", \"NAME\": \"db.sqlite3\"}}\n", "import dj_database_url\n\nDATABASES = {\"default\": dj_database_url.config(default=\"sqlite:///db.sqlite3\")}  # CI sets DATABASE_URL\n"))
        .tests(tests.clone())
        .ci(workflow.clone())
        .checks(vec!["Is the test database the same engine as production? `python manage.py diffsettings | grep ENGINE`.".into()]);

    let c =
        r.cause("migration-shortens", "A migration shortens the column, or a data migration writes longer values", 0.1);
    if migrate {
        c.support(3.0, "It happened during `migrate`: existing rows do not fit the new length, or a data migration writes longer values.", None);
    }
    c.fix(v.fix("Shorten the data before shortening the column.", "migrations/00xx_shorten.py", "python", "migrations.AlterField(\"model\", \"{field}\", models.CharField(max_length={n}))\n", "migrations.RunSQL(\"UPDATE app_model SET {field} = LEFT({field}, {n})\"),\nmigrations.AlterField(\"model\", \"{field}\", models.CharField(max_length={n})),\n"))
        .tests(tests)
        .ci(workflow)
        .checks(vec!["`python manage.py showmigrations` and `sqlmigrate` of the failing migration.".into()]);
    r.finish(|a, b| format!("The paste cannot decide between \"{a}\" and \"{b}\": find the field with max_length={} and the value's length where it is saved.", v.get("n")))
}

const SAVE_BEFORE: &str = "obj = Model.objects.create({field}=data[\"{field}\"])\n";

const SAVE_AFTER: &str = "obj = Model({field}=data[\"{field}\"])\nobj.full_clean()  # ValidationError: \"Ensure this value has at most {n} characters\"\nobj.save()\n";

const TEST_LENGTH: &str = r#"import pytest
from django.core.exceptions import ValidationError

from myapp.models import Model  # the model with the {field} field


@pytest.mark.django_db
def test_too_long_value_is_rejected_by_validation():
    obj = Model({field}="x" * {n1})
    with pytest.raises(ValidationError):
        obj.full_clean()
"#;
