//! `field-expected-number` (DJ048): a numeric field (usually `id`) was compared with something that is not a number.
//!
//! Recognised by a `ValueError`/`TypeError` `Field '<name>' expected a number but got <repr>.` (Django 3.0+);
//! on Django ≤ 2.2 by `invalid literal for int() with base 10` / `int() argument must be …` **only** under a
//! `django/db/models/fields/__init__.py` `get_prep_value` frame; and PostgreSQL's `invalid input syntax for
//! type integer`. Causes, from the repr: text from a URL, an object instead of its id, an empty form value.

use super::ci::{self, Step};
use super::kit::{self, Ranking};
use super::orm_common::{self as orm, Place};
use super::{Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "field-expected-number",
    code: "DJ048",
    title: "A numeric field got text or an object (Field 'id' expected a number)",
    summary: "A numeric lookup got URL text, an empty value, or an object (`request.user`).",
    example: "real/orm/field_expected_number.txt",
    diagnose,
};

const EXPLANATION: &str = "This numeric field got text (URL, form) or an object instead of an id.";

const REFERENCES: [&str; 1] =
    ["Django docs: path converters — https://docs.djangoproject.com/en/stable/topics/http/urls/#path-converters"];

const LEGACY: [&str; 5] = [
    "invalid literal for int() with base 10: ",
    "int() argument must be a string",
    "invalid input syntax for type integer",
    "invalid input syntax for type bigint",
    "invalid input syntax for type smallint",
];

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let (line, value, field) =
        if let Some(hit) = kit::find(cx.tb, &["ValueError", "TypeError"], &["' expected a number but got "]) {
            let value = kit::between(hit.line, "but got ", "\n").unwrap_or("").trim_end_matches('.');
            (hit.line, value, kit::between(hit.line, "Field '", "'").unwrap_or("id"))
        } else if let Some(hit) = kit::find(cx.tb, &["ValueError", "TypeError", "DataError"], &LEGACY) {
            let converting = kit::has_frame(cx.tb, "django/db/models/fields/__init__.py", "get_prep_value");
            if !converting && !hit.pattern.starts_with("invalid input syntax") {
                return Vec::new();
            }
            let value = hit.line.rsplit(": ").next().unwrap_or(hit.line);
            (hit.line, value, "id")
        } else {
            return Vec::new();
        };
    let text = value.starts_with('\'') || value.starts_with('"');
    let empty = matches!(value, "''" | "\"\"" | "'None'" | "None" | "'undefined'" | "'null'");
    let object = value.starts_with('<') || value.contains("not '");
    let lazy_user = value.contains("AnonymousUser") || value.contains("SimpleLazyObject");
    let place = orm::place(cx);
    let code = orm::user_frame(cx).and_then(|f| f.code.as_deref()).unwrap_or("");

    let mut v = orm::values(cx);
    let sample = if text && !empty { orm::py_text(value.trim_matches(['\'', '"'])) } else { "abc".into() };
    v.set("field", orm::ident(field, "id")).set("value", sample);
    let workflow = ci::workflow(&v, "tests", &[Step { name: "Tests", run: "pytest" }]);
    let tests = vec![orm::python("Text id is 404", "tests/test_urls.py", v.fill(TEST_URL))];

    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("`{field}` got `{value}`."), Some(line));

    let c = r.cause("text-from-url", "URL text reaches a numeric lookup", 1.0);
    if text && !empty {
        c.support(2.0, "Text.", Some(line));
    }
    if place == Place::Request {
        c.support(1.0, "A request.", Some(code));
    }
    if object || empty {
        c.weaken(0.2, "Not text.");
    }
    c.fix(v.fix(
        "Use `<int:…>`.",
        "urls.py",
        "python",
        "path(\"<str:pk>/\", detail)\n",
        "path(\"<int:pk>/\", detail)\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec!["Is the URL part `<str:…>`?".into()]);

    let c = r.cause("object-instead-of-id", "An object passed as an id", 0.3);
    if object {
        c.support(3.0, "An object.", Some(line));
    } else {
        c.weaken(0.2, "Text.");
    }
    if lazy_user {
        c.support(1.0, "`AnonymousUser`: not logged in.", Some(line));
    }
    c.fix(v.fix(
        "Pass `.pk`.",
        "views.py",
        "python",
        "qs.filter(owner_id=request.user)\n",
        "qs.filter(owner_id=request.user.pk)\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec!["Print `type(value)`.".into()]);

    let c = r.cause("empty-form-value", "An empty value used as an id", 0.2);
    if empty {
        c.support(4.0, "Empty or `None`.", Some(line));
    } else {
        c.weaken(0.3, "Not empty.");
    }
    c.fix(v.fix(
        "Skip the filter when empty.",
        "views.py",
        "python",
        "qs = qs.filter(owner_id=owner)\n",
        "if owner.isdigit():\n    qs = qs.filter(owner_id=owner)\n",
    ))
    .tests(tests)
    .ci(workflow);
    c.checks(vec!["Is the parameter empty?".into()]);

    orm::finish(r, "the value tells.")
}

const TEST_URL: &str = r#"import pytest


@pytest.mark.django_db
def test_text_id_is_404(client):
    assert client.get("/items/{value}/").status_code == 404
"#;
