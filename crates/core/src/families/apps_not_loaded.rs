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
    summary: "AppRegistryNotReady \"Apps aren't loaded yet.\": a model or gettext() used before django.setup().",
    example: "real/setup/apps_not_loaded_app_init.txt",
    diagnose,
};

const EXPLANATION: &str = "A model or translation was used before `django.setup()` finished loading the apps.";

const REFERENCES: [&str; 1] =
    ["Django docs: Applications — https://docs.djangoproject.com/en/stable/ref/applications/#how-applications-are-loaded"];

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
    r.recognised("The app registry was not ready.", quote);
    if let Some(f) = offender {
        r.recognised(v.fill("Too early: {where}."), f.code.as_deref());
    }
    let workflow = ci::workflow(
        &v,
        "checks",
        &[Step { name: "Checks", run: "python manage.py check" }, Step { name: "Tests", run: "pytest" }],
    );
    let tests = vec![python("Django starts", "tests/test_startup.py", v.fill(startup::TEST_DJANGO_STARTS))];
    let script = startup::plain_script(tb);
    let c = r.cause("import-before-setup", "A script imports models before django.setup()", 1.0);
    match (script, in_setup) {
        (Some(name), false) => c.support(3.0, format!("`{name}` never reached `django.setup()`."), None),
        (_, true) => c.weaken(0.1, "It failed inside `django.setup()`."),
        _ => c.weaken(0.5, "Not a plain script."),
    };
    finish(c, &tests, &workflow, "Are model imports below `django.setup()`?").fix(v.fix(
        "Call django.setup() before importing models.",
        script.unwrap_or("script.py"),
        "python",
        "{code}\ndjango.setup()\n",
        "os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"{settings}\")\ndjango.setup()\n{code}\n",
    ));

    let c = r.cause("app-package-imports-models", "An app's __init__.py imports models", 0.5);
    if creating && !importing_models && p == PATTERNS[0] {
        c.support(3.0, v.fill("{where} imported models while app packages loaded."), None);
    } else {
        c.weaken(0.3, "Not while app packages loaded.");
    }
    finish(c, &tests, &workflow, "Are app `__init__.py` files free of imports?").fix(v.fix(
        "Import signals in AppConfig.ready().",
        "apps.py",
        "python",
        "{code}  # in __init__.py\n",
        "class AppNameConfig(AppConfig):\n    def ready(self):\n        from . import signals  # noqa: F401\n",
    ));

    let c = r.cause("model-lookup-at-import", "A model lookup at import time", 0.3);
    if p == PATTERNS[1] && importing_models {
        c.support(3.0, v.fill("{where} looks up a model at module level."), quote);
    } else if p == PATTERNS[1] {
        c.support(1.5, "get_model/get_user_model ran too early.", quote);
    } else {
        c.weaken(0.3, "Not \"Models aren't loaded yet\".");
    }
    finish(c, &tests, &workflow, "`grep -rn \"get_model(\\|get_user_model()\" */models.py`").fix(v.fix(
        "Refer to models by \"app.Model\" or settings.AUTH_USER_MODEL.",
        "models.py",
        "python",
        "user = models.OneToOneField(User, on_delete=models.CASCADE)\n",
        "user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)\n",
    ));

    let c = r.cause("gettext-at-import", "gettext() at import time", 0.1);
    if p == PATTERNS[2] {
        c.support(5.0, "gettext ran at import time.", quote);
    } else {
        c.weaken(0.2, "Not the translation message.");
    }
    finish(c, &tests, &workflow, "`grep -rn \"import gettext as _\" --include=*.py .`").fix(v.fix(
        "Use gettext_lazy at module level.",
        "apps.py",
        "python",
        "from django.utils.translation import gettext as _\n",
        "from django.utils.translation import gettext_lazy as _\n",
    ));

    if p == PATTERNS[3] {
        let c = r.cause("hidden-import-error", "An earlier app-loading error is hidden", 0.0);
        c.support(5.0, "The first load failed; the retry hid the error.", quote);
        finish(c, &tests, &workflow, "`python manage.py check` shows the real error.");
    }

    super::orm_common::finish(r, "does the project frame run during `django.setup()` or before?")
}

fn finish<'a>(c: &'a mut Cause, tests: &[Snippet], ci: &Snippet, check: &str) -> &'a mut Cause {
    c.tests(tests.to_vec()).ci(ci.clone()).checks(vec![check.into()])
}
