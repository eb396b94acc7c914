//! `sync-only-operation` (DJ039): a synchronous-only Django API (the ORM) was called from async code.
//!
//! Recognised by `SynchronousOnlyOperation: You cannot call this from an async context - use a thread or
//! sync_to_async.` (Django 3.0+, raised by the `async_unsafe` wrapper in `django/utils/asyncio.py`). Causes are
//! ranked by the frames: an ORM call in an async view or consumer (asgiref/channels frames and a project frame on
//! a queryset line), a lazy relation or `request.user` evaluated in async code (`related_descriptors.py`,
//! `SimpleLazyObject`), a query in `AppConfig.ready()` under an ASGI server, or an event loop running in a
//! notebook or gevent worker.

use super::ci::{self, Step};
use super::kit::{self, Ranking, Values};
use super::orm_common as orm;
use super::startup::{self, python};
use super::{Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "sync-only-operation",
    code: "DJ039",
    title: "Synchronous ORM call in async code",
    summary: "SynchronousOnlyOperation: async code called the synchronous ORM.",
    example: "real/setup/sync_only_async_view.txt",
    diagnose,
};

const EXPLANATION: &str = "The blocking ORM was called in a thread running an event loop. Use the async ORM or \
`sync_to_async`.";

const REFERENCES: [&str; 1] =
    ["Django docs: Async safety — https://docs.djangoproject.com/en/stable/topics/async/#async-safety"];

/// QuerySet methods with an async twin (`count` → `acount`).
const ASYNC_TWINS: [&str; 14] = [
    "count",
    "get",
    "first",
    "last",
    "exists",
    "create",
    "get_or_create",
    "update_or_create",
    "delete",
    "update",
    "aggregate",
    "earliest",
    "latest",
    "in_bulk",
];

/// `count = Product.objects.count()` → `count = await Product.objects.acount()`, when the call has an async twin.
fn async_twin(code: &str) -> Option<String> {
    let open = code.rfind("()").or_else(|| code.rfind('('))?;
    let dot = code.get(..open)?.rfind('.')?;
    let method = code.get(dot + 1..open)?;
    if !ASYNC_TWINS.contains(&method) || !code.contains(".objects") {
        return None;
    }
    let call = format!("{}.a{method}{}", code.get(..dot)?, code.get(open..)?);
    Some(match call.find("= ") {
        Some(eq) => format!("{}= await {}", call.get(..eq)?, call.get(eq + 2..)?.trim_start()),
        None => format!("await {call}"),
    })
}

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let Some(hit) = kit::find(cx.tb, &["SynchronousOnlyOperation"], &["You cannot call this from an async context"])
    else {
        return Vec::new();
    };
    let tb = cx.tb;
    let frame = kit::last_app_frame(tb);
    let code = frame
        .and_then(|f| f.code.as_deref())
        .filter(|c| startup::balanced(c))
        .unwrap_or("count = Product.objects.count()");
    let asgi =
        kit::frames(tb).any(|f| matches!(f.package.as_deref(), Some("asgiref" | "channels" | "uvicorn" | "daphne")));
    let lazy = kit::has_frame(tb, "django/db/models/fields/related_descriptors.py", "")
        || kit::has_frame(tb, "django/utils/functional.py", "inner");
    let ready = frame.is_some_and(|f| f.function == "ready");
    let twin = async_twin(code);
    let mut v = Values::new(cx);
    v.set("code", code).set("view", frame.map_or("product_count", |f| f.function.as_str()));
    v.set("fixed", twin.clone().unwrap_or_else(|| format!("await sync_to_async(lambda: {code})()")));
    let quote = Some(hit.line);
    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised("A sync-only call in an event loop.", quote);
    if let Some(f) = frame {
        r.recognised(format!("From `{}` at {}.", f.function, startup::at(f)), f.code.as_deref());
    }
    let workflow = ci::workflow(&v, "async tests", &[Step { name: "Test", run: "pytest" }]);
    let tests = vec![python("Async view answers", "tests/test_async_views.py", TEST_ASYNC.into())];

    let c = r.cause("orm-in-async-view", "An async view calls the sync ORM", 1.5);
    if asgi {
        c.support(1.5, "ASGI frames.", None);
    }
    if twin.is_some() {
        c.support(1.5, "Your line calls the ORM.", Some(code));
    }
    if lazy {
        c.weaken(0.6, "A lazy relation queried.");
    }
    c.fix(v.fix(
        "Use the async ORM (4.1+).",
        "views.py",
        "python",
        "async def {view}(request):\n    {code}\n",
        "async def {view}(request):\n    {fixed}\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec!["Every ORM call in `async def` awaited?".into()]);

    let c = r.cause("lazy-relation", "A lazy relation or request.user read in async code", 0.4);
    if lazy {
        c.support(2.5, "Lazy relation frames.", None);
    } else {
        c.weaken(0.5, "No lazy frames.");
    }
    c.fix(v.fix(
        "select_related up front; `await request.auser()`.",
        "views.py",
        "python",
        "async def {view}(request, pk):\n    order = await Order.objects.aget(pk=pk)\n",
        "async def {view}(request, pk):\n    order = await Order.objects.select_related(\"customer\").aget(pk=pk)\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec!["`obj.fk.field` in async code?".into()]);

    let c = r.cause("query-in-ready", "A query in AppConfig.ready()", 0.1);
    if ready {
        c.support(4.0, "A query in `ready()`.", Some(code));
    }
    c.fix(v.fix(
        "No queries in ready().",
        "apps.py",
        "python",
        "def ready(self):\n    {code}\n",
        "def ready(self):\n    pass\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec!["Only under uvicorn/daphne?".into()]);

    let c = r.cause("event-loop-in-shell", "A notebook or async shell", 0.1);
    if frame.is_none() || startup::plain_script(tb).is_some_and(|s| s.starts_with('<')) {
        c.support(1.5, "No view: a shell or notebook.", None);
    }
    c.fix(v.fix(
        "In a notebook only, allow it.",
        "notebook",
        "python",
        "{code}\n",
        "import os\n\nos.environ[\"DJANGO_ALLOW_ASYNC_UNSAFE\"] = \"true\"\n{code}\n",
    ))
    .tests(tests)
    .ci(workflow)
    .checks(vec!["Jupyter or gevent?".into()]);

    orm::finish(r, "does your frame call the ORM?")
}

const TEST_ASYNC: &str = r#"import pytest


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_async_view(async_client):
    assert (await async_client.get("/")).status_code < 500
"#;
