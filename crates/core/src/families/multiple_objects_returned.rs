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
use crate::model::{Diagnosis, Fix, Frame, Snippet};

pub const FAMILY: Family = Family {
    id: "multiple-objects-returned",
    code: "DJ044",
    title: "get() matched more than one row (MultipleObjectsReturned)",
    summary: "`<Model>.MultipleObjectsReturned: get() returned more than one <Model> -- it returned N!` — \
              `get()` expects exactly one row: the field looked up is not unique and the data has duplicates, \
              or the lookup crosses a to-many relation and repeats the row.",
    example: "real/orm/multiple_objects_returned.txt",
    diagnose,
};

const EXPLANATION: &str = "`Model.objects.get(...)` must match exactly one row; it matched several and raised \
`MultipleObjectsReturned`. Either the data holds duplicates for a field the code treats as unique (nothing in \
the database forbids them), or the filter goes through a one-to-many or many-to-many relation and the same row \
comes back once per related row.";

const REFERENCES: [&str; 3] = [
    "Django documentation: QuerySet.get() — https://docs.djangoproject.com/en/stable/ref/models/querysets/#get",
    "Django documentation: Field.unique / UniqueConstraint — https://docs.djangoproject.com/en/stable/ref/models/constraints/#uniqueconstraint",
    "Django documentation: Spanning multi-valued relationships — https://docs.djangoproject.com/en/stable/topics/db/queries/#spanning-multi-valued-relationships",
];

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
        "migrations are complete and the duplicate tests pass",
        &[
            Step { name: "Migrations match the models", run: "python manage.py makemigrations --check --dry-run" },
            Step { name: "Apply migrations", run: "python manage.py migrate --noinput" },
            Step { name: "Run the tests", run: "pytest" },
        ],
    );
    let ci_note = "CI does not see production data; a unique constraint (applied by migrate in CI) and a test with two matching rows are what catch this.";

    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("`get()` matched {count} {model} rows instead of one."), Some(hit.line));

    let c = r.cause(
        "duplicates-on-non-unique-field",
        v.fill("Several {model} rows share the `{field}` the code treats as unique"),
        1.0,
    );
    if !args.is_empty() && !args.contains("__") {
        c.support(1.0, format!("The lookup `get({args})` uses a plain field: two rows have that value."), Some(code));
    }
    c.fix(fix_unique(&v)).tests(vec![test_duplicates(&v)]).ci(workflow.clone());
    c.checks(vec![
        v.fill("Count the duplicates: `{model}.objects.values(\"{field}\").annotate(n=Count(\"pk\")).filter(n__gt=1)` in `manage.py shell`."),
        ci_note.into(),
    ]);

    let c = r.cause(
        "join-repeats-rows",
        "The lookup crosses a to-many relation and returns the same row once per related row",
        0.3,
    );
    if args.contains("__") {
        c.support(2.5, format!("The lookup `get({args})` goes through a relation (`__`): one {model} with several matching related rows comes back several times."), Some(code));
    } else {
        c.weaken(0.3, "The lookup shown does not cross a relation (no `__`).");
    }
    c.fix(fix_distinct(&v, frame, args)).tests(vec![test_duplicates(&v)]).ci(workflow.clone());
    c.checks(vec![v.fill("Run the same filter with `.values_list(\"pk\", flat=True)`: the same pk repeated means the join, different pks mean duplicates.")]);

    let c = r.cause("get-or-create-race", "get_or_create ran twice at once without a unique constraint", 0.2);
    if race {
        c.support(3.0, "The frames show `get_or_create`/`update_or_create`: two requests at the same time can both create the row when no unique constraint stops the second.", None);
    } else {
        c.weaken(0.3, "No `get_or_create` frame in the paste.");
    }
    c.fix(fix_unique(&v)).tests(vec![test_duplicates(&v)]).ci(workflow);
    c.checks(vec!["Look at the duplicates' creation times: the same second points to a race.".into(), ci_note.into()]);

    r.finish(|a, b| {
        format!("The paste cannot decide between \"{a}\" and \"{b}\": list the pks the filter returns; the same pk twice is the join, different pks are duplicate rows.")
    })
}

fn fix_unique(v: &Values) -> Fix {
    v.fix(
        "Make the field unique (remove the duplicates first, then migrate); until then, pick one row explicitly.",
        "models.py",
        "python",
        "from django.db import models\n\n\nclass {model}(models.Model):\n    {field} = models.CharField(max_length=100)\n",
        "from django.db import models\n\n\nclass {model}(models.Model):\n    {field} = models.CharField(max_length=100, unique=True)\n\n\n# Where the code must tolerate duplicates meanwhile:\n# obj = {model}.objects.filter({field}=value).order_by(\"pk\").first()\n",
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
        summary: "Filter, then remove the repeated rows with .distinct() before taking the one row.".into(),
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
def test_two_{model}_rows_cannot_share_{field}():
    """get() by {field} is only safe when the database forbids duplicates."""
    {model}.objects.create({field}="same")  # fill in the other required fields
    with pytest.raises(IntegrityError):
        {model}.objects.create({field}="same")
"#;

fn test_duplicates(v: &Values) -> Snippet {
    orm::python("Duplicates are refused by the database", "tests/test_models.py", v.fill(TEST_DUPLICATES))
}
