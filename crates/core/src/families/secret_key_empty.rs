//! `secret-key-empty` (DJ032): SECRET_KEY is empty where Django needs it.
//!
//! Recognised by an `ImproperlyConfigured` saying `The SECRET_KEY setting must not be empty.` (raised in
//! `Settings.__init__` up to 3.1, lazily in `LazySettings.__getattr__` from 3.2) and django-environ's
//! `Set the SECRET_KEY environment variable`. Causes are ranked by where the value comes from (environment
//! reads in the frames, django-environ, `.env`), the command that ran (collectstatic in a build step), Docker
//! evidence, and the settings module split.

use super::ci::{self, Step};
use super::kit::{self, Ranking, Values};
use super::startup::{self, python};
use super::{Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "secret-key-empty",
    code: "DJ032",
    title: "SECRET_KEY is empty",
    summary: "ImproperlyConfigured \"The SECRET_KEY setting must not be empty.\": the settings read SECRET_KEY from \
              an environment variable that is not set where Django runs (a shell, a container, a CI job or a Docker \
              build step such as collectstatic), or the settings module in use never sets it.",
    example: "real/setup/secret_key_empty_request.txt",
    diagnose,
};

const EXPLANATION: &str = "Django signs sessions, cookies, password-reset tokens and messages with SECRET_KEY, so \
it refuses to run with an empty one. Since Django 3.2 the check happens the first time something reads the key \
(often the first request); before that, as soon as the settings load. An empty key almost always comes from \
`os.environ.get(\"…\", \"\")` with the variable not set in this process.";

const REFERENCES: [&str; 2] = [
    "Django documentation: Settings › SECRET_KEY — https://docs.djangoproject.com/en/stable/ref/settings/#secret-key",
    "Django documentation: Deployment checklist › SECRET_KEY — https://docs.djangoproject.com/en/stable/howto/deployment/checklist/#secret-key",
];

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
    let quote = Some(hit.line);
    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised("Django refused to run with an empty SECRET_KEY.", quote);
    r.recognised(
        if at_load {
            "It was raised while the settings loaded (`Settings.__init__`, Django ≤ 3.1)."
        } else {
            "It was raised when SECRET_KEY was first read (Django ≥ 3.2 checks lazily)."
        },
        None,
    );
    let workflow = ci::workflow(&v, "a secret key from the CI secrets", &[
        Step { name: "Deployment checks", run: "DJANGO_SECRET_KEY=\"${{ secrets.DJANGO_SECRET_KEY }}\" python manage.py check --deploy --fail-level WARNING" },
        Step { name: "Run the tests", run: "DJANGO_SECRET_KEY=ci-only-not-secret pytest" },
    ]);
    let tests = vec![python("SECRET_KEY is set and not a placeholder", "tests/test_settings.py", TEST_KEY.into())];

    let c = r.cause("env-var-unset", "The environment variable that holds the key is not set in this process", 1.5);
    for e in f.env_settings.iter().take(2) {
        c.support(1.5, format!("The settings read the environment: {e}."), None);
    }
    if environ {
        c.support(1.5, "django-environ reads SECRET_KEY from the environment or a `.env` file it did not find.", None);
    }
    if !f.docker.is_empty() {
        c.support(0.5, "The program runs in a container: variables from your shell or `.env` are not passed unless compose says so.", None);
    }
    c.fix(v.fix(
        "Read the key from the environment without an empty default, so a missing variable fails with its name.",
        "settings.py",
        "python",
        "SECRET_KEY = os.environ.get(\"DJANGO_SECRET_KEY\", \"\")\n",
        "SECRET_KEY = os.environ[\"DJANGO_SECRET_KEY\"]  # KeyError names the missing variable\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec![
        "`env | grep SECRET_KEY` in the process that runs Django (`docker compose exec web env`).".into(),
        "`.env` files are read only by code that loads them (django-environ's `read_env`, python-dotenv, compose `env_file:`).".into(),
    ]);

    let c = r.cause("build-step-without-secrets", "A build or CI step runs Django without the runtime secrets", 0.4);
    if build {
        c.support(
            2.5,
            format!(
                "`manage.py {}` usually runs in a Docker build or CI step, where runtime secrets are not set.",
                command.unwrap_or("")
            ),
            None,
        );
    } else {
        c.weaken(0.5, "The command is not a build step such as collectstatic.");
    }
    c.fix(v.fix(
        "Give build steps a throwaway key; only the running service gets the real one.",
        "Dockerfile",
        "dockerfile",
        "RUN python manage.py collectstatic --noinput\n",
        "RUN DJANGO_SECRET_KEY=build-only-not-secret python manage.py collectstatic --noinput\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec!["Which step failed: the image build, a CI job, or the running service?".into()]);

    let c = r.cause("settings-module-without-key", "The settings module in use never sets SECRET_KEY", 0.3);
    c.fix(v.fix(
        "Set SECRET_KEY in the base settings that every environment imports, from the environment.",
        "settings/production.py",
        "python",
        "from .base import *  # noqa\n\nDEBUG = False\n",
        "import os\n\nfrom .base import *  # noqa\n\nDEBUG = False\nSECRET_KEY = os.environ[\"DJANGO_SECRET_KEY\"]\n",
    ))
    .tests(tests)
    .ci(workflow)
    .checks(vec![v.fill("`python manage.py diffsettings | grep SECRET_KEY` with the same DJANGO_SETTINGS_MODULE as the failing process ({settings}).")]);

    r.finish(|a, b| {
        format!("The paste cannot decide between \"{a}\" and \"{b}\": print `os.environ.get(\"DJANGO_SECRET_KEY\")` from the failing process and check which settings module it uses.")
    })
}

const TEST_KEY: &str = r#"from django.conf import settings


def test_secret_key_is_set():
    assert settings.SECRET_KEY
    assert not settings.SECRET_KEY.startswith("django-insecure-") or settings.DEBUG
"#;
