//! `inconsistent-migration-history` (DJ019): the database records a migration as applied while one it
//! depends on is not.
//!
//! Recognised by `InconsistentMigrationHistory` with `Migration a.n is applied before its dependency b.m on
//! database 'alias'.` (same wording 1.11–6.0, raised by `check_consistent_history` from `migrate` and
//! `makemigrations`). Causes: a custom user model introduced after the first migrate (`admin.0001_initial`
//! before `<app>.0001_initial`), migrations renamed or regenerated in one app, a third-party app's new
//! migrations, a database restored from another branch.

use super::kit::{self, Ranking, Values};
use super::orm_common as orm;
use super::schema_common as sc;
use super::{Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "inconsistent-migration-history",
    code: "DJ019",
    title: "Migration history is inconsistent",
    summary: "InconsistentMigrationHistory: an applied migration's dependency never ran.",
    example: "real/schema/inconsistent_history_custom_user.txt",
    diagnose,
};

const EXPLANATION: &str = "`{applied}` ran but its dependency `{dependency}` never did.";

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let Some(hit) = kit::find(cx.tb, &["InconsistentMigrationHistory"], &["is applied before its dependency"])
        .filter(|h| sc::is_final(cx, h.index))
    else {
        return Vec::new();
    };
    let applied = kit::between(hit.line, "Migration ", " is applied").map(sc::ident).unwrap_or_default();
    let dependency = kit::between(hit.line, "its dependency ", " on database").map(sc::ident).unwrap_or_default();
    let app_of = |m: &str| m.split('.').next().unwrap_or("").to_string();
    let (a_app, d_app) = (app_of(&applied), app_of(&dependency));
    let mut v = Values::new(cx);
    v.set("applied", applied.as_str()).set("dependency", dependency.as_str()).set("app", d_app.as_str());
    let ci = sc::migrations_ci(&v);
    let tests = vec![sc::py("History consistent", "tests/test_migrations.py", TEST_HISTORY.into())];
    let mut r = Ranking::new(&FAMILY, v.fill(EXPLANATION), &[REF_CUSTOM_USER]);
    r.recognised("A dependency is not applied.", Some(hit.line));

    let c = r.cause("custom-user-late", "AUTH_USER_MODEL set after the first migrate", 0.4);
    if a_app == "admin" || a_app == "authtoken" {
        c.support(4.0, format!("`{applied}` ran before the user model `{dependency}`."), Some(hit.line));
    } else {
        c.weaken(0.3, "Not admin's migration.");
    }
    c.fix(v.fix(
        "In development, recreate the database.",
        "terminal",
        "shell",
        "$ python manage.py migrate\n",
        "$ rm db.sqlite3\n$ python manage.py migrate\n",
    ))
    .tests(tests.clone())
    .ci(ci.clone())
    .checks(vec!["In production, see the reference.".into()]);

    let c = r.cause("renamed-migrations", "Migrations changed after being applied", 0.6);
    if !a_app.is_empty() && a_app == d_app {
        c.support(3.0, format!("Both in `{a_app}`."), Some(hit.line));
    }
    c.fix(v.fix(
        "Restore the files, or fake the dependency.",
        "terminal",
        "shell",
        "$ python manage.py migrate\n",
        "$ python manage.py migrate {app} <dependency> --fake\n$ python manage.py migrate\n",
    ))
    .tests(tests.clone())
    .ci(ci.clone())
    .checks(vec![v.fill("`git log -- {app}/migrations/`")]);

    let c = r.cause("third-party-upgrade", "A third-party upgrade added migrations", 0.3);
    if !a_app.is_empty() && a_app != d_app && a_app != "admin" {
        c.support(1.5, format!("Two apps: `{a_app}`, `{d_app}`."), None);
    }
    c.fix(v.fix("Pin the old version.", "requirements.txt", "text", "package>=1.0\n", "package==<old version>\n"))
        .tests(tests.clone())
        .ci(ci.clone())
        .checks(vec!["`pip freeze`: what changed?".into()]);

    let c = r.cause("restored-database", "Database restored from elsewhere", 0.2);
    c.fix(v.fix(
        "Use a matching database.",
        "terminal",
        "shell",
        "$ pg_restore other.dump\n",
        "$ python manage.py migrate\n",
    ))
    .tests(tests)
    .ci(ci)
    .checks(vec!["`django_migrations` rows vs files.".into()]);

    orm::finish(r, "when was AUTH_USER_MODEL set?")
}

const REF_CUSTOM_USER: &str = "Django docs: Custom user mid-project — https://docs.djangoproject.com/en/stable/topics/auth/customizing/#changing-to-a-custom-user-model-mid-project";

const TEST_HISTORY: &str = r#"import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader


@pytest.mark.django_db
def test_history():
    MigrationLoader(connection).check_consistent_history(connection)
"#;
