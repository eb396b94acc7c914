//! `fk-on-delete-required` (DJ023): a `ForeignKey`/`OneToOneField` without `on_delete`, required since 2.0.
//!
//! Recognised by `TypeError` with `missing 1 required positional argument: 'on_delete'` in both wordings —
//! Python ≤ 3.9 `__init__() missing …` and 3.10+ `ForeignKey.__init__() missing …` (or `OneToOneField`) — and
//! `missing 2 required positional arguments: 'to' and 'on_delete'`. Causes, from the frame that made the
//! call: your models (code written for Django 1.x), an old migration file, or an installed package.

use super::kit::{self, Ranking, Values};
use super::schema_common as sc;
use super::{Context, Family};
use crate::model::{Diagnosis, Origin};

pub const FAMILY: Family = Family {
    id: "fk-on-delete-required",
    code: "DJ023",
    title: "ForeignKey needs on_delete",
    summary: "TypeError \"missing 1 required positional argument: 'on_delete'\": Django 1.x code.",
    example: "real/schema/fk_on_delete_models.txt",
    diagnose,
};

const EXPLANATION: &str = "Since Django 2.0 `{kind}` needs `on_delete`; `{code}` in {what} lacks it.";

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let Some(hit) = kit::find(cx.tb, &["TypeError"], &["'on_delete'"]).filter(|h| sc::is_final(cx, h.index)) else {
        return Vec::new();
    };
    if !hit.line.contains("required positional argument") {
        return Vec::new();
    }
    let kind = if hit.line.contains("OneToOneField") { "OneToOneField" } else { "ForeignKey" };
    let frame = hit
        .exception
        .frames
        .iter()
        .rev()
        .find(|f| f.origin == Origin::App || f.origin == Origin::Library)
        .or_else(|| kit::last_app_frame(cx.tb));
    let file = frame.map_or("models.py", |f| f.file.as_str());
    let code = frame.and_then(|f| f.code.as_deref()).unwrap_or("models.ForeignKey(Parent)");
    let in_migration = file.contains("/migrations/") || file.starts_with("migrations/");
    let in_package = frame.is_some_and(|f| f.origin == Origin::Library);
    let what = if in_migration { "the migration files" } else { "the models" };
    let after = add_on_delete(code, kind);
    let mut v = Values::new(cx);
    v.set("kind", kind).set("file", file).set("code", code).set("what", what);
    let ci = sc::migrations_ci(&v);
    let tests = vec![sc::py("Checks pass", "tests/test_checks.py", TEST_CHECK.into())];
    let mut r = Ranking::new(&FAMILY, v.fill(EXPLANATION), &[REF_ON_DELETE]);
    r.recognised(format!("No `on_delete` in `{file}`."), Some(hit.line));
    let mut fix = v.fix("Add on_delete to every ForeignKey.", file, "python", "", "");
    fix.before = format!("{code}\n");
    fix.after = format!("{after}\n");

    let c = r.cause("old-model-code", "Django 1.x model code", 1.0);
    if !in_migration && !in_package {
        c.support(2.0, "In your code.", Some(code));
    } else {
        c.weaken(0.2, "Not in your models.");
    }
    c.fix(fix.clone())
        .tests(tests.clone())
        .ci(ci.clone())
        .checks(vec!["`grep -rn \"ForeignKey(\\|OneToOneField(\" --include=*.py .`".into()]);

    let c = r.cause("old-migration", "An old migration", 0.2);
    if in_migration {
        c.support(5.0, "In a migration.", Some(code));
    }
    c.fix(fix).tests(tests.clone()).ci(ci.clone()).checks(vec!["Fix the migrations too.".into()]);

    let c = r.cause("old-package", "A Django 1.x package", 0.1);
    if in_package {
        c.support(5.0, "In a package.", Some(code));
    }
    c.fix(v.fix("Upgrade the package.", "requirements.txt", "text", "package==1.0\n", "package>=<newer>\n"))
        .tests(tests)
        .ci(ci)
        .checks(vec!["`pip show <package>`".into()]);

    super::orm_common::finish(r, "the last frame creates the field.")
}

/// The call with `on_delete=models.CASCADE` added inside the field's own parentheses.
fn add_on_delete(code: &str, kind: &str) -> String {
    let fallback = format!("models.{kind}(Parent, on_delete=models.CASCADE)");
    let Some(open) = code.find(&format!("{kind}(")).map(|p| p + kind.len()) else { return fallback };
    let mut depth = 0usize;
    for (i, ch) in code.char_indices().skip_while(|(i, _)| *i < open) {
        match ch {
            '(' => depth += 1,
            ')' if depth == 1 => {
                let inner = code.get(open + 1..i).unwrap_or("").trim();
                let sep = if inner.is_empty() { "" } else { ", " };
                return format!(
                    "{}{sep}on_delete=models.CASCADE{}",
                    code.get(..i).unwrap_or(""),
                    code.get(i..).unwrap_or("")
                );
            }
            ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    fallback
}

const REF_ON_DELETE: &str = "Django docs: ForeignKey.on_delete — https://docs.djangoproject.com/en/stable/ref/models/fields/#django.db.models.ForeignKey.on_delete";

const TEST_CHECK: &str = r#"from django.core.management import call_command


def test_checks():
    call_command("check")
"#;
