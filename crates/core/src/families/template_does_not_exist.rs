//! `template-does-not-exist` (DJ003): no template loader found the template a view or template asked for.
//!
//! Recognised by the type `TemplateDoesNotExist` (`django.template.exceptions`, or `django.template.base` before
//! 1.9); the message is the template name, or for `select_template` the names tried joined by `, `, or
//! `No template names provided`. Causes are ranked by the name (an app folder prefix or not, `registration/`),
//! the debug page's INSTALLED_APPS, frames showing an `{% extends %}`/`{% include %}` target, and container
//! paths. The loader postmortem of the debug page is not in the model, so its tried paths are not used.

use super::ci::{self, Step};
use super::kit::{self, Ranking, Values};
use super::{Context, Family};
use crate::model::{Diagnosis, Snippet};

pub const FAMILY: Family = Family {
    id: "template-does-not-exist",
    code: "DJ003",
    title: "Template not found",
    summary: "TemplateDoesNotExist: no loader found the template (path, INSTALLED_APPS, DIRS).",
    example: "real/template_does_not_exist.txt",
    diagnose,
};

const EXPLANATION: &str = "Loaders search TEMPLATES['DIRS'] and each app's `templates/`; the name must match exactly.";

const REFERENCES: [&str; 1] =
    ["Django docs: Templates — https://docs.djangoproject.com/en/stable/topics/templates/#configuration"];

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let Some((_, exc)) = kit::find_type(cx.tb, &["TemplateDoesNotExist"]) else {
        return Vec::new();
    };
    let names = exc.message.lines().next().unwrap_or("").trim();
    let first = names.split(", ").next().unwrap_or(names);
    let tpl = if first.is_empty() { "app/page.html" } else { first };
    let app = tpl.split_once('/').map(|(a, _)| a).filter(|a| !a.is_empty());
    let nested = kit::has_frame(cx.tb, "django/template/loader_tags.py", "")
        || (cx.tb.exceptions.len() > 1 && kit::has_frame(cx.tb, "django/template/backends/django.py", "reraise"));
    let mut v = Values::new(cx);
    v.set("tpl", tpl);
    v.set("app", app.unwrap_or("pages"));
    let quote = Some(names);
    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("No loader found `{names}`."), quote);
    let workflow = ci(&v);

    let c = r.cause("wrong-path", "Wrong path, typo or case", 1.0);
    if app.is_some() {
        c.support(0.5, v.fill("It must be `{app}/templates/{tpl}`."), quote);
    }
    c.fix(fix_move(&v)).tests(tests(&v)).ci(workflow.clone()).checks(checks(&v));

    let c = r.cause("app-not-installed", "Its app is not installed", 0.4);
    match app {
        Some(a) if !cx.facts.installed_apps.is_empty() => {
            if cx
                .facts
                .installed_apps
                .iter()
                .any(|i| i == a || i.ends_with(&format!(".{a}")) || i.starts_with(&format!("{a}.")))
            {
                c.weaken(0.2, format!("`{a}` is installed."));
            } else {
                c.support(2.0, format!("INSTALLED_APPS has no `{a}`."), None);
            }
        }
        None => {
            c.weaken(0.5, "No app folder.");
        }
        _ => {}
    }
    c.fix(fix_installed(&v)).tests(tests(&v)).ci(workflow.clone()).checks(checks(&v));

    postmortem_app(c, cx, app);

    let c = r.cause("dirs-not-configured", "Folder not in DIRS", 0.3);
    postmortem_dirs(c, cx);
    if app.is_none() {
        c.support(1.0, format!("`{tpl}` needs DIRS."), quote);
    }
    c.fix(fix_dirs(&v)).tests(tests(&v)).ci(workflow.clone()).checks(checks(&v));

    let c = r.cause("nested-template", "An {% extends %}/{% include %} target", 0.1);
    if let (true, Some(src)) = (nested, cx.facts.template_source.as_deref()) {
        let file = cx.facts.template_file.as_deref().unwrap_or("a template");
        c.support(1.0, format!("{file}, line {}.", cx.facts.template_line.unwrap_or(1)), Some(src));
    }
    if nested {
        c.support(3.0, "Another template asked for it.", None);
    }
    c.fix(fix_dirs(&v)).tests(tests(&v)).ci(workflow.clone()).checks(checks(&v));

    if tpl.starts_with("registration/") {
        let c = r.cause("contrib-template", "A contrib view needs your template", 0.0);
        c.support(3.0, "Auth ships no `registration/` templates.", quote);
        c.fix(fix_move(&v)).tests(tests(&v)).ci(workflow.clone()).checks(checks(&v));
    }
    if !cx.facts.docker.is_empty() {
        let c = r.cause("case-on-deploy", "Letter case differs on Linux", 0.1);
        c.support(1.0, "In a container: names are case-sensitive.", None);
        c.fix(fix_move(&v)).tests(tests(&v)).ci(workflow).checks(checks(&v));
    }
    super::orm_common::finish(r, "see the DEBUG page's loader postmortem.")
}

/// The debug page's loader postmortem: a path tried under the app's own templates folder means the app is installed.
fn postmortem_app(c: &mut kit::Cause, cx: &Context<'_>, app: Option<&str>) {
    let tried = &cx.facts.templates_tried;
    let Some(a) = app.filter(|_| !tried.is_empty()) else {
        return;
    };
    let needle = format!("/{a}/templates/");
    match tried.iter().find(|t| t.contains(&needle)) {
        Some(t) => {
            c.weaken(0.3, format!("`{a}/templates/` was searched. {t}"));
        }
        None => {
            c.support(1.5, format!("`{a}/templates/` was not searched."), tried.first().map(String::as_str));
        }
    }
}

/// The debug page's loader postmortem: no filesystem loader line means TEMPLATES['DIRS'] is empty.
fn postmortem_dirs(c: &mut kit::Cause, cx: &Context<'_>) {
    let tried = &cx.facts.templates_tried;
    if tried.is_empty() {
        return;
    }
    match tried.iter().find(|t| t.contains("filesystem.Loader")) {
        None => {
            c.support(2.0, "No filesystem.Loader: DIRS is empty.", None);
        }
        Some(t) => {
            c.weaken(0.5, format!("DIRS is set: {t}"));
        }
    }
}

fn fix_move(v: &Values) -> crate::model::Fix {
    v.fix(
        "Move the file.",
        "file tree",
        "text",
        "{app}/\n    templates/\n        page.html\n",
        "{app}/\n    templates/\n        {tpl}\n",
    )
}

fn fix_installed(v: &Values) -> crate::model::Fix {
    v.fix(
        "Install the app.",
        "settings.py",
        "python",
        "INSTALLED_APPS = [...]\n",
        "INSTALLED_APPS = [..., \"{app}\"]\n",
    )
}

fn fix_dirs(v: &Values) -> crate::model::Fix {
    v.fix(
        "List the folder in DIRS.",
        "settings.py",
        "python",
        "TEMPLATES[0][\"DIRS\"] = []\n",
        "TEMPLATES[0][\"DIRS\"] = [BASE_DIR / \"templates\"]\nTEMPLATES[0][\"APP_DIRS\"] = True\n",
    )
}

const TEST: &str = r#"from django.template.loader import get_template


def test_template_exists():
    get_template("{tpl}")
"#;

fn tests(v: &Values) -> Vec<Snippet> {
    vec![v.snippet("The template exists", "tests/test_templates.py", "python", TEST)]
}

fn ci(v: &Values) -> Snippet {
    ci::workflow(
        v,
        "checks",
        &[Step { name: "Django checks", run: "python manage.py check" }, Step { name: "Tests", run: "pytest" }],
    )
}

fn checks(v: &Values) -> Vec<String> {
    vec![v.fill("`find . -path '*templates/{tpl}'`"), "`python manage.py diffsettings | grep TEMPLATES`".into()]
}
