//! `module-not-found-settings` (DJ033): Python cannot import the settings, the WSGI/ASGI module, or Django itself.
//!
//! Recognised by a `ModuleNotFoundError`/`ImportError` `No module named 'X'` where X is a settings module
//! (`…settings…`), a `….wsgi`/`….asgi` module, `django` itself, or whatever `Settings.__init__` or gunicorn's
//! `import_app` was importing when it failed (the last frame is the import, not project code); manage.py's
//! `Couldn't import Django` and runserver's `WSGI application '…' could not be loaded`. A removed Django module
//! (`django.core.urlresolvers`) belongs to removed-api-import; a missing third-party package to the general layer.
//! Causes: the working directory / PYTHONPATH, a DJANGO_SETTINGS_MODULE naming a module that does not exist,
//! Django not installed in this interpreter, a nested project folder.

use super::ci::{self, Step};
use super::kit::{self, Ranking, Values};
use super::startup::python;
use super::{orm_common, Context, Family};
use crate::model::{Diagnosis, Origin};

pub const FAMILY: Family = Family {
    id: "module-not-found-settings",
    code: "DJ033",
    title: "Settings, WSGI module or Django cannot be imported",
    summary: "\"No module named 'mysite.settings'\": the project is not on sys.path, DJANGO_SETTINGS_MODULE is wrong, or no Django.",
    example: "real/setup/module_not_found_gunicorn.txt",
    diagnose,
};

const EXPLANATION: &str = "The settings/WSGI top package must be on `sys.path` (the manage.py directory).";

const REFERENCES: [&str; 1] = ["Django docs: DJANGO_SETTINGS_MODULE — https://docs.djangoproject.com/en/stable/topics/settings/#designating-the-settings"];

/// The missing module and whether the traceback shows Django or a server importing it directly.
fn missing<'a>(cx: &Context<'a>) -> Option<(&'a str, &'a str)> {
    let tb = cx.tb;
    if let Some(hit) = kit::find(
        tb,
        &["ImportError", "ImproperlyConfigured"],
        &["Couldn't import Django", "could not be loaded; Error importing module"],
    ) {
        let name = kit::between(hit.line, "WSGI application '", "'")
            .map_or("django", |w| w.rsplit_once('.').map_or(w, |(m, _)| m));
        return Some((name, hit.line));
    }
    let hit = kit::find(tb, &["ModuleNotFoundError", "ImportError"], &["No module named "])?;
    let name =
        kit::between(hit.line, "No module named '", "'").or_else(|| kit::between(hit.line, "No module named ", " "))?;
    let last_is_import = hit.exception.frames.last().is_none_or(|f| f.origin != Origin::App);
    let loader = kit::has_frame(tb, "django/conf/__init__.py", "__init__")
        || kit::has_frame(tb, "gunicorn/util.py", "import_app");
    let wanted = name == "django"
        || name.contains("settings")
        || [".wsgi", ".asgi"].iter().any(|s| name.ends_with(s))
        || (loader && last_is_import);
    (wanted && !name.starts_with("django.")).then_some((name, hit.line))
}

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let Some((name, line)) = missing(cx) else {
        return Vec::new();
    };
    let f = cx.facts;
    let django = name == "django";
    let top = name.split('.').next().unwrap_or(name);
    let is_settings = name.contains("settings");
    let server = f.runner.as_deref().filter(|r| matches!(*r, "gunicorn" | "uwsgi" | "uvicorn" | "daphne" | "celery"));
    let parts: Vec<&str> = name.split('.').collect();
    let nested = parts.len() >= 3 && parts.first() == parts.get(1);
    let mut v = Values::new(cx);
    v.set("module", name).set("top", top);
    v.set("settings", if is_settings { name.to_string() } else { format!("{top}.settings") });
    let quote = Some(line);
    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("Cannot import `{name}`."), quote);
    let workflow = ci::workflow(
        &v,
        "imports",
        &[
            Step {
                name: "Settings",
                run: "DJANGO_SETTINGS_MODULE={settings} python -c \"import django; django.setup()\"",
            },
            Step { name: "WSGI", run: "gunicorn --check-config {top}.wsgi" },
            Step { name: "Tests", run: "pytest" },
        ],
    );
    let tests = vec![python("Settings import", "tests/test_startup.py", v.fill(TEST_IMPORT))];

    let c = r.cause("wrong-directory", "Started outside the project", 1.0);
    if let Some(s) = server {
        c.support(2.5, format!("`{s}` started elsewhere (no --chdir)."), None);
    }
    if !is_settings && !django {
        c.support(1.0, format!("`{top}` itself is missing."), quote);
    }
    if django {
        c.weaken(0.2, "Django is missing, not the project.");
    }
    c.fix(v.fix(
        "Start in the manage.py directory.",
        "terminal",
        "shell",
        "$ gunicorn {top}.wsgi\n",
        "$ gunicorn --chdir /path/to/project {top}.wsgi\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec!["`pwd` of the process (`WorkingDirectory=`, `WORKDIR`).".into()]);

    let c = r.cause("settings-path-wrong", "DJANGO_SETTINGS_MODULE is wrong", 0.8);
    if is_settings {
        c.support(2.5, format!("Does `{name}` exist?"), quote);
    } else {
        c.weaken(0.2, "Not a settings module.");
    }
    c.fix(v.fix(
        "Name an existing module.",
        "terminal",
        "shell",
        "$ export DJANGO_SETTINGS_MODULE={module}\n",
        "$ export DJANGO_SETTINGS_MODULE={top}.settings\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec!["`echo $DJANGO_SETTINGS_MODULE` there.".into()]);

    let c = r.cause("django-not-installed", "Django not installed here", 0.2);
    if django {
        c.support(4.0, "No `django`: virtualenv not active?", quote);
    } else {
        c.weaken(0.2, "Django imported.");
    }
    if let Some(prefix) = &f.python_prefix {
        c.support(0.0, format!("Prefix `{prefix}`."), None);
    }
    c.fix(v.fix(
        "Activate the virtualenv.",
        "terminal",
        "shell",
        "$ python manage.py {command}\n",
        "$ source .venv/bin/activate\n$ python manage.py {command}\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec!["`which python`; `python -m pip show django`.".into()]);

    if nested {
        let c = r.cause("nested-project", "Nested project folder", 0.0);
        c.support(2.0, format!("`{name}` repeats `{top}`."), quote);
        c.tests(tests).ci(workflow).checks(vec![v.fill("Use `{top}.settings`.")]);
    }

    orm_common::finish(r, &format!("`python -c \"import {top}\"` there."))
}

const TEST_IMPORT: &str = r#"import importlib
import os


def test_settings_import():
    importlib.import_module(os.environ.get("DJANGO_SETTINGS_MODULE", "{settings}"))
"#;
