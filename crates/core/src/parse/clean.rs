//! Line cleaning: turns one physical line of a paste into the text a traceback parser expects.
//!
//! It strips, in this order and without allocating unless ANSI colour codes are present: a trailing `\r`,
//! ANSI escape sequences, and the wrappers that logs and chats add in front of each line: docker compose
//! (`web_1  | `, `web-1  | `), journald/syslog (`Nov 28 16:00:01 host app[12]: `), timestamps with
//! levels from logging, gunicorn, celery and Heroku (`[2024-03-04 10:15:02 +0000] [7] [ERROR] `), and
//! Markdown fences. Quote (`> `) and comment (`# `) markers are block-level: the parser decides when to
//! strip them with [`strip_marker`].

use std::borrow::Cow;

/// Which wrappers were found on a line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Wrappers {
    pub docker: bool,
    /// A timestamp or log level started this line: it is a new log record, not a continuation.
    pub log_record: bool,
    pub journald: bool,
    pub fence: bool,
}

/// One cleaned line.
#[derive(Debug, Clone)]
pub struct CleanLine<'a> {
    pub text: Cow<'a, str>,
    pub wrappers: Wrappers,
    /// The docker compose service name, when a compose prefix was stripped.
    pub service: Option<&'a str>,
}

/// Clean one physical line (without its `\n`).
pub fn clean(raw: &str) -> CleanLine<'_> {
    let raw = raw.strip_suffix('\r').unwrap_or(raw);
    if raw.as_bytes().contains(&0x1b) {
        let owned = strip_ansi(raw);
        let (start, wrappers, service) = strip_prefixes(&owned);
        let text = owned[start..].to_string();
        // The service name borrows from the temporary; ANSI-coloured compose logs are rare, so drop it.
        let _ = service;
        return CleanLine { text: Cow::Owned(text), wrappers, service: None };
    }
    let (start, wrappers, service) = strip_prefixes(raw);
    CleanLine { text: Cow::Borrowed(&raw[start..]), wrappers, service }
}

/// Remove CSI escape sequences (`ESC [ params final`) and lone ESCs.
fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        if chars.peek() == Some(&'[') {
            chars.next();
            for c in chars.by_ref() {
                if ('\u{40}'..='\u{7e}').contains(&c) {
                    break;
                }
            }
        }
    }
    out
}

/// Returns the byte offset where the content starts, after every recognised wrapper.
fn strip_prefixes(s: &str) -> (usize, Wrappers, Option<&str>) {
    let mut w = Wrappers::default();
    let mut service = None;
    let mut pos = 0;
    // Wrappers nest (a compose prefix, then a timestamp): peel at most a few layers.
    for _ in 0..4 {
        let rest = &s[pos..];
        if let Some((n, name)) = compose_prefix(rest) {
            w.docker = true;
            service = Some(name);
            pos += n;
        } else if let Some(n) = journald_prefix(rest) {
            // Journald frames every line, continuation lines included: it does not start a record.
            w.journald = true;
            pos += n;
        } else if let Some(n) = timestamp_prefix(rest) {
            w.log_record = true;
            pos += n;
        } else if let Some(n) = level_prefix(rest) {
            w.log_record = true;
            pos += n;
        } else {
            break;
        }
    }
    w.fence = is_fence(&s[pos..]);
    (pos, w, service)
}

/// A Markdown code fence: ```` ``` ```` or `~~~`, optionally with a language, indented at most 3 spaces.
/// Python 3.11+ carets (`~~~~^^^^`) are not fences.
fn is_fence(s: &str) -> bool {
    let t = s.trim_start_matches(' ');
    if s.len() - t.len() > 3 {
        return false;
    }
    let rest = match t.strip_prefix("```").or_else(|| t.strip_prefix("~~~")) {
        Some(r) => r.trim_start_matches(['`', '~']),
        None => return false,
    };
    rest.trim()
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'+' | b' ' | b'{' | b'}' | b'.' | b'='))
}

/// `web_1  | `, `web-1  | `, `django-1  |` (compose v1 and v2): a name, at least one space, a bar.
fn compose_prefix(s: &str) -> Option<(usize, &str)> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'_' | b'-' | b'.')) {
        i += 1;
    }
    if i == 0 || i > 64 || !b[0].is_ascii_alphanumeric() {
        return None;
    }
    let name_end = i;
    let mut spaces = 0;
    while i < b.len() && b[i] == b' ' {
        i += 1;
        spaces += 1;
    }
    if spaces == 0 || i >= b.len() || b[i] != b'|' {
        return None;
    }
    i += 1;
    if i < b.len() && b[i] == b' ' {
        i += 1;
    }
    Some((i, &s[..name_end]))
}

/// `Nov 28 16:00:01 host prog[123]: ` (syslog/journald short format).
fn journald_prefix(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    if b.len() < 17
        || !b[0].is_ascii_uppercase()
        || !b[1].is_ascii_lowercase()
        || !b[2].is_ascii_lowercase()
        || b[3] != b' '
    {
        return None;
    }
    let mut i = 4;
    if b[i] == b' ' {
        i += 1;
    }
    let d0 = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if i == d0 || i - d0 > 2 || i >= b.len() || b[i] != b' ' {
        return None;
    }
    i += 1;
    i = clock(b, i)?;
    if i >= b.len() || b[i] != b' ' {
        return None;
    }
    i += 1;
    // host
    let h0 = i;
    while i < b.len() && b[i] != b' ' {
        i += 1;
    }
    if i == h0 || i >= b.len() {
        return None;
    }
    i += 1;
    // prog[pid]: — up to the first ": "
    let p0 = i;
    while i < b.len() && b[i] != b' ' && !(b[i] == b':' && (i + 1 == b.len() || b[i + 1] == b' ')) {
        i += 1;
    }
    if i == p0 || i >= b.len() || b[i] != b':' {
        return None;
    }
    i += 1;
    if i < b.len() && b[i] == b' ' {
        i += 1;
    }
    Some(i)
}

/// `HH:MM:SS` at `i`; returns the index after it (fractions of a second included).
fn clock(b: &[u8], i: usize) -> Option<usize> {
    if b.len() < i + 8 {
        return None;
    }
    let c = &b[i..i + 8];
    let ok = c[0].is_ascii_digit()
        && c[1].is_ascii_digit()
        && c[2] == b':'
        && c[3].is_ascii_digit()
        && c[4].is_ascii_digit()
        && c[5] == b':'
        && c[6].is_ascii_digit()
        && c[7].is_ascii_digit();
    if !ok {
        return None;
    }
    let mut j = i + 8;
    if j < b.len() && (b[j] == b'.' || b[j] == b',') && j + 1 < b.len() && b[j + 1].is_ascii_digit() {
        j += 1;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
    }
    Some(j)
}

/// An ISO-like timestamp, optionally bracketed, then pids, levels, logger names in brackets or
/// `name[pid]:` tokens: gunicorn, celery, logging, Heroku, kubectl --timestamps.
fn timestamp_prefix(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = 0;
    let bracketed = b.first() == Some(&b'[');
    if bracketed {
        i += 1;
    }
    // YYYY-MM-DD
    if b.len() < i + 19 {
        return None;
    }
    let d = &b[i..i + 10];
    let date_ok = d[..4].iter().all(u8::is_ascii_digit)
        && (d[4] == b'-' || d[4] == b'/')
        && d[5].is_ascii_digit()
        && d[6].is_ascii_digit()
        && d[7] == d[4]
        && d[8].is_ascii_digit()
        && d[9].is_ascii_digit();
    if !date_ok {
        return None;
    }
    i += 10;
    if b[i] != b' ' && b[i] != b'T' {
        return None;
    }
    i = clock(b, i + 1)?;
    // Time zone: Z, +00:00, +0000, " +0000", " UTC".
    if i < b.len() && b[i] == b'Z' {
        i += 1;
    } else if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b':') {
            i += 1;
        }
    } else if i + 1 < b.len() && b[i] == b' ' && (b[i + 1] == b'+' || b[i + 1] == b'-') {
        i += 2;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
    } else if s[i..].starts_with(" UTC") {
        i += 4;
    }
    if bracketed {
        // Celery puts the level inside the bracket: `[2024-03-04 10:15:02,123: ERROR/MainProcess]`.
        let close = s[i..].find(']')?;
        i += close + 1;
    }
    Some(skip_record_tags(s, i))
}

/// After a timestamp: ` [7]`, ` [ERROR]`, ` ERROR`, ` django.request`, ` app[web.1]:`, `: `, ` - `.
fn skip_record_tags(s: &str, mut i: usize) -> usize {
    let b = s.as_bytes();
    for _ in 0..4 {
        let mut j = i;
        while j < b.len() && (b[j] == b' ' || b[j] == b'\t') {
            j += 1;
        }
        let rest = &s[j..];
        if rest.starts_with('[') {
            match rest.find(']') {
                Some(k) if k < 48 => {
                    i = j + k + 1;
                    if s[i..].starts_with(':') {
                        i += 1;
                    }
                    continue;
                }
                _ => break,
            }
        }
        if let Some(n) = level_word(rest) {
            i = j + n;
            if s[i..].starts_with(':') {
                i += 1;
            }
            continue;
        }
        if rest.starts_with("- ") || rest.starts_with(": ") {
            i = j + 1;
            continue;
        }
        // `app[web.1]:` (Heroku) or `gunicorn[12]:`.
        let token_end = rest.find(' ').unwrap_or(rest.len());
        let token = &rest[..token_end];
        if token.len() > 2 && token.ends_with("]:") && token.contains('[') {
            i = j + token_end;
            continue;
        }
        break;
    }
    while i < b.len() && b[i] == b' ' {
        i += 1;
    }
    i
}

fn level_word(s: &str) -> Option<usize> {
    const LEVELS: [&str; 8] = ["CRITICAL", "ERROR", "WARNING", "WARN", "INFO", "DEBUG", "FATAL", "EXCEPTION"];
    for l in LEVELS {
        if let Some(rest) = s.strip_prefix(l) {
            if rest.is_empty() || rest.starts_with([' ', ':', ']']) {
                return Some(l.len());
            }
        }
    }
    None
}

/// `ERROR:django.request:Internal Server Error: /` (logging.basicConfig's default format).
fn level_prefix(s: &str) -> Option<usize> {
    let n = level_word(s)?;
    let rest = &s[n..];
    if !rest.starts_with(':') {
        return None;
    }
    // LEVEL:logger.name:message — the logger name has no spaces.
    let after = &rest[1..];
    let colon = after.find(':')?;
    if after[..colon].contains(' ') || colon == 0 {
        return None;
    }
    Some(n + 1 + colon + 1)
}

/// Strip a block-level marker (`>` quotes, `#` comments) once, with one following space.
pub fn strip_marker(s: &str, marker: char) -> Option<&str> {
    let rest = s.strip_prefix(marker)?;
    Some(rest.strip_prefix(' ').unwrap_or(rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(raw: &str, expected: &str) {
        assert_eq!(clean(raw).text, expected, "cleaning {raw:?}");
    }

    #[test]
    fn wrappers_are_stripped() {
        check("web_1  |   File \"/app/x.py\", line 1, in f", "  File \"/app/x.py\", line 1, in f");
        check("web-1  | Traceback (most recent call last):", "Traceback (most recent call last):");
        check("django-1  |", "");
        check("[2024-03-04 10:15:02 +0000] [7] [ERROR] Exception in worker process", "Exception in worker process");
        check("[2024-03-04 10:15:02,123: ERROR/ForkPoolWorker-1] Task failed", "Task failed");
        check("2024-03-04 10:15:02,123 ERROR django.request Internal", "django.request Internal");
        check("2024-03-04T10:15:02.123456+00:00 app[web.1]: Traceback (most", "Traceback (most");
        check(
            "Nov 28 16:00:01 host gunicorn[123]: Traceback (most recent call last):",
            "Traceback (most recent call last):",
        );
        check("ERROR:django.request:Internal Server Error: /", "Internal Server Error: /");
        check("line\r", "line");
        check("\u{1b}[35mTypeError\u{1b}[0m: \u{1b}[35mboom\u{1b}[0m", "TypeError: boom");
    }

    #[test]
    fn ordinary_lines_are_kept() {
        check("  File \"/srv/x.py\", line 3, in <module>", "  File \"/srv/x.py\", line 3, in <module>");
        check(
            "django.db.utils.OperationalError: could not connect",
            "django.db.utils.OperationalError: could not connect",
        );
        check(
            "TypeError: unsupported operand type(s) for |: 'int'",
            "TypeError: unsupported operand type(s) for |: 'int'",
        );
        check("  | ValueError: a", "  | ValueError: a");
        check("\tIs the server running", "\tIs the server running");
        check("", "");
    }

    #[test]
    fn fences_but_not_carets() {
        assert!(clean("```").wrappers.fence);
        assert!(clean("```pytb").wrappers.fence);
        assert!(clean("~~~ python").wrappers.fence);
        assert!(!clean("    ~~~~~~~~~~~~^^").wrappers.fence);
        assert!(!clean("~~~~^^^").wrappers.fence);
    }

    #[test]
    fn record_starts_are_flagged() {
        assert!(clean("[2024-03-04 10:15:02 +0000] [7] [INFO] Booting").wrappers.log_record);
        assert!(!clean("    self.connect()").wrappers.log_record);
        assert_eq!(clean("web_1  | x").service, Some("web_1"));
    }
}
