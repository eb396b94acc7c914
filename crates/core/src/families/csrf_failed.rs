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
    summary: "403 \"CSRF verification failed\": an untrusted HTTPS origin, no token, or no CSRF cookie.",
    example: "real/web/csrf_pytest_assert.txt",
    diagnose,
};

const EXPLANATION: &str =
    "A POST needs the csrftoken cookie's token (field or X-CSRFToken) and, over HTTPS, a trusted origin.";

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
    r.recognised("CSRF 403.", marker);
    let workflow = ci::workflow(&v, "CSRF", &[Step { name: "Tests", run: "pytest" }]);
    let tests = vec![v.snippet("A form post passes CSRF", "tests/test_csrf.py", "python", TEST)];
    let checks = vec!["Dev tools: does the POST send cookie and token?".to_string()];
    let fix_token = v.fix(
        "Add {% csrf_token %} (or X-CSRFToken).",
        "template",
        "django",
        "<form method=\"post\">\n",
        "<form method=\"post\">{% csrf_token %}\n",
    );

    let c = r.cause("untrusted-origin", "Origin not trusted", 0.4);
    if let Some(l) = origin {
        c.support(4.0, format!("Needs `{site}` in CSRF_TRUSTED_ORIGINS."), Some(l));
    } else if missing.or(cookie).is_some() {
        c.weaken(0.2, "Not the origin.");
    }
    c.fix(v.fix(
        "Trust the origin.",
        "settings.py",
        "python",
        "CSRF_TRUSTED_ORIGINS = []\n",
        "CSRF_TRUSTED_ORIGINS = [\"{origin}\"]\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec!["A proxy: SECURE_PROXY_SSL_HEADER?".into()]);

    let c = r.cause("token-missing", "No token sent", 0.4);
    if let Some(l) = missing {
        c.support(3.0, "Token missing or wrong.", Some(l));
    }
    c.fix(fix_token.clone()).tests(tests.clone()).ci(workflow.clone()).checks(checks.clone());

    let c = r.cause("cookie-not-set", "No csrftoken cookie", 0.3);
    if let Some(l) = cookie {
        c.support(3.0, "The page never set it, or the browser blocked it.", Some(l));
    }
    c.fix(fix_token).tests(tests).ci(workflow).checks(checks);

    super::orm_common::finish(r, "read `Forbidden (reason)` in the log.")
}

const TEST: &str = r#"from django.test import Client


def test_csrf():
    client = Client(enforce_csrf_checks=True)
    token = client.get("/contact/").cookies["csrftoken"].value
    assert client.post("/contact/", {"csrfmiddlewaretoken": token}).status_code != 403
"#;
