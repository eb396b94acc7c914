//! `no-reverse-match` (DJ005): `reverse()` or `{% url %}` could not build a URL.
//!
//! Recognised by `NoReverseMatch` (`django.urls.exceptions`, `django.core.urlresolvers` ≤1.9) in its three
//! wordings, unchanged from 1.11 to 6.0: `Reverse for 'x' not found. 'x' is not a valid view function or pattern
//! name.` (unknown name), `Reverse for 'x' with arguments '(…)' not found. N pattern(s) tried: […]` (the name
//! exists, the arguments do not fit), and `'ns' is not a registered namespace` (also `… inside 'outer'`).
//! Causes are ranked by the wording, the arguments (an empty `''` means a missing template variable) and the
//! frames: a `{% url %}` tag (`defaulttags.py`), a RedirectView or a `success_url`.

use super::ci::{self, Step};
use super::kit::{self, Ranking, Values};
use super::{Context, Family};
use crate::model::{Diagnosis, Fix, Snippet};

pub const FAMILY: Family = Family {
    id: "no-reverse-match",
    code: "DJ005",
    title: "URL name could not be reversed",
    summary: "NoReverseMatch: reverse() or {% url %} could not build a URL — unknown name or namespace, or \
              arguments that do not fit the pattern.",
    example: "real/web/no_reverse_match_name.txt",
    diagnose,
};

const EXPLANATION: &str = "reverse('name') and {% url 'name' %} build URLs from the names in your URLconf. \
NoReverseMatch means no pattern has that name (with its `app:` prefix when urls.py sets app_name), or the \
arguments do not match the pattern.";

const REFERENCES: [&str; 2] = [
    "Django docs: Reverse resolution of URLs — https://docs.djangoproject.com/en/stable/topics/http/urls/#reverse-resolution-of-urls",
    "Django docs: URL namespaces — https://docs.djangoproject.com/en/stable/topics/http/urls/#url-namespaces",
];

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let patterns = [
        "is not a registered namespace",
        "pattern(s) tried",
        "is not a valid view function or pattern name",
        "Reverse for '",
    ];
    let Some(hit) = kit::find(cx.tb, &["NoReverseMatch"], &patterns) else {
        return Vec::new();
    };
    let line = hit.line;
    let namespace = hit.pattern == patterns[0];
    let args = hit.pattern == patterns[1];
    let name = if namespace { kit::between(line, "'", "'") } else { kit::between(line, "Reverse for '", "'") };
    let name = name.unwrap_or("name");
    let given = kit::between(line, "with ", " not found").unwrap_or("no arguments");
    let tried = kit::between(line, "tried: ", "\n").unwrap_or("");
    let in_template = kit::has_frame(cx.tb, "django/template/defaulttags.py", "render");
    let redirect = kit::has_frame(cx.tb, "django/views/generic/base.py", "get_redirect_url")
        || kit::has_frame(cx.tb, "django/views/generic/edit.py", "get_success_url");
    let mut v = Values::new(cx);
    v.set("url_name", name);
    v.set("args", given);
    let quote = Some(line);
    let where_ = if in_template { "a {% url %} tag" } else { "reverse()" };
    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("No URL for `{name}`, asked by {where_}."), quote);
    let workflow = ci::workflow(
        &v,
        "checks and tests",
        &[Step { name: "Django checks", run: "python manage.py check" }, Step { name: "Tests", run: "pytest" }],
    );

    let c = r.cause("unknown-name", "The name is misspelled or lacks its namespace prefix (app:name)", 0.3);
    if !namespace && !args {
        c.support(3.0, format!("No URL pattern is called `{name}`."), quote);
        if !name.contains(':') {
            c.support(0.5, "No `app:` prefix: required when the app's urls.py sets app_name.", None);
        }
    } else {
        c.weaken(0.2, "The message is not about an unknown name.");
    }
    c.fix(fix_name(&v)).tests(tests(&v)).ci(workflow.clone()).checks(checks(&v));

    let c = r.cause("not-included", "The app's URLconf is not include()d, or its namespace is not registered", 0.3);
    if namespace {
        c.support(3.5, format!("No include() registers the namespace `{name}`."), quote);
    }
    c.fix(fix_include(&v)).tests(tests(&v)).ci(workflow.clone()).checks(checks(&v));

    let c = r.cause("bad-arguments", "The name exists but the arguments do not fit its pattern", 0.1);
    if args {
        c.support(4.0, format!("The pattern exists ({tried}) but not with {given}."), quote);
        if given.contains("''") {
            c.support(1.0, "An argument is empty: a template variable is missing or None.", None);
        }
    }
    c.fix(fix_args(&v)).tests(tests(&v)).ci(workflow.clone()).checks(checks(&v));

    let c = r.cause("stale-name", "A redirect, success_url or LOGIN_URL still uses an old name", 0.1);
    if redirect {
        c.support(2.0, "A RedirectView or get_success_url built the URL.", None);
    }
    c.fix(fix_name(&v)).tests(tests(&v)).ci(workflow).checks(checks(&v));

    r.finish(|a, b| format!("Cannot decide between \"{a}\" and \"{b}\": `python manage.py show_urls` (django-extensions) lists the names."))
}

fn fix_name(v: &Values) -> Fix {
    v.fix(
        "Use the pattern's exact name=, with its app_name prefix.",
        "template",
        "django",
        "<a href=\"{% url '{url_name}' %}\">…</a>\n",
        "<a href=\"{% url 'shop:product-list' %}\">…</a>\n",
    )
}

fn fix_include(v: &Values) -> Fix {
    v.fix(
        "include() the app's URLconf and set app_name in it.",
        "urls.py",
        "python",
        "urlpatterns = [...]\n",
        "urlpatterns += [path(\"shop/\", include(\"shop.urls\"))]  # shop/urls.py: app_name = \"shop\"\n",
    )
}

fn fix_args(v: &Values) -> Fix {
    v.fix(
        "Pass a value the pattern accepts; put the variable in the context.",
        "template",
        "django",
        "<a href=\"{% url '{url_name}' product.pk %}\">details</a>\n",
        "{% if product %}\n<a href=\"{% url '{url_name}' product.pk %}\">details</a>\n{% endif %}\n",
    )
}

const TEST: &str = r#"import pytest
from django.urls import reverse


def test_url_name_reverses():
    assert reverse("{url_name}", args=[1])  # the pattern's args


@pytest.mark.django_db
def test_page_renders(client):
    assert client.get("/").status_code == 200
"#;

fn tests(v: &Values) -> Vec<Snippet> {
    vec![v.snippet("The URL name reverses and the page renders", "tests/test_urls.py", "python", TEST)]
}

fn checks(v: &Values) -> Vec<String> {
    vec![
        v.fill("`grep -rn \"{url_name}\\|app_name\" */urls.py`: is the name defined, under which app_name?"),
        "In a template, the DEBUG page's \"Template error\" shows the {% url %} line.".into(),
    ]
}
