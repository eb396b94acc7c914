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
    summary: "TemplateSyntaxError \"Invalid block tag … Did you forget to register or load this tag?\" or \"'x' is \
              not a registered tag library\": the template uses a tag without {% load %} for its library (loads \
              are per template), loads a library removed in Django 3.0 (staticfiles, admin_static), or a custom \
              library Django cannot find.",
    example: "real/web/tag_not_loaded_static.txt",
    diagnose,
};

const EXPLANATION: &str = "Django compiles a template before rendering it, and every tag must come from a library \
the template loaded with {% load %} (only the built-in tags like if, for and url need no load). Loads do not \
carry over: a child template that uses {% static %} needs its own {% load static %} even if its parent has one.";

const REFERENCES: [&str; 2] = [
    "Django documentation: Built-in tags › load — https://docs.djangoproject.com/en/stable/ref/templates/builtins/#load",
    "Django documentation: Custom template tags (code layout) — https://docs.djangoproject.com/en/stable/howto/custom-template-tags/#code-layout",
];

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
        (Some(t), _) => format!("The template uses the tag `{t}` on line {lineno}, but no loaded library defines it."),
        (_, Some(l)) => format!("The template loads `{l}`, which is not a registered tag library."),
        _ => String::new(),
    };
    r.recognised(what, quote);
    let workflow = ci::workflow(
        &v,
        "compile every template",
        &[Step { name: "Django checks", run: "python manage.py check" }, Step { name: "Tests", run: "pytest" }],
    );

    let c = r.cause("load-missing", "The template does not {% load %} the library of this tag", 0.5);
    if let Some(lib) = known {
        c.support(
            3.0,
            format!("`{}` comes from Django's `{lib}` library, which each template must load itself.", v.get("tag")),
            quote,
        );
    }
    if library.is_some() {
        c.weaken(0.1, "The message is about a library name, not a tag.");
    }
    c.fix(fix_load(&v)).tests(tests(&v)).ci(workflow.clone()).checks(checks(&v));

    let c = r.cause("removed-library", "The library was removed from Django (staticfiles, admin_static)", 0.1);
    if let Some(l) = removed {
        c.support(4.0, format!("`{l}` was removed in Django 3.0 (future in 2.0): load `static` instead."), quote);
    }
    c.fix(fix_removed(&v)).tests(tests(&v)).ci(workflow.clone()).checks(checks(&v));

    let c =
        r.cause("custom-library", "A custom tag library is not found (app, templatetags/__init__.py, restart)", 0.3);
    if known.is_none() && removed.is_none() {
        c.support(2.0, "The name is not one of Django's libraries or tags: it should come from one of your apps' templatetags modules.", quote);
    }
    c.fix(fix_custom(&v)).tests(tests(&v)).ci(workflow).checks(checks(&v));

    r.finish(|a, b| format!("The paste cannot decide between \"{a}\" and \"{b}\". Open the template at the line the message names and look at its {{% load %}} lines; `python manage.py shell -c \"from django.template import engines; print(engines['django'].engine.libraries.keys())\"` lists the libraries Django knows."))
}

fn fix_load(v: &Values) -> Fix {
    v.fix(
        "Load the library at the top of this template (every template that uses the tag needs it).",
        "template",
        "django",
        "<link rel=\"stylesheet\" href=\"{% {tag} 'css/site.css' %}\">\n",
        "{% load {lib} %}\n<link rel=\"stylesheet\" href=\"{% {tag} 'css/site.css' %}\">\n",
    )
}

fn fix_removed(v: &Values) -> Fix {
    v.fix(
        "Load `static`, which replaced the removed library.",
        "template",
        "django",
        "{% load {oldlib} %}\n",
        "{% load static %}\n",
    )
}

fn fix_custom(v: &Values) -> Fix {
    v.fix(
        "Put the library in an installed app's templatetags package (with __init__.py), load it by module name, and restart the server.",
        "file tree",
        "text",
        "myapp/\n    {lib}.py\n",
        "myapp/            # listed in INSTALLED_APPS\n    templatetags/\n        __init__.py\n        {lib}.py      # register = template.Library()\n",
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
    name = str(path).split("templates/", 1)[1]
    get_template(name)  # raises TemplateSyntaxError for an unloaded tag
"#;

fn tests(v: &Values) -> Vec<Snippet> {
    vec![v.snippet("Every template compiles", "tests/test_templates.py", "python", TEST)]
}

fn checks(v: &Values) -> Vec<String> {
    vec![
        v.fill("Line {lineno} of the template: is there a {% load {lib} %} at the top of this same file?"),
        "For a custom library: is its app in INSTALLED_APPS, does templatetags/ have __init__.py, and did you restart runserver after adding it?".into(),
    ]
}
