//! `user-model-clash` (DJ029): two user models both claim `Group.user_set` and `Permission.user_set`.
//!
//! Recognised by a `SystemCheckError` whose message lists `(fields.E304)` on `groups` or `user_permissions`,
//! in both wordings: ≤ 4.0 `Reverse accessor for 'User.groups' clashes with reverse accessor for
//! 'CustomUser.groups'.` and 4.1+ `Reverse accessor 'Group.user_set' for 'auth.User.groups' clashes with …`.
//! Other E304 clashes (two foreign keys of your own) are not this family. Causes: AUTH_USER_MODEL unset or
//! wrong while a custom user model subclasses AbstractUser; two custom user models.

use super::kit::{self, Ranking, Values};
use super::schema_common as sc;
use super::{Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "user-model-clash",
    code: "DJ029",
    title: "Two user models clash (AUTH_USER_MODEL)",
    summary: "SystemCheckError with fields.E304 \"Reverse accessor … clashes\" on `groups` and `user_permissions`: a \
              custom user model (subclassing AbstractUser) is installed next to `auth.User` because AUTH_USER_MODEL \
              does not name it, so both define `Group.user_set`.",
    example: "real/schema/user_model_clash_runserver.txt",
    diagnose,
};

const EXPLANATION: &str = "Your model `{model}` subclasses AbstractUser, which gives it `groups` and \
`user_permissions` with the reverse names `user_set`. Django's own `auth.User` has the same fields. Only one of \
them may be the active user model: AUTH_USER_MODEL decides, and while it does not name `{model}` both are \
installed and their reverse accessors clash, so the system checks stop every command.";

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
    let tests = vec![sc::py("The user model is the one in settings", "tests/test_user_model.py", v.fill(TEST_USER))];
    let mut r = Ranking::new(&FAMILY, v.fill(EXPLANATION), &[REF_CUSTOM_USER]);
    r.recognised("The system checks report clashing reverse accessors on the user model's groups/user_permissions (fields.E304).", Some(line));

    let c = r.cause("auth-user-model-unset", "AUTH_USER_MODEL does not name your custom user model", 1.5);
    if auth_side {
        c.support(3.0, format!("One side of the clash is Django's `auth.User`: it is still installed as the user model next to `{custom}`."), Some(line));
    }
    c.fix(v.fix("Name your model in settings, before the first migrate (changing it later needs a database reset or a careful migration).", "settings.py", "python", "INSTALLED_APPS = [\"accounts\"]\n", "INSTALLED_APPS = [\"accounts\"]\nAUTH_USER_MODEL = \"{model}\"\n"))
        .tests(tests.clone())
        .ci(ci.clone())
        .checks(vec!["`python manage.py shell -c \"from django.conf import settings; print(settings.AUTH_USER_MODEL)\"` prints `auth.User`?".into()]);

    let c = r.cause("two-user-models", "Two custom user models are installed", 0.2);
    if !auth_side && labels.len() >= 2 {
        c.support(4.0, "Neither side is `auth.User`: two of your models subclass AbstractUser.", Some(line));
    }
    c.fix(v.fix("Keep one user model; make the other a profile with a OneToOneField to it.", "models.py", "python", "class Customer(AbstractUser):\n    pass\n", "class Customer(models.Model):\n    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)\n"))
        .tests(tests)
        .ci(ci)
        .checks(vec!["`grep -rn \"(AbstractUser)\\|(AbstractBaseUser)\" --include=models.py .`".into()]);

    r.finish(|a, b| format!("The paste cannot decide between \"{a}\" and \"{b}\". Read both model labels in the E304 lines and AUTH_USER_MODEL in settings."))
}

const REF_CUSTOM_USER: &str = "Django documentation: Substituting a custom User model — https://docs.djangoproject.com/en/stable/topics/auth/customizing/#substituting-a-custom-user-model";

const TEST_USER: &str = r#"from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command


def test_user_model_is_the_configured_one():
    assert get_user_model()._meta.label == settings.AUTH_USER_MODEL == "{model}"
    call_command("check")
"#;
