//! One-line checks of the layouts people paste: each input is summarised as
//! `format: Type(frames) -link-> Type(frames)`, so a test reads as the shape it expects.

use traceback_explainer_core::{explain, Link};

fn summary(input: &str) -> String {
    let r = explain(input);
    let tbs: Vec<String> = r
        .tracebacks
        .iter()
        .map(|tb| {
            let chain: Vec<String> = tb
                .exceptions
                .iter()
                .map(|e| {
                    let link = match e.link {
                        Some(Link::Cause) => "-cause-> ",
                        Some(Link::Context) => "-context-> ",
                        None => "",
                    };
                    let ty = e.type_name.rsplit('.').next().unwrap_or("");
                    format!("{link}{ty}({})", e.frames.len())
                })
                .collect();
            format!("{}: {}", serde_json::to_value(tb.format).unwrap().as_str().unwrap(), chain.join(" "))
        })
        .collect();
    tbs.join(" | ")
}

#[track_caller]
fn check(input: &str, expected: &str) {
    assert_eq!(summary(input), expected, "input:\n{input}");
}

const PLAIN: &str = "Traceback (most recent call last):\n  File \"/srv/app/views.py\", line 3, in index\n    return d['k']\nKeyError: 'k'\n";

#[test]
fn plain_python() {
    check(PLAIN, "python: KeyError(1)");
}

#[test]
fn wrappers() {
    let prefixed = |p: &str| PLAIN.lines().map(|l| format!("{p}{l}\n")).collect::<String>();
    check(&prefixed("web_1  | "), "python: KeyError(1)");
    check(&prefixed("django-1  | "), "python: KeyError(1)");
    check(&prefixed("> "), "python: KeyError(1)");
    check(&prefixed("# "), "python: KeyError(1)");
    check(&prefixed("Nov 28 16:00:01 host gunicorn[123]: "), "python: KeyError(1)");
    check(&prefixed("2024-03-04T10:15:02.123456+00:00 app[web.1]: "), "python: KeyError(1)");
    check(&format!("```pytb\n{PLAIN}```\n"), "python: KeyError(1)");
    check(&PLAIN.replace('\n', "\r\n"), "python: KeyError(1)");
    check(&PLAIN.replace("    ", "\t"), "python: KeyError(1)");
    check(&format!("[2024-03-04 10:15:02,123: ERROR/ForkPoolWorker-1] Task failed\n{PLAIN}"), "python: KeyError(1)");
}

#[test]
fn flattened() {
    check(&PLAIN.replace('\n', " "), "flattened: KeyError(1)");
    check(
        "Traceback (most recent call last): File \"a.py\", line 1, in f g() File \"b.py\", line 2, in g raise ValueError('x') ValueError: x",
        "flattened: ValueError(2)",
    );
    // A traceback flattened inside a log line.
    check(&format!("ERROR Internal Server Error: / {}", PLAIN.replace('\n', " ")), "flattened: KeyError(1)");
}

#[test]
fn chains() {
    let cause = format!("{PLAIN}\nThe above exception was the direct cause of the following exception:\n\n{PLAIN}");
    check(&cause, "python: KeyError(1) -cause-> KeyError(1)");
    let context = format!("{PLAIN}\nDuring handling of the above exception, another exception occurred:\n\n{PLAIN}");
    check(&context, "python: KeyError(1) -context-> KeyError(1)");
}

#[test]
fn python_2_and_syntax_errors() {
    check(
        "Traceback (most recent call last):\n  File \"manage.py\", line 8, in <module>\n    from django.core.management import execute_from_command_line\nImportError: No module named django.core.management\n",
        "python: ImportError(1)",
    );
    check(
        "  File \"/srv/app/x.py\", line 1\n    def f(:\n          ^\nSyntaxError: invalid syntax\n",
        "syntax-error: SyntaxError(1)",
    );
}

#[test]
fn recursion_marks_repeats() {
    let input = "Traceback (most recent call last):\n  File \"/srv/r.py\", line 2, in f\n    return f()\n  [Previous line repeated 996 more times]\nRecursionError: maximum recursion depth exceeded\n";
    check(input, "python: RecursionError(1)");
    assert_eq!(explain(input).tracebacks[0].exceptions[0].frames[0].repeated, Some(996));
}

#[test]
fn debug_page_legacy_layout() {
    let input = "Environment:\n\n\nRequest Method: GET\nRequest URL: http://localhost:8000/\n\nDjango Version: 2.2.28\nPython Version: 3.8.18\n\nTraceback:\n\nFile \"/srv/venv/lib/python3.8/site-packages/django/core/handlers/exception.py\" in inner\n  34.             response = get_response(request)\n\nFile \"/srv/app/shop/views.py\" in index\n  12.     return d['k']\n\nException Type: KeyError at /\nException Value: 'k'\n";
    check(input, "django-debug-legacy: KeyError(2)");
    let r = explain(input);
    assert_eq!(r.facts.django_version.as_deref(), Some("2.2.28"));
    assert_eq!(r.tracebacks[0].exceptions[0].frames[1].line, Some(12));
}

#[test]
fn pytest_short() {
    let input = "_____ test_x _____\ntests/test_x.py:5: in test_x\n    index()\nsrv/app/views.py:3: in index\n    return d['k']\nE   KeyError: 'k'\n";
    check(input, "pytest: KeyError(2)");
}

#[test]
fn not_tracebacks() {
    check("just some words", "");
    check("Error: something failed\n    at Object.<anonymous> (/srv/x.js:1:7)\n    at Module._compile (node:internal/modules/cjs/loader:1256:14)\n", "");
}

#[test]
fn lone_exception_lines_and_django_records() {
    check(
        "django.db.utils.OperationalError: FATAL:  database \"shop\" does not exist\n",
        "exception-only: OperationalError(0)",
    );
    check("SystemCheckError: System check identified some issues:\n\nERRORS:\n", "exception-only: SystemCheckError(0)");
    check("Forbidden (CSRF cookie not set.): /contact/\n", "django-log: Forbidden(0)");
    check("Forbidden (403)\n\nCSRF verification failed. Request aborted.\n\nReason given for failure:\n\n    CSRF cookie not set.\n", "django-log: Forbidden(0)");
    let page = explain("CSRF verification failed. Request aborted.\n\nReason given for failure:\n\n    Origin checking failed - https://a.example does not match any trusted origins.\n");
    assert!(page.tracebacks[0].exceptions[0].message.ends_with("does not match any trusted origins."));
    // JavaScript's `TypeError: …` followed by `at` lines stays a foreign stack; bare `Error:` is never Python.
    check("TypeError: x is undefined\n    at f (/a.js:1:2)\n    at g (/a.js:3:4)\n", "");
    check("Error: boom\n", "");
}
