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
use crate::model::{Diagnosis, Fix, Snippet};

pub const FAMILY: Family = Family {
    id: "pg-host-unresolved",
    code: "DJ014",
    title: "The database host name does not resolve",
    summary:
        "OperationalError \"could not translate host name … to address\" (psycopg 3: \"failed to resolve host\"): \
              the HOST in DATABASES is a name the machine running Django cannot look up — typically a docker compose \
              service name such as `db` used from outside compose, or a value parsed from an unset DATABASE_URL.",
    example: "real/postgres/host_unresolved.txt",
    diagnose,
};

const EXPLANATION: &str = "Before connecting, the driver asked the operating system's resolver for the address \
of the HOST in your settings, and got none. No packet reached PostgreSQL. A name like `db` or `postgres` exists \
only inside the docker compose network that defines it, so the same settings work in a container and fail on \
your machine (or in a container on another network).";

const REFERENCES: [&str; 2] = [
    pg::DATABASES_REF,
    "Docker documentation: Networking in Compose — https://docs.docker.com/compose/how-tos/networking/",
];

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
    let tests = vec![resolve_test(&v), pg::smoke_test(&v)];

    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("`{}` says the name `{host}` could not be resolved.", short(&hit.exception.type_name)), quote);

    let c = r.cause("compose-name-outside", "A docker compose service name is used outside compose", 1.0);
    if !dotted && !odd {
        c.support(2.0, format!("`{host}` has no dots: it looks like a compose service name, which resolves only inside the compose network."), quote);
    }
    if docker {
        c.weaken(0.3, "The paste shows a container, so the command probably ran inside compose.");
    } else {
        c.support(1.0, "Nothing in the paste shows a container: the command likely ran on the host machine.", None);
    }
    c.fix(fix_outside(&v)).tests(tests.clone()).checks(checks(&v)).ci(ci.clone());

    let c = r.cause(
        "container-network",
        "The container is not on the database service's network, or the name differs",
        0.3,
    );
    if docker {
        for d in f.docker.iter().take(2) {
            c.support(2.0, format!("The program runs in a container: {d}."), None);
        }
    }
    if dotted {
        c.weaken(0.5, format!("`{host}` is a full domain name, not a service name."));
    }
    c.fix(fix_network(&v)).tests(tests.clone()).checks(checks(&v)).ci(ci.clone());

    let c =
        r.cause("url-not-parsed", "The host came from an unset or malformed DATABASE_URL / environment variable", 0.2);
    if odd {
        c.support(
            4.0,
            format!("The host is `{host}`: the value of a variable that was not set or not expanded."),
            quote,
        );
    }
    for e in f.env_settings.iter().take(2) {
        c.support(1.0, format!("Settings come from the environment: {e}."), None);
    }
    c.fix(fix_outside(&v)).tests(tests.clone()).checks(checks(&v)).ci(ci.clone());

    let c = r.cause("transient-dns", "A temporary DNS failure (Docker or Kubernetes DNS, network hiccup)", 0.1);
    if transient {
        c.support(
            4.0,
            "The resolver said the failure is temporary: the name may exist, but DNS did not answer in time.",
            quote,
        );
    }
    c.fix(fix_network(&v)).tests(tests.clone()).checks(checks(&v)).ci(ci.clone());

    let c = r.cause("hostname-typo", "The host name is misspelt or the managed database was renamed", 0.2);
    if dotted {
        c.support(2.0, format!("`{host}` is a full domain name: check it against your provider's console."), quote);
    }
    c.fix(fix_outside(&v)).tests(tests).checks(checks(&v)).ci(ci);

    r.finish(|a, b| {
        format!(
            "The paste cannot decide between \"{a}\" and \"{b}\". Run `getent hosts {}` (or `python -c \"import socket; print(socket.gethostbyname('{}'))\"`) in the same place Django runs: \
             it fails on your machine but works in `docker compose exec web …` when the name is a compose service.",
            v.get("host"),
            v.get("host")
        )
    })
}

const RESOLVE_TEST: &str = r#"import socket

import pytest
from django.conf import settings


@pytest.mark.integration
def test_database_host_resolves_here():
    host = settings.DATABASES["default"]["HOST"]
    assert host, "HOST is empty"
    socket.getaddrinfo(host, None)  # raises socket.gaierror like the paste
"#;

fn resolve_test(v: &Values) -> Snippet {
    pg::snippet("The database host resolves where the tests run", "tests/test_settings.py", v.fill(RESOLVE_TEST))
}

fn fix_outside(v: &Values) -> Fix {
    let mut fix = pg::fix(
        v,
        "Read HOST from the environment: the compose service name inside compose, localhost (with the published port) outside.",
        "settings.py",
        "python",
        "DATABASES = {\"default\": {\"ENGINE\": \"{engine}\", \"HOST\": \"{host}\", \"PORT\": \"{port}\"}}\n",
        "import os\n\nDATABASES = {\n    \"default\": {\n        \"ENGINE\": \"{engine}\",\n        # {host} inside compose (set in docker-compose.yml), localhost on your machine.\n        \"HOST\": os.environ.get(\"POSTGRES_HOST\", \"localhost\"),\n        \"PORT\": os.environ.get(\"POSTGRES_PORT\", \"{port}\"),\n    }\n}\n",
    );
    fix.also.push(Snippet {
        title: "Or run the command inside the compose network".into(),
        file: "terminal".into(),
        language: "shell",
        code: v.fill("$ docker compose exec web python manage.py {command}\n"),
    });
    fix
}

fn fix_network(v: &Values) -> Fix {
    pg::fix(
        v,
        "Put the app and the database on one compose network and use the database's service name as HOST.",
        "docker-compose.yml",
        "yaml",
        "services:\n  web:\n    build: .\n    environment:\n      POSTGRES_HOST: {host}\n",
        "services:\n  {host}:\n    image: postgres:16\n    networks: [backend]\n  web:\n    build: .\n    environment:\n      POSTGRES_HOST: {host}\n    networks: [backend]\n    depends_on: [{host}]\nnetworks:\n  backend: {}\n",
    )
}

fn checks(v: &Values) -> Vec<String> {
    vec![
        v.fill("`getent hosts {host}` where Django runs: no output means the name does not resolve there."),
        "`docker compose ps` and `docker network inspect <network>`: which services share the app's network, and under which names?".into(),
        "`env | grep -E 'DATABASE_URL|POSTGRES_HOST|DB_HOST'` in the process that runs Django.".into(),
    ]
}
