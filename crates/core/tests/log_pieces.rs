//! Big logs read in pieces find exactly what the whole log holds: the page's worker (www/log-scan.js) feeds
//! `log_summary::summarize` pieces and puts the part not consumed in front of the next one; this test runs the
//! same loop natively over a log of real tracebacks, cut at many piece sizes, and compares with one call.

use std::collections::BTreeMap;

use traceback_explainer_core::log_summary::summarize;

/// A server log: real tracebacks (fixtures/real/, made by fixtures/make_fixtures.py and the family scripts)
/// with log lines between them, some multi-byte text, CRLF in one stretch.
fn server_log() -> String {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/");
    let files = [
        "real/pg_refused_psycopg2_ip.txt",
        "real/mysql/mysql_duplicate_entry.txt",
        "real/mysql/sqlite_locked.txt",
        "real/orm/field_error_property.txt",
        "real/python_recursion.txt",
    ];
    let texts: Vec<String> = files.iter().map(|f| std::fs::read_to_string(format!("{root}{f}")).expect(f)).collect();
    let mut log = String::new();
    for i in 0..60 {
        log.push_str(&format!(
            "[28/Nov/2026 10:{:02}:{:02}] \"GET /café/ HTTP/1.1\" 200 {}\n",
            i / 60,
            i % 60,
            1000 + i
        ));
        log.push_str("2026-11-28 10:00:00,000 INFO app.cache miss key=☃ product:42 😀\n");
        log.push_str(&format!("2026-11-28 10:00:01,000 ERROR django.request Internal Server Error: /orders/{i}/\n"));
        let text = &texts[(i * 7) % texts.len()];
        if i % 13 == 0 {
            log.push_str(&text.replace('\n', "\r\n"));
        } else {
            log.push_str(text);
        }
        if !log.ends_with('\n') {
            log.push('\n');
        }
    }
    log
}

/// Byte length of the first `units` UTF-16 code units of `text`.
fn bytes_of_utf16(text: &str, units: usize) -> usize {
    let mut seen = 0;
    for (i, c) in text.char_indices() {
        if seen >= units {
            return i;
        }
        seen += c.len_utf16();
    }
    assert_eq!(seen, units, "consumed_utf16 is past the end of the piece");
    text.len()
}

/// Group key → (count, first line, last line), the way the page merges pieces.
fn scan_in_pieces(log: &str, piece: usize) -> (usize, BTreeMap<String, (usize, usize, usize)>) {
    let mut groups = BTreeMap::new();
    let mut pending = String::new();
    let (mut lines, mut tracebacks, mut at) = (0, 0, 0);
    while at < log.len() || !pending.is_empty() {
        let mut end = (at + piece).min(log.len());
        while !log.is_char_boundary(end) {
            end += 1;
        }
        pending.push_str(&log[at..end]);
        at = end;
        let more = at < log.len();
        let s = summarize(&pending, more);
        for g in s.groups {
            let e = groups.entry(g.key).or_insert((0, lines + g.first_line, 0));
            e.0 += g.count;
            e.2 = lines + g.last_line;
        }
        tracebacks += s.tracebacks;
        lines += s.consumed_lines;
        let cut = bytes_of_utf16(&pending, s.consumed_utf16);
        assert!(more || cut == pending.len(), "the last piece is consumed whole");
        pending.drain(..cut);
    }
    (tracebacks, groups)
}

#[test]
fn pieces_of_any_size_find_what_the_whole_log_holds() {
    let log = server_log();
    let whole = summarize(&log, false);
    assert_eq!(whole.tracebacks, 60);
    assert_eq!(whole.groups.len(), 5);
    let expected: BTreeMap<String, (usize, usize, usize)> =
        whole.groups.iter().map(|g| (g.key.clone(), (g.count, g.first_line, g.last_line))).collect();
    for piece in [997, 4096, 20_000, 65_536, 1 << 20] {
        let (tracebacks, groups) = scan_in_pieces(&log, piece);
        assert_eq!(tracebacks, 60, "piece of {piece} bytes");
        assert_eq!(groups, expected, "piece of {piece} bytes");
    }
}

#[test]
fn odd_input_is_consumed_whole_and_never_panics() {
    let mut odd = vec![String::new(), "\n".repeat(1000), "x".repeat(300_000), "😀\r\n".repeat(5000)];
    odd.push((0..200_000u32).map(|i| char::from_u32(i % 0xD7FF).unwrap_or('?')).collect());
    for text in odd {
        for more in [true, false] {
            let s = summarize(&text, more);
            let cut = bytes_of_utf16(&text, s.consumed_utf16);
            assert!(cut <= text.len());
            if !more {
                assert_eq!(cut, text.len());
            }
        }
    }
}
