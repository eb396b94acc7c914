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
    summary: "\"mysqlclient X or newer is required\": PyMySQL posing as `MySQLdb`, or an old mysqlclient.",
    example: "real/mysql/mysqlclient_version_pymysql.txt",
    diagnose,
};

const EXPLANATION: &str = "Django refuses an old `MySQLdb`; `install_as_MySQLdb()` makes PyMySQL pose as it.";

const REFERENCES: [&str; 1] =
    ["Django docs: MySQL drivers — https://docs.djangoproject.com/en/stable/ref/databases/#mysql-db-api-drivers"];

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
        "MySQL backend",
        &[Step { name: "Import", run: "python -c \"import django.db.backends.mysql.base\"" }],
    );
    let tests = vec![py("MySQLdb version", "tests/test_driver.py", v.fill(TEST_VERSION))];
    let which = "`pip show mysqlclient`";
    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("Needs {need}; has {have}."), Some(line));

    let c = r.cause("pymysql-shim", "PyMySQL posing as MySQLdb", 1.0);
    if pymysql_version {
        c.support(4.0, format!("{have}: PyMySQL's version."), Some(have));
    }
    if pymysql_frame {
        c.support(2.0, "A PyMySQL frame.", None);
    }
    c.fix(v.fix(
        "Use mysqlclient; drop the shim.",
        "mysite/__init__.py",
        "python",
        "pymysql.install_as_MySQLdb()\n",
        "",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec!["`grep -rn install_as_MySQLdb`".into()]);

    let c = r.cause("old-mysqlclient", "Old mysqlclient", 0.5);
    if pymysql_version || pymysql_frame {
        c.weaken(0.1, format!("{have}: not mysqlclient."));
    } else {
        c.support(2.0, format!("{have} < {need}."), Some(have));
    }
    c.fix(v.fix("Upgrade.", "requirements.txt", "text", "mysqlclient=={have}\n", "mysqlclient>={need}\n"))
        .tests(tests)
        .ci(workflow)
        .checks(vec![which.into()]);
    super::orm_common::finish(r, which)
}

const TEST_VERSION: &str = r#"import MySQLdb


def test_mysqldb_version():
    assert MySQLdb.version_info >= ({need_tuple})
"#;
