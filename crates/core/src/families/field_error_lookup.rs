//! `field-error-lookup` (DJ045): a query names a field or lookup the model does not have.
//!
//! Recognised by `django.core.exceptions.FieldError` with `Cannot resolve keyword '<name>' into field. Choices
//! are: …`, `Cannot resolve keyword '<name>' into field. Join on '<f>' not permitted.`, `Unsupported lookup
//! '<lookup>' for <FieldType> or join on the field not permitted[, perhaps you meant …?]` (2.2+ adds the
//! suggestion) and `Related Field got invalid lookup: <lookup>` (1.11–3.2). Other FieldErrors (`Unknown
//! field(s) … specified for`, aggregate errors) are not this family. Causes: a typo or an old name (the closest
//! choice is suggested), the reverse accessor (`x_set`) instead of the query name, a `@property` that is not a
//! column, an admin option, a lookup typo or a field name after a relation.

use super::ci::{self, Step};
use super::kit::{self, Ranking, Values};
use super::orm_common as orm;
use super::{Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "field-error-lookup",
    code: "DJ045",
    title: "A query names an unknown field or lookup",
    summary: "`FieldError: Cannot resolve keyword 'x' into field`: a query names no database field.",
    example: "real/orm/field_error_keyword.txt",
    diagnose,
};

const EXPLANATION: &str = "One part of a query keyword (`author__name`) is not a field or lookup of the model; \
\"Choices are\" lists the valid names.";

const REFERENCES: [&str; 1] =
    ["Django docs: Field lookups — https://docs.djangoproject.com/en/stable/ref/models/querysets/#field-lookups"];

const TIE: &str = "search the model.";

const PATTERNS: [&str; 3] = ["Cannot resolve keyword ", "Unsupported lookup '", "Related Field got invalid lookup: "];

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let Some(hit) = kit::find(cx.tb, &["FieldError"], &PATTERNS) else {
        return Vec::new();
    };
    let line = hit.line;
    let keyword_form = hit.pattern == PATTERNS[0];
    let name = if keyword_form {
        kit::between(line, "keyword '", "'").or_else(|| kit::between(line, "keyword ", " "))
    } else {
        kit::between(line, "lookup '", "'").or_else(|| kit::between(line, "invalid lookup: ", "\n"))
    }
    .unwrap_or("name");
    let choices: Vec<&str> = kit::between(line, "Choices are: ", "\n").map_or(Vec::new(), |c| c.split(", ").collect());
    let field_type = kit::between(line, " for ", " or join").unwrap_or("");
    let related =
        hit.pattern == PATTERNS[2] || matches!(field_type, "ForeignKey" | "OneToOneField" | "ManyToManyField");
    let suggestion = kit::between(line, "perhaps you meant ", "?")
        .and_then(|s| s.split(' ').next())
        .map(str::to_string)
        .or_else(|| closest(name, &choices));
    let admin = kit::has_frame(cx.tb, "django/contrib/admin/", "");
    let frame = orm::user_frame(cx);
    let code = frame.and_then(|f| f.code.as_deref()).unwrap_or("");

    let mut v = orm::values(cx);
    v.set("name", name).set("good", suggestion.clone().unwrap_or_else(|| "a name from the Choices list".into()));
    v.set("code", code);
    let workflow = ci::workflow(
        &v,
        "checks and tests",
        &[Step { name: "Check", run: "python manage.py check" }, Step { name: "Test", run: "pytest" }],
    );
    let test = orm::python("Queries run", "tests/test_queries.py", TEST_QUERY.into());
    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("`{name}` is unknown there."), Some(line));

    if !keyword_form {
        let c = r.cause("lookup-typo", v.fill("`{name}` is no lookup of this field"), 1.0);
        if let Some(s) = &suggestion {
            c.support(2.0, format!("Django suggests `{s}`."), Some(line));
        }
        if related {
            c.weaken(0.3, "A relation: likely a field name.");
        }
        c.fix(fix(&v, "Use a supported lookup.")).tests(vec![test.clone()]).ci(workflow.clone());
        c.checks(vec!["See Field lookups.".into()]);
        let c = r.cause("field-after-relation-typo", v.fill("`{name}` is a misspelt related field"), 0.4);
        if related {
            c.support(3.0, "After a relation, a bad field reads as a lookup.", Some(line));
        }
        v.set("good", "a related field");
        c.fix(fix(&v, "Spell the related field.")).tests(vec![test]).ci(workflow);
        c.checks(vec!["Check the related model's fields.".into()]);
        return orm::finish(r, TIE);
    }

    let c = r.cause("typo-or-renamed", v.fill("`{name}` is a typo or old name"), 1.0);
    match &suggestion {
        Some(s) => c.support(2.0, format!("Close: `{s}`."), Some(line)),
        None => c.weaken(0.5, "No close choice."),
    };
    c.fix(fix(&v, "Use the name from Choices.")).tests(vec![test.clone()]).ci(workflow.clone());
    c.checks(vec!["`git log -S` the name.".into()]);

    let c = r.cause("reverse-accessor-name", "`x_set` used instead of the query name", 0.2);
    if name.ends_with("_set") {
        let base = name.strip_suffix("_set").unwrap_or(name);
        c.support(4.0, format!("Queries use `{base}`."), Some(line));
        v.set("good", base);
    } else {
        c.weaken(0.3, "No `_set` suffix.");
    }
    c.fix(fix(&v, "Use the related_query_name.")).tests(vec![test.clone()]).ci(workflow.clone());
    c.checks(vec!["See the ForeignKey's related_query_name.".into()]);

    let c = r.cause("property-not-a-field", v.fill("`{name}` is a @property, not a column"), 0.4);
    if ["is_", "has_", "get_", "can_", "total", "full_"].iter().any(|p| name.starts_with(p)) {
        c.support(1.5, "Reads like a computed value.", Some(line));
    }
    if suggestion.is_some() {
        c.weaken(0.3, "A close field exists.");
    }
    c.fix(v.fix(
        "Filter on the property's columns.",
        "views.py",
        "python",
        "qs = Model.objects.filter({name}=True)\n",
        "qs = Model.objects.filter(pages__gt=400)\n",
    ))
    .tests(vec![test.clone()])
    .ci(workflow.clone());
    c.checks(vec![v.fill("`def {name}` on the model?")]);

    let c = r.cause("admin-option", "An admin option names a missing field", 0.1);
    if admin {
        c.support(4.0, "Admin frames.", None);
    } else {
        c.weaken(0.2, "No admin frame.");
    }
    c.fix(fix(&v, "Fix the ModelAdmin option.")).tests(vec![test]).ci(workflow);
    c.checks(vec!["`python manage.py check`".into()]);
    orm::finish(r, TIE)
}

fn fix(v: &Values, summary: &str) -> crate::model::Fix {
    let before = if v.get("code").is_empty() {
        v.fill("qs = Model.objects.filter({name}=value)")
    } else {
        v.get("code").to_string()
    };
    let good = v.get("good");
    let after = if good.contains(' ') || good == v.get("name") {
        format!("{before}  # <- {good}")
    } else {
        before.replacen(v.get("name"), good, 1)
    };
    crate::model::Fix {
        summary: summary.into(),
        file: "your code".into(),
        language: "text",
        before,
        after,
        also: Vec::new(),
    }
}

const TEST_QUERY: &str = r#"import pytest
from django.apps import apps


@pytest.mark.django_db
def test_queries_run():
    for model in apps.get_models():
        list(model.objects.all()[:1])
"#;

/// The choice at most two edits away from `name`, if exactly one is the closest.
fn closest(name: &str, choices: &[&str]) -> Option<String> {
    let mut best: Option<(usize, &str)> = None;
    for c in choices {
        let d = distance(name, c);
        if d <= 2 && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c.to_string())
}

/// Levenshtein distance between two short names.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row.first().copied().unwrap_or(0);
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
        for j in 0..b.len() {
            let cost = usize::from(b.get(j) != Some(&ca));
            let next =
                (prev + cost).min(row.get(j).copied().unwrap_or(0) + 1).min(row.get(j + 1).copied().unwrap_or(0) + 1);
            prev = row.get(j + 1).copied().unwrap_or(0);
            if let Some(slot) = row.get_mut(j + 1) {
                *slot = next;
            }
        }
    }
    row.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn closest_choice() {
        let choices = ["author", "author_id", "id", "pages", "title"];
        assert_eq!(super::closest("titel", &choices).as_deref(), Some("title"));
        assert_eq!(super::closest("is_long", &choices), None);
        assert_eq!(super::distance("kitten", "sitting"), 3);
    }
}
