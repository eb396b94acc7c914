//! The report as Markdown, for issues, pull requests and chat: headings, tables of frames, fenced snippets.

use super::text::{format_name, headline, origin_name};
use crate::model::{Link, Report, Weight};
use std::fmt::Write;

/// Render a report as Markdown.
pub fn markdown(r: &Report) -> String {
    let mut o = String::new();
    if let Some(w) = super::secrets_warning(r) {
        let _ = writeln!(o, "> **{w}**\n");
    }
    let Some(pi) = r.primary else {
        let _ = writeln!(o, "**No traceback found.**\n");
        for p in &r.problems {
            let _ = writeln!(o, "- {}", p.message);
        }
        return o;
    };
    let tb = &r.tracebacks[pi];
    let last = tb.exceptions.last().map(headline).unwrap_or_default();
    let _ = writeln!(o, "## `{}`\n", code_span(&last));
    let _ = writeln!(
        o,
        "_{}; {} traceback(s) in the paste; this one spans lines {}–{}._\n",
        format_name(tb.format),
        r.tracebacks.len(),
        tb.start_line,
        tb.end_line
    );
    for (ei, e) in tb.exceptions.iter().enumerate() {
        match e.link {
            Some(Link::Cause) => o.push_str("_…which was the direct cause of:_\n\n"),
            Some(Link::Context) => o.push_str("_…and while handling it, another exception occurred:_\n\n"),
            None => {}
        }
        let _ = writeln!(o, "**`{}`**\n", code_span(&headline(e)));
        if !e.frames.is_empty() {
            o.push_str("| | origin | frame | what it was doing |\n|---|---|---|---|\n");
            for (fi, f) in e.frames.iter().enumerate() {
                let focus = tb.focus.as_ref().is_some_and(|x| x.exception == ei && x.frame == fi);
                let _ = writeln!(
                    o,
                    "| {} | {} | `{}:{}` in `{}` | {} |",
                    if focus { "▶" } else { "" },
                    origin_name(f.origin),
                    code_span(&f.file),
                    f.line.map(|l| l.to_string()).unwrap_or_default(),
                    code_span(&f.function),
                    cell(f.django.or(f.note).unwrap_or(""))
                );
            }
            o.push('\n');
        }
    }
    if let Some(f) = &tb.focus {
        let _ = writeln!(o, "**Look here first:** {}\n", cell(&f.reason));
    }
    let Some(d) = r.diagnosis.first() else { return o };
    let _ = writeln!(o, "### {} (`{}`)\n\n{}\n", d.title, d.family, d.explanation);
    o.push_str("| # | confidence | cause |\n|---|---|---|\n");
    for (i, c) in r.diagnosis.iter().enumerate() {
        let _ = writeln!(o, "| {} | {:.0}% | {} |", i + 1, c.confidence * 100.0, cell(&c.cause_title));
    }
    let _ = writeln!(o, "\n**Evidence for \"{}\":**\n", d.cause_title);
    for e in &d.evidence {
        let _ = writeln!(o, "- {} {}", if e.weight == Weight::For { "✔" } else { "✘" }, e.says);
    }
    if !d.checks.is_empty() {
        o.push_str("\n**What to check:**\n\n");
        for c in &d.checks {
            let _ = writeln!(o, "- {c}");
        }
    }
    if let Some(fix) = &d.fix {
        let _ = writeln!(o, "\n### Fix — `{}`\n\n{}\n", fix.file, fix.summary);
        let _ = writeln!(
            o,
            "Before:\n\n{}\nAfter:\n\n{}",
            fence(fix.language, &fix.before),
            fence(fix.language, &fix.after)
        );
        for s in &fix.also {
            let _ = writeln!(o, "Also, {} — `{}`:\n\n{}", s.title, s.file, fence(s.language, &s.code));
        }
    }
    for t in &d.tests {
        let _ = writeln!(o, "### Test — {} (`{}`)\n\n{}", t.title, t.file, fence(t.language, &t.code));
    }
    if let Some(ci) = &d.ci {
        let _ = writeln!(o, "### CI — {} (`{}`)\n\n{}", ci.title, ci.file, fence(ci.language, &ci.code));
    }
    if !d.references.is_empty() {
        o.push_str("### References\n\n");
        for r in &d.references {
            let _ = writeln!(o, "- {r}");
        }
    }
    o
}

fn fence(lang: &str, code: &str) -> String {
    let ticks = if code.contains("```") { "````" } else { "```" };
    format!("{ticks}{lang}\n{}\n{ticks}\n", code.trim_end())
}

/// Text inside a backtick span must not contain backticks.
fn code_span(s: &str) -> String {
    s.replace('`', "'")
}

/// Table cells: no pipes, no newlines.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}
