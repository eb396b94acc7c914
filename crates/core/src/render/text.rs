//! The report as plain text for a terminal: every traceback in brief, then the primary one explained in full.

use crate::model::{Diagnosis, Exception, Frame, Link, Origin, Report, SourceFormat, Traceback, Weight};
use std::fmt::Write;

/// Render a report for a terminal.
pub fn text(r: &Report) -> String {
    let mut o = String::new();
    if let Some(w) = super::secrets_warning(r) {
        let _ = writeln!(o, "{w}\n");
    }
    if r.tracebacks.is_empty() {
        for p in &r.problems {
            let _ = writeln!(o, "{}", p.message);
        }
        return o;
    }
    let many = r.tracebacks.len() > 1;
    if many {
        let _ = writeln!(o, "{} tracebacks found.\n", r.tracebacks.len());
    }
    for (i, tb) in r.tracebacks.iter().enumerate() {
        if many && Some(i) != r.primary {
            brief(&mut o, i, tb);
        }
    }
    if let Some(i) = r.primary {
        let tb = &r.tracebacks[i];
        if many {
            let _ = writeln!(o, "\n=== Traceback {} (explained in full) ===", i + 1);
        }
        full(&mut o, tb);
    }
    facts(&mut o, r);
    if let Some(d) = r.diagnosis.first() {
        diagnosis(&mut o, d, &r.diagnosis);
    }
    o
}

pub(crate) fn format_name(f: SourceFormat) -> &'static str {
    match f {
        SourceFormat::Python => "Python traceback",
        SourceFormat::Flattened => "flattened one-line paste",
        SourceFormat::DjangoDebug => "Django debug page (copy-and-paste view)",
        SourceFormat::DjangoDebugLegacy => "Django debug page, Django ≤ 2.2 layout",
        SourceFormat::DjangoDebugBrowser => "Django debug page (whole page copied from the browser)",
        SourceFormat::Pytest => "pytest report",
        SourceFormat::SyntaxError => "SyntaxError report",
        SourceFormat::ExceptionOnly => "exception line only (no frames)",
        SourceFormat::DjangoLog => "Django log record or error page (no traceback)",
    }
}

pub(crate) fn origin_name(o: Origin) -> &'static str {
    match o {
        Origin::App => "app",
        Origin::Django => "django",
        Origin::Library => "library",
        Origin::Stdlib => "stdlib",
        Origin::Other => "other",
    }
}

pub(crate) fn headline(e: &Exception) -> String {
    let ty = if e.type_name.is_empty() { "(type not shown)" } else { &e.type_name };
    let first = e.message.lines().next().unwrap_or("");
    if first.is_empty() {
        ty.to_string()
    } else {
        format!("{ty}: {first}")
    }
}

fn brief(o: &mut String, i: usize, tb: &Traceback) {
    let last = tb.exceptions.last();
    let _ = writeln!(
        o,
        "[{}] lines {}–{}: {}{}",
        i + 1,
        tb.start_line,
        tb.end_line,
        last.map(headline).unwrap_or_default(),
        tb.diagnosis.first().filter(|d| d.family != "general").map(|d| format!("  → {}", d.family)).unwrap_or_default()
    );
}

fn full(o: &mut String, tb: &Traceback) {
    let _ = writeln!(o, "{} (lines {}–{})\n", format_name(tb.format), tb.start_line, tb.end_line);
    for (ei, e) in tb.exceptions.iter().enumerate() {
        match e.link {
            Some(Link::Cause) => {
                let _ = writeln!(o, "  … which was the direct cause of:\n");
            }
            Some(Link::Context) => {
                let _ = writeln!(o, "  … and while handling it, another exception occurred:\n");
            }
            None => {}
        }
        for f in &e.frames {
            frame(o, f, tb.focus.as_ref().is_some_and(|x| x.exception == ei && std::ptr::eq(f, &e.frames[x.frame])));
        }
        let _ = writeln!(o, "  {}", headline(e));
        for line in e.message.lines().skip(1) {
            let _ = writeln!(o, "    {}", line.trim());
        }
        for g in &e.group {
            let _ = writeln!(o, "    ├ {}", headline(g));
        }
        let _ = writeln!(o);
    }
    if let Some(f) = &tb.focus {
        let _ = writeln!(o, "Look here first: {}\n", f.reason);
    }
}

fn frame(o: &mut String, f: &Frame, focus: bool) {
    let marker = if focus { "▶" } else { " " };
    let line = f.line.map(|l| l.to_string()).unwrap_or_else(|| "?".into());
    let _ = writeln!(o, "{marker} [{:<7}] {}:{} in {}", origin_name(f.origin), f.file, line, f.function);
    if let Some(code) = &f.code {
        let _ = writeln!(o, "              {code}");
    }
    if let Some(d) = f.django.or(f.note) {
        let _ = writeln!(o, "              ↳ {d}");
    }
    if let Some(n) = f.repeated {
        let _ = writeln!(o, "              (repeated {n} more times)");
    }
}

fn facts(o: &mut String, r: &Report) {
    let f = &r.facts;
    let mut parts = Vec::new();
    let mut add = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            parts.push(format!("{k} {v}"));
        }
    };
    add("engine", f.db_engine.clone());
    add("driver", f.db_driver.clone());
    add("host", f.db_host.clone());
    add("port", f.db_port.map(|p| p.to_string()));
    add("socket", f.db_socket.clone());
    add("Python", f.python_version.clone());
    add("Django", f.django_version.clone());
    add("command", f.management_command.clone());
    add("runner", f.runner.clone());
    add("request", f.request_method.clone().map(|m| format!("{m} {}", f.request_url.clone().unwrap_or_default())));
    if !f.docker.is_empty() {
        parts.push("Docker: yes".into());
    }
    if !parts.is_empty() {
        let _ = writeln!(o, "Facts: {}\n", parts.join(", "));
    }
}

fn diagnosis(o: &mut String, d: &Diagnosis, all: &[Diagnosis]) {
    let _ = writeln!(o, "Diagnosis: {} [{}]\n", d.title, d.family);
    let _ = writeln!(o, "{}\n", d.explanation);
    let _ = writeln!(o, "Causes, most likely first:");
    for (i, c) in all.iter().enumerate() {
        let _ = writeln!(o, "  {}. {:>3.0}%  {}", i + 1, c.confidence * 100.0, c.cause_title);
        for e in &c.evidence {
            let sign = if e.weight == Weight::For { "+" } else { "−" };
            let _ = writeln!(o, "        {sign} {}", e.says);
        }
    }
    if !d.checks.is_empty() {
        let _ = writeln!(o, "\nWhat to check:");
        for c in &d.checks {
            let _ = writeln!(o, "  - {c}");
        }
    }
    if let Some(fix) = &d.fix {
        let _ =
            writeln!(o, "\nFix ({}): {}\n--- before\n{}\n+++ after\n{}", fix.file, fix.summary, fix.before, fix.after);
        for s in &fix.also {
            let _ = writeln!(o, "Also, {} ({}):\n{}", s.title, s.file, s.code);
        }
    }
    for t in &d.tests {
        let _ = writeln!(o, "\nTest: {} ({})\n{}", t.title, t.file, t.code);
    }
    if let Some(ci) = &d.ci {
        let _ = writeln!(o, "\nCI: {} ({})\n{}", ci.title, ci.file, ci.code);
    }
    for r in &d.references {
        let _ = writeln!(o, "See: {r}");
    }
}
