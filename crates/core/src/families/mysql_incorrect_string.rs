//! `mysql-incorrect-string` (DJ052): MySQL/MariaDB cannot store the characters in a column's character set.
//!
//! Recognised by an `OperationalError` or `DataError` with `(1366, "Incorrect string value: '\\xF0\\x9F…' for
//! column 'name' at row 1")` (MariaDB names the column `` `db`.`table`.`column` ``). The bytes tell the causes
//! apart: `\xF0` starts a 4-byte UTF-8 character (emoji, rare CJK) that a 3-byte `utf8`/`utf8mb3` column or
//! connection cannot hold; other bytes point at a `latin1` table.

use super::ci::Step;
use super::kit::{self, Ranking};
use super::mysql_cant_connect::{mysql_ci, mysql_values};
use super::{Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "mysql-incorrect-string",
    code: "DJ052",
    title: "MySQL cannot store these characters (character set is not utf8mb4)",
    summary: "1366 \"Incorrect string value\": emoji in 3-byte `utf8`, or text `latin1` cannot hold. Use utf8mb4.",
    example: "real/mysql/mysql_incorrect_string.txt",
    diagnose,
};

const EXPLANATION: &str =
    "MySQL's `utf8` is 3-byte: 4-byte characters (emoji, `\\xF0`) do not fit; `latin1` even less.";

const REFERENCES: [&str; 1] =
    ["Django docs: MySQL collation — https://docs.djangoproject.com/en/stable/ref/databases/#collation-settings"];

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
        "MySQL utf8mb4",
        &[Step { name: "Migrate", run: "python manage.py migrate --noinput" }, Step { name: "Tests", run: "pytest" }],
    );
    let tests = vec![v.snippet("Emoji survive", "tests/test_charset.py", "python", TEST_EMOJI)];
    let mut fix_tables = v.fix(
        "Convert to utf8mb4 (back up first).",
        "MySQL shell",
        "sql",
        "ALTER TABLE {table} CHARACTER SET utf8;\n",
        CONVERT,
    );
    fix_tables.also = vec![v.snippet("And in settings", "settings.py", "python", SETTINGS_AFTER)];
    let mut checks = vec![v.fill("`SHOW CREATE TABLE {table};`: utf8mb4?")];
    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("`{bytes}` does not fit `{table}`.`{column}`."), Some(line));

    let c = r.cause("not-utf8mb4", "3-byte utf8 holds no emoji", 1.0);
    if four_byte {
        c.support(3.0, "\\xF0: a 4-byte character.", Some(bytes));
    } else {
        c.weaken(0.4, "Not a 4-byte character.");
    }
    c.fix(fix_tables.clone()).tests(tests.clone()).ci(workflow.clone()).checks(checks.clone());

    let c = r.cause("latin1-table", "The table is latin1", 0.8);
    if !four_byte && !bytes.is_empty() {
        c.support(2.0, "Multi-byte UTF-8.", Some(bytes));
    }
    if parts.len() == 3 {
        c.support(0.5, "MariaDB form; often latin1.", Some(column_part));
    }
    c.fix(fix_tables).tests(tests.clone()).ci(workflow.clone()).checks(checks.clone());

    let c = r.cause("connection-charset", "Connection charset not utf8mb4", 0.5);
    c.fix(v.fix("Connect with utf8mb4.", "settings.py", "python", SETTINGS_BEFORE, SETTINGS_AFTER))
        .tests(tests)
        .ci(workflow)
        .checks(checks.clone());
    let hint = checks.swap_remove(0);
    super::orm_common::finish(r, &hint)
}

const SETTINGS_BEFORE: &str = "DATABASES[\"default\"][\"OPTIONS\"] = {}\n";

const SETTINGS_AFTER: &str = "DATABASES[\"default\"][\"OPTIONS\"] = {\"charset\": \"utf8mb4\"}\n";

const CONVERT: &str =
    "ALTER DATABASE {db} CHARACTER SET utf8mb4;\nALTER TABLE {table} CONVERT TO CHARACTER SET utf8mb4;\n";

const TEST_EMOJI: &str = r#"import pytest
from django.db import connection


@pytest.mark.django_db
def test_emoji_round_trip():
    with connection.cursor() as cursor:
        cursor.execute("SHOW FULL COLUMNS FROM {table} LIKE '{column}'")
        assert cursor.fetchone()[2].startswith("utf8mb4")
        cursor.execute("SELECT %s", ["\U0001F389"])
        assert cursor.fetchone()[0] == "\U0001F389"
"#;
