//! `related-object-missing` (DJ046): `obj.<relation>` has no related row.
//!
//! Recognised by `<module>.<Model>.<field>.RelatedObjectDoesNotExist` (bare `RelatedObjectDoesNotExist` on the
//! debug page) with `<Model> has no <field>.` — the same text in every Django version. The class is both the
//! related model's `DoesNotExist` and an `AttributeError`. Causes: a reverse one-to-one (`user.profile`) whose
//! row was never created, or a forward foreign key read before it is set (an unsaved object, a form's
//! `instance` in `clean()`). Evidence: the raising line of `related_descriptors.py` (the forward descriptor's
//! `__get__` comes before line 340 in every release, the reverse one's after 380), the model, the user's line.

use super::ci::{self, Step};
use super::kit::{self, Ranking};
use super::orm_common as orm;
use super::{Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "related-object-missing",
    code: "DJ046",
    title: "The related object is missing",
    summary: "`RelatedObjectDoesNotExist: <Model> has no <field>.`: the relation has no row.",
    example: "real/orm/related_object_missing.txt",
    diagnose,
};

const EXPLANATION: &str = "`obj.<field>` found no related row: none points back (`user.profile`), or the key \
is not set yet.";

const REFERENCES: [&str; 1] =
    ["Django docs: One-to-one relationships — https://docs.djangoproject.com/en/stable/topics/db/examples/one_to_one/"];

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let Some(hit) = kit::find(cx.tb, &["RelatedObjectDoesNotExist"], &[" has no "]) else {
        return Vec::new();
    };
    if !hit.exception.type_name.is_empty() && !hit.exception.type_name.ends_with("RelatedObjectDoesNotExist") {
        return Vec::new();
    }
    let model = orm::ident(hit.line.split(" has no ").next().unwrap_or(""), "Model");
    let field = orm::ident(kit::between(hit.line, " has no ", ".").unwrap_or(""), "related");
    let line_no = kit::frames(cx.tb)
        .filter(|f| f.file.ends_with("related_descriptors.py") && f.function == "__get__")
        .filter_map(|f| f.line)
        .last();
    let frame = orm::user_frame(cx);
    let code = frame.and_then(|f| f.code.as_deref()).unwrap_or("");
    let is_user = model == "User" || hit.exception.type_name.contains("contrib.auth");

    let mut v = orm::values(cx);
    v.set("model", model.clone()).set("field", field.clone()).set("related", capitalise(&field));
    v.set("model_lower", model.to_ascii_lowercase());
    let workflow = ci::workflow(
        &v,
        "tests",
        &[Step { name: "Migrate", run: "python manage.py migrate --noinput" }, Step { name: "Test", run: "pytest" }],
    );
    let tests = vec![orm::python(&v.fill("{model} without {field}"), "tests/test_relations.py", v.fill(TEST_MISSING))];

    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("`{model}.{field}`: no row."), Some(hit.line));

    let c = r.cause("reverse-one-to-one-never-created", v.fill("No {related} row for this {model}"), 1.0);
    match line_no {
        Some(n) if n >= 380 => c.support(2.0, format!("Line {n}: reverse one-to-one."), None),
        Some(n) if n < 340 => c.weaken(0.3, format!("Line {n}: forward foreign key.")),
        _ => c,
    };
    if is_user {
        c.support(1.0, format!("Older users have no {field}."), None);
    }
    c.fix(v.fix(
        "Create it when missing.",
        "views.py",
        "python",
        "{field} = user.{field}\n",
        "{field}, _ = {related}.objects.get_or_create({model_lower}=user)\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone());
    c.checks(vec![v.fill("`{model}.objects.filter({field}__isnull=True).count()`")]);

    let c = r.cause("foreign-key-not-set-yet", v.fill("`{field}` read before the key is set"), 0.5);
    match line_no {
        Some(n) if n < 340 => c.support(2.5, format!("Line {n}: forward foreign key."), None),
        Some(n) if n >= 380 => c.weaken(0.2, format!("Line {n}: reverse one-to-one.")),
        _ => c,
    };
    if code.contains("instance.") || code.contains("self.instance") {
        c.support(1.0, "A form's unsaved `instance`.", Some(code));
    }
    c.fix(v.fix(
        "Check `<field>_id` first.",
        "views.py",
        "python",
        "name = obj.{field}.name\n",
        "name = obj.{field}.name if obj.{field}_id else \"\"\n",
    ))
    .tests(tests)
    .ci(workflow);
    c.checks(vec![v.fill("Where is `{field}_id` set?")]);

    orm::finish(r, &v.fill("where is `{field}` defined?"))
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
}

const TEST_MISSING: &str = r#"import pytest


@pytest.mark.django_db
def test_{model_lower}_without_{field}(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("no-{field}"))
    assert client.get("/").status_code < 500
"#;
