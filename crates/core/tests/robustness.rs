//! Parsing is total: any input gives a report — a traceback or a clear problem — and never panics.

use traceback_explainer_core::explain;

#[track_caller]
fn problem(input: &str, code: &str) {
    let r = explain(input);
    assert!(r.tracebacks.is_empty(), "no traceback expected in {input:.60?}");
    assert_eq!(r.problems.first().map(|p| p.code), Some(code), "{:?}", r.problems);
    assert!(!r.problems[0].message.is_empty());
}

#[test]
fn non_tracebacks_get_specific_messages() {
    problem("", "empty");
    problem("   \n\t\n", "empty");
    problem("hello world, this is not a traceback", "no-traceback");
    problem("\0\u{1}\u{2}binary\0\0\0", "binary");
    problem(
        "TypeError: Cannot read properties of undefined (reading 'x')\n    at render (/app/static/app.js:10:5)\n    at main (/app/static/app.js:20:3)\n",
        "javascript-stack",
    );
    problem(
        "Exception in thread \"main\" java.lang.IllegalStateException: boom\n\tat com.example.App.main(App.java:5)\n\tat com.example.App.run(App.java:9)\n",
        "java-stack",
    );
}

#[test]
fn hostile_shapes_do_not_panic() {
    let cases = [
        "Traceback (most recent call last):",
        "Traceback (most recent call last):\n  File \"",
        "  File \"x.py\", line 99999999999999999999, in f",
        "File \"a\" File \"b\" File \"c",
        "Traceback (most recent call last): File \"x\", line 1, in",
        "The above exception (unterminated",
        "  + Exception Group Traceback (most recent call last):\n  | \n  +-+",
        "  +-+---- 1 ----\n    | x",
        "Exception Type: \nException Value:",
        "E   \nx.py:1: in\n",
        "web_1  | ",
        "\u{feff}Traceback (most recent call last):\r\n  File \"é.py\", line 1, in ü\r\n    ß\r\nValueError: ✓\r\n",
        "> Traceback (most recent call last):\n>   File \"x.py\", line 1, in f\n> ValueError: x",
        "\u{1b}[31m\u{1b}[",
        "Installed Applications:\n['a',\n",
    ];
    for c in cases {
        let _ = explain(c);
    }
}

/// A deterministic stream of traceback fragments in random order: the machine must survive any order.
#[test]
fn shuffled_fragments_do_not_panic() {
    let pieces = [
        "Traceback (most recent call last):",
        "  File \"/app/x.py\", line 3, in f",
        "    code()",
        "    ^^^^^^",
        "ValueError: boom",
        "\tIs the server running",
        "",
        "The above exception was the direct cause of the following exception:",
        "During handling of the above exception, another exception occurred:",
        "The above exception (inner) was the direct cause of the following exception:",
        "Exception Type: OperationalError at /",
        "Exception Value: x",
        "Environment:",
        "Traceback:",
        "File \"/p/django/core/handlers/exception.py\" in inner",
        "  34. response = get_response(request)",
        "____ test_x ____",
        "E   django.db.utils.OperationalError: x",
        "tests/test_x.py:5: in test_x",
        "  + Exception Group Traceback (most recent call last):",
        "  | ValueError: a",
        "  +-+---------------- 1 ----------------",
        "    | TypeError: b",
        "[Previous line repeated 996 more times]",
        "web_1  | Traceback (most recent call last): File \"a.py\", line 1, in f x() KeyError: 'k'",
        "```",
    ];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..300 {
        let mut text = String::new();
        for _ in 0..40 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            text.push_str(pieces[(state % pieces.len() as u64) as usize]);
            text.push('\n');
        }
        let _ = explain(&text);
    }
}

#[test]
fn ten_megabytes_of_log_is_fine() {
    let seed = include_str!("../../../fixtures/real/pg_refused_gunicorn.txt");
    let mut big = String::with_capacity(10 << 20);
    while big.len() < 10 << 20 {
        big.push_str("2024-03-04 10:15:02,123 INFO django.server \"GET / HTTP/1.1\" 200 512\n");
        big.push_str(seed);
    }
    let r = explain(&big);
    assert!(r.tracebacks.len() > 1000);
    assert_eq!(r.diagnosis[0].family, "pg-conn-refused");
    // One line of 10 MB with no newline at all.
    let line = "x".repeat(10 << 20);
    assert_eq!(explain(&line).problems[0].code, "no-traceback");
}

#[test]
fn several_tracebacks_are_found_in_order() {
    let one = "Traceback (most recent call last):\n  File \"/srv/a.py\", line 1, in <module>\n    f()\nKeyError: 'a'\n";
    let two = "Traceback (most recent call last):\n  File \"/srv/b.py\", line 2, in <module>\n    g()\nValueError: b\n";
    let r = explain(&format!("{one}some log line\n{two}"));
    let types: Vec<_> = r.tracebacks.iter().map(|t| t.exceptions[0].type_name.as_str()).collect();
    assert_eq!(types, ["KeyError", "ValueError"]);
    assert_eq!(r.tracebacks[1].start_line, 6);
}
