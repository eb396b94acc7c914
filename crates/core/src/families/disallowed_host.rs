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
              the Host the request names is not listed — a new domain, an environment variable parsed as one \
              string, a proxy or load balancer passing an internal address, health checks on the raw IP, or a \
              local run with DEBUG=False.",
    example: "real/web/disallowed_host_log.txt",
    diagnose,
};

const EXPLANATION: &str = "Django checks the Host header of every request against ALLOWED_HOSTS (when DEBUG is \
False, or when the list is set) and answers 400 Bad Request when the name is not listed. The host in the message \
is exactly what the client, proxy or health checker sent.";

const REFERENCES: [&str; 2] = [
    "Django documentation: Settings › ALLOWED_HOSTS — https://docs.djangoproject.com/en/stable/ref/settings/#allowed-hosts",
    "Django documentation: Deployment checklist — https://docs.djangoproject.com/en/stable/howto/deployment/checklist/",
];

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
    r.recognised(format!("The request's Host was `{raw}`, which ALLOWED_HOSTS does not list."), quote);
    let workflow = ci::workflow(
        &v,
        "deploy checks and host tests",
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
        c.support(2.5, format!("`{host}` is a public name: the deployed settings do not list it."), quote);
    }
    c.fix(fix_env(&v)).tests(tests(&v)).ci(workflow.clone()).checks(checks(&v));

    let c = r.cause("proxy-or-healthcheck", "A proxy, load balancer or health check sends an internal Host", 0.3);
    if is_internal(host) && !is_local(host) {
        c.support(3.0, format!("`{host}` is an internal address or container name: a proxy passes its own Host, or a health check calls the instance directly."), quote);
    }
    c.fix(fix_proxy(&v)).tests(tests(&v)).ci(workflow.clone()).checks(checks(&v));

    let c = r.cause("local-debug-off", "A local run with DEBUG=False: localhost is no longer allowed by default", 0.2);
    if is_local(host) {
        c.support(3.0, "The host is local: with DEBUG=False Django allows only what ALLOWED_HOSTS lists.", quote);
    } else {
        c.weaken(0.3, "The host is not local.");
    }
    c.fix(fix_env(&v)).tests(tests(&v)).ci(workflow.clone()).checks(checks(&v));

    if malformed {
        let c = r.cause("scanner", "A malformed Host from a scanner or bot: noise to silence", 0.0);
        c.support(3.0, "The name is not even a valid domain: this is a bot, not a user.", quote);
        c.fix(fix_proxy(&v)).tests(tests(&v)).ci(workflow).checks(checks(&v));
    }
    r.finish(|a, b| format!("The paste cannot decide between \"{a}\" and \"{b}\". Print `settings.ALLOWED_HOSTS` in the running process (`python manage.py diffsettings | grep ALLOWED_HOSTS`) and compare it with the Host the proxy sends."))
}

fn fix_env(v: &Values) -> Fix {
    v.fix(
        "Read ALLOWED_HOSTS from the environment as a comma-separated list that includes `{http_host}`.",
        "settings.py",
        "python",
        "ALLOWED_HOSTS = os.environ.get(\"ALLOWED_HOSTS\", \"\")\n",
        "# ALLOWED_HOSTS={http_host},www.{http_host}\nALLOWED_HOSTS = [h.strip() for h in os.environ.get(\"ALLOWED_HOSTS\", \"\").split(\",\") if h.strip()]\n",
    )
}

fn fix_proxy(v: &Values) -> Fix {
    v.fix(
        "Let the proxy pass the public Host (nginx: proxy_set_header Host $host) and answer health checks before Django.",
        "nginx.conf",
        "nginx",
        "location / {\n    proxy_pass http://app:8000;\n}\n",
        "location = /healthz { return 200; }\nlocation / {\n    proxy_set_header Host $host;\n    proxy_set_header X-Forwarded-Proto $scheme;\n    proxy_pass http://app:8000;\n}\n",
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
    vec![v.snippet("The site's host is allowed, others are not", "tests/test_hosts.py", "python", TEST)]
}

fn checks(v: &Values) -> Vec<String> {
    vec![
        v.fill("`python manage.py shell -c \"from django.conf import settings; print(settings.ALLOWED_HOSTS)\"` in the deployed environment: is `{http_host}` in the list, as a separate item?"),
        "The proxy's access log: which Host does it forward, and who calls the app directly (health checks)?".into(),
    ]
}
