//! `integrity-fk` (DJ043): a foreign key points at a row that does not exist.
//!
//! Recognised by `IntegrityError` in every wording: SQLite `FOREIGN KEY constraint failed` (at commit, since
//! Django creates SQLite and PostgreSQL foreign keys DEFERRABLE INITIALLY DEFERRED) and Django's own check at
//! test teardown `The row in table 't' … has an invalid foreign key: t.c contains a value 'v' …`; PostgreSQL
//! `insert or update on table "t" violates foreign key constraint` (+ `DETAIL:  Key (c)=(v) is not present in
//! table "p".`) and `update or delete on table …`; MySQL/MariaDB `(1452, 'Cannot add or update a child row`
//! and `(1451, 'Cannot delete or update a parent row`; Oracle `ORA-02291`/`ORA-02292`. Causes: a raw id of a
//! missing row, a parent deleted under its children, fixtures in the wrong order, admin log rows after a user
//! model switch; the deferred check explains a failure at commit or teardown.

use super::kit::{self, Ranking, Values};
use super::schema_common::{self as sc, Place};
use super::{Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "integrity-fk",
    code: "DJ043",
    title: "A foreign key points at a missing row",
    summary: "IntegrityError \"FOREIGN KEY constraint failed\" / \"violates foreign key constraint\": a row \
              refers to a missing row.",
    example: "real/schema/pg_fk_atomic.txt",
    diagnose,
};

const EXPLANATION: &str = "`{table}`.`{column}` = {value} has no `{parent}` row; the check may run only at commit.";

#[derive(Default)]
struct Hit {
    table: String,
    column: String,
    parent: String,
    value: String,
    delete: bool,
}

fn recognise(message: &str) -> Option<(Hit, &str)> {
    let line = message.lines().map(str::trim).find(|l| {
        [
            "FOREIGN KEY constraint failed",
            "has an invalid foreign key",
            "violates foreign key constraint",
            "(1452, ",
            "(1451, ",
            "ORA-02291",
            "ORA-02292",
        ]
        .iter()
        .any(|p| l.contains(p))
    })?;
    let mut h = Hit::default();
    if line.contains("has an invalid foreign key") {
        h.table = sc::quoted(line, "in table '", "'").unwrap_or_default();
        let (_, c) = sc::split_column(kit::between(line, "foreign key: ", " contains").unwrap_or(""));
        h.column = c;
        h.value = sc::quoted(line, "a value '", "'").unwrap_or_default();
        h.parent = kit::between(line, "value in ", ".").map(sc::ident).unwrap_or_default();
    } else if line.contains("violates foreign key") {
        h.delete = line.starts_with("update or delete");
        let (t, other) =
            (sc::quoted(line, "on table \"", "\""), kit::between(line, "\" on table \"", "\"").map(sc::ident));
        h.column = sc::quoted(message, "Key (", ")=").unwrap_or_default();
        h.value = sc::quoted(message, ")=(", ")").unwrap_or_default();
        if h.delete {
            h.parent = t.unwrap_or_default();
            h.table = other.unwrap_or_default();
        } else {
            h.table = t.unwrap_or_default();
            h.parent = sc::quoted(message, "present in table \"", "\"").unwrap_or_default();
        }
    } else if line.contains("(1452, ") || line.contains("(1451, ") {
        h.delete = line.contains("(1451, ");
        h.table = kit::between(line, "`.`", "`").map(sc::ident).unwrap_or_default();
        h.column = kit::between(line, "FOREIGN KEY (`", "`").map(sc::ident).unwrap_or_default();
        h.parent = kit::between(line, "REFERENCES `", "`").map(sc::ident).unwrap_or_default();
    } else {
        h.delete = line.contains("ORA-02292");
    }
    Some((h, line))
}

fn or(s: String, default: &str) -> String {
    if s.is_empty() {
        default.to_string()
    } else {
        s
    }
}

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let found =
        kit::find(cx.tb, &["IntegrityError"], &["FOREIGN KEY", "foreign key", "(1452, ", "(1451, ", "ORA-0229"])
            .filter(|h| sc::is_final(cx, h.index))
            .and_then(|h| recognise(&h.exception.message));
    let Some((h, line)) = found else { return Vec::new() };
    let place = sc::place(cx);
    let table = or(h.table, "app_child");
    let column = or(h.column, "parent_id");
    let parent = or(h.parent, "app_parent");
    let value = if h.value.is_empty() { "it holds".to_string() } else { format!("`{}`", h.value) };
    let field = sc::pyname(column.strip_suffix("_id").unwrap_or(&column));
    let mut v = Values::new(cx);
    v.set("table", table.as_str())
        .set("column", column.as_str())
        .set("parent", parent.as_str())
        .set("value", value)
        .set("field", field);
    let ci = sc::migrations_ci(&v);
    let tests = vec![sc::py("Missing parents are refused", "tests/test_foreign_keys.py", v.fill(TEST_FK))];
    let mut r = Ranking::new(&FAMILY, v.fill(EXPLANATION), &[sc::REF_TRANSACTIONS]);
    r.recognised(format!("A missing `{parent}` row, from {}.", sc::place_words(place)), Some(line));
    let deferred = kit::has_frame(cx.tb, "", "check_constraints")
        || kit::has_frame(cx.tb, "", "_fixture_teardown")
        || kit::has_frame(cx.tb, "django/db/backends/base/base.py", "_commit")
        || kit::has_frame(cx.tb, "django/db/transaction.py", "__exit__");
    let loaddata =
        cx.facts.management_command.as_deref() == Some("loaddata") || kit::has_frame(cx.tb, "", "load_label");

    let c = r.cause("missing-parent", "An id with no parent row", 1.5);
    if !h.delete {
        c.support(1.0, v.fill("`{column}` = {value} is not in `{parent}`."), Some(line));
    } else {
        c.weaken(0.2, "A parent delete, not a child write.");
    }
    if deferred {
        c.support(0.5, "Checked at commit: the write came earlier.", None);
    }
    c.fix(v.fix(
        "Assign an existing object, not a raw id.",
        "views.py",
        "python",
        "Model.objects.create({column}=value)\n",
        "parent = get_object_or_404(Parent, pk=value)\nModel.objects.create({field}=parent)\n",
    ))
    .tests(tests.clone())
    .ci(ci.clone())
    .checks(vec![v.fill("`SELECT id FROM {parent} WHERE id = <value>;`")]);

    let c = r.cause("parent-deleted", "A referenced parent is deleted", 0.2);
    if h.delete {
        c.support(5.0, "Rows still reference the deleted parent.", Some(line));
    }
    c.fix(v.fix(
        "Choose on_delete (not DO_NOTHING).",
        "models.py",
        "python",
        "{field} = models.ForeignKey(Parent, on_delete=models.DO_NOTHING)\n",
        "{field} = models.ForeignKey(Parent, on_delete=models.CASCADE)  # or PROTECT\n",
    ))
    .tests(tests.clone())
    .ci(ci.clone())
    .checks(vec!["Raw SQL delete or DO_NOTHING?".into()]);

    let c = r.cause("fixture-order", "Fixtures create children first", 0.1);
    if place == Place::Test {
        c.support(2.0, "A test used a parent it never created.", None);
    }
    if loaddata {
        c.support(3.0, "`loaddata` order.", None);
    }
    c.fix(v.fix(
        "Create the parent first.",
        "tests/test_models.py",
        "python",
        "Model.objects.create({column}=9999)\n",
        "parent = Parent.objects.create()\nModel.objects.create({field}=parent)\n",
    ))
    .tests(tests.clone())
    .ci(ci.clone())
    .checks(vec!["Is the parent created first?".into()]);

    let c = r.cause("user-model-switch", "AUTH_USER_MODEL switched after migrate", 0.02);
    if table == "django_admin_log" || parent == "auth_user" {
        c.support(4.0, "Django's tables point at the old user table.", None);
    }
    c.fix(v.fix(
        "Recreate the dev database.",
        "terminal",
        "shell",
        "AUTH_USER_MODEL = \"accounts.User\"  # after the first migrate\n",
        "$ rm db.sqlite3\n$ python manage.py migrate\n",
    ))
    .tests(tests)
    .ci(ci)
    .checks(vec!["AUTH_USER_MODEL changed after migrate?".into()]);

    super::orm_common::finish(r, "find the code that wrote the value.")
}

const TEST_FK: &str = r#"import pytest
from django.db import IntegrityError, connection, transaction


@pytest.mark.django_db(transaction=True)
def test_missing_parent(django_user_model):
    from django.contrib.admin.models import LogEntry

    with pytest.raises(IntegrityError), transaction.atomic():
        LogEntry.objects.create(user_id=999999, action_flag=1, object_repr="x")
        connection.check_constraints()
"#;
