//! `json-not-serializable` (DJ050): a value JSON cannot encode reached JsonResponse, json.dumps or the session.
//!
//! Recognised by a `TypeError` `Object of type X is not JSON serializable` (older Pythons word it slightly
//! differently) or JsonResponse's `In order to allow non-dict objects to be serialized set the safe parameter to
//! False.` Causes are ranked by the type (QuerySet, a model, datetime, Decimal, UUID) and the frames
//! (JsonResponse, the session serializer).

use super::ci::{self, Step};
use super::kit::{self, Ranking, Values};
use super::{Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "json-not-serializable",
    code: "DJ050",
    title: "Value is not JSON serializable",
    summary: "A QuerySet, model, datetime or Decimal went to JSON, or a list without safe=False.",
    example: "real/web/json_queryset.txt",
    diagnose,
};

const EXPLANATION: &str = "JSON takes only dicts, lists, strings, numbers, booleans and null.";

const REFERENCES: [&str; 1] =
    ["Django docs: JsonResponse — https://docs.djangoproject.com/en/stable/ref/request-response/#jsonresponse-objects"];

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let patterns = ["is not JSON serializable", "In order to allow non-dict objects to be serialized"];
    let Some(hit) = kit::find(cx.tb, &["TypeError"], &patterns) else {
        return Vec::new();
    };
    let line = hit.line;
    let safe = hit.pattern == patterns[1];
    let ty = kit::between(line, "Object of type ", " is not").map(|t| t.trim_matches('\'')).unwrap_or("object");
    let session = kit::has_frame(cx.tb, "django/core/signing.py", "")
        || kit::frames(cx.tb).any(|f| f.file.contains("django/contrib/sessions/"));
    let json_response = kit::has_frame(cx.tb, "django/http/response.py", "__init__");
    let scalar = matches!(ty, "datetime" | "date" | "time" | "Decimal" | "UUID" | "timedelta");
    let orm = ty == "QuerySet" || (!scalar && ty.chars().next().is_some_and(char::is_uppercase));
    let mut v = Values::new(cx);
    v.set("ty", ty);
    let quote = Some(line);
    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("JSON refused {}.", if safe { "a top-level list" } else { ty }), quote);
    let workflow = ci::workflow(&v, "tests", &[Step { name: "Tests", run: "pytest" }]);
    let tests = vec![v.snippet("Endpoint answers", "tests/test_api.py", "python", TEST)];
    let checks = vec!["Print type() of each value.".to_string()];
    let views = |summary: &str, before: &str, after: &str| v.fix(summary, "views.py", "python", before, after);

    let c = r.cause("orm-object", "A QuerySet or model as JSON", 0.4);
    if orm && !session {
        c.support(3.0, "A Django object.", quote);
    }
    if json_response {
        c.support(0.5, "JsonResponse.", None);
    }
    c.fix(views("Use dicts.", "JsonResponse({\"items\": qs})\n", "JsonResponse({\"items\": list(qs.values())})\n"))
        .tests(tests.clone())
        .ci(workflow.clone())
        .checks(checks.clone());

    let c = r.cause("session-value", "An object in the session", 0.1);
    if session {
        c.support(4.0, "The session serializer.", None);
    }
    c.fix(views("Store JSON types.", "session[\"t\"] = now()\n", "session[\"t\"] = now().isoformat()\n"))
        .tests(tests.clone())
        .ci(workflow.clone())
        .checks(checks.clone());

    let c = r.cause("scalar-type", "datetime/Decimal/UUID in json.dumps", 0.2);
    if scalar && !session {
        c.support(3.0, "Needs DjangoJSONEncoder.", quote);
    }
    c.fix(views(
        "Use DjangoJSONEncoder.",
        "json.dumps(data)\n",
        "from django.core.serializers.json import DjangoJSONEncoder\n\njson.dumps(data, cls=DjangoJSONEncoder)\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(checks.clone());

    let c = r.cause("list-not-safe", "A list without safe=False", 0.0);
    if safe {
        c.support(5.0, "A top-level list.", quote);
    }
    c.fix(views("Wrap it in a dict.", "JsonResponse(tags)\n", "JsonResponse({\"tags\": tags})\n"))
        .tests(tests)
        .ci(workflow)
        .checks(checks);

    super::orm_common::finish(r, "the calling frame shows the value.")
}

const TEST: &str = r#"import pytest


@pytest.mark.django_db
def test_json(client):
    assert client.get("/api/").status_code == 200
"#;
