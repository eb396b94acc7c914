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
    summary: "No manifest entry: collectstatic not run, no such file, or tests use the manifest.",
    example: "real/web/static_manifest_missing.txt",
    diagnose,
};

const EXPLANATION: &str = "The name is missing from staticfiles.json, which collectstatic writes.";

const REFERENCES: [&str; 1] = [
    "Django docs: manifest storage — https://docs.djangoproject.com/en/stable/ref/contrib/staticfiles/#manifeststaticfilesstorage",
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
    r.recognised(format!("`{asset}` missing."), quote);
    let workflow = ci::workflow(
        &v,
        "collectstatic",
        &[
            Step { name: "collectstatic", run: "python manage.py collectstatic --noinput" },
            Step { name: "Tests", run: "pytest" },
        ],
    );
    let tests = vec![v.snippet("File exists", "tests/test_static.py", "python", TEST)];
    let checks = vec![v.fill("`manage.py findstatic {asset}`")];

    let c = r.cause("collectstatic-not-run", "collectstatic did not run", 1.0);
    if tests_run {
        c.weaken(0.5, "A test run.");
    }
    c.fix(v.fix(
        "Run collectstatic.",
        "Dockerfile",
        "dockerfile",
        "",
        "RUN python manage.py collectstatic --noinput\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(checks.clone());

    let c = r.cause("file-missing", "No such file", 0.7);
    if no_ext {
        c.support(1.5, "No extension.", quote);
    }
    c.fix(v.fix(
        "Use an existing file.",
        "template",
        "django",
        "{% static '{asset}' %}\n",
        "{% static 'css/site.css' %}\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(checks.clone());

    let c = r.cause("tests-use-manifest", "Tests use the manifest storage", 0.2);
    if tests_run {
        c.support(3.0, "A test run.", None);
    }
    c.fix(v.fix(
        "Plain storage in tests.",
        "settings_test.py",
        "python",
        "",
        "STORAGES[\"staticfiles\"] = {\"BACKEND\": \"django.contrib.staticfiles.storage.StaticFilesStorage\"}\n",
    ))
    .tests(tests)
    .ci(workflow)
    .checks(checks);

    super::orm_common::finish(r, "is there a staticfiles.json?")
}

const TEST: &str = r#"from django.contrib.staticfiles import finders


def test_asset():
    assert finders.find("{asset}")
"#;
