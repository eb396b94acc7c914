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
    summary: "1045/1698/1044 \"Access denied\": bad or no password, wrong host, socket-only root, or test-db rights.",
    example: "real/mysql/mysql_access_denied.txt",
    diagnose,
};

const EXPLANATION: &str = "The server refused the login. An account is user *and* client host \
(`'u'@'localhost'` ≠ `'u'@'%'`).";

const REFERENCES: [&str; 1] =
    ["Django docs: MySQL — https://docs.djangoproject.com/en/stable/ref/databases/#mysql-notes"];

const ACCOUNTS: &str = "`SELECT host, plugin FROM mysql.user;`";

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
    let tests = vec![py("MySQL login", "tests/test_database.py", TEST_SMOKE.into())];
    let settings = v.fix("Read PASSWORD from the environment.", "settings.py", "python", SETTINGS_BEFORE, SETTINGS_ENV);
    let grant = v.fix("Create the account for any host.", "MySQL shell", "sql", "", GRANT);
    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("`'{user}'@'{client}'` refused."), Some(line));

    let c = r.cause("wrong-password", "Wrong password", 1.0);
    if line.contains("using password: YES") {
        c.support(2.0, "Password rejected.", Some("using password: YES"));
    }
    if no_password || socket_auth {
        c.weaken(0.2, "No password checked.");
    }
    c.fix(settings.clone())
        .tests(tests.clone())
        .ci(workflow.clone())
        .checks(vec![v.fill("`mysql -h {host} -u {user} -p`")]);

    let c = r.cause("no-password", "No password sent", 0.3);
    if no_password {
        c.support(4.0, "PASSWORD empty.", Some("using password: NO"));
    } else {
        c.weaken(0.1, "Password sent.");
    }
    c.fix(settings).tests(tests.clone()).ci(workflow.clone()).checks(vec!["`env | grep -i mysql`".into()]);

    let c = r.cause("host-mismatch", "Account is for another host", 0.3);
    if !matches!(client, "localhost" | "127.0.0.1" | "::1") {
        c.support(3.0, format!("Client is `{client}`."), Some(client));
    }
    if !cx.facts.docker.is_empty() {
        c.support(1.0, "From a container.", None);
    }
    c.fix(grant.clone()).tests(tests.clone()).ci(workflow.clone()).checks(vec![v.fill(ACCOUNTS)]);

    let c = r.cause("socket-auth-root", "`root` uses socket auth", 0.1);
    if socket_auth {
        c.support(5.0, "1698: socket auth.", Some("1698"));
    }
    if user == "root" {
        c.support(1.5, "`root`.", None);
    }
    c.fix(grant).tests(tests.clone()).ci(workflow.clone()).checks(vec![v.fill(ACCOUNTS)]);

    if let Some(db) = database {
        let c = r.cause("test-database-rights", "No test-database rights", 0.2);
        if db.starts_with("test_") {
            c.support(4.0, format!("`{db}` is a test db."), Some(line));
        }
        c.fix(v.fix("Grant test databases.", "MySQL shell", "sql", "", "GRANT ALL ON `test\\_%`.* TO '{user}'@'%';\n"))
            .tests(tests)
            .ci(workflow)
            .checks(vec!["`SHOW GRANTS;`".into()]);
    }
    super::orm_common::finish(r, "try `mysql -p` there.")
}

const SETTINGS_BEFORE: &str = "DATABASES = {\"default\": {\"USER\": \"{user}\", \"PASSWORD\": \"\"}}\n";

const SETTINGS_ENV: &str =
    "DATABASES = {\"default\": {\"USER\": \"{user}\", \"PASSWORD\": os.environ[\"DB_PASSWORD\"]}}\n";

const GRANT: &str = "CREATE USER '{user}'@'%' IDENTIFIED BY 'secret';\nGRANT ALL ON {db}.* TO '{user}'@'%';\n";
