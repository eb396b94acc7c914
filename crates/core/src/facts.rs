//! Facts the paste reveals about the environment: database engine, driver, host, port, Python and Django
//! versions, Docker, the management command, what served the code. Every fact comes from text in the paste:
//! frame paths, exception types and messages, debug-page fields, log prefixes.

use crate::model::{Facts, Origin, Traceback};
use crate::parse::Parsed;

/// Path prefixes that official and common Docker images use for the project or its virtualenv.
const CONTAINER_PATHS: [&str; 5] = ["/app/", "/usr/src/app/", "/code/", "/opt/venv/", "/home/app/"];

/// Gather facts from everything parsed.
pub fn gather(parsed: &Parsed, tracebacks: &[Traceback]) -> Facts {
    let mut f = Facts {
        python_version: parsed.page.python_version.clone(),
        django_version: parsed.page.django_version.clone(),
        request_method: parsed.page.request_method.clone(),
        request_url: parsed.page.request_url.clone().or_else(|| parsed.page.request_path.clone()),
        installed_apps: parsed.page.installed_apps.clone(),
        templates_tried: parsed.page.templates_tried.clone(),
        template_file: parsed.page.template_file.clone(),
        template_line: parsed.page.template_line,
        template_source: parsed.page.template_source.clone(),
        wrappers: parsed.wrappers.iter().map(|s| s.to_string()).collect(),
        ..Facts::default()
    };
    if let Some(service) = parsed.services.first() {
        f.docker.push(format!("docker compose log prefix \"{service}  | \""));
    }
    let exceptions = tracebacks.iter().flat_map(|t| t.exceptions.iter());
    for exc in exceptions.clone() {
        driver_from_type(&exc.type_name, &mut f);
        message_facts(&exc.message, &mut f);
        for frame in &exc.frames {
            frame_facts(&frame.file, frame.origin, frame.package.as_deref(), &frame.function, &mut f);
            if let Some(code) = &frame.code {
                if code.contains("DATABASE_URL") || code.contains("os.environ") || code.contains("getenv(") {
                    push_unique(&mut f.env_settings, format!("code reads the environment: {code}"));
                }
            }
        }
    }
    for exc in exceptions {
        if exc.message.contains("DATABASE_URL") {
            push_unique(&mut f.env_settings, "the message mentions DATABASE_URL".to_string());
        }
    }
    if f.db_engine.is_none() {
        f.db_engine = match f.db_driver.as_deref() {
            Some("psycopg2" | "psycopg") => Some("postgresql".into()),
            Some("mysqlclient" | "pymysql") => Some("mysql".into()),
            Some("sqlite3") => Some("sqlite".into()),
            Some("oracledb" | "cx_Oracle") => Some("oracle".into()),
            _ => None,
        };
    }
    f
}

fn push_unique(v: &mut Vec<String>, s: String) {
    if v.len() < 6 && !v.contains(&s) {
        v.push(s);
    }
}

fn driver_from_type(type_name: &str, f: &mut Facts) {
    if f.db_driver.is_some() {
        return;
    }
    let driver = match type_name.split('.').next().unwrap_or("") {
        "psycopg2" => "psycopg2",
        "psycopg" => "psycopg",
        "MySQLdb" | "_mysql_exceptions" => "mysqlclient",
        "pymysql" => "pymysql",
        "sqlite3" => "sqlite3",
        "cx_Oracle" => "cx_Oracle",
        "oracledb" => "oracledb",
        _ => return,
    };
    f.db_driver = Some(driver.into());
}

fn frame_facts(file: &str, origin: Origin, package: Option<&str>, function: &str, f: &mut Facts) {
    let norm_has =
        |needle: &str| file.contains(needle) || (file.contains('\\') && file.replace('\\', "/").contains(needle));
    if f.db_engine.is_none() {
        for (dir, engine) in [
            ("django/db/backends/postgresql", "postgresql"),
            ("django/db/backends/mysql", "mysql"),
            ("django/db/backends/sqlite3", "sqlite"),
            ("django/db/backends/oracle", "oracle"),
            ("django/contrib/gis/db/backends/postgis", "postgresql"),
        ] {
            if norm_has(dir) {
                f.db_engine = Some(engine.into());
            }
        }
    }
    if f.db_driver.is_none() {
        f.db_driver = match package {
            Some("psycopg2") => Some("psycopg2".into()),
            Some("psycopg") => Some("psycopg".into()),
            Some("MySQLdb") => Some("mysqlclient".into()),
            Some("pymysql") => Some("pymysql".into()),
            Some("sqlite3") if origin == Origin::Stdlib => Some("sqlite3".into()),
            Some("oracledb") => Some("oracledb".into()),
            Some("cx_Oracle") => Some("cx_Oracle".into()),
            _ => None,
        };
    }
    if f.python_version.is_none() {
        f.python_version = python_version_in_path(file);
    }
    if f.python_prefix.is_none() && origin != Origin::App {
        if let Some(p) = file.find("/lib/python") {
            f.python_prefix = Some(file[..p].to_string()).filter(|s| !s.is_empty());
        }
    }
    if f.management_command.is_none() {
        if let Some(p) = file.find("management/commands/") {
            let name = &file[p + "management/commands/".len()..];
            f.management_command = name.strip_suffix(".py").map(str::to_string);
        }
    }
    if f.runner.is_none() {
        f.runner = match package {
            Some("gunicorn") => Some("gunicorn".into()),
            Some("uvicorn") => Some("uvicorn".into()),
            Some("daphne") => Some("daphne".into()),
            Some("celery") => Some("celery".into()),
            Some("_pytest" | "pytest" | "pytest_django") => Some("pytest".into()),
            Some("uwsgi") => Some("uwsgi".into()),
            _ if norm_has("django/core/servers/basehttp.py") || norm_has("commands/runserver.py") => {
                Some("runserver".into())
            }
            _ if norm_has("django/test/runner.py") => Some("django-test".into()),
            _ => None,
        };
    }
    if matches!(package, Some("dj_database_url" | "environ" | "decouple")) {
        let which = match package {
            Some("dj_database_url") => "dj-database-url parses DATABASE_URL",
            Some("environ") => "django-environ reads settings from the environment",
            _ => "python-decouple reads settings from the environment",
        };
        push_unique(&mut f.env_settings, format!("{which} ({function})"));
    }
    if f.docker.len() < 3 {
        if let Some(prefix) = CONTAINER_PATHS.iter().find(|p| file.starts_with(**p)) {
            let ev = format!("paths under {prefix} (a typical container layout): {file}");
            if !f.docker.iter().any(|d| d.starts_with(&format!("paths under {prefix}"))) {
                f.docker.push(ev);
            }
        }
    }
    let _ = function;
}

/// `…/lib/python3.11/…` → 3.11; `…\Python311\…` → 3.11; `…/versions/3.11.7/…` → 3.11.7.
fn python_version_in_path(file: &str) -> Option<String> {
    if let Some(p) = file.find("/versions/3.") {
        let rest = &file[p + "/versions/".len()..];
        let end = rest.find('/').unwrap_or(rest.len());
        let v = &rest[..end];
        if v.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            return Some(v.to_string());
        }
    }
    for marker in ["python3.", "Python3."] {
        if let Some(p) = file.find(marker) {
            let rest = &file[p + marker.len()..];
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            if digits > 0 {
                return Some(format!("3.{}", &rest[..digits]));
            }
        }
    }
    if let Some(p) = file.find("Python3") {
        let rest = &file[p + "Python3".len()..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if (1..=2).contains(&digits) {
            return Some(format!("3.{}", &rest[..digits]));
        }
    }
    None
}

/// Host, port, socket and database name from driver messages (libpq ≤ 13 and ≥ 14, psycopg 3, MySQL).
fn message_facts(msg: &str, f: &mut Facts) {
    if f.db_host.is_none() {
        let host = quoted_after(msg, "connection to server at \"")
            .or_else(|| quoted_after(msg, "on host \""))
            .or_else(|| quoted_after(msg, "could not translate host name \""))
            .or_else(|| quoted_after(msg, "failed to resolve host '"))
            .or_else(|| quoted_after(msg, "Can't connect to MySQL server on '"))
            // MariaDB's client library: `(2002, "Can't connect to server on '127.0.0.1' (115)")`.
            .or_else(|| quoted_after(msg, "Can't connect to server on '"))
            .or_else(|| quoted_after(msg, "host: '"));
        if let Some(h) = host {
            // MySQL writes `'db:3306'`.
            match h.rsplit_once(':') {
                Some((name, port))
                    if !name.contains(':') && port.bytes().all(|b| b.is_ascii_digit()) && !port.is_empty() =>
                {
                    f.db_host = Some(name.to_string());
                    f.db_port = port.parse().ok();
                }
                _ => f.db_host = Some(h.to_string()),
            }
        }
    }
    if f.db_port.is_none() {
        f.db_port = number_after(msg, "\", port ")
            .or_else(|| number_after(msg, "), port "))
            .or_else(|| number_after(msg, "connections on port "))
            .or_else(|| number_after(msg, "TCP/IP connections on port "))
            .or_else(|| number_after(msg, ".s.PGSQL."));
    }
    if f.db_socket.is_none() {
        f.db_socket = quoted_after(msg, "on socket \"")
            .or_else(|| quoted_after(msg, "Unix domain socket \""))
            .or_else(|| quoted_after(msg, "through socket '"))
            .map(str::to_string);
    }
    if f.db_name.is_none() {
        f.db_name = quoted_after(msg, "database \"").filter(|_| msg.contains("does not exist")).map(str::to_string);
    }
    if f.db_engine.is_none() {
        if msg.contains(".s.PGSQL.") || msg.contains("pg_hba.conf") {
            f.db_engine = Some("postgresql".into());
        } else if msg.contains("MySQL server") {
            f.db_engine = Some("mysql".into());
        }
    }
}

/// The text between `prefix` and the next quote character that closes it (`"` or `'`, whichever opened).
fn quoted_after<'a>(msg: &'a str, prefix: &str) -> Option<&'a str> {
    let p = msg.find(prefix)?;
    let rest = &msg[p + prefix.len()..];
    let quote = prefix.chars().last()?;
    let end = rest.find(quote)?;
    Some(&rest[..end]).filter(|s| !s.is_empty() && s.len() < 256)
}

fn number_after(msg: &str, prefix: &str) -> Option<u16> {
    let p = msg.find(prefix)?;
    let rest = &msg[p + prefix.len()..];
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    rest[..digits].parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn msg(m: &str, host: Option<&str>, port: Option<u16>) {
        let mut f = Facts::default();
        message_facts(m, &mut f);
        assert_eq!((f.db_host.as_deref(), f.db_port), (host, port), "{m}");
    }

    #[test]
    fn hosts_and_ports_in_every_wording() {
        msg("could not connect to server: Connection refused\n\tIs the server running on host \"localhost\" (127.0.0.1) and accepting\n\tTCP/IP connections on port 5432?", Some("localhost"), Some(5432));
        msg(
            "connection to server at \"localhost\" (127.0.0.1), port 5433 failed: Connection refused",
            Some("localhost"),
            Some(5433),
        );
        msg(
            "connection failed: connection to server at \"127.0.0.1\", port 5432 failed: Connection refused",
            Some("127.0.0.1"),
            Some(5432),
        );
        msg(
            "connection to server on socket \"/var/run/postgresql/.s.PGSQL.5432\" failed: No such file or directory",
            None,
            Some(5432),
        );
        msg("could not translate host name \"db\" to address: Name or service not known", Some("db"), None);
        msg("(2003, \"Can't connect to MySQL server on 'db:3307' (111)\")", Some("db"), Some(3307));
        msg("(2002, \"Can't connect to server on '127.0.0.1' (115)\")", Some("127.0.0.1"), None);
    }

    #[test]
    fn python_versions_from_paths() {
        assert_eq!(python_version_in_path("/app/venv/lib/python3.11/site-packages/x.py").as_deref(), Some("3.11"));
        assert_eq!(
            python_version_in_path("/root/.pyenv/versions/3.12.1/lib/python3.12/x.py").as_deref(),
            Some("3.12.1")
        );
        assert_eq!(python_version_in_path("C:\\Python310\\lib\\x.py").as_deref(), Some("3.10"));
        assert_eq!(python_version_in_path("/srv/app/views.py"), None);
    }
}
