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
    summary: "\"could not translate host name … to address\": HOST does not resolve here — usually a compose service name like `db` used outside compose, or an unset DATABASE_URL.",
    example: "real/postgres/host_unresolved.txt",
    diagnose,
};

const EXPLANATION: &str =
    "The resolver found no address for HOST. Compose service names (`db`) resolve only inside their compose network.";

const REFERENCES: [&str; 2] =
    [pg::DATABASES_REF, "Docker docs: Networking in Compose — https://docs.docker.com/compose/how-tos/networking/"];

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
    let ci = pg::workflow(&v, "PostgreSQL service reached as localhost in CI");
    let tests = vec![pg::snippet("The database host resolves", "tests/test_settings.py", RESOLVE_TEST.into())];
    let checks = CHECKS.iter().map(|s| v.fill(s)).collect::<Vec<_>>();

    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("`{}`: `{host}` does not resolve.", short(&hit.exception.type_name)), quote);

    let c = r.cause("compose-name-outside", "A docker compose service name is used outside compose", 1.0);
    if !dotted && !odd {
        c.support(2.0, format!("`{host}` has no dots: a compose service name, resolvable only inside compose."), quote);
    }
    if docker {
        c.weaken(0.3, "A container shows: it probably ran inside compose.");
    } else {
        c.support(1.0, "No container shows: it likely ran on the host.", None);
    }
    c.fix(fix_outside(&v)).tests(tests.clone()).checks(checks.clone()).ci(ci.clone());

    let c = r.cause("container-network", "The container is not on the database's network", 0.3);
    if docker {
        for d in f.docker.iter().take(2) {
            c.support(2.0, format!("It runs in a container: {d}."), None);
        }
    }
    if dotted {
        c.weaken(0.5, format!("`{host}` is a domain name, not a service."));
    }
    c.fix(v.fix(FIX_NETWORK.0, FIX_NETWORK.1, FIX_NETWORK.2, FIX_NETWORK.3, FIX_NETWORK.4))
        .tests(tests.clone())
        .checks(checks.clone())
        .ci(ci.clone());

    let c = r.cause("url-not-parsed", "The host came from an unset DATABASE_URL or variable", 0.2);
    if odd {
        c.support(4.0, format!("The host `{host}` is an unset or unexpanded variable."), quote);
    }
    for e in f.env_settings.iter().take(2) {
        c.support(1.0, format!("Settings come from the environment: {e}."), None);
    }
    c.fix(fix_outside(&v)).tests(tests.clone()).checks(checks.clone()).ci(ci.clone());

    let c = r.cause("transient-dns", "A temporary DNS failure", 0.1);
    if transient {
        c.support(4.0, "The resolver called it temporary: DNS did not answer in time.", quote);
    }
    c.fix(v.fix(FIX_NETWORK.0, FIX_NETWORK.1, FIX_NETWORK.2, FIX_NETWORK.3, FIX_NETWORK.4))
        .tests(tests.clone())
        .checks(checks.clone())
        .ci(ci.clone());

    let c = r.cause("hostname-typo", "The host name is misspelt or renamed", 0.2);
    if dotted {
        c.support(2.0, format!("Check the domain `{host}` against your provider's console."), quote);
    }
    c.fix(fix_outside(&v)).tests(tests).checks(checks).ci(ci);

    r.finish(|a, b| format!("Can't tell \"{a}\" from \"{b}\": `getent hosts {}` where Django runs.", v.get("host")))
}

const RESOLVE_TEST: &str = r#"import socket

from django.conf import settings


def test_database_host_resolves():
    socket.getaddrinfo(settings.DATABASES["default"]["HOST"], None)
"#;

fn fix_outside(v: &Values) -> Fix {
    let mut fix = pg::fix(
        v,
        "Read HOST from the environment: the service name in compose, localhost outside.",
        "settings.py",
        "python",
        "DATABASES = {\"default\": {\"ENGINE\": \"{engine}\", \"HOST\": \"{host}\"}}\n",
        "import os\n\nDATABASES = {\"default\": {\"ENGINE\": \"{engine}\", \"HOST\": os.environ.get(\"POSTGRES_HOST\", \"localhost\")}}\n",
    );
    fix.also.push(v.snippet(
        "Or run inside compose",
        "terminal",
        "shell",
        "$ docker compose exec web python manage.py {command}\n",
    ));
    fix
}

const FIX_NETWORK: (&str, &str, &str, &str, &str) = (
    "Put app and database on one compose network; HOST is the service name.",
    "docker-compose.yml",
    "yaml",
    "services:\n  web:\n    environment:\n      POSTGRES_HOST: {host}\n",
    "services:\n  {host}:\n    image: postgres:16\n    networks: [backend]\n  web:\n    environment:\n      POSTGRES_HOST: {host}\n    networks: [backend]\nnetworks:\n  backend: {}\n",
);

const CHECKS: [&str; 2] = [
    "`getent hosts {host}` where Django runs.",
    "`docker network inspect <network>`: which services share the app's network?",
];
