//! Recognisers for single lines of traceback text: frame lines, exception lines, separators, carets,
//! pytest locations. Each takes a cleaned line and answers without allocating.

/// `File "<path>", line N, in <func>` (Python) — also `File "<path>", line N` (SyntaxError location).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameLine<'a> {
    pub file: &'a str,
    pub line: Option<u32>,
    pub function: &'a str,
}

/// Parse a Python frame line; `t` is the line with leading whitespace removed.
pub fn frame_line(t: &str) -> Option<FrameLine<'_>> {
    let rest = t.strip_prefix("File \"")?;
    let close = rest.find('"')?;
    let file = &rest[..close];
    let after = &rest[close + 1..];
    if let Some(after) = after.strip_prefix(", line ") {
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let line = after[..digits].parse().ok();
        let tail = &after[digits..];
        let function = match tail.strip_prefix(", in ") {
            Some(f) => f.trim_end(),
            None if tail.trim().is_empty() => "",
            None => return None,
        };
        return Some(FrameLine { file, line, function });
    }
    // Django ≤ 2.2 debug page: `File "<path>" in <func>`; the line number is on the code line.
    if let Some(function) = after.strip_prefix(" in ") {
        return Some(FrameLine { file, line: None, function: function.trim_end() });
    }
    None
}

/// Django ≤ 2.2 code line: `  123. code` → (123, "code").
pub fn legacy_code_line(t: &str) -> Option<(u32, &str)> {
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 7 {
        return None;
    }
    let rest = t[digits..].strip_prefix('.')?;
    Some((t[..digits].parse().ok()?, rest.trim()))
}

/// Python 3.11+ error-location markers: only `^`, `~` and spaces.
pub fn caret_line(t: &str) -> bool {
    !t.is_empty()
        && t.bytes().all(|b| matches!(b, b'^' | b'~' | b' ' | b'\t'))
        && t.bytes().any(|b| b == b'^' || b == b'~')
}

/// `[Previous line repeated 996 more times]` → 996.
pub fn repeated_line(t: &str) -> Option<u32> {
    let rest = t.strip_prefix("[Previous line repeated ")?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    rest[..digits].parse().ok()
}

/// A traceback header, anywhere in the line (log records often put it after a message).
pub const HEADER: &str = "Traceback (most recent call last):";
pub const GROUP_HEADER: &str = "Exception Group Traceback (most recent call last):";
pub const CAUSE_SEPARATOR: &str = "The above exception was the direct cause of the following exception:";
pub const CONTEXT_SEPARATOR: &str = "During handling of the above exception, another exception occurred:";

/// Django's debug page writes the inner exception's value into the separator:
/// `The above exception (<value>) was the direct cause of the following exception:`.
pub const DEBUG_CAUSE_OPEN: &str = "The above exception (";
pub const DEBUG_CONTEXT_OPEN: &str = "During handling of the above exception (";
pub const DEBUG_CAUSE_CLOSE: &str = ") was the direct cause of the following exception:";
pub const DEBUG_CONTEXT_CLOSE: &str = "), another exception occurred:";

/// Suffixes that make a CamelCase name an exception class even without a module path.
const EXCEPTION_SUFFIXES: [&str; 16] = [
    "Error",
    "Exception",
    "Warning",
    "Exit",
    "Interrupt",
    "Iteration",
    "DoesNotExist",
    "MultipleObjectsReturned",
    "NotReady",
    "Denied",
    "Http404",
    "Group",
    "Configured",
    "Operation",
    "Failure",
    "Invalid",
];

/// Lower-case class names that exist and appear in real tracebacks (`socket.timeout`, `socket.gaierror`).
const LOWERCASE_CLASSES: [&str; 4] = ["timeout", "gaierror", "herror", "error"];

/// How sure we are that a line is an exception line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Likeness {
    /// Shaped like `Name: message` or `Name`, with a plausible class name.
    Plausible,
    /// The class name ends in Error/Exception/… or is module-qualified: surely an exception.
    Strong,
}

/// `module.Class: message` or `Class` → (type, message, likeness). `t` must not start with whitespace.
pub fn exception_line(t: &str) -> Option<(&str, &str, Likeness)> {
    let b = t.as_bytes();
    let mut i = 0;
    let mut last_component = 0;
    let mut dotted = false;
    loop {
        if i >= b.len() || !(b[i].is_ascii_alphabetic() || b[i] == b'_') {
            return None;
        }
        while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
            i += 1;
        }
        if i < b.len() && b[i] == b'.' {
            dotted = true;
            i += 1;
            last_component = i;
            continue;
        }
        break;
    }
    let name = &t[..i];
    let class = &t[last_component..i];
    let message = if i == b.len() {
        ""
    } else if b[i] == b':' && (i + 1 == b.len() || b[i + 1] == b' ' || b[i + 1] == b'\t') {
        t[i + 1..].trim_start_matches(' ')
    } else {
        return None;
    };
    let upper = class.as_bytes()[0].is_ascii_uppercase();
    let suffixed = EXCEPTION_SUFFIXES.iter().any(|s| class.ends_with(s));
    let likeness = if suffixed || (dotted && upper) || (dotted && LOWERCASE_CLASSES.contains(&class)) {
        Likeness::Strong
    } else if upper {
        Likeness::Plausible
    } else {
        return None;
    };
    // A bare `Name` with no colon must look like an exception, not a stray word.
    if i == b.len()
        && likeness != Likeness::Strong
        && !matches!(name, "KeyboardInterrupt" | "StopIteration" | "GeneratorExit")
    {
        return None;
    }
    Some((name, message, likeness))
}

/// pytest location line: `path/x.py:123: in func` (`--tb=short`) or `path/x.py:123: ` / `path/x.py:123: Type`
/// (`--tb=long`). Returns (file, line, rest after `: `).
pub fn pytest_location(t: &str) -> Option<(&str, u32, &str)> {
    // The path never holds ": " and the line number follows the last ".py:" before it.
    let py = super::find::py_colon(t)?;
    let file = &t[..py + 3];
    if file.contains(' ') || file.is_empty() {
        return None;
    }
    let rest = &t[py + 4..];
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let line = rest[..digits].parse().ok()?;
    let tail = &rest[digits..];
    let tail = tail.strip_prefix(':')?;
    if !(tail.is_empty() || tail.starts_with(' ')) {
        return None;
    }
    Some((file, line, tail.trim()))
}

/// pytest section rules: `____ test_name ____`, `==== FAILURES ====`, `_ _ _ _` between frames.
pub fn pytest_rule(t: &str) -> Option<PytestRule> {
    let t = t.trim_end();
    if t.len() >= 5 && t.starts_with("___") && t.ends_with("___") {
        return Some(PytestRule::Test);
    }
    if t.len() >= 5 && t.starts_with("_ _ _") {
        return Some(PytestRule::FrameBreak);
    }
    if t.len() >= 5 && t.starts_with("===") && t.ends_with("===") {
        return Some(PytestRule::Section);
    }
    None
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PytestRule {
    Test,
    FrameBreak,
    Section,
}

/// pytest's `E   ` lines: the content after `E` and its padding (a tab that starts a message line is kept).
pub fn pytest_error_line(line: &str) -> Option<&str> {
    let rest = line.strip_prefix('E')?;
    if rest.is_empty() {
        return Some("");
    }
    if !rest.starts_with(' ') {
        return None;
    }
    Some(rest.trim_start_matches(' '))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_lines() {
        let f = frame_line("File \"/a/b.py\", line 12, in get").unwrap();
        assert_eq!((f.file, f.line, f.function), ("/a/b.py", Some(12), "get"));
        let f = frame_line("File \"<frozen importlib._bootstrap>\", line 1206, in _gcd_import").unwrap();
        assert_eq!(f.function, "_gcd_import");
        assert_eq!(frame_line("File \"x.py\", line 3").unwrap().function, "");
        let f = frame_line("File \"/p/django/core/handlers/exception.py\" in inner").unwrap();
        assert_eq!((f.line, f.function), (None, "inner"));
        assert!(frame_line("File \"x.py\", line abc, in f").is_none());
        assert!(frame_line("Files are here").is_none());
    }

    #[track_caller]
    fn exc(t: &str, expected: Option<(&str, &str)>) {
        assert_eq!(exception_line(t).map(|(a, b, _)| (a, b)), expected, "{t:?}");
    }

    #[test]
    fn exception_lines() {
        exc(
            "django.db.utils.OperationalError: could not connect",
            Some(("django.db.utils.OperationalError", "could not connect")),
        );
        exc("KeyError: 'k'", Some(("KeyError", "'k'")));
        exc("KeyboardInterrupt", Some(("KeyboardInterrupt", "")));
        exc("django.http.response.Http404", Some(("django.http.response.Http404", "")));
        exc(
            "socket.gaierror: [Errno -2] Name or service not known",
            Some(("socket.gaierror", "[Errno -2] Name or service not known")),
        );
        exc(
            "shop.models.Product.DoesNotExist: Product matching query does not exist.",
            Some(("shop.models.Product.DoesNotExist", "Product matching query does not exist.")),
        );
        exc("self.connect()", None);
        exc("return func(*args, **kwargs)", None);
        exc("else:", None);
        exc("Is the server running", None);
        exc("http://x", None);
        exc("", None);
    }

    #[test]
    fn small_recognisers() {
        assert!(caret_line("^^^^^^^^"));
        assert!(caret_line("~~~~^^^^~~"));
        assert!(!caret_line("   "));
        assert_eq!(repeated_line("[Previous line repeated 996 more times]"), Some(996));
        assert_eq!(
            legacy_code_line("34.             response = get_response(request)"),
            Some((34, "response = get_response(request)"))
        );
        assert_eq!(pytest_location("tests/test_db.py:5: in test_x"), Some(("tests/test_db.py", 5, "in test_x")));
        assert_eq!(
            pytest_location("venv/psycopg2/__init__.py:122: OperationalError"),
            Some(("venv/psycopg2/__init__.py", 122, "OperationalError"))
        );
        assert_eq!(pytest_location("tests/test_db.py:5: "), Some(("tests/test_db.py", 5, "")));
        assert_eq!(pytest_location("see x.py:5:3 for details"), None);
        assert_eq!(pytest_error_line("E   \tIs the server"), Some("\tIs the server"));
        assert_eq!(pytest_rule("____ test_x ____"), Some(PytestRule::Test));
    }
}
