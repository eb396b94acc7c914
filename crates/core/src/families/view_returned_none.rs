//! `view-returned-none` (DJ049): a view (or middleware) returned None instead of an HttpResponse.
//!
//! Recognised by a `ValueError` saying `The view app.views.f didn't return an HttpResponse object. It returned
//! None instead.` (3.2+; 1.11/2.2 print the same text from `module.name`), the 3.1+ variant `It returned an
//! unawaited coroutine instead.`, and the middleware variants `… process_response didn't return an HttpResponse
//! object`. Causes are ranked by the wording and the request method on the debug page.

use super::ci::{self, Step};
use super::kit::{self, Ranking, Values};
use super::{Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "view-returned-none",
    code: "DJ049",
    title: "View returned None",
    summary:
        "\"didn't return an HttpResponse object\": a branch or render() without return, or an unawaited async view.",
    example: "real/web/view_returned_none.txt",
    diagnose,
};

const EXPLANATION: &str = "Every path through a view must `return` a response; falling off the end returns None.";

const REFERENCES: [&str; 1] =
    ["Django docs: Writing views — https://docs.djangoproject.com/en/stable/topics/http/views/"];

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let patterns = ["didn't return an HttpResponse object"];
    let Some(hit) = kit::find(cx.tb, &["ValueError"], &patterns) else {
        return Vec::new();
    };
    let line = hit.line;
    let coroutine = line.contains("unawaited coroutine");
    let middleware = line.contains("process_response") || line.contains("process_template_response");
    let view = kit::between(line, "The view ", " didn't")
        .or_else(|| kit::between(line, "", " didn't"))
        .unwrap_or("views.my_view");
    let func = view.trim_end_matches(".__call__").rsplit('.').next().unwrap_or("my_view");
    let method = cx.facts.request_method.as_deref();
    let mut v = Values::new(cx);
    v.set("view", view);
    v.set("func", func);
    let quote = Some(line);
    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("`{view}` returned no response."), quote);
    let workflow = ci::workflow(&v, "views", &[Step { name: "Tests", run: "pytest" }]);
    let tests = vec![v.snippet("View answers GET and POST", "tests/test_views.py", "python", TEST)];
    let checks = vec![v.fill("Does every branch of `{view}` `return`?")];
    let fix_return = v.fix(
        "Return it.",
        "views.py",
        "python",
        "def {func}(request):\n    render(request, \"page.html\")\n",
        "def {func}(request):\n    return render(request, \"page.html\")\n",
    );
    let not_plain = "Not a plain None.";

    let c = r.cause("missing-return", "A branch has no return", 1.0);
    if let Some(m) = method {
        c.support(1.0, format!("A {m} request."), None);
    }
    if coroutine || middleware {
        c.weaken(0.2, not_plain);
    }
    c.fix(v.fix(
        "Return on every path.",
        "views.py",
        "python",
        "def {func}(request):\n    if form.is_valid():\n        return redirect(\"home\")\n",
        "def {func}(request):\n    if form.is_valid():\n        return redirect(\"home\")\n    return render(request, \"form.html\", {\"form\": form})\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(checks.clone());

    let c = r.cause("render-not-returned", "render() not returned", 0.6);
    if coroutine || middleware {
        c.weaken(0.2, not_plain);
    }
    c.fix(fix_return.clone()).tests(tests.clone()).ci(workflow.clone()).checks(checks.clone());

    let c = r.cause("async-not-awaited", "Not awaited", 0.0);
    if coroutine {
        c.support(4.0, "A coroutine came back.", quote);
    }
    c.fix(fix_return.clone()).tests(tests.clone()).ci(workflow.clone()).checks(checks.clone());

    let c = r.cause("middleware", "Middleware returns nothing", 0.0);
    if middleware {
        c.support(4.0, "A middleware method.", quote);
    }
    c.fix(fix_return).tests(tests).ci(workflow).checks(checks);

    super::orm_common::finish(r, "follow each method through the view.")
}

const TEST: &str = r#"import pytest


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_view_responds(client, method):
    assert getattr(client, method)("/url/of/{func}/").status_code in (200, 302)
"#;
