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
use super::{Context, Family};
use crate::model::{Diagnosis, Origin};

pub const FAMILY: Family = Family {
    id: "module-not-found-settings",
    code: "DJ033",
    title: "Settings, WSGI module or Django cannot be imported",
    summary: "ModuleNotFoundError \"No module named 'mysite.settings'\" (or 'mysite.wsgi', 'mysite', 'django'), \
              manage.py's \"Couldn't import Django\" or gunicorn's \"Worker failed to boot\": the process runs from a \
              directory (or PYTHONPATH) where the project package is not importable, DJANGO_SETTINGS_MODULE names a \
              module that does not exist, or Django is not installed in the interpreter that runs.",
    example: "real/setup/module_not_found_gunicorn.txt",
    diagnose,
};

const EXPLANATION: &str = "Django imports the settings module named by DJANGO_SETTINGS_MODULE, and servers import \
the WSGI/ASGI module you give them, with Python's ordinary import system: the top package (`mysite`) must be in a \
directory on `sys.path` — normally the directory that holds manage.py, which is on the path only when the process \
starts there. Here Python could not find the module in any directory on the path of this interpreter.";

const REFERENCES: [&str; 3] = [
    "Django documentation: Settings › DJANGO_SETTINGS_MODULE — https://docs.djangoproject.com/en/stable/topics/settings/#designating-the-settings",
    "Django documentation: How to use Django with Gunicorn — https://docs.djangoproject.com/en/stable/howto/deployment/wsgi/gunicorn/",
    "Gunicorn documentation: chdir and pythonpath settings — https://docs.gunicorn.org/en/stable/settings.html#chdir",
];

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
    r.recognised(format!("Python could not import `{name}`."), quote);
    let workflow = ci::workflow(
        &v,
        "the project imports from a clean checkout",
        &[
            Step {
                name: "Settings import",
                run: "DJANGO_SETTINGS_MODULE={settings} python -c \"import django; django.setup()\"",
            },
            Step { name: "WSGI module loads", run: "gunicorn --check-config {top}.wsgi" },
            Step { name: "Run the tests", run: "pytest" },
        ],
    );
    let tests = vec![python("The settings module imports", "tests/test_startup.py", v.fill(TEST_IMPORT))];

    let c = r.cause(
        "wrong-directory",
        "The process does not start in the project directory (or PYTHONPATH misses it)",
        1.0,
    );
    if let Some(s) = server {
        c.support(2.5, format!("`{s}` imports `{name}` from its working directory: started elsewhere (no --chdir), the project package is not on the path."), None);
    }
    if !is_settings && !django {
        c.support(1.0, format!("The top package `{top}` itself is missing, not one module inside it: the directory above it is not on sys.path."), quote);
    }
    if django {
        c.weaken(0.2, "The missing module is Django itself, not the project.");
    }
    c.fix(v.fix(
        "Start the server from the directory that holds manage.py, or tell it where that is.",
        "terminal",
        "shell",
        "$ gunicorn {top}.wsgi\nModuleNotFoundError: No module named '{top}'\n",
        "$ gunicorn --chdir /path/to/project {top}.wsgi:application\n# or: cd /path/to/project && gunicorn {top}.wsgi\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec!["`pwd` and `python -c \"import sys; print(sys.path)\"` in the failing process (systemd `WorkingDirectory=`, Dockerfile `WORKDIR`).".into()]);

    let c = r.cause("settings-path-wrong", "DJANGO_SETTINGS_MODULE names a module that does not exist", 0.8);
    if is_settings {
        c.support(
            2.5,
            format!("`{name}` is a settings module: check that the file exists with exactly that dotted path."),
            quote,
        );
    } else {
        c.weaken(0.2, format!("`{name}` is not a settings module."));
    }
    c.fix(v.fix(
        "Point DJANGO_SETTINGS_MODULE at a module that exists (dotted path from the directory of manage.py, no .py).",
        "terminal",
        "shell",
        "$ export DJANGO_SETTINGS_MODULE={module}\n",
        "$ ls {top}/                                  # which settings files exist?\n$ export DJANGO_SETTINGS_MODULE={top}.settings   # or {top}.settings.production for a package\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec!["`echo $DJANGO_SETTINGS_MODULE` where it fails; a settings package (settings/production.py) needs `settings/__init__.py`.".into()]);

    let c = r.cause("django-not-installed", "Django is not installed in the interpreter that runs", 0.2);
    if django {
        c.support(4.0, "The missing module is `django`: this interpreter has no Django (virtualenv not activated, or the system Python).", quote);
    } else {
        c.weaken(0.2, "Django itself imported fine.");
    }
    if let Some(prefix) = &f.python_prefix {
        c.support(0.0, format!("The interpreter's prefix is `{prefix}`."), None);
    }
    c.fix(v.fix(
        "Activate the project's virtualenv (or install the requirements into the interpreter you run).",
        "terminal",
        "shell",
        "$ python manage.py {command}\nImportError: Couldn't import Django.\n",
        "$ source .venv/bin/activate        # or: python -m pip install -r requirements.txt\n$ python -c \"import django; print(django.__file__)\"\n$ python manage.py {command}\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec!["`which python` and `python -m pip show django` in the same shell.".into()]);

    if nested {
        let c = r.cause("nested-project", "A nested project folder doubles the package name", 0.0);
        c.support(2.0, format!("`{name}` repeats `{top}`: the path counts the outer folder as a package."), quote);
        c.tests(tests).ci(workflow).checks(vec![v.fill(
            "Use the dotted path relative to the folder of manage.py: `{top}.settings`, not `{top}.{top}.settings`.",
        )]);
    }

    r.finish(|a, b| {
        format!("The paste cannot decide between \"{a}\" and \"{b}\": run `python -c \"import {top}\"` from the directory and environment the failing process uses.")
    })
}

const TEST_IMPORT: &str = r#"import importlib
import os


def test_settings_module_imports():
    importlib.import_module(os.environ.get("DJANGO_SETTINGS_MODULE", "{settings}"))
"#;
