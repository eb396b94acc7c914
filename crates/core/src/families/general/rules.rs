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
    "Python docs: Built-in exceptions — https://docs.python.org/3/library/exceptions.html",
    "DRF docs: Exceptions — https://www.django-rest-framework.org/api-guide/exceptions/",
    "Celery docs: Broker settings — https://docs.celeryq.dev/en/stable/userguide/configuration.html#broker-settings",
    "Channels docs — https://channels.readthedocs.io/en/stable/",
    "Django docs: Redis cache — https://docs.djangoproject.com/en/stable/topics/cache/#redis",
    "Django docs: URL dispatcher — https://docs.djangoproject.com/en/stable/topics/http/urls/#how-django-processes-a-request",
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
    third(&["ValidationError"], "rest_framework.", "drf-validation-error", "DRF: the serializer rejected the data",
        "A serializer rejected the input (a 400 inside a DRF view; here outside one). The message lists each field's errors.",
        "Compare the errors with the data at {focus}.", 1),
    third(&["ParseError"], "rest_framework.", "drf-parse-error", "DRF: the request body could not be parsed",
        "The body does not match its Content-Type.", "Check Content-Type and body.", 1),
    third(&["AuthenticationFailed", "NotAuthenticated"], "rest_framework.", "drf-not-authenticated", "DRF: the request is not authenticated",
        "No valid credentials (missing or expired token).", "Check DEFAULT_AUTHENTICATION_CLASSES and the Authorization header.", 1),
    third(&["PermissionDenied"], "rest_framework.", "drf-permission-denied", "DRF: a permission class refused the request",
        "A permission class said no.", "Check the view's permission_classes.", 1),
    Rule { types: &["AssertionError"], module: "", contains: "", frame: "rest_framework/", calling_view: false, id: "drf-assertion",
        title: "DRF: a serializer or view is misused or incomplete",
        means: "DRF checks its own usage with `assert`: {message}",
        check: "At {focus}: e.g. `is_valid()` before `.save()`/`.data`, a `queryset` on the viewset.",
        doc: 1, confidence: 0.45 },
    // Celery, kombu, channels, redis.
    third(&["OperationalError"], "kombu.", "broker-unreachable", "Celery could not reach the message broker",
        "Sending a task needs the broker in CELERY_BROKER_URL; nothing answered.",
        "Is the broker up and reachable from here? In Docker use its service name.", 2),
    third(&["NotRegistered"], "celery.", "celery-task-not-registered", "Celery: the worker does not know this task",
        "The worker never imported the task's module, or it was renamed.", "Read the worker's `[tasks]` list.", 2),
    third(&["TimeoutError", "MaxRetriesExceededError", "Retry", "SoftTimeLimitExceeded", "TimeLimitExceeded", "WorkerLostError", "ImproperlyConfigured"], "celery.", "celery-error", "Celery: the task did not complete",
        "A timeout, retries used up, a time limit, or a dead worker.", "Read the worker's log for the task id.", 2),
    third(&["DenyConnection", "StopConsumer", "ChannelFull", "InvalidChannelLayerError", "RequestAborted", "RequestTimeout"], "channels.", "channels-error", "Django Channels refused or stopped a connection",
        "A consumer refused, a channel is full, or CHANNEL_LAYERS is wrong.", "Check CHANNEL_LAYERS and the consumer.", 3),
    third(&["ConnectionError", "TimeoutError", "AuthenticationError", "BusyLoadingError"], "redis.", "redis-unreachable", "Redis is unreachable (cache, sessions, Celery or Channels)",
        "The Redis in the settings is down, elsewhere, or wants a password.",
        "`redis-cli -h <host> ping` from where Django runs.", 4),
    // Python built-ins in Django code.
    Rule { types: &["TypeError"], module: "", contains: "argument", frame: "", calling_view: true, id: "view-signature",
        title: "The view's parameters do not match the URL pattern",
        means: "The view's signature does not accept the URL's captured parameters (`<int:pk>` → `pk=`): {message}",
        check: "Match `<name>` parts to the view's parameters; use `View.as_view()`.", doc: 5, confidence: 0.5 },
    rule(&["AttributeError"], "'NoneType' object has no attribute", "attribute-of-none", "A value is None where an object was expected",
        "`.{name}` was read from None (a `.first()` that found nothing, a function without `return`).",
        "At {focus} (`{code}`), handle the None case."),
    rule(&["AttributeError"], "'QuerySet' object has no attribute", "attribute-of-queryset", "An attribute was read from a QuerySet, not one object",
        "`.{name}` belongs to one row: use `.get()`/`.first()` or loop.",
        "At {focus}: should `.filter()` be `.get()`?"),
    rule(&["AttributeError"], "has no attribute", "attribute-missing", "An object lacks the attribute the code reads",
        "No `.{name}`: a typo, another type, or a changed API.",
        "At {focus}, print the object's `type()`."),
    rule(&["MultiValueDictKeyError"], "", "request-key-missing", "A key is missing from request.POST / request.GET",
        "The form did not send the field {qname}.",
        "Check the input names; use `.get({qname})` or a Form."),
    rule(&["KeyError"], "", "key-missing", "A dictionary has no such key",
        "`d[{qname}]` on a dict without that key.",
        "At {focus}: print the keys; `.get()` if optional."),
    rule(&["TypeError"], "argument", "call-signature", "A function was called with the wrong arguments",
        "Wrong arguments: {message}",
        "At {focus}, compare the call with the definition."),
    rule(&["TypeError"], "", "type-mismatch", "An operation got a value of the wrong type",
        "{message}",
        "At {focus}, print `type()` of each value."),
    rule(&["ModuleNotFoundError", "ImportError"], "circular import", "circular-import", "Two modules import each other",
        "Two of your modules import each other at import time.",
        "Move one import into the function using it."),
    rule(&["ImportError"], "cannot import name", "name-not-in-module", "A name is not (or no longer) in the module",
        "No {qname} there: a typo, moved by an upgrade, or a circular import.",
        "Compare `pip show <package>` with the version expected."),
    rule(&["ModuleNotFoundError", "ImportError"], "No module named", "module-not-installed", "A module is not installed in this Python",
        "No module {qname}: not installed, or the wrong virtualenv.",
        "`python -m pip show <package>` with the failing interpreter."),
    rule(&["RecursionError"], "", "recursion", "A function calls itself without end",
        "Frames repeat up to the limit: a `save()`/`__str__` or signal calling itself.",
        "Find the first app frame in the loop."),
    rule(&["UnicodeDecodeError", "UnicodeEncodeError"], "", "text-encoding", "Text was decoded with the wrong encoding",
        "Wrong codec: {message}",
        "Open with the real `encoding=`; set `PYTHONUTF8=1`."),
    rule(&["SyntaxError", "IndentationError", "TabError"], "", "syntax", "Python cannot parse a file",
        "The file and line named are not valid Python here.",
        "`python -m py_compile <file>`."),
    rule(&["ValueError"], "invalid literal for int()", "int-conversion", "Text that is not a number went to int()",
        "Unvalidated input: {message}",
        "At {focus}, validate first; answer 400, not 500."),
    rule(&["ValueError"], "", "bad-value", "A function got an unusable value",
        "{message}", "At {focus}, print the value and trace its origin."),
    rule(&["ZeroDivisionError"], "", "zero-division", "Division by zero (often an average of nothing)",
        "The divisor is 0, often an empty list's count.",
        "At {focus}, handle the empty case."),
    rule(&["FileNotFoundError", "PermissionError", "IsADirectoryError", "NotADirectoryError"], "", "file-access", "A file or directory cannot be opened",
        "{qname} is missing or not accessible; relative paths depend on the working directory.",
        "Build paths from `settings.BASE_DIR`."),
    rule(&["NameError", "UnboundLocalError"], "", "name-undefined", "A name is used where it is not defined",
        "{qname} is undefined there (typo, missing import, set only in a branch).",
        "At {focus}, check spelling and imports."),
];
