//! `pytest-db-blocked` (DJ024): pytest-django blocked a database query made outside a database-enabled test.
//!
//! Recognised by `RuntimeError: Database access not allowed, use the "django_db" mark, or the "db" or
//! "transactional_db" fixtures to enable it.` (pytest-django 3.10–4.x; very old releases raised `Failed:`).
//! Causes are ranked by the project frame that queried: a test function (missing mark), another function of a
//! test file (a fixture without `db`), module level (a query at import or collection time), or `__repr__` /
//! `saferepr` frames (pytest printing a QuerySet).

use super::ci::{self, Step};
use super::kit::{self, Ranking, Values};
use super::startup::{self, python};
use super::{Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "pytest-db-blocked",
    code: "DJ024",
    title: "pytest-django blocked database access",
    summary: "\"Database access not allowed\": a test without the mark, a fixture without db, or an import-time query.",
    example: "real/setup/pytest_db_blocked.txt",
    diagnose,
};

const EXPLANATION: &str = "pytest-django blocks the database unless a test or fixture asks for it.";

const REFERENCES: [&str; 1] =
    ["pytest-django: Database access — https://pytest-django.readthedocs.io/en/latest/database.html"];

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let Some(hit) = kit::find(cx.tb, &["RuntimeError", "Failed"], &["Database access not allowed"]) else {
        return Vec::new();
    };
    let frame = kit::last_app_frame(cx.tb);
    let function = frame.map_or("", |f| f.function.as_str());
    let test = function.starts_with("test");
    let module_level = function == "<module>";
    let repr = kit::frames(cx.tb)
        .any(|f| f.function == "__repr__" || f.file.ends_with("saferepr.py") || f.file.ends_with("reprlib.py"));
    let fixture = !test
        && !module_level
        && !repr
        && frame.is_some_and(|f| startup::file_name(&f.file).starts_with("test") || f.file.ends_with("conftest.py"));
    let mut v = Values::new(cx);
    v.set("function", if function.is_empty() || module_level { "test_products" } else { function });
    v.set("file", frame.map_or("tests/test_models.py", |f| f.file.as_str()));
    let code = frame.and_then(|f| f.code.as_deref()).filter(|c| startup::balanced(c));
    let expr = code.map(|c| c.strip_prefix("return ").unwrap_or(c)).filter(|c| {
        let head = c.split('(').next().unwrap_or(c);
        !head.contains('=') && !head.contains(' ')
    });
    v.set("code", code.unwrap_or("Product.objects.count()"));
    v.set("expr", expr.unwrap_or("Product.objects.create(name=\"Apple\")"));
    let quote = Some(hit.line);
    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised("pytest-django refused a query.", quote);
    if let Some(f) = frame {
        r.recognised(format!("From `{}` at {}.", f.function, startup::at(f)), f.code.as_deref());
    }
    let workflow = ci::workflow(&v, "pytest-django", &[Step { name: "Tests", run: "pytest" }]);
    let tests = vec![python("Blocked without the mark", "tests/test_db_guard.py", TEST_GUARD.into())];
    let fcode = frame.and_then(|f| f.code.as_deref());

    let c = r.cause("missing-mark", "Test not marked django_db", 1.0);
    if test {
        c.support(3.0, format!("In the test `{function}`."), fcode);
    } else {
        c.weaken(0.3, "Not in a test.");
    }
    c.fix(v.fix(
        "Mark the test.",
        &v.fill("{file}"),
        "python",
        "def {function}():\n    {code}\n",
        "@pytest.mark.django_db\ndef {function}():\n    {code}\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec!["A test-setup mistake, not a production bug.".into()]);

    let c = r.cause("fixture-without-db", "Fixture without db", 0.4);
    if fixture {
        c.support(3.0, format!("In `{function}`, not a test."), fcode);
    } else {
        c.weaken(0.3, "Not in a fixture.");
    }
    c.fix(v.fix(
        "Request `db`.",
        "conftest.py",
        "python",
        "@pytest.fixture\ndef {function}():\n    return {expr}\n",
        "@pytest.fixture\ndef {function}(db):\n    return {expr}\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec!["Session fixtures: `django_db_blocker.unblock()`.".into()]);

    let c = r.cause("import-time-query", "A query at import time", 0.3);
    if module_level {
        c.support(3.5, "At module level: runs during collection.", fcode);
    } else {
        c.weaken(0.3, "Not at module level.");
    }
    c.fix(v.fix(
        "Query lazily.",
        "forms.py",
        "python",
        "PRODUCT_CHOICES = [(p.pk, p.name) for p in Product.objects.all()]\n",
        "def product_choices():\n    return [(p.pk, p.name) for p in Product.objects.all()]\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec!["Module-level querysets in forms.py, urls.py?".into()]);

    if repr {
        let c = r.cause("queryset-repr", "pytest printed a QuerySet", 0.0);
        c.support(3.0, "`__repr__` frames: an assertion message.", None);
        c.tests(tests).ci(workflow).checks(vec!["`assert list(qs) == [...]`.".into()]);
    }

    super::orm_common::finish(r, "a test, a fixture, or module level?")
}

const TEST_GUARD: &str = r#"import pytest
from django.db import connection


def test_db_blocked():
    with pytest.raises(RuntimeError):
        connection.ensure_connection()
"#;
