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
    summary: "\"The view … didn\'t return an HttpResponse object\": a branch without return (GET, invalid form), render() without return, or an async view not awaited.",
    example: "real/web/view_returned_none.txt",
    diagnose,
};

const EXPLANATION: &str = "Every path through a view must return a response; a function that ends without `return` returns None, which Django refuses.";

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
    let workflow = ci::workflow(&v, "view tests", &[Step { name: "Tests", run: "pytest" }]);
    let tests = vec![v.snippet("The view answers GET and POST", "tests/test_views.py", "python", TEST)];
    let checks = vec![v.fill("In `{view}`: does every branch end with `return`, including each `render(...)`?")];
    let fix_return = v.fix(
        "Return what render() (or the awaited call) gives.",
        "views.py",
        "python",
        "def {func}(request):\n    render(request, \"page.html\")\n",
        "def {func}(request):\n    return render(request, \"page.html\")\n",
    );
    let not_plain = "Not a plain view returning None.";

    let c = r.cause("missing-return", "A branch has no return (GET, invalid form)", 1.0);
    if let Some(m) = method {
        c.support(1.0, format!("A {m} request: its path through `{func}` ends without return."), None);
    }
    if coroutine || middleware {
        c.weaken(0.2, not_plain);
    }
    c.fix(v.fix(
        "Return a response on every path: re-render the form on GET and when invalid.",
        "views.py",
        "python",
        "def {func}(request):\n    if request.method == \"POST\":\n        form = ContactForm(request.POST)\n        if form.is_valid():\n            form.save()\n            return redirect(\"home\")\n",
        "def {func}(request):\n    form = ContactForm(request.POST or None)\n    if request.method == \"POST\" and form.is_valid():\n        form.save()\n        return redirect(\"home\")\n    return render(request, \"contact.html\", {\"form\": form})\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(checks.clone());

    let c = r.cause("render-not-returned", "render(...) is not returned", 0.6);
    if coroutine || middleware {
        c.weaken(0.2, not_plain);
    }
    c.fix(fix_return.clone()).tests(tests.clone()).ci(workflow.clone()).checks(checks.clone());

    let c = r.cause("async-not-awaited", "An async view or call was not awaited", 0.0);
    if coroutine {
        c.support(4.0, "A coroutine came back: an async view called synchronously, or a call not awaited.", quote);
    }
    c.fix(fix_return.clone()).tests(tests.clone()).ci(workflow.clone()).checks(checks.clone());

    let c = r.cause("middleware", "A middleware's process_response returns nothing", 0.0);
    if middleware {
        c.support(4.0, "A middleware method: it must return the response it got.", quote);
    }
    c.fix(fix_return).tests(tests).ci(workflow).checks(checks);

    r.finish(|a, b| format!("Can't tell \"{a}\" from \"{b}\": follow each request method through `{func}`."))
}

const TEST: &str = r#"import pytest


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_view_returns_a_response(client, method):
    assert getattr(client, method)("/url/of/{func}/").status_code in (200, 302)
"#;
