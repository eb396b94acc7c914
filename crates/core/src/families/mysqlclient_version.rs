//! `mysqlclient-version` (DJ018): Django's MySQL backend rejects the MySQLdb module it imported.
//!
//! Recognised by `ImproperlyConfigured` with Django's version check in every release's wording: 1.11
//! `MySQLdb/mysqlclient 1.2.3 or newer is required; you have …`, 2.0–5.2 `mysqlclient 1.3.3 … 1.4.3 or newer is
//! required; you have X.` and 6.0 `mysqlclient 2.2.1 or newer …`. The version the user has tells the causes
//! apart: `0.x` (or `0.7.10.None`) is PyMySQL posing as MySQLdb via `pymysql.install_as_MySQLdb()`; `1.x`/`2.x`
//! below the minimum is a really old mysqlclient.

use super::ci::Step;
use super::kit::{self, Ranking};
use super::mysql_cant_connect::{mysql_ci, mysql_values, py};
use super::{Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "mysqlclient-version",
    code: "DJ018",
    title: "The MySQL driver is too old for this Django (often PyMySQL posing as MySQLdb)",
    summary: "ImproperlyConfigured \"mysqlclient 1.4.3 or newer is required; you have 0.9.3.\" at start-up: \
              Django imported `MySQLdb` and found an old version — usually PyMySQL installed as MySQLdb with \
              `pymysql.install_as_MySQLdb()`, which reports its own 0.x/1.x version, or an outdated mysqlclient.",
    example: "real/mysql/mysqlclient_version_pymysql.txt",
    diagnose,
};

const EXPLANATION: &str = "Django's MySQL backend imports the module `MySQLdb` and refuses to start when its \
version is below the minimum this Django supports. The module need not be mysqlclient: \
`pymysql.install_as_MySQLdb()` registers PyMySQL under that name, and older PyMySQL releases report a version \
(0.x, 1.3.x) that fails the check.";

const REFERENCES: [&str; 1] =
    ["Django documentation: Databases › MySQL DB API drivers — https://docs.djangoproject.com/en/stable/ref/databases/#mysql-db-api-drivers"];

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let Some(hit) = kit::find(cx.tb, &["ImproperlyConfigured"], &["or newer is required; you have"]) else {
        return Vec::new();
    };
    let line = hit.line;
    if !line.contains("mysqlclient") && !line.contains("MySQLdb") {
        return Vec::new();
    }
    let have = kit::between(line, "you have ", "\n").unwrap_or("?").trim_end_matches('.');
    let need = kit::between(line, "mysqlclient ", " or newer").unwrap_or("1.4.3");
    let shim = have.starts_with("0.") || have.contains("None") || kit::has_frame(cx.tb, "pymysql/__init__.py", "");
    let mut v = mysql_values(cx);
    let tuple =
        if need.bytes().all(|b| b.is_ascii_digit() || b == b'.') { need.replace('.', ", ") } else { "1, 4, 3".into() };
    v.set("have", have).set("need", need).set("need_tuple", tuple);
    let workflow = mysql_ci(
        &v,
        "import the MySQL backend",
        &[
            Step { name: "Import the MySQL backend", run: "python -c \"import django.db.backends.mysql.base\"" },
            Step { name: "Check the project", run: "python manage.py check --database default" },
        ],
    );
    let tests = vec![py("MySQLdb is new enough for this Django", "tests/test_driver.py", v.fill(TEST_VERSION))];
    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("Django needs mysqlclient {need} and found `MySQLdb` version {have}."), Some(line));

    let c = r.cause("pymysql-shim", "PyMySQL is installed as MySQLdb and reports an old version", 1.0);
    if have.starts_with("0.") || have.contains("None") {
        c.support(
            4.0,
            format!("Version {have} was never a mysqlclient release: it is PyMySQL's own version number."),
            Some(have),
        );
    }
    if kit::has_frame(cx.tb, "pymysql/__init__.py", "") {
        c.support(2.0, "A frame is in PyMySQL's package.", None);
    }
    c.fix(v.fix("Install mysqlclient and drop the PyMySQL shim (or upgrade PyMySQL to 1.1+).", "mysite/__init__.py", "python", "import pymysql\n\npymysql.install_as_MySQLdb()\n", "# Removed: with `pip install mysqlclient` Django imports the real MySQLdb.\n# (If you must keep PyMySQL: pip install \"PyMySQL>=1.1\", which reports a version Django accepts.)\n"))
        .tests(tests.clone())
        .ci(workflow.clone())
        .checks(vec!["`pip show mysqlclient PyMySQL`: which one is installed?".into(), "`grep -rn install_as_MySQLdb .`: where the shim is installed.".into()]);

    let c = r.cause("old-mysqlclient", "An outdated mysqlclient is installed", 0.5);
    if shim {
        c.weaken(0.1, format!("Version {have} is not a mysqlclient version."));
    } else {
        c.support(2.0, format!("Version {have} looks like a real mysqlclient release, older than {need}."), Some(have));
    }
    c.fix(v.fix("Upgrade mysqlclient.", "requirements.txt", "text", "mysqlclient=={have}\n", "mysqlclient>={need}\n"))
        .tests(tests)
        .ci(workflow)
        .checks(vec![
            "`python -c \"import MySQLdb; print(MySQLdb.__file__, MySQLdb.version_info)\"` in the app's environment."
                .into(),
        ]);
    r.finish(|a, b| format!("The paste cannot decide between \"{a}\" and \"{b}\": `python -c \"import MySQLdb; print(MySQLdb.__file__)\"` shows whether MySQLdb is PyMySQL."))
}

const TEST_VERSION: &str = r#"def test_mysqldb_is_new_enough():
    import MySQLdb

    assert MySQLdb.version_info >= ({need_tuple}), MySQLdb.__file__
"#;
