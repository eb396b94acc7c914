//! `template-tag-not-loaded` (DJ021): a template uses a tag whose library is not loaded, or loads a library
//! that does not exist.
//!
//! Recognised by a `TemplateSyntaxError` saying `Invalid block tag on line N: 'x'. Did you forget to register or
//! load this tag?` (1.9+, also with `, expected …`), `Invalid block tag: 'x'` (≤1.8), or `'x' is not a
//! registered tag library. Must be one of:`. An invalid block tag that is one of Django's own closing tags
//! (`endfor`, `else`…) is a nesting error, not a missing load, and is left to the general layer. Causes are
//! ranked by the tag or library name: a built-in library's tag (`static`, `trans`), a removed library
//! (`staticfiles`, `admin_static`), or a custom name.

use super::ci::{self, Step};
use super::kit::{self, Ranking, Values};
use super::{Context, Family};
use crate::model::{Diagnosis, Fix, Snippet};

pub const FAMILY: Family = Family {
    id: "template-tag-not-loaded",
    code: "DJ021",
    title: "Template tag not loaded",
    summary: "TemplateSyntaxError \"Invalid block tag … Did you forget to register or load this tag?\": a \
              missing {% load %}.",
    example: "real/web/tag_not_loaded_static.txt",
    diagnose,
};

const EXPLANATION: &str = "Non-built-in tags need {% load %} in each template; loads do not carry over.";

const REFERENCES: [&str; 1] =
    ["Django docs: load — https://docs.djangoproject.com/en/stable/ref/templates/builtins/#load"];

/// Tags of Django's own loadable libraries, with the library to load.
const KNOWN: [(&str, &str); 12] = [
    ("static", "static"),
    ("get_static_prefix", "static"),
    ("get_media_prefix", "static"),
    ("trans", "i18n"),
    ("translate", "i18n"),
    ("blocktrans", "i18n"),
    ("blocktranslate", "i18n"),
    ("get_current_language", "i18n"),
    ("localize", "l10n"),
    ("cache", "cache"),
    ("timezone", "tz"),
    ("get_current_timezone", "tz"),
];

/// Closing and middle tags of Django's built-ins: an invalid one is a nesting mistake, not a missing load.
fn is_builtin_part(tag: &str) -> bool {
    tag.starts_with("end") || matches!(tag, "else" | "elif" | "empty" | "plural")
}

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let patterns = ["Invalid block tag", "is not a registered tag library"];
    let Some(hit) = kit::find(cx.tb, &["TemplateSyntaxError"], &patterns) else {
        return Vec::new();
    };
    let line = hit.line;
    let library = (hit.pattern == patterns[1]).then(|| kit::between(line, "'", "'")).flatten();
    let tag = kit::between(line, ": '", "'").filter(|_| library.is_none());
    if tag.is_some_and(is_builtin_part) || (library.is_none() && tag.is_none()) {
        return Vec::new();
    }
    let lineno = kit::between(line, "on line ", ":").unwrap_or("1");
    let known = tag.and_then(|t| KNOWN.iter().find(|(k, _)| *k == t)).map(|(_, lib)| *lib);
    let removed = library.filter(|l| matches!(*l, "staticfiles" | "admin_static" | "future"));
    let mut v = Values::new(cx);
    v.set("tag", tag.unwrap_or("static"));
    v.set("lib", known.or(removed.map(|_| "static")).unwrap_or(library.unwrap_or("my_tags")));
    v.set("oldlib", library.unwrap_or("staticfiles"));
    v.set("lineno", lineno);
    let quote = Some(line);
    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    let what = match (tag, library) {
        (Some(t), _) => format!("`{t}` is not loaded (line {lineno})."),
        (_, Some(l)) => format!("No library `{l}`."),
        _ => String::new(),
    };
    r.recognised(what, quote);
    let workflow = ci::workflow(
        &v,
        "templates",
        &[Step { name: "Django checks", run: "python manage.py check" }, Step { name: "Tests", run: "pytest" }],
    );

    let c = r.cause("load-missing", "A missing {% load %}", 0.5);
    if known.is_some() {
        c.support(3.0, v.fill("`{tag}` is in `{lib}`."), quote);
    }
    if library.is_some() {
        c.weaken(0.1, "A library, not a tag.");
    }
    c.fix(fix_load(&v)).tests(tests(&v)).ci(workflow.clone()).checks(checks(&v));

    let c = r.cause("removed-library", "A removed library", 0.1);
    if let Some(l) = removed {
        c.support(4.0, format!("`{l}` was removed from Django."), quote);
    }
    c.fix(fix_removed(&v)).tests(tests(&v)).ci(workflow.clone()).checks(checks(&v));

    let c = r.cause("custom-library", "A custom library is not found", 0.3);
    if known.is_none() && removed.is_none() {
        c.support(2.0, "Not Django's: an app's templatetags.", quote);
    }
    c.fix(fix_custom(&v)).tests(tests(&v)).ci(workflow).checks(checks(&v));

    super::orm_common::finish(r, "look at the template's {% load %} lines.")
}

fn fix_load(v: &Values) -> Fix {
    v.fix(
        "Load the library.",
        "template",
        "django",
        "{% {tag} 'css/site.css' %}\n",
        "{% load {lib} %}\n{% {tag} 'css/site.css' %}\n",
    )
}

fn fix_removed(v: &Values) -> Fix {
    v.fix("Load `static` instead.", "template", "django", "{% load {oldlib} %}\n", "{% load static %}\n")
}

fn fix_custom(v: &Values) -> Fix {
    v.fix(
        "Use an app's templatetags package; restart.",
        "file tree",
        "text",
        "myapp/\n    {lib}.py\n",
        "myapp/\n    templatetags/\n        __init__.py\n        {lib}.py\n",
    )
}

const TEST: &str = r#"from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import get_template

ROOT = Path(settings.BASE_DIR)
TEMPLATES = sorted(ROOT.glob("*/templates/**/*.html")) + sorted(ROOT.glob("templates/**/*.html"))


@pytest.mark.parametrize("path", TEMPLATES, ids=str)
def test_template_compiles(path):
    get_template(str(path).split("templates/", 1)[1])
"#;

fn tests(v: &Values) -> Vec<Snippet> {
    vec![v.snippet("Every template compiles", "tests/test_templates.py", "python", TEST)]
}

fn checks(v: &Values) -> Vec<String> {
    vec![v.fill("Does this template {% load {lib} %}?"), "App installed, templatetags/__init__.py, restarted?".into()]
}
