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
              got an id, a string, `AnonymousUser` or another model's object.",
    example: "real/orm/fk_assign_instance.txt",
    diagnose,
};

const EXPLANATION: &str = "A ForeignKey attribute only accepts an instance of the model it points to; Django \
refused the value before any SQL. To set the key by id, use `<field>_id`.";

const REFERENCES: [&str; 2] = [
    "Django docs: ForeignKey — https://docs.djangoproject.com/en/stable/ref/models/fields/#foreignkey",
    "Django docs: login_required — https://docs.djangoproject.com/en/stable/topics/auth/default/#the-login-required-decorator",
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
        "tests",
        &[Step { name: "System checks", run: "python manage.py check" }, Step { name: "Run the tests", run: "pytest" }],
    );
    let ci_note = "Only a test that runs this code path catches it.";

    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("`{target_field}` got `{value}`, not a `{target}`."), Some(line));

    let c = r.cause(
        "id-instead-of-instance",
        v.fill("An id or string was assigned to `{field}` instead of a {target}"),
        1.0,
    );
    if id_like {
        c.support(3.0, format!("`{value}` is an id or text, not an object."), Some(line));
    } else {
        c.weaken(0.2, format!("`{value}` is an object, not an id."));
    }
    c.fix(v.fix(
        "Set the key through `<field>_id` when you have an id.",
        "views.py",
        "python",
        "{model}({field}=value)\n",
        "{model}({field}_id=value)\n",
    ))
    .tests(vec![test_id(&v)])
    .ci(workflow.clone());
    c.checks(vec![
        v.fill("Print `type(value)` before the assignment: an `int`/`str` goes to `{field}_id`."),
        ci_note.into(),
    ]);

    let c = r.cause("anonymous-user", "`request.user` is AnonymousUser: the visitor is not logged in", 0.3);
    if anonymous {
        c.support(5.0, "The view saved `request.user` for a visitor who is not logged in.", Some(line));
    } else {
        c.weaken(0.1, "The value is not AnonymousUser.");
    }
    c.fix(v.fix(
        "Require login for views that save request.user (LoginRequiredMixin for classes).",
        "views.py",
        "python",
        "def create(request):\n    {model}.objects.create({field}=request.user)\n",
        "@login_required\ndef create(request):\n    {model}.objects.create({field}=request.user)\n",
    ))
    .tests(vec![test_anonymous(&v)])
    .ci(workflow.clone());
    c.checks(vec!["Does it fail only when logged out (private window)?".into(), ci_note.into()]);

    let c = r.cause(
        "instance-of-another-model",
        v.fill("An object of another model was given where a {target} is expected"),
        0.2,
    );
    if other_model {
        c.support(3.0, format!("`{value}` is another model's object (auth.User vs a custom user model?)."), Some(line));
    } else {
        c.weaken(0.3, "The value is not another model's object.");
    }
    c.fix(v.fix(
        "Point foreign keys to settings.AUTH_USER_MODEL; get the class with get_user_model().",
        "models.py",
        "python",
        "{field} = models.ForeignKey(User, on_delete=models.CASCADE)\n",
        "{field} = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)\n",
    ))
    .tests(vec![test_id(&v)])
    .ci(workflow);
    c.checks(vec![v.fill("Print `type(value).__module__` at the assignment: is it {target}'s module?")]);

    r.finish(|a, b| format!("Cannot decide between \"{a}\" and \"{b}\": print `type(value)` at the assignment."))
}

const TEST_ANONYMOUS: &str = r#"def test_visitors_are_sent_to_login(client):
    response = client.post("/", {})  # the view's URL
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
