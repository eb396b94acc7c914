//! `app-label-missing` (DJ030): a model class was defined in a module that belongs to no installed app.
//!
//! Recognised by a `RuntimeError` saying `Model class X.Y doesn't declare an explicit app_label and isn't in an
//! application in INSTALLED_APPS.` (same text 1.11–6.0, raised in `ModelBase.__new__`). Causes are ranked by the
//! model's module: a Django contrib or third-party module means a required app is missing from INSTALLED_APPS; a
//! project module with a longer dotted path than its app (or an app listed on the debug page) points at
//! `AppConfig.name` or a second import path.

use super::ci::{self, Step};
use super::kit::{self, Ranking, Values};
use super::orm_common as orm;
use super::startup::python;
use super::{Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "app-label-missing",
    code: "DJ030",
    title: "Model's app is not in INSTALLED_APPS",
    summary: "RuntimeError \"Model class … doesn't declare an explicit app_label and isn't in an application in \
              INSTALLED_APPS\": a models module was imported but its app is not installed, or is installed under \
              another dotted path (AppConfig.name, two import paths).",
    example: "real/setup/app_label_missing.txt",
    diagnose,
};

const EXPLANATION: &str = "Every model belongs to the installed app whose package contains its module. No app \
in INSTALLED_APPS contains this one, so Django cannot tell which app (and tables) the model belongs to.";

const REFERENCES: [&str; 2] = [
    "Django docs: INSTALLED_APPS — https://docs.djangoproject.com/en/stable/ref/settings/#installed-apps",
    "Django docs: Configuring applications — https://docs.djangoproject.com/en/stable/ref/applications/#configuring-applications",
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
    r.recognised(format!("`{model}` is in `{module}`, in no installed app."), quote);
    let workflow = ci::workflow(
        &v,
        "checks and tests",
        &[Step { name: "Checks", run: "python manage.py check" }, Step { name: "Tests", run: "pytest" }],
    );
    let tests = vec![python("The models module has an installed app", "tests/test_apps.py", v.fill(TEST_APPS))];

    let c = r.cause("app-not-installed", "The app is not in INSTALLED_APPS", 1.5);
    if contrib {
        c.support(2.0, format!("`{app}` is a contrib app whose models are used: install it."), None);
    } else if third_party {
        c.support(2.0, format!("`{app}` is a third-party package: install it as its docs say."), None);
    }
    if listed {
        c.weaken(0.2, format!("INSTALLED_APPS lists `{app}`."));
    } else if !cx.facts.installed_apps.is_empty() {
        c.support(2.0, format!("INSTALLED_APPS does not list `{app}`."), None);
    }
    c.fix(v.fix(
        "Add the app to INSTALLED_APPS, then `migrate`.",
        "settings.py",
        "python",
        "INSTALLED_APPS = [\n    \"django.contrib.auth\",\n]\n",
        "INSTALLED_APPS = [\n    \"django.contrib.auth\",\n    \"{app}\",\n]\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec![v.fill("`python manage.py diffsettings | grep INSTALLED_APPS`: is `{app}` there?")]);

    let c = r.cause("appconfig-name-mismatch", "The app is installed under another dotted path than its package", 0.4);
    if nested {
        c.support(1.5, v.fill("A nested package: INSTALLED_APPS or AppConfig.name may say `{short}`."), None);
    }
    if listed {
        c.support(2.0, "The app is listed, so the module was imported under another path.", None);
    }
    if contrib || third_party {
        c.weaken(0.2, "Not the project's own code.");
    }
    c.fix(v.fix(
        "Use the package's full dotted path in AppConfig.name and INSTALLED_APPS.",
        "apps.py",
        "python",
        "class Config(AppConfig):\n    name = \"{short}\"\n",
        "from django.apps import AppConfig\n\n\nclass Config(AppConfig):\n    name = \"{app}\"\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec![
        "Import it one way everywhere; `sys.path` must not hold both the project folder and its parent.".into(),
    ]);

    orm::finish(r, "compare the module with INSTALLED_APPS.")
}

const TEST_APPS: &str = r#"import importlib

from django.apps import apps


def test_models_module_has_an_app():
    importlib.import_module("{module}")
    assert apps.get_containing_app_config("{module}") is not None
"#;
