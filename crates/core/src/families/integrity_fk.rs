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
    summary: "IntegrityError \"FOREIGN KEY constraint failed\" (SQLite), \"violates foreign key constraint\" \
              (PostgreSQL) or \"a foreign key constraint fails\" (MySQL): a row refers by id to a row that does not \
              exist, or a referenced row is deleted. On SQLite and PostgreSQL Django defers the check to commit \
              (or test teardown), so the traceback can point far from the bad write.",
    example: "real/schema/pg_fk_atomic.txt",
    diagnose,
};

const EXPLANATION: &str = "The database refused a change because `{table}`.`{column}` must point at an existing \
row of `{parent}`, and the value {value} does not. Django writes `{column}` from a related object or from an id \
you assign; with an id nothing checks that the row exists until the database does. SQLite and PostgreSQL check \
Django's foreign keys only at commit, so the frame that failed may be the commit, not the write.";

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
    let tests = vec![sc::py(
        "A missing parent is refused (run it on your production engine)",
        "tests/test_foreign_keys.py",
        v.fill(TEST_FK),
    )];
    let mut r = Ranking::new(&FAMILY, v.fill(EXPLANATION), &[sc::REF_INTEGRITY, sc::REF_TRANSACTIONS, REF_ON_DELETE]);
    r.recognised(
        format!("`{table}`.`{column}` refers to a missing row of `{parent}`; it ran from {}.", sc::place_words(place)),
        Some(line),
    );
    let deferred = kit::has_frame(cx.tb, "", "check_constraints")
        || kit::has_frame(cx.tb, "", "_fixture_teardown")
        || kit::has_frame(cx.tb, "django/db/backends/base/base.py", "_commit")
        || kit::has_frame(cx.tb, "django/db/transaction.py", "__exit__");
    let loaddata =
        cx.facts.management_command.as_deref() == Some("loaddata") || kit::has_frame(cx.tb, "", "load_label");

    let c = r.cause("missing-parent", "An id was assigned that no row of the parent table has", 1.5);
    if !h.delete {
        c.support(
            1.0,
            format!(
                "A row was inserted or updated with `{column}` = {} and `{parent}` has no such row.",
                v.get("value")
            ),
            Some(line),
        );
    } else {
        c.weaken(0.2, "The message is about deleting a parent row, not writing a child.");
    }
    if deferred {
        c.support(0.5, "The check ran at commit or test teardown: the write itself happened earlier, in the code that assigned the id.", None);
    }
    c.fix(v.fix("Assign the related object (or check the id exists) instead of a raw id.", "views.py", "python", "Model.objects.create({column}=value)\n", "from django.shortcuts import get_object_or_404\n\nparent = get_object_or_404(Parent, pk=value)\nModel.objects.create({field}=parent)\n"))
        .tests(tests.clone())
        .ci(ci.clone())
        .checks(vec![v.fill("`SELECT id FROM {parent} WHERE id = <value>;` — where did the id come from (form, URL, fixture, another database)?")]);

    let c = r.cause("parent-deleted", "A parent row is deleted while rows still point at it", 0.2);
    if h.delete {
        c.support(
            5.0,
            "The message says a delete or update of the parent row was refused because rows still reference it.",
            Some(line),
        );
    }
    c.fix(v.fix("Decide what happens to the children when the parent goes, with on_delete (not DO_NOTHING or raw SQL).", "models.py", "python", "{field} = models.ForeignKey(Parent, on_delete=models.DO_NOTHING)\n", "{field} = models.ForeignKey(Parent, on_delete=models.CASCADE)  # or PROTECT / SET_NULL\n"))
        .tests(tests.clone())
        .ci(ci.clone())
        .checks(vec!["Is the parent deleted by raw SQL, `QuerySet.delete()` on another database, or a model with `on_delete=DO_NOTHING`?".into()]);

    let c = r.cause("fixture-order", "Test data or fixtures create children before their parents", 0.1);
    if place == Place::Test {
        c.support(2.0, "It failed in a test: the test created a row with an id of a parent it never created.", None);
    }
    if loaddata {
        c.support(3.0, "`loaddata` loaded it: fixtures across several calls must load parents first.", None);
    }
    c.fix(v.fix(
        "Create the parent in the test and pass the object.",
        "tests/test_models.py",
        "python",
        "Model.objects.create({column}=9999)\n",
        "parent = Parent.objects.create()\nModel.objects.create({field}=parent)\n",
    ))
    .tests(tests.clone())
    .ci(ci.clone())
    .checks(vec!["Does the test or fixture create the parent row first, in the same database?".into()]);

    let c =
        r.cause("user-model-switch", "Old rows point at the previous user table after switching AUTH_USER_MODEL", 0.02);
    if table == "django_admin_log" || parent == "auth_user" {
        c.support(4.0, "The constraint ties Django's own tables to the user table: a custom user model introduced after the first migrate.", None);
    }
    c.fix(v.fix(
        "Recreate the development database after switching the user model (or migrate the rows in production).",
        "terminal",
        "shell",
        "AUTH_USER_MODEL = \"accounts.User\"  # set after the first migrate\n",
        "$ rm db.sqlite3   # development only\n$ python manage.py migrate\n",
    ))
    .tests(tests)
    .ci(ci)
    .checks(vec!["Was AUTH_USER_MODEL changed after the database was first migrated?".into()]);

    r.finish(|a, b| format!("The paste cannot decide between \"{a}\" and \"{b}\". Find the row with the value from the message and the code that wrote it (before the commit that failed)."))
}

const REF_ON_DELETE: &str = "Django documentation: ForeignKey.on_delete — https://docs.djangoproject.com/en/stable/ref/models/fields/#django.db.models.ForeignKey.on_delete";

const TEST_FK: &str = r#"import pytest
from django.db import IntegrityError, connection, transaction


@pytest.mark.django_db(transaction=True)
def test_missing_parent_is_refused(django_user_model):
    """Replace with your model: a child with a missing parent id must not be written."""
    from django.contrib.admin.models import LogEntry

    with pytest.raises(IntegrityError), transaction.atomic():
        LogEntry.objects.create(user_id=999999, action_flag=1, object_repr="x")
        connection.check_constraints()
"#;
