//! `multiple-objects-returned` (DJ044): `Model.objects.get()` matched more than one row.
//!
//! Recognised by `<module>.<Model>.MultipleObjectsReturned` (`<module>.MultipleObjectsReturned` on 1.11, bare on
//! the debug page) with `get() returned more than one <Model> -- it returned <N>!` (3.0+ caps the count:
//! `it returned more than 20!`). Causes: duplicates on a field that is not unique, a lookup across a to-many
//! relation that repeats the row, `get_or_create` racing without a unique constraint. Evidence: `__` in the
//! user's `get(...)`, a `get_or_create` frame, the count.

use super::ci::{self, Step};
use super::kit::{self, Ranking, Values};
use super::orm_common as orm;
use super::{Context, Family};
use crate::model::{Diagnosis, Fix, Frame};

pub const FAMILY: Family = Family {
    id: "multiple-objects-returned",
    code: "DJ044",
    title: "get() matched more than one row (MultipleObjectsReturned)",
    summary: "\"get() returned more than one\": duplicates in a non-unique field, or a to-many lookup.",
    example: "real/orm/multiple_objects_returned.txt",
    diagnose,
};

const EXPLANATION: &str = "`get()` must match one row: duplicates, or a to-many filter repeats it.";

const REFERENCES: [&str; 1] =
    ["Django docs: QuerySet.get() — https://docs.djangoproject.com/en/stable/ref/models/querysets/#get"];

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let Some(hit) = kit::find(cx.tb, &["MultipleObjectsReturned"], &["returned more than one "]) else {
        return Vec::new();
    };
    let model = orm::ident(kit::between(hit.line, "more than one ", " ").unwrap_or(""), "Item");
    let count = kit::between(hit.line, "it returned ", "!").unwrap_or("several");
    let frame = orm::user_frame(cx);
    let code = frame.and_then(|f| f.code.as_deref()).unwrap_or("");
    let args = kit::between(code, ".get(", ")").unwrap_or("");
    let field = args.split('=').next().map(str::trim).filter(|f| !f.is_empty() && !f.contains(' ')).unwrap_or("name");
    let race = kit::has_frame(cx.tb, "django/db/models/query.py", "get_or_create")
        || kit::has_frame(cx.tb, "django/db/models/query.py", "update_or_create");

    let mut v = orm::values(cx);
    v.set("model", model.clone()).set("field", orm::ident(field.split("__").next().unwrap_or(field), "name"));
    v.set("lookup", field)
        .set("module", orm::app_of(&hit.exception.type_name).map_or("myapp".into(), |a| format!("{a}.models")));
    let workflow = ci::workflow(
        &v,
        "migrations",
        &[
            Step { name: "Made", run: "python manage.py makemigrations --check --dry-run" },
            Step { name: "Migrate", run: "python manage.py migrate --noinput" },
            Step { name: "Tests", run: "pytest" },
        ],
    );
    let tests = vec![orm::python("Duplicates refused", "tests/test_models.py", v.fill(TEST_DUPLICATES))];

    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("{count} {model} rows."), Some(hit.line));

    let c = r.cause("duplicates-on-non-unique-field", v.fill("Duplicate {model}.{field}"), 1.0);
    if !args.is_empty() && !args.contains("__") {
        c.support(1.0, format!("`get({args})`: a plain field."), Some(code));
    }
    c.fix(fix_unique(&v)).tests(tests.clone()).ci(workflow.clone());
    c.checks(vec![v.fill("`{model}.objects.values(\"{field}\").annotate(n=Count(\"pk\")).filter(n__gt=1)`.")]);

    let c = r.cause("join-repeats-rows", "A join repeats the row", 0.3);
    if args.contains("__") {
        c.support(2.5, format!("`get({args})` crosses a relation."), Some(code));
    } else {
        c.weaken(0.3, "No `__` lookup.");
    }
    c.fix(fix_distinct(&v, frame, args)).tests(tests.clone()).ci(workflow.clone());
    c.checks(vec![PK.into()]);

    let c = r.cause("get-or-create-race", "get_or_create race", 0.2);
    if race {
        c.support(3.0, "A `get_or_create` frame, no unique constraint.", None);
    } else {
        c.weaken(0.3, "No `get_or_create` frame.");
    }
    c.fix(fix_unique(&v)).tests(tests).ci(workflow);
    c.checks(vec!["Duplicates created the same second?".into()]);

    orm::finish(r, PK)
}

const PK: &str = "`values_list(\"pk\")` of the filter: a repeated pk is the join, else duplicates.";

fn fix_unique(v: &Values) -> Fix {
    v.fix(
        "Deduplicate; make it unique.",
        "models.py",
        "python",
        "{field} = models.CharField(max_length=100)\n",
        "{field} = models.CharField(max_length=100, unique=True)\n",
    )
}

fn fix_distinct(v: &Values, frame: Option<&Frame>, args: &str) -> Fix {
    let get = format!(".get({args})");
    let block = frame.and_then(orm::user_block).filter(|b| !args.is_empty() && b.contains(&get));
    let before = block.unwrap_or_else(|| v.fill("def find(value):\n    return {model}.objects.get({lookup}=value)\n"));
    let after = before.replacen(&get, &format!(".filter({args}).distinct().get()"), 1).replacen(
        ".get({lookup}=value)",
        &v.fill(".filter({lookup}=value).distinct().get()"),
        1,
    );
    Fix {
        summary: "Add .distinct().".into(),
        file: "views.py".into(),
        language: "python",
        before,
        after,
        also: Vec::new(),
    }
}

const TEST_DUPLICATES: &str = r#"import pytest
from django.db import IntegrityError

from {module} import {model}


@pytest.mark.django_db
def test_{field}_is_unique():
    {model}.objects.create({field}="same")
    with pytest.raises(IntegrityError):
        {model}.objects.create({field}="same")
"#;
