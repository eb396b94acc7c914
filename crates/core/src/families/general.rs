//! The general layer: an honest answer for tracebacks no family recognises.
//!
//! It runs only when no family matched. A table ([`rules::RULES`]) explains Python's built-in exceptions in
//! their Django context (None attributes, missing keys, view signatures, imports, encodings…) and third-party
//! exceptions recognised by module (DRF, Celery/kombu, Channels, redis-py): one cause each, with the frame to
//! look at and what to check there, at low-to-medium confidence. When the focus frame is the user's code, it
//! adds a pytest test that repeats the failing call. Anything else gets the plain "read the focus frame" answer.

mod rules;

use super::ci::{self, Step};
use super::kit::{self, Values};
use super::{template, Context};
use crate::model::{Diagnosis, Evidence, Exception, Frame, Origin, Snippet, Weight};
use rules::{Rule, DOCS, RULES};

pub fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let Some(last) = cx.tb.exceptions.last() else {
        return Vec::new();
    };
    let name = if last.type_name.is_empty() { "The exception" } else { last.type_name.as_str() };
    let first_line = last.message.lines().next().unwrap_or("").trim();
    let mut evidence = vec![Evidence {
        says: format!("Raised: `{name}`."),
        quote: Some(format!("{name}: {first_line}")),
        weight: Weight::For,
    }];
    if let Some(focus) = &cx.tb.focus {
        evidence.push(Evidence { says: focus.reason.clone(), quote: None, weight: Weight::For });
    }
    if let Some(rule) = RULES.iter().find(|r| applies(r, cx, last)) {
        return vec![explain(rule, cx, last, evidence)];
    }
    let explanation = format!("No family recognises this {name}: read the focus line against \"{first_line}\".");
    vec![Diagnosis {
        family: "general",
        cause: "unrecognised",
        title: format!("{name} (not a known family yet)"),
        cause_title: "Not recognised".into(),
        confidence: 0.1,
        evidence,
        explanation,
        checks: vec!["Print the focus line's values.".into()],
        fix: None,
        tests: Vec::new(),
        ci: None,
        references: Vec::new(),
    }]
}

fn applies(r: &Rule, cx: &Context<'_>, e: &Exception) -> bool {
    let short = e.type_name.rsplit('.').next().unwrap_or("");
    r.types.contains(&short)
        && (r.module.is_empty() || e.type_name.starts_with(r.module))
        && (r.contains.is_empty() || e.message.contains(r.contains))
        && (r.frame.is_empty() || kit::frames(cx.tb).any(|f| f.file.contains(r.frame)))
        && (!r.calling_view || e.frames.last().is_some_and(|f| f.file.ends_with("django/core/handlers/base.py")))
}

/// The frame to look at: the focus frame, else the last frame of the final exception.
fn focus_frame<'a>(cx: &Context<'a>) -> Option<&'a Frame> {
    let focus = cx.tb.focus.as_ref();
    focus
        .and_then(|f| cx.tb.exceptions.get(f.exception).and_then(|e| e.frames.get(f.frame)))
        .or_else(|| cx.tb.exceptions.last().and_then(|e| e.frames.last()))
}

fn explain(r: &Rule, cx: &Context<'_>, e: &Exception, mut evidence: Vec<Evidence>) -> Diagnosis {
    let message = e.message.lines().next().unwrap_or("").trim();
    let message: String = message.chars().take(240).collect();
    let quoted = kit::between(&e.message, "'", "'").unwrap_or("");
    let frame = focus_frame(cx);
    let file = frame.map_or("", |f| f.file.rsplit('/').next().unwrap_or(""));
    let focus = frame
        .map_or("the last frame".to_string(), |f| format!("{file} line {}, in {}", f.line.unwrap_or(0), f.function));
    let code = frame.and_then(|f| f.code.as_deref()).unwrap_or("");
    let qname = format!("'{quoted}'");
    let pairs = [
        ("name", quoted),
        ("qname", qname.as_str()),
        ("focus", focus.as_str()),
        ("code", code),
        ("message", message.as_str()),
    ];
    let fill = |t: &str| template::fill(t, &pairs);
    if !code.is_empty() {
        evidence.push(Evidence { says: format!("At {focus}:"), quote: Some(code.to_string()), weight: Weight::For });
    }
    let mut v = Values::new(cx);
    if cx.facts.db_engine.is_none() {
        v.set("engine", "django.db.backends.sqlite3").set("driver_pip", "");
    }
    let mut steps = vec![Step { name: "System checks", run: "python manage.py check" }];
    if r.id == "syntax" {
        steps.insert(0, Step { name: "Every file compiles", run: "python -m compileall -q ." });
    }
    steps.push(Step { name: "Tests", run: "pytest" });
    let workflow = ci::workflow(&v, "checks", &steps);
    Diagnosis {
        family: "general",
        cause: r.id,
        title: format!("{} ({})", r.title, e.type_name.rsplit('.').next().unwrap_or("error")),
        cause_title: r.title.into(),
        confidence: r.confidence,
        evidence,
        explanation: fill(r.means),
        checks: vec![fill(r.check), "General layer: no family matched.".into()],
        fix: None,
        tests: test_for(cx, frame, e).into_iter().collect(),
        ci: Some(workflow),
        references: vec![DOCS.get(r.doc).copied().unwrap_or(DOCS[0]).to_string()],
    }
}

/// A pytest test that repeats the failing call, when the focus frame is the user's code.
fn test_for(cx: &Context<'_>, frame: Option<&Frame>, e: &Exception) -> Option<Snippet> {
    let f = frame.filter(|f| f.origin == Origin::App)?;
    e.type_name.rsplit('.').next().filter(|s| s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))?;
    let func: String = f.function.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    let under_view = kit::has_frame(cx.tb, "django/core/handlers/base.py", "");
    let code = if under_view {
        let url = cx.facts.request_url.clone().unwrap_or_else(|| "/url/".into());
        let url: String = url.chars().filter(|c| *c != '"' && *c != '\\').collect();
        format!(
            "import pytest\n\n\n@pytest.mark.django_db\ndef test_{func}(client):\n    assert client.get(\"{url}\").status_code < 500\n"
        )
    } else if let Some(cmd) =
        cx.facts.management_command.as_deref().filter(|c| c.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
    {
        format!(
            "import pytest\nfrom django.core.management import call_command\n\n\n@pytest.mark.django_db\ndef test_{cmd}():\n    call_command(\"{cmd}\")\n"
        )
    } else {
        let module = module_of(&f.file)?;
        if func.is_empty() || func.starts_with(|c: char| c.is_ascii_digit()) || func == "module" {
            return None;
        }
        format!(
            "import pytest\n\nfrom {module} import {func}\n\n\n@pytest.mark.django_db\ndef test_{func}():\n    assert {func}() is not None\n"
        )
    };
    Some(Snippet {
        title: "Repeat the failing call".into(),
        file: "tests/test_regression.py".into(),
        language: "python",
        code,
    })
}

/// `catalog.views` from `/srv/app/catalog/views.py` (the last two path parts, when both are identifiers).
fn module_of(file: &str) -> Option<String> {
    let path = file.replace('\\', "/");
    let stem = path.strip_suffix(".py")?;
    let mut parts: Vec<&str> = stem.rsplit('/').take(2).collect();
    parts.reverse();
    let ok = |p: &&str| {
        !p.is_empty()
            && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !p.starts_with(|c: char| c.is_ascii_digit())
    };
    let parts: Vec<&str> = parts.into_iter().filter(ok).collect();
    (!parts.is_empty()).then(|| parts.join("."))
}
