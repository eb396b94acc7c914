//! `view-returned-none` (DJ049): a view (or middleware) returned None instead of an HttpResponse.
//!
//! Recognised by a `ValueError` saying `The view app.views.f didn't return an HttpResponse object. It returned
//! None instead.` (3.2+; 1.11/2.2 print the same text from `module.name`), the 3.1+ variant `It returned an
//! unawaited coroutine instead.`, and the middleware variants `… process_response didn't return an HttpResponse
//! object`. Causes are ranked by the wording and the request method on the debug page.

use super::ci::{self, Step};
use super::kit::{self, Ranking, Values};
use super::{Context, Family};
use crate::model::{Diagnosis, Fix, Snippet};

pub const FAMILY: Family = Family {
    id: "view-returned-none",
    code: "DJ049",
    title: "View returned None",
    summary: "ValueError \"The view … didn't return an HttpResponse object. It returned None instead.\": a path \
              through the view ends without return — usually the GET branch or the invalid-form branch, or \
              render(...) called without return; the coroutine variant means an async view was not awaited.",
    example: "real/web/view_returned_none.txt",
    diagnose,
};

const EXPLANATION: &str = "Every call of a view must end by returning a response (render(), redirect(), \
HttpResponse, JsonResponse). A Python function that reaches its end without `return` returns None, and Django \
refuses it after the view finishes; the message names the view. The traceback shows only Django's check, so \
read the view itself for the branch that falls through.";

const REFERENCES: [&str; 2] = [
    "Django documentation: Writing views — https://docs.djangoproject.com/en/stable/topics/http/views/",
    "Django documentation: Working with forms › The view — https://docs.djangoproject.com/en/stable/topics/forms/#the-view",
];

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
    r.recognised(format!("`{view}` finished without returning a response."), quote);
    let workflow = ci::workflow(&v, "view tests", &[Step { name: "Tests", run: "pytest" }]);

    let c = r.cause("missing-return", "A branch of the view has no return (GET, or an invalid form)", 1.0);
    if let Some(m) = method {
        c.support(
            1.0,
            format!("The request was a {m}: follow the {m} path through `{func}` — it reaches the end without return."),
            None,
        );
    }
    if coroutine || middleware {
        c.weaken(0.2, "The message is not about a plain view returning None.");
    }
    c.fix(fix_branch(&v)).tests(tests(&v)).ci(workflow.clone()).checks(checks(&v));

    let c = r.cause("render-not-returned", "render(...) is called but its result is not returned", 0.6);
    if coroutine || middleware {
        c.weaken(0.2, "The message is not about a plain view returning None.");
    }
    c.fix(fix_return(&v)).tests(tests(&v)).ci(workflow.clone()).checks(checks(&v));

    let c = r.cause("async-not-awaited", "An async view or call was not awaited", 0.0);
    if coroutine {
        c.support(
            4.0,
            "Django got a coroutine: the view is async but called synchronously, or it returns an un-awaited call.",
            quote,
        );
    }
    c.fix(fix_return(&v)).tests(tests(&v)).ci(workflow.clone()).checks(checks(&v));

    let c = r.cause("middleware", "A middleware's process_response returns nothing", 0.0);
    if middleware {
        c.support(4.0, "The message names a middleware method: it must return the response it was given.", quote);
    }
    c.fix(fix_return(&v)).tests(tests(&v)).ci(workflow).checks(checks(&v));

    r.finish(|a, b| format!("The paste cannot decide between \"{a}\" and \"{b}\". Read `{func}` from top to bottom once per request method: the path that reaches the end or a bare `render(...)` line is the one."))
}

fn fix_branch(v: &Values) -> Fix {
    v.fix(
        "Return a response on every path: re-render the form on GET and when it is invalid.",
        "views.py",
        "python",
        "def {func}(request):\n    if request.method == \"POST\":\n        form = ContactForm(request.POST)\n        if form.is_valid():\n            form.save()\n            return redirect(\"home\")\n",
        "def {func}(request):\n    form = ContactForm(request.POST or None)\n    if request.method == \"POST\" and form.is_valid():\n        form.save()\n        return redirect(\"home\")\n    return render(request, \"contact.html\", {\"form\": form})\n",
    )
}

fn fix_return(v: &Values) -> Fix {
    v.fix(
        "Return what render() (or the awaited call) gives back.",
        "views.py",
        "python",
        "def {func}(request):\n    render(request, \"page.html\")\n",
        "def {func}(request):\n    return render(request, \"page.html\")\n",
    )
}

const TEST: &str = r#"import pytest


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_view_returns_a_response(client, method):
    response = getattr(client, method)("/path/of/{func}/")  # the URL of {view}
    assert response.status_code in (200, 302)
"#;

fn tests(v: &Values) -> Vec<Snippet> {
    vec![v.snippet("The view answers GET and an invalid POST", "tests/test_views.py", "python", TEST)]
}

fn checks(v: &Values) -> Vec<String> {
    vec![v.fill(
        "In `{view}`: does every if/else branch end with `return`? Is any `render(...)` line missing its `return`?",
    )]
}
