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
use crate::model::{Diagnosis, Exception};

pub const FAMILY: Family = Family {
    id: "csrf-failed",
    code: "DJ004",
    title: "CSRF verification failed (403)",
    summary: "403 \"CSRF verification failed\": an HTTPS origin missing from CSRF_TRUSTED_ORIGINS (Django 4.0+), no {% csrf_token %} or X-CSRFToken, or no CSRF cookie.",
    example: "real/web/csrf_pytest_assert.txt",
    diagnose,
};

const EXPLANATION: &str = "Unsafe methods need the csrftoken cookie's token (form field or X-CSRFToken) and, over HTTPS, a trusted origin; the logged reason names the failed check.";

const REFERENCES: [&str; 1] = ["Django docs: CSRF protection — https://docs.djangoproject.com/en/stable/howto/csrf/"];

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
    let workflow = ci::workflow(&v, "CSRF tests", &[Step { name: "Tests", run: "pytest" }]);
    let tests = vec![v.snippet("A real form post passes CSRF", "tests/test_csrf.py", "python", TEST)];
    let checks =
        vec!["Dev tools › Network: does the POST send the csrftoken cookie and the token (field or X-CSRFToken)?"
            .to_string()];
    let fix_token = v.fix(
        "Put {% csrf_token %} in the form; send X-CSRFToken from JavaScript.",
        "template",
        "django",
        "<form method=\"post\">\n  {{ form }}\n</form>\n",
        "<form method=\"post\">\n  {% csrf_token %}\n  {{ form }}\n</form>\n",
    );

    let c = r.cause("untrusted-origin", "The origin is not in CSRF_TRUSTED_ORIGINS", 0.4);
    if let Some(l) = origin {
        c.support(4.0, format!("Origin check failed: Django 4.0+ needs `{site}` in CSRF_TRUSTED_ORIGINS."), Some(l));
    } else if missing.or(cookie).is_some() {
        c.weaken(0.2, "The reason is the token or cookie, not the origin.");
    }
    c.fix(v.fix(
        "Trust the origin (with scheme); behind a TLS proxy set SECURE_PROXY_SSL_HEADER.",
        "settings.py",
        "python",
        "ALLOWED_HOSTS = [\"example.com\"]\n",
        "CSRF_TRUSTED_ORIGINS = [\"{origin}\"]\nSECURE_PROXY_SSL_HEADER = (\"HTTP_X_FORWARDED_PROTO\", \"https\")\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec!["Behind a proxy: does it pass X-Forwarded-Proto?".into()]);

    let c = r.cause("token-missing", "The form or JavaScript sends no token", 0.4);
    if let Some(l) = missing {
        c.support(3.0, "Token missing or wrong: no {% csrf_token %}, or fetch/axios sends no X-CSRFToken.", Some(l));
    }
    c.fix(fix_token.clone()).tests(tests.clone()).ci(workflow.clone()).checks(checks.clone());

    let c = r.cause("cookie-not-set", "No csrftoken cookie", 0.3);
    if let Some(l) = cookie {
        c.support(
            3.0,
            "No csrftoken cookie: the form page never set it (cached, no request) or the browser blocked it.",
            Some(l),
        );
    }
    c.fix(fix_token).tests(tests).ci(workflow).checks(checks);

    r.finish(|a, b| format!("Can't tell \"{a}\" from \"{b}\": read the reason in `Forbidden (reason): /path/`."))
}

const TEST: &str = r#"from django.test import Client


def test_form_post_passes_csrf():
    client = Client(enforce_csrf_checks=True)
    token = client.get("/contact/").cookies["csrftoken"].value
    assert client.post("/contact/", {"csrfmiddlewaretoken": token}).status_code != 403
"#;
