//! What the schema families (DJ002, DJ010–DJ012, DJ019, DJ023, DJ027, DJ029, DJ043) share: where the failing
//! code ran (a request, a management command, a test, module import), names from database messages, and the
//! one migrations workflow and migrations test they all suggest.

use super::ci::{self, Step};
use super::kit::{self, Values};
use super::Context;
use crate::model::Snippet;

/// What ran the failing code, as far as the frames and facts show.
#[derive(Clone, Copy, PartialEq)]
pub enum Place {
    /// A module-level statement run while Django imported apps, URLs or models (`<module>` frame).
    Import,
    Test,
    Request,
    Command,
    Other,
}

pub fn place(cx: &Context<'_>) -> Place {
    let tb = cx.tb;
    let runner = cx.facts.runner.as_deref();
    let app_module = module_frame(cx).is_some();
    let importing = kit::has_frame(tb, "django/core/checks/urls.py", "")
        || kit::has_frame(tb, "django/apps/registry.py", "populate")
        || kit::has_frame(tb, "django/urls/resolvers.py", "urlconf_module");
    if app_module && importing {
        Place::Import
    } else if matches!(runner, Some("pytest" | "django-test"))
        || tb.format == crate::model::SourceFormat::Pytest
        || kit::has_frame(tb, "django/test/testcases.py", "")
        || kit::frames(tb)
            .any(|f| f.file.starts_with("tests/") || f.file.contains("/tests/") || f.file.contains("/test_"))
    {
        Place::Test
    } else if kit::has_frame(tb, "django/core/handlers/base.py", "") || kit::has_frame(tb, "django/test/client.py", "")
    {
        Place::Request
    } else if cx.facts.management_command.is_some() {
        Place::Command
    } else {
        Place::Other
    }
}

/// The last module-level frame of the user's code other than `manage.py`: a statement run at import.
pub fn module_frame<'a>(cx: &Context<'a>) -> Option<&'a crate::model::Frame> {
    kit::frames(cx.tb)
        .filter(|f| f.function == "<module>" && f.origin == crate::model::Origin::App && !f.file.ends_with("manage.py"))
        .last()
}

pub fn place_words(p: Place) -> &'static str {
    match p {
        Place::Import => "a module-level query at import",
        Place::Test => "a test",
        Place::Request => "a request",
        Place::Command => "a management command",
        Place::Other => "your code",
    }
}

/// A name from a message made safe for Python strings and shell commands: letters, digits, `_`, `.`, `-`.
pub fn ident(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')).take(80).collect()
}

/// True when exception `index` is the one finally raised: a schema error handled and followed by another
/// exception is that other exception's story.
pub fn is_final(cx: &Context<'_>, index: usize) -> bool {
    index + 1 == cx.tb.exceptions.len()
}

/// A name usable as a Python identifier (a field in a snippet): letters, digits and `_`, or `field`.
pub fn pyname(s: &str) -> String {
    let n: String = s.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').take(60).collect();
    if n.is_empty() || n.starts_with(|c: char| c.is_ascii_digit()) {
        "field".into()
    } else {
        n
    }
}

/// The quoted text after `open` up to the next `close`, made safe.
pub fn quoted(text: &str, open: &str, close: &str) -> Option<String> {
    kit::between(text, open, close).map(ident).filter(|s| !s.is_empty())
}

/// The app label a table belongs to: Django's own tables by name, otherwise the part before the first `_`.
pub fn table_app(table: &str) -> &str {
    let t = table.rsplit('.').next().unwrap_or(table);
    match t {
        "django_session" => "sessions",
        "django_content_type" => "contenttypes",
        "django_admin_log" => "admin",
        "django_site" => "sites",
        "django_migrations" => "migrations",
        _ => t.split('_').next().unwrap_or(t),
    }
}

/// True for tables of Django's contrib apps, which always ship their migrations.
pub fn is_django_table(table: &str) -> bool {
    let t = table.rsplit('.').next().unwrap_or(table);
    t.starts_with("django_") || t.starts_with("auth_")
}

/// `app_model.field` → (`app_model`, `field`).
pub fn split_column(qualified: &str) -> (String, String) {
    match qualified.rsplit_once('.') {
        Some((t, c)) => (ident(t), ident(c)),
        None => (String::new(), ident(qualified)),
    }
}

/// The workflow every schema family suggests: migrations complete, applied, and the tests on the same engine.
pub fn migrations_ci(v: &Values) -> Snippet {
    ci::workflow(
        v,
        "migrations",
        &[
            Step { name: "Made", run: "python manage.py makemigrations --check --dry-run" },
            Step { name: "Migrate", run: "python manage.py migrate --noinput" },
            Step { name: "Applied", run: "python manage.py migrate --check" },
            Step { name: "Tests", run: "pytest" },
        ],
    )
}

const TEST_MIGRATIONS: &str = r#"import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_missing_migrations():
    call_command("makemigrations", "--check", "--dry-run")
"#;

const TEST_TABLES: &str = r#"import pytest
from django.apps import apps
from django.db import connection


@pytest.mark.django_db
def test_every_model_has_its_table():
    tables = set(connection.introspection.table_names())
    assert [m for m in apps.get_models() if m._meta.managed and m._meta.db_table not in tables] == []
"#;

pub fn test_migrations() -> Snippet {
    py("No missing migrations", "tests/test_migrations.py", TEST_MIGRATIONS.into())
}

pub fn test_tables() -> Snippet {
    py("Every model has its table", "tests/test_migrations.py", TEST_TABLES.into())
}

pub fn py(title: &str, file: &str, code: String) -> Snippet {
    Snippet { title: title.into(), file: file.into(), language: "python", code }
}

pub const REF_MIGRATIONS: &str =
    "Django docs: Migrations — https://docs.djangoproject.com/en/stable/topics/migrations/";
pub const REF_MIGRATE: &str =
    "Django docs: migrate — https://docs.djangoproject.com/en/stable/ref/django-admin/#migrate";
pub const REF_INTEGRITY: &str =
    "Django docs: IntegrityError — https://docs.djangoproject.com/en/stable/ref/exceptions/#database-exceptions";
pub const REF_TRANSACTIONS: &str =
    "Django docs: Transactions — https://docs.djangoproject.com/en/stable/topics/db/transactions/";
