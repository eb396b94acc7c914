//! `static-manifest-missing` (DJ042): `{% static %}` asked ManifestStaticFilesStorage for a file its manifest
//! does not list.
//!
//! Recognised by a `ValueError` `Missing staticfiles manifest entry for 'path'` (also WhiteNoise's storage).
//! Causes are ranked by the runner (tests) and the path (no extension: a folder).

use super::ci::{self, Step};
use super::kit::{self, Ranking, Values};
use super::{Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "static-manifest-missing",
    code: "DJ042",
    title: "Static file missing from the manifest",
    summary: "ValueError \"Missing staticfiles manifest entry\": collectstatic did not run, the file does not exist, or tests use the manifest storage.",
    example: "real/web/static_manifest_missing.txt",
    diagnose,
};

const EXPLANATION: &str = "ManifestStaticFilesStorage maps {% static 'x' %} to a hashed name through \
STATIC_ROOT/staticfiles.json, written by collectstatic. With DEBUG=False a name missing there is an error.";

const REFERENCES: [&str; 1] = [
    "Django docs: ManifestStaticFilesStorage — https://docs.djangoproject.com/en/stable/ref/contrib/staticfiles/#manifeststaticfilesstorage",
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
    r.recognised(format!("No manifest entry for `{asset}`."), quote);
    let workflow = ci::workflow(
        &v,
        "collectstatic",
        &[
            Step { name: "Collect static files", run: "python manage.py collectstatic --noinput" },
            Step { name: "Tests", run: "pytest" },
        ],
    );
    let tests = vec![v.snippet("The static file exists", "tests/test_static.py", "python", TEST)];
    let checks = vec![v.fill("`python manage.py findstatic {asset}`; is there `$STATIC_ROOT/staticfiles.json`?")];

    let c = r.cause("collectstatic-not-run", "collectstatic did not run in this build or deploy", 1.0);
    if tests_run {
        c.weaken(0.5, "A test run, where collectstatic rarely runs.");
    }
    c.fix(v.fix(
        "Run collectstatic in the build.",
        "Dockerfile",
        "dockerfile",
        "RUN pip install -r requirements.txt\n",
        "RUN pip install -r requirements.txt\nRUN python manage.py collectstatic --noinput\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(checks.clone());

    let c = r.cause("file-missing", "The file does not exist under that name (typo, renamed, a folder)", 0.7);
    if no_ext {
        c.support(1.5, "No file extension: a folder, not a file?", quote);
    }
    c.fix(v.fix(
        "Point {% static %} at an existing file.",
        "template",
        "django",
        "{% static '{asset}' %}\n",
        "{% static 'css/site.css' %}\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(checks.clone());

    let c = r.cause("tests-use-manifest", "Tests run with the manifest storage but no collectstatic", 0.2);
    if tests_run {
        c.support(3.0, "A test run: use StaticFilesStorage in test settings.", None);
    }
    c.fix(v.fix(
        "Use the plain storage in test settings.",
        "settings_test.py",
        "python",
        "STORAGES[\"staticfiles\"] = {\"BACKEND\": \"django.contrib.staticfiles.storage.ManifestStaticFilesStorage\"}\n",
        "STORAGES[\"staticfiles\"] = {\"BACKEND\": \"django.contrib.staticfiles.storage.StaticFilesStorage\"}\n",
    ))
    .tests(tests)
    .ci(workflow)
    .checks(checks);

    r.finish(|a, b| {
        format!("\"{a}\" or \"{b}\"? No staticfiles.json: collectstatic never ran; else the file is missing.")
    })
}

const TEST: &str = r#"from django.contrib.staticfiles import finders


def test_static_asset_exists():
    assert finders.find("{asset}")
"#;
