//! `static-root-missing` (DJ051): the staticfiles app needs STATIC_ROOT and it is not set.
//!
//! Recognised by `ImproperlyConfigured` saying `You're using the staticfiles app without having set the
//! STATIC_ROOT setting to a filesystem path.` (all versions), raised by `StaticFilesStorage.path`: from
//! `collectstatic`, or from a request when ManifestStaticFilesStorage reads its manifest. Causes are ranked by
//! the command and frames.

use super::ci::{self, Step};
use super::kit::{self, Ranking, Values};
use super::orm_common as orm;
use super::{Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "static-root-missing",
    code: "DJ051",
    title: "STATIC_ROOT is not set",
    summary: "ImproperlyConfigured \"… without having set the STATIC_ROOT setting\".",
    example: "real/web/static_root_missing.txt",
    diagnose,
};

const EXPLANATION: &str = "STATIC_ROOT, collectstatic's target folder, has no default.";

const REFERENCES: [&str; 1] =
    ["Django docs: STATIC_ROOT — https://docs.djangoproject.com/en/stable/ref/settings/#static-root"];

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let Some(hit) = kit::find(cx.tb, &["ImproperlyConfigured"], &["without having set the STATIC_ROOT setting"]) else {
        return Vec::new();
    };
    let quote = Some(hit.line);
    let collect = cx.facts.management_command.as_deref() == Some("collectstatic")
        || kit::frames(cx.tb).any(|f| f.file.ends_with("collectstatic.py"));
    let request = kit::has_frame(cx.tb, "django/templatetags/static.py", "");
    let v = Values::new(cx);
    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised("STATIC_ROOT is not set.", quote);
    let workflow =
        ci::workflow(&v, "collectstatic", &[Step { name: "Collect", run: "python manage.py collectstatic --noinput" }]);
    let fix = v.fix(
        "Set STATIC_ROOT in shared settings.",
        "settings.py",
        "python",
        "# STATIC_ROOT unset\n",
        "STATIC_ROOT = BASE_DIR / \"staticfiles\"\n",
    );
    let tests = vec![v.snippet("STATIC_ROOT is set", "tests/test_settings.py", "python", TEST)];
    let checks = vec!["Does DJANGO_SETTINGS_MODULE set it?".to_string()];

    let c = r.cause("not-set", "Not set at all", 1.0);
    if collect {
        c.support(1.5, "`collectstatic` ran.", None);
    }
    c.fix(fix.clone()).tests(tests.clone()).ci(workflow.clone()).checks(checks.clone());

    let c = r.cause("wrong-settings-module", "Set only in another settings module", 0.5);
    if request {
        c.support(1.5, "A request rendering {% static %}.", None);
    }
    c.fix(fix).tests(tests).ci(workflow).checks(checks);

    orm::finish(r, "`diffsettings | grep STATIC_ROOT`.")
}

const TEST: &str = r#"from django.conf import settings


def test_static_root():
    assert settings.STATIC_ROOT
"#;
