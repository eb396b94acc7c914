//! `mysqlclient-version` (DJ018): Django's MySQL backend rejects the MySQLdb module it imported.
//!
//! Recognised by `ImproperlyConfigured` `… or newer is required; you have …` naming mysqlclient or MySQLdb
//! (Django 1.11–6.0 wordings). The version tells the causes apart: `0.x` (or `0.7.10.None`) is PyMySQL posing
//! as MySQLdb; an older `1.x`/`2.x` is an outdated mysqlclient.

use super::ci::Step;
use super::kit::{self, Ranking};
use super::mysql_cant_connect::{mysql_ci, mysql_values, py};
use super::{Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "mysqlclient-version",
    code: "DJ018",
    title: "The MySQL driver is too old for this Django (often PyMySQL posing as MySQLdb)",
    summary: "ImproperlyConfigured \"mysqlclient X or newer is required\": an old `MySQLdb` — usually PyMySQL via `install_as_MySQLdb()`, or an outdated mysqlclient.",
    example: "real/mysql/mysqlclient_version_pymysql.txt",
    diagnose,
};

const EXPLANATION: &str = "Django imports `MySQLdb` and refuses versions below its minimum. \
`pymysql.install_as_MySQLdb()` registers PyMySQL under that name, and older PyMySQL reports a failing version.";

const REFERENCES: [&str; 1] = [
    "Django docs: MySQL DB API drivers — https://docs.djangoproject.com/en/stable/ref/databases/#mysql-db-api-drivers",
];

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
    let pymysql_version = have.starts_with("0.") || have.contains("None");
    let pymysql_frame = kit::has_frame(cx.tb, "pymysql/__init__.py", "");
    let mut v = mysql_values(cx);
    let tuple =
        if need.bytes().all(|b| b.is_ascii_digit() || b == b'.') { need.replace('.', ", ") } else { "1, 4, 3".into() };
    v.set("have", have).set("need", need).set("need_tuple", tuple);
    let workflow = mysql_ci(
        &v,
        "import the MySQL backend",
        &[Step { name: "Import the backend", run: "python -c \"import django.db.backends.mysql.base\"" }],
    );
    let tests = vec![py("MySQLdb is new enough", "tests/test_driver.py", v.fill(TEST_VERSION))];
    let which = "`python -c \"import MySQLdb; print(MySQLdb.__file__)\"`";
    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("Needs mysqlclient {need}; `MySQLdb` is {have}."), Some(line));

    let c = r.cause("pymysql-shim", "PyMySQL is installed as MySQLdb and reports an old version", 1.0);
    if pymysql_version {
        c.support(4.0, format!("{have} is PyMySQL's version, not mysqlclient's."), Some(have));
    }
    if pymysql_frame {
        c.support(2.0, "A PyMySQL frame.", None);
    }
    c.fix(v.fix(
        "Install mysqlclient and drop the shim (or PyMySQL>=1.1).",
        "mysite/__init__.py",
        "python",
        "import pymysql\n\npymysql.install_as_MySQLdb()\n",
        "# removed: pip install mysqlclient\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec!["`grep -rn install_as_MySQLdb .`".into()]);

    let c = r.cause("old-mysqlclient", "An outdated mysqlclient is installed", 0.5);
    if pymysql_version || pymysql_frame {
        c.weaken(0.1, format!("{have} is not a mysqlclient version."));
    } else {
        c.support(2.0, format!("{have}: a real mysqlclient older than {need}."), Some(have));
    }
    c.fix(v.fix("Upgrade mysqlclient.", "requirements.txt", "text", "mysqlclient=={have}\n", "mysqlclient>={need}\n"))
        .tests(tests)
        .ci(workflow)
        .checks(vec![which.into()]);
    r.finish(|a, b| format!("\"{a}\" or \"{b}\"? {which} tells if MySQLdb is PyMySQL."))
}

const TEST_VERSION: &str = r#"import MySQLdb


def test_mysqldb_is_new_enough():
    assert MySQLdb.version_info >= ({need_tuple})
"#;
