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
    summary: "NoReverseMatch: reverse() or {% url %} could not build a URL — the name is unknown (typo, missing \
              app_name prefix, URLconf not included), the namespace is not registered, or the name exists but \
              the arguments do not fit its pattern (often an empty value from a missing template variable).",
    example: "real/web/no_reverse_match_name.txt",
    diagnose,
};

const EXPLANATION: &str = "Django builds URLs from the names in your URLconf: reverse('name') in Python and \
{% url 'name' %} in templates. It raises NoReverseMatch when no pattern has that name (with its namespace \
prefix, `app:name`, when the app's urls.py sets app_name), or when the pattern exists but the arguments given \
do not match it (wrong count, wrong type, or an empty value).";

const REFERENCES: [&str; 2] = [
    "Django documentation: URL dispatcher › Reverse resolution of URLs — https://docs.djangoproject.com/en/stable/topics/http/urls/#reverse-resolution-of-urls",
    "Django documentation: URL namespaces — https://docs.djangoproject.com/en/stable/topics/http/urls/#url-namespaces",
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
    let where_ = if in_template { "a {% url %} tag in a template" } else { "reverse() in Python code" };
    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("Django could not build a URL for `{name}`, asked by {where_}."), quote);
    let workflow = ci::workflow(
        &v,
        "URL checks and page tests",
        &[Step { name: "Django checks", run: "python manage.py check" }, Step { name: "Tests", run: "pytest" }],
    );

    let c = r.cause("unknown-name", "The name is misspelled or lacks its namespace prefix (app:name)", 0.3);
    if !namespace && !args {
        c.support(
            3.0,
            format!(
                "Django knows no URL pattern called `{name}`: compare with the name= values in your urls.py files."
            ),
            quote,
        );
        if !name.contains(':') {
            c.support(
                0.5,
                "The name has no `app:` prefix: if the app's urls.py sets app_name, the prefix is required.",
                None,
            );
        }
    } else {
        c.weaken(0.2, "The message says the name exists (or the namespace is the problem), not that it is unknown.");
    }
    c.fix(fix_name(&v)).tests(tests(&v)).ci(workflow.clone()).checks(checks(&v));

    let c = r.cause("not-included", "The app's URLconf is not include()d, or its namespace is not registered", 0.3);
    if namespace {
        c.support(3.5, format!("`{name}` is not a registered namespace: no include() registers it (app_name in that urls.py, or include(..., namespace=…))."), quote);
    }
    c.fix(fix_include(&v)).tests(tests(&v)).ci(workflow.clone()).checks(checks(&v));

    let c = r.cause("bad-arguments", "The name exists but the arguments do not fit its pattern", 0.1);
    if args {
        c.support(4.0, format!("The pattern exists ({tried}) but not with {given}."), quote);
        if given.contains("''") {
            c.support(1.0, "An argument is an empty string: a template variable (like object.pk) is missing from the context or None.", None);
        }
    }
    c.fix(fix_args(&v)).tests(tests(&v)).ci(workflow.clone()).checks(checks(&v));

    let c = r.cause("stale-name", "A redirect, success_url or LOGIN_URL still uses an old name", 0.1);
    if redirect {
        c.support(2.0, "The frames show a RedirectView or get_success_url building the URL.", None);
    }
    c.fix(fix_name(&v)).tests(tests(&v)).ci(workflow).checks(checks(&v));

    r.finish(|a, b| format!("The paste cannot decide between \"{a}\" and \"{b}\". Run `python manage.py show_urls` (django-extensions) or `python -c \"from django.urls import get_resolver; print(get_resolver().reverse_dict.keys())\"` in `manage.py shell` to list the names Django knows."))
}

fn fix_name(v: &Values) -> Fix {
    v.fix(
        "Use the exact name= of the pattern, with the app_name prefix when the app's urls.py sets one.",
        "template",
        "django",
        "<a href=\"{% url '{url_name}' %}\">…</a>\n",
        "{# urls.py: app_name = \"shop\"; path(\"products/\", views.product_list, name=\"product-list\") #}\n<a href=\"{% url 'shop:product-list' %}\">…</a>\n",
    )
}

fn fix_include(v: &Values) -> Fix {
    v.fix(
        "Include the app's URLconf in the project's urls.py and give the app an app_name.",
        "urls.py",
        "python",
        "urlpatterns = [\n    path(\"admin/\", admin.site.urls),\n]\n",
        "from django.urls import include, path\n\nurlpatterns = [\n    path(\"admin/\", admin.site.urls),\n    path(\"shop/\", include(\"shop.urls\")),  # shop/urls.py: app_name = \"shop\"\n]\n",
    )
}

fn fix_args(v: &Values) -> Fix {
    v.fix(
        "Pass a value the pattern accepts; make sure the variable is in the template context.",
        "template",
        "django",
        "<a href=\"{% url '{url_name}' product.pk %}\">details</a>   {# product is missing or None #}\n",
        "{% if product %}\n<a href=\"{% url '{url_name}' product.pk %}\">details</a>\n{% endif %}\n",
    )
}

const TEST: &str = r#"import pytest
from django.urls import reverse


def test_url_name_reverses():
    assert reverse("{url_name}", args=[1])  # adjust args to the pattern


@pytest.mark.django_db
def test_page_renders(client):
    response = client.get("/")  # a page that uses {% url '{url_name}' %}
    assert response.status_code == 200
"#;

fn tests(v: &Values) -> Vec<Snippet> {
    vec![v.snippet("The URL name reverses and the page renders", "tests/test_urls.py", "python", TEST)]
}

fn checks(v: &Values) -> Vec<String> {
    vec![
        v.fill("`grep -rn \"name=\\\"{url_name}\\\"\\|app_name\" */urls.py` — is the name defined, and under which app_name?"),
        "If the error is raised in a template, the DEBUG page's \"Template error\" block shows the {% url %} line.".into(),
    ]
}
