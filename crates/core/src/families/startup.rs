//! Helpers shared by the `setup` group of families (settings, app loading, imports, test setup, async): what the
//! paste says about the program that started Django (a script, manage.py, pytest, a WSGI server), the project's
//! settings module, and the one-line Python snippets these families reuse.

use super::kit;
use super::Context;
use crate::model::{Frame, Origin, Snippet, SourceFormat, Traceback};

/// The last component of an exception type, for sentences: `ImproperlyConfigured`.
pub fn short(type_name: &str) -> &str {
    type_name.rsplit('.').next().filter(|s| !s.is_empty()).unwrap_or("The exception")
}

/// The file name of a path, either slash.
pub fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// The first frame of the chain: the program that was started (`manage.py`, a script, `<stdin>`).
pub fn entry_frame(tb: &Traceback) -> Option<&Frame> {
    tb.exceptions.iter().find_map(|e| e.frames.first())
}

/// True when the paste is pytest's report or shows pytest frames.
pub fn via_pytest(cx: &Context<'_>) -> bool {
    cx.tb.format == SourceFormat::Pytest || cx.facts.runner.as_deref() == Some("pytest")
}

/// A plain script: the entry frame is the project's own file and not manage.py (or an interactive session).
pub fn plain_script(tb: &Traceback) -> Option<&str> {
    let f = entry_frame(tb)?;
    let name = file_name(&f.file);
    let interactive = name.starts_with('<') || f.file.contains("ipython-input") || f.file.contains("ipykernel");
    (interactive || (f.origin == Origin::App && name != "manage.py" && name.ends_with(".py"))).then_some(name)
}

/// The settings module the project probably uses: `<package>.settings` from a frame in the project's
/// `settings.py`, `urls.py`, `wsgi.py` or `asgi.py`; `mysite.settings` otherwise (a placeholder, said as such).
pub fn settings_guess(tb: &Traceback) -> (String, bool) {
    for f in kit::frames(tb).filter(|f| f.origin == Origin::App) {
        let path = f.file.replace('\\', "/");
        for tail in ["/settings.py", "/urls.py", "/wsgi.py", "/asgi.py"] {
            if let Some(dir) = path.strip_suffix(tail) {
                if let Some(pkg) = dir.rsplit('/').next().filter(|p| !p.is_empty()) {
                    return (format!("{pkg}.settings"), true);
                }
            }
        }
    }
    ("mysite.settings".into(), false)
}

/// The project frame that did the offending import or call: the last project frame whose line is an import,
/// else the last project frame.
pub fn offending_frame(tb: &Traceback) -> Option<&Frame> {
    let app = || kit::frames(tb).filter(|f| f.origin == Origin::App);
    let is_import = |f: &&Frame| f.code.as_deref().is_some_and(|c| c.starts_with("from ") || c.starts_with("import "));
    app().filter(is_import).last().or_else(|| app().last())
}

/// `path/to/file.py, line 12` for sentences.
pub fn at(f: &Frame) -> String {
    match f.line {
        Some(n) => format!("{}, line {n}", f.file),
        None => f.file.clone(),
    }
}

pub fn python(title: &str, file: &str, code: String) -> Snippet {
    Snippet { title: title.into(), file: file.into(), language: "python", code }
}

/// Django starts with these settings (subprocess, so import-time errors show up as they would at start-up).
pub const TEST_DJANGO_STARTS: &str = r#"import os
import subprocess
import sys


def test_django_starts_with_these_settings():
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="{settings}")
    result = subprocess.run([sys.executable, "-m", "django", "check"], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
"#;

/// True when a source line closes every bracket it opens, so it can stand alone in a snippet (Python prints only
/// the first line of a call that spans several).
pub fn balanced(code: &str) -> bool {
    let mut depth = 0i32;
    for c in code.chars() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            _ => {}
        }
    }
    depth == 0 && !code.ends_with(':') && !code.ends_with('\\')
}
