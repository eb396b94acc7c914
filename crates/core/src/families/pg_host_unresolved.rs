//! `pg-host-unresolved` (DJ014): the database host name does not resolve.
//!
//! Recognised by an `OperationalError` whose message is libpq's `could not translate host name "h" to address: …`
//! (same text in libpq 11–17; resolver endings `Name or service not known`, `Temporary failure in name
//! resolution`, `No address associated with hostname`, macOS `nodename nor servname provided`) or psycopg 3's
//! `failed to resolve host 'h': …`. Causes: a compose service name used outside compose, a container on
//! another network, a host parsed from an empty or malformed DATABASE_URL, transient DNS, or a typo.

use super::kit::{self, Ranking, Values};
use super::pg_common::{self as pg, short};
use super::{Context, Family};
use crate::model::{Diagnosis, Fix};

pub const FAMILY: Family = Family {
    id: "pg-host-unresolved",
    code: "DJ014",
    title: "The database host name does not resolve",
    summary:
        "\"could not translate host name\": a compose service name used outside compose, or an unset DATABASE_URL.",
    example: "real/postgres/host_unresolved.txt",
    diagnose,
};

const EXPLANATION: &str = "HOST does not resolve here; compose names (`db`) resolve only inside compose.";

const REFERENCES: [&str; 2] =
    [pg::DATABASES_REF, "Docker: Compose networking — https://docs.docker.com/compose/how-tos/networking/"];

const PATTERNS: [&str; 2] = ["could not translate host name", "failed to resolve host"];

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let Some(hit) = kit::find(cx.tb, &["OperationalError"], &PATTERNS) else {
        return Vec::new();
    };
    let msg = hit.exception.message.as_str();
    let host = pg::quoted(msg, "host name ").or_else(|| pg::quoted(msg, "resolve host ")).unwrap_or("");
    let f = cx.facts;
    let docker = !f.docker.is_empty();
    let dotted = host.contains('.');
    let odd = host.is_empty() || matches!(host, "None" | "none" | "null" | "undefined") || host.contains('$');
    let transient = msg.contains("Temporary failure in name resolution") || msg.contains("try again");
    let mut v = pg::values(cx);
    v.set("host", if host.is_empty() { "db" } else { host });
    let quote = Some(hit.line);
    let ci = pg::workflow(&v, "PostgreSQL");
    let tests = vec![pg::snippet("Host resolves", "tests/test_settings.py", RESOLVE_TEST.into())];
    let checks = CHECKS.iter().map(|s| v.fill(s)).collect::<Vec<_>>();

    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("`{}`: `{host}` unresolved.", short(&hit.exception.type_name)), quote);

    let c = r.cause("compose-name-outside", "Compose name used outside compose", 1.0);
    if !dotted && !odd {
        c.support(2.0, format!("`{host}` has no dots: a service name."), quote);
    }
    if docker {
        c.weaken(0.3, "It ran in a container.");
    } else {
        c.support(1.0, "No container shows.", None);
    }
    c.fix(fix_outside(&v)).tests(tests.clone()).checks(checks.clone()).ci(ci.clone());

    let c = r.cause("container-network", "Not on the database's network", 0.3);
    if docker {
        for d in f.docker.iter().take(2) {
            c.support(2.0, format!("Container: {d}."), None);
        }
    }
    if dotted {
        c.weaken(0.5, format!("`{host}` is a domain."));
    }
    c.fix(v.fix(FIX_NETWORK.0, FIX_NETWORK.1, FIX_NETWORK.2, FIX_NETWORK.3, FIX_NETWORK.4))
        .tests(tests.clone())
        .checks(checks.clone())
        .ci(ci.clone());

    let c = r.cause("url-not-parsed", "Unset DATABASE_URL or variable", 0.2);
    if odd {
        c.support(4.0, format!("`{host}`: an unset variable."), quote);
    }
    for e in f.env_settings.iter().take(2) {
        c.support(1.0, format!("From the environment: {e}."), None);
    }
    c.fix(fix_outside(&v)).tests(tests.clone()).checks(checks.clone()).ci(ci.clone());

    let c = r.cause("transient-dns", "Temporary DNS failure", 0.1);
    if transient {
        c.support(4.0, "The resolver says temporary.", quote);
    }
    c.fix(v.fix(FIX_NETWORK.0, FIX_NETWORK.1, FIX_NETWORK.2, FIX_NETWORK.3, FIX_NETWORK.4))
        .tests(tests.clone())
        .checks(checks.clone())
        .ci(ci.clone());

    let c = r.cause("hostname-typo", "Host misspelt or renamed", 0.2);
    if dotted {
        c.support(2.0, format!("Check `{host}` with your provider."), quote);
    }
    c.fix(fix_outside(&v)).tests(tests).checks(checks).ci(ci);

    super::orm_common::finish(r, &v.fill("`getent hosts {host}`."))
}

const RESOLVE_TEST: &str = r#"import socket

from django.conf import settings


def test_host_resolves():
    socket.getaddrinfo(settings.DATABASES["default"]["HOST"], None)
"#;

fn fix_outside(v: &Values) -> Fix {
    let mut fix = pg::fix(
        v,
        "Read HOST from the environment.",
        "settings.py",
        "python",
        "DATABASES[\"default\"][\"HOST\"] = \"{host}\"\n",
        "DATABASES[\"default\"][\"HOST\"] = os.environ[\"POSTGRES_HOST\"]\n",
    );
    fix.also.push(v.snippet(
        "Or inside compose",
        "terminal",
        "shell",
        "$ docker compose exec web python manage.py {command}\n",
    ));
    fix
}

const FIX_NETWORK: (&str, &str, &str, &str, &str) = (
    "One compose network for both.",
    "docker-compose.yml",
    "yaml",
    "services:\n  web:\n    image: app\n",
    "services:\n  web:\n    image: app\n    networks: [backend]\n  {host}:\n    networks: [backend]\n",
);

const CHECKS: [&str; 2] = ["`getent hosts {host}` there.", "`docker network inspect <network>`."];
