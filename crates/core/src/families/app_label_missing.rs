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
    summary: "RuntimeError \"Model class … doesn't declare an explicit app_label\": its app is not installed.",
    example: "real/setup/app_label_missing.txt",
    diagnose,
};

const EXPLANATION: &str = "No app in INSTALLED_APPS contains the model's module.";

const REFERENCES: [&str; 1] =
    ["Django docs: INSTALLED_APPS — https://docs.djangoproject.com/en/stable/ref/settings/#installed-apps"];

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
    r.recognised(format!("`{module}` is in no installed app."), quote);
    let workflow = ci::workflow(
        &v,
        "checks and tests",
        &[Step { name: "Check", run: "python manage.py check" }, Step { name: "Test", run: "pytest" }],
    );
    let tests = vec![python("Models have an app", "tests/test_apps.py", v.fill(TEST_APPS))];

    let c = r.cause("app-not-installed", "App not in INSTALLED_APPS", 1.5);
    if contrib {
        c.support(2.0, format!("`{app}` is a contrib app."), None);
    } else if third_party {
        c.support(2.0, format!("`{app}` is a third-party app."), None);
    }
    if listed {
        c.weaken(0.2, format!("INSTALLED_APPS lists `{app}`."));
    } else if !cx.facts.installed_apps.is_empty() {
        c.support(2.0, format!("`{app}` is not listed."), None);
    }
    c.fix(v.fix(
        "Install the app, then `migrate`.",
        "settings.py",
        "python",
        "INSTALLED_APPS = [\n]\n",
        "INSTALLED_APPS = [\n    \"{app}\",\n]\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec![v.fill("`diffsettings | grep INSTALLED_APPS`")]);

    let c = r.cause("appconfig-name-mismatch", "Installed under another dotted path", 0.4);
    if nested {
        c.support(1.5, v.fill("Nested: maybe listed as `{short}`."), None);
    }
    if listed {
        c.support(2.0, "Listed: imported under another path.", None);
    }
    if contrib || third_party {
        c.weaken(0.2, "Not project code.");
    }
    c.fix(v.fix("Use the full dotted path.", "apps.py", "python", "name = \"{short}\"\n", "name = \"{app}\"\n"))
        .tests(tests.clone())
        .ci(workflow.clone())
        .checks(vec!["Import it one way everywhere.".into()]);

    orm::finish(r, "compare with INSTALLED_APPS.")
}

const TEST_APPS: &str = r#"import importlib

from django.apps import apps


def test_models_app():
    importlib.import_module("{module}")
    assert apps.get_containing_app_config("{module}") is not None
"#;
