//! Whose code a frame is: the ordered chain of rules that turns a frame's file path into an [`Origin`].
//!
//! The chain follows sentry-python's in-app decision: the first rule that matches decides, and its slug is
//! recorded so a reader can see why. In order: `empty`, `frozen`, `pseudo-file`, `site-packages`,
//! `django-path`, `known-library`, `stdlib-path`, `stdlib-module`, and finally `project`. Paths may use `/`
//! or `\`; nothing is allocated except the returned package name, and no input makes it panic.

use crate::knowledge::stdlib_modules::is_stdlib_module;
use crate::model::Origin;

/// The result of classifying one frame's file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classified {
    pub origin: Origin,
    /// Slug of the rule that decided, e.g. `site-packages` or `stdlib-module`.
    pub rule: &'static str,
    /// Top-level package for library and Django frames (`django`, `psycopg2`), or the stdlib module (`json`).
    pub package: Option<String>,
}

impl Classified {
    fn new(origin: Origin, rule: &'static str, package: Option<&str>) -> Self {
        Classified { origin, rule, package: package.map(str::to_owned) }
    }
}

/// Classify the file of a frame as printed (`/app/venv/lib/python3.11/site-packages/django/db/utils.py`,
/// `<frozen runpy>`, `C:\proj\app\views.py`, `django/db/backends/utils.py`).
pub fn classify(file: &str) -> Classified {
    let path = file.trim();
    if path.is_empty() {
        return Classified::new(Origin::Other, "empty", None);
    }
    if path.starts_with('<') && path.ends_with('>') && path.len() >= 2 {
        let inner = &path[1..path.len() - 1];
        let frozen = if inner == "frozen" { Some("") } else { inner.strip_prefix("frozen ") };
        if let Some(module) = frozen {
            let module = module.trim();
            let top = module.split('.').next().filter(|m| !m.is_empty());
            return Classified::new(Origin::Stdlib, "frozen", top);
        }
        return Classified::new(Origin::Other, "pseudo-file", None);
    }
    if let Some(found) = site_packages(path) {
        return found;
    }
    // Known libraries come first so that their own `django/` folders (`sentry_sdk/integrations/django/`)
    // are not taken for Django.
    if let Some(package) = known_library(path) {
        return Classified::new(Origin::Library, "known-library", Some(package));
    }
    if is_django_path(path) {
        return Classified::new(Origin::Django, "django-path", Some("django"));
    }
    if let Some(module) = stdlib_path(path) {
        return Classified::new(Origin::Stdlib, "stdlib-path", module);
    }
    if let Some(module) = stdlib_module(path) {
        return Classified::new(Origin::Stdlib, "stdlib-module", Some(module));
    }
    Classified::new(Origin::App, "project", None)
}

/// The non-empty segments of a path, splitting on both `/` and `\`.
fn segments(path: &str) -> impl Iterator<Item = &str> + Clone {
    path.split(['/', '\\']).filter(|s| !s.is_empty())
}

/// Whether a path looks like a Windows one: a backslash or a drive letter.
fn is_windows_path(path: &str) -> bool {
    let b = path.as_bytes();
    path.contains('\\') || (b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':')
}

/// Whether a path is absolute (or home-relative), as opposed to relative like Sentry's `django/db/utils.py`.
fn is_absolute(path: &str) -> bool {
    path.starts_with(['/', '\\', '~']) || (is_windows_path(path) && path.as_bytes().get(1) == Some(&b':'))
}

/// Whether `s` ends with `suffix`, ignoring ASCII case.
fn ends_with_ignore_case(s: &str, suffix: &str) -> bool {
    s.len() >= suffix.len() && s.as_bytes()[s.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
}

/// A module file or package directory name without its `.py`/`.pyc` extension.
fn module_name(segment: &str) -> &str {
    segment.strip_suffix(".py").or_else(|| segment.strip_suffix(".pyc")).unwrap_or(segment)
}

/// Rule `site-packages`: the first segment after the last `site-packages`/`dist-packages` segment is the
/// package. An egg or zip directory in between (`foo-1.0-py3.8.egg/foo/…`) is skipped.
fn site_packages(path: &str) -> Option<Classified> {
    let mut after = None;
    let mut segs = segments(path);
    while let Some(seg) = segs.next() {
        if seg.eq_ignore_ascii_case("site-packages") || seg.eq_ignore_ascii_case("dist-packages") {
            after = Some(segs.clone());
        }
    }
    let mut rest = after?;
    let package = match rest.next() {
        None => None,
        Some(seg) if [".egg", ".zip", ".whl"].iter().any(|ext| ends_with_ignore_case(seg, ext)) => {
            // The package is the directory inside the archive, or else the archive's name up to its version.
            let inside = rest.next().filter(|_| rest.clone().next().is_some());
            Some(inside.unwrap_or_else(|| seg.split(['-', '.']).next().unwrap_or(seg)))
        }
        Some(seg) => Some(module_name(seg)),
    };
    let package = package.filter(|p| !p.is_empty());
    if package.is_some_and(|p| p.eq_ignore_ascii_case("django")) {
        return Some(Classified::new(Origin::Django, "site-packages", Some("django")));
    }
    Some(Classified::new(Origin::Library, "site-packages", package))
}

/// Django subpackages (and top-level modules) that identify a `django/` directory as Django itself.
const DJANGO_SUBPACKAGES: &[&str] = &[
    "__init__.py",
    "apps",
    "conf",
    "contrib",
    "core",
    "db",
    "dispatch",
    "forms",
    "http",
    "middleware",
    "shortcuts.py",
    "template",
    "templatetags",
    "test",
    "urls",
    "utils",
    "views",
];

/// For subpackage names a project could also use for its own folders, the entries Django has below them.
/// A `django/<sub>/<entry>` path must name one of these to count as Django.
const AMBIGUOUS_SUBPACKAGES: &[(&str, &[&str])] = &[
    ("apps", &["__init__.py", "config.py", "registry.py"]),
    (
        "core",
        &[
            "__init__.py",
            "asgi.py",
            "cache",
            "checks",
            "exceptions.py",
            "files",
            "handlers",
            "mail",
            "management",
            "paginator.py",
            "serializers",
            "servers",
            "signals.py",
            "signing.py",
            "validators.py",
            "wsgi.py",
        ],
    ),
    ("conf", &["__init__.py", "global_settings.py", "locale", "urls"]),
    (
        "test",
        &["__init__.py", "client.py", "html.py", "runner.py", "selenium.py", "signals.py", "testcases.py", "utils.py"],
    ),
    (
        "utils",
        &[
            "__init__.py",
            "_os.py",
            "asyncio.py",
            "autoreload.py",
            "cache.py",
            "connection.py",
            "crypto.py",
            "datastructures.py",
            "dateparse.py",
            "deconstruct.py",
            "decorators.py",
            "deprecation.py",
            "encoding.py",
            "formats.py",
            "functional.py",
            "hashable.py",
            "html.py",
            "http.py",
            "inspect.py",
            "log.py",
            "module_loading.py",
            "regex_helper.py",
            "safestring.py",
            "six.py",
            "text.py",
            "timezone.py",
            "translation",
            "tree.py",
            "version.py",
        ],
    ),
];

/// Rule `django-path`: a `django` segment followed by one of Django's own subpackages, without any
/// site-packages (Django's own checkout, Sentry's relative paths).
fn is_django_path(path: &str) -> bool {
    let mut prev: Option<&str> = None;
    let mut segs = segments(path);
    while let Some(seg) = segs.next() {
        let before = prev.replace(seg);
        if seg != "django" {
            continue;
        }
        let mut rest = segs.clone();
        let Some(sub) = rest.next() else { return false };
        if !DJANGO_SUBPACKAGES.contains(&sub) {
            continue;
        }
        // A file directly under django/ must be the last segment, and the `django` folder must start the path
        // or sit in a checkout (`django/django/`, `django-4.2/django/`): integrations of other libraries
        // have their own `django/__init__.py`.
        if sub.ends_with(".py") {
            let in_checkout = before.is_none_or(|b| b.starts_with("django") || b.starts_with("Django"));
            if rest.next().is_none() && in_checkout {
                return true;
            }
            continue;
        }
        match AMBIGUOUS_SUBPACKAGES.iter().find(|(name, _)| *name == sub) {
            None => {
                if rest.next().is_some() {
                    return true;
                }
            }
            Some((_, entries)) => {
                if rest.next().is_some_and(|entry| entries.contains(&entry)) {
                    return true;
                }
            }
        }
    }
    false
}

/// Top-level packages and modules of libraries that often appear in Django stacks under relative paths.
const KNOWN_LIBRARIES: &[&str] = &[
    "MySQLdb",
    "_pytest",
    "allauth",
    "asgiref",
    "billiard",
    "boto3",
    "botocore",
    "celery",
    "channels",
    "corsheaders",
    "crispy_forms",
    "daphne",
    "ddtrace",
    "debug_toolbar",
    "decouple",
    "dj_database_url",
    "django_extensions",
    "django_filters",
    "django_redis",
    "drf_spectacular",
    "environ",
    "graphene",
    "graphene_django",
    "gunicorn",
    "jinja2",
    "kombu",
    "newrelic",
    "opentelemetry",
    "pluggy",
    "psycopg",
    "psycopg2",
    "psycopg_pool",
    "pymysql",
    "pytest",
    "pytest_django",
    "raven",
    "redis",
    "requests",
    "rest_framework",
    "rest_framework_simplejwt",
    "sentry_sdk",
    "six",
    "sqlparse",
    "storages",
    "urllib3",
    "uvicorn",
    "whitenoise",
];

/// Rule `known-library`: a relative path whose first segment is a well-known library's package
/// (`psycopg2/__init__.py`) or single-module file (`dj_database_url.py`).
fn known_library(path: &str) -> Option<&str> {
    if is_absolute(path) {
        return None;
    }
    let mut segs = path.split(['/', '\\']);
    let first = segs.next()?;
    let has_more = segs.next().is_some();
    let name = if has_more { first } else { first.strip_suffix(".py")? };
    KNOWN_LIBRARIES.binary_search(&name).ok().map(|_| name)
}

/// Whether a segment names a Python install's library folder: `python3.11`, `python3.13t`, `pypy3.10`.
fn is_python_version_dir(seg: &str) -> bool {
    let Some(version) = seg.strip_prefix("python").or_else(|| seg.strip_prefix("pypy")) else {
        return false;
    };
    let version = version.strip_suffix('t').unwrap_or(version);
    let Some((major, minor)) = version.split_once('.') else {
        return false;
    };
    !major.is_empty()
        && !minor.is_empty()
        && major.bytes().all(|b| b.is_ascii_digit())
        && minor.bytes().all(|b| b.is_ascii_digit())
}

/// Rule `stdlib-path`: a `lib/pythonX.Y/` segment (or, on Windows, a `Lib\` segment followed by a
/// standard-library module). Site-packages below it were already handled. Returns the top-level module.
fn stdlib_path(path: &str) -> Option<Option<&str>> {
    let windows = is_windows_path(path);
    let mut prev = "";
    let mut segs = segments(path);
    while let Some(seg) = segs.next() {
        let is_lib = prev.eq_ignore_ascii_case("lib") || prev.eq_ignore_ascii_case("lib64");
        if is_lib && is_python_version_dir(seg) {
            return Some(segs.next().map(module_name));
        }
        if windows && seg.eq_ignore_ascii_case("lib") {
            let mut rest = segs.clone();
            if let Some(next) = rest.next() {
                let module = module_name(next);
                // A single file must be a module (`Lib\json.py` is not real, but `Lib\threading.py` is).
                let is_module_file = rest.clone().next().is_some() || next.ends_with(".py");
                if is_module_file && is_stdlib_module(module) {
                    return Some(Some(module));
                }
            }
        }
        prev = seg;
    }
    None
}

/// Rule `stdlib-module`: a bare relative path made only of a standard-library module (`threading.py`) or
/// of a path inside a standard-library package (`json/encoder.py`, `importlib/__init__.py`).
fn stdlib_module(path: &str) -> Option<&str> {
    if is_absolute(path) {
        return None;
    }
    let mut segs = path.split(['/', '\\']);
    let first = segs.next()?;
    let has_more = segs.next().is_some();
    let module = if has_more { first } else { first.strip_suffix(".py")? };
    is_stdlib_module(module).then_some(module)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checks one path: the expected origin, rule slug and package.
    #[track_caller]
    fn check(file: &str, expected: (Origin, &str, Option<&str>)) {
        let got = classify(file);
        let (origin, rule, package) = expected;
        assert_eq!((got.origin, got.rule, got.package.as_deref()), (origin, rule, package), "classify({file:?})");
    }

    use Origin::{App, Django, Library, Other, Stdlib};

    #[test]
    fn empty_and_pseudo_files() {
        check("", (Other, "empty", None));
        check("   ", (Other, "empty", None));
        check("<string>", (Other, "pseudo-file", None));
        check("<stdin>", (Other, "pseudo-file", None));
        check("<console>", (Other, "pseudo-file", None));
        check("<template>", (Other, "pseudo-file", None));
        check("<decorator-gen-12>", (Other, "pseudo-file", None));
        check("<ipython-input-3-1a2b>", (Other, "pseudo-file", None));
        check("<>", (Other, "pseudo-file", None));
        check("<frozenset>", (Other, "pseudo-file", None));
        check("<", (App, "project", None));
    }

    #[test]
    fn frozen() {
        check("<frozen importlib._bootstrap>", (Stdlib, "frozen", Some("importlib")));
        check("<frozen importlib._bootstrap_external>", (Stdlib, "frozen", Some("importlib")));
        check("<frozen runpy>", (Stdlib, "frozen", Some("runpy")));
        check("<frozen zipimport>", (Stdlib, "frozen", Some("zipimport")));
        check("<frozen>", (Stdlib, "frozen", None));
    }

    #[test]
    fn site_packages_linux_and_docker() {
        check(
            "/app/venv/lib/python3.11/site-packages/django/db/backends/utils.py",
            (Django, "site-packages", Some("django")),
        );
        check(
            "/usr/local/lib/python3.12/site-packages/django/core/handlers/base.py",
            (Django, "site-packages", Some("django")),
        );
        check(
            "/usr/local/lib/python3.12/site-packages/psycopg2/__init__.py",
            (Library, "site-packages", Some("psycopg2")),
        );
        check("/usr/lib/python3/dist-packages/django/db/utils.py", (Django, "site-packages", Some("django")));
        check("/usr/lib/python3/dist-packages/MySQLdb/connections.py", (Library, "site-packages", Some("MySQLdb")));
        check("/home/u/.venv/lib/python3.12/site-packages/six.py", (Library, "site-packages", Some("six")));
        check(
            "/app/.venv/lib/python3.11/site-packages/django_filters/filterset.py",
            (Library, "site-packages", Some("django_filters")),
        );
        check(
            "/opt/venv/lib64/python3.11/site-packages/gunicorn/arbiter.py",
            (Library, "site-packages", Some("gunicorn")),
        );
        check("/usr/local/lib/python3.12/site-packages/_pytest/runner.py", (Library, "site-packages", Some("_pytest")));
        check("/usr/local/lib/python3.12/site-packages", (Library, "site-packages", None));
    }

    #[test]
    fn site_packages_macos() {
        check(
            "/Users/me/Library/Caches/pypoetry/virtualenvs/shop-x1-py3.12/lib/python3.12/site-packages/django/views/generic/base.py",
            (Django, "site-packages", Some("django")),
        );
        check(
            "/opt/homebrew/lib/python3.12/site-packages/asgiref/sync.py",
            (Library, "site-packages", Some("asgiref")),
        );
    }

    #[test]
    fn site_packages_windows() {
        check(r"C:\proj\venv\Lib\site-packages\django\db\utils.py", (Django, "site-packages", Some("django")));
        check(r"C:\Python311\Lib\Site-Packages\psycopg2\__init__.py", (Library, "site-packages", Some("psycopg2")));
        check(r"c:\users\u\env\lib\SITE-PACKAGES\Django\http\request.py", (Django, "site-packages", Some("django")));
        check(
            "C:/proj/venv/Lib/site-packages/rest_framework/views.py",
            (Library, "site-packages", Some("rest_framework")),
        );
    }

    #[test]
    fn site_packages_eggs_and_zips() {
        check("/usr/lib/python2.7/site-packages/foo-1.0-py2.7.egg/foo/bar.py", (Library, "site-packages", Some("foo")));
        check(
            "/usr/lib/python3.8/site-packages/Django-1.11-py3.8.egg/django/db/utils.py",
            (Django, "site-packages", Some("django")),
        );
        check("/srv/lib/site-packages/deps.zip/kombu/connection.py", (Library, "site-packages", Some("kombu")));
        check("/srv/lib/site-packages/foo-1.0-py3.6.egg", (Library, "site-packages", Some("foo")));
    }

    #[test]
    fn django_path_without_site_packages() {
        check("django/db/backends/utils.py", (Django, "django-path", Some("django")));
        check("django/__init__.py", (Django, "django-path", Some("django")));
        check("django/shortcuts.py", (Django, "django-path", Some("django")));
        check(r"django\core\handlers\base.py", (Django, "django-path", Some("django")));
        check("/home/me/src/django/django/db/models/query.py", (Django, "django-path", Some("django")));
        check("/home/me/src/django/django/utils/functional.py", (Django, "django-path", Some("django")));
        check("/home/me/src/django/django/apps/registry.py", (Django, "django-path", Some("django")));
    }

    #[test]
    fn django_named_project_folders_are_not_django() {
        check("/srv/django/apps/users/models.py", (App, "project", None));
        check("/home/me/django/core/views.py", (App, "project", None));
        check("/home/me/django/mysite/settings.py", (App, "project", None));
        check("/home/me/django/utils/helpers.py", (App, "project", None));
        check("/srv/django/__init__.py/x", (App, "project", None));
        check("/srv/mydjango/db/models.py", (App, "project", None));
        check("/srv/vendor/sentry_sdk/integrations/django/__init__.py", (App, "project", None));
    }

    #[test]
    fn library_list_is_sorted() {
        assert!(KNOWN_LIBRARIES.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn known_libraries_by_relative_path() {
        check("psycopg2/__init__.py", (Library, "known-library", Some("psycopg2")));
        check("psycopg/connection.py", (Library, "known-library", Some("psycopg")));
        check("MySQLdb/connections.py", (Library, "known-library", Some("MySQLdb")));
        check("pymysql/err.py", (Library, "known-library", Some("pymysql")));
        check("rest_framework/views.py", (Library, "known-library", Some("rest_framework")));
        check("celery/app/task.py", (Library, "known-library", Some("celery")));
        check("_pytest/python.py", (Library, "known-library", Some("_pytest")));
        check("pytest_django/plugin.py", (Library, "known-library", Some("pytest_django")));
        check("sentry_sdk/integrations/django/__init__.py", (Library, "known-library", Some("sentry_sdk")));
        check("dj_database_url.py", (Library, "known-library", Some("dj_database_url")));
        check(r"asgiref\sync.py", (Library, "known-library", Some("asgiref")));
        check("/srv/app/psycopg2/__init__.py", (App, "project", None));
    }

    #[test]
    fn stdlib_paths() {
        check("/usr/lib/python3.11/threading.py", (Stdlib, "stdlib-path", Some("threading")));
        check("/usr/local/lib/python3.12/json/encoder.py", (Stdlib, "stdlib-path", Some("json")));
        check(
            "/opt/homebrew/Cellar/python@3.12/3.12.1/Frameworks/Python.framework/Versions/3.12/lib/python3.12/x.py",
            (Stdlib, "stdlib-path", Some("x")),
        );
        check(
            "/Library/Frameworks/Python.framework/Versions/3.11/lib/python3.11/contextlib.py",
            (Stdlib, "stdlib-path", Some("contextlib")),
        );
        check(
            "/home/u/.pyenv/versions/3.11.7/lib/python3.11/socketserver.py",
            (Stdlib, "stdlib-path", Some("socketserver")),
        );
        check("~/.pyenv/versions/3.11.7/lib/python3.11/smtplib.py", (Stdlib, "stdlib-path", Some("smtplib")));
        check("/home/u/miniconda3/envs/web/lib/python3.10/runpy.py", (Stdlib, "stdlib-path", Some("runpy")));
        check("/usr/lib/python3.13t/threading.py", (Stdlib, "stdlib-path", Some("threading")));
        check("/usr/lib/pypy3.10/socket.py", (Stdlib, "stdlib-path", Some("socket")));
        check("/usr/lib/python2.7/SocketServer.py", (Stdlib, "stdlib-path", Some("SocketServer")));
    }

    #[test]
    fn stdlib_paths_windows() {
        check(r"C:\Python311\Lib\json\encoder.py", (Stdlib, "stdlib-path", Some("json")));
        check(r"C:\Python311\lib\threading.py", (Stdlib, "stdlib-path", Some("threading")));
        check(
            r"C:\Users\u\AppData\Local\Programs\Python\Python311\Lib\importlib\__init__.py",
            (Stdlib, "stdlib-path", Some("importlib")),
        );
        check(r"C:\Users\u\anaconda3\Lib\socketserver.py", (Stdlib, "stdlib-path", Some("socketserver")));
        check(r"C:\proj\lib\utils.py", (App, "project", None));
    }

    #[test]
    fn stdlib_modules_by_relative_path() {
        check("threading.py", (Stdlib, "stdlib-module", Some("threading")));
        check("json/encoder.py", (Stdlib, "stdlib-module", Some("json")));
        check("importlib/__init__.py", (Stdlib, "stdlib-module", Some("importlib")));
        check("socketserver.py", (Stdlib, "stdlib-module", Some("socketserver")));
        check(r"json\decoder.py", (Stdlib, "stdlib-module", Some("json")));
        check("threading", (App, "project", None));
        check("/srv/threading.py", (App, "project", None));
        check("myapp/json/encoder.py", (App, "project", None));
        check("test.py", (App, "project", None));
    }

    #[test]
    fn project_code() {
        check("/app/shop/views.py", (App, "project", None));
        check("/srv/gen/pg_refused.py", (App, "project", None));
        check("manage.py", (App, "project", None));
        check(r"C:\proj\app\views.py", (App, "project", None));
        check("./mysite/settings.py", (App, "project", None));
        check("/home/me/lib/python/tools.py", (App, "project", None));
        check("/usr/lib/python3/foo.py", (App, "project", None));
        check("shop/views.py", (App, "project", None));
    }

    #[test]
    fn never_panics() {
        let long = "a/".repeat(100_000) + "x.py";
        check(&long, (App, "project", None));
        let long_sp = "site-packages/".repeat(10_000);
        check(&long_sp, (Library, "site-packages", None));
        for s in [
            "/",
            "\\",
            "//",
            "é/ü.py",
            "<frozen é.ü>",
            "site-packages/é",
            "lib/python",
            "lib/python3.",
            "C:",
            "\u{0}",
            "lib/pythoné.1/x",
        ] {
            let _ = classify(s);
        }
        check("site-packages/é", (Library, "site-packages", Some("é")));
        check("<frozen é.ü>", (Stdlib, "frozen", Some("é")));
    }
}
