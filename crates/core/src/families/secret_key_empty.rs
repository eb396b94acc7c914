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
    summary: "ImproperlyConfigured \"The SECRET_KEY setting must not be empty.\": the variable holding it is unset where Django runs (container, CI, build step), or the settings never set it.",
    example: "real/setup/secret_key_empty_request.txt",
    diagnose,
};

const EXPLANATION: &str = "Django signs sessions, cookies and tokens with SECRET_KEY and refuses an empty one \
(since 3.2 when the key is first read, before that when settings load). Usually `os.environ.get(\"…\", \"\")` \
with the variable unset in this process.";

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
    r.recognised(
        if at_load { "Raised at settings load (Django ≤ 3.1)." } else { "Raised at first read (Django ≥ 3.2)." },
        None,
    );
    let workflow = ci::workflow(&v, "tests", &[Step { name: "Tests", run: "DJANGO_SECRET_KEY=ci-only pytest" }]);
    let tests = vec![python("SECRET_KEY is set", "tests/test_settings.py", TEST_KEY.into())];

    let c = r.cause("env-var-unset", "The environment variable that holds the key is not set in this process", 1.5);
    for e in f.env_settings.iter().take(2) {
        c.support(1.5, format!("The settings read the environment: {e}."), None);
    }
    if environ {
        c.support(1.5, "django-environ found no SECRET_KEY variable or `.env`.", None);
    }
    if !f.docker.is_empty() {
        c.support(0.5, "A container gets only the variables compose passes.", None);
    }
    c.fix(v.fix(
        "Read the key without an empty default: a missing variable fails by name.",
        "settings.py",
        "python",
        "SECRET_KEY = os.environ.get(\"DJANGO_SECRET_KEY\", \"\")\n",
        "SECRET_KEY = os.environ[\"DJANGO_SECRET_KEY\"]\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec!["`env | grep SECRET_KEY` in the failing process.".into()]);

    let c = r.cause("build-step-without-secrets", "A build or CI step runs Django without the runtime secrets", 0.4);
    if build {
        c.support(2.5, format!("`{}` runs in a build step without runtime secrets.", command.unwrap_or("")), None);
    } else {
        c.weaken(0.5, "Not a build command.");
    }
    c.fix(v.fix(
        "Give build steps a throwaway key.",
        "Dockerfile",
        "dockerfile",
        "RUN python manage.py collectstatic --noinput\n",
        "RUN DJANGO_SECRET_KEY=build-only python manage.py collectstatic --noinput\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec!["Which failed: the image build, CI, or the service?".into()]);

    let c = r.cause("settings-module-without-key", "The settings module in use never sets SECRET_KEY", 0.3);
    c.fix(v.fix(
        "Set SECRET_KEY in the base settings every environment imports.",
        "settings/base.py",
        "python",
        "DEBUG = False\n",
        "import os\n\nSECRET_KEY = os.environ[\"DJANGO_SECRET_KEY\"]\n",
    ))
    .tests(tests)
    .ci(workflow)
    .checks(vec![v.fill("`python manage.py diffsettings | grep SECRET_KEY` with {settings}.")]);

    r.finish(|a, b| format!("\"{a}\" or \"{b}\"? Print the variable and the settings module in the failing process."))
}

const TEST_KEY: &str = r#"from django.conf import settings


def test_secret_key_is_set():
    assert settings.SECRET_KEY
"#;
