//! `json-not-serializable` (DJ050): a value that JSON cannot encode reached JsonResponse, json.dumps or the
//! session serializer.
//!
//! Recognised by a `TypeError` saying `Object of type X is not JSON serializable` (Python 3.7+; 3.6 quotes the
//! type, 2.7 prints `<repr> is not JSON serializable`) or JsonResponse's `In order to allow non-dict objects to be
//! serialized set the safe parameter to False.` Causes are ranked by the type name (QuerySet, a model, datetime,
//! Decimal, UUID) and the frames: `http/response.py` (JsonResponse), `contrib/sessions` or `core/signing.py`
//! (the session), `json/encoder.py` alone (a plain json.dumps).

use super::ci::{self, Step};
use super::kit::{self, Ranking, Values};
use super::{Context, Family};
use crate::model::{Diagnosis, Fix, Snippet};

pub const FAMILY: Family = Family {
    id: "json-not-serializable",
    code: "DJ050",
    title: "Value is not JSON serializable",
    summary: "TypeError \"Object of type X is not JSON serializable\" or \"In order to allow non-dict objects to be \
              serialized set the safe parameter to False\": a QuerySet, model instance, datetime or Decimal was \
              passed to JsonResponse/json.dumps or stored in request.session, or a list was returned with safe=True.",
    example: "real/web/json_queryset.txt",
    diagnose,
};

const EXPLANATION: &str = "JSON knows only dicts, lists, strings, numbers, booleans and null. JsonResponse, \
json.dumps and the session serializer raise TypeError for anything else — a QuerySet or model instance must be \
turned into dicts first, and datetime/Decimal/UUID need DjangoJSONEncoder. JsonResponse also refuses a top-level \
list unless safe=False.";

const REFERENCES: [&str; 2] = [
    "Django documentation: JsonResponse objects — https://docs.djangoproject.com/en/stable/ref/request-response/#jsonresponse-objects",
    "Django documentation: Sessions › Session serialization — https://docs.djangoproject.com/en/stable/topics/http/sessions/#session-serialization",
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
    r.recognised(
        format!("The JSON encoder refused a value ({}).", if safe { "a top-level list with safe=True" } else { ty }),
        quote,
    );
    let workflow = ci::workflow(&v, "JSON endpoint tests", &[Step { name: "Tests", run: "pytest" }]);

    let c = r.cause("orm-object", "A QuerySet or model instance was passed as JSON", 0.4);
    if orm && !session {
        c.support(
            3.0,
            format!("`{ty}` is a Django object: convert it with .values(), model_to_dict or a serializer."),
            quote,
        );
    }
    if json_response {
        c.support(0.5, "The frames show JsonResponse encoding the data.", None);
    }
    c.fix(fix_orm(&v)).tests(tests(&v)).ci(workflow.clone()).checks(checks());

    let c = r.cause("session-value", "An object was stored in request.session", 0.1);
    if session {
        c.support(
            4.0,
            "The frames show the session serializer: session values must be JSON types (store ids, ISO dates).",
            None,
        );
    }
    c.fix(fix_session(&v)).tests(tests(&v)).ci(workflow.clone()).checks(checks());

    let c = r.cause("scalar-type", "A datetime, Decimal or UUID with the plain JSON encoder", 0.2);
    if scalar && !session {
        c.support(3.0, format!("`{ty}` needs DjangoJSONEncoder (JsonResponse uses it; json.dumps does not)."), quote);
    }
    c.fix(fix_encoder(&v)).tests(tests(&v)).ci(workflow.clone()).checks(checks());

    let c = r.cause("list-not-safe", "A list passed to JsonResponse without safe=False", 0.0);
    if safe {
        c.support(5.0, "JsonResponse refuses a top-level list unless safe=False.", quote);
    }
    c.fix(fix_safe(&v)).tests(tests(&v)).ci(workflow).checks(checks());

    r.finish(|a, b| format!("The paste cannot decide between \"{a}\" and \"{b}\". The frame that calls JsonResponse, json.dumps or writes request.session shows which value it was."))
}

fn fix_orm(v: &Values) -> Fix {
    v.fix(
        "Turn the {ty} into plain dicts before encoding.",
        "views.py",
        "python",
        "def product_list(request):\n    return JsonResponse({\"products\": Product.objects.all()})\n",
        "def product_list(request):\n    products = list(Product.objects.values(\"id\", \"name\", \"price\"))\n    return JsonResponse({\"products\": products})\n",
    )
}

fn fix_session(v: &Values) -> Fix {
    v.fix(
        "Store JSON types in the session: an id or an ISO string, not the {ty}.",
        "views.py",
        "python",
        "request.session[\"last_seen\"] = timezone.now()\n",
        "request.session[\"last_seen\"] = timezone.now().isoformat()\n# and for objects: request.session[\"product_id\"] = product.pk\n",
    )
}

fn fix_encoder(v: &Values) -> Fix {
    v.fix(
        "Encode with DjangoJSONEncoder, which knows datetime, Decimal and UUID.",
        "views.py",
        "python",
        "json.dumps(data)\n",
        "from django.core.serializers.json import DjangoJSONEncoder\n\njson.dumps(data, cls=DjangoJSONEncoder)\n",
    )
}

fn fix_safe(v: &Values) -> Fix {
    v.fix(
        "Wrap the list in a dict, or pass safe=False.",
        "views.py",
        "python",
        "def tags(request):\n    return JsonResponse(TAGS)\n",
        "def tags(request):\n    return JsonResponse({\"tags\": TAGS})\n",
    )
}

const TEST: &str = r#"import pytest


@pytest.mark.django_db
def test_json_endpoint(client):
    response = client.get("/api/path/")  # the endpoint that raised
    assert response.status_code == 200
    assert isinstance(response.json(), dict)
"#;

fn tests(v: &Values) -> Vec<Snippet> {
    vec![v.snippet("The JSON endpoint answers 200 with a dict", "tests/test_api.py", "python", TEST)]
}

fn checks() -> Vec<String> {
    vec!["Print type() of every value you put in the JSON or the session: only dict, list, str, int, float, bool and None pass.".into()]
}
