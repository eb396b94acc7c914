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
    summary: "TemplateDoesNotExist: no template loader found the named template. The file is not at a path the \
              loaders search (missing app folder, typo), its app is not in INSTALLED_APPS, the project templates \
              folder is not in TEMPLATES['DIRS'], or the missing file is an {% extends %}/{% include %} target.",
    example: "real/template_does_not_exist.txt",
    diagnose,
};

const EXPLANATION: &str = "Django was asked to render a template by name and none of its template loaders found a \
file with that name. The filesystem loader looks in each folder of TEMPLATES['DIRS']; the app loader looks in \
`<app>/templates/` of every installed app. The name must match the path below one of those folders exactly, \
including the app folder and the letter case.";

const REFERENCES: [&str; 2] = [
    "Django documentation: Templates › Configuration (DIRS, APP_DIRS) — https://docs.djangoproject.com/en/stable/topics/templates/#configuration",
    "Django documentation: Template loading — https://docs.djangoproject.com/en/stable/topics/templates/#template-loading",
];

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
    r.recognised(format!("No loader found the template `{names}`."), quote);
    let workflow = ci(&v);

    let c = r.cause("wrong-path", "The file is not at the path the name says (folder, typo or case)", 1.0);
    if app.is_some() {
        c.support(0.5, v.fill("The name starts with a folder: the file must be `{app}/templates/{tpl}` in an app, or `templates/{tpl}` in a DIRS folder — the inner `{app}/` folder is often missing."), quote);
    }
    c.fix(fix_move(&v)).tests(tests(&v)).ci(workflow.clone()).checks(checks(&v));

    let c = r.cause("app-not-installed", "The app that holds the template is not in INSTALLED_APPS", 0.4);
    match app {
        Some(a) if !cx.facts.installed_apps.is_empty() => {
            if cx
                .facts
                .installed_apps
                .iter()
                .any(|i| i == a || i.ends_with(&format!(".{a}")) || i.starts_with(&format!("{a}.")))
            {
                c.weaken(0.2, format!("The debug page lists `{a}` in INSTALLED_APPS."));
            } else {
                c.support(
                    2.0,
                    format!("The debug page's INSTALLED_APPS has no `{a}`: its templates folder is never searched."),
                    None,
                );
            }
        }
        None => {
            c.weaken(0.5, "The name has no app folder, so it is meant for a project-level templates folder.");
        }
        _ => {}
    }
    c.fix(fix_installed(&v)).tests(tests(&v)).ci(workflow.clone()).checks(checks(&v));

    postmortem_app(c, cx, app);

    let c = r.cause("dirs-not-configured", "The project templates folder is not in TEMPLATES['DIRS']", 0.3);
    postmortem_dirs(c, cx);
    if app.is_none() {
        c.support(
            1.0,
            format!("`{tpl}` has no app folder: it lives in a project-level folder that must be listed in DIRS."),
            quote,
        );
    }
    c.fix(fix_dirs(&v)).tests(tests(&v)).ci(workflow.clone()).checks(checks(&v));

    let c = r.cause("nested-template", "The missing file is an {% extends %} or {% include %} target", 0.1);
    if let (true, Some(src)) = (nested, cx.facts.template_source.as_deref()) {
        let file = cx.facts.template_file.as_deref().unwrap_or("a template");
        c.support(
            1.0,
            format!("The debug page's template error points at {file}, line {}.", cx.facts.template_line.unwrap_or(1)),
            Some(src),
        );
    }
    if nested {
        c.support(3.0, "The frames show Django rendering another template when the lookup failed: the missing name comes from an {% extends %} or {% include %} tag.", None);
    }
    c.fix(fix_dirs(&v)).tests(tests(&v)).ci(workflow.clone()).checks(checks(&v));

    if tpl.starts_with("registration/") {
        let c = r.cause("contrib-template", "A contrib view (LoginView…) needs a template you must provide", 0.0);
        c.support(3.0, "`registration/…` templates are not shipped by django.contrib.auth: you write them.", quote);
        c.fix(fix_move(&v)).tests(tests(&v)).ci(workflow.clone()).checks(checks(&v));
    }
    if !cx.facts.docker.is_empty() {
        let c = r.cause("case-on-deploy", "Works locally, fails on Linux: the letter case differs", 0.1);
        c.support(1.0, "The paths show a container or Linux deploy, where file names are case-sensitive.", None);
        c.fix(fix_move(&v)).tests(tests(&v)).ci(workflow).checks(checks(&v));
    }
    r.finish(|a, b| format!("The paste cannot decide between \"{a}\" and \"{b}\". The DEBUG page's \"Template-loader postmortem\" lists every path tried: no line under your app = app not installed or DIRS missing; a line that is almost right = the name or folder is wrong."))
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
            c.weaken(0.3, format!("The loader postmortem searched `{a}/templates/`, so the app is installed: {t}"));
        }
        None => {
            c.support(
                1.5,
                format!("The loader postmortem never looked in a `{a}/templates/` folder."),
                tried.first().map(String::as_str),
            );
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
            c.support(2.0, "The loader postmortem has no filesystem.Loader line: TEMPLATES['DIRS'] is empty.", None);
        }
        Some(t) => {
            c.weaken(0.5, format!("The filesystem loader searched a DIRS folder, so DIRS is set: {t}"));
        }
    }
}

fn fix_move(v: &Values) -> crate::model::Fix {
    v.fix(
        "Put the file where the name says: `<app>/templates/` + the full name, inner app folder included.",
        "file tree",
        "text",
        "{app}/\n    templates/\n        page.html\n",
        "{app}/\n    templates/\n        {tpl}\n",
    )
}

fn fix_installed(v: &Values) -> crate::model::Fix {
    v.fix(
        "Add the app that holds `templates/{tpl}` to INSTALLED_APPS.",
        "settings.py",
        "python",
        "INSTALLED_APPS = [\n    \"django.contrib.staticfiles\",\n]\n",
        "INSTALLED_APPS = [\n    \"django.contrib.staticfiles\",\n    \"{app}\",\n]\n",
    )
}

fn fix_dirs(v: &Values) -> crate::model::Fix {
    v.fix(
        "List the project templates folder in DIRS and keep APP_DIRS on.",
        "settings.py",
        "python",
        "TEMPLATES = [{\n    \"BACKEND\": \"django.template.backends.django.DjangoTemplates\",\n    \"DIRS\": [],\n    \"APP_DIRS\": False,\n}]\n",
        "TEMPLATES = [{\n    \"BACKEND\": \"django.template.backends.django.DjangoTemplates\",\n    \"DIRS\": [BASE_DIR / \"templates\"],\n    \"APP_DIRS\": True,\n}]\n",
    )
}

const TEST: &str = r#"import pytest
from django.template.loader import get_template

TEMPLATES_USED = ["{tpl}"]


@pytest.mark.parametrize("name", TEMPLATES_USED)
def test_template_exists(name):
    get_template(name)  # raises TemplateDoesNotExist
"#;

fn tests(v: &Values) -> Vec<Snippet> {
    vec![v.snippet("Every template the views use can be found", "tests/test_templates.py", "python", TEST)]
}

fn ci(v: &Values) -> Snippet {
    ci::workflow(
        v,
        "check and template tests",
        &[Step { name: "Django checks", run: "python manage.py check" }, Step { name: "Tests", run: "pytest" }],
    )
}

fn checks(v: &Values) -> Vec<String> {
    vec![
        v.fill("`find . -path '*templates/{tpl}'` — does the file exist, with this exact case?"),
        "`python manage.py shell -c \"from django.conf import settings; print(settings.TEMPLATES)\"` — are DIRS and APP_DIRS what you expect?".into(),
    ]
}
