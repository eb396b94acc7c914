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
    summary: "Settings used before DJANGO_SETTINGS_MODULE was set (script, pytest, worker).",
    example: "real/improperly_configured_settings.txt",
    diagnose,
};

const EXPLANATION: &str = "DJANGO_SETTINGS_MODULE was not set. `manage.py` sets it; scripts, pytest and workers must.";

const REFERENCES: [&str; 1] =
    ["Django docs: settings — https://docs.djangoproject.com/en/stable/topics/settings/#designating-the-settings"];

const SETUP: &str =
    "import os\n\nimport django\n\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"{settings}\")\ndjango.setup()\n";

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
    r.recognised(format!("`{setting}` read too early."), quote);
    if models_import {
        r.recognised("A model was imported.", None);
    }
    if !known {
        r.recognised("`mysite.settings` is a placeholder.", None);
    }
    let workflow = ci::workflow(&v, "Django starts", &[Step { name: "Tests", run: "pytest" }]);
    let tests = vec![python("Django starts", "tests/test_startup.py", v.fill(startup::TEST_DJANGO_STARTS))];

    let c = r.cause("standalone-script", "A script skips django.setup()", 1.0);
    match script {
        Some(name) => c.support(3.0, format!("Started at `{name}`."), None),
        None => c.weaken(0.3, "Not a script."),
    };
    c.fix(v.fix("Set up Django first.", script.unwrap_or("script.py"), "python", "", SETUP))
        .tests(tests.clone())
        .ci(workflow.clone())
        .checks(vec![v.fill("`DJANGO_SETTINGS_MODULE={settings} python {script}`")]);

    let c = r.cause("pytest-no-settings", "pytest has no settings", 0.5);
    if pytest {
        c.support(3.0, "pytest.", None);
    } else {
        c.weaken(0.2, "No pytest.");
    }
    c.fix(v.fix("Name the settings.", "pytest.ini", "ini", "", "DJANGO_SETTINGS_MODULE = {settings}\n"))
        .tests(tests.clone())
        .ci(workflow.clone())
        .checks(vec!["pytest header: `settings:`?".into()]);

    let c = r.cause("server-without-env", "A server/worker has no settings", 0.3);
    if let Some(run) = runner {
        c.support(2.5, format!("`{run}`."), None);
    } else {
        c.weaken(0.5, "No server.");
    }
    c.fix(v.fix(
        "Set it where the process starts.",
        "celery.py",
        "python",
        "",
        "os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"{settings}\")\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec!["`env | grep DJANGO`".into()]);

    let c = r.cause("import-time-settings", "Settings read at import time", 0.2);
    if !models_import && script.is_none() && !pytest {
        c.support(1.0, format!("`{setting}` at import."), quote);
    }
    c.fix(v.fix(
        "Read settings in functions.",
        "utils.py",
        "python",
        "TIMEOUT = settings.{setting}\n",
        "def timeout():\n    return settings.{setting}\n",
    ))
    .tests(tests)
    .ci(workflow)
    .checks(vec!["See the first project frame.".into()]);

    super::orm_common::finish(r, "how did the process start?")
}
