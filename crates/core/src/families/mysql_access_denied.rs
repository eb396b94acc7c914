//! `mysql-access-denied` (DJ017): the MySQL/MariaDB server is up but refuses the user.
//!
//! Recognised by an `OperationalError` with `(1045, "Access denied for user 'u'@'h' (using password: YES|NO)")`,
//! `(1698, "Access denied for user 'root'@'localhost'")` (auth_socket / unix_socket accounts) or `(1044,
//! "Access denied for user 'u'@'%' to database 'test_x'")`, from mysqlclient or PyMySQL. Causes are ranked by
//! the error number, `using password: NO`, the host part of the account, the user name and the database.

use super::ci::Step;
use super::kit::{self, Ranking};
use super::mysql_cant_connect::{mysql_ci, mysql_values, py, TEST_SMOKE};
use super::{Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "mysql-access-denied",
    code: "DJ017",
    title: "MySQL/MariaDB denied access to the user",
    summary: "OperationalError 1045/1698/1044 \"Access denied for user 'u'@'host'\": the server is up, but rejects \
              the user, password, client host or database in the settings — a wrong or missing password, an \
              account that exists only for 'localhost', root using socket authentication, or a test database \
              the user may not create.",
    example: "real/mysql/mysql_access_denied.txt",
    diagnose,
};

const EXPLANATION: &str = "The MySQL server answered, so the network and HOST are fine, but it refused the login. \
MySQL accounts are a user *and* a client host (`'user'@'localhost'` and `'user'@'%'` are different accounts), \
and the message names the account the server matched and whether a password was sent at all.";

const REFERENCES: [&str; 2] = [
    "Django documentation: Databases › MySQL notes — https://docs.djangoproject.com/en/stable/ref/databases/#mysql-notes",
    "Django documentation: Settings › DATABASES (USER, PASSWORD, TEST) — https://docs.djangoproject.com/en/stable/ref/settings/#user",
];

fn is_local(host: &str) -> bool {
    matches!(host, "localhost" | "127.0.0.1" | "::1")
}

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
    let workflow = mysql_ci(
        &v,
        "MySQL service with the app's user",
        &[
            Step { name: "Check the database settings", run: "python manage.py check --database default" },
            Step { name: "Run the tests", run: "pytest" },
        ],
    );
    let tests = vec![
        py("USER and PASSWORD are set", "tests/test_settings.py", TEST_CREDENTIALS.into()),
        py("MySQL accepts the login (pytest-django)", "tests/test_database.py", TEST_SMOKE.into()),
    ];
    let grant = v.fix(
        "Create the app's account for the host it connects from and grant it the database.",
        "MySQL shell (as an admin)",
        "sql",
        "-- the account exists only for another host, or not at all\n",
        GRANT,
    );
    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("The server refused the account `'{user}'@'{client}'`."), Some(line));

    let c = r.cause("wrong-password", "The password in the settings is wrong for this account", 1.0);
    if line.contains("using password: YES") {
        c.support(2.0, "A password was sent and rejected.", Some("using password: YES"));
    }
    if no_password || socket_auth {
        c.weaken(0.2, "No password was checked here.");
    }
    c.fix(v.fix(
        "Use the account's real password, from the environment.",
        "settings.py",
        "python",
        SETTINGS_BEFORE,
        SETTINGS_ENV,
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec![v.fill("`mysql -h {host} -P {port} -u {user} -p` with the same password Django uses.")]);

    let c = r.cause("no-password", "No password reached the driver (empty PASSWORD or an unloaded .env)", 0.3);
    if no_password {
        c.support(
            4.0,
            "`using password: NO`: PASSWORD was empty — typically an environment variable that is not set.",
            Some("using password: NO"),
        );
    } else {
        c.weaken(0.1, "A password was sent.");
    }
    c.fix(v.fix("Fail early when the password is missing.", "settings.py", "python", SETTINGS_BEFORE, SETTINGS_ENV))
        .tests(tests.clone())
        .ci(workflow.clone())
        .checks(vec!["`env | grep -i mysql` in the process that runs Django: is the password variable set?".into()]);

    let c = r.cause(
        "host-mismatch",
        "The account exists only for another client host (e.g. 'localhost', not the container's IP)",
        0.3,
    );
    if !is_local(client) {
        c.support(
            3.0,
            format!("The server saw the client as `{client}`: an account `'{user}'@'localhost'` does not match it."),
            Some(client),
        );
    }
    if !cx.facts.docker.is_empty() {
        c.support(1.0, "The app runs in a container, so it connects from the container network, not localhost.", None);
    }
    c.fix(grant.clone()).tests(tests.clone()).ci(workflow.clone()).checks(vec![v.fill(
        "`SELECT user, host, plugin FROM mysql.user WHERE user = '{user}';` — is there a row for `{client}` or `%`?",
    )]);

    let c = r.cause(
        "socket-auth-root",
        "`root` logs in with socket authentication (auth_socket/unix_socket), not a password",
        0.1,
    );
    if socket_auth {
        c.support(5.0, "Error 1698 is the refusal of a socket-authenticated account.", Some("1698"));
    }
    if user == "root" {
        c.support(1.5, "The app connects as `root`, which Debian and Ubuntu set up for socket login only.", None);
    }
    c.fix(grant.clone()).tests(tests.clone()).ci(workflow.clone()).checks(vec!["`SELECT user, host, plugin FROM mysql.user WHERE user = 'root';` — `unix_socket`/`auth_socket` means no password login.".into()]);

    if let Some(db) = database {
        let c = r.cause("test-database-rights", "The user may not create or use the test database", 0.2);
        if db.starts_with("test_") {
            c.support(4.0, format!("The database `{db}` is the test database the test runner creates."), Some(line));
        }
        c.fix(v.fix(
            "Let the app user create test databases.",
            "MySQL shell (as an admin)",
            "sql",
            "GRANT ALL ON {db}.* TO '{user}'@'%';\n",
            "GRANT ALL PRIVILEGES ON `test\\_%`.* TO '{user}'@'%';\n",
        ))
        .tests(tests)
        .ci(workflow)
        .checks(vec!["`SHOW GRANTS FOR CURRENT_USER;` as the app user.".into()]);
    }
    r.finish(|a, b| format!("The paste cannot decide between \"{a}\" and \"{b}\": try `mysql -h <HOST> -u {user} -p` with the settings' password from where Django runs, then check `SELECT user, host, plugin FROM mysql.user`."))
}

const SETTINGS_BEFORE: &str = "DATABASES = {\n    \"default\": {\n        \"ENGINE\": \"{engine}\",\n        \"NAME\": \"{db}\",\n        \"USER\": \"{user}\",\n        \"PASSWORD\": \"\",\n        \"HOST\": \"{host}\",\n    }\n}\n";

const SETTINGS_ENV: &str = "import os\n\nDATABASES = {\n    \"default\": {\n        \"ENGINE\": \"{engine}\",\n        \"NAME\": \"{db}\",\n        \"USER\": os.environ[\"MYSQL_USER\"],\n        # KeyError at start-up beats \"using password: NO\" at the first query.\n        \"PASSWORD\": os.environ[\"MYSQL_PASSWORD\"],\n        \"HOST\": os.environ.get(\"MYSQL_HOST\", \"{host}\"),\n    }\n}\n";

const GRANT: &str = "CREATE USER '{user}'@'%' IDENTIFIED BY 'a-strong-password';\nGRANT ALL PRIVILEGES ON {db}.* TO '{user}'@'%';\n-- and set USER/PASSWORD in settings to this account, not root\n";

const TEST_CREDENTIALS: &str = r#"from django.conf import settings


def test_mysql_credentials_are_set():
    database = settings.DATABASES["default"]
    assert database["USER"], "USER is empty"
    assert database["PASSWORD"], "PASSWORD is empty: the server sees 'using password: NO'"
"#;
