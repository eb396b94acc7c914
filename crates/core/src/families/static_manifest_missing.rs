//! `static-manifest-missing` (DJ042): `{% static %}` asked ManifestStaticFilesStorage for a file its manifest
//! does not list.
//!
//! Recognised by a `ValueError` saying `Missing staticfiles manifest entry for 'path'` (all versions; WhiteNoise's
//! CompressedManifestStaticFilesStorage raises the same). Causes are ranked by the runner (tests), the path
//! (an asset that looks like a directory) and the frames: `templatetags/static.py` under a request.

use super::ci::{self, Step};
use super::kit::{self, Ranking, Values};
use super::{Context, Family};
use crate::model::{Diagnosis, Fix, Snippet};

pub const FAMILY: Family = Family {
    id: "static-manifest-missing",
    code: "DJ042",
    title: "Static file missing from the manifest",
    summary: "ValueError \"Missing staticfiles manifest entry for '…'\": with ManifestStaticFilesStorage (or \
              WhiteNoise's) and DEBUG=False, {% static %} looks the file up in staticfiles.json — collectstatic did \
              not run in this build, the file does not exist or was renamed, or tests use the manifest storage.",
    example: "real/web/static_manifest_missing.txt",
    diagnose,
};

const EXPLANATION: &str = "With ManifestStaticFilesStorage, {% static 'x' %} does not point at x: it looks x up in \
STATIC_ROOT/staticfiles.json, which collectstatic writes, to get the hashed name (x.3f2a1b.css). With DEBUG=False \
a name missing from that manifest is an error. Either the manifest was never built here, or it was built without \
this file.";

const REFERENCES: [&str; 2] = [
    "Django documentation: ManifestStaticFilesStorage — https://docs.djangoproject.com/en/stable/ref/contrib/staticfiles/#manifeststaticfilesstorage",
    "Django documentation: Deploying static files — https://docs.djangoproject.com/en/stable/howto/static-files/deployment/",
];

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let Some(hit) = kit::find(cx.tb, &["ValueError"], &["Missing staticfiles manifest entry for"]) else {
        return Vec::new();
    };
    let line = hit.line;
    let asset = kit::between(line, "for '", "'").unwrap_or("css/site.css");
    let tests_run = matches!(cx.facts.runner.as_deref(), Some("pytest" | "django-test"));
    let no_ext = !asset.rsplit('/').next().unwrap_or(asset).contains('.');
    let mut v = Values::new(cx);
    v.set("asset", asset);
    let quote = Some(line);
    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("The static files manifest has no entry for `{asset}`."), quote);
    let workflow = ci::workflow(
        &v,
        "collectstatic and render with the production storage",
        &[
            Step { name: "Collect static files", run: "python manage.py collectstatic --noinput" },
            Step { name: "Deploy checks", run: "python manage.py check --deploy" },
            Step { name: "Tests", run: "pytest" },
        ],
    );

    let c = r.cause("collectstatic-not-run", "collectstatic did not run in this build or deploy", 1.0);
    if tests_run {
        c.weaken(0.5, "This happened in a test run, where collectstatic usually is not part of the job.");
    }
    c.fix(fix_build(&v)).tests(tests(&v)).ci(workflow.clone()).checks(checks(&v));

    let c = r.cause("file-missing", "The file does not exist under that name (typo, renamed, a folder)", 0.7);
    if no_ext {
        c.support(1.5, format!("`{asset}` has no file extension: {{% static %}} needs a file, not a folder."), quote);
    }
    c.fix(fix_path(&v)).tests(tests(&v)).ci(workflow.clone()).checks(checks(&v));

    let c = r.cause("tests-use-manifest", "Tests run with the manifest storage but no collectstatic", 0.2);
    if tests_run {
        c.support(3.0, "The traceback comes from a test run: use the plain StaticFilesStorage in test settings.", None);
    }
    c.fix(fix_tests(&v)).tests(tests(&v)).ci(workflow).checks(checks(&v));

    r.finish(|a, b| format!("The paste cannot decide between \"{a}\" and \"{b}\". Look in STATIC_ROOT: no staticfiles.json means collectstatic never ran there; a manifest without \"{asset}\" means the file is missing from every static folder."))
}

fn fix_build(v: &Values) -> Fix {
    v.fix(
        "Run collectstatic in the build, after installing and before starting the server.",
        "Dockerfile",
        "dockerfile",
        "RUN pip install -r requirements.txt\nCMD [\"gunicorn\", \"mysite.wsgi\"]\n",
        "RUN pip install -r requirements.txt\nRUN python manage.py collectstatic --noinput\nCMD [\"gunicorn\", \"mysite.wsgi\"]\n",
    )
}

fn fix_path(v: &Values) -> Fix {
    v.fix(
        "Point {% static %} at a file that exists in an app's static/ folder or STATICFILES_DIRS.",
        "template",
        "django",
        "{% static '{asset}' %}\n",
        "{% static 'css/site.css' %}   {# must exist: <app>/static/css/site.css #}\n",
    )
}

fn fix_tests(v: &Values) -> Fix {
    v.fix(
        "Use the plain storage in test settings (STATICFILES_STORAGE before Django 4.2).",
        "settings_test.py",
        "python",
        "STORAGES = {\"staticfiles\": {\"BACKEND\": \"django.contrib.staticfiles.storage.ManifestStaticFilesStorage\"}}\n",
        "STORAGES = {\n    \"default\": {\"BACKEND\": \"django.core.files.storage.FileSystemStorage\"},\n    \"staticfiles\": {\"BACKEND\": \"django.contrib.staticfiles.storage.StaticFilesStorage\"},\n}\n",
    )
}

const TEST: &str = r#"from django.contrib.staticfiles import finders


def test_static_asset_exists():
    assert finders.find("{asset}"), "{asset} is in no static folder"
"#;

fn tests(v: &Values) -> Vec<Snippet> {
    vec![v.snippet("The static file the templates use exists", "tests/test_static.py", "python", TEST)]
}

fn checks(v: &Values) -> Vec<String> {
    vec![
        v.fill("`python manage.py findstatic {asset}` — is the file in any static folder?"),
        "`ls $STATIC_ROOT/staticfiles.json` on the server: did collectstatic run in this image or release?".into(),
    ]
}
