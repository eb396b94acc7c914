//! `inconsistent-migration-history` (DJ019): the database records a migration as applied while one it
//! depends on is not.
//!
//! Recognised by `InconsistentMigrationHistory` with `Migration a.n is applied before its dependency b.m on
//! database 'alias'.` (same wording 1.11–6.0, raised by `check_consistent_history` from `migrate` and
//! `makemigrations`). Causes: a custom user model introduced after the first migrate (`admin.0001_initial`
//! before `<app>.0001_initial`), migrations renamed or regenerated in one app, a third-party app's new
//! migrations, a database restored from another branch.

use super::kit::{self, Ranking, Values};
use super::schema_common as sc;
use super::{Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "inconsistent-migration-history",
    code: "DJ019",
    title: "Migration history is inconsistent",
    summary: "InconsistentMigrationHistory \"Migration X is applied before its dependency Y\": the django_migrations \
              table says a migration ran although one it depends on never did — typically AUTH_USER_MODEL set after \
              the first migrate, or migrations renamed, regenerated or squashed after they were applied.",
    example: "real/schema/inconsistent_history_custom_user.txt",
    diagnose,
};

const EXPLANATION: &str = "Django keeps the list of applied migrations in the `django_migrations` table. It \
says `{applied}` ran, but `{dependency}`, which `{applied}` depends on, never did. The dependency was added or \
renamed after the database was migrated, so the recorded history no longer fits the migration files, and Django \
refuses to go on rather than guess.";

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
    r.recognised("Django found an applied migration whose dependency is not applied.", Some(hit.line));

    let c = r.cause(
        "custom-user-late",
        "A custom user model (AUTH_USER_MODEL) was introduced after the first migrate",
        0.4,
    );
    if a_app == "admin" || a_app == "authtoken" {
        c.support(4.0, format!("`{applied}` (Django's admin) was applied against `auth.User`; now it depends on `{dependency}`, the new user model's migration."), Some(hit.line));
    } else {
        c.weaken(0.3, "The applied migration is not Django's admin, which is what a late user model switch trips.");
    }
    c.fix(v.fix("In development: recreate the database so the user model exists from the first migration.", "terminal", "shell", "$ python manage.py migrate\nInconsistentMigrationHistory: Migration {applied} is applied before its dependency {dependency}\n", "$ rm db.sqlite3        # or: dropdb app && createdb app  (development only)\n$ python manage.py migrate\n"))
        .tests(tests.clone())
        .ci(ci.clone())
        .checks(vec!["Was AUTH_USER_MODEL set after the first `migrate`? In production follow Django's documented switch instead of dropping data.".into()]);

    let c = r.cause("renamed-migrations", "Migrations were renamed, regenerated or squashed after being applied", 0.6);
    if !a_app.is_empty() && a_app == d_app {
        c.support(3.0, format!("Both migrations belong to `{a_app}`: its files changed after the database applied them (renamed, regenerated, branch switch)."), Some(hit.line));
    }
    c.fix(v.fix("Restore the original migration files, or record the missing dependency as applied once the schema matches.", "terminal", "shell", "$ python manage.py migrate\n", "$ python manage.py showmigrations {app}\n$ python manage.py migrate {app} <dependency name> --fake   # only if its tables already exist\n$ python manage.py migrate\n"))
        .tests(tests.clone())
        .ci(ci.clone())
        .checks(vec![v.fill("`git log -- {app}/migrations/`: was `{dependency}` added or renamed after the database was migrated?")]);

    let c = r.cause("third-party-upgrade", "An upgraded third-party app added migrations your history lacks", 0.3);
    if !a_app.is_empty() && a_app != d_app && a_app != "admin" {
        c.support(
            1.5,
            format!(
                "Two different apps (`{a_app}`, `{d_app}`): a package upgrade can insert a migration others depend on."
            ),
            None,
        );
    }
    c.fix(v.fix(
        "Pin or upgrade the package to a version whose migrations fit, then migrate.",
        "requirements.txt",
        "text",
        "package>=1.0\n",
        "package==<version the database was migrated with>\n",
    ))
    .tests(tests.clone())
    .ci(ci.clone())
    .checks(vec!["`pip freeze` now vs when the database was last migrated: which package changed?".into()]);

    let c = r.cause("restored-database", "The database was restored from another branch or environment", 0.2);
    c.fix(v.fix(
        "Migrate a database that matches this code (or restore the matching dump).",
        "terminal",
        "shell",
        "$ pg_restore other-branch.dump\n",
        "$ python manage.py showmigrations\n$ python manage.py migrate\n",
    ))
    .tests(tests)
    .ci(ci)
    .checks(vec![
        "`SELECT app, name FROM django_migrations ORDER BY applied;` against the files in each `migrations/` folder."
            .into(),
    ]);

    r.finish(|a, b| format!("The paste cannot decide between \"{a}\" and \"{b}\". Compare `SELECT app, name, applied FROM django_migrations` with the migration files, and check when AUTH_USER_MODEL was set."))
}

const REF_CUSTOM_USER: &str = "Django documentation: Changing to a custom user model mid-project — https://docs.djangoproject.com/en/stable/topics/auth/customizing/#changing-to-a-custom-user-model-mid-project";

const TEST_HISTORY: &str = r#"import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader


@pytest.mark.django_db
def test_migration_history_is_consistent():
    loader = MigrationLoader(connection)
    loader.check_consistent_history(connection)
"#;
