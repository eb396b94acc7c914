//! `model-does-not-exist` (DJ009): `Model.objects.get()` found no row.
//!
//! Recognised by a `<Model>.DoesNotExist` (any module form, or bare on the debug page) whose message is
//! `<Model> matching query does not exist.`; `RelatedObjectDoesNotExist` is DJ046. Causes: a missing id from
//! the request, a row this database lacks (`SITE_ID`), a test without data, the wrong lookup. Evidence: the
//! model, what ran the query and the user's line.

use super::ci::{self, Step};
use super::kit::{self, Ranking, Values};
use super::orm_common::{self as orm, Place};
use super::{Context, Family};
use crate::model::{Diagnosis, Fix, Frame};

pub const FAMILY: Family = Family {
    id: "model-does-not-exist",
    code: "DJ009",
    title: "get() found no matching row (DoesNotExist)",
    summary: "`get()` found no row: unknown id, row missing here (SITE_ID), or test without data.",
    example: "real/orm/model_does_not_exist.txt",
    diagnose,
};

const EXPLANATION: &str = "`get()` found no row for this value in this database. In a view, answer 404.";

const REFERENCES: [&str; 1] = [
    "Django docs: get_object_or_404() — https://docs.djangoproject.com/en/stable/topics/http/shortcuts/#get-object-or-404",
];

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let Some(hit) = kit::find(cx.tb, &["DoesNotExist"], &[" matching query does not exist"]) else {
        return Vec::new();
    };
    if hit.exception.type_name.ends_with("RelatedObjectDoesNotExist") {
        return Vec::new();
    }
    let model = orm::ident(hit.line.split(" matching query").next().unwrap_or(""), "Item");
    let ty = hit.exception.type_name.as_str();
    let module = ty
        .strip_suffix(".DoesNotExist")
        .map(|t| t.strip_suffix(&format!(".{model}")).unwrap_or(t))
        .filter(|m| m.contains(".models"))
        .unwrap_or("myapp.models");
    let place = orm::place(cx);
    let frame = orm::user_frame(cx);
    let code = frame.and_then(|f| f.code.as_deref()).unwrap_or("");
    let site = model == "Site";

    let mut v = orm::values(cx);
    v.set("model", model.clone()).set("module", module).set("lower", model.to_ascii_lowercase());
    v.set("app", orm::app_of(ty).unwrap_or("myapp"));
    v.set("url", cx.facts.request_url.clone().unwrap_or_else(|| format!("/{}s/999999/", model.to_ascii_lowercase())));
    let workflow = ci::workflow(
        &v,
        "tests",
        &[Step { name: "Migrate", run: "python manage.py migrate --noinput" }, Step { name: "Tests", run: "pytest" }],
    );
    let raises = orm::python("Missing row raises", "tests/test_models.py", v.fill(TEST_RAISES));
    let fix_404 = fix_404(&v, frame);

    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("No {model} row matched."), Some(hit.line));
    let words = orm::place_words(place);

    let c = r.cause("missing-id-from-request", format!("The {model} in the URL does not exist"), 1.0);
    if place == Place::Request {
        c.support(2.0, "In a view: unknown id.", Some(code));
    } else {
        c.weaken(0.4, format!("Ran in {words}."));
    }
    if site {
        c.weaken(0.2, "`Site` comes from SITE_ID.");
    }
    c.fix(fix_404.clone())
        .tests(vec![orm::python("Missing is 404", "tests/test_views.py", v.fill(TEST_404))])
        .ci(workflow.clone())
        .checks(vec!["Unknown id answers 404?".into()]);

    let c = r.cause("row-missing-in-this-database", format!("A needed {model} row is missing here"), 0.6);
    if site {
        c.support(4.0, "No Site has this SITE_ID.", Some(hit.line));
    }
    if place == Place::Command {
        c.support(1.0, "A command expects the row.", None);
    }
    if !code.is_empty() {
        c.support(0.0, format!("In {words}."), Some(code));
    }
    let (summary, file, before, after) = if site {
        ("Use an existing Site.", "settings.py", "SITE_ID = 2\n", "SITE_ID = 1\n")
    } else {
        ("Create rows in a data migration.", "migrations/0002_rows.py", "", DATA_MIGRATION)
    };
    c.fix(v.fix(summary, file, "python", before, after))
        .tests(vec![raises.clone()])
        .ci(workflow.clone())
        .checks(vec![v.fill("`{model}.objects.count()` there.")]);

    let c = r.cause("test-without-data", format!("The test never created the {model}"), 0.2);
    if place == Place::Test {
        c.support(3.0, "In a test: the database starts empty.", Some(code));
    } else {
        c.weaken(0.5, "No test frame.");
    }
    c.fix(v.fix(
        "Create the row in the test.",
        "tests/test_models.py",
        "python",
        "obj = {model}.objects.get(pk=1)\n",
        "obj = {model}.objects.create()\n",
    ))
    .tests(vec![orm::python("Test creates the row", "tests/test_models.py", v.fill(TEST_CREATES))])
    .ci(workflow.clone())
    .checks(vec!["No hard-coded ids in tests.".into()]);

    let c = r.cause("wrong-lookup", "Wrong lookup field or value", 0.3);
    if code.contains("request.user") {
        c.support(0.5, "Uses `request.user`.", Some(code));
    }
    c.fix(fix_404).tests(vec![raises]).ci(workflow);
    c.checks(vec!["Print the value before `get()`.".into()]);

    orm::finish(r, "look the value up in that database's shell.")
}

fn fix_404(v: &Values, frame: Option<&Frame>) -> Fix {
    let model = v.get("model");
    let marker = ".objects.get(";
    let block = frame.and_then(orm::user_block).filter(|b| b.contains(marker));
    let name = block.as_deref().and_then(|b| orm::name_before(b, marker)).unwrap_or(model).to_string();
    let before =
        block.clone().unwrap_or_else(|| v.fill("def detail(request, pk):\n    obj = {model}.objects.get(pk=pk)\n"));
    let after = before.replace(&format!("{name}{marker}"), &format!("get_object_or_404({name}, "));
    Fix {
        summary: "Use get_object_or_404.".into(),
        file: frame.map_or("views.py".into(), |f| f.file.rsplit('/').next().unwrap_or("views.py").to_string()),
        language: "python",
        before,
        after: format!("from django.shortcuts import get_object_or_404\n\n{after}"),
        also: Vec::new(),
    }
}

const DATA_MIGRATION: &str = "from django.db import migrations\n\n\ndef create_rows(apps, schema_editor):\n    apps.get_model(\"{app}\", \"{model}\").objects.get_or_create(pk=1)\n\n\nclass Migration(migrations.Migration):\n    operations = [migrations.RunPython(create_rows)]\n";

const TEST_404: &str = r#"import pytest


@pytest.mark.django_db
def test_missing_{lower}_is_404(client):
    assert client.get("{url}").status_code == 404
"#;

const TEST_RAISES: &str = r#"import pytest

from {module} import {model}


@pytest.mark.django_db
def test_missing_{lower}_raises():
    with pytest.raises({model}.DoesNotExist):
        {model}.objects.get(pk=999999)
"#;

const TEST_CREATES: &str = r#"import pytest

from {module} import {model}


@pytest.mark.django_db
def test_reads_created_{lower}():
    obj = {model}.objects.create()
    assert {model}.objects.get(pk=obj.pk) == obj
"#;
