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
    row("core/handlers/wsgi.py", "__call__", "WSGI entry point: building the request, running the middleware."),
    row("core/handlers/asgi.py", "__call__", "ASGI entry point."),
    row("core/handlers/base.py", "get_response", "Processing one request."),
    row("core/handlers/base.py", "_get_response", "Calling the view; view errors appear below."),
    row("core/handlers/base.py", "check_response", "Checking the view returned a response."),
    row("core/handlers/exception.py", "inner", "One middleware layer turning exceptions into responses."),
    row("utils/deprecation.py", "__call__", "Running one middleware."),
    row("core/wsgi.py", "get_wsgi_application", "wsgi.py running django.setup()."),
    // Views.
    row("views/generic/base.py", "view", "Class-based view entry."),
    row("views/generic/base.py", "dispatch", "Routing to get()/post() by method."),
    row("views/generic/edit.py", "form_valid", "Saving the model form."),
    row("shortcuts.py", "render", "Rendering a template."),
    row("contrib/auth/decorators.py", "_wrapped_view", "The @login_required wrapper."),
    row("contrib/auth/decorators.py", "_wrapper_view", "The @login_required wrapper."),
    row("contrib/auth/decorators.py", "_view_wrapper", "The @login_required wrapper."),
    row("contrib/admin/options.py", "_changeform_view", "Admin form processing."),
    // Middleware and the request object.
    row("middleware/common.py", "process_request", "CommonMiddleware: host check, slash redirects."),
    row("contrib/auth/middleware.py", "get_user", "Loading request.user (a database query)."),
    row("http/request.py", "get_host", "Checking Host against ALLOWED_HOSTS."),
    // URLs.
    row("urls/base.py", "reverse", "Building a URL from a name."),
    row("urls/resolvers.py", "resolve", "Matching the path to URL patterns."),
    row("urls/resolvers.py", "url_patterns", "Reading an included module's urlpatterns."),
    row("urls/resolvers.py", "urlconf_module", "Importing the URL conf."),
    row("urls/resolvers.py", "_reverse_with_prefix", "Trying URL patterns for reverse()."),
    row("urls/conf.py", "include", "include() in a URL conf."),
    row("conf/urls/__init__.py", "include", "include() in a URL conf."),
    row("utils/functional.py", "inner", "Evaluating a lazy object."),
    // Templates.
    row("template/loader.py", "get_template", "Finding a template by name."),
    row("template/backends/django.py", "render", "Rendering a template."),
    row("template/base.py", "parse", "Parsing template tags."),
    row("template/base.py", "invalid_block_tag", "Raising 'Invalid block tag'."),
    row("template/base.py", "render", "Rendering child nodes."),
    row("template/base.py", "render_annotated", "Rendering one template node."),
    row("template/base.py", "_resolve_lookup", "Resolving a.b.c in a template."),
    row("template/defaulttags.py", "render", "A built-in tag: {% for %} or {% url %}."),
    row("template/defaulttags.py", "find_library", "{% load %} finding a tag library."),
    row("template/response.py", "render", "Rendering a TemplateResponse."),
    row("templatetags/static.py", "handle_simple", "{% static %} getting a URL."),
    row("contrib/staticfiles/storage.py", "stored_name", "Reading staticfiles.json."),
    // The ORM.
    row("db/models/manager.py", "manager_method", "Model.objects forwarding to the QuerySet."),
    row("db/models/query.py", "get", "QuerySet.get()."),
    row("db/models/query.py", "create", "objects.create()."),
    row("db/models/query.py", "count", "Running a COUNT query."),
    row("db/models/query.py", "_filter_or_exclude", "Building a filter."),
    row("db/models/query.py", "__iter__", "Evaluating a queryset."),
    row("db/models/query.py", "__repr__", "Printing a queryset."),
    row("db/models/query.py", "_fetch_all", "Running the SELECT."),
    row("db/models/sql/compiler.py", "execute_sql", "Running the SQL on a cursor."),
    row("db/models/sql/query.py", "names_to_path", "Resolving field__lookup names."),
    row("db/models/sql/query.py", "build_filter", "Building one WHERE condition."),
    row("db/models/fields/__init__.py", "get_prep_value", "Converting a lookup value."),
    row("db/models/fields/related_descriptors.py", "__get__", "Accessing a related object (a query)."),
    row("db/models/base.py", "__new__", "Creating a model class."),
    row("db/models/base.py", "save", "Saving a model instance."),
    row("db/models/base.py", "_do_insert", "Running the INSERT."),
    row("db/transaction.py", "__exit__", "Ending an atomic block."),
    // Database backends.
    row("db/backends/utils.py", "execute", "Django's cursor wrapper."),
    row("db/backends/utils.py", "_execute_with_wrappers", "Applying execute_wrapper() hooks."),
    row("db/backends/utils.py", "_execute", "Calling the database driver."),
    row("db/utils.py", "__exit__", "Re-raising the driver's error as django.db.utils."),
    row("db/utils.py", "__getitem__", "connections[alias]: loading the backend."),
    row("utils/connection.py", "__getitem__", "connections[alias]: loading the backend."),
    row("db/utils.py", "load_backend", "Importing the ENGINE's backend."),
    row("utils/asyncio.py", "inner", "The SynchronousOnlyOperation guard."),
    row("db/backends/base/base.py", "cursor", "Getting a cursor."),
    row("db/backends/base/base.py", "_cursor", "Getting a cursor."),
    row("db/backends/base/base.py", "ensure_connection", "Opening the database connection lazily."),
    row("db/backends/base/base.py", "connect", "Calling get_new_connection."),
    row("db/backends/base/base.py", "check_database_version_supported", "Checking the server version."),
    row("db/backends/base/base.py", "validate_no_broken_transaction", "Refusing a query after a failed one."),
    row("db/backends/postgresql/base.py", "get_new_connection", "Connecting to PostgreSQL."),
    row("db/backends/mysql/base.py", "get_new_connection", "Connecting to MySQL."),
    row("db/backends/sqlite3/base.py", "get_new_connection", "Opening the SQLite file."),
    row("db/backends/sqlite3/base.py", "execute", "Running a SQLite query."),
    row("db/backends/base/creation.py", "create_test_db", "Creating the test database."),
    // Migrations.
    row("db/migrations/recorder.py", "has_table", "migrate's first database access."),
    row("db/migrations/executor.py", "__init__", "Loading migrations (touches the database)."),
    row("db/migrations/loader.py", "build_graph", "Building the migration graph."),
    row("db/migrations/loader.py", "check_consistent_history", "Checking the migration history."),
    row("db/migrations/graph.py", "raise_error", "Raising NodeNotFoundError."),
    // Management commands.
    row("core/management/__init__.py", "execute_from_command_line", "manage.py entry point."),
    row("core/management/__init__.py", "execute", "Running django.setup()."),
    row("core/management/__init__.py", "call_command", "call_command()."),
    row("core/management/base.py", "run_from_argv", "Running the command."),
    row("core/management/base.py", "execute", "Checks, then handle()."),
    row("core/management/base.py", "check", "Running the system checks."),
    row("core/management/base.py", "wrapped", "Wrapper around handle()."),
    row("core/management/base.py", "wrapper", "Wrapper around handle()."),
    row("core/management/commands/migrate.py", "handle", "migrate applying the plan."),
    row("core/management/commands/runserver.py", "inner_run", "runserver: checks, then serving."),
    row("utils/autoreload.py", "wrapper", "runserver's reloader."),
    row("utils/autoreload.py", "run_with_reloader", "runserver's reloader."),
    row("utils/autoreload.py", "python_reloader", "runserver's reloader."),
    row("core/checks/urls.py", "check_url_config", "URL check importing URL modules."),
    // Start-up: settings and the app registry.
    row("__init__.py", "setup", "django.setup(): filling the app registry."),
    row("apps/registry.py", "populate", "Importing installed apps."),
    row("apps/registry.py", "check_apps_ready", "Raising 'Apps aren't loaded yet.'."),
    row("apps/registry.py", "get_containing_app_config", "Finding a model's app."),
    row("apps/config.py", "create", "Importing an INSTALLED_APPS entry."),
    row("apps/config.py", "import_models", "Importing <app>.models."),
    row("conf/__init__.py", "__getattr__", "First access to a setting."),
    row("conf/__init__.py", "_setup", "Finding DJANGO_SETTINGS_MODULE."),
    row("conf/__init__.py", "__init__", "Importing the settings module."),
    // Other.
    row("core/mail/backends/smtp.py", "open", "Connecting to the SMTP server."),
    row("test/client.py", "request", "The test client re-raising a view error."),
];

/// Frames of drivers, servers, tools and the standard library that sit in Django stacks.
pub static LIBRARY_FRAMES: &[DjangoFrame] = &[
    // PostgreSQL drivers.
    row("psycopg2/__init__.py", "connect", "psycopg2 opening a connection."),
    row("psycopg/connection.py", "connect", "psycopg 3 connecting."),
    row("psycopg/cursor.py", "execute", "psycopg 3 running a query."),
    // MySQL drivers.
    row("MySQLdb/__init__.py", "Connect", "mysqlclient connecting."),
    row("MySQLdb/connections.py", "__init__", "mysqlclient connecting."),
    row("MySQLdb/connections.py", "defaulterrorhandler", "mysqlclient raising."),
    row("MySQLdb/cursors.py", "execute", "mysqlclient running a query."),
    row("MySQLdb/cursors.py", "_query", "mysqlclient running a query."),
    row("MySQLdb/cursors.py", "_do_query", "mysqlclient running a query."),
    row("pymysql/connections.py", "__init__", "PyMySQL connecting."),
    row("pymysql/connections.py", "connect", "PyMySQL connecting."),
    row("pymysql/connections.py", "_read_packet", "PyMySQL reading a reply."),
    row("pymysql/connections.py", "query", "PyMySQL running a query."),
    row("pymysql/cursors.py", "execute", "PyMySQL running a query."),
    row("pymysql/err.py", "raise_mysql_exception", "PyMySQL raising."),
    // Imports.
    row("importlib/__init__.py", "import_module", "An import by code; the next project frame failed."),
    row("<frozen importlib._bootstrap>", "_gcd_import", "Python importing."),
    row("<frozen importlib._bootstrap>", "_find_and_load", "Python importing."),
    row("<frozen importlib._bootstrap>", "_find_and_load_unlocked", "Python finding a module (ModuleNotFoundError)."),
    row("<frozen importlib._bootstrap>", "_load_unlocked", "Python importing."),
    row("<frozen importlib._bootstrap>", "_call_with_frames_removed", "Python running the imported module."),
    row("<frozen importlib._bootstrap_external>", "exec_module", "Python running the imported module."),
    row("<frozen runpy>", "_run_module_as_main", "Started with python -m."),
    row("<frozen runpy>", "_run_code", "Started with python -m."),
    row("runpy.py", "_run_module_as_main", "Started with python -m."),
    row("runpy.py", "_run_code", "Started with python -m."),
    // Other standard-library frames.
    row("contextlib.py", "inner", "A decorator such as @atomic."),
    row("threading.py", "_bootstrap_inner", "A thread starting."),
    row("threading.py", "run", "A thread running."),
    row("smtplib.py", "connect", "Connecting to SMTP."),
    row("smtplib.py", "_get_socket", "Connecting to SMTP."),
    row("smtplib.py", "__init__", "Connecting to SMTP."),
    row("socket.py", "create_connection", "Opening a network connection."),
    row("json/encoder.py", "default", "JSON serialising failed."),
    // Servers and async bridging.
    row("asgiref/sync.py", "__call__", "asgiref sync/async bridge."),
    row("asgiref/sync.py", "main_wrap", "asgiref sync/async bridge."),
    row("asgiref/sync.py", "thread_handler", "asgiref sync/async bridge."),
    row("gunicorn/arbiter.py", "spawn_worker", "gunicorn starting a worker."),
    row("gunicorn/workers/", "init_process", "gunicorn loading the app."),
    row("gunicorn/workers/base.py", "load_wsgi", "gunicorn loading the app."),
    row("gunicorn/util.py", "import_app", "gunicorn importing the app."),
    // Test tools.
    row("pytest_django/plugin.py", "_blocking_wrapper", "pytest-django blocking DB access (no django_db mark)."),
    row("pytest_django/fixtures.py", "django_db_setup", "pytest-django creating the test DB."),
    row("pytest_django/plugin.py", "django_db_setup", "pytest-django creating the test DB."),
    row("_pytest/", "*", "pytest."),
    // Monitoring wrappers.
    row("sentry_sdk/", "*", "Sentry wrapper; not the cause."),
    row("newrelic/hooks/", "*", "New Relic wrapper; not the cause."),
    row("raven/contrib/django/", "*", "Raven wrapper; not the cause."),
    row("opentelemetry/instrumentation/", "*", "OpenTelemetry wrapper; not the cause."),
    row("google/cloud/sqlcommenter/", "*", "sqlcommenter wrapper; not the cause."),
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
