//! What the PostgreSQL-side families share: the values every snippet needs, the database smoke test, the CI
//! workflow with a PostgreSQL service, and small helpers on message text. Text lives here once so the families
//! stay small (the knowledge base ships in the page).

use super::ci::{self, Step};
use super::kit::Values;
use super::Context;
use crate::model::{Fix, Snippet};

/// Values for a PostgreSQL family: the engine is PostgreSQL whatever the facts guessed.
pub fn values(cx: &Context<'_>) -> Values {
    let mut v = Values::new(cx);
    v.set("engine", "django.db.backends.postgresql");
    if cx.facts.db_engine.as_deref() != Some("postgresql") && cx.facts.db_driver.as_deref() != Some("psycopg") {
        v.set("driver_pip", "psycopg2-binary");
        if cx.facts.db_port.is_none() {
            v.set("port", "5432");
        }
    }
    v
}

/// The last component of a dotted type name (`OperationalError`).
pub fn short(type_name: &str) -> &str {
    type_name.rsplit('.').next().filter(|s| !s.is_empty()).unwrap_or("the exception")
}

/// The text inside the first pair of double quotes after `after` in `message`.
pub fn quoted<'a>(message: &'a str, after: &str) -> Option<&'a str> {
    let start = message.find(after)? + after.len();
    let rest = message.get(start..)?;
    let rest = rest.strip_prefix('"').or_else(|| rest.strip_prefix('\''))?;
    let end = rest.find(['"', '\''])?;
    rest.get(..end).filter(|s| !s.is_empty())
}

pub fn snippet(title: &str, file: &str, code: String) -> Snippet {
    Snippet { title: title.into(), file: file.into(), language: "python", code }
}

/// A fix as data: summary, file, language, before, after (all filled).
pub type FixText = (&'static str, &'static str, &'static str, &'static str, &'static str);

pub fn fix_of(v: &Values, t: &FixText) -> Fix {
    fix(v, t.0, t.1, t.2, t.3, t.4)
}

/// Filled lines (checks).
pub fn lines(v: &Values, t: &[&str]) -> Vec<String> {
    t.iter().map(|s| v.fill(s)).collect()
}

/// A fix shown as a terminal session or SQL.
pub fn fix(v: &Values, summary: &str, file: &str, language: &'static str, before: &str, after: &str) -> Fix {
    let mut fix = v.fix(summary, file, language, before, after);
    fix.file = v.fill(file);
    fix
}

const SMOKE: &str = r#"import pytest
from django.db import connection


@pytest.mark.django_db
def test_database_connects():
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database(), current_user")
        assert cursor.fetchone()[0] == connection.settings_dict["NAME"]
"#;

/// The database smoke test: connect with the project's settings and ask the server who we are.
pub fn smoke_test(v: &Values) -> Snippet {
    snippet("The database accepts the settings", "tests/test_database.py", v.fill(SMOKE))
}

/// A settings test: `body` is the assertion block under a function that has `db = settings.DATABASES["default"]`.
pub fn settings_test(v: &Values, title: &str, name: &str, body: &str) -> Snippet {
    let code = format!(
        "from django.conf import settings\n\n\ndef test_{name}():\n    db = settings.DATABASES[\"default\"]\n{}",
        v.fill(body)
    );
    snippet(title, "tests/test_settings.py", code)
}

/// The workflow: PostgreSQL service, `check --database`, migrations, tests.
pub fn workflow(v: &Values, title: &str) -> Snippet {
    ci::workflow(
        v,
        title,
        &[
            Step { name: "DB check", run: "python manage.py check --database default" },
            Step { name: "Migrate", run: "python manage.py migrate --noinput" },
            Step { name: "Tests", run: "pytest" },
        ],
    )
}

/// The reference every PostgreSQL family shows.
pub const DATABASES_REF: &str =
    "Django docs: DATABASES — https://docs.djangoproject.com/en/stable/ref/settings/#databases";
