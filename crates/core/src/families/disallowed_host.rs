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
    summary: "DisallowedHost \"Invalid HTTP_HOST header: … You may need to add … to ALLOWED_HOSTS\" (HTTP 400): \
              the request's Host is not listed.",
    example: "real/web/disallowed_host_log.txt",
    diagnose,
};

const EXPLANATION: &str = "Django answers 400 when the request's Host header is not in ALLOWED_HOSTS (checked \
when DEBUG is False or the list is set). The host in the message is what the client or proxy sent.";

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
    r.recognised(format!("ALLOWED_HOSTS does not list `{raw}`."), quote);
    let workflow = ci::workflow(
        &v,
        "deploy checks and tests",
        &[
            Step { name: "Deploy checks", run: "DJANGO_DEBUG=0 python manage.py check --deploy" },
            Step { name: "Tests", run: "pytest" },
        ],
    );

    let c = r.cause(
        "domain-missing",
        "The site's domain is missing from ALLOWED_HOSTS (or the env value is not split)",
        0.5,
    );
    if !is_local(host) && !is_internal(host) && !malformed {
        c.support(2.5, format!("`{host}` is a public name."), quote);
    }
    c.fix(fix_env(&v)).tests(tests(&v)).ci(workflow.clone()).checks(checks(&v));

    let c = r.cause("proxy-or-healthcheck", "A proxy, load balancer or health check sends an internal Host", 0.3);
    if is_internal(host) && !is_local(host) {
        c.support(3.0, format!("`{host}` is an internal address or container name."), quote);
    }
    c.fix(fix_proxy(&v)).tests(tests(&v)).ci(workflow.clone()).checks(checks(&v));

    let c = r.cause("local-debug-off", "A local run with DEBUG=False: localhost is no longer allowed by default", 0.2);
    if is_local(host) {
        c.support(3.0, "The host is local.", quote);
    } else {
        c.weaken(0.3, "The host is not local.");
    }
    c.fix(fix_env(&v)).tests(tests(&v)).ci(workflow.clone()).checks(checks(&v));

    if malformed {
        let c = r.cause("scanner", "A malformed Host from a scanner or bot: noise to silence", 0.0);
        c.support(3.0, "Not a valid domain: a bot, not a user.", quote);
        c.fix(fix_proxy(&v)).tests(tests(&v)).ci(workflow).checks(checks(&v));
    }
    r.finish(|a, b| format!("Cannot decide between \"{a}\" and \"{b}\": compare the deployed ALLOWED_HOSTS with the Host the proxy sends."))
}

fn fix_env(v: &Values) -> Fix {
    v.fix(
        "Read ALLOWED_HOSTS as a comma-separated list that includes `{http_host}`.",
        "settings.py",
        "python",
        "ALLOWED_HOSTS = os.environ.get(\"ALLOWED_HOSTS\", \"\")\n",
        "# ALLOWED_HOSTS={http_host}\nALLOWED_HOSTS = os.environ.get(\"ALLOWED_HOSTS\", \"\").split(\",\")\n",
    )
}

fn fix_proxy(v: &Values) -> Fix {
    v.fix(
        "Let the proxy pass the public Host and answer health checks itself.",
        "nginx.conf",
        "nginx",
        "location / {\n    proxy_pass http://app:8000;\n}\n",
        "location = /healthz { return 200; }\nlocation / {\n    proxy_set_header Host $host;\n    proxy_pass http://app:8000;\n}\n",
    )
}

const TEST: &str = r#"from django.conf import settings
from django.test import Client


def test_production_host_is_allowed():
    assert "{http_host}" in settings.ALLOWED_HOSTS or "*" in settings.ALLOWED_HOSTS


def test_unknown_host_is_rejected():
    response = Client().get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
"#;

fn tests(v: &Values) -> Vec<Snippet> {
    vec![v.snippet("The site's host is allowed", "tests/test_hosts.py", "python", TEST)]
}

fn checks(v: &Values) -> Vec<String> {
    vec![
        v.fill("`python manage.py diffsettings | grep ALLOWED_HOSTS` where it runs: is `{http_host}` a separate item?"),
        "The proxy's access log: which Host does it forward?".into(),
    ]
}
