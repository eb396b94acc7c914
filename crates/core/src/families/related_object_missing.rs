//! `related-object-missing` (DJ046): `obj.<relation>` has no related row.
//!
//! Recognised by `<module>.<Model>.<field>.RelatedObjectDoesNotExist` (bare `RelatedObjectDoesNotExist` on the
//! debug page) with `<Model> has no <field>.` — the same text in every Django version. The class is both the
//! related model's `DoesNotExist` and an `AttributeError`. Causes: a reverse one-to-one (`user.profile`) whose
//! row was never created, or a forward foreign key read before it is set (an unsaved object, a form's
//! `instance` in `clean()`). Evidence: the raising line of `related_descriptors.py` (the forward descriptor's
//! `__get__` comes before line 340 in every release, the reverse one's after 380), the model, the user's line.

use super::ci::{self, Step};
use super::kit::{self, Ranking, Values};
use super::orm_common as orm;
use super::{Context, Family};
use crate::model::{Diagnosis, Snippet};

pub const FAMILY: Family = Family {
    id: "related-object-missing",
    code: "DJ046",
    title: "The related object is missing (RelatedObjectDoesNotExist)",
    summary: "`<Model>.<field>.RelatedObjectDoesNotExist: <Model> has no <field>.` — reading a one-to-one or \
              foreign key found no related row: a profile never created for existing users, or a foreign key \
              read on an object before it was set.",
    example: "real/orm/related_object_missing.txt",
    diagnose,
};

const EXPLANATION: &str = "Reading `obj.<field>` follows a relation to another row, and there is none. For a \
reverse one-to-one (`user.profile`) that means no Profile row points to this user; for a foreign key it means \
the key is not set yet (an object being built, a form's instance before saving). Django raises \
`RelatedObjectDoesNotExist` instead of returning None.";

const REFERENCES: [&str; 2] = [
    "Django documentation: One-to-one relationships — https://docs.djangoproject.com/en/stable/topics/db/examples/one_to_one/",
    "Django documentation: Extending the existing User model — https://docs.djangoproject.com/en/stable/topics/auth/customizing/#extending-the-existing-user-model",
];

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
    v.set("model_lower", model.to_lowercase());
    let workflow = ci::workflow(
        &v,
        "migrations (incl. data migrations) and the tests",
        &[
            Step {
                name: "Apply migrations (a data migration creates missing rows)",
                run: "python manage.py migrate --noinput",
            },
            Step { name: "Run the tests", run: "pytest" },
        ],
    );
    let ci_note = "CI starts from an empty database, so rows missing only in production do not show there; a test that creates the object without its related row does.";

    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("`{model} has no {field}`: the relation `{model}.{field}` points to no row."), Some(hit.line));

    let c =
        r.cause("reverse-one-to-one-never-created", v.fill("No {related} row was ever created for this {model}"), 1.0);
    match line_no {
        Some(n) if n >= 380 => c.support(2.0, format!("The error comes from related_descriptors.py line {n}, the reverse one-to-one descriptor (`{model}.{field}` is the other side of a OneToOneField)."), None),
        Some(n) if n < 340 => c.weaken(0.3, format!("related_descriptors.py line {n} is the forward foreign-key descriptor, not a reverse one-to-one.")),
        _ => c,
    };
    if is_user {
        c.support(1.0, format!("`{model}` is the user model: users created before the {field} existed (createsuperuser, fixtures, admin) have none."), None);
    }
    c.fix(v.fix(
        "Create the row when it is missing (and for every new user with a post_save signal or a data migration for existing ones).",
        "views.py",
        "python",
        "def page(user):\n    return user.{field}.pk\n",
        "def page(user):\n    {field}, _ = {related}.objects.get_or_create({model_lower}=user)\n    return {field}.pk\n",
    ))
    .tests(vec![test_missing(&v)])
    .ci(workflow.clone());
    c.checks(vec![
        v.fill("Count the {model} rows without a {field}: `{model}.objects.filter({field}__isnull=True).count()` in `manage.py shell`."),
        ci_note.into(),
    ]);

    let c =
        r.cause("foreign-key-not-set-yet", v.fill("`{field}` is read on a {model} before the foreign key is set"), 0.5);
    match line_no {
        Some(n) if n < 340 => c.support(2.5, format!("related_descriptors.py line {n} is the forward foreign-key descriptor: `{model}.{field}` is a ForeignKey with no value yet."), None),
        Some(n) if n >= 380 => c.weaken(0.2, format!("related_descriptors.py line {n} is the reverse one-to-one descriptor.")),
        _ => c,
    };
    if code.contains("instance.") || code.contains("self.instance") {
        c.support(
            1.0,
            "The line reads a form's `instance`: in `clean()` it is not saved and its foreign keys may be empty.",
            Some(code),
        );
    }
    c.fix(v.fix(
        "Check the key (`<field>_id`) before reading the relation, or set it before use.",
        "views.py",
        "python",
        "def label(obj):\n    return obj.{field}.name\n",
        "def label(obj):\n    if obj.{field}_id is None:\n        return \"(no {field} yet)\"\n    return obj.{field}.name\n",
    ))
    .tests(vec![test_missing(&v)])
    .ci(workflow);
    c.checks(vec![v.fill("Where is the {model} created? If it is not saved yet, set `{field}` (or `{field}_id`) before anything reads it.")]);

    r.finish(|a, b| {
        format!("The paste cannot decide between \"{a}\" and \"{b}\": open the model; a OneToOneField on the other model pointing here means the first, a ForeignKey `{field}` on this model the second.")
    })
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

const TEST_MISSING: &str = r#"import pytest


@pytest.mark.django_db
def test_{model_lower}_without_{field}_is_handled(client, django_user_model):
    """An object whose {field} row is missing must not crash the page."""
    user = django_user_model.objects.create_user("no-{field}", password="pw")
    client.force_login(user)
    response = client.get("/")  # the page that reads .{field}
    assert response.status_code < 500
"#;

fn test_missing(v: &Values) -> Snippet {
    orm::python(&v.fill("A {model} without {field} is handled"), "tests/test_relations.py", v.fill(TEST_MISSING))
}
