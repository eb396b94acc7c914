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
    summary: "TypeError \"Object of type X is not JSON serializable\": a QuerySet, model, datetime or Decimal went to JsonResponse, json.dumps or the session, or a list without safe=False.",
    example: "real/web/json_queryset.txt",
    diagnose,
};

const EXPLANATION: &str = "JSON knows only dicts, lists, strings, numbers, booleans and null. QuerySets and models \
must become dicts first; datetime/Decimal/UUID need DjangoJSONEncoder. JsonResponse refuses a top-level list \
unless safe=False.";

const REFERENCES: [&str; 2] = [
    "Django docs: JsonResponse — https://docs.djangoproject.com/en/stable/ref/request-response/#jsonresponse-objects",
    "Django docs: Session serialization — https://docs.djangoproject.com/en/stable/topics/http/sessions/#session-serialization",
];

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
    let tests = vec![v.snippet("The endpoint answers JSON", "tests/test_api.py", "python", TEST)];
    let checks = vec!["Print type() of each value: only dict, list, str, int, float, bool, None pass.".to_string()];
    let views = |summary: &str, before: &str, after: &str| v.fix(summary, "views.py", "python", before, after);

    let c = r.cause("orm-object", "A QuerySet or model instance was passed as JSON", 0.4);
    if orm && !session {
        c.support(3.0, "A Django object: use .values(), model_to_dict or a serializer.", quote);
    }
    if json_response {
        c.support(0.5, "JsonResponse is encoding it.", None);
    }
    c.fix(views(
        "Turn the {ty} into dicts first.",
        "JsonResponse({\"items\": Item.objects.all()})\n",
        "JsonResponse({\"items\": list(Item.objects.values(\"id\", \"name\"))})\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(checks.clone());

    let c = r.cause("session-value", "An object was stored in request.session", 0.1);
    if session {
        c.support(4.0, "The session serializer: store ids and ISO strings.", None);
    }
    c.fix(views(
        "Store JSON types in the session, not the {ty}.",
        "request.session[\"seen\"] = timezone.now()\n",
        "request.session[\"seen\"] = timezone.now().isoformat()\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(checks.clone());

    let c = r.cause("scalar-type", "A datetime, Decimal or UUID with the plain JSON encoder", 0.2);
    if scalar && !session {
        c.support(3.0, "Needs DjangoJSONEncoder (json.dumps lacks it).", quote);
    }
    c.fix(views(
        "Encode with DjangoJSONEncoder.",
        "json.dumps(data)\n",
        "from django.core.serializers.json import DjangoJSONEncoder\n\njson.dumps(data, cls=DjangoJSONEncoder)\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(checks.clone());

    let c = r.cause("list-not-safe", "A list passed to JsonResponse without safe=False", 0.0);
    if safe {
        c.support(5.0, "A top-level list needs safe=False.", quote);
    }
    c.fix(views(
        "Wrap the list in a dict, or pass safe=False.",
        "JsonResponse(TAGS)\n",
        "JsonResponse({\"tags\": TAGS})\n",
    ))
    .tests(tests)
    .ci(workflow)
    .checks(checks);

    r.finish(|a, b| {
        format!("\"{a}\" or \"{b}\"? The frame calling JsonResponse, json.dumps or the session shows the value.")
    })
}

const TEST: &str = r#"import pytest


@pytest.mark.django_db
def test_json_endpoint(client):
    assert client.get("/api/path/").status_code == 200  # the endpoint that raised
"#;
