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
    title: "A query names a field or lookup the model does not have (FieldError)",
    summary: "`FieldError: Cannot resolve keyword 'x' into field. Choices are: …` or `Unsupported lookup 'x' for \
              CharField` — a `filter()`, `order_by()`, `values()` or admin option names something that is not a \
              database field of the model: a typo, an old name, a reverse accessor, a @property, a wrong lookup.",
    example: "real/orm/field_error_keyword.txt",
    diagnose,
};

const EXPLANATION: &str = "Django turns each keyword of `filter()`, `exclude()`, `order_by()`, `values()` into \
SQL by walking the model's fields (`author__name` = the field `name` of the related `author`). One part of the \
name is not a database field or lookup there, so no SQL can be built. The message lists the names that are \
valid at that point (\"Choices are\") or names the field type that does not know the lookup.";

const REFERENCES: [&str; 3] = [
    "Django documentation: Field lookups — https://docs.djangoproject.com/en/stable/ref/models/querysets/#field-lookups",
    "Django documentation: Lookups that span relationships — https://docs.djangoproject.com/en/stable/topics/db/queries/#lookups-that-span-relationships",
    "Django documentation: ForeignKey.related_query_name — https://docs.djangoproject.com/en/stable/ref/models/fields/#django.db.models.ForeignKey.related_query_name",
];

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
        "system checks and the query tests",
        &[
            Step { name: "System checks (admin options, model ordering)", run: "python manage.py check" },
            Step { name: "Run the tests that evaluate each query", run: "pytest" },
        ],
    );
    let test = orm::python("Every custom query runs", "tests/test_queries.py", v.fill(TEST_QUERY));
    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("`FieldError`: `{name}` is not a field or lookup Django can use there."), Some(line));

    if !keyword_form {
        let c = r.cause("lookup-typo", v.fill("`{name}` is not a lookup of this field type"), 1.0);
        if let Some(s) = &suggestion {
            c.support(2.0, format!("Django suggests `{s}`."), Some(line));
        }
        if related {
            c.weaken(
                0.3,
                format!(
                    "The field is a relation ({}): the part after it is more likely a field name of the related model.",
                    if field_type.is_empty() { "Related Field" } else { field_type }
                ),
            );
        }
        c.fix(fix(&v, "Use a lookup the field type supports (`contains`, `icontains`, `exact`, `in`, `gte`, …)."))
            .tests(vec![test.clone()])
            .ci(workflow.clone());
        c.checks(vec!["Django documentation, Field lookups: is the lookup spelled as listed there?".into()]);
        let c = r.cause(
            "field-after-relation-typo",
            v.fill("`{name}` after a relation is a misspelt field of the related model"),
            0.4,
        );
        if related {
            c.support(3.0, "The field before it is a relation: Django read the misspelt field name as a lookup on the foreign key.", Some(line));
        }
        v.set("good", "a field name of the related model");
        c.fix(fix(&v, "Spell the related model's field exactly (`author__name`, not `author__nam`)."))
            .tests(vec![test])
            .ci(workflow);
        c.checks(vec!["Open the related model and compare its field names with the name after `__`.".into()]);
        return r.finish(tie);
    }

    let c = r.cause("typo-or-renamed", v.fill("`{name}` is a typo or an old name of a field"), 1.0);
    match &suggestion {
        Some(s) => {
            c.support(2.0, format!("`{s}` in the Choices list is one or two letters away from `{name}`."), Some(line))
        }
        None => c.weaken(0.5, format!("No name in the Choices list is close to `{name}`.")),
    };
    c.fix(fix(&v, "Use the field's real name, from the Choices list.")).tests(vec![test.clone()]).ci(workflow.clone());
    c.checks(vec![
        "`git log -S` the name: was the field renamed in a migration while this query kept the old name?".into()
    ]);

    let c =
        r.cause("reverse-accessor-name", "The reverse accessor (`x_set`) is used where the query name is needed", 0.2);
    if name.ends_with("_set") {
        let base = name.strip_suffix("_set").unwrap_or(name);
        c.support(4.0, format!("`{name}` is a reverse accessor: in queries the relation is called `{base}` (or its related_query_name)."), Some(line));
        v.set("good", base);
    } else {
        c.weaken(0.3, format!("`{name}` does not end in `_set`."));
    }
    c.fix(fix(&v, "In filters, a reverse relation is named by its related_query_name (default: the model name in lowercase), not `x_set`.")).tests(vec![test.clone()]).ci(workflow.clone());
    c.checks(vec![
        "Look at the ForeignKey pointing to this model: its related_name/related_query_name is the name to use.".into(),
    ]);

    let c = r.cause("property-not-a-field", v.fill("`{name}` is a @property or method, not a database column"), 0.4);
    if ["is_", "has_", "get_", "can_", "total", "full_"].iter().any(|p| name.starts_with(p)) {
        c.support(
            1.5,
            format!(
                "`{name}` reads like a computed value (a @property or method), which the database cannot filter on."
            ),
            Some(line),
        );
    }
    if suggestion.is_some() {
        c.weaken(0.3, "A close field name exists, so a typo is more likely.");
    }
    c.fix(v.fix(
        "Filter on the columns the property uses, or annotate the value first.",
        "views.py",
        "python",
        "qs = Model.objects.filter({name}=True)\n",
        "# Express the property in SQL, e.g. is_long = pages > 400:\nqs = Model.objects.filter(pages__gt=400)\n# or: Model.objects.annotate(...).filter(...)\n",
    ))
    .tests(vec![test.clone()])
    .ci(workflow.clone());
    c.checks(vec![v.fill(
        "Search the model for `def {name}`: a @property or method is Python only; the database does not know it.",
    )]);

    let c =
        r.cause("admin-option", "An admin option (ordering, list_filter, search_fields) names a missing field", 0.1);
    if admin {
        c.support(4.0, "The frames are Django admin's: the name comes from a ModelAdmin option.", None);
    } else {
        c.weaken(0.2, "No admin frame in the paste.");
    }
    c.fix(fix(
        &v,
        "Correct the ModelAdmin option; `python manage.py check` reports admin options that name missing fields.",
    ))
    .tests(vec![test])
    .ci(workflow);
    c.checks(vec!["`python manage.py check` (admin.E108/E116 list the bad options).".into()]);
    r.finish(tie)
}

fn tie(a: &str, b: &str) -> String {
    format!("The paste cannot decide between \"{a}\" and \"{b}\": open the model and search for the name; a field with another spelling points to a typo, a `def` to a property.")
}

fn fix(v: &Values, summary: &str) -> crate::model::Fix {
    let before = if v.get("code").is_empty() {
        v.fill("qs = Model.objects.filter({name}=value)")
    } else {
        v.get("code").to_string()
    };
    let good = v.get("good");
    let after = if good.contains(' ') || good == v.get("name") {
        format!("{before}  # <- replace `{}` with {good}", v.get("name"))
    } else {
        before.replacen(v.get("name"), good, 1)
    };
    crate::model::Fix {
        summary: summary.into(),
        file: "the line shown".into(),
        language: "text",
        before,
        after,
        also: Vec::new(),
    }
}

const TEST_QUERY: &str = r#"import pytest


@pytest.mark.django_db
def test_custom_queries_run():
    """A bad field name only fails when the query is built: build and run each one."""
    from django.apps import apps

    for model in apps.get_models():
        list(model.objects.all()[:1])
    # Add the project's own querysets here, e.g. list(Book.objects.filter(title__icontains="x"))
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
