//! `secret-key-empty` (DJ032): SECRET_KEY is empty where Django needs it.
//!
//! Recognised by an `ImproperlyConfigured` `The SECRET_KEY setting must not be empty.` (at settings load up to
//! 3.1, lazily from 3.2) and django-environ's `Set the SECRET_KEY environment variable`. Causes are ranked by
//! environment reads, django-environ, the command (collectstatic in a build step), Docker and the settings split.

use super::ci::{self, Step};
use super::kit::{self, Ranking, Values};
use super::startup::{self, python};
use super::{Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "secret-key-empty",
    code: "DJ032",
    title: "SECRET_KEY is empty",
    summary: "SECRET_KEY empty: its variable is unset where Django runs, or settings never set it.",
    example: "real/setup/secret_key_empty_request.txt",
    diagnose,
};

const EXPLANATION: &str = "Django refuses an empty SECRET_KEY; usually its environment variable is unset here.";

const REFERENCES: [&str; 1] =
    ["Django docs: SECRET_KEY — https://docs.djangoproject.com/en/stable/ref/settings/#secret-key"];

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let patterns = ["The SECRET_KEY setting must not be empty", "Set the SECRET_KEY environment variable"];
    let Some(hit) = kit::find(cx.tb, &["ImproperlyConfigured"], &patterns) else {
        return Vec::new();
    };
    let f = cx.facts;
    let environ = hit.pattern == patterns[1] || f.env_settings.iter().any(|e| e.contains("django-environ"));
    let at_load = kit::has_frame(cx.tb, "django/conf/__init__.py", "__init__");
    let command = f.management_command.as_deref();
    let build = matches!(command, Some("collectstatic" | "compress" | "compilemessages"));
    let (settings, _) = startup::settings_guess(cx.tb);
    let mut v = Values::new(cx);
    v.set("settings", settings.as_str());
    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised("SECRET_KEY is empty.", Some(hit.line));
    r.recognised(if at_load { "At settings load." } else { "At first read." }, None);
    let workflow = ci::workflow(&v, "tests", &[Step { name: "Tests", run: "DJANGO_SECRET_KEY=ci-only pytest" }]);
    let tests = vec![python("SECRET_KEY is set", "tests/test_settings.py", TEST_KEY.into())];

    let c = r.cause("env-var-unset", "Its variable is unset", 1.5);
    for e in f.env_settings.iter().take(2) {
        c.support(1.5, format!("Reads the environment: {e}."), None);
    }
    if environ {
        c.support(1.5, "django-environ found none.", None);
    }
    if !f.docker.is_empty() {
        c.support(0.5, "A container.", None);
    }
    c.fix(v.fix(
        "No empty default.",
        "settings.py",
        "python",
        "SECRET_KEY = os.environ.get(\"DJANGO_SECRET_KEY\", \"\")\n",
        "SECRET_KEY = os.environ[\"DJANGO_SECRET_KEY\"]\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec!["`env | grep SECRET_KEY`".into()]);

    let c = r.cause("build-step-without-secrets", "A build step lacks secrets", 0.4);
    if build {
        c.support(2.5, format!("`{}` in a build.", command.unwrap_or("")), None);
    } else {
        c.weaken(0.5, "Not a build.");
    }
    c.fix(v.fix("Use a throwaway key.", "Dockerfile", "dockerfile", "", "ENV DJANGO_SECRET_KEY=build-only\n"))
        .tests(tests.clone())
        .ci(workflow.clone())
        .checks(vec!["Build, CI or service?".into()]);

    let c = r.cause("settings-module-without-key", "Settings never set it", 0.3);
    c.fix(v.fix(
        "Set it in base settings.",
        "settings/base.py",
        "python",
        "",
        "SECRET_KEY = os.environ[\"DJANGO_SECRET_KEY\"]\n",
    ))
    .tests(tests)
    .ci(workflow)
    .checks(vec![v.fill("`manage.py diffsettings` ({settings})")]);

    super::orm_common::finish(r, "print the variable there.")
}

const TEST_KEY: &str = r#"from django.conf import settings


def test_secret_key():
    assert settings.SECRET_KEY
"#;
