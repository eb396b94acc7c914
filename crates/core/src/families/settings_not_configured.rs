//! `settings-not-configured` (DJ006): Django code ran before any settings module was chosen.
//!
//! Recognised by an `ImproperlyConfigured` saying `Requested setting X, but settings are not configured` (Django
//! 1.11–6.0). Causes are ranked by the program that started: a plain script or notebook, pytest without
//! DJANGO_SETTINGS_MODULE, a server or worker without the variable, or a module reading settings at import
//! time. INSTALLED_APPS through `check_apps_ready` means a model was imported.

use super::ci::{self, Step};
use super::kit::{self, Ranking, Values};
use super::startup::{self, python};
use super::{Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "settings-not-configured",
    code: "DJ006",
    title: "Django settings are not configured",
    summary: "ImproperlyConfigured \"settings are not configured\": code used settings before DJANGO_SETTINGS_MODULE was set (a script, pytest, a worker).",
    example: "real/improperly_configured_settings.txt",
    diagnose,
};

const EXPLANATION: &str = "Settings load from the module named by DJANGO_SETTINGS_MODULE, which was not set. \
`manage.py`, `wsgi.py` and `asgi.py` set it; scripts, notebooks, pytest and workers must set it themselves.";

const REFERENCES: [&str; 2] = [
    "Django docs: Designating the settings — https://docs.djangoproject.com/en/stable/topics/settings/#designating-the-settings",
    "pytest-django: Configuring Django settings — https://pytest-django.readthedocs.io/en/latest/configuring_django.html",
];

const SETUP: &str = "import os\n\nimport django\n\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"{settings}\")\ndjango.setup()\n\nfrom shop.models import Product  # noqa: E402\n";

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
    r.recognised(format!("`{setting}` was read before settings were chosen."), quote);
    if models_import {
        r.recognised("`check_apps_ready`: a model was imported.", None);
    }
    if !known {
        r.recognised("`mysite.settings` stands for your settings module.", None);
    }
    let workflow = ci::workflow(&v, "Django starts", &[Step { name: "Tests", run: "pytest" }]);
    let tests =
        vec![python("Django starts with these settings", "tests/test_startup.py", v.fill(startup::TEST_DJANGO_STARTS))];

    let c = r.cause("standalone-script", "A plain script, shell or notebook uses Django without setting it up", 1.0);
    match script {
        Some(name) => c.support(3.0, format!("Started at `{name}`, not `manage.py`."), None),
        None => c.weaken(0.3, "Not started from a plain script."),
    };
    c.fix(v.fix(
        "Set up Django at the top of the script, before importing models (or write a management command).",
        script.unwrap_or("script.py"),
        "python",
        "from shop.models import Product\n",
        SETUP,
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec![v.fill("`DJANGO_SETTINGS_MODULE={settings} python {script}`")]);

    let c = r.cause("pytest-no-settings", "pytest runs without DJANGO_SETTINGS_MODULE", 0.5);
    if pytest {
        c.support(3.0, "pytest's report: pytest-django had no settings.", None);
    } else {
        c.weaken(0.2, "No pytest in the paste.");
    }
    c.fix(v.fix(
        "Name the settings for pytest-django.",
        "pytest.ini",
        "ini",
        "[pytest]\n",
        "[pytest]\nDJANGO_SETTINGS_MODULE = {settings}\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec!["pytest's header shows `django: … settings: …`?".into()]);

    let c = r.cause("server-without-env", "A server or worker was started without DJANGO_SETTINGS_MODULE", 0.3);
    if let Some(run) = runner {
        c.support(2.5, format!("`{run}` does not set DJANGO_SETTINGS_MODULE itself."), None);
    } else {
        c.weaken(0.5, "No server or worker frames.");
    }
    c.fix(v.fix(
        "Set the variable where the process starts (wsgi.py, asgi.py, celery.py).",
        "celery.py",
        "python",
        "from celery import Celery\n",
        "import os\n\nfrom celery import Celery\n\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"{settings}\")\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec!["`env | grep DJANGO_SETTINGS_MODULE` in that service.".into()]);

    let c = r.cause("import-time-settings", "A module reads settings at import time, before setup", 0.2);
    if !models_import && script.is_none() && !pytest {
        c.support(1.0, format!("`{setting}` was read during imports."), quote);
    }
    c.fix(v.fix(
        "Read settings inside functions, not at module level.",
        "utils.py",
        "python",
        "from django.conf import settings\n\nTIMEOUT = settings.{setting}\n",
        "from django.conf import settings\n\n\ndef timeout():\n    return settings.{setting}\n",
    ))
    .tests(tests)
    .ci(workflow)
    .checks(vec!["The first project frame reads settings too early.".into()]);

    r.finish(|a, b| format!("\"{a}\" or \"{b}\"? Check how the process started and its DJANGO_SETTINGS_MODULE."))
}
