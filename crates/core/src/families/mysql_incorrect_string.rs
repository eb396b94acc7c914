//! `mysql-incorrect-string` (DJ052): MySQL/MariaDB cannot store the characters in a column's character set.
//!
//! Recognised by an `OperationalError` or `DataError` with `(1366, "Incorrect string value: '\\xF0\\x9F…' for
//! column 'name' at row 1")` (MariaDB names the column `` `db`.`table`.`column` ``). The bytes tell the causes
//! apart: `\xF0` starts a 4-byte UTF-8 character (emoji, rare CJK) that a 3-byte `utf8`/`utf8mb3` column or
//! connection cannot hold; other bytes point at a `latin1` table.

use super::ci::Step;
use super::kit::{self, Ranking};
use super::mysql_cant_connect::{mysql_ci, mysql_values, py};
use super::{Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "mysql-incorrect-string",
    code: "DJ052",
    title: "MySQL cannot store these characters (character set is not utf8mb4)",
    summary: "OperationalError/DataError 1366 \"Incorrect string value: '\\\\xF0\\\\x9F…' for column\": the text \
              holds characters the column's or connection's character set cannot store — an emoji in a \
              3-byte `utf8` (utf8mb3) column, or non-Latin text in a `latin1` table. Use utf8mb4 end to end.",
    example: "real/mysql/mysql_incorrect_string.txt",
    diagnose,
};

const EXPLANATION: &str = "MySQL refused to store a string because the column's character set has no code \
for some of its characters. MySQL's `utf8` is really `utf8mb3` (at most 3 bytes per character), so emoji, \
which take 4 bytes in UTF-8 and start with byte `\\xF0`, do not fit; a `latin1` column (MariaDB's and older \
MySQL's server default) cannot hold most non-Western text. Strict mode turns this into an error instead of \
silently storing `?`.";

const REFERENCES: [&str; 2] = [
    "Django documentation: Databases › MySQL notes › Collation settings — https://docs.djangoproject.com/en/stable/ref/databases/#collation-settings",
    "Django documentation: Databases › MySQL notes › Creating your database — https://docs.djangoproject.com/en/stable/ref/databases/#creating-your-database",
];

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let Some(hit) = kit::find(cx.tb, &["OperationalError", "DataError"], &["Incorrect string value: '"]) else {
        return Vec::new();
    };
    let line = hit.line;
    let bytes = kit::between(line, "Incorrect string value: '", "'").unwrap_or("");
    let four_byte = bytes.trim_start_matches('\\').to_ascii_uppercase().starts_with("XF0");
    let column_part = kit::between(line, "for column ", " at row").unwrap_or("'text'");
    // MariaDB: `db`.`table`.`column`; MySQL: 'column'.
    let parts: Vec<&str> =
        column_part.split('.').map(|p| p.trim_matches(|c| c == '`' || c == '\'')).filter(|p| !p.is_empty()).collect();
    let column = parts.last().copied().unwrap_or("text");
    let table = parts.len().checked_sub(2).and_then(|i| parts.get(i)).copied().unwrap_or("app_model");
    let mut v = mysql_values(cx);
    v.set("column", column).set("table", table);
    if let (3, Some(db)) = (parts.len(), parts.first()) {
        v.set("db", *db);
    }
    let workflow = mysql_ci(
        &v,
        "tests on MySQL with utf8mb4",
        &[
            Step { name: "Create the schema", run: "python manage.py migrate --noinput" },
            Step { name: "Run the tests (emoji round trip)", run: "pytest" },
        ],
    );
    let tests = vec![py("Emoji survive a round trip through MySQL", "tests/test_charset.py", v.fill(TEST_EMOJI))];
    let fix_settings = v.fix("Talk utf8mb4 to the server.", "settings.py", "python", SETTINGS_BEFORE, SETTINGS_AFTER);
    let mut fix_tables = v.fix(
        "Convert the database and tables to utf8mb4 (back up first).",
        "MySQL shell",
        "sql",
        "SHOW CREATE TABLE {table};  -- CHARSET=latin1 or utf8mb3\n",
        CONVERT,
    );
    fix_tables.also = vec![py("And in settings", "settings.py", v.fill(SETTINGS_AFTER))];
    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("MySQL could not store the bytes `{bytes}` in column `{column}` of `{table}`."), Some(line));

    let c = r.cause(
        "not-utf8mb4",
        "The column or connection uses 3-byte utf8 (utf8mb3), which cannot hold 4-byte characters such as emoji",
        1.0,
    );
    if four_byte {
        c.support(3.0, format!("`{bytes}` starts with \\xF0: a 4-byte UTF-8 character (an emoji or rare CJK) that only utf8mb4 stores."), Some(bytes));
    } else {
        c.weaken(0.4, "The bytes do not start a 4-byte character.");
    }
    c.fix(fix_tables.clone()).tests(tests.clone()).ci(workflow.clone()).checks(checks(&v));

    let c = r.cause("latin1-table", "The table was created in latin1 (the server's default character set)", 0.8);
    if !four_byte && !bytes.is_empty() {
        c.support(2.0, format!("`{bytes}` is ordinary multi-byte UTF-8 text, which latin1 cannot hold."), Some(bytes));
    }
    if parts.len() == 3 {
        c.support(0.5, "The `db`.`table`.`column` form is MariaDB's, whose server default character set is latin1 on many installs.", Some(column_part));
    }
    c.fix(fix_tables).tests(tests.clone()).ci(workflow.clone()).checks(checks(&v));

    let c = r.cause("connection-charset", "The connection charset is utf8 (Django's default), not utf8mb4", 0.5);
    c.fix(fix_settings).tests(tests).ci(workflow).checks(checks(&v));
    r.finish(|a, b| format!("The paste cannot decide between \"{a}\" and \"{b}\": `SHOW CREATE TABLE {table};` shows the table's CHARSET; `SHOW VARIABLES LIKE 'character_set_%';` the connection's."))
}

fn checks(v: &super::kit::Values) -> Vec<String> {
    vec![
        v.fill("`SHOW CREATE TABLE {table};` — the column's CHARSET must be utf8mb4."),
        "`SELECT @@character_set_database, @@character_set_server;` — new tables inherit these.".into(),
    ]
}

const SETTINGS_BEFORE: &str =
    "DATABASES = {\n    \"default\": {\n        \"ENGINE\": \"{engine}\",\n        \"NAME\": \"{db}\",\n    }\n}\n";

const SETTINGS_AFTER: &str = "DATABASES = {\n    \"default\": {\n        \"ENGINE\": \"{engine}\",\n        \"NAME\": \"{db}\",\n        \"OPTIONS\": {\"charset\": \"utf8mb4\"},\n        \"TEST\": {\"CHARSET\": \"utf8mb4\", \"COLLATION\": \"utf8mb4_unicode_ci\"},\n    }\n}\n";

const CONVERT: &str = "ALTER DATABASE {db} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;\nALTER TABLE {table} CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;\n";

const TEST_EMOJI: &str = r#"import pytest
from django.db import connection


@pytest.mark.django_db
def test_emoji_round_trip():
    with connection.cursor() as cursor:
        cursor.execute("SELECT CHARACTER_SET_NAME FROM information_schema.COLUMNS "
                       "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = %s AND COLUMN_NAME = %s",
                       ["{table}", "{column}"])
        (charset,) = cursor.fetchone()
        assert charset == "utf8mb4"
        cursor.execute("SELECT %s", ["party \U0001F389"])
        assert cursor.fetchone()[0] == "party \U0001F389"
"#;
