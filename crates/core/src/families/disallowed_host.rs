//! `disallowed-host` (DJ008): the request's Host header is not in ALLOWED_HOSTS (HTTP 400).
//!
//! Recognised by `DisallowedHost` (or `SuspiciousOperation` ≤1.6) with `Invalid HTTP_HOST header: 'h'. You may
//! need to add 'h' to ALLOWED_HOSTS.`, the RFC 1034/1035 variant for malformed names, and the old
//! `Invalid HTTP_HOST header (you may need to set ALLOWED_HOSTS)`. Causes are ranked by the quoted host: a public
//! domain (a deploy missing it), an internal IP or container name (a proxy or health check), or localhost (a
//! local run with DEBUG=False).

use super::ci::{self, Step};
use super::kit::{self, Ranking, Values};
use super::{Context, Family};
use crate::model::{Diagnosis, Fix, Snippet};

pub const FAMILY: Family = Family {
    id: "disallowed-host",
    code: "DJ008",
    title: "Host not in ALLOWED_HOSTS",
    summary: "DisallowedHost \"Invalid HTTP_HOST header\" (HTTP 400): the Host is not in ALLOWED_HOSTS.",
    example: "real/web/disallowed_host_log.txt",
    diagnose,
};

const EXPLANATION: &str = "The Host the client or proxy sent is not in ALLOWED_HOSTS.";

const REFERENCES: [&str; 1] =
    ["Django docs: ALLOWED_HOSTS — https://docs.djangoproject.com/en/stable/ref/settings/#allowed-hosts"];

/// Kinds of host, from the quoted value.
fn is_local(h: &str) -> bool {
    matches!(h, "localhost" | "127.0.0.1" | "[::1]" | "0.0.0.0")
}

fn is_internal(h: &str) -> bool {
    h.starts_with("10.") || h.starts_with("192.168.") || (h.starts_with("172.") && h.len() > 4) || !h.contains('.')
}

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let Some(hit) = kit::find(cx.tb, &["DisallowedHost", "SuspiciousOperation"], &["Invalid HTTP_HOST header"]) else {
        return Vec::new();
    };
    let line = hit.line;
    let raw = kit::between(line, "header: '", "'").or_else(|| kit::between(line, "): ", "\n")).unwrap_or("example.com");
    let host = kit::between(line, "add '", "'").unwrap_or_else(|| raw.split(':').next().unwrap_or(raw));
    let malformed = line.contains("RFC 1034/1035");
    let mut v = Values::new(cx);
    v.set("http_host", host);
    let quote = Some(line);
    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("`{raw}` is not allowed."), quote);
    let workflow = ci::workflow(
        &v,
        "checks",
        &[
            Step { name: "Checks", run: "DJANGO_DEBUG=0 python manage.py check --deploy" },
            Step { name: "Tests", run: "pytest" },
        ],
    );

    let c = r.cause("domain-missing", "The domain is not in ALLOWED_HOSTS", 0.5);
    if !is_local(host) && !is_internal(host) && !malformed {
        c.support(2.5, format!("`{host}` is a public name."), quote);
    }
    c.fix(fix_env(&v)).tests(tests(&v)).ci(workflow.clone()).checks(checks(&v));

    let c = r.cause("proxy-or-healthcheck", "A proxy or health check sends an internal Host", 0.3);
    if is_internal(host) && !is_local(host) {
        c.support(3.0, format!("`{host}` is internal."), quote);
    }
    c.fix(fix_proxy(&v)).tests(tests(&v)).ci(workflow.clone()).checks(checks(&v));

    let c = r.cause("local-debug-off", "Local run with DEBUG=False", 0.2);
    if is_local(host) {
        c.support(3.0, "The host is local.", quote);
    } else {
        c.weaken(0.3, "The host is not local.");
    }
    c.fix(fix_env(&v)).tests(tests(&v)).ci(workflow.clone()).checks(checks(&v));

    if malformed {
        let c = r.cause("scanner", "A bot's malformed Host", 0.0);
        c.support(3.0, "Not a valid domain.", quote);
        c.fix(fix_proxy(&v)).tests(tests(&v)).ci(workflow).checks(checks(&v));
    }
    super::orm_common::finish(r, "which Host does the proxy send?")
}

fn fix_env(v: &Values) -> Fix {
    v.fix(
        "Split ALLOWED_HOSTS on commas; include `{http_host}`.",
        "settings.py",
        "python",
        "ALLOWED_HOSTS = os.environ.get(\"ALLOWED_HOSTS\", \"\")\n",
        "# ALLOWED_HOSTS={http_host}\nALLOWED_HOSTS = os.environ.get(\"ALLOWED_HOSTS\", \"\").split(\",\")\n",
    )
}

fn fix_proxy(v: &Values) -> Fix {
    v.fix(
        "Pass the Host; answer health checks in the proxy.",
        "nginx.conf",
        "nginx",
        "location / {\n    proxy_pass http://app:8000;\n}\n",
        "location = /healthz { return 200; }\nlocation / {\n    proxy_set_header Host $host;\n    proxy_pass http://app:8000;\n}\n",
    )
}

const TEST: &str = r#"from django.conf import settings


def test_production_host_is_allowed():
    assert "{http_host}" in settings.ALLOWED_HOSTS or "*" in settings.ALLOWED_HOSTS
"#;

fn tests(v: &Values) -> Vec<Snippet> {
    vec![v.snippet("The host is allowed", "tests/test_hosts.py", "python", TEST)]
}

fn checks(_: &Values) -> Vec<String> {
    vec!["`python manage.py diffsettings | grep ALLOWED_HOSTS`".into(), "Which Host does the proxy forward?".into()]
}
