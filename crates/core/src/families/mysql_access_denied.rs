//! `mysql-access-denied` (DJ017): the MySQL/MariaDB server is up but refuses the user.
//!
//! Recognised by an `OperationalError` 1045 (`Access denied for user 'u'@'h' (using password: YES|NO)`), 1698
//! (socket-authenticated accounts) or 1044 (`… to database 'x'`). Causes are ranked by the error number,
//! `using password: NO`, the account's host part, the user name and the database.

use super::ci::Step;
use super::kit::{self, Ranking};
use super::mysql_cant_connect::{mysql_ci, mysql_values, py, TEST_SMOKE};
use super::{Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "mysql-access-denied",
    code: "DJ017",
    title: "MySQL/MariaDB denied access to the user",
    summary: "OperationalError 1045/1698/1044 \"Access denied for user\": wrong or missing password, an account for another host, root with socket login, or no test-database rights.",
    example: "real/mysql/mysql_access_denied.txt",
    diagnose,
};

const EXPLANATION: &str = "The server answered, so HOST is fine, but it refused the login. A MySQL account is a \
user *and* a client host (`'u'@'localhost'` ≠ `'u'@'%'`); the message names the account and whether a password \
was sent.";

const REFERENCES: [&str; 2] = [
    "Django docs: MySQL notes — https://docs.djangoproject.com/en/stable/ref/databases/#mysql-notes",
    "Django docs: DATABASES USER — https://docs.djangoproject.com/en/stable/ref/settings/#user",
];

const ACCOUNTS: &str = "`SELECT user, host, plugin FROM mysql.user WHERE user = '{user}';`";

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let Some(hit) = kit::find(cx.tb, &["OperationalError"], &["Access denied for user '"]) else {
        return Vec::new();
    };
    let line = hit.line;
    let user = kit::between(line, "for user '", "'").unwrap_or("app");
    let client = kit::between(line, "'@'", "'").unwrap_or("localhost");
    let database = kit::between(line, "to database '", "'");
    let no_password = line.contains("using password: NO");
    let socket_auth = line.contains("(1698,");
    let mut v = mysql_values(cx);
    let db = database.map_or_else(|| v.get("db").to_string(), str::to_string);
    v.set("user", user).set("client", client).set("db", db);
    let workflow = mysql_ci(&v, "MySQL service", &[Step { name: "Tests", run: "pytest" }]);
    let tests = vec![py("MySQL accepts the login", "tests/test_database.py", TEST_SMOKE.into())];
    let settings = v.fix(
        "Read USER and PASSWORD from the environment, without defaults.",
        "settings.py",
        "python",
        SETTINGS_BEFORE,
        SETTINGS_ENV,
    );
    let grant = v.fix(
        "Create the account for any host and grant the database.",
        "MySQL shell",
        "sql",
        "-- no such account\n",
        GRANT,
    );
    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("Refused: `'{user}'@'{client}'`."), Some(line));

    let c = r.cause("wrong-password", "The password in the settings is wrong for this account", 1.0);
    if line.contains("using password: YES") {
        c.support(2.0, "A password was sent and rejected.", Some("using password: YES"));
    }
    if no_password || socket_auth {
        c.weaken(0.2, "No password was checked.");
    }
    c.fix(settings.clone())
        .tests(tests.clone())
        .ci(workflow.clone())
        .checks(vec![v.fill("`mysql -h {host} -P {port} -u {user} -p` with Django's password.")]);

    let c = r.cause("no-password", "No password reached the driver (empty PASSWORD or an unloaded .env)", 0.3);
    if no_password {
        c.support(4.0, "PASSWORD was empty: an unset environment variable?", Some("using password: NO"));
    } else {
        c.weaken(0.1, "A password was sent.");
    }
    c.fix(settings)
        .tests(tests.clone())
        .ci(workflow.clone())
        .checks(vec!["`env | grep -i mysql` where Django runs.".into()]);

    let c = r.cause(
        "host-mismatch",
        "The account exists only for another client host (e.g. 'localhost', not the container's IP)",
        0.3,
    );
    if !matches!(client, "localhost" | "127.0.0.1" | "::1") {
        c.support(3.0, format!("The client is `{client}`: `'{user}'@'localhost'` does not match."), Some(client));
    }
    if !cx.facts.docker.is_empty() {
        c.support(1.0, "A container connects from its network, not localhost.", None);
    }
    c.fix(grant.clone()).tests(tests.clone()).ci(workflow.clone()).checks(vec![v.fill(ACCOUNTS)]);

    let c = r.cause(
        "socket-auth-root",
        "`root` logs in with socket authentication (auth_socket/unix_socket), not a password",
        0.1,
    );
    if socket_auth {
        c.support(5.0, "1698: a socket-authenticated account.", Some("1698"));
    }
    if user == "root" {
        c.support(1.5, "`root` is socket-only on Debian/Ubuntu.", None);
    }
    c.fix(grant).tests(tests.clone()).ci(workflow.clone()).checks(vec![v.fill(ACCOUNTS)]);

    if let Some(db) = database {
        let c = r.cause("test-database-rights", "The user may not create or use the test database", 0.2);
        if db.starts_with("test_") {
            c.support(4.0, format!("`{db}` is the test database."), Some(line));
        }
        c.fix(v.fix(
            "Let the user create test databases.",
            "MySQL shell",
            "sql",
            "GRANT ALL ON {db}.* TO '{user}'@'%';\n",
            "GRANT ALL ON `test\\_%`.* TO '{user}'@'%';\n",
        ))
        .tests(tests)
        .ci(workflow)
        .checks(vec!["`SHOW GRANTS;` as the app user.".into()]);
    }
    r.finish(|a, b| format!("\"{a}\" or \"{b}\"? Log in with `mysql -u {user} -p` where Django runs."))
}

const SETTINGS_BEFORE: &str = "DATABASES = {\"default\": {\"USER\": \"{user}\", \"PASSWORD\": \"\"}}\n";

const SETTINGS_ENV: &str = "import os\n\nDATABASES = {\n    \"default\": {\n        \"USER\": os.environ[\"MYSQL_USER\"],\n        \"PASSWORD\": os.environ[\"MYSQL_PASSWORD\"],\n    }\n}\n";

const GRANT: &str = "CREATE USER '{user}'@'%' IDENTIFIED BY 'secret';\nGRANT ALL ON {db}.* TO '{user}'@'%';\n";
