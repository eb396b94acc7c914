//! `app-label-missing` (DJ030): a model class was defined in a module that belongs to no installed app.
//!
//! Recognised by a `RuntimeError` saying `Model class X.Y doesn't declare an explicit app_label and isn't in an
//! application in INSTALLED_APPS.` (same text 1.11–6.0, raised in `ModelBase.__new__`). Causes are ranked by the
//! model's module: a Django contrib or third-party module means a required app is missing from INSTALLED_APPS; a
//! project module with a longer dotted path than its app (or an app listed on the debug page) points at
//! `AppConfig.name` or a second import path.

use super::ci::{self, Step};
use super::kit::{self, Ranking, Values};
use super::startup::python;
use super::{Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "app-label-missing",
    code: "DJ030",
    title: "Model's app is not in INSTALLED_APPS",
    summary: "RuntimeError \"Model class app.models.Model doesn't declare an explicit app_label and isn't in an \
              application in INSTALLED_APPS\": a models module was imported but its app is not installed — a \
              forgotten project app or contrib app (django.contrib.sites), an AppConfig.name that differs from the \
              package's dotted path, or the same module imported under two names.",
    example: "real/setup/app_label_missing.txt",
    diagnose,
};

const EXPLANATION: &str = "Every model belongs to an app: when a model class is defined, Django looks for the \
installed app whose package contains the model's module. None of the apps in INSTALLED_APPS contains this one, so \
Django cannot tell which app (and which database tables) the model belongs to.";

const REFERENCES: [&str; 2] = [
    "Django documentation: Settings › INSTALLED_APPS — https://docs.djangoproject.com/en/stable/ref/settings/#installed-apps",
    "Django documentation: Applications › Configuring applications (AppConfig.name) — https://docs.djangoproject.com/en/stable/ref/applications/#configuring-applications",
];

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let Some(hit) = kit::find(cx.tb, &["RuntimeError"], &["doesn't declare an explicit app_label"]) else {
        return Vec::new();
    };
    let class = kit::between(hit.line, "Model class ", " doesn't").unwrap_or("app.models.Model");
    let (module, model) = class.rsplit_once('.').unwrap_or((class, "Model"));
    let app = module.find(".models").map_or(module, |p| &module[..p]);
    let contrib = app.starts_with("django.contrib.");
    let third_party = !contrib
        && kit::frames(cx.tb)
            .any(|f| f.file.contains("-packages/") && f.file.replace('\\', "/").contains(&app.replace('.', "/")));
    let listed = cx.facts.installed_apps.iter().any(|a| a == app || a.starts_with(&format!("{app}.apps")));
    let nested = app.contains('.') && !contrib && !third_party;
    let mut v = Values::new(cx);
    v.set("app", app).set("model", model).set("module", module);
    v.set("short", app.rsplit('.').next().unwrap_or(app));
    let quote = Some(hit.line);
    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("The model `{model}` lives in `{module}`, which is in no installed app."), quote);
    let workflow = ci::workflow(
        &v,
        "system checks load every app",
        &[Step { name: "System checks", run: "python manage.py check" }, Step { name: "Run the tests", run: "pytest" }],
    );
    let tests =
        vec![python("Every models module belongs to an installed app", "tests/test_apps.py", v.fill(TEST_APPS))];

    let c = r.cause("app-not-installed", "The app is not in INSTALLED_APPS", 1.5);
    if contrib {
        c.support(2.0, format!("`{app}` is a Django contrib app: something (your code or a package) uses its models, so it must be installed too."), None);
    } else if third_party {
        c.support(
            2.0,
            format!("`{app}` is a third-party package: add it to INSTALLED_APPS as its documentation says."),
            None,
        );
    }
    if listed {
        c.weaken(0.2, format!("The debug page lists `{app}` in INSTALLED_APPS."));
    } else if !cx.facts.installed_apps.is_empty() {
        c.support(2.0, format!("The debug page's INSTALLED_APPS does not list `{app}`."), None);
    }
    c.fix(v.fix(
        "Add the app to INSTALLED_APPS (and run its migrations).",
        "settings.py",
        "python",
        "INSTALLED_APPS = [\n    \"django.contrib.admin\",\n    \"django.contrib.auth\",\n    \"django.contrib.contenttypes\",\n]\n",
        "INSTALLED_APPS = [\n    \"django.contrib.admin\",\n    \"django.contrib.auth\",\n    \"django.contrib.contenttypes\",\n    \"{app}\",\n]\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec![v.fill("`python manage.py shell -c \"from django.conf import settings; print(settings.INSTALLED_APPS)\"`: is `{app}` there?"), v.fill("Then `python manage.py migrate` so the tables of `{app}` exist.")]);

    let c = r.cause("appconfig-name-mismatch", "The app is installed under another dotted path than its package", 0.4);
    if nested {
        c.support(
            1.5,
            format!(
                "`{app}` is a nested package: if INSTALLED_APPS (or AppConfig.name) says `{}`, the paths differ.",
                app.rsplit('.').next().unwrap_or(app)
            ),
            None,
        );
    }
    if listed {
        c.support(
            2.0,
            "The app is listed, so the module was reached under a different dotted path than the installed one.",
            None,
        );
    }
    if contrib || third_party {
        c.weaken(0.2, "The model is not the project's own code.");
    }
    c.fix(v.fix(
        "Make AppConfig.name the full dotted path of the package, and list that path in INSTALLED_APPS.",
        "apps.py",
        "python",
        "class Config(AppConfig):\n    name = \"{short}\"\n",
        "from django.apps import AppConfig\n\n\nclass Config(AppConfig):\n    name = \"{app}\"\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec!["Import the app the same way everywhere (absolute `from project.app.models import …`) and check that `sys.path` does not hold both the project folder and its parent.".into()]);

    r.finish(|a, b| {
        format!("The paste cannot decide between \"{a}\" and \"{b}\": compare the module in the message with the entries of INSTALLED_APPS and each app's AppConfig.name.")
    })
}

const TEST_APPS: &str = r#"import importlib

from django.apps import apps


def test_models_module_belongs_to_an_installed_app():
    importlib.import_module("{module}")
    assert apps.get_containing_app_config("{module}") is not None
"#;
