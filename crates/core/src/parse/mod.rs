//! Parsing: the whole paste → tracebacks, page facts and problems. Total: never fails, never panics.
//!
//! The driver walks physical lines once. Each is cleaned ([`clean`]), block-level quote and comment markers
//! are peeled while a quoted traceback is being read, flattened one-line pastes are cut back into lines
//! ([`flatten`]), exception-group boxes are collected and read apart ([`group`]), and everything else goes
//! through the [`machine`]. Input that holds no traceback gets a specific message (empty, binary, a
//! JavaScript or Java stack, prose).

pub mod browser;
pub mod clean;
pub mod find;
pub mod flatten;
pub mod group;
pub mod machine;
pub mod syntax;

use crate::model::{Problem, SourceFormat, Traceback};
use clean::Wrappers;
pub use machine::PageFacts;

/// What parsing found.
#[derive(Debug, Default)]
pub struct Parsed {
    pub tracebacks: Vec<Traceback>,
    pub problems: Vec<Problem>,
    pub page: PageFacts,
    /// Wrappers seen on the lines of the paste: `docker-compose`, `timestamp`, `journald`, `quote`, …
    pub wrappers: Vec<&'static str>,
    /// Compose service names seen in prefixes (`web_1`).
    pub services: Vec<String>,
    pub lines: usize,
}

/// Parse a paste.
pub fn parse(input: &str) -> Parsed {
    let mut parsed = Parsed::default();
    if input.trim().is_empty() {
        parsed.problems.push(Problem {
            code: "empty",
            message:
                "The paste is empty. Paste a Python traceback: it starts with \"Traceback (most recent call last):\"."
                    .into(),
            line: None,
        });
        return parsed;
    }
    if looks_binary(input) {
        parsed.problems.push(Problem {
            code: "binary",
            message: "This looks like binary data, not text. Paste the traceback as text (copy it from the terminal, log or error page).".into(),
            line: None,
        });
        parsed.lines = input.split('\n').count();
        return parsed;
    }

    let mut m = machine::Machine::new();
    let mut marker: Option<char> = None;
    let mut group_box: Vec<String> = Vec::new();
    let mut group_start = 0;
    let mut seen = SeenWrappers::default();
    let mut n = 0;
    for raw in lines(input) {
        n += 1;
        let cleaned = clean::clean(raw);
        seen.note(&cleaned, &mut parsed);
        let mut text: &str = &cleaned.text;

        // Quote (`> `) and comment (`# `) markers: peeled only once a quoted traceback has started.
        if let Some(c) = marker {
            match clean::strip_marker(text, c) {
                Some(rest) => text = rest,
                None => marker = None,
            }
        } else {
            for c in ['>', '#'] {
                if let Some(rest) = clean::strip_marker(text, c) {
                    if find::header(rest).is_some() || rest.trim_start().starts_with("File \"") {
                        marker = Some(c);
                        seen.quote = true;
                        text = rest;
                        break;
                    }
                }
            }
        }

        // Exception-group boxes are collected, then read whole.
        if !group_box.is_empty() {
            if group::is_box_line(text) {
                group_box.push(text.to_string());
                continue;
            }
            flush_group(&mut m, &mut group_box, group_start, n - 1);
        }
        if text.trim_start().starts_with('+') && find::group_header(text).is_some() {
            m.finish();
            group_start = n;
            group_box.push(text.to_string());
            continue;
        }

        if flatten::is_flattened(text) {
            m.finish();
            m.flattened = true;
            for piece in flatten::expand(text) {
                m.feed(&piece, cleaned.wrappers, n);
            }
            m.finish();
            m.flattened = false;
            continue;
        }
        m.feed(text, cleaned.wrappers, n);
    }
    if !group_box.is_empty() {
        flush_group(&mut m, &mut group_box, group_start, n);
    }
    m.finish();
    parsed.lines = n;
    if seen.quote {
        parsed.wrappers.push("quote");
    }
    parsed.tracebacks = m.done;
    parsed.problems.extend(m.problems);
    parsed.page = m.page;
    if parsed.tracebacks.is_empty() {
        parsed.problems.push(not_found(m.js_lines, m.java_lines, input));
    }
    parsed
}

fn flush_group(m: &mut machine::Machine, group_box: &mut Vec<String>, start: usize, end: usize) {
    let exceptions = group::parse_group(group_box);
    group_box.clear();
    if !exceptions.is_empty() {
        m.done.push(Traceback {
            exceptions,
            format: SourceFormat::Python,
            start_line: start,
            end_line: end,
            ..Traceback::default()
        });
    }
}

/// The physical lines of the input, split with memchr (the hot loop of a big log).
fn lines(input: &str) -> impl Iterator<Item = &str> {
    let mut start = 0;
    let mut ends = memchr::memchr_iter(b'\n', input.as_bytes());
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        match ends.next() {
            Some(end) => {
                let line = &input[start..end];
                start = end + 1;
                Some(line)
            }
            None => {
                done = true;
                Some(&input[start..])
            }
        }
    })
}

/// Records which wrappers the paste used (once each).
#[derive(Default)]
struct SeenWrappers {
    docker: bool,
    log: bool,
    journald: bool,
    fence: bool,
    quote: bool,
}

impl SeenWrappers {
    fn note(&mut self, line: &clean::CleanLine<'_>, parsed: &mut Parsed) {
        let w: Wrappers = line.wrappers;
        if w.docker {
            if !self.docker {
                self.docker = true;
                parsed.wrappers.push("docker-compose");
            }
            if let Some(s) = line.service {
                if parsed.services.len() < 8 && !parsed.services.iter().any(|x| x == s) {
                    parsed.services.push(s.to_string());
                }
            }
        }
        if w.journald && !self.journald {
            self.journald = true;
            parsed.wrappers.push("journald");
        }
        if w.log_record && !self.log {
            self.log = true;
            parsed.wrappers.push("log-timestamps");
        }
        if w.fence && !self.fence {
            self.fence = true;
            parsed.wrappers.push("markdown-fence");
        }
    }
}

/// NUL bytes or many control characters in the first 8 KiB.
fn looks_binary(input: &str) -> bool {
    let head = &input.as_bytes()[..input.len().min(8192)];
    let control = head.iter().filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x1b)).count();
    let replacement = input[..floor_char_boundary(input, 8192)].matches('\u{fffd}').count();
    head.contains(&0) || control * 10 > head.len() || replacement * 3 > head.len().max(1) / 4
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The message when no Python traceback was found: say what it looks like instead.
fn not_found(js: usize, java: usize, input: &str) -> Problem {
    let (code, message) = if java >= 2 || (java >= 1 && input.contains("Exception in thread")) {
        ("java-stack", "This is a Java stack trace (\"at com.example.Class.method(File.java:12)\"), not a Python traceback. Traceback Explainer reads Python and Django tracebacks.")
    } else if js >= 2 {
        ("javascript-stack", "This is a JavaScript stack trace (\"at fn (file.js:10:5)\"), not a Python traceback. If your Django page failed in the browser, look for the server-side traceback in the runserver or gunicorn output.")
    } else if input.contains("Exception Type:") || input.contains("Exception Value:") {
        ("debug-page-summary", "This looks like the summary of Django's debug page without its traceback. On the error page, click \"Switch to copy-and-paste view\" and paste the whole text box.")
    } else {
        ("no-traceback", "No Python traceback found. A traceback starts with \"Traceback (most recent call last):\" and ends with a line like \"ValueError: message\"; paste everything from the first line to the last.")
    };
    Problem { code, message: message.into(), line: None }
}
