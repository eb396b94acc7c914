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
    summary: "InconsistentMigrationHistory \"Migration X is applied before its dependency Y\": django_migrations \
              records a migration whose dependency never ran — AUTH_USER_MODEL set after the first migrate, or \
              migrations renamed, regenerated or squashed after being applied.",
    example: "real/schema/inconsistent_history_custom_user.txt",
    diagnose,
};

const EXPLANATION: &str = "The `django_migrations` table says `{applied}` ran but its dependency `{dependency}` \
never did: the dependency was added or renamed after the database was migrated, and Django refuses to guess.";

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
    let tests = vec![sc::py("The migration history is consistent", "tests/test_migrations.py", TEST_HISTORY.into())];
    let mut r = Ranking::new(&FAMILY, v.fill(EXPLANATION), &[sc::REF_MIGRATIONS, REF_CUSTOM_USER]);
    r.recognised("An applied migration's dependency is not applied.", Some(hit.line));

    let c = r.cause("custom-user-late", "A custom user model (AUTH_USER_MODEL) came after the first migrate", 0.4);
    if a_app == "admin" || a_app == "authtoken" {
        c.support(
            4.0,
            format!("`{applied}` ran against `auth.User`; now it depends on `{dependency}`, the new user model."),
            Some(hit.line),
        );
    } else {
        c.weaken(0.3, "Not the admin migration a late user model trips.");
    }
    c.fix(v.fix(
        "In development, recreate the database.",
        "terminal",
        "shell",
        "$ python manage.py migrate\nInconsistentMigrationHistory: ...\n",
        "$ rm db.sqlite3   # or dropdb + createdb\n$ python manage.py migrate\n",
    ))
    .tests(tests.clone())
    .ci(ci.clone())
    .checks(vec!["In production, follow Django's documented user model switch instead.".into()]);

    let c = r.cause("renamed-migrations", "Migrations were renamed, regenerated or squashed after being applied", 0.6);
    if !a_app.is_empty() && a_app == d_app {
        c.support(3.0, format!("Both are `{a_app}`'s: its files changed after they were applied."), Some(hit.line));
    }
    c.fix(v.fix(
        "Restore the original files, or fake the dependency if its tables exist.",
        "terminal",
        "shell",
        "$ python manage.py migrate\n",
        "$ python manage.py migrate {app} <dependency> --fake\n$ python manage.py migrate\n",
    ))
    .tests(tests.clone())
    .ci(ci.clone())
    .checks(vec![v.fill("`git log -- {app}/migrations/`: when did `{dependency}` change?")]);

    let c = r.cause("third-party-upgrade", "An upgraded third-party app added migrations your history lacks", 0.3);
    if !a_app.is_empty() && a_app != d_app && a_app != "admin" {
        c.support(1.5, format!("Two apps (`{a_app}`, `{d_app}`): an upgrade can insert a dependency."), None);
    }
    c.fix(v.fix(
        "Pin the package to a version whose migrations fit.",
        "requirements.txt",
        "text",
        "package>=1.0\n",
        "package==<version the database was migrated with>\n",
    ))
    .tests(tests.clone())
    .ci(ci.clone())
    .checks(vec!["`pip freeze` now vs the last migrate: which package changed?".into()]);

    let c = r.cause("restored-database", "The database was restored from another branch or environment", 0.2);
    c.fix(v.fix(
        "Use a database that matches this code.",
        "terminal",
        "shell",
        "$ pg_restore other-branch.dump\n",
        "$ python manage.py showmigrations\n$ python manage.py migrate\n",
    ))
    .tests(tests)
    .ci(ci)
    .checks(vec!["`SELECT app, name FROM django_migrations` vs the migration files.".into()]);

    orm::finish(r, "when was AUTH_USER_MODEL set?")
}

const REF_CUSTOM_USER: &str = "Django docs: Custom user model mid-project — https://docs.djangoproject.com/en/stable/topics/auth/customizing/#changing-to-a-custom-user-model-mid-project";

const TEST_HISTORY: &str = r#"import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader


@pytest.mark.django_db
def test_migration_history_is_consistent():
    loader = MigrationLoader(connection)
    loader.check_consistent_history(connection)
"#;
