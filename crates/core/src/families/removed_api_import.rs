//! `removed-api-import` (DJ022): code written for an older Django uses a name that Django has removed.
//!
//! Recognised by the exception and the removed name together, from a table of removals: `ImportError: cannot
//! import name 'url' from 'django.conf.urls'` (also `ugettext*`, `ungettext*`, `force_text`, `smart_text`,
//! `six`, `python_2_unicode_compatible`, `render_to_response`, `urlquote`, `is_safe_url`, `FieldDoesNotExist`,
//! postgres `JSONField`; Python 3.12+ appends `Did you mean`), `ModuleNotFoundError: No module named
//! 'django.core.urlresolvers'` / `'django.utils.six'`, `AttributeError: 'WSGIRequest' object has no attribute
//! 'is_ajax'`, `module 'django.utils.timezone' has no attribute 'utc'`, `assertQuerysetEqual`. An import error of
//! any other name (a typo in the project's own module) is not this family. Causes are ranked by the file that
//! does the import: the project's code, a third-party package under site-packages, or an unpinned Django upgrade.

use super::ci::{self, Step};
use super::kit::{self, Ranking, Values};
use super::startup::{self, python};
use super::{Context, Family};
use crate::model::{Diagnosis, Origin};

pub const FAMILY: Family = Family {
    id: "removed-api-import",
    code: "DJ022",
    title: "Code uses an API removed from Django",
    summary: "ImportError \"cannot import name 'url' from 'django.conf.urls'\" (ugettext_lazy, force_text…): code \
              for an older Django.",
    example: "real/setup/removed_api_url.txt",
    diagnose,
};

const EXPLANATION: &str =
    "Django removes deprecated APIs after two releases; use the replacement or upgrade the package.";

const REFERENCES: [&str; 1] =
    ["Django docs: Deprecation timeline — https://docs.djangoproject.com/en/dev/internals/deprecation/"];

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Import,
    Module,
    Attribute,
}

/// A removed API: how it fails, its name and module, the release that removed it, and the text to replace.
struct Removed {
    kind: Kind,
    name: &'static str,
    module: &'static str,
    removed: &'static str,
    old: &'static str,
    new: &'static str,
}

const fn rm(
    kind: Kind,
    name: &'static str,
    module: &'static str,
    removed: &'static str,
    old: &'static str,
    new: &'static str,
) -> Removed {
    Removed { kind, name, module, removed, old, new }
}

const TABLE: [Removed; 20] = [
    rm(
        Kind::Import,
        "url",
        "django.conf.urls",
        "4.0",
        "from django.conf.urls import url",
        "from django.urls import re_path as url",
    ),
    rm(Kind::Import, "ugettext_lazy", "django.utils.translation", "4.0", "ugettext_lazy", "gettext_lazy"),
    rm(Kind::Import, "ugettext", "django.utils.translation", "4.0", "ugettext", "gettext"),
    rm(Kind::Import, "ungettext_lazy", "django.utils.translation", "4.0", "ungettext_lazy", "ngettext_lazy"),
    rm(Kind::Import, "ungettext", "django.utils.translation", "4.0", "ungettext", "ngettext"),
    rm(Kind::Import, "ugettext_noop", "django.utils.translation", "4.0", "ugettext_noop", "gettext_noop"),
    rm(Kind::Import, "force_text", "django.utils.encoding", "4.0", "force_text", "force_str"),
    rm(Kind::Import, "smart_text", "django.utils.encoding", "4.0", "smart_text", "smart_str"),
    rm(
        Kind::Import,
        "python_2_unicode_compatible",
        "django.utils.encoding",
        "3.0",
        "from django.utils.encoding import python_2_unicode_compatible",
        "# removed: drop the decorator",
    ),
    rm(Kind::Import, "six", "django.utils", "3.0", "from django.utils import six", "import six  # pip install six"),
    rm(Kind::Import, "render_to_response", "django.shortcuts", "3.0", "render_to_response(", "render(request, "),
    rm(
        Kind::Import,
        "urlquote",
        "django.utils.http",
        "4.0",
        "from django.utils.http import urlquote",
        "from urllib.parse import quote as urlquote",
    ),
    rm(Kind::Import, "is_safe_url", "django.utils.http", "4.0", "is_safe_url", "url_has_allowed_host_and_scheme"),
    rm(
        Kind::Import,
        "FieldDoesNotExist",
        "django.db.models.fields",
        "3.1",
        "django.db.models.fields",
        "django.core.exceptions",
    ),
    rm(
        Kind::Import,
        "JSONField",
        "django.contrib.postgres.fields",
        "4.0",
        "from django.contrib.postgres.fields import JSONField",
        "from django.db.models import JSONField",
    ),
    rm(Kind::Module, "urlresolvers", "django.core.urlresolvers", "2.0", "django.core.urlresolvers", "django.urls"),
    rm(Kind::Module, "six", "django.utils.six", "3.0", "django.utils.six", "six"),
    rm(
        Kind::Attribute,
        "is_ajax",
        "HttpRequest",
        "4.0",
        "request.is_ajax()",
        "request.headers.get(\"x-requested-with\") == \"XMLHttpRequest\"",
    ),
    rm(Kind::Attribute, "utc", "django.utils.timezone", "5.0", "timezone.utc", "datetime.timezone.utc"),
    rm(Kind::Attribute, "assertQuerysetEqual", "TestCase", "5.1", "assertQuerysetEqual", "assertQuerySetEqual"),
];

/// The removed API a message names, if any.
fn lookup(type_name: &str, line: &str) -> Option<&'static Removed> {
    let ty = startup::short(type_name);
    TABLE.iter().find(|r| match r.kind {
        Kind::Import => {
            matches!(ty, "ImportError" | "")
                && kit::between(line, "cannot import name '", "'") == Some(r.name)
                && kit::between(line, "' from '", "'").is_none_or(|m| m == r.module)
        }
        Kind::Module => {
            matches!(ty, "ModuleNotFoundError" | "ImportError" | "")
                && kit::between(line, "No module named '", "'")
                    .is_some_and(|m| m == r.module || m.starts_with(&format!("{}.", r.module)))
        }
        Kind::Attribute => {
            matches!(ty, "AttributeError" | "")
                && kit::between(line, "has no attribute '", "'") == Some(r.name)
                && (r.module != "django.utils.timezone" || line.contains("'django.utils.timezone'"))
                && (r.module != "HttpRequest" || line.contains("Request' object"))
        }
    })
}

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let Some((exc, line, api)) = cx.tb.exceptions.iter().rev().find_map(|e| {
        let line = e.message.lines().next().unwrap_or("").trim();
        lookup(&e.type_name, line).map(|api| (e, line, api))
    }) else {
        return Vec::new();
    };
    let frame = exc.frames.last();
    let code = frame.and_then(|f| f.code.as_deref()).filter(|c| c.contains(api.old) || c.contains(api.name));
    let third_party = frame.filter(|f| f.origin == Origin::Library).and_then(|f| f.package.clone());
    let project = frame.is_some_and(|f| f.origin == Origin::App);
    let package = frame
        .filter(|f| f.origin == Origin::App)
        .and_then(|f| f.file.replace('\\', "/").rsplit('/').nth(1).map(str::to_string))
        .unwrap_or_else(|| "myproject".into());
    let mut v = Values::new(cx);
    let body = |line: &str| if line.ends_with(':') { format!("{line}\n    ...") } else { line.to_string() };
    let code = code.filter(|c| startup::balanced(c.trim_end_matches(':')));
    let fixed =
        body(&code.filter(|c| c.contains(api.old)).map_or(api.new.to_string(), |c| c.replace(api.old, api.new)));
    v.set("name", api.name)
        .set("removed", api.removed)
        .set("code", body(code.unwrap_or(api.old)))
        .set("fixed", fixed.as_str());
    v.set("package", third_party.as_deref().unwrap_or(package.as_str()));
    let quote = Some(line);
    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised(format!("`{}` ({}) was removed in Django {}.", api.name, api.module, api.removed), quote);
    if let Some(f) = frame {
        r.recognised(format!("Used at {}.", startup::at(f)), f.code.as_deref());
    }
    let workflow = ci::workflow(
        &v,
        "deprecations fail",
        &[
            Step { name: "Checks", run: "python manage.py check" },
            Step { name: "Tests", run: "python -W error::DeprecationWarning -m pytest" },
        ],
    );
    let tests = vec![python("Every module imports", "tests/test_imports.py", v.fill(TEST_IMPORTS))];

    let c = r.cause("project-code", "Your code uses it", 1.0);
    if project {
        c.support(3.0, "The line is in your project.", code);
    } else {
        c.weaken(0.2, "The line is not in your project.");
    }
    c.fix(v.fix("Use the replacement for `{name}`.", "the file above", "python", "{code}\n", "{fixed}\n"))
        .tests(tests.clone())
        .ci(workflow.clone())
        .checks(vec![v.fill("`grep -rn \"{name}\" --include=*.py .`")]);

    let c = r.cause("third-party-package", "A package is too old for this Django", 0.8);
    match &third_party {
        Some(p) => c.support(3.0, format!("The line is in the package `{p}`."), None),
        None => c.weaken(0.2, "The line is not in a package."),
    };
    c.fix(v.fix(
        "Upgrade the package, or pin Django below {removed}.",
        "requirements.txt",
        "text",
        "{package}==<old>\n",
        "{package}>=<newer>\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(vec![v.fill("`pip show {package}`")]);

    let c = r.cause("unpinned-django", "Django was upgraded unpinned", 0.4);
    c.support(0.5, v.fill("The installed Django is {removed} or newer."), None);
    c.fix(v.fix("Pin the Django the code supports.", "requirements.txt", "text", "Django\n", "Django<{removed}\n"))
        .tests(tests)
        .ci(workflow)
        .checks(vec!["`pip show django`".into()]);

    super::orm_common::finish(r, "project file or site-packages?")
}

const TEST_IMPORTS: &str = r#"import importlib
import pkgutil


def test_every_module_imports():
    package = importlib.import_module("{package}")
    for info in pkgutil.walk_packages(getattr(package, "__path__", []), package.__name__ + "."):
        importlib.import_module(info.name)
"#;
