//! `field-expected-number` (DJ048): a numeric field (usually `id`) was compared with something that is not a number.
//!
//! Recognised by a `ValueError`/`TypeError` with `Field '<name>' expected a number but got <repr>.` (Django 3.0+,
//! raised from `get_prep_value` with the original error chained before it); on Django ≤ 2.2 by the raw
//! `invalid literal for int() with base 10: '<x>'` or `int() argument must be …` **only** when a
//! `django/db/models/fields/__init__.py` `get_prep_value` frame shows Django converting a lookup value (the same
//! text from the user's own `int()` is not this family); and PostgreSQL's `invalid input syntax for type integer`
//! (raw SQL). Causes, from the repr: text from a URL or query string, an object (a model instance, a lazy
//! `request.user`) instead of its id, an empty form value.

use super::ci::{self, Step};
use super::kit::{self, Ranking, Values};
use super::orm_common::{self as orm, Place};
use super::{Context, Family};
use crate::model::{Diagnosis, Snippet};

pub const FAMILY: Family = Family {
    id: "field-expected-number",
    code: "DJ048",
    title: "A numeric field got text or an object (Field 'id' expected a number)",
    summary: "`ValueError: Field 'id' expected a number but got 'abc'.` (Django ≤ 2.2: `invalid literal for int() \
              with base 10`) — a lookup on an integer field (`pk`, a foreign key) got text from the URL, an empty \
              form value, or an object such as `request.user` instead of its id.",
    example: "real/orm/field_expected_number.txt",
    diagnose,
};

const EXPLANATION: &str = "Before building the SQL, Django converts each lookup value to the field's type. The \
field is numeric (an `id`, a foreign key, an IntegerField), and the value could not be turned into a number, so \
the query never ran. The value is in the message: text means it came from a URL or form unchecked; an object \
means the object was passed where its id was expected.";

const REFERENCES: [&str; 2] = [
    "Django documentation: Path converters (<int:pk>) — https://docs.djangoproject.com/en/stable/topics/http/urls/#path-converters",
    "Django documentation: Form and field validation — https://docs.djangoproject.com/en/stable/ref/forms/validation/",
];

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
    let workflow = ci::workflow(
        &v,
        "the tests that send bad ids",
        &[
            Step { name: "System checks (URL patterns)", run: "python manage.py check" },
            Step { name: "Run the tests", run: "pytest" },
        ],
    );
    let ci_note =
        "No check command validates lookup values; a test that requests the URL with a non-numeric id catches it.";

    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("The numeric field `{field}` got `{value}`, which is not a number."), Some(line));

    let c = r.cause("text-from-url", "Text from the URL or query string reaches a numeric lookup", 1.0);
    if text && !empty {
        c.support(2.0, format!("The value {value} is text: typically a URL captured with `<str:…>`/`<slug:…>` or a query parameter used as an id."), Some(line));
    }
    if place == Place::Request {
        c.support(1.0, "It happened during a request.", Some(code));
    }
    if object || empty {
        c.weaken(0.2, "The value is not a non-empty piece of text.");
    }
    c.fix(v.fix(
        "Capture ids with the int converter, so a non-numeric URL is a 404 before the view runs.",
        "urls.py",
        "python",
        "from django.urls import path\n\nfrom . import views\n\nurlpatterns = [path(\"items/<str:pk>/\", views.detail)]\n",
        "from django.urls import path\n\nfrom . import views\n\nurlpatterns = [path(\"items/<int:pk>/\", views.detail)]\n",
    ))
    .tests(vec![test_url(&v)])
    .ci(workflow.clone());
    c.checks(vec![
        "Find the URL pattern of the view: `<str:pk>`, `<slug:…>` or a regex `(?P<pk>[^/]+)` let any text through."
            .into(),
        ci_note.into(),
    ]);

    let c = r.cause(
        "object-instead-of-id",
        "An object (a model instance, request.user) was passed where an id is expected",
        0.3,
    );
    if object {
        c.support(3.0, format!("The value `{value}` is an object, not a number."), Some(line));
    } else {
        c.weaken(0.2, "The value is text, not an object.");
    }
    if lazy_user {
        c.support(
            1.0,
            "It is the lazy `request.user`; `AnonymousUser` has no id, so the visitor is not logged in.",
            Some(line),
        );
    }
    c.fix(v.fix(
        "Pass the object to the relation (or `.pk` to the `_id` field); require login before using request.user.",
        "views.py",
        "python",
        "def mine(request):\n    return Note.objects.filter(owner_id=request.user)\n",
        "from django.contrib.auth.decorators import login_required\n\n\n@login_required\ndef mine(request):\n    return Note.objects.filter(owner_id=request.user.pk)\n",
    ))
    .tests(vec![test_url(&v)])
    .ci(workflow.clone());
    c.checks(vec![
        "Print `type(value)` before the query: a model instance goes to the relation name, its `.pk` to `<field>_id`."
            .into(),
    ]);

    let c = r.cause("empty-form-value", "An empty form or query value ('' or 'None') is used as an id", 0.2);
    if empty {
        c.support(
            4.0,
            format!("The value is {value}: an empty field or a `None` turned into text by a template or JavaScript."),
            Some(line),
        );
    } else {
        c.weaken(0.3, "The value is not empty.");
    }
    c.fix(v.fix(
        "Validate the input with a form (or skip the filter when the value is empty).",
        "views.py",
        "python",
        "def items(request):\n    return Item.objects.filter(owner_id=request.GET.get(\"owner\"))\n",
        "def items(request):\n    owner = request.GET.get(\"owner\", \"\")\n    qs = Item.objects.all()\n    if owner.isdigit():\n        qs = qs.filter(owner_id=int(owner))\n    return qs\n",
    ))
    .tests(vec![test_url(&v)])
    .ci(workflow);
    c.checks(vec!["Look at the request's query string or form data: is the parameter present but empty?".into()]);

    r.finish(|a, b| {
        format!("The paste cannot decide between \"{a}\" and \"{b}\": the value in the message tells — text is the first, an object repr the second, '' the third.")
    })
}

const TEST_URL: &str = r#"import pytest


@pytest.mark.django_db
def test_non_numeric_id_is_a_404(client):
    """A URL with text where the id goes is a 404, not a 500."""
    response = client.get("/items/{value}/")  # the URL pattern of the failing view
    assert response.status_code == 404
"#;

fn test_url(v: &Values) -> Snippet {
    orm::python("A non-numeric id answers 404", "tests/test_urls.py", v.fill(TEST_URL))
}
