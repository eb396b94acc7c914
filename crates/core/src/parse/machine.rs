//! The line-by-line state machine that turns cleaned lines into tracebacks.
//!
//! One pass, no backtracking: each line is either taken by the traceback being built, or ends it and is
//! read again from the idle state. Python tracebacks (any version, chained, SyntaxError layout), Django's
//! debug page (both layouts) and pytest reports are read by the same machine, because they share frame
//! and exception lines and differ only in a few markers.

use super::browser::{Browser, Step};
use super::clean::Wrappers;
use super::find;
use super::syntax::{self, Likeness, PytestRule};
use crate::model::{Exception, Frame, Link, Problem, SourceFormat, Traceback};

/// Facts printed by Django's debug page outside the traceback itself.
#[derive(Debug, Clone, Default)]
pub struct PageFacts {
    pub request_method: Option<String>,
    pub request_url: Option<String>,
    pub django_version: Option<String>,
    pub python_version: Option<String>,
    pub installed_apps: Vec<String>,
    /// `Exception Type: X at /path/` → `/path/`.
    pub request_path: Option<String>,
    /// Template-loader postmortem lines: `django.template.loaders.filesystem.Loader: <path> (Source does not exist)`.
    pub templates_tried: Vec<String>,
    /// Template error block: `In template <path>, error at line <N>` and the source of that line.
    pub template_file: Option<String>,
    pub template_line: Option<u32>,
    pub template_source: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Reading frames (and their code lines).
    Frames,
    /// Read the exception line; further indented lines continue its message.
    Message,
    /// After a blank line or a chain separator: waiting to see if the traceback goes on.
    After,
    /// Django's `Exception Value:` may run over several lines.
    DebugValue,
}

enum Feed {
    Taken,
    /// The line ends the traceback and belongs to it.
    EndTaken,
    /// The line ends the traceback and must be read again from idle.
    EndAndRetry,
}

struct Open {
    tb: Traceback,
    exc: Exception,
    state: State,
    /// Indentation of the header or of the first line; exception lines sit at or left of it.
    base_indent: usize,
    file_indent: usize,
    expect_code: bool,
    pending_link: Option<Link>,
    /// A debug-page separator being read: its link and the inner exception's value so far.
    debug_separator: Option<(Link, String)>,
    had_header: bool,
    message_lines: usize,
}

/// Where we are in Django's 403 CSRF page.
#[derive(Default, Clone, Copy, PartialEq, Eq)]
enum CsrfPage {
    #[default]
    Outside,
    /// Saw "CSRF verification failed. Request aborted.".
    Page,
    /// Saw "Reason given for failure:"; the next non-empty line is the reason.
    Reason,
}

/// pytest context that spans lines before a frame's location line.
#[derive(Default)]
struct PytestContext {
    armed: bool,
    def_name: Option<String>,
    marked_code: Option<String>,
}

#[derive(Default)]
pub struct Machine {
    pub done: Vec<Traceback>,
    pub problems: Vec<Problem>,
    pub page: PageFacts,
    open: Option<Open>,
    pytest: PytestContext,
    /// Inside an exception group's sub-section, a bare `ValueError: a` line is a whole traceback.
    pub bare_exceptions: bool,
    /// The next lines come from a flattened paste.
    pub flattened: bool,
    collecting_apps: bool,
    saw_environment: bool,
    /// Inside Django's 403 CSRF page: the reason follows "Reason given for failure:".
    csrf_page: CsrfPage,
    /// Django's debug page copied whole from the browser: sees every line first.
    browser: Browser,
    /// Counters for foreign stacks, used when no Python traceback is found.
    pub js_lines: usize,
    pub java_lines: usize,
}

impl Machine {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feed one cleaned line; `n` is its 1-based physical line number.
    pub fn feed(&mut self, line: &str, w: Wrappers, n: usize) {
        match self.browser.feed(line, n, &mut self.page) {
            Step::Pass => {}
            Step::Taken => return,
            Step::Start => {
                self.finish();
                return self.browser.begin(n);
            }
            Step::End => {
                self.finish();
                return self.feed(line, w, n);
            }
        }
        if self.open.is_some() {
            match self.feed_open(line, w, n) {
                Feed::Taken => {
                    if let Some(o) = self.open.as_mut() {
                        o.tb.end_line = n;
                    }
                    return;
                }
                Feed::EndTaken => {
                    if let Some(o) = self.open.as_mut() {
                        o.tb.end_line = n;
                    }
                    self.finish();
                    return;
                }
                Feed::EndAndRetry => self.finish(),
            }
        }
        self.feed_idle(line, w, n);
    }

    /// Close whatever is open (end of input).
    pub fn finish(&mut self) {
        if let Some(tb) = self.browser.close() {
            self.done.push(tb);
        }
        let Some(mut o) = self.open.take() else {
            return;
        };
        close_exception(&mut o);
        if o.tb.exceptions.is_empty() {
            return;
        }
        let last = o.tb.exceptions.last().expect("not empty");
        if last.type_name.is_empty() && last.message.is_empty() {
            self.problems.push(Problem {
                code: "truncated",
                message: "A traceback ends before its exception line: the paste may be cut short.".into(),
                line: Some(o.tb.end_line),
            });
        }
        if o.tb.format == SourceFormat::ExceptionOnly {
            // `TypeError: x` followed by `    at fn (file.js:1:2)` lines is a JavaScript stack, not Python.
            let foreign = last.message.lines().skip(1).filter(|l| l.trim_start().starts_with("at ")).count();
            if foreign > 0 {
                self.js_lines += foreign;
                return;
            }
        }
        if !o.had_header
            && o.tb.format == SourceFormat::Python
            && matches!(short_name(&last.type_name), "SyntaxError" | "IndentationError" | "TabError")
        {
            o.tb.format = SourceFormat::SyntaxError;
        }
        self.done.push(o.tb);
    }

    fn start(&mut self, format: SourceFormat, n: usize, base_indent: usize, had_header: bool) {
        let format = if self.flattened && format == SourceFormat::Python { SourceFormat::Flattened } else { format };
        let format =
            if self.saw_environment && format == SourceFormat::Python { SourceFormat::DjangoDebug } else { format };
        self.open = Some(Open {
            tb: Traceback { format, start_line: n, end_line: n, ..Traceback::default() },
            exc: Exception::default(),
            state: State::Frames,
            base_indent,
            file_indent: base_indent + 2,
            expect_code: false,
            pending_link: None,
            debug_separator: None,
            had_header,
            message_lines: 0,
        });
    }

    fn feed_idle(&mut self, line: &str, w: Wrappers, n: usize) {
        let t = line.trim_start();
        let indent = line.len() - t.len();
        if t.is_empty() || w.fence {
            self.collecting_apps = false;
            return;
        }
        if self.collecting_apps {
            collect_quoted(t, &mut self.page.installed_apps);
            if t.contains(']') {
                self.collecting_apps = false;
            }
            return;
        }
        if let Some(h) = find::header(line) {
            let format = if self.pytest.armed { SourceFormat::Pytest } else { SourceFormat::Python };
            let format = if format == SourceFormat::Pytest { SourceFormat::Python } else { format };
            self.start(format, n, h, true);
            return;
        }
        if t.trim_end() == "Traceback:" {
            self.start(SourceFormat::DjangoDebugLegacy, n, indent, true);
            return;
        }
        if syntax::frame_line(t).is_some() {
            self.start(SourceFormat::Python, n, indent.saturating_sub(2), false);
            self.retry_in_open(line, w, n);
            return;
        }
        if self.page_fact(t) {
            return;
        }
        if let Some(rule) = syntax::pytest_rule(t) {
            self.pytest.armed = rule != PytestRule::Section || t.contains("FAILURES") || t.contains("ERRORS");
            self.pytest.def_name = None;
            self.pytest.marked_code = None;
            return;
        }
        if indent == 0 {
            if let Some((_, _, rest)) = syntax::pytest_location(t) {
                if self.pytest.armed || rest.starts_with("in ") {
                    self.start(SourceFormat::Pytest, n, 0, false);
                    self.retry_in_open(line, w, n);
                    return;
                }
            }
            if self.pytest.armed && syntax::pytest_error_line(line).is_some() {
                self.start(SourceFormat::Pytest, n, 0, false);
                self.retry_in_open(line, w, n);
                return;
            }
            if self.bare_exceptions && syntax::exception_line(t).is_some() {
                self.start(SourceFormat::Python, n, 0, false);
                self.retry_in_open(line, w, n);
                return;
            }
        }
        if self.django_record(t, n) {
            return;
        }
        if indent == 0 && !self.pytest.armed {
            if let Some((name, _, Likeness::Strong)) = syntax::exception_line(t) {
                // A lone final line (`django.db.utils.OperationalError: …`), as people paste it or as
                // `manage.py` prints CommandError and SystemCheckError. Bare `Error:` is JavaScript's.
                if !matches!(name, "Error" | "Exception" | "Warning") {
                    self.start(SourceFormat::ExceptionOnly, n, 0, false);
                    self.retry_in_open(line, w, n);
                    return;
                }
            }
        }
        if self.pytest.armed {
            self.pytest_source_line(line);
        }
        self.count_foreign(t);
    }

    fn retry_in_open(&mut self, line: &str, w: Wrappers, n: usize) {
        match self.feed_open(line, w, n) {
            Feed::Taken => {}
            Feed::EndTaken | Feed::EndAndRetry => self.finish(),
        }
    }

    /// Debug-page header fields outside the traceback. Returns true when the line was one.
    fn page_fact(&mut self, t: &str) -> bool {
        // Every label starts with one of these bytes: reject most log lines on one byte.
        if !matches!(t.as_bytes().first(), Some(b'E' | b'R' | b'D' | b'P' | b'I' | b'*' | b'd' | b'0'..=b'9')) {
            return false;
        }
        let t = t.trim_end();
        if let Some(loader) = t.strip_prefix("* ").unwrap_or(t).strip_prefix("django.template.loaders.") {
            if self.page.templates_tried.len() < 32 {
                self.page.templates_tried.push(format!("django.template.loaders.{loader}"));
            }
            return true;
        }
        // django.request's log line before a request's traceback: `Internal Server Error: /products/`.
        if let Some(path) = t.strip_prefix("Internal Server Error: ") {
            if path.starts_with('/') && self.page.request_path.is_none() {
                self.page.request_path = Some(path.trim().to_string());
            }
            return true;
        }
        if let Some(rest) = t.strip_prefix("In template ") {
            if let Some((file, line)) = rest.rsplit_once(", error at line ") {
                self.page.template_file = Some(file.to_string());
                self.page.template_line = line.trim().parse().ok();
                return true;
            }
        }
        // Template error source lines: `   2 : <a href="{% url 'x' %}">`.
        if let (Some(want), Some((n, code))) = (self.page.template_line, t.split_once(" : ")) {
            if n.trim().parse::<u32>().ok() == Some(want) && self.page.template_source.is_none() {
                self.page.template_source = Some(code.trim().to_string());
                return true;
            }
        }
        if t == "Environment:" {
            self.saw_environment = true;
            return true;
        }
        let fields: [(&str, fn(&mut PageFacts) -> &mut Option<String>); 4] = [
            ("Request Method:", |p| &mut p.request_method),
            ("Request URL:", |p| &mut p.request_url),
            ("Django Version:", |p| &mut p.django_version),
            ("Python Version:", |p| &mut p.python_version),
        ];
        for (label, slot) in fields {
            if let Some(v) = t.strip_prefix(label) {
                let v = v.trim();
                if !v.is_empty() && slot(&mut self.page).is_none() {
                    *slot(&mut self.page) = Some(v.to_string());
                }
                return true;
            }
        }
        if let Some(rest) = t.strip_prefix("Installed Applications:") {
            collect_quoted(rest, &mut self.page.installed_apps);
            self.collecting_apps = !rest.contains(']');
            return true;
        }
        false
    }

    /// Django answers some errors without a traceback: the CSRF log record `Forbidden (<reason>): /path/`, the 403
    /// "CSRF verification failed" page (type `Forbidden`), and the test runner's "Got an error creating the test
    /// database: …" (type not printed). Each becomes a traceback with no frames.
    fn django_record(&mut self, t: &str, n: usize) -> bool {
        let t = t.trim_end();
        match self.csrf_page {
            CsrfPage::Reason if !t.is_empty() => {
                self.csrf_page = CsrfPage::Outside;
                if let Some(exc) = self.done.last_mut().and_then(|tb| tb.exceptions.last_mut()) {
                    exc.message.push_str("\nReason given for failure: ");
                    exc.message.push_str(t);
                }
                return true;
            }
            CsrfPage::Page if t == "Reason given for failure:" => {
                self.csrf_page = CsrfPage::Reason;
                return true;
            }
            _ => {}
        }
        let record = t.starts_with("Forbidden (") && t.contains("): /");
        let page = t == "CSRF verification failed. Request aborted.";
        // Django's test runner prints the database error and exits, without a traceback.
        let test_db = t.starts_with("Got an error creating the test database: ");
        if !(record || page || test_db) {
            return false;
        }
        self.finish();
        let type_name = if test_db { String::new() } else { "Forbidden".into() };
        self.done.push(Traceback {
            exceptions: vec![Exception { type_name, message: t.to_string(), ..Exception::default() }],
            format: SourceFormat::DjangoLog,
            start_line: n,
            end_line: n,
            ..Traceback::default()
        });
        if page {
            self.csrf_page = CsrfPage::Page;
        }
        true
    }

    fn count_foreign(&mut self, t: &str) {
        if let Some(rest) = t.strip_prefix("at ") {
            if rest.contains(".java:") || rest.ends_with("(Native Method)") || rest.ends_with("(Unknown Source)") {
                self.java_lines += 1;
            } else if rest.ends_with(')')
                || rest.contains(".js:")
                || rest.contains("<anonymous>")
                || rest.contains("node:")
            {
                self.js_lines += 1;
            }
        }
    }

    /// pytest's long report shows each frame's source before its location line: remember the function
    /// (`def name(`) and the line marked `>`.
    fn pytest_source_line(&mut self, line: &str) {
        if let Some(code) = line.strip_prefix('>') {
            self.pytest.marked_code = Some(code.trim().to_string());
            return;
        }
        let t = line.trim_start();
        let def = t.strip_prefix("async def ").or_else(|| t.strip_prefix("def "));
        if let Some(def) = def {
            let name_end = def.find('(').unwrap_or(def.len());
            self.pytest.def_name = Some(def[..name_end].trim().to_string());
        }
    }

    fn feed_open(&mut self, line: &str, w: Wrappers, n: usize) -> Feed {
        let t = line.trim_start();
        let indent = line.len() - t.len();
        let pytest = self.open.as_ref().is_some_and(|o| o.tb.format == SourceFormat::Pytest);
        let o = self.open.as_mut().expect("open traceback");

        // A debug-page separator carrying the inner exception's value, possibly over several lines.
        if let Some((link, value)) = o.debug_separator.as_mut() {
            let close = if *link == Link::Cause { syntax::DEBUG_CAUSE_CLOSE } else { syntax::DEBUG_CONTEXT_CLOSE };
            let (part, closed) = match line.find(close) {
                Some(p) => (&line[..p], true),
                None => (line, false),
            };
            if !value.is_empty() {
                value.push('\n');
            }
            value.push_str(part.trim_end());
            if closed {
                let (link, value) = o.debug_separator.take().expect("separator");
                if o.exc.message.is_empty() {
                    o.exc.message = value;
                }
                close_exception(o);
                o.exc.link = Some(link);
                o.state = State::Frames;
            }
            return Feed::Taken;
        }

        if t.is_empty() || w.fence {
            if w.fence {
                return Feed::EndTaken;
            }
            match o.state {
                // SystemCheckError's message goes on after a blank line: `ERRORS:` and one line per check.
                State::Message if o.exc.message.ends_with("identified some issues:") => {}
                State::Message => o.state = State::After,
                State::DebugValue => return Feed::EndTaken,
                State::Frames | State::After => {}
            }
            o.expect_code = o.expect_code && o.tb.format == SourceFormat::DjangoDebugLegacy;
            return Feed::Taken;
        }

        // Chain separators and headers, valid in every state.
        if t.starts_with(syntax::CAUSE_SEPARATOR) || t.starts_with(syntax::CONTEXT_SEPARATOR) {
            close_exception(o);
            o.pending_link = Some(if t.starts_with(syntax::CAUSE_SEPARATOR) { Link::Cause } else { Link::Context });
            o.state = State::After;
            return Feed::Taken;
        }
        for (open, link) in [(syntax::DEBUG_CAUSE_OPEN, Link::Cause), (syntax::DEBUG_CONTEXT_OPEN, Link::Context)] {
            if let Some(rest) = t.strip_prefix(open) {
                o.debug_separator = Some((link, String::new()));
                if o.tb.format == SourceFormat::Python {
                    o.tb.format = SourceFormat::DjangoDebug;
                }
                return self.feed_open(rest, w, n);
            }
        }
        if find::group_header(line).is_some() {
            return Feed::EndAndRetry;
        }
        if find::header(line).is_some() || t.trim_end() == "Traceback:" {
            if o.pending_link.is_some() {
                begin_linked(o);
                return Feed::Taken;
            }
            if o.exc.frames.is_empty() && o.exc.type_name.is_empty() && o.tb.exceptions.is_empty() {
                return Feed::Taken;
            }
            return Feed::EndAndRetry;
        }
        if let Some(v) = t.strip_prefix("Exception Type:") {
            // `OperationalError at /items/`
            let v = v.trim();
            let (ty, path) = match v.find(" at ") {
                Some(p) => (&v[..p], Some(&v[p + 4..])),
                None => (v, None),
            };
            o.exc.type_name = ty.to_string();
            if let Some(p) = path {
                self.page.request_path.get_or_insert_with(|| p.to_string());
            }
            if matches!(o.tb.format, SourceFormat::Python | SourceFormat::Flattened) {
                o.tb.format = SourceFormat::DjangoDebug;
            }
            o.state = State::DebugValue;
            return Feed::Taken;
        }
        if let Some(v) = t.strip_prefix("Exception Value:") {
            o.exc.message = v.trim().to_string();
            o.state = State::DebugValue;
            return Feed::Taken;
        }
        if o.state == State::DebugValue {
            if t.starts_with("Request information:")
                || t.starts_with("Request Method:")
                || t.starts_with("Environment:")
            {
                return Feed::EndAndRetry;
            }
            o.exc.message.push('\n');
            o.exc.message.push_str(line.trim_end());
            return Feed::Taken;
        }

        if pytest {
            return self.feed_pytest(line, w);
        }
        let o = self.open.as_mut().expect("open traceback");

        if let Some(f) = syntax::frame_line(t) {
            if o.state != State::Frames {
                if o.pending_link.is_some() {
                    begin_linked(o);
                } else if o.state == State::Message || o.state == State::After {
                    return Feed::EndAndRetry;
                }
            }
            if f.line.is_none() && f.function.is_empty() {
                return Feed::EndAndRetry;
            }
            o.exc.frames.push(Frame {
                file: f.file.to_string(),
                line: f.line,
                function: f.function.to_string(),
                ..Frame::default()
            });
            o.file_indent = indent;
            o.expect_code = true;
            o.state = State::Frames;
            return Feed::Taken;
        }

        match o.state {
            State::Frames => {
                if let Some(times) = syntax::repeated_line(t) {
                    if let Some(f) = o.exc.frames.last_mut() {
                        f.repeated = Some(times);
                    }
                    return Feed::Taken;
                }
                if syntax::caret_line(t) || t == "..." || (t.starts_with('(') && t.contains("additional frame")) {
                    return Feed::Taken;
                }
                if o.expect_code && o.tb.format == SourceFormat::DjangoDebugLegacy {
                    if let Some((lineno, code)) = syntax::legacy_code_line(t) {
                        if let Some(f) = o.exc.frames.last_mut() {
                            f.line = Some(lineno);
                            f.code = Some(code.to_string());
                        }
                        o.expect_code = false;
                        return Feed::Taken;
                    }
                }
                let exception = syntax::exception_line(t);
                if o.expect_code && (indent > o.file_indent || exception.is_none()) && !o.exc.frames.is_empty() {
                    set_code(o, t);
                    return Feed::Taken;
                }
                if let Some((ty, msg, likeness)) = exception {
                    let aligned = indent <= o.base_indent.max(o.file_indent.saturating_sub(2));
                    if aligned || likeness == Likeness::Strong {
                        o.exc.type_name = ty.to_string();
                        o.exc.message = msg.trim_end().to_string();
                        o.state = State::Message;
                        o.message_lines = 1;
                        o.expect_code = false;
                        return Feed::Taken;
                    }
                }
                if indent > o.file_indent && !o.exc.frames.is_empty() {
                    // A second source line (multi-line expressions in 3.13): keep the first only.
                    return Feed::Taken;
                }
                Feed::EndAndRetry
            }
            State::Message => {
                let indented = line.starts_with([' ', '\t']);
                let looks_like_log =
                    t.starts_with('[') || t.starts_with("Internal Server Error") || t.contains(" HTTP/1.");
                if w.log_record || (!indented && looks_like_log) || o.message_lines >= 200 {
                    return Feed::EndAndRetry;
                }
                o.exc.message.push('\n');
                o.exc.message.push_str(line.trim_end());
                o.message_lines += 1;
                Feed::Taken
            }
            State::After | State::DebugValue => Feed::EndAndRetry,
        }
    }

    fn feed_pytest(&mut self, line: &str, w: Wrappers) -> Feed {
        let t = line.trim_start();
        let indent = line.len() - t.len();
        if let Some(rule) = syntax::pytest_rule(t) {
            return match rule {
                PytestRule::FrameBreak => Feed::Taken,
                PytestRule::Test => Feed::EndAndRetry,
                PytestRule::Section => Feed::EndAndRetry,
            };
        }
        if t.starts_with("FAILED ") || t.starts_with("ERROR ") || w.log_record {
            return Feed::EndAndRetry;
        }
        let o = self.open.as_mut().expect("open traceback");
        if let Some(e) = syntax::pytest_error_line(line) {
            if o.pending_link.is_some() {
                begin_linked(o);
            }
            if o.exc.type_name.is_empty() && o.exc.message.is_empty() {
                let e = e.trim_start();
                match syntax::exception_line(e) {
                    Some((ty, msg, _)) => {
                        o.exc.type_name = ty.to_string();
                        o.exc.message = msg.trim_end().to_string();
                    }
                    None => o.exc.message = e.trim_end().to_string(),
                }
            } else {
                o.exc.message.push('\n');
                o.exc.message.push_str(e.trim_end());
            }
            o.state = State::Frames;
            o.expect_code = false;
            return Feed::Taken;
        }
        if indent == 0 {
            if let Some((file, lineno, rest)) = syntax::pytest_location(t) {
                if o.pending_link.is_some() {
                    begin_linked(o);
                }
                let (function, code) = match rest.strip_prefix("in ") {
                    Some(f) => (f.to_string(), None),
                    None => {
                        // Long format: `path:N: Type` on the last frame names the exception class.
                        if !rest.is_empty() && o.exc.type_name.is_empty() {
                            o.exc.type_name = rest.to_string();
                        }
                        (self.pytest.def_name.take().unwrap_or_default(), self.pytest.marked_code.take())
                    }
                };
                let short = code.is_none() && rest.starts_with("in ");
                o.exc.frames.push(Frame {
                    file: file.to_string(),
                    line: Some(lineno),
                    function,
                    code,
                    ..Frame::default()
                });
                o.expect_code = short;
                o.file_indent = 0;
                o.state = State::Frames;
                return Feed::Taken;
            }
        }
        if o.expect_code && indent > 0 {
            set_code(o, t);
            return Feed::Taken;
        }
        self.pytest_source_line(line);
        Feed::Taken
    }
}

fn set_code(o: &mut Open, t: &str) {
    if let Some(f) = o.exc.frames.last_mut() {
        f.code = Some(t.trim_end().to_string());
    }
    o.expect_code = false;
}

/// Start the next exception of a chain after a separator.
fn begin_linked(o: &mut Open) {
    close_exception(o);
    o.exc.link = o.pending_link.take();
    o.state = State::Frames;
    o.expect_code = false;
}

/// Move the exception being read into the traceback, if it holds anything.
fn close_exception(o: &mut Open) {
    let has_content = !o.exc.frames.is_empty() || !o.exc.type_name.is_empty() || !o.exc.message.is_empty();
    if has_content {
        let exc = std::mem::take(&mut o.exc);
        o.tb.exceptions.push(exc);
    } else {
        // Keep a pending link on an empty exception: it is the next one.
        let link = o.exc.link;
        o.exc = Exception { link, ..Exception::default() };
    }
}

fn short_name(type_name: &str) -> &str {
    type_name.rsplit('.').next().unwrap_or(type_name)
}

/// Collect `'a', 'b'` strings from a Python list literal line.
pub(super) fn collect_quoted(t: &str, into: &mut Vec<String>) {
    let mut rest = t;
    while let Some(open) = rest.find(['\'', '"']) {
        let quote = rest.as_bytes()[open] as char;
        let after = &rest[open + 1..];
        let Some(close) = after.find(quote) else {
            break;
        };
        into.push(after[..close].to_string());
        rest = &after[close + 1..];
    }
}
