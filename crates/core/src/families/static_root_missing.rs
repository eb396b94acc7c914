//! `static-root-missing` (DJ051): the staticfiles app needs STATIC_ROOT and it is not set.
//!
//! Recognised by `ImproperlyConfigured` saying `You're using the staticfiles app without having set the
//! STATIC_ROOT setting to a filesystem path.` (all versions), raised by `StaticFilesStorage.path`: from
//! `collectstatic`, or from a request when ManifestStaticFilesStorage reads its manifest. Causes are ranked by
//! the command and frames.

use super::ci::{self, Step};
use super::kit::{self, Ranking, Values};
use super::{Context, Family};
use crate::model::{Diagnosis, Fix, Snippet};

pub const FAMILY: Family = Family {
    id: "static-root-missing",
    code: "DJ051",
    title: "STATIC_ROOT is not set",
    summary: "ImproperlyConfigured \"You're using the staticfiles app without having set the STATIC_ROOT setting to \
              a filesystem path\": collectstatic (a Docker build, Heroku) or ManifestStaticFilesStorage needs the \
              folder static files are collected into, and the settings in use do not define it.",
    example: "real/web/static_root_missing.txt",
    diagnose,
};

const EXPLANATION: &str = "STATIC_ROOT is the folder collectstatic copies every static file into, for the web \
server to serve. Django has no default for it, so collectstatic — and the manifest storage, which reads \
staticfiles.json from that folder — stop with this error when the settings module in use does not set it.";

const REFERENCES: [&str; 2] = [
    "Django documentation: Settings › STATIC_ROOT — https://docs.djangoproject.com/en/stable/ref/settings/#static-root",
    "Django documentation: Deploying static files — https://docs.djangoproject.com/en/stable/howto/static-files/deployment/",
];

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
    r.recognised("The staticfiles app needed STATIC_ROOT and the settings do not set it.", quote);
    let workflow = ci::workflow(
        &v,
        "collectstatic with the production settings",
        &[
            Step { name: "Collect static files", run: "python manage.py collectstatic --noinput" },
            Step { name: "Deploy checks", run: "python manage.py check --deploy" },
        ],
    );

    let c = r.cause("not-set", "STATIC_ROOT is not set at all", 1.0);
    if collect {
        c.support(1.5, "`collectstatic` ran: it copies files into STATIC_ROOT, which must be set.", None);
    }
    c.fix(fix(&v)).tests(tests(&v)).ci(workflow.clone()).checks(checks());

    let c = r.cause("wrong-settings-module", "STATIC_ROOT is only in a settings module this process does not use", 0.5);
    if request {
        c.support(1.5, "A request rendering {% static %} hit it: the manifest storage is on, so these are production-like settings that lack STATIC_ROOT.", None);
    }
    c.fix(fix(&v)).tests(tests(&v)).ci(workflow).checks(checks());

    r.finish(|a, b| format!("The paste cannot decide between \"{a}\" and \"{b}\". Run `python manage.py diffsettings | grep -E 'STATIC_ROOT|SETTINGS_MODULE'` with the same environment as the failing command."))
}

fn fix(v: &Values) -> Fix {
    v.fix(
        "Set STATIC_ROOT to a folder of its own (not one of STATICFILES_DIRS) in the settings every environment uses.",
        "settings.py",
        "python",
        "STATIC_URL = \"static/\"\n",
        "STATIC_URL = \"static/\"\nSTATIC_ROOT = BASE_DIR / \"staticfiles\"\n",
    )
}

const TEST: &str = r#"from django.conf import settings


def test_static_root_is_set():
    assert settings.STATIC_ROOT, "collectstatic needs STATIC_ROOT"
    assert str(settings.STATIC_ROOT) not in map(str, settings.STATICFILES_DIRS)
"#;

fn tests(v: &Values) -> Vec<Snippet> {
    vec![v.snippet("STATIC_ROOT is set", "tests/test_settings.py", "python", TEST)]
}

fn checks() -> Vec<String> {
    vec!["Which settings module does the build use (DJANGO_SETTINGS_MODULE in the Dockerfile or Procfile), and does it set STATIC_ROOT?".into()]
}
