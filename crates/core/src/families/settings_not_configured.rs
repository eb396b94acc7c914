//! `settings-not-configured` (DJ006): Django code ran before any settings module was chosen.
//!
//! Recognised by an `ImproperlyConfigured` saying `Requested setting X, but settings are not configured` (or
//! `Requested settings, …`; the same text from Django 1.11 to 6.0). Causes are ranked by the program that
//! started: a plain script, REPL or notebook (the entry frame is not manage.py), pytest without
//! DJANGO_SETTINGS_MODULE (pytest's report), a WSGI/ASGI server or Celery worker started without the variable, or
//! a module that reads settings at import time. The setting named tells how early it happened: INSTALLED_APPS
//! through `check_apps_ready` means a model was imported.

use super::ci::{self, Step};
use super::kit::{self, Ranking, Values};
use super::startup::{self, python};
use super::{Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "settings-not-configured",
    code: "DJ006",
    title: "Django settings are not configured",
    summary: "ImproperlyConfigured \"Requested setting X, but settings are not configured\": code touched \
              django.conf.settings (often by importing a model) before DJANGO_SETTINGS_MODULE was set or \
              settings.configure() was called — a plain script or notebook, pytest without pytest-django's \
              settings, or a server or worker started without the environment variable.",
    example: "real/improperly_configured_settings.txt",
    diagnose,
};

const EXPLANATION: &str = "Django reads its settings lazily: the first time any code touches `django.conf.settings` \
it imports the module named by the DJANGO_SETTINGS_MODULE environment variable. Here that variable was not set (and \
`settings.configure()` was not called), so Django did not know which settings to use. `manage.py`, `wsgi.py` and \
`asgi.py` set it for you; anything else — a script, a notebook, pytest, a worker — must set it itself.";

const REFERENCES: [&str; 3] = [
    "Django documentation: Settings › Designating the settings — https://docs.djangoproject.com/en/stable/topics/settings/#designating-the-settings",
    "Django documentation: Using settings without setting DJANGO_SETTINGS_MODULE — https://docs.djangoproject.com/en/stable/topics/settings/#using-settings-without-setting-django-settings-module",
    "pytest-django: Configuring Django settings — https://pytest-django.readthedocs.io/en/latest/configuring_django.html",
];

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let Some(hit) = kit::find(cx.tb, &["ImproperlyConfigured"], &["but settings are not configured"]) else {
        return Vec::new();
    };
    let setting = kit::between(hit.line, "Requested setting ", ",").unwrap_or("settings");
    let (settings, known) = startup::settings_guess(cx.tb);
    let pytest = startup::via_pytest(cx);
    let script = startup::plain_script(cx.tb).filter(|_| !pytest);
    let runner = cx.facts.runner.as_deref().filter(|r| !matches!(*r, "pytest" | "runserver" | "django-test"));
    let models_import = kit::has_frame(cx.tb, "django/apps/registry.py", "check_apps_ready");
    let mut v = Values::new(cx);
    v.set("setting", setting).set("settings", settings.as_str()).set("script", script.unwrap_or("script.py"));
    let quote = Some(hit.line);
    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("Django was asked for `{setting}` before any settings module was chosen."), quote);
    if models_import {
        r.recognised("`check_apps_ready` asked for INSTALLED_APPS: a model was imported, so Django had to know the installed apps.", None);
    }
    if !known {
        r.recognised("The paste does not name the settings module: `mysite.settings` below stands for yours.", None);
    }
    let workflow = ci::workflow(
        &v,
        "Django starts with its settings",
        &[
            Step {
                name: "Django starts",
                run: "DJANGO_SETTINGS_MODULE={settings} python -c \"import django; django.setup()\"",
            },
            Step { name: "Run the tests", run: "pytest" },
        ],
    );
    let tests = vec![
        python("Django starts with these settings", "tests/test_startup.py", v.fill(startup::TEST_DJANGO_STARTS)),
        python("The settings module is the one you expect", "tests/test_settings.py", v.fill(TEST_CONFIGURED)),
    ];

    let c = r.cause("standalone-script", "A plain script, shell or notebook uses Django without setting it up", 1.0);
    match script {
        Some(name) => c.support(
            3.0,
            format!("The program started at `{name}`, not `manage.py`: nothing set DJANGO_SETTINGS_MODULE."),
            None,
        ),
        None => c.weaken(0.3, "The paste does not start at a plain script."),
    };
    c.fix(v.fix(
        "Set the settings module and call django.setup() at the top of the script, before importing models — or turn the script into a management command.",
        script.unwrap_or("script.py"),
        "python",
        "from shop.models import Product\n",
        "import os\n\nimport django\n\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"{settings}\")\ndjango.setup()\n\nfrom shop.models import Product  # noqa: E402  (after setup)\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec![v.fill("Run it as `DJANGO_SETTINGS_MODULE={settings} python {script}`, or through `python manage.py shell < {script}`: if that works, the script only lacks the setup lines.")]);

    let c = r.cause("pytest-no-settings", "pytest runs without DJANGO_SETTINGS_MODULE", 0.5);
    if pytest {
        c.support(
            3.0,
            "This is pytest's report: pytest-django did not know the settings, so importing the test module failed.",
            None,
        );
    } else {
        c.weaken(0.2, "Nothing in the paste shows pytest.");
    }
    c.fix(v.fix(
        "Tell pytest-django which settings to use (and install pytest-django).",
        "pytest.ini",
        "ini",
        "[pytest]\npython_files = test_*.py\n",
        "[pytest]\nDJANGO_SETTINGS_MODULE = {settings}\npython_files = test_*.py\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec![
        "`pytest --version` lists `django-…` among the plugins, and its header says `django: … settings: …`.".into(),
    ]);

    let c = r.cause("server-without-env", "A server or worker was started without DJANGO_SETTINGS_MODULE", 0.3);
    if let Some(run) = runner {
        c.support(2.5, format!("The program is `{run}`, which does not set DJANGO_SETTINGS_MODULE unless its entry module (wsgi.py, asgi.py, celery.py) does."), None);
    } else {
        c.weaken(0.5, "No server or worker frames (gunicorn, uvicorn, celery) in the paste.");
    }
    c.fix(v.fix(
        "Set the variable where the process starts (or in wsgi.py/asgi.py/celery.py, before anything imports Django code).",
        "celery.py",
        "python",
        "from celery import Celery\n\napp = Celery(\"proj\")\n",
        "import os\n\nfrom celery import Celery\n\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"{settings}\")\n\napp = Celery(\"proj\")\napp.config_from_object(\"django.conf:settings\", namespace=\"CELERY\")\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec!["`env | grep DJANGO_SETTINGS_MODULE` in the same service (systemd unit, compose `environment:`, Procfile).".into()]);

    let c = r.cause("import-time-settings", "A module reads settings at import time, before setup", 0.2);
    if !models_import && script.is_none() && !pytest {
        c.support(
            1.0,
            format!("`{setting}` was read while modules were being imported, not by a model import."),
            quote,
        );
    }
    c.fix(v.fix(
        "Read settings inside functions, not at module level, so importing the module does not need Django configured.",
        "utils.py",
        "python",
        "from django.conf import settings\n\nTIMEOUT = settings.{setting}\n",
        "from django.conf import settings\n\n\ndef timeout():\n    return settings.{setting}\n",
    ))
    .tests(tests)
    .ci(workflow)
    .checks(vec!["The first project frame in the traceback is the module that reads settings too early.".into()]);

    r.finish(|a, b| {
        format!("The paste cannot decide between \"{a}\" and \"{b}\": check how the failing process was started and whether DJANGO_SETTINGS_MODULE is set in its environment.")
    })
}

const TEST_CONFIGURED: &str = r#"from django.conf import settings


def test_settings_module_is_the_expected_one():
    assert settings.configured
    assert settings.SETTINGS_MODULE == "{settings}"
"#;
