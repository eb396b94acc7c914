//! `integrity-not-null` (DJ011): a row is written with NULL in a column that does not allow it.
//!
//! Recognised by `IntegrityError` in every wording: SQLite `NOT NULL constraint failed: t.c`, PostgreSQL
//! `null value in column "c" [of relation "t"] violates not-null constraint`, MySQL `(1048, "Column 'c' cannot
//! be null")`, Oracle `ORA-01400`. Causes: a foreign key not set before `save()`, a form or serializer leaving
//! the field out, an unapplied migration.

use super::kit::{self, Ranking, Values};
use super::schema_common::{self as sc, Place};
use super::{Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "integrity-not-null",
    code: "DJ011",
    title: "A required column got no value",
    summary: "NOT NULL: a foreign key unset after `save(commit=False)`, a field left out, or an unapplied migration.",
    example: "real/schema/sqlite_not_null_fk.txt",
    diagnose,
};

const EXPLANATION: &str = "`{table}.{column}` got NULL: nobody set it and it has no default.";

fn recognise(message: &str) -> Option<(String, String, &str)> {
    for line in message.lines() {
        let l = line.trim();
        if let Some(p) = l.find("NOT NULL constraint failed: ") {
            let (t, c) = sc::split_column(&l[p + 28..]);
            return Some((t, c, l));
        }
        if l.contains("null value in column \"") && l.contains("violates not-null constraint") {
            let c = sc::quoted(l, "column \"", "\"").unwrap_or_default();
            return Some((sc::quoted(l, "relation \"", "\"").unwrap_or_default(), c, l));
        }
        if l.contains("(1048, ") {
            return Some((String::new(), sc::quoted(l, "Column '", "'").unwrap_or_default(), l));
        }
        if l.contains("ORA-01400") {
            return Some((String::new(), String::new(), l));
        }
    }
    None
}

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let Some((table, column, line)) =
        kit::find(cx.tb, &["IntegrityError"], &["NOT NULL", "null value in column", "(1048, ", "ORA-01400"])
            .filter(|h| sc::is_final(cx, h.index))
            .and_then(|h| recognise(&h.exception.message))
    else {
        return Vec::new();
    };
    let table = if table.is_empty() { "app_model".to_string() } else { table };
    let column = if column.is_empty() { "field".to_string() } else { column };
    let fk = column.strip_suffix("_id").map(str::to_string);
    let field = sc::pyname(fk.as_deref().unwrap_or(&column));
    let place = sc::place(cx);
    let mut v = Values::new(cx);
    v.set("table", table.as_str())
        .set("column", column.as_str())
        .set("field", field.as_str())
        .set("app", sc::table_app(&table));
    let ci = sc::migrations_ci(&v);
    let tests = vec![sc::py("Required field enforced", "tests/test_not_null.py", TEST_NOT_NULL.into())];
    let mut r = Ranking::new(&FAMILY, v.fill(EXPLANATION), &[REF_FORMS]);
    r.recognised(format!("`{table}.{column}` NULL."), Some(line));
    let commit_false = kit::frames(cx.tb).filter_map(|f| f.code.as_deref()).find(|c| c.contains("commit=False"));
    let form_frame = kit::frames(cx.tb).any(|f| {
        f.file.ends_with("django/forms/models.py")
            || f.function == "form_valid"
            || f.function == "perform_create"
            || f.file.contains("rest_framework/serializers.py")
    });

    let c = r.cause("fk-not-set", "Foreign key not set", 0.3);
    match &fk {
        Some(name) => {
            c.support(3.0, format!("`{name}` unset."), Some(line));
        }
        None => {
            c.weaken(0.2, "Not a foreign key.");
        }
    }
    if let Some(code) = commit_false {
        c.support(1.5, "`save(commit=False)`.", Some(code));
    }
    c.fix(v.fix("Set it before saving.", "views.py", "python", "", "obj.{field} = request.user\n"))
        .tests(tests.clone())
        .ci(ci.clone())
        .checks(vec![v.fill("Where is `{field}` set?")]);

    let c = r.cause("field-left-out", "A form leaves the field out", 1.0);
    if form_frame && fk.is_none() {
        c.support(1.5, "A form or serializer.", None);
    }
    if fk.is_some() {
        c.weaken(0.5, "Foreign key.");
    }
    c.fix(v.fix(
        "Give it a default.",
        "models.py",
        "python",
        "{field} = models.IntegerField()\n",
        "{field} = models.IntegerField(default=0)\n",
    ))
    .tests(tests.clone())
    .ci(ci.clone())
    .checks(vec![v.fill("`{field}` in `fields`?")]);

    let c = r.cause("stale-schema", "Migration not applied", 0.4);
    if place == Place::Request {
        c.support(0.3, "A live site.", None);
    }
    c.fix(v.fix("Migrate.", "terminal", "shell", "", "$ python manage.py migrate\n"))
        .tests(tests)
        .ci(ci)
        .checks(vec![v.fill("`python manage.py showmigrations {app}`")]);

    super::orm_common::finish(r, "who sets the field?")
}

const REF_FORMS: &str =
    "Django docs: save() — https://docs.djangoproject.com/en/stable/topics/forms/modelforms/#the-save-method";

const TEST_NOT_NULL: &str = r#"import pytest
from django.db import IntegrityError


@pytest.mark.django_db(transaction=True)
def test_required(django_user_model):
    with pytest.raises(IntegrityError):
        django_user_model.objects.create(username=None)
"#;
