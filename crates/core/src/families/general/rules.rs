//! The general layer's table: Python built-in exceptions in their Django context and third-party exceptions
//! recognised by module (DRF, Celery/kombu, channels, redis-py). First matching rule wins, so specific rules
//! (a module, a message, a frame) come before the plain built-in ones.
//!
//! In `means` and `check`, `{name}` is the first quoted name of the message (attribute, key, module),
//! `{focus}` the frame to look at (`views.py line 29, in profile`) and `{code}` its line.

/// One rule: when it applies and what it says.
pub struct Rule {
    /// Last dotted component of the exception type.
    pub types: &'static [&'static str],
    /// Prefix the full type must start with (`rest_framework.`), or "" for any.
    pub module: &'static str,
    /// Text the message must contain, or "".
    pub contains: &'static str,
    /// Text some frame's file must contain (`rest_framework/`), or "".
    pub frame: &'static str,
    /// True when the error must be raised by Django calling the view (last frame in handlers/base.py).
    pub calling_view: bool,
    pub id: &'static str,
    pub title: &'static str,
    pub means: &'static str,
    pub check: &'static str,
    /// Index into [`DOCS`].
    pub doc: usize,
    pub confidence: f32,
}

pub const DOCS: [&str; 6] = [
    "Python documentation: Built-in exceptions — https://docs.python.org/3/library/exceptions.html",
    "Django REST framework: Exceptions — https://www.django-rest-framework.org/api-guide/exceptions/",
    "Celery documentation: Broker settings — https://docs.celeryq.dev/en/stable/userguide/configuration.html#broker-settings",
    "Django Channels documentation — https://channels.readthedocs.io/en/stable/",
    "Django documentation: Redis cache — https://docs.djangoproject.com/en/stable/topics/cache/#redis",
    "Django documentation: URL dispatcher (how Django passes URL parameters to views) — https://docs.djangoproject.com/en/stable/topics/http/urls/#how-django-processes-a-request",
];

const fn rule(
    types: &'static [&'static str],
    contains: &'static str,
    id: &'static str,
    title: &'static str,
    means: &'static str,
    check: &'static str,
) -> Rule {
    Rule {
        types,
        module: "",
        contains,
        frame: "",
        calling_view: false,
        id,
        title,
        means,
        check,
        doc: 0,
        confidence: 0.3,
    }
}

const fn third(
    types: &'static [&'static str],
    module: &'static str,
    id: &'static str,
    title: &'static str,
    means: &'static str,
    check: &'static str,
    doc: usize,
) -> Rule {
    Rule { types, module, contains: "", frame: "", calling_view: false, id, title, means, check, doc, confidence: 0.4 }
}

pub const RULES: &[Rule] = &[
    // Django REST framework.
    third(&["ValidationError"], "rest_framework.", "drf-validation-error", "DRF: the data did not pass the serializer's validation",
        "`serializer.is_valid(raise_exception=True)` (or a `validate_*` method) rejected the input; the message maps each field to its errors. Inside a DRF view this is a 400 response; here it escaped because the code ran outside a view (a command, a task, a test) or caught nothing.",
        "Read the field errors in the message and compare them with the data passed at {focus}; outside views, catch `serializers.ValidationError` or call `is_valid()` without raising and read `serializer.errors`.", 1),
    third(&["ParseError"], "rest_framework.", "drf-parse-error", "DRF: the request body could not be parsed",
        "The body is not valid for its Content-Type (broken JSON, a form sent as JSON).", "Check the request's Content-Type and body; send `json=`/`format=\"json\"` from tests.", 1),
    third(&["AuthenticationFailed", "NotAuthenticated"], "rest_framework.", "drf-not-authenticated", "DRF: the request is not authenticated",
        "No valid credentials came with the request (missing or expired token, session without CSRF for unsafe methods).", "Check DEFAULT_AUTHENTICATION_CLASSES and the Authorization header the client sends.", 1),
    third(&["PermissionDenied"], "rest_framework.", "drf-permission-denied", "DRF: a permission class refused the request",
        "The user is authenticated but a permission class (`IsAdminUser`, `DjangoModelPermissions`, a custom `has_permission`) said no.", "Check the view's permission_classes and what each returns for this user.", 1),
    Rule { types: &["AssertionError"], module: "", contains: "", frame: "rest_framework/", calling_view: false, id: "drf-assertion",
        title: "DRF: a serializer or view was used in the wrong order or configured incompletely",
        means: "DRF checks its own usage with `assert`: {message}",
        check: "Follow the message at {focus}: typically call `serializer.is_valid()` before `.save()`/`.data`/`.errors`, give a viewset a `queryset` or `get_queryset()`, or write `create()`/`update()` for nested serializers.",
        doc: 1, confidence: 0.45 },
    // Celery, kombu, channels, redis.
    third(&["OperationalError"], "kombu.", "broker-unreachable", "Celery could not reach the message broker",
        "Sending a task (`.delay()`/`.apply_async()`) needs the broker (RabbitMQ or Redis) named by CELERY_BROKER_URL / broker_url; nothing accepted the connection, so the task was not queued.",
        "Is the broker running and reachable from this process (`docker compose ps`, `redis-cli ping`, `rabbitmq-diagnostics ping`)? Inside Docker the broker host is its service name, not localhost. Check the broker URL the app really uses.", 2),
    third(&["NotRegistered"], "celery.", "celery-task-not-registered", "Celery: the worker does not know this task",
        "The task name is not registered in the worker: its module is not imported (autodiscover_tasks, `include=`), or it was renamed.", "Start the worker and read its `[tasks]` list; check `app.autodiscover_tasks()` and the task's module.", 2),
    third(&["TimeoutError", "MaxRetriesExceededError", "Retry", "SoftTimeLimitExceeded", "TimeLimitExceeded", "WorkerLostError", "ImproperlyConfigured"], "celery.", "celery-error", "Celery: the task did not complete",
        "Celery raised one of its own errors: a result not ready in time (`.get(timeout=…)`), retries used up, a time limit reached, or a worker that died.", "Read the worker's log for the same task id and the task's time limits and retry settings.", 2),
    third(&["DenyConnection", "StopConsumer", "ChannelFull", "InvalidChannelLayerError", "RequestAborted", "RequestTimeout"], "channels.", "channels-error", "Django Channels refused or stopped a connection",
        "A consumer or the channel layer raised a Channels exception: a connection refused on purpose, a full channel (the layer's capacity), or a misconfigured CHANNEL_LAYERS.", "Check CHANNEL_LAYERS (the Redis host for channels_redis) and the consumer's connect/receive code.", 3),
    third(&["ConnectionError", "TimeoutError", "AuthenticationError", "BusyLoadingError"], "redis.", "redis-unreachable", "Redis is unreachable (cache, sessions, Celery or Channels)",
        "redis-py could not talk to the Redis server in the settings (CACHES LOCATION, CELERY_BROKER_URL, CHANNEL_LAYERS): it is not running, not at that host/port, or wants a password.",
        "`redis-cli -h <host> -p <port> ping` from where Django runs; inside Docker use the Redis service name, not 127.0.0.1.", 4),
    // Python built-ins in Django code.
    Rule { types: &["TypeError"], module: "", contains: "argument", frame: "", calling_view: true, id: "view-signature",
        title: "The view's parameters do not match what the URL pattern passes",
        means: "Django called the view with the request plus the parameters captured by the URL pattern (`<int:pk>` becomes `pk=`), and the view's signature does not accept them: {message}",
        check: "Compare the URL pattern's `<name>` parts with the view's parameters (same names); for class-based views pass `View.as_view()` to path(), not the class.", doc: 5, confidence: 0.5 },
    rule(&["AttributeError"], "'NoneType' object has no attribute", "attribute-of-none", "A value is None where an object was expected",
        "Something on the focus line is None and `.{name}` was read from it: a `.first()` or `.get()` on a dict that found nothing, a form field left empty, a function without `return`, or an optional relation.",
        "At {focus}, find which expression before `.{name}` can be None (`{code}`), then handle the empty case (`if obj is None:` / `get_object_or_404`)."),
    rule(&["AttributeError"], "'QuerySet' object has no attribute", "attribute-of-queryset", "An attribute was read from a QuerySet instead of one object",
        "A QuerySet is a list of rows; `.{name}` belongs to one row. Take one row first (`.get(...)`, `.first()`) or loop over the rows.",
        "At {focus}: `{code}` — was `.filter()` meant to be `.get()`?"),
    rule(&["AttributeError"], "has no attribute", "attribute-missing", "An object does not have the attribute the code reads",
        "The object on the focus line has no `.{name}`: a typo, an object of another type than expected, or an API that changed between versions.",
        "At {focus}, print `type(obj)` for the object before `.{name}` and compare with what the code expects."),
    rule(&["MultiValueDictKeyError"], "", "request-key-missing", "A key is missing from request.POST / request.GET",
        "`request.POST[{qname}]` (or GET/FILES) raises when the form did not send that field: another form posted here, the input has another `name=`, or a GET where a POST was expected.",
        "Compare the form's input names with {qname}; use `request.POST.get({qname})` or a Django Form to validate."),
    rule(&["KeyError"], "", "key-missing", "A dictionary has no such key",
        "The code looks up {qname} with `d[key]` and the dict (a session, settings dict, JSON payload, cache) has no such key.",
        "At {focus}: `{code}` — print the dict's keys; use `.get(key, default)` where the key is optional."),
    rule(&["TypeError"], "argument", "call-signature", "A function was called with the wrong arguments",
        "A call passed arguments the function does not accept (missing, extra or misnamed ones): {message}",
        "At {focus}, compare the call with the function's definition (a changed signature after an upgrade is common)."),
    rule(&["TypeError"], "", "type-mismatch", "An operation got a value of the wrong type",
        "An operation mixed types that do not combine ({message}): often a number from the database with text, None from an optional value, or a QuerySet used as a single object.",
        "At {focus}, print `type()` of each value used on `{code}`."),
    rule(&["ModuleNotFoundError", "ImportError"], "circular import", "circular-import", "Two modules import each other (circular import)",
        "A module was imported while it was still being initialised: two of your modules import each other at import time (models ↔ signals, views ↔ forms).",
        "Move one import inside the function that uses it, or import the module rather than names from it (`from . import models`)."),
    rule(&["ImportError"], "cannot import name", "name-not-in-module", "A name is not (or no longer) in the module imported from",
        "The module exists but has no {qname}: a typo, a name removed or moved by an upgrade, or a circular import that left the module half-initialised.",
        "Check the installed version (`pip show <package>`) against the one the code was written for, and the module's changelog."),
    rule(&["ModuleNotFoundError", "ImportError"], "No module named", "module-not-installed", "A module is not installed in the Python that runs the code",
        "Python found no module {qname}: the package is not installed in this environment, the wrong virtualenv or interpreter runs the code, or a local package lacks its path/`__init__.py`.",
        "`python -c 'import sys; print(sys.executable)'` with the same command that failed, then `python -m pip show <package>` there; add the package to requirements.txt."),
    rule(&["RecursionError"], "", "recursion", "A function calls itself without end",
        "The same frames repeat until Python's recursion limit: a `save()`/`__str__`/property that calls itself, a signal that saves its own sender, or a template that includes itself.",
        "Look at the repeated frames: the first app frame in the loop is the one that calls back into itself."),
    rule(&["UnicodeDecodeError", "UnicodeEncodeError"], "", "text-encoding", "Text in one encoding was read or written as another",
        "Bytes were decoded with the wrong codec ({message}): a file saved as Latin-1/Windows-1252 read as UTF-8, or a terminal/locale that is not UTF-8.",
        "Open the file with its real encoding (`encoding=\"latin-1\"` / `\"utf-8-sig\"`) and set `LANG=C.UTF-8`/`PYTHONUTF8=1` where the process runs."),
    rule(&["SyntaxError", "IndentationError", "TabError"], "", "syntax", "Python cannot parse a file",
        "The file and line in the message are not valid Python for this interpreter (a typo, mixed tabs/spaces, or syntax newer than the Python that runs it).",
        "Run `python -m py_compile <file>` with the same Python; compare `python --version` with the syntax used."),
    rule(&["ValueError"], "invalid literal for int()", "int-conversion", "Text that is not a number was converted with int()",
        "`int()` got text that is not a number ({message}): usually a query parameter or form value used before validation.",
        "At {focus}: `{code}` — validate the input first (a Form, `str.isdigit()`), and answer 400/404 instead of 500."),
    rule(&["ValueError"], "", "bad-value", "A function got a value of the right type but an unusable content",
        "The value passed at the focus frame was refused: {message}", "At {focus}, print the value on `{code}` and check where it comes from."),
    rule(&["ZeroDivisionError"], "", "zero-division", "A division by zero (often an average of nothing)",
        "The divisor on the focus line is 0: typically `len()` or `count()` of an empty queryset or list.",
        "At {focus}: `{code}` — handle the empty case, or let the database compute it (`aggregate(Avg(...))` returns None)."),
    rule(&["FileNotFoundError", "PermissionError", "IsADirectoryError", "NotADirectoryError"], "", "file-access", "A file or directory cannot be opened",
        "The path {qname} does not exist or is not accessible for the user running the process. Relative paths depend on the current directory, which differs between runserver, gunicorn, cron and Docker.",
        "Build paths from `settings.BASE_DIR` (`BASE_DIR / \"data\" / \"x.csv\"`), and check the directory's owner and mode for the service user."),
    rule(&["NameError", "UnboundLocalError"], "", "name-undefined", "A name is used that is not defined there",
        "{qname} is not defined where it is used: a typo, a missing import, or a variable assigned only in some branches.",
        "At {focus}: `{code}` — check the spelling and the imports at the top of the file."),
];
