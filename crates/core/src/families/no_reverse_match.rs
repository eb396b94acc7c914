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
    summary: "NoReverseMatch: reverse() or {% url %} failed: unknown name or namespace, or wrong arguments.",
    example: "real/web/no_reverse_match_name.txt",
    diagnose,
};

const EXPLANATION: &str =
    "No URL pattern has that name (with `app:` if urls.py sets app_name), or the arguments misfit.";

const REFERENCES: [&str; 1] =
    ["Django docs: URL namespaces — https://docs.djangoproject.com/en/stable/topics/http/urls/#url-namespaces"];

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
        "checks",
        &[Step { name: "Django checks", run: "python manage.py check" }, Step { name: "Tests", run: "pytest" }],
    );

    let c = r.cause("unknown-name", "Misspelled or no app: prefix", 0.3);
    if !namespace && !args {
        c.support(3.0, format!("No URL pattern is called `{name}`."), quote);
        if !name.contains(':') {
            c.support(0.5, "No `app:` prefix.", None);
        }
    } else {
        c.weaken(0.2, "Not an unknown name.");
    }
    c.fix(fix_name(&v)).tests(tests(&v)).ci(workflow.clone()).checks(checks(&v));

    let c = r.cause("not-included", "URLconf not include()d", 0.3);
    if namespace {
        c.support(3.5, format!("No namespace `{name}`."), quote);
    }
    c.fix(fix_include(&v)).tests(tests(&v)).ci(workflow.clone()).checks(checks(&v));

    let c = r.cause("bad-arguments", "Arguments do not fit", 0.1);
    if args {
        c.support(4.0, format!("Tried {tried}, not with {given}."), quote);
        if given.contains("''") {
            c.support(1.0, "An empty argument: a missing variable.", None);
        }
    }
    c.fix(fix_args(&v)).tests(tests(&v)).ci(workflow.clone()).checks(checks(&v));

    let c = r.cause("stale-name", "A redirect uses an old name", 0.1);
    if redirect {
        c.support(2.0, "A redirect built the URL.", None);
    }
    c.fix(fix_name(&v)).tests(tests(&v)).ci(workflow).checks(checks(&v));

    super::orm_common::finish(r, "`manage.py show_urls` lists names.")
}

fn fix_name(v: &Values) -> Fix {
    v.fix(
        "Use the exact name with app_name.",
        "template",
        "django",
        "<a href=\"{% url '{url_name}' %}\">…</a>\n",
        "<a href=\"{% url 'shop:product-list' %}\">…</a>\n",
    )
}

fn fix_include(v: &Values) -> Fix {
    v.fix(
        "include() it; set app_name.",
        "urls.py",
        "python",
        "urlpatterns = [...]\n",
        "urlpatterns += [path(\"shop/\", include(\"shop.urls\"))]\n",
    )
}

fn fix_args(v: &Values) -> Fix {
    v.fix(
        "Pass a value the pattern accepts.",
        "template",
        "django",
        "<a href=\"{% url '{url_name}' product.pk %}\">details</a>\n",
        "{% if product %}\n<a href=\"{% url '{url_name}' product.pk %}\">details</a>\n{% endif %}\n",
    )
}

const TEST: &str = r#"from django.urls import reverse


def test_url_name_reverses():
    assert reverse("{url_name}", args=[1])
"#;

fn tests(v: &Values) -> Vec<Snippet> {
    vec![v.snippet("The URL name reverses", "tests/test_urls.py", "python", TEST)]
}

fn checks(v: &Values) -> Vec<String> {
    vec![v.fill("`grep -rn \"{url_name}\\|app_name\" */urls.py`"), "The DEBUG page shows the {% url %} line.".into()]
}
