//! Django's debug page copied whole from the browser (select all + copy) instead of its copy-and-paste view.
//!
//! What the copy holds: the summary (`Exception Type:`⇥`KeyError`, `Exception Value:`⇥ with the value on the
//! next lines, `Exception Location:`), then `Traceback Switch to copy-and-paste view` and one block per frame —
//! `<path>, line N, in <func>` (Django 3.2+) or `<path> in <func>` (2.2: no line number), the code line, 3.11+
//! carets, `…`, `Local vars` (`▶ Local vars` before 4.0) and, when the box was opened, the table of local
//! variables (`Variable⇥Value`, then `name⇥` and its value's lines), skipped whole: a value may look like
//! anything. Chain separators carry only the inner exception's value; the last exception's type and value
//! come from the summary. The traceback ends at `Request information`.
//!
//! [`Browser`] sees every line before the machine. Until the marker line it only notes the summary (the
//! machine reads those lines as always); from the marker on it takes the lines until the traceback ends.

use super::machine::{collect_quoted, PageFacts};
use super::syntax::{caret_line, DEBUG_CAUSE_CLOSE, DEBUG_CAUSE_OPEN, DEBUG_CONTEXT_CLOSE, DEBUG_CONTEXT_OPEN, HEADER};
use crate::model::{Exception, Frame, Link, SourceFormat, Traceback};

/// What the machine does with a line after [`Browser::feed`].
pub enum Step {
    /// Not ours: the machine reads it.
    Pass,
    Taken,
    /// The marker: close what is open, then [`Browser::begin`].
    Start,
    /// The page's traceback ended before this line: close it, then read the line again.
    End,
}

#[derive(Default, Clone, Copy, PartialEq, Eq)]
enum St {
    #[default]
    Idle,
    /// Summary: the lines after `Exception Value:`.
    Value,
    /// Settings table: the lines after `INSTALLED_APPS`⇥.
    Apps,
    Frames,
    /// After a frame line: its code line comes next.
    Code,
    /// After `Local vars`: its table may follow.
    Toggle,
    /// In a table of local variables.
    Locals,
    /// In that table, right after a `name`⇥ line: the next line is its value, whatever it looks like.
    Name,
}

#[derive(Default)]
pub struct Browser {
    st: St,
    /// From the summary: the last exception's type and value, and `Exception Location` (file, function, line).
    ty: String,
    value: String,
    value_lines: u32,
    location: Option<(String, String, u32)>,
    tb: Option<Traceback>,
    exc: Exception,
    /// A chain separator being read: its link and the inner exception's value.
    sep: Option<(Link, String)>,
    /// A page traceback was read: its settings table may list INSTALLED_APPS.
    seen: bool,
}

const MARKER: &str = "Switch to copy-and-paste view";

impl Browser {
    pub fn feed(&mut self, line: &str, n: usize, page: &mut PageFacts) -> Step {
        let t = line.trim();
        let Some(tb) = self.tb.as_mut() else {
            self.watch(line, t, page);
            return if t.ends_with(MARKER) && t.len() < 48 { Step::Start } else { Step::Pass };
        };
        let before = tb.end_line;
        let step = self.take(line, t);
        if let (Step::Taken, false, Some(tb)) = (&step, t.is_empty(), self.tb.as_mut()) {
            tb.end_line = n.max(before);
        }
        step
    }

    fn take(&mut self, line: &str, t: &str) -> Step {
        if let Some((link, value)) = self.sep.as_mut() {
            let close = if *link == Link::Cause { DEBUG_CAUSE_CLOSE } else { DEBUG_CONTEXT_CLOSE };
            let (part, closed) = t.split_once(close).map_or((t, value.len() > 4000), |(p, _)| (p, true));
            if !value.is_empty() {
                value.push(' ');
            }
            value.push_str(part.trim());
            if closed {
                let (link, value) = self.sep.take().unwrap_or((Link::Cause, String::new()));
                self.push_exception(value, Some(link));
            }
            return Step::Taken;
        }
        if t.is_empty() {
            return Step::Taken;
        }
        if t == "Request information" || t.ends_with(MARKER) || line.contains(HEADER) {
            return Step::End;
        }
        if self.st != St::Name {
            for (open, link) in [(DEBUG_CAUSE_OPEN, Link::Cause), (DEBUG_CONTEXT_OPEN, Link::Context)] {
                if let Some(rest) = t.strip_prefix(open) {
                    self.sep = Some((link, String::new()));
                    self.st = St::Frames;
                    return self.take(rest, rest);
                }
            }
            if let Some((file, line, function)) = frame_line(line.trim_end()) {
                let (file, function) = (file.into(), function.into());
                self.exc.frames.push(Frame { file, line, function, ..Frame::default() });
                self.st = St::Code;
                return Step::Taken;
            }
        }
        match self.st {
            St::Locals | St::Name => {
                self.st = if line.ends_with('\t') && !indented(line) { St::Name } else { St::Locals };
            }
            St::Toggle if t == "Variable\tValue" => self.st = St::Locals,
            _ if t.ends_with("Local vars") && t.len() < 16 => self.st = St::Toggle,
            _ if t == "…" => self.st = St::Frames,
            _ if caret_line(t) => {}
            St::Code => {
                if let Some(f) = self.exc.frames.last_mut() {
                    f.code = Some(t.to_string());
                }
                self.st = St::Frames;
            }
            _ => return Step::End,
        }
        Step::Taken
    }

    /// The marker line `n` was seen and what was open is closed: read the page's traceback.
    pub fn begin(&mut self, n: usize) {
        self.st = St::Frames;
        self.tb = Some(Traceback {
            format: SourceFormat::DjangoDebugBrowser,
            start_line: n,
            end_line: n,
            ..Traceback::default()
        });
    }

    /// Close the page's traceback, if one is open: its last exception gets the summary's type and value.
    pub fn close(&mut self) -> Option<Traceback> {
        self.tb.as_ref()?;
        if let Some((link, value)) = self.sep.take() {
            self.push_exception(value, Some(link));
        }
        self.exc.type_name = std::mem::take(&mut self.ty);
        if let (Some((file, function, line)), Some(f)) = (self.location.take(), self.exc.frames.last_mut()) {
            if f.line.is_none() && f.file == file && f.function == function {
                f.line = Some(line);
            }
        }
        let value = std::mem::take(&mut self.value).trim_end().to_string();
        self.push_exception(value, None);
        self.st = St::Idle;
        self.seen = true;
        self.tb.take().filter(|tb| !tb.exceptions.is_empty())
    }

    /// Move the exception being read into the traceback (`value` is its message unless it has one); the next
    /// one is linked by `link`.
    fn push_exception(&mut self, value: String, link: Option<Link>) {
        let mut exc = std::mem::replace(&mut self.exc, Exception { link, ..Exception::default() });
        if exc.message.is_empty() {
            exc.message = value;
        }
        if exc.frames.is_empty() && exc.message.is_empty() && exc.type_name.is_empty() {
            self.exc.link = exc.link;
        } else if let Some(tb) = self.tb.as_mut() {
            tb.exceptions.push(exc);
        }
    }

    /// Outside the traceback: the summary's type, value and location, the template error's source line, and
    /// INSTALLED_APPS in the settings table after a page's traceback.
    fn watch(&mut self, line: &str, t: &str, page: &mut PageFacts) {
        match self.st {
            St::Value => {
                let label =
                    ["Exception Location:", "Raised during:", "Python Executable:"].iter().any(|l| t.starts_with(l));
                if !(label || t.ends_with(MARKER) || self.value_lines > 100) {
                    self.value_lines += 1;
                    if !self.value.is_empty() || !t.is_empty() {
                        if !self.value.is_empty() {
                            self.value.push('\n');
                        }
                        self.value.push_str(line.trim_end());
                    }
                    return;
                }
                self.st = St::Idle;
            }
            St::Apps => {
                if page.installed_apps.len() < 64 {
                    collect_quoted(t, &mut page.installed_apps);
                }
                if t.contains(']') || t.is_empty() {
                    self.st = St::Idle;
                }
                return;
            }
            _ => {}
        }
        if let Some(v) = t.strip_prefix("Exception Type:") {
            // The plain-text 500 adds ` at /path/`.
            self.ty = v.split(" at ").next().unwrap_or("").trim().to_string();
        } else if let Some(v) = t.strip_prefix("Exception Value:") {
            self.value = v.trim().to_string();
            self.st = St::Value;
            self.value_lines = 0;
        } else if let Some(v) = t.strip_prefix("Exception Location:") {
            // `<path>, line N, in <func>`; 2.2: `<path> in <func>, line N`.
            let v = v.trim();
            let loc = frame_line(v).and_then(|(f, l, func)| Some((f, func, l?))).or_else(|| {
                let (head, l) = v.rsplit_once(", line ")?;
                let (f, _, func) = frame_line(head)?;
                Some((f, func, l.parse().ok()?))
            });
            self.location = loc.map(|(f, func, l)| (f.to_string(), func.to_string(), l));
        } else if self.seen && t == "INSTALLED_APPS" && page.installed_apps.is_empty() {
            self.st = St::Apps;
        } else if let (Some(want), Some((num, code)), false) =
            (page.template_line, t.split_once('\t'), self.ty.is_empty())
        {
            // The template error's source, one `N`⇥`code` line each.
            if page.template_source.is_none() && num.parse() == Ok(want) {
                page.template_source = Some(code.trim().to_string());
            }
        }
    }
}

fn indented(t: &str) -> bool {
    matches!(t.as_bytes().first(), Some(b' ' | b'\t'))
}

/// `<path>, line N, in <func>` or `<path> in <func>`, the path a `.py` file or `<frozen …>`, at the line's start.
fn frame_line(t: &str) -> Option<(&str, Option<u32>, &str)> {
    if indented(t) {
        return None;
    }
    let (head, function) = t.rsplit_once(" in ")?;
    let name = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'<' | b'>' | b'.') || b >= 0x80;
    if function.is_empty() || !function.bytes().all(name) {
        return None;
    }
    let (file, line) = match head.strip_suffix(',').and_then(|h| h.rsplit_once(", line ")) {
        Some((file, num)) => (file, Some(num.parse().ok()?)),
        None => (head, None),
    };
    (file.ends_with(".py") || (file.starts_with('<') && file.ends_with('>'))).then_some((file, line, function))
}

#[cfg(test)]
mod tests {
    use crate::model::{Link, SourceFormat};
    use crate::parse::parse;

    const PAGE: &str = "KeyError at /cart/pear/\n'pear'\nRequest Method:\tGET\nDjango Version:\t2.2.28\n\
        Exception Type:\tKeyError\nException Value:\t\n'pear'\n\nException Location:\tapp.py in cart, line 57\n\
        Python Version:\t3.8.18\nTraceback Switch to copy-and-paste view\n\
        /srv/venv/lib/python3.8/site-packages/django/core/handlers/base.py in _get_response\n\
        \x20               response = wrapped_callback(request) \n…\n▼ Local vars\nVariable\tValue\nrequest\t\n\
        <WSGIRequest: GET '/cart/pear/'>\n\nnote\t\n/srv/app/fake.py in lookalike\n\nsep\t\n\
        The above exception (x) was the direct cause of the following exception:\n\
        app.py in cart\n    price = PRICES[item] \n…\n▶ Local vars\nRequest information\nUSER\n";

    #[test]
    fn reads_a_whole_page_copy_and_skips_locals() {
        let p = parse(PAGE);
        assert_eq!(p.tracebacks.len(), 1, "{:?}", p.problems);
        let tb = &p.tracebacks[0];
        assert_eq!(tb.format, SourceFormat::DjangoDebugBrowser);
        // The values of `note` and `sep` look like a frame and a separator: both are locals.
        assert_eq!(tb.exceptions.len(), 1);
        let e = &tb.exceptions[0];
        assert_eq!((e.type_name.as_str(), e.message.as_str()), ("KeyError", "'pear'"));
        assert_eq!(e.frames.len(), 2);
        assert_eq!(e.frames[0].code.as_deref(), Some("response = wrapped_callback(request)"));
        assert_eq!((e.frames[1].file.as_str(), e.frames[1].line), ("app.py", Some(57)));
        assert_eq!(p.page.django_version.as_deref(), Some("2.2.28"));
        assert!(p.problems.is_empty());
    }

    #[test]
    fn chains_and_what_follows() {
        let page = "Exception Type:\tOrderError\nException Value:\t\nduplicate\n\nPython Executable:\t/x\n\
            Traceback Switch to copy-and-paste view\n/a.py, line 3, in f\n    g()\n…\nLocal vars\n\
            During handling of the above exception (UNIQUE constraint\nfailed), another exception occurred:\n\
            /b.py, line 9, in h\n    raise OrderError\n                ^^^ \n…\n\
            Traceback (most recent call last):\n  File \"c.py\", line 1, in <module>\nValueError: v\n";
        let p = parse(page);
        assert_eq!(p.tracebacks.len(), 2);
        let ex = &p.tracebacks[0].exceptions;
        assert_eq!(ex.len(), 2);
        assert_eq!((ex[0].type_name.as_str(), ex[0].message.as_str()), ("", "UNIQUE constraint failed"));
        assert_eq!((ex[1].link, ex[1].message.as_str()), (Some(Link::Context), "duplicate"));
        assert_eq!(ex[1].frames[0].code.as_deref(), Some("raise OrderError"));
        assert_eq!(p.tracebacks[1].format, SourceFormat::Python);
    }

    #[test]
    fn the_summary_alone_stays_a_summary_and_cut_pages_do_not_panic() {
        let summary = &PAGE[..PAGE.find("Traceback Switch").unwrap()];
        assert_eq!(parse(summary).problems[0].code, "debug-page-summary");
        for (i, _) in PAGE.char_indices() {
            let _ = parse(&PAGE[..i]);
            let _ = parse(&PAGE[i..]);
        }
    }
}
