//! What the ORM families (DJ009, DJ044–DJ048) share: where the query ran (a request, a management command, a
//! test), the user's own line that made it, and safe ways to put names from the paste into Python snippets.

use super::kit::{self, Ranking, Values};
use super::Context;
use crate::model::{Diagnosis, Frame, Snippet};

/// What ran the failing code, as far as the frames show.
#[derive(Clone, Copy, PartialEq)]
pub enum Place {
    /// A view, under Django's request handler.
    Request,
    /// A `manage.py` command.
    Command,
    /// A test (pytest or Django's test runner).
    Test,
    Other,
}

pub fn place(cx: &Context<'_>) -> Place {
    let runner = cx.facts.runner.as_deref();
    let test_frame = kit::frames(cx.tb).any(|f| f.file.contains("/tests/") || f.file.contains("test_"));
    if matches!(runner, Some("pytest" | "django-test")) || test_frame {
        Place::Test
    } else if kit::has_frame(cx.tb, "django/core/handlers/base.py", "") {
        Place::Request
    } else if cx.facts.management_command.is_some() {
        Place::Command
    } else {
        Place::Other
    }
}

/// In plain words, for evidence.
pub fn place_words(p: Place) -> &'static str {
    match p {
        Place::Request => "a request handled by a view",
        Place::Command => "a management command",
        Place::Test => "a test",
        Place::Other => "your code",
    }
}

/// The user's own frame closest to the error.
pub fn user_frame<'a>(cx: &Context<'a>) -> Option<&'a Frame> {
    kit::last_app_frame(cx.tb)
}

/// The user's line as a small valid Python block (wrapped in its function), when the line stands alone:
/// brackets balanced and not the head of a compound statement.
pub fn user_block(f: &Frame) -> Option<String> {
    let code = f.code.as_deref()?.trim();
    if code.is_empty() || !balanced(code) || code.ends_with(':') || code.ends_with('\\') {
        return None;
    }
    let kind = if code.contains("await ") { "async def" } else { "def" };
    let args = if f.file.ends_with("views.py") { "request, *args, **kwargs" } else { "*args, **kwargs" };
    let name = ident(&f.function, "failing_function");
    let file = f.file.rsplit('/').take(2).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("/");
    Some(format!("# {file}, line {}\n{kind} {name}({args}):\n    {code}\n", f.line.unwrap_or(0)))
}

/// True when every bracket opened in `code` is closed (strings are skipped roughly).
fn balanced(code: &str) -> bool {
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    for c in code.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            return false;
        }
    }
    depth == 0 && quote.is_none()
}

/// A Python identifier made from `s` (letters, digits, underscores), or `default` when nothing is left.
pub fn ident(s: &str, default: &str) -> String {
    let out: String = s.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        default.to_string()
    } else {
        out
    }
}

/// Text safe inside a double-quoted Python string.
pub fn py_text(s: &str) -> String {
    s.chars().filter(|c| *c != '"' && *c != '\\' && *c != '\n').collect()
}

/// The dotted name just before `marker` in `code` (`Book` in `Book.objects.get(`).
pub fn name_before<'a>(code: &'a str, marker: &str) -> Option<&'a str> {
    let end = code.find(marker)?;
    let head = code.get(..end)?;
    let start = head.rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.')).map_or(0, |p| p + 1);
    head.get(start..).filter(|s| !s.is_empty())
}

/// The app label of a model exception type: `catalog` in `catalog.models.Book.DoesNotExist`.
pub fn app_of(type_name: &str) -> Option<&str> {
    let module = type_name.split(".models").next()?;
    module.rsplit('.').next().filter(|s| !s.is_empty() && type_name.contains(".models"))
}

/// The paste's values; without a database in the paste, CI gets no database service (SQLite is enough there).
pub fn values(cx: &Context<'_>) -> Values {
    let mut v = Values::new(cx);
    if cx.facts.db_engine.is_none() {
        v.set("engine", "django.db.backends.sqlite3").set("driver_pip", "");
    }
    v
}

/// Finish a ranking with one shared tie note: `hint` tells the best two causes apart. One instance of the
/// generic `Ranking::finish` for every family that uses it, instead of one per closure.
pub fn finish(r: Ranking, hint: &str) -> Vec<Diagnosis> {
    r.finish(|a, b| format!("The paste cannot decide between \"{a}\" and \"{b}\": {hint}"))
}

pub fn python(title: &str, file: &str, code: String) -> Snippet {
    Snippet { title: title.into(), file: file.into(), language: "python", code }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(name_before("book = Book.objects.get(pk=pk)", ".objects.get("), Some("Book"));
        assert_eq!(app_of("catalog.models.Book.DoesNotExist"), Some("catalog"));
        assert_eq!(app_of("django.contrib.auth.models.User.DoesNotExist"), Some("auth"));
        assert_eq!(app_of("DoesNotExist"), None);
        assert!(balanced("f(a, {'b': ')'})") && !balanced("book = Book("));
        assert_eq!(ident("9x", "d"), "d");
    }
}
