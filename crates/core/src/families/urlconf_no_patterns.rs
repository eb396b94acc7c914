//! `urlconf-no-patterns` (DJ031): an included URLconf has no `urlpatterns` Django can read.
//!
//! Recognised by `ImproperlyConfigured` saying `The included URLconf 'x' does not appear to have any patterns in
//! it.` with either ending: ≤3.2 `If you see valid patterns in the file …`, 4.0+ `If you see the 'urlpatterns'
//! variable with valid patterns in the file …`; `x` is a dotted path or a module repr (`<module 'blog.urls' from
//! '…'>`). Causes are ranked by the frames: a `reverse()` called from a module body of your code while the
//! URLconf loads means a circular import.

use super::ci::{self, Step};
use super::kit::{self, Ranking, Values};
use super::{Context, Family};
use crate::model::{Diagnosis, Fix, Snippet};

pub const FAMILY: Family = Family {
    id: "urlconf-no-patterns",
    code: "DJ031",
    title: "URLconf has no patterns",
    summary: "ImproperlyConfigured \"The included URLconf '…' does not appear to have any patterns in it\".",
    example: "real/web/urlconf_no_patterns.txt",
    diagnose,
};

const EXPLANATION: &str = "No `urlpatterns`: misspelled, or a circular import (reverse() at import time).";

const REFERENCES: [&str; 1] =
    ["Django docs: reverse_lazy() — https://docs.djangoproject.com/en/stable/ref/urlresolvers/#reverse-lazy"];

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let Some(hit) = kit::find(cx.tb, &["ImproperlyConfigured"], &["does not appear to have any patterns in it"]) else {
        return Vec::new();
    };
    let line = hit.line;
    let name = kit::between(line, "<module '", "'")
        .or_else(|| kit::between(line, "URLconf '", "' does"))
        .unwrap_or("app.urls");
    let old = !line.contains("'urlpatterns' variable");
    let circular = kit::frames(cx.tb)
        .any(|f| f.function == "<module>" && f.code.as_deref().is_some_and(|c| c.contains("reverse(")));
    let mut v = Values::new(cx);
    v.set("urlconf", name);
    v.set("urlfile", format!("{}.py", name.replace('.', "/")));
    let quote = Some(line);
    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    let wording = if old { "≤3.2" } else { "4.0+" };
    r.recognised(format!("No urlpatterns in `{name}` (Django {wording})."), quote);
    let workflow = ci::workflow(
        &v,
        "checks",
        &[Step { name: "Django checks", run: "python manage.py check" }, Step { name: "Tests", run: "pytest" }],
    );

    let c = r.cause("misspelled", "urlpatterns misspelled or missing", 1.0);
    if circular {
        c.weaken(0.2, "A circular import.");
    }
    c.fix(fix_name(&v)).tests(tests(&v)).ci(workflow.clone()).checks(checks(&v));

    let c = r.cause("circular-import", "reverse() during URLconf import", 0.4);
    if circular {
        c.support(4.0, "reverse() runs at import time.", None);
    }
    c.fix(fix_lazy(&v)).tests(tests(&v)).ci(workflow).checks(checks(&v));

    super::orm_common::finish(r, &v.fill("is `urlpatterns` in {urlfile}?"))
}

fn fix_name(v: &Values) -> Fix {
    v.fix(
        "Name the list exactly `urlpatterns`.",
        "{urlfile}",
        "python",
        "urlpattern = [...]\n",
        "urlpatterns = [...]\n",
    )
}

fn fix_lazy(v: &Values) -> Fix {
    v.fix(
        "Use reverse_lazy().",
        "views.py",
        "python",
        "POSTS_URL = reverse(\"posts\")\n",
        "POSTS_URL = reverse_lazy(\"posts\")\n",
    )
}

const TEST: &str = r#"from django.core.management import call_command
from django.urls import get_resolver


def test_urls_load():
    call_command("check")
    assert get_resolver().url_patterns
"#;

fn tests(v: &Values) -> Vec<Snippet> {
    vec![v.snippet("URLconfs load", "tests/test_urls.py", "python", TEST)]
}

fn checks(v: &Values) -> Vec<String> {
    vec![v.fill("`grep -n urlpatterns {urlfile}` and `grep -rn \"= reverse(\" --include=*.py .`")]
}
