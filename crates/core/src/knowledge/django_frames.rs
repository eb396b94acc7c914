//! What Django (and the drivers, servers and tools around it) was doing in a given stack frame.
//!
//! Two static tables: [`DJANGO_FRAMES`], one row per Django function that shows up in pasted tracebacks
//! (Django 1.11 to 6.0), and [`LIBRARY_FRAMES`], the non-Django frames that sit in the same stacks and identify
//! the driver, server or tool. Tracebacks print only the function name, never the class, so methods of
//! different classes with the same name in the same file share one row whose text covers both.
//! Functions renamed between versions get one row per name.

/// One known frame: where it lives, and what the code was doing there in plain English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DjangoFrame {
    /// Path suffix inside the package, with forward slashes. For [`DJANGO_FRAMES`] it is relative to the
    /// `django/` package directory (`db/backends/base/base.py`); for [`LIBRARY_FRAMES`] it starts with the
    /// package directory (`psycopg2/__init__.py`). In [`LIBRARY_FRAMES`] a value ending in `/` stands for any
    /// file below that directory.
    pub file: &'static str,
    /// The function name as a traceback prints it. In [`LIBRARY_FRAMES`], `*` stands for any function.
    pub function: &'static str,
    /// What the code was doing there, in plain English.
    pub doing: &'static str,
}

const fn row(file: &'static str, function: &'static str, doing: &'static str) -> DjangoFrame {
    DjangoFrame { file, function, doing }
}

/// Django's own frames, grouped roughly from the outside of a request or command inwards.
pub static DJANGO_FRAMES: &[DjangoFrame] = &[
    // Request handling.
    row(
        "core/handlers/wsgi.py",
        "__call__",
        "WSGI entry point: building the WSGIRequest and running the middleware chain (gunicorn, \
         uWSGI, mod_wsgi or runserver).",
    ),
    row("core/handlers/asgi.py", "__call__", "ASGI entry point (daphne, uvicorn)."),
    row("core/handlers/base.py", "get_response", "Starting to process one request through the middleware stack."),
    row(
        "core/handlers/base.py",
        "_get_response",
        "Resolving the URL and calling the view; errors raised by the view appear right below this \
         frame.",
    ),
    row(
        "core/handlers/base.py",
        "check_response",
        "Checking that the view returned a response (raises the 'didn't return an HttpResponse \
         object' ValueError).",
    ),
    row(
        "core/handlers/exception.py",
        "inner",
        "Wrapping one middleware and turning exceptions into 404/403/400/500 responses; repeats \
         once per middleware.",
    ),
    row(
        "utils/deprecation.py",
        "__call__",
        "Running a middleware's process_request/process_response around the rest of the stack.",
    ),
    row(
        "core/wsgi.py",
        "get_wsgi_application",
        "wsgi.py calling django.setup() and building the handler (import errors at server boot).",
    ),
    // Views.
    row("views/generic/base.py", "view", "Class-based view entry: instantiating the view and calling dispatch()."),
    row("views/generic/base.py", "dispatch", "Routing to get()/post()/… by HTTP method."),
    row(
        "views/generic/edit.py",
        "form_valid",
        "Saving the model form (IntegrityError or NOT NULL errors often appear below).",
    ),
    row("shortcuts.py", "render", "A function view rendering a template to an HttpResponse."),
    row(
        "contrib/auth/decorators.py",
        "_wrapped_view",
        "The @login_required/@permission_required wrapper around the view (Django 4.1 and older).",
    ),
    row(
        "contrib/auth/decorators.py",
        "_wrapper_view",
        "The @login_required/@permission_required wrapper around the view (Django 4.2 to 5.0).",
    ),
    row(
        "contrib/auth/decorators.py",
        "_view_wrapper",
        "The @login_required/@permission_required wrapper around the view (Django 5.1 and newer).",
    ),
    row("contrib/admin/options.py", "_changeform_view", "Admin form processing (save errors appear below)."),
    // Middleware and the request object.
    row(
        "middleware/common.py",
        "process_request",
        "CommonMiddleware: host validation (get_host) and APPEND_SLASH/PREPEND_WWW redirects.",
    ),
    row(
        "contrib/auth/middleware.py",
        "get_user",
        "Loading the lazy request.user (a session and a user query; often where database errors \
         first hit a request).",
    ),
    row("http/request.py", "get_host", "Validating the Host header against ALLOWED_HOSTS (DisallowedHost)."),
    // URLs.
    row("urls/base.py", "reverse", "Building a URL from a name (NoReverseMatch, namespace errors)."),
    row("urls/resolvers.py", "resolve", "Matching the request path against the URL patterns."),
    row(
        "urls/resolvers.py",
        "url_patterns",
        "Importing an included URL module and reading its urlpatterns (the circular-import error).",
    ),
    row("urls/resolvers.py", "urlconf_module", "Importing the URL conf module (import errors in urls or views)."),
    row(
        "urls/resolvers.py",
        "_reverse_with_prefix",
        "Trying the URL patterns for reverse(); raises the 'Reverse for … not found' message.",
    ),
    row("urls/conf.py", "include", "include() in a URL conf (namespace or app_name errors)."),
    row(
        "conf/urls/__init__.py",
        "include",
        "include() in a URL conf (namespace or app_name errors; Django 1.11 location).",
    ),
    row("utils/functional.py", "inner", "Evaluating a lazy object such as settings or request.user."),
    // Templates.
    row("template/loader.py", "get_template", "Finding a template by name (TemplateDoesNotExist)."),
    row("template/backends/django.py", "render", "Engine-level template render with the context and request."),
    row("template/base.py", "parse", "Parsing template tags; unknown tags fail here."),
    row(
        "template/base.py",
        "invalid_block_tag",
        "Raising 'Invalid block tag … Did you forget to register or load this tag?'.",
    ),
    row("template/base.py", "render", "Rendering a list of child nodes (repeats once per nesting level)."),
    row(
        "template/base.py",
        "render_annotated",
        "Rendering one template node and attaching the template line for the debug page.",
    ),
    row(
        "template/base.py",
        "_resolve_lookup",
        "Resolving a.b.c in a template (attribute and method calls may hit the database).",
    ),
    row(
        "template/defaulttags.py",
        "render",
        "Rendering a built-in tag: {% for %} iterating (a queryset is evaluated here) or {% url %} \
         calling reverse().",
    ),
    row(
        "template/defaulttags.py",
        "find_library",
        "{% load %} looking up a tag library ('not a registered tag library').",
    ),
    row("template/response.py", "render", "Rendering a TemplateResponse, deferred until after the view returned."),
    row(
        "templatetags/static.py",
        "handle_simple",
        "{% static %} asking the storage for the URL (manifest errors appear below).",
    ),
    row(
        "contrib/staticfiles/storage.py",
        "stored_name",
        "Reading staticfiles.json; raises 'Missing staticfiles manifest entry'.",
    ),
    // The ORM.
    row("db/models/manager.py", "manager_method", "Model.objects.<method>() forwarding the call to the QuerySet."),
    row("db/models/query.py", "get", "QuerySet.get(): raises DoesNotExist or MultipleObjectsReturned."),
    row("db/models/query.py", "create", "objects.create(), which calls save()."),
    row("db/models/query.py", "count", "Running a COUNT query."),
    row("db/models/query.py", "_filter_or_exclude", "Building a filter (FieldError for bad lookups)."),
    row(
        "db/models/query.py",
        "__iter__",
        "Evaluating a queryset in a loop or template, or turning its rows into model instances \
         (calls execute_sql).",
    ),
    row("db/models/query.py", "__repr__", "Printing a queryset (debugger, pytest assertion rewriting)."),
    row("db/models/query.py", "_fetch_all", "Running the SELECT and caching its results."),
    row(
        "db/models/sql/compiler.py",
        "execute_sql",
        "Compiling the SQL (a SELECT, or an INSERT) and executing it on a cursor; database errors \
         come from below.",
    ),
    row("db/models/sql/query.py", "names_to_path", "Resolving field__lookup names ('Cannot resolve keyword')."),
    row(
        "db/models/sql/query.py",
        "build_filter",
        "Building one WHERE condition and converting its value ('expected a number').",
    ),
    row(
        "db/models/fields/__init__.py",
        "get_prep_value",
        "Converting a lookup value for the database, e.g. to int ('Field 'id' expected a number').",
    ),
    row(
        "db/models/fields/related_descriptors.py",
        "__get__",
        "Accessing a related object such as obj.fk or user.profile (an extra query; \
         RelatedObjectDoesNotExist; SynchronousOnlyOperation in async code).",
    ),
    row(
        "db/models/base.py",
        "__new__",
        "Creating a model class at import time (missing app_label, apps not loaded yet).",
    ),
    row("db/models/base.py", "save", "Saving a model instance."),
    row("db/models/base.py", "_do_insert", "Performing the INSERT for a new model instance."),
    row("db/transaction.py", "__exit__", "Committing or rolling back an atomic block (errors raised at commit time)."),
    // Database backends.
    row(
        "db/backends/utils.py",
        "execute",
        "Django's cursor wrapper: the entry point of every SQL statement (with query logging when \
         DEBUG=True).",
    ),
    row(
        "db/backends/utils.py",
        "_execute_with_wrappers",
        "Applying connection.execute_wrapper() hooks (APM and sqlcommenter frames appear here).",
    ),
    row(
        "db/backends/utils.py",
        "_execute",
        "Checking for a broken transaction, then calling the database driver inside \
         wrap_database_errors.",
    ),
    row(
        "db/utils.py",
        "__exit__",
        "Re-raising the driver's exception as django.db.utils.*; the frames after it repeat the \
         driver call that failed.",
    ),
    row(
        "db/utils.py",
        "__getitem__",
        "connections[alias]: creating the database backend wrapper, which imports the driver \
         (Django 3.1 and older).",
    ),
    row(
        "utils/connection.py",
        "__getitem__",
        "connections[alias]: creating the database backend wrapper, which imports the driver \
         (Django 3.2 and newer).",
    ),
    row(
        "db/utils.py",
        "load_backend",
        "Importing the ENGINE's backend module ('isn't an available database backend').",
    ),
    row(
        "utils/asyncio.py",
        "inner",
        "The guard that raises SynchronousOnlyOperation in async contexts; otherwise it passes \
         straight through.",
    ),
    row("db/backends/base/base.py", "cursor", "Getting a database cursor, connecting first if needed."),
    row("db/backends/base/base.py", "_cursor", "Ensuring the database connection, then creating the cursor."),
    row(
        "db/backends/base/base.py",
        "ensure_connection",
        "Opening the database connection lazily; connection errors are raised here (it appears \
         twice because of the re-raise).",
    ),
    row("db/backends/base/base.py", "connect", "Building the connection parameters and calling get_new_connection."),
    row(
        "db/backends/base/base.py",
        "check_database_version_supported",
        "Checking the database server version; raises '<database> N or later is required'.",
    ),
    row(
        "db/backends/base/base.py",
        "validate_no_broken_transaction",
        "Raising TransactionManagementError because an earlier query failed inside an atomic \
         block.",
    ),
    row(
        "db/backends/postgresql/base.py",
        "get_new_connection",
        "Opening the PostgreSQL connection with psycopg2.connect or psycopg.connect.",
    ),
    row("db/backends/mysql/base.py", "get_new_connection", "Opening the MySQL connection with MySQLdb.connect."),
    row(
        "db/backends/sqlite3/base.py",
        "get_new_connection",
        "Opening the SQLite database file ('unable to open database file').",
    ),
    row(
        "db/backends/sqlite3/base.py",
        "execute",
        "Executing a query on SQLite; the last Django frame for SQLite errors ('database is \
         locked', 'no such table').",
    ),
    row("db/backends/base/creation.py", "create_test_db", "Creating the test database before the tests run."),
    // Migrations.
    row(
        "db/migrations/recorder.py",
        "has_table",
        "Checking for the django_migrations table: the first database access of migrate \
         (connection errors at deploy time surface here).",
    ),
    row(
        "db/migrations/executor.py",
        "__init__",
        "migrate, runserver or the test runner building the migration loader (this touches the \
         database).",
    ),
    row("db/migrations/loader.py", "build_graph", "Building the migration dependency graph (NodeNotFoundError)."),
    row(
        "db/migrations/loader.py",
        "check_consistent_history",
        "Checking applied migrations against their dependencies; raises \
         InconsistentMigrationHistory.",
    ),
    row("db/migrations/graph.py", "raise_error", "Raising NodeNotFoundError for a missing parent migration."),
    // Management commands.
    row("core/management/__init__.py", "execute_from_command_line", "The entry point of manage.py <command>."),
    row(
        "core/management/__init__.py",
        "execute",
        "Parsing the command line and running django.setup() (settings and app loading errors \
         appear below).",
    ),
    row("core/management/__init__.py", "call_command", "Running a management command called from code or tests."),
    row("core/management/base.py", "run_from_argv", "Running the management command with its parsed options."),
    row("core/management/base.py", "execute", "Running the system checks (if enabled), then the command's handle()."),
    row("core/management/base.py", "check", "Running the system checks; raises SystemCheckError."),
    row(
        "core/management/base.py",
        "wrapped",
        "The decorator around handle() of migrate and makemigrations (Django 2.1 to 4.1).",
    ),
    row(
        "core/management/base.py",
        "wrapper",
        "The decorator around handle() of migrate and makemigrations (Django 4.2 and newer).",
    ),
    row(
        "core/management/commands/migrate.py",
        "handle",
        "migrate: loading the executor, checking the migration history and applying the plan.",
    ),
    row(
        "core/management/commands/runserver.py",
        "inner_run",
        "runserver: running the checks and the unapplied-migrations warning, then serving.",
    ),
    row("utils/autoreload.py", "wrapper", "runserver's reloader wrapper around inner_run."),
    row("utils/autoreload.py", "run_with_reloader", "runserver's autoreload main loop."),
    row("utils/autoreload.py", "python_reloader", "runserver's autoreload main loop (Django 2.1 and older)."),
    row(
        "core/checks/urls.py",
        "check_url_config",
        "The URL conf system check, which imports every URL module at startup.",
    ),
    // Start-up: settings and the app registry.
    row("__init__.py", "setup", "django.setup(): configuring logging and populating the app registry."),
    row("apps/registry.py", "populate", "Importing every installed app and its models."),
    row("apps/registry.py", "check_apps_ready", "Raising 'Apps aren't loaded yet.'."),
    row(
        "apps/registry.py",
        "get_containing_app_config",
        "Finding the app of a models module while creating a model class.",
    ),
    row("apps/config.py", "create", "Importing an INSTALLED_APPS entry (ModuleNotFoundError for a missing package)."),
    row("apps/config.py", "import_models", "Importing <app>.models (errors in model code appear below)."),
    row("conf/__init__.py", "__getattr__", "The first access to a setting."),
    row("conf/__init__.py", "_setup", "Locating DJANGO_SETTINGS_MODULE (settings not configured)."),
    row("conf/__init__.py", "__init__", "Importing the settings module (errors inside settings.py appear below)."),
    // Other.
    row("core/mail/backends/smtp.py", "open", "Connecting to the SMTP server to send email."),
    row("test/client.py", "request", "The test client making a request; view exceptions are re-raised into the test."),
];

/// Frames of drivers, servers, tools and the standard library that sit in Django stacks.
pub static LIBRARY_FRAMES: &[DjangoFrame] = &[
    // PostgreSQL drivers.
    row(
        "psycopg2/__init__.py",
        "connect",
        "psycopg2 opening a database connection; the line shown is its _connect(dsn, …) call.",
    ),
    row(
        "psycopg/connection.py",
        "connect",
        "psycopg 3 opening a database connection; it re-raises the last error with the libpq \
         traceback cut off.",
    ),
    row("psycopg/cursor.py", "execute", "psycopg 3 executing a query."),
    // MySQL drivers.
    row("MySQLdb/__init__.py", "Connect", "mysqlclient opening a database connection."),
    row("MySQLdb/connections.py", "__init__", "mysqlclient opening a database connection."),
    row("MySQLdb/connections.py", "defaulterrorhandler", "mysqlclient raising a query error (older versions)."),
    row("MySQLdb/cursors.py", "execute", "mysqlclient executing a query."),
    row("MySQLdb/cursors.py", "_query", "mysqlclient executing a query."),
    row("MySQLdb/cursors.py", "_do_query", "mysqlclient executing a query (older versions)."),
    row("pymysql/connections.py", "__init__", "PyMySQL opening a database connection."),
    row("pymysql/connections.py", "connect", "PyMySQL opening a database connection."),
    row("pymysql/connections.py", "_read_packet", "PyMySQL reading the server's reply."),
    row("pymysql/connections.py", "query", "PyMySQL executing a query."),
    row("pymysql/cursors.py", "execute", "PyMySQL executing a query."),
    row("pymysql/err.py", "raise_mysql_exception", "PyMySQL turning the server's error reply into an exception."),
    // Imports.
    row(
        "importlib/__init__.py",
        "import_module",
        "An import started by code (Django loading settings, apps, a URL conf or a database \
         backend); the next project frame is the module that failed.",
    ),
    row("<frozen importlib._bootstrap>", "_gcd_import", "Python's import machinery importing a module."),
    row("<frozen importlib._bootstrap>", "_find_and_load", "Python's import machinery importing a module."),
    row(
        "<frozen importlib._bootstrap>",
        "_find_and_load_unlocked",
        "Python's import machinery looking for a module (ModuleNotFoundError is raised here).",
    ),
    row("<frozen importlib._bootstrap>", "_load_unlocked", "Python's import machinery loading a module."),
    row(
        "<frozen importlib._bootstrap>",
        "_call_with_frames_removed",
        "Python's import machinery running a module's code; the next frame is the module being \
         imported.",
    ),
    row("<frozen importlib._bootstrap_external>", "exec_module", "Python's import machinery running a module's code."),
    row("<frozen runpy>", "_run_module_as_main", "Started with python -m (python -m django, python -m pytest)."),
    row("<frozen runpy>", "_run_code", "Started with python -m (python -m django, python -m pytest)."),
    row("runpy.py", "_run_module_as_main", "Started with python -m (python -m django, python -m pytest)."),
    row("runpy.py", "_run_code", "Started with python -m (python -m django, python -m pytest)."),
    // Other standard-library frames.
    row(
        "contextlib.py",
        "inner",
        "A context manager used as a decorator, typically @transaction.atomic or ATOMIC_REQUESTS \
         wrapping the view.",
    ),
    row("threading.py", "_bootstrap_inner", "A thread starting; runserver runs its checks in django-main-thread."),
    row("threading.py", "run", "A thread running; runserver runs its checks in django-main-thread."),
    row("smtplib.py", "connect", "Connecting to the SMTP server to send email."),
    row("smtplib.py", "_get_socket", "Connecting to the SMTP server to send email."),
    row("smtplib.py", "__init__", "Connecting to the SMTP server to send email."),
    row("socket.py", "create_connection", "Opening a network connection (for example to the SMTP server)."),
    row("json/encoder.py", "default", "Serialising to JSON failed: an object of a type JSON cannot represent."),
    // Servers and async bridging.
    row("asgiref/sync.py", "__call__", "asgiref bridging sync and async code (ASGI, async views, channels)."),
    row("asgiref/sync.py", "main_wrap", "asgiref bridging sync and async code (ASGI, async views, channels)."),
    row("asgiref/sync.py", "thread_handler", "asgiref running sync code in a thread for async code."),
    row(
        "gunicorn/arbiter.py",
        "spawn_worker",
        "gunicorn starting a worker process (import errors end with 'Worker failed to boot.').",
    ),
    row("gunicorn/workers/", "init_process", "gunicorn initialising a worker and loading the WSGI application."),
    row("gunicorn/workers/base.py", "load_wsgi", "gunicorn loading the WSGI application (wsgi.py)."),
    row("gunicorn/util.py", "import_app", "gunicorn importing the WSGI application module."),
    // Test tools.
    row(
        "pytest_django/plugin.py",
        "_blocking_wrapper",
        "pytest-django refusing database access in a test without the django_db mark.",
    ),
    row("pytest_django/fixtures.py", "django_db_setup", "pytest-django creating the test database."),
    row("pytest_django/plugin.py", "django_db_setup", "pytest-django creating the test database."),
    row("_pytest/", "*", "pytest running the tests."),
    // Monitoring wrappers.
    row("sentry_sdk/", "*", "A monitoring wrapper (Sentry) between Django's frames; not the cause."),
    row("newrelic/hooks/", "*", "A monitoring wrapper (New Relic) between Django's frames; not the cause."),
    row("raven/contrib/django/", "*", "A monitoring wrapper (Raven) between Django's frames; not the cause."),
    row(
        "opentelemetry/instrumentation/",
        "*",
        "A monitoring wrapper (OpenTelemetry) between Django's frames; not the cause.",
    ),
    row(
        "google/cloud/sqlcommenter/",
        "*",
        "A monitoring wrapper (sqlcommenter) between Django's cursor frames; not the cause.",
    ),
];

/// What Django was doing in `function` of `path_in_package`.
///
/// `path_in_package` is the path below the `django/` package directory (`db/backends/base/base.py`); a longer
/// path that ends in `django/<that path>` is accepted too. Backslashes count as slashes.
pub fn django_doing(path_in_package: &str, function: &str) -> Option<&'static str> {
    DJANGO_FRAMES
        .iter()
        .find(|f| f.function == function && path_matches_django(path_in_package, f.file))
        .map(|f| f.doing)
}

/// What a driver, server, tool or standard-library module was doing in `function` of `path_from_package`.
///
/// `path_from_package` starts at the package directory (`psycopg2/__init__.py`, `json/encoder.py`) or is a
/// pseudo-file as printed (`<frozen runpy>`); a longer path that ends in it is accepted too. Backslashes count
/// as slashes.
pub fn library_doing(path_from_package: &str, function: &str) -> Option<&'static str> {
    LIBRARY_FRAMES
        .iter()
        .find(|f| (f.function == "*" || f.function == function) && path_matches_library(path_from_package, f.file))
        .map(|f| f.doing)
}

/// Whether two bytes are equal, taking `\` and `/` as the same byte.
fn same_byte(a: u8, b: u8) -> bool {
    a == b || (a == b'\\' && b == b'/') || (a == b'/' && b == b'\\')
}

/// Whether `path` ends with `suffix`, with `\` and `/` equal. Returns where the suffix starts.
fn ends_with_path(path: &str, suffix: &str) -> Option<usize> {
    let (p, s) = (path.as_bytes(), suffix.as_bytes());
    if s.len() > p.len() {
        return None;
    }
    let start = p.len() - s.len();
    p[start..].iter().zip(s).all(|(&a, &b)| same_byte(a, b)).then_some(start)
}

fn is_sep(b: u8) -> bool {
    b == b'/' || b == b'\\'
}

/// Whether `path` is `file`, or ends in `django/<file>` at a segment boundary.
fn path_matches_django(path: &str, file: &str) -> bool {
    let Some(start) = ends_with_path(path, file) else {
        return false;
    };
    if start == 0 {
        return true;
    }
    let head = &path.as_bytes()[..start];
    // What precedes `file` must be `django/`, itself at the start or after a separator.
    let Some((&sep, rest)) = head.split_last() else {
        return false;
    };
    is_sep(sep) && rest.ends_with(b"django") && (rest.len() == 6 || is_sep(rest[rest.len() - 7]))
}

/// Whether `path` matches a [`LIBRARY_FRAMES`] file: exactly, as a suffix at a segment boundary, or, for a
/// directory entry ending in `/`, anywhere below that directory.
fn path_matches_library(path: &str, file: &str) -> bool {
    if file.ends_with('/') {
        let (p, f) = (path.as_bytes(), file.as_bytes());
        // The directory must start the path or follow a separator.
        return (0..p.len().saturating_sub(f.len()) + 1).any(|i| {
            (i == 0 || is_sep(p[i - 1]))
                && p.len() - i > f.len()
                && p[i..i + f.len()].iter().zip(f).all(|(&a, &b)| same_byte(a, b))
        });
    }
    match ends_with_path(path, file) {
        Some(0) => true,
        Some(start) => is_sep(path.as_bytes()[start - 1]),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// Checks a Django lookup: `None` expects no match, `Some(word)` expects the text to contain `word`.
    #[track_caller]
    fn check(path: &str, function: &str, expected: Option<&str>) {
        let got = django_doing(path, function);
        match (got, expected) {
            (None, None) => {}
            (Some(text), Some(word)) => assert!(text.contains(word), "{path} {function}: {text:?} lacks {word:?}"),
            _ => panic!("{path} {function}: got {got:?}, expected {expected:?}"),
        }
    }

    #[track_caller]
    fn check_lib(path: &str, function: &str, expected: Option<&str>) {
        let got = library_doing(path, function);
        match (got, expected) {
            (None, None) => {}
            (Some(text), Some(word)) => assert!(text.contains(word), "{path} {function}: {text:?} lacks {word:?}"),
            _ => panic!("{path} {function}: got {got:?}, expected {expected:?}"),
        }
    }

    #[test]
    fn table_size_and_uniqueness() {
        assert!(DJANGO_FRAMES.len() >= 100, "only {} rows", DJANGO_FRAMES.len());
        let mut seen = HashSet::new();
        for f in DJANGO_FRAMES {
            assert!(seen.insert((f.file, f.function)), "duplicate row {} {}", f.file, f.function);
        }
        let mut seen = HashSet::new();
        for f in LIBRARY_FRAMES {
            assert!(seen.insert((f.file, f.function)), "duplicate library row {} {}", f.file, f.function);
        }
    }

    #[test]
    fn texts_are_plain() {
        for f in DJANGO_FRAMES.iter().chain(LIBRARY_FRAMES) {
            assert!(!f.doing.contains('`') && !f.doing.contains("**"), "markdown in {}: {}", f.file, f.doing);
            assert!(!f.doing.contains("  "), "double space in {}: {}", f.file, f.doing);
            assert!(f.doing.ends_with('.'), "no full stop in {}: {}", f.file, f.doing);
            assert!(!f.file.starts_with('/') && !f.file.contains('\\'), "bad path {}", f.file);
        }
    }

    #[test]
    fn django_lookups() {
        check("db/backends/base/base.py", "ensure_connection", Some("connection"));
        check("db/backends/base/base.py", "connect", Some("get_new_connection"));
        check("db/backends/utils.py", "_execute", Some("driver"));
        check("db/utils.py", "__exit__", Some("Re-raising"));
        check("db/transaction.py", "__exit__", Some("atomic"));
        check("core/handlers/base.py", "_get_response", Some("view"));
        check("core/handlers/exception.py", "inner", Some("middleware"));
        check("utils/asyncio.py", "inner", Some("SynchronousOnlyOperation"));
        check("utils/functional.py", "inner", Some("lazy"));
        check("template/defaulttags.py", "render", Some("{% url %}"));
        check("db/models/query.py", "__iter__", Some("queryset"));
        check("__init__.py", "setup", Some("app registry"));
        check("db/migrations/recorder.py", "has_table", Some("migrate"));
        check("test/client.py", "request", Some("test client"));
    }

    #[test]
    fn renamed_functions() {
        check("contrib/auth/decorators.py", "_wrapped_view", Some("login_required"));
        check("contrib/auth/decorators.py", "_wrapper_view", Some("login_required"));
        check("contrib/auth/decorators.py", "_view_wrapper", Some("login_required"));
        check("core/management/base.py", "wrapped", Some("handle()"));
        check("core/management/base.py", "wrapper", Some("handle()"));
        check("utils/autoreload.py", "wrapper", Some("reloader"));
    }

    #[test]
    fn django_paths_in_other_shapes() {
        check("db\\backends\\base\\base.py", "ensure_connection", Some("connection"));
        check("/usr/lib/python3/dist-packages/django/db/backends/base/base.py", "ensure_connection", Some("lazily"));
        check("C:\\venv\\Lib\\site-packages\\django\\db\\utils.py", "__exit__", Some("Re-raising"));
        check("django/__init__.py", "setup", Some("django.setup()"));
        check("/srv/django/__init__.py", "setup", Some("django.setup()"));
    }

    #[test]
    fn django_misses() {
        check("db/backends/base/base.py", "nonexistent", None);
        check("db/backends/base/base.py", "", None);
        check("", "ensure_connection", None);
        check("setuptools/__init__.py", "setup", None);
        check("mydjango/__init__.py", "setup", None);
        check("/app/shop/__init__.py", "setup", None);
        check("base/base.py", "ensure_connection", None);
        check("xdb/backends/base/base.py", "ensure_connection", None);
    }

    #[test]
    fn library_lookups() {
        check_lib("psycopg2/__init__.py", "connect", Some("psycopg2"));
        check_lib("/app/venv/lib/python3.11/site-packages/psycopg2/__init__.py", "connect", Some("connection"));
        check_lib("psycopg\\connection.py", "connect", Some("psycopg 3"));
        check_lib("MySQLdb/connections.py", "__init__", Some("mysqlclient"));
        check_lib("pymysql/err.py", "raise_mysql_exception", Some("PyMySQL"));
        check_lib("<frozen importlib._bootstrap>", "_find_and_load_unlocked", Some("ModuleNotFoundError"));
        check_lib("<frozen runpy>", "_run_module_as_main", Some("python -m"));
        check_lib("/usr/lib/python3.11/json/encoder.py", "default", Some("JSON"));
        check_lib("contextlib.py", "inner", Some("atomic"));
        check_lib("gunicorn/workers/gthread.py", "init_process", Some("gunicorn"));
        check_lib("gunicorn/workers/base.py", "init_process", Some("gunicorn"));
        check_lib("_pytest/python.py", "pytest_pyfunc_call", Some("pytest"));
        check_lib("/venv/site-packages/sentry_sdk/integrations/django/__init__.py", "sentry_patched", Some("Sentry"));
        check_lib("pytest_django/plugin.py", "_blocking_wrapper", Some("django_db"));
    }

    #[test]
    fn library_misses() {
        check_lib("psycopg2/__init__.py", "execute", None);
        check_lib("notpsycopg2/__init__.py", "connect", None);
        check_lib("my_pytest/x.py", "f", None);
        check_lib("_pytest/", "f", None);
        check_lib("", "connect", None);
        check_lib("json/encoder.py", "", None);
    }
}
