//! `model-does-not-exist` (DJ009): `Model.objects.get()` found no row.
//!
//! Recognised by a `<module>.<Model>.DoesNotExist` (`<module>.DoesNotExist` on Django ≤ 2.2, bare `DoesNotExist`
//! on the debug page) whose message is `<Model> matching query does not exist.` — the same in every Django
//! version and on every database. `RelatedObjectDoesNotExist` ("User has no profile.") is DJ046, not this.
//! Causes: a missing id from the request (stale link, bot), a row the code needs that this database lacks
//! (fresh database, `SITE_ID`), a test without data, or the wrong lookup. Evidence: the model (`Site`), what ran
//! the query (view, command, test) and the user's line with the lookup.

use super::ci::{self, Step};
use super::kit::{self, Ranking, Values};
use super::orm_common::{self as orm, Place};
use super::{Context, Family};
use crate::model::{Diagnosis, Fix, Snippet};

pub const FAMILY: Family = Family {
    id: "model-does-not-exist",
    code: "DJ009",
    title: "get() found no matching row (DoesNotExist)",
    summary: "`<Model>.DoesNotExist: <Model> matching query does not exist.` — `Model.objects.get(...)` found no \
              row: an id from the URL that does not exist, a row the code expects that this database lacks (a \
              fresh database, SITE_ID), or a test that created no data.",
    example: "real/orm/model_does_not_exist.txt",
    diagnose,
};

const EXPLANATION: &str = "`Model.objects.get(...)` must find exactly one row; it found none and raised the \
model's `DoesNotExist`. Nothing is broken in the database: the value looked up is simply not there, in this \
database. In a view, that should become a 404 (`get_object_or_404`), not a 500; elsewhere, decide what the code \
should do when the row is missing.";

const REFERENCES: [&str; 2] = [
    "Django documentation: QuerySet.get() — https://docs.djangoproject.com/en/stable/ref/models/querysets/#get",
    "Django documentation: get_object_or_404() — https://docs.djangoproject.com/en/stable/topics/http/shortcuts/#get-object-or-404",
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
    v.set("model", model.clone()).set("module", module).set("lower", model.to_lowercase());
    v.set("app", orm::app_of(ty).unwrap_or("myapp"));
    v.set("url", cx.facts.request_url.clone().unwrap_or_else(|| format!("/{}s/999999/", model.to_lowercase())));
    let workflow = ci::workflow(
        &v,
        "migrations and the missing-row tests",
        &[
            Step { name: "Check the project", run: "python manage.py check" },
            Step {
                name: "Apply migrations (data migrations create required rows)",
                run: "python manage.py migrate --noinput",
            },
            Step { name: "Run the tests", run: "pytest" },
        ],
    );
    let ci_note = "CI cannot know which rows exist in production; tests that ask for a missing row (and a data \
                   migration for rows the code needs) are what catch this.";

    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("`{model}.DoesNotExist`: the lookup matched no {model} row."), Some(hit.line));
    let line_ev = (!code.is_empty()).then(|| format!("Your lookup, in {}.", orm::place_words(place)));

    let c = r.cause(
        "missing-id-from-request",
        format!("The {model} asked for (id or slug from the URL) does not exist"),
        1.0,
    );
    if place == Place::Request {
        c.support(
            2.0,
            "It happened in a view: a URL with an id that does not exist (an old link, a bot, a typo) reaches `get()`.",
            Some(code),
        );
    } else {
        c.weaken(0.4, format!("It happened in {}, not in a view.", orm::place_words(place)));
    }
    if site {
        c.weaken(0.2, "The model is `Site`: its row comes from SITE_ID, not from a URL.");
    }
    c.fix(fix_404(&v, frame)).tests(vec![test_404(&v), test_raises(&v)]).ci(workflow.clone());
    c.checks(vec![
        "Open the URL with an id you know exists, then with one that does not: the second must answer 404, not 500."
            .into(),
        ci_note.into(),
    ]);

    let c = r.cause(
        "row-missing-in-this-database",
        format!("A {model} row the code relies on is missing in this database"),
        0.6,
    );
    if site {
        c.support(
            4.0,
            "`Site.objects.get_current()` looks up the SITE_ID setting: no Site has that id in this database.",
            Some(hit.line),
        );
    }
    if place == Place::Command {
        c.support(1.0, "A management command ran it: commands usually expect rows to exist already.", None);
    }
    if let Some(e) = &line_ev {
        c.support(0.0, e.clone(), Some(code));
    }
    c.fix(if site { fix_site(&v) } else { fix_data_migration(&v) }).tests(vec![test_raises(&v)]).ci(workflow.clone());
    c.checks(vec![
        v.fill("`python manage.py shell -c \"from {module} import {model}; print(list({model}.objects.values_list('pk', flat=True)[:20]))\"` on the failing server: which rows exist?"),
        "Compare with the database the code was written against: a fresh or restored database lacks rows created by hand.".into(),
        ci_note.into(),
    ]);

    let c = r.cause("test-without-data", format!("The test never created the {model} it reads"), 0.2);
    if place == Place::Test {
        c.support(3.0, "It happened in a test: every test starts with an empty database (rows from other tests or the dev database are not there).", Some(code));
    } else {
        c.weaken(0.5, "No test frame in the paste.");
    }
    c.fix(fix_test(&v)).tests(vec![test_creates(&v)]).ci(workflow.clone());
    c.checks(vec!["Create the row in the test (or a fixture) and look it up by the pk `create()` returned, never by a hard-coded id.".into()]);

    let c = r.cause("wrong-lookup", "The lookup uses the wrong field or value", 0.3);
    if code.contains("request.user") {
        c.support(
            0.5,
            "The lookup uses `request.user`: an anonymous visitor or a different user than expected matches nothing.",
            Some(code),
        );
    }
    c.fix(fix_404(&v, frame)).tests(vec![test_raises(&v)]).ci(workflow);
    c.checks(vec![format!("Print the lookup's value just before `get()`: is it the field you meant ({model}.pk vs a related id) and the type you expect?")]);

    r.finish(|a, b| {
        format!("The paste cannot decide between \"{a}\" and \"{b}\": look up the same value in the failing environment's database (shell); if the row exists there, the lookup is wrong; if not, the row is missing.")
    })
}

fn fix_404(v: &Values, frame: Option<&crate::model::Frame>) -> Fix {
    let model = v.get("model");
    let marker = ".objects.get(";
    let block = frame.and_then(orm::user_block).filter(|b| b.contains(marker));
    let name = block.as_deref().and_then(|b| orm::name_before(b, marker)).unwrap_or(model).to_string();
    let before =
        block.clone().unwrap_or_else(|| v.fill("def detail(request, pk):\n    obj = {model}.objects.get(pk=pk)\n"));
    let after = before.replace(&format!("{name}{marker}"), &format!("get_object_or_404({name}, "));
    Fix {
        summary: "In a view, turn a missing row into a 404 with get_object_or_404 (elsewhere, catch DoesNotExist or use .filter().first()).".into(),
        file: frame.map_or("views.py".into(), |f| f.file.rsplit('/').next().unwrap_or("views.py").to_string()),
        language: "python",
        before,
        after: format!("from django.shortcuts import get_object_or_404\n\n{after}"),
        also: Vec::new(),
    }
}

fn fix_site(v: &Values) -> Fix {
    v.fix(
        "Point SITE_ID at a Site that exists (see /admin/sites/site/), or create it in a data migration.",
        "settings.py",
        "python",
        "SITE_ID = 2  # no Site with this id in this database\n",
        "import os\n\n# The id of an existing row of django_site (check with the admin or the shell).\nSITE_ID = int(os.environ.get(\"SITE_ID\", \"1\"))\n",
    )
}

fn fix_data_migration(v: &Values) -> Fix {
    v.fix(
        "Create the rows the code needs in a data migration, so every database (fresh, test, production) has them.",
        "migrations/0002_required_rows.py",
        "python",
        "# The row was created by hand in one database only.\n",
        "from django.db import migrations\n\n\ndef create_rows(apps, schema_editor):\n    {model} = apps.get_model(\"{app}\", \"{model}\")\n    {model}.objects.get_or_create(pk=1)  # fill in the fields the code expects\n\n\nclass Migration(migrations.Migration):\n    dependencies = []  # add the app's latest migration\n    operations = [migrations.RunPython(create_rows, migrations.RunPython.noop)]\n",
    )
}

fn fix_test(v: &Values) -> Fix {
    v.fix(
        "Create the row inside the test and use the pk it got.",
        "tests/test_models.py",
        "python",
        "def test_reads():\n    obj = {model}.objects.get(pk=1)\n",
        "def test_reads():\n    created = {model}.objects.create()  # fill in the required fields\n    obj = {model}.objects.get(pk=created.pk)\n",
    )
}

const TEST_404: &str = r#"import pytest


@pytest.mark.django_db
def test_missing_{lower}_answers_404(client):
    """A URL naming a {model} that does not exist is a 404, not a 500."""
    response = client.get("{url}")
    assert response.status_code == 404
"#;

const TEST_RAISES: &str = r#"import pytest

from {module} import {model}


@pytest.mark.django_db
def test_{lower}_lookup_of_a_missing_row_raises():
    with pytest.raises({model}.DoesNotExist):
        {model}.objects.get(pk=999999)
"#;

const TEST_CREATES: &str = r#"import pytest

from {module} import {model}


@pytest.mark.django_db
def test_reads_the_{lower}_it_created():
    created = {model}.objects.create()  # fill in the required fields
    assert {model}.objects.get(pk=created.pk) == created
"#;

fn test_404(v: &Values) -> Snippet {
    orm::python("A missing object is a 404", "tests/test_views.py", v.fill(TEST_404))
}

fn test_raises(v: &Values) -> Snippet {
    orm::python("The lookup of a missing row raises DoesNotExist", "tests/test_models.py", v.fill(TEST_RAISES))
}

fn test_creates(v: &Values) -> Snippet {
    orm::python("The test creates the row it reads", "tests/test_models.py", v.fill(TEST_CREATES))
}
