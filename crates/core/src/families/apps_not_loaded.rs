//! `apps-not-loaded` (DJ007): code used the app registry before Django finished loading the apps.
//!
//! Recognised by an `AppRegistryNotReady` saying `Apps aren't loaded yet.` or `Models aren't loaded yet.` or
//! `The translation infrastructure cannot be initialized before the apps registry is ready`, and by the sibling
//! `RuntimeError: populate() isn't reentrant`. Causes are ranked by where it happened: a script that imports
//! models before `django.setup()` (no `setup`/`populate` frames), an app package or `apps.py` that imports models
//! while `populate` creates the app configs (`config.py create`), a registry lookup at module level in a models
//! module (`import_models` + `Models aren't loaded yet.`), or a non-lazy gettext at import time.

use super::ci::{self, Step};
use super::kit::{self, Cause, Ranking, Values};
use super::startup::{self, python};
use super::{Context, Family};
use crate::model::{Diagnosis, Snippet};

pub const FAMILY: Family = Family {
    id: "apps-not-loaded",
    code: "DJ007",
    title: "Django apps aren't loaded yet",
    summary: "AppRegistryNotReady \"Apps aren't loaded yet.\" / \"Models aren't loaded yet.\": a model, \
              get_user_model() or gettext() was used before django.setup() finished.",
    example: "real/setup/apps_not_loaded_app_init.txt",
    diagnose,
};

const EXPLANATION: &str = "`django.setup()` imports every app in INSTALLED_APPS, then their models, then marks \
the registry ready. Using a model or translating a string before that raises AppRegistryNotReady; the project \
frame just above Django's frames came too early.";

const REFERENCES: [&str; 2] = [
    "Django docs: How applications are loaded — https://docs.djangoproject.com/en/stable/ref/applications/#how-applications-are-loaded",
    "Django docs: django.setup() for standalone use — https://docs.djangoproject.com/en/stable/topics/settings/#calling-django-setup-is-required-for-standalone-django-usage",
];

const PATTERNS: [&str; 4] = [
    "Apps aren't loaded yet",
    "Models aren't loaded yet",
    "translation infrastructure cannot be initialized",
    "populate() isn't reentrant",
];

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let Some(hit) = kit::find(cx.tb, &["AppRegistryNotReady", "RuntimeError"], &PATTERNS) else {
        return Vec::new();
    };
    let tb = cx.tb;
    let in_setup = kit::has_frame(tb, "django/apps/registry.py", "populate");
    let creating = kit::has_frame(tb, "django/apps/config.py", "create");
    let importing_models = kit::has_frame(tb, "django/apps/config.py", "import_models");
    let offender = startup::offending_frame(tb);
    let code = offender
        .and_then(|f| f.code.as_deref())
        .filter(|c| startup::balanced(c))
        .unwrap_or("from shop.models import Product");
    let (settings, _) = startup::settings_guess(tb);
    let mut v = Values::new(cx);
    v.set("code", code).set("settings", settings.as_str());
    v.set("where", offender.map(startup::at).unwrap_or_else(|| "the first project frame".into()));
    let quote = Some(hit.line);
    let p = hit.pattern;
    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised("The app registry was not ready yet.", quote);
    if let Some(f) = offender {
        r.recognised(v.fill("Project code that came too early: {where}."), f.code.as_deref());
    }
    let workflow = ci::workflow(
        &v,
        "every app imports after setup",
        &[Step { name: "System checks", run: "python manage.py check" }, Step { name: "Run the tests", run: "pytest" }],
    );
    let tests =
        vec![python("Django starts with these settings", "tests/test_startup.py", v.fill(startup::TEST_DJANGO_STARTS))];
    let script = startup::plain_script(tb);
    let c = r.cause("import-before-setup", "A script imports models before calling django.setup()", 1.0);
    match (script, in_setup) {
        (Some(name), false) => {
            c.support(3.0, format!("The program started at `{name}` and never reached `django.setup()`."), None)
        }
        (_, true) => c.weaken(0.1, "It failed inside `django.setup()` itself, not before it."),
        _ => c.weaken(0.5, "The paste does not start at a plain script."),
    };
    finish(c, &tests, &workflow, "Move every model import below `django.setup()`, or make the script a management command.")
        .fix(v.fix(
            "Call django.setup() after choosing the settings and before importing any model.",
            script.unwrap_or("script.py"),
            "python",
            "import django\n\n{code}\n\ndjango.setup()\n",
            "import os\n\nimport django\n\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"{settings}\")\ndjango.setup()\n\n{code}  # noqa: E402\n",
        ));

    let c = r.cause(
        "app-package-imports-models",
        "An app's __init__.py or apps.py imports models while the apps load",
        0.5,
    );
    if creating && !importing_models && p == PATTERNS[0] {
        c.support(
            3.0,
            v.fill("Django was importing the app packages (`AppConfig.create`) when {where} imported models."),
            None,
        );
    } else {
        c.weaken(0.3, "Django was not importing app packages when it failed.");
    }
    finish(c, &tests, &workflow, "Keep app `__init__.py` files free of imports; `python manage.py check` must pass.")
        .fix(v.fix(
            "Import models and connect signals in AppConfig.ready().",
            "apps.py",
            "python",
            "# __init__.py\n{code}\nfrom . import signals\n",
            "class AppNameConfig(AppConfig):\n    name = \"app_name\"\n\n    def ready(self):\n        from . import signals  # noqa: F401\n",
        ));

    let c = r.cause("model-lookup-at-import", "A models module looks up another model at import time", 0.3);
    if p == PATTERNS[1] && importing_models {
        c.support(
            3.0,
            v.fill("Django was importing models modules: {where} asks the registry for a model at module level."),
            quote,
        );
    } else if p == PATTERNS[1] {
        c.support(1.5, "A registry lookup (get_model, get_user_model) ran too early.", quote);
    } else {
        c.weaken(0.3, "The message is not \"Models aren't loaded yet\".");
    }
    finish(c, &tests, &workflow, "Search models.py files for `apps.get_model(` and `get_user_model()` at module level.")
        .fix(v.fix(
            "Refer to other models by \"app_label.ModelName\" (settings.AUTH_USER_MODEL for the user).",
            "models.py",
            "python",
            "User = apps.get_model(\"auth\", \"User\")\n\n\nclass Profile(models.Model):\n    user = models.OneToOneField(User, on_delete=models.CASCADE)\n",
            "class Profile(models.Model):\n    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)\n",
        ));

    let c = r.cause("gettext-at-import", "gettext() (not gettext_lazy) runs at import time", 0.1);
    if p == PATTERNS[2] {
        c.support(5.0, "A non-lazy gettext call ran at import time.", quote);
    } else {
        c.weaken(0.2, "The message is not the translation one.");
    }
    finish(c, &tests, &workflow, "`grep -rn \"import gettext as _\" --include=*.py .`").fix(v.fix(
        "Use gettext_lazy for strings defined at module or class level.",
        "apps.py",
        "python",
        "from django.utils.translation import gettext as _\n",
        "from django.utils.translation import gettext_lazy as _\n",
    ));

    if p == PATTERNS[3] {
        let c = r.cause(
            "hidden-import-error",
            "An earlier error during app loading is hidden (populate() isn't reentrant)",
            0.0,
        );
        c.support(5.0, "A first attempt to load the apps failed; the server retried and hid the real error.", quote);
        finish(
            c,
            &tests,
            &workflow,
            "Run `python manage.py check` in the same environment: it shows the real exception.",
        );
    }

    r.finish(|a, b| {
        format!("Cannot decide between \"{a}\" and \"{b}\": does the project frame just above Django's run during `django.setup()` or before it?")
    })
}

fn finish<'a>(c: &'a mut Cause, tests: &[Snippet], ci: &Snippet, check: &str) -> &'a mut Cause {
    c.tests(tests.to_vec()).ci(ci.clone()).checks(vec![check.into()])
}
