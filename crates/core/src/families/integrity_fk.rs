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
    summary: "IntegrityError \"FOREIGN KEY constraint failed\" / \"violates foreign key constraint\" / \"a foreign \
              key constraint fails\": a row refers to a missing row, or a referenced row is deleted.",
    example: "real/schema/pg_fk_atomic.txt",
    diagnose,
};

const EXPLANATION: &str = "`{table}`.`{column}` must point at an existing row of `{parent}`, and the value {value} \
does not. An id assigned by hand is checked only by the database, and SQLite and PostgreSQL check Django's \
foreign keys at commit, so the failing frame may be the commit, not the write.";

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
    let tests = vec![sc::py("A missing parent is refused", "tests/test_foreign_keys.py", v.fill(TEST_FK))];
    let mut r = Ranking::new(&FAMILY, v.fill(EXPLANATION), &[sc::REF_TRANSACTIONS, REF_ON_DELETE]);
    r.recognised(
        format!("`{table}`.`{column}` refers to a missing `{parent}` row, from {}.", sc::place_words(place)),
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
        c.support(1.0, v.fill("A row was written with `{column}` = {value}, which `{parent}` lacks."), Some(line));
    } else {
        c.weaken(0.2, "It is about deleting a parent, not writing a child.");
    }
    if deferred {
        c.support(0.5, "The check ran at commit or teardown: the write happened earlier.", None);
    }
    c.fix(v.fix(
        "Assign the related object (checked to exist), not a raw id.",
        "views.py",
        "python",
        "Model.objects.create({column}=value)\n",
        "parent = get_object_or_404(Parent, pk=value)\nModel.objects.create({field}=parent)\n",
    ))
    .tests(tests.clone())
    .ci(ci.clone())
    .checks(vec![v.fill("`SELECT id FROM {parent} WHERE id = <value>;` — where did the id come from?")]);

    let c = r.cause("parent-deleted", "A parent row is deleted while rows still point at it", 0.2);
    if h.delete {
        c.support(5.0, "Deleting or updating the parent was refused: rows still reference it.", Some(line));
    }
    c.fix(v.fix(
        "Choose on_delete for the children (not DO_NOTHING or raw SQL).",
        "models.py",
        "python",
        "{field} = models.ForeignKey(Parent, on_delete=models.DO_NOTHING)\n",
        "{field} = models.ForeignKey(Parent, on_delete=models.CASCADE)  # or PROTECT\n",
    ))
    .tests(tests.clone())
    .ci(ci.clone())
    .checks(vec!["Is the parent deleted by raw SQL or with `on_delete=DO_NOTHING`?".into()]);

    let c = r.cause("fixture-order", "Test data or fixtures create children before their parents", 0.1);
    if place == Place::Test {
        c.support(2.0, "It failed in a test that used a parent id it never created.", None);
    }
    if loaddata {
        c.support(3.0, "`loaddata` must load parents first.", None);
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
    .checks(vec!["Does the test or fixture create the parent first?".into()]);

    let c =
        r.cause("user-model-switch", "Old rows point at the previous user table after switching AUTH_USER_MODEL", 0.02);
    if table == "django_admin_log" || parent == "auth_user" {
        c.support(
            4.0,
            "It ties Django's tables to the user table: a custom user model came after the first migrate.",
            None,
        );
    }
    c.fix(v.fix(
        "Recreate the development database after switching the user model.",
        "terminal",
        "shell",
        "AUTH_USER_MODEL = \"accounts.User\"  # after the first migrate\n",
        "$ rm db.sqlite3\n$ python manage.py migrate\n",
    ))
    .tests(tests)
    .ci(ci)
    .checks(vec!["Was AUTH_USER_MODEL changed after the first migrate?".into()]);

    r.finish(|a, b| {
        format!("Cannot decide between \"{a}\" and \"{b}\": find the code that wrote the value, before the commit.")
    })
}

const REF_ON_DELETE: &str = "Django docs: ForeignKey.on_delete — https://docs.djangoproject.com/en/stable/ref/models/fields/#django.db.models.ForeignKey.on_delete";

const TEST_FK: &str = r#"import pytest
from django.db import IntegrityError, connection, transaction


@pytest.mark.django_db(transaction=True)
def test_missing_parent_is_refused(django_user_model):
    from django.contrib.admin.models import LogEntry

    with pytest.raises(IntegrityError), transaction.atomic():
        LogEntry.objects.create(user_id=999999, action_flag=1, object_repr="x")
        connection.check_constraints()
"#;
