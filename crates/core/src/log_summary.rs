//! Big logs: one piece of a log reduced to its groups of tracebacks, for the page's worker.
//!
//! A 50 MB log holds thousands of tracebacks but only a handful of incidents. The worker feeds the log in
//! pieces of about a megabyte; [`summarize`] explains a piece (distinct tracebacks are diagnosed once) and
//! returns one [`LogGroup`] per signature — the family, the exception type and the last frame of the
//! user's code — with its count, first and last line and the first occurrence's text as a sample the
//! page explains in full when the group is opened.
//!
//! A piece usually ends inside a traceback. With `more_follows`, the last traceback of the piece and
//! everything after it is left out and reported as not consumed (`consumed_utf16`): the worker puts that
//! text in front of the next piece, so no traceback is ever cut in two.

use serde::Serialize;

use crate::model::{Origin, Traceback};

/// The groups found in one piece of a log.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LogSummary {
    /// Groups in order of first appearance. Lines are 1-based within the piece.
    pub groups: Vec<LogGroup>,
    /// Tracebacks counted in the consumed part.
    pub tracebacks: usize,
    /// Newlines in the consumed part: the next piece's first line is this many lines further on.
    pub consumed_lines: usize,
    /// Length of the consumed part in UTF-16 code units (JavaScript string indices).
    pub consumed_utf16: usize,
    /// Codes of the problems the parser noticed (`binary`, `javascript-stack`…), once each.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<&'static str>,
}

/// Tracebacks of a piece that share a signature.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LogGroup {
    /// `family|type|file:function`: the same incident gives the same key in every piece.
    pub key: String,
    /// Family id of the top cause (`general` when no family matched).
    pub family: &'static str,
    /// Headline of the top cause.
    pub cause_title: String,
    /// Final exception type and the first line of its message (cut to 200 characters).
    #[serde(rename = "type")]
    pub type_name: String,
    pub message: String,
    /// Last frame of the user's code in the chain, `file:line in function` of its first occurrence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_frame: Option<String>,
    pub count: usize,
    /// Start line of the first and of the last occurrence.
    pub first_line: usize,
    pub last_line: usize,
    /// The first occurrence's lines (at most [`SAMPLE_LINES`]), to explain in full on demand.
    pub sample: String,
}

/// Longest sample kept per group: enough for any real traceback, bounded for pathological input.
pub const SAMPLE_LINES: usize = 400;

/// Lines kept back when a piece has no traceback to cut at: a header may sit in them.
const KEEP_BACK_LINES: usize = 200;

/// Summarize one piece of a log. With `more_follows`, the trailing part that may continue in the next piece
/// is not consumed (see the module doc).
pub fn summarize(piece: &str, more_follows: bool) -> LogSummary {
    let report = crate::explain_tracebacks(piece);
    let tracebacks = &report.tracebacks;
    let total_lines = report.input.lines;
    // Lines 1..=keep are consumed; 0 means nothing (the worker then reads on before trying again).
    let keep = if !more_follows {
        total_lines
    } else if tracebacks.len() >= 2 {
        tracebacks[tracebacks.len() - 2].end_line
    } else if tracebacks.is_empty() {
        total_lines.saturating_sub(KEEP_BACK_LINES)
    } else {
        tracebacks[0].start_line.saturating_sub(1)
    };
    let (consumed_bytes, consumed_lines) =
        if keep >= total_lines { (piece.len(), newlines(piece)) } else { (line_start(piece, keep + 1), keep) };

    let mut summary = LogSummary {
        consumed_lines,
        consumed_utf16: utf16_len(&piece.as_bytes()[..consumed_bytes]),
        ..LogSummary::default()
    };
    for p in &report.problems {
        if !summary.problems.contains(&p.code) {
            summary.problems.push(p.code);
        }
    }
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for tb in tracebacks.iter().filter(|tb| tb.end_line <= keep) {
        summary.tracebacks += 1;
        let key = group_key(tb);
        match index.get(&key) {
            Some(&i) => {
                let g = &mut summary.groups[i];
                g.count += 1;
                g.last_line = tb.start_line;
            }
            None => {
                index.insert(key.clone(), summary.groups.len());
                summary.groups.push(new_group(key, tb, piece));
            }
        }
    }
    summary
}

/// [`summarize`] as JSON, for the wasm adapter.
pub fn summarize_json(piece: &str, more_follows: bool) -> String {
    serde_json::to_string(&summarize(piece, more_follows)).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

/// The signature of an incident: family of the top cause, final exception type, last frame of the user's code.
/// Line numbers are left out, so the same bug still groups together after the file was edited.
fn group_key(tb: &Traceback) -> String {
    let family = tb.diagnosis.first().map_or("none", |d| d.family);
    let type_name = tb.exceptions.last().map_or("", |e| e.type_name.as_str());
    let frame = last_app_frame(tb).map(|f| (f.file.as_str(), f.function.as_str()));
    match frame {
        Some((file, function)) => format!("{family}|{type_name}|{file}:{function}"),
        None => format!("{family}|{type_name}|"),
    }
}

fn last_app_frame(tb: &Traceback) -> Option<&crate::model::Frame> {
    tb.exceptions.iter().rev().flat_map(|e| e.frames.iter().rev()).find(|f| f.origin == Origin::App)
}

fn new_group(key: String, tb: &Traceback, piece: &str) -> LogGroup {
    let top = tb.diagnosis.first();
    let last = tb.exceptions.last();
    let message = last.map_or("", |e| e.message.lines().next().unwrap_or(""));
    let message = match message.char_indices().nth(200) {
        Some((cut, _)) => format!("{}…", &message[..cut]),
        None => message.to_string(),
    };
    let app_frame = last_app_frame(tb).map(|f| match f.line {
        Some(line) => format!("{}:{} in {}", f.file, line, f.function),
        None => format!("{} in {}", f.file, f.function),
    });
    let end = tb.end_line.min(tb.start_line + SAMPLE_LINES - 1);
    let from = line_start(piece, tb.start_line);
    let to = line_start(piece, end + 1);
    LogGroup {
        key,
        family: top.map_or("none", |d| d.family),
        cause_title: top.map(|d| d.cause_title.clone()).unwrap_or_default(),
        type_name: last.map(|e| e.type_name.clone()).unwrap_or_default(),
        message,
        app_frame,
        count: 1,
        first_line: tb.start_line,
        last_line: tb.start_line,
        sample: piece[from..to].trim_end_matches(['\n', '\r']).to_string(),
    }
}

/// Byte offset where 1-based `line` starts (the input's length past the last line).
fn line_start(text: &str, line: usize) -> usize {
    if line <= 1 {
        return 0;
    }
    memchr::memchr_iter(b'\n', text.as_bytes()).nth(line - 2).map_or(text.len(), |i| i + 1)
}

/// Length in UTF-16 code units of UTF-8 bytes: one unit per character, two for those beyond U+FFFF.
fn utf16_len(bytes: &[u8]) -> usize {
    bytes.iter().map(|&b| usize::from(b & 0xC0 != 0x80) + usize::from(b >= 0xF0)).sum()
}

fn newlines(text: &str) -> usize {
    memchr::memchr_iter(b'\n', text.as_bytes()).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TB: &str = "Traceback (most recent call last):\n  File \"/srv/app/views.py\", line 3, in index\n    return d[\"k\"]\nKeyError: 'k'\n";

    #[test]
    fn groups_repeats_with_counts_and_positions() {
        let log = format!("start\n{TB}\nnoise\n{TB}{TB}");
        let s = summarize(&log, false);
        assert_eq!(s.tracebacks, 3);
        assert_eq!(s.groups.len(), 1);
        let g = &s.groups[0];
        assert_eq!((g.count, g.first_line, g.last_line), (3, 2, 12));
        assert_eq!(g.type_name, "KeyError");
        assert_eq!(g.app_frame.as_deref(), Some("/srv/app/views.py:3 in index"));
        assert_eq!(g.sample, TB.trim_end());
        assert_eq!(s.consumed_utf16, log.len());
    }

    #[test]
    fn keeps_back_the_last_traceback_when_more_follows() {
        let log = format!("{TB}x\n{TB}Traceback (most recent call last):\n  File \"/srv/app/a.py\", line 1");
        let s = summarize(&log, true);
        assert_eq!(s.tracebacks, 2);
        assert_eq!(s.groups[0].count, 2);
        assert!(log[s.consumed_utf16..].starts_with("Traceback (most recent call last):\n  File \"/srv/app/a.py\""));
        assert_eq!(s.consumed_lines, 9);
    }

    #[test]
    fn consumed_offset_counts_utf16_units() {
        let log = format!("héllo 😀\n{TB}{TB}");
        let s = summarize(&log, true);
        // Consumed up to the end of the first traceback (line 5): "héllo 😀\n" is 9 UTF-16 units.
        assert_eq!(s.consumed_lines, 5);
        assert_eq!(s.consumed_utf16, 9 + TB.len());
    }
}
