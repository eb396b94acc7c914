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
    summary: "`ValueError: Cannot assign \"'1'\": \"Order.user\" must be a \"User\" instance.` — a foreign key \
              attribute got an id, a string, `AnonymousUser` or an object of another model instead of an \
              instance of the model it points to.",
    example: "real/orm/fk_assign_instance.txt",
    diagnose,
};

const EXPLANATION: &str = "A ForeignKey or OneToOneField attribute (`obj.author = …`, `Model(author=…)`, \
`create(author=…)`) only accepts an instance of the model it points to. The value given is something else, so \
Django refuses it before any SQL runs. To set the key by id, use the `<field>_id` attribute.";

const REFERENCES: [&str; 2] = [
    "Django documentation: ForeignKey — https://docs.djangoproject.com/en/stable/ref/models/fields/#foreignkey",
    "Django documentation: The login_required decorator — https://docs.djangoproject.com/en/stable/topics/auth/default/#the-login-required-decorator",
];

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
        "the tests that post as a visitor and as a user",
        &[Step { name: "System checks", run: "python manage.py check" }, Step { name: "Run the tests", run: "pytest" }],
    );
    let ci_note =
        "Only a test that runs this code path catches it; no check or migration command sees a wrong assignment.";

    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("`{target_field}` must be a `{target}`, but got `{value}`."), Some(line));

    let c = r.cause(
        "id-instead-of-instance",
        v.fill("An id or string was assigned to `{field}` instead of a {target}"),
        1.0,
    );
    if id_like {
        c.support(
            3.0,
            format!("The value `{value}` is an id or text (from the URL, a form or JSON), not a {target} object."),
            Some(line),
        );
    } else {
        c.weaken(0.2, format!("The value `{value}` is an object, not an id."));
    }
    c.fix(v.fix(
        "Set the key through `<field>_id` when you have an id (or fetch the object first).",
        "views.py",
        "python",
        "def build(data):\n    return {model}({field}=data[\"{field}\"])\n",
        "def build(data):\n    return {model}({field}_id=int(data[\"{field}\"]))\n    # or: {model}({field}={target}.objects.get(pk=data[\"{field}\"]))\n",
    ))
    .tests(vec![test_id(&v)])
    .ci(workflow.clone());
    c.checks(vec![
        v.fill("Print `type(value)` just before the assignment: an `int`/`str` must go to `{field}_id`."),
        ci_note.into(),
    ]);

    let c = r.cause("anonymous-user", "`request.user` is AnonymousUser: the visitor is not logged in", 0.3);
    if anonymous {
        c.support(
            5.0,
            "The value is `AnonymousUser`: the view ran for a visitor who is not logged in, and saved `request.user`.",
            Some(line),
        );
    } else {
        c.weaken(0.1, "The value is not AnonymousUser.");
    }
    c.fix(v.fix(
        "Require login for views that save request.user (LoginRequiredMixin for class-based views).",
        "views.py",
        "python",
        "def create(request):\n    {model}.objects.create({field}=request.user)\n",
        "from django.contrib.auth.decorators import login_required\n\n\n@login_required\ndef create(request):\n    {model}.objects.create({field}=request.user)\n",
    ))
    .tests(vec![test_anonymous(&v)])
    .ci(workflow.clone());
    c.checks(vec![
        "Open the page in a private window: if it fails only when logged out, the view lacks @login_required.".into(),
        ci_note.into(),
    ]);

    let c = r.cause(
        "instance-of-another-model",
        v.fill("An object of another model was given where a {target} is expected"),
        0.2,
    );
    if other_model {
        c.support(3.0, format!("The value `{value}` is an object, but not a {target}: another model, or another class with the same name (auth.User vs a custom user model)."), Some(line));
    } else {
        c.weaken(0.3, "The value is not another model's object.");
    }
    c.fix(v.fix(
        "Point foreign keys to the user model with settings.AUTH_USER_MODEL, and get it with get_user_model().",
        "models.py",
        "python",
        "from django.contrib.auth.models import User\nfrom django.db import models\n\n\nclass {model}(models.Model):\n    {field} = models.ForeignKey(User, on_delete=models.CASCADE)\n",
        "from django.conf import settings\nfrom django.db import models\n\n\nclass {model}(models.Model):\n    {field} = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)\n",
    ))
    .tests(vec![test_id(&v)])
    .ci(workflow);
    c.checks(vec![v.fill("Print `type(value).__module__` at the assignment: it must be the module of the {target} the ForeignKey points to.")]);

    r.finish(|a, b| {
        format!("The paste cannot decide between \"{a}\" and \"{b}\": print `type(value)` at the assignment.")
    })
}

const TEST_ANONYMOUS: &str = r#"def test_visitors_are_sent_to_login(client):
    """A visitor who is not logged in must be redirected, not crash the view."""
    response = client.post("/", {})  # the URL of the view that saves request.user
    assert response.status_code in (302, 403)
"#;

const TEST_ID: &str = r#"def test_{field}_can_be_set_by_id():
    from django.apps import apps

    model = next(m for m in apps.get_models() if m.__name__ == "{model}")
    obj = model({field}_id=1)
    assert obj.{field}_id == 1
"#;

fn test_anonymous(_: &Values) -> Snippet {
    orm::python("Visitors are redirected to login", "tests/test_views.py", TEST_ANONYMOUS.into())
}

fn test_id(v: &Values) -> Snippet {
    orm::python("The key is set by id", "tests/test_models.py", v.fill(TEST_ID))
}
