//! `user-model-clash` (DJ029): two user models both claim `Group.user_set` and `Permission.user_set`.
//!
//! Recognised by a `SystemCheckError` listing `(fields.E304)` on `groups` or `user_permissions` (≤ 4.0 and 4.1+
//! wordings); other E304 clashes are not this family. Causes: AUTH_USER_MODEL unset or wrong; two custom user
//! models.

use super::kit::{self, Ranking, Values};
use super::schema_common as sc;
use super::{Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "user-model-clash",
    code: "DJ029",
    title: "Two user models clash (AUTH_USER_MODEL)",
    summary: "fields.E304 on `groups`: a custom user model next to `auth.User`; AUTH_USER_MODEL unset.",
    example: "real/schema/user_model_clash_runserver.txt",
    diagnose,
};

const EXPLANATION: &str = "`{model}` and `auth.User` both claim `user_set` unless AUTH_USER_MODEL names `{model}`.";

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let Some(hit) = kit::find(cx.tb, &["SystemCheckError"], &["(fields.E304)"]).filter(|h| sc::is_final(cx, h.index))
    else {
        return Vec::new();
    };
    let clash = hit
        .exception
        .message
        .lines()
        .map(str::trim)
        .find(|l| l.contains("(fields.E304)") && (l.contains(".groups") || l.contains(".user_permissions")));
    let Some(line) = clash else { return Vec::new() };
    let labels: Vec<String> = hit
        .exception
        .message
        .lines()
        .filter(|l| l.contains("(fields.E304)"))
        .filter_map(|l| l.split(": (fields.E304)").next())
        .filter_map(|l| l.trim().rsplit_once('.').map(|(m, _)| sc::ident(m)))
        .collect();
    let custom = labels.iter().find(|l| l.as_str() != "auth.User").cloned().unwrap_or_else(|| "accounts.User".into());
    let auth_side = labels.iter().any(|l| l == "auth.User")
        || line.contains("'User.groups'")
        || line.contains("'User.user_permissions'");
    let mut v = Values::new(cx);
    v.set("model", custom.as_str());
    let ci = sc::migrations_ci(&v);
    let tests = vec![sc::py("User model set", "tests/test_user_model.py", v.fill(TEST_USER))];
    let mut r = Ranking::new(&FAMILY, v.fill(EXPLANATION), &[REF_CUSTOM_USER]);
    r.recognised("Reverse accessors clash (E304).", Some(line));

    let c = r.cause("auth-user-model-unset", "AUTH_USER_MODEL unset", 1.5);
    if auth_side {
        c.support(3.0, format!("`auth.User` next to `{custom}`."), Some(line));
    }
    c.fix(v.fix("Name your model.", "settings.py", "python", "", "AUTH_USER_MODEL = \"{model}\"\n"))
        .tests(tests.clone())
        .ci(ci.clone())
        .checks(vec!["Print AUTH_USER_MODEL.".into()]);

    let c = r.cause("two-user-models", "Two custom user models", 0.2);
    if !auth_side && labels.len() >= 2 {
        c.support(4.0, "Neither is `auth.User`.", Some(line));
    }
    c.fix(v.fix(
        "Keep one; make the other a profile.",
        "models.py",
        "python",
        "class Customer(AbstractUser):\n    pass\n",
        "class Customer(models.Model):\n    user = models.OneToOneField(User, models.CASCADE)\n",
    ))
    .tests(tests)
    .ci(ci)
    .checks(vec!["`grep -rn AbstractUser`".into()]);

    super::orm_common::finish(r, "compare the E304 labels.")
}

const REF_CUSTOM_USER: &str = "Django docs: custom user — https://docs.djangoproject.com/en/stable/topics/auth/customizing/#substituting-a-custom-user-model";

const TEST_USER: &str = r#"from django.conf import settings


def test_user_model():
    assert settings.AUTH_USER_MODEL == "{model}"
"#;
