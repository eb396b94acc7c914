//! `fk-assign-instance` (DJ047): something other than a model instance was assigned to a foreign key.
//!
//! Recognised by a `ValueError` with `Cannot assign "<repr>": "<Model>.<field>" must be a "<Target>" instance.`
//! (the same in every Django version). Causes, from the repr: an id or a string (`'1'`, `5`) where the object
//! is needed, `AnonymousUser` (`request.user` of a visitor who is not logged in), or an instance of another
//! model (another user model, the wrong object).

use super::ci::{self, Step};
use super::kit::{self, Ranking, Values};
use super::orm_common as orm;
use super::{Context, Family};
use crate::model::{Diagnosis, Snippet};

pub const FAMILY: Family = Family {
    id: "fk-assign-instance",
    code: "DJ047",
    title: "A foreign key was given something that is not a model instance",
    summary: "ValueError \"Cannot assign \\\"'1'\\\": \\\"Order.user\\\" must be a \\\"User\\\" instance\": a \
              foreign key got an id, AnonymousUser or another model.",
    example: "real/orm/fk_assign_instance.txt",
    diagnose,
};

const EXPLANATION: &str = "A ForeignKey accepts only an instance of its model; set an id with `<field>_id`.";

const REFERENCES: [&str; 1] =
    ["Django docs: ForeignKey — https://docs.djangoproject.com/en/stable/ref/models/fields/#foreignkey"];

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let Some(hit) = kit::find(cx.tb, &["ValueError"], &["Cannot assign \""]) else {
        return Vec::new();
    };
    let line = hit.line;
    if !line.contains("must be a \"") || !line.contains(" instance") {
        return Vec::new();
    }
    let value = kit::between(line, "Cannot assign \"", "\": \"").unwrap_or("");
    let target_field = kit::between(line, "\": \"", "\" must be").unwrap_or("Model.field");
    let (model, field) = target_field.split_once('.').unwrap_or(("Model", "field"));
    let target = kit::between(line, "must be a \"", "\" instance").unwrap_or("Model");
    let anonymous = value.contains("AnonymousUser");
    let id_like = value.starts_with('\'') || value.starts_with(|c: char| c.is_ascii_digit()) || value == "None";
    let other_model = value.starts_with('<') && !anonymous;

    let mut v = orm::values(cx);
    v.set("model", orm::ident(model, "Model"))
        .set("field", orm::ident(field, "field"))
        .set("target", orm::ident(target, "Model"));
    let workflow = ci::workflow(
        &v,
        "tests",
        &[Step { name: "Checks", run: "python manage.py check" }, Step { name: "Tests", run: "pytest" }],
    );

    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("`{target_field}` got `{value}`."), Some(line));

    let c = r.cause("id-instead-of-instance", v.fill("An id assigned to `{field}`"), 1.0);
    if id_like {
        c.support(3.0, format!("`{value}` is an id or text."), Some(line));
    } else {
        c.weaken(0.2, format!("`{value}` is an object."));
    }
    c.fix(v.fix(
        "Assign ids to `<field>_id`.",
        "views.py",
        "python",
        "{model}({field}=value)\n",
        "{model}({field}_id=value)\n",
    ))
    .tests(vec![test_id(&v)])
    .ci(workflow.clone());
    c.checks(vec!["Print `type(value)` before the assignment.".into()]);

    let c = r.cause("anonymous-user", "The visitor is not logged in", 0.3);
    if anonymous {
        c.support(5.0, "`request.user` is AnonymousUser.", Some(line));
    } else {
        c.weaken(0.1, "Not AnonymousUser.");
    }
    c.fix(v.fix(
        "Require login.",
        "views.py",
        "python",
        "def create(request):\n    {model}.objects.create({field}=request.user)\n",
        "@login_required\ndef create(request):\n    {model}.objects.create({field}=request.user)\n",
    ))
    .tests(vec![test_anonymous(&v)])
    .ci(workflow.clone());
    c.checks(vec!["Does it fail only when logged out?".into()]);

    let c = r.cause("instance-of-another-model", v.fill("Another model's object, not a {target}"), 0.2);
    if other_model {
        c.support(3.0, format!("`{value}` is another model (auth.User vs custom?)."), Some(line));
    } else {
        c.weaken(0.3, "Not another model.");
    }
    c.fix(v.fix(
        "Point to settings.AUTH_USER_MODEL.",
        "models.py",
        "python",
        "{field} = models.ForeignKey(User, on_delete=models.CASCADE)\n",
        "{field} = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)\n",
    ))
    .tests(vec![test_id(&v)])
    .ci(workflow);
    c.checks(vec!["Print `type(value).__module__`.".into()]);

    super::orm_common::finish(r, "print `type(value)` at the assignment.")
}

const TEST_ANONYMOUS: &str = r#"def test_visitors_are_sent_to_login(client):
    response = client.post("/", {})
    assert response.status_code in (302, 403)
"#;

const TEST_ID: &str = r#"def test_{field}_can_be_set_by_id():
    from django.apps import apps

    model = next(m for m in apps.get_models() if m.__name__ == "{model}")
    obj = model({field}_id=1)
    assert obj.{field}_id == 1
"#;

fn test_anonymous(_: &Values) -> Snippet {
    orm::python("Visitors go to login", "tests/test_views.py", TEST_ANONYMOUS.into())
}

fn test_id(v: &Values) -> Snippet {
    orm::python("The key is set by id", "tests/test_models.py", v.fill(TEST_ID))
}
