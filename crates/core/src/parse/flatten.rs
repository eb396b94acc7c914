//! The flattened one-line paste: a traceback whose newlines were lost (chat apps, web forms, log shippers).
//!
//! `Traceback (most recent call last): File "a.py", line 1, in f code File "b.py", line 2, in g code
//! pkg.Error: message` is cut back into the lines Python printed, so the ordinary line parser reads it.
//! Only lines that hold a header or at least two frame markers are expanded; this allocates, but only for
//! those lines.

use super::find;
use super::syntax::{
    self, CAUSE_SEPARATOR, CONTEXT_SEPARATOR, DEBUG_CAUSE_CLOSE, DEBUG_CAUSE_OPEN, DEBUG_CONTEXT_CLOSE,
    DEBUG_CONTEXT_OPEN, HEADER,
};

const FILE_MARK: &str = "File \"";

/// True when a line holds a whole flattened traceback (or a run of frames).
pub fn is_flattened(line: &str) -> bool {
    let Some(first) = find::file_mark(line) else {
        return false;
    };
    let rest = &line[first + FILE_MARK.len()..];
    match find::header(line).or_else(|| find::environment(line)) {
        Some(h) if h < first => true,
        _ => find::file_mark(rest).is_some(),
    }
}

/// Expand a flattened line into the lines Python would have printed.
pub fn expand(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let start =
        [line.find("Environment:"), line.find(HEADER), line.find(FILE_MARK)].into_iter().flatten().min().unwrap_or(0);
    let mut rest = &line[start..];
    // Walk the markers in order: header, separators, frames. Text between frames is code (+ exception).
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        if let Some(r) = rest.strip_prefix(HEADER) {
            out.push(HEADER.to_string());
            rest = r;
            continue;
        }
        if let Some(r) = rest.strip_prefix(CAUSE_SEPARATOR) {
            out.push(String::new());
            out.push(CAUSE_SEPARATOR.to_string());
            out.push(String::new());
            rest = r;
            continue;
        }
        if let Some(r) = rest.strip_prefix(CONTEXT_SEPARATOR) {
            out.push(String::new());
            out.push(CONTEXT_SEPARATOR.to_string());
            out.push(String::new());
            rest = r;
            continue;
        }
        if let Some(close) = [(DEBUG_CAUSE_OPEN, DEBUG_CAUSE_CLOSE), (DEBUG_CONTEXT_OPEN, DEBUG_CONTEXT_CLOSE)]
            .into_iter()
            .find_map(|(open, close)| rest.starts_with(open).then_some(close))
        {
            // Django's debug page: `The above exception (<value>) was the direct cause of …:` as one line.
            let end = rest.find(close).map_or(rest.len(), |c| c + close.len());
            out.push(String::new());
            out.push(rest[..end].to_string());
            rest = &rest[end..];
            continue;
        }
        if let Some(label) = DEBUG_LABELS.iter().find(|l| rest.starts_with(**l)) {
            // A debug-page field runs to the next marker; `Exception Value:` runs to the end of the line.
            let end = if *label == "Exception Value:" { rest.len() } else { next_marker(rest).unwrap_or(rest.len()) };
            out.push(rest[..end].trim_end().to_string());
            rest = &rest[end..];
            continue;
        }
        if rest.starts_with(FILE_MARK) {
            let consumed = frame(rest, &mut out);
            rest = &rest[consumed..];
            continue;
        }
        // Text that is not a marker: code or an exception line left over; emit it as is.
        let end = next_marker(rest).unwrap_or(rest.len());
        split_code_and_exception(&rest[..end], &mut out, false);
        rest = &rest[end..];
    }
    out
}

/// One frame: `File "p", line N, in f <code>[ <exception line>]`; returns the bytes consumed.
fn frame(s: &str, out: &mut Vec<String>) -> usize {
    let after_mark = &s[FILE_MARK.len()..];
    let Some(close) = after_mark.find('"') else {
        out.push(s.to_string());
        return s.len();
    };
    let mut i = FILE_MARK.len() + close + 1;
    // `, line N`
    if let Some(r) = s[i..].strip_prefix(", line ") {
        let digits = r.bytes().take_while(u8::is_ascii_digit).count();
        i += ", line ".len() + digits;
    }
    let mut header_end = i;
    let mut function_given = false;
    if let Some(r) = s[i..].strip_prefix(", in ") {
        let name_len = r.find(char::is_whitespace).unwrap_or(r.len());
        header_end = i + ", in ".len() + name_len;
        function_given = true;
    }
    let _ = function_given;
    out.push(format!("  {}", &s[..header_end]));
    let body_start = header_end;
    let end = next_marker(&s[body_start..]).map_or(s.len(), |e| body_start + e);
    split_code_and_exception(&s[body_start..end], out, true);
    end
}

/// Field labels of Django's debug page (copy-and-paste view and plain-text 500).
const DEBUG_LABELS: [&str; 9] = [
    "Environment:",
    "Request Method:",
    "Request URL:",
    "Django Version:",
    "Python Version:",
    "Installed Applications:",
    "Installed Middleware:",
    "Exception Type:",
    "Exception Value:",
];

/// The first marker (frame, header, separator, debug-page field) in `s` after position 0.
fn next_marker(s: &str) -> Option<usize> {
    let fixed = [
        s.find(FILE_MARK),
        s.find(HEADER),
        s.find(CAUSE_SEPARATOR),
        s.find(CONTEXT_SEPARATOR),
        s.find(DEBUG_CAUSE_OPEN),
        s.find(DEBUG_CONTEXT_OPEN),
    ];
    let labels = DEBUG_LABELS.iter().map(|l| s.find(l));
    fixed.into_iter().chain(labels).flatten().filter(|&p| p > 0).min()
}

/// The text after a frame line: code, and when it is the last frame of an exception, the exception line.
fn split_code_and_exception(body: &str, out: &mut Vec<String>, after_frame: bool) {
    let body = body.trim();
    if body.is_empty() {
        return;
    }
    let split = exception_start(body);
    let (code, exception) = match split {
        Some(p) => (body[..p].trim(), Some(body[p..].trim())),
        None => (body, None),
    };
    let code = strip_carets(code);
    if !code.is_empty() {
        if after_frame {
            out.push(format!("    {code}"));
        } else {
            out.push(code.to_string());
        }
    }
    if let Some(e) = exception {
        out.push(e.to_string());
    }
}

/// Where, among word starts of `body`, an exception line begins: the first word shaped like
/// `pkg.Class:` / `ClassError:` with a strong likeness, or a plausible one at the very start.
fn exception_start(body: &str) -> Option<usize> {
    let b = body.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let at_word_start = i == 0 || b[i - 1] == b' ';
        if at_word_start && (b[i].is_ascii_alphabetic() || b[i] == b'_') {
            if let Some((_, _, likeness)) = syntax::exception_line(&body[i..]) {
                if likeness == syntax::Likeness::Strong || i == 0 {
                    return Some(i);
                }
            } else if let Some(word_end) = body[i..].find(": ") {
                // `Name: message` where the name is followed by more text: check just the name.
                let candidate = &body[i..i + word_end + 1];
                if !candidate.contains(' ') {
                    if let Some((_, _, syntax::Likeness::Strong)) = syntax::exception_line(&body[i..i + word_end + 2]) {
                        return Some(i);
                    }
                }
            }
        }
        i += 1;
    }
    None
}

/// Python 3.11+ carets flattened into the code: drop words made only of `^` and `~`.
fn strip_carets(code: &str) -> String {
    if !code.contains(['^', '~']) {
        return code.to_string();
    }
    code.split(' ').filter(|w| !syntax::caret_line(w)).collect::<Vec<_>>().join(" ").trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_like_line_expands() {
        let line = "Traceback (most recent call last): File \"/a/base.py\", line 289, in ensure_connection self.connect() File \"/a/psycopg2/__init__.py\", line 122, in connect conn = _connect(dsn, connection_factory=connection_factory, **kwasync) django.db.utils.OperationalError: could not connect to server: Connection refused Is the server running on host \"localhost\" (127.0.0.1) and accepting TCP/IP connections on port 5432?";
        assert!(is_flattened(line));
        let lines = expand(line);
        assert_eq!(lines[0], HEADER);
        assert_eq!(lines[1], "  File \"/a/base.py\", line 289, in ensure_connection");
        assert_eq!(lines[2], "    self.connect()");
        assert_eq!(lines[4], "    conn = _connect(dsn, connection_factory=connection_factory, **kwasync)");
        assert!(lines[5].starts_with("django.db.utils.OperationalError: could not connect"));
        assert_eq!(lines.len(), 6);
    }

    #[test]
    fn carets_and_chains() {
        let line = "Traceback (most recent call last): File \"x.py\", line 1, in f return g() ^^^ ValueError: a The above exception was the direct cause of the following exception: Traceback (most recent call last): File \"y.py\", line 2, in <module> f() RuntimeError: b";
        let lines = expand(line);
        assert_eq!(lines[2], "    return g()");
        assert_eq!(lines[3], "ValueError: a");
        assert!(lines.contains(&CAUSE_SEPARATOR.to_string()));
        assert_eq!(lines.last().unwrap(), "RuntimeError: b");
    }

    #[test]
    fn plain_lines_are_not_flattened() {
        assert!(!is_flattened("  File \"x.py\", line 1, in f"));
        assert!(!is_flattened("Traceback (most recent call last):"));
    }
}
