//! `csrf-failed` (DJ004): Django's CSRF protection rejected a POST with a 403.
//!
//! No exception reaches the user: CsrfViewMiddleware answers with the 403 page (`CSRF verification failed.
//! Request aborted.`) and logs `Forbidden (<reason>): /path/`. The parser finds no traceback in that page or log
//! line, so this family fires only where such text is inside an exception's message — a test whose assertion
//! message holds the 403 page, DRF's `CSRF Failed: …`, or a log line pasted into an error. Causes are ranked by
//! the reason: `Origin checking failed` (4.0+), `CSRF token missing` (≤3.2 `… or incorrect`), `CSRF cookie not
//! set` (also the page's "requires a CSRF cookie" paragraph), `Referer checking failed`.

use super::ci::{self, Step};
use super::kit::{Ranking, Values};
use super::{Context, Family};
use crate::model::{Diagnosis, Exception, Fix, Snippet};

pub const FAMILY: Family = Family {
    id: "csrf-failed",
    code: "DJ004",
    title: "CSRF verification failed (403)",
    summary: "403 \"CSRF verification failed. Request aborted.\": CsrfViewMiddleware rejected a POST. Since Django \
              4.0 an HTTPS origin must be listed in CSRF_TRUSTED_ORIGINS (proxies, cloud IDEs); otherwise the form \
              lacks {% csrf_token %}, JavaScript does not send X-CSRFToken, or the CSRF cookie was never set.",
    example: "real/web/csrf_pytest_assert.txt",
    diagnose,
};

const EXPLANATION: &str = "Django rejects a POST, PUT, PATCH or DELETE unless it carries the CSRF token from the \
csrftoken cookie (in the form field or the X-CSRFToken header) and, over HTTPS, comes from a trusted origin. It \
answers 403 and logs `Forbidden (reason): /path/`; the reason says which check failed.";

const REFERENCES: [&str; 2] = [
    "Django documentation: Cross Site Request Forgery protection — https://docs.djangoproject.com/en/stable/howto/csrf/",
    "Django documentation: Settings › CSRF_TRUSTED_ORIGINS — https://docs.djangoproject.com/en/stable/ref/settings/#csrf-trusted-origins",
];

const MARKERS: [&str; 4] =
    ["CSRF verification failed", "CSRF Failed:", "Forbidden (CSRF", "Forbidden (Origin checking failed"];

fn find<'a>(cx: &Context<'a>) -> Option<&'a Exception> {
    cx.tb.exceptions.iter().rev().find(|e| MARKERS.iter().any(|m| e.message.contains(m)))
}

/// The line of `text` holding `needle`, trimmed.
fn line_with<'a>(text: &'a str, needle: &str) -> Option<&'a str> {
    text.lines().find(|l| l.contains(needle)).map(str::trim)
}

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let Some(exc) = find(cx) else {
        return Vec::new();
    };
    let msg = exc.message.as_str();
    let origin = line_with(msg, "Origin checking failed").or_else(|| line_with(msg, "Referer checking failed"));
    let missing = line_with(msg, "CSRF token missing").or_else(|| line_with(msg, "CSRF token from"));
    let cookie = line_with(msg, "CSRF cookie not set").or_else(|| line_with(msg, "requires a CSRF cookie"));
    let marker = MARKERS.iter().find_map(|m| line_with(msg, m));
    let site = origin.and_then(|l| super::kit::between(l, "failed - ", " does not")).unwrap_or("https://example.com");
    let mut v = Values::new(cx);
    v.set("origin", site);
    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised("Django's CSRF protection answered 403.", marker);
    let workflow = ci::workflow(
        &v,
        "CSRF tests and deploy checks",
        &[
            Step { name: "Deploy checks", run: "python manage.py check --deploy --fail-level WARNING" },
            Step { name: "Tests", run: "pytest" },
        ],
    );

    let c = r.cause("untrusted-origin", "The HTTPS origin is not in CSRF_TRUSTED_ORIGINS (proxy, cloud IDE)", 0.4);
    if let Some(l) = origin {
        c.support(
            4.0,
            format!("The origin check failed: Django 4.0+ needs `{site}` in CSRF_TRUSTED_ORIGINS, scheme included."),
            Some(l),
        );
    } else if missing.or(cookie).is_some() {
        c.weaken(0.2, "The reason is about the token or cookie, not the origin.");
    }
    c.fix(fix_origin(&v)).tests(tests(&v)).ci(workflow.clone()).checks(checks());

    let c = r.cause("token-missing", "The form or the JavaScript request does not send the token", 0.4);
    if let Some(l) = missing {
        c.support(3.0, "The token was missing or wrong: {% csrf_token %} is not in the form, or fetch/axios does not send X-CSRFToken.", Some(l));
    }
    c.fix(fix_token(&v)).tests(tests(&v)).ci(workflow.clone()).checks(checks());

    let c = r.cause("cookie-not-set", "The browser never got (or sent) the csrftoken cookie", 0.3);
    if let Some(l) = cookie {
        c.support(3.0, "The csrftoken cookie was not sent: the page with the form never set it (rendered without request, cached, or an API client), or the browser blocked it.", Some(l));
    }
    c.fix(fix_token(&v)).tests(tests(&v)).ci(workflow).checks(checks());

    r.finish(|a, b| format!("The paste cannot decide between \"{a}\" and \"{b}\". The reason is in the log line `Forbidden (reason): /path/` and, with DEBUG=True, under \"Reason given for failure\" on the 403 page."))
}

fn fix_origin(v: &Values) -> Fix {
    v.fix(
        "Trust the site's origin (scheme included) and tell Django the proxy terminates HTTPS.",
        "settings.py",
        "python",
        "ALLOWED_HOSTS = [\"example.com\"]\n",
        "ALLOWED_HOSTS = [\"example.com\"]\nCSRF_TRUSTED_ORIGINS = [\"{origin}\"]\n# Only behind a proxy that sets this header:\nSECURE_PROXY_SSL_HEADER = (\"HTTP_X_FORWARDED_PROTO\", \"https\")\n",
    )
}

fn fix_token(v: &Values) -> Fix {
    v.fix(
        "Render the form with the request and put the token in it; send X-CSRFToken from JavaScript.",
        "template",
        "django",
        "<form method=\"post\">\n  {{ form }}\n</form>\n",
        "<form method=\"post\">\n  {% csrf_token %}\n  {{ form }}\n</form>\n<script>\n  // fetch(url, {method: \"POST\", headers: {\"X-CSRFToken\": getCookie(\"csrftoken\")}})\n</script>\n",
    )
}

const TEST: &str = r#"from django.test import Client


def test_form_post_passes_csrf():
    client = Client(enforce_csrf_checks=True)
    page = client.get("/contact/")
    token = page.cookies["csrftoken"].value
    response = client.post("/contact/", {"csrfmiddlewaretoken": token})
    assert response.status_code != 403
"#;

fn tests(v: &Values) -> Vec<Snippet> {
    vec![v.snippet("A real form post passes the CSRF check", "tests/test_csrf.py", "python", TEST)]
}

fn checks() -> Vec<String> {
    vec![
        "Browser dev tools › Network: does the POST send the csrftoken cookie and a csrfmiddlewaretoken field or X-CSRFToken header?".into(),
        "Behind a proxy: does it pass X-Forwarded-Proto, and is SECURE_PROXY_SSL_HEADER set?".into(),
    ]
}
