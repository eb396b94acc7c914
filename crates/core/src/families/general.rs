//! The general layer: an honest answer for tracebacks no family recognises yet.
//!
//! It names the exception, points at the focus frame and says what to check there. It never claims a cause.

use super::Context;
use crate::model::{Diagnosis, Evidence, Weight};

pub fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let Some(last) = cx.tb.exceptions.last() else {
        return Vec::new();
    };
    let name = if last.type_name.is_empty() { "The exception" } else { last.type_name.as_str() };
    let first_line = last.message.lines().next().unwrap_or("").trim();
    let mut evidence = vec![Evidence {
        says: format!("The exception finally raised is `{name}`."),
        quote: Some(format!("{name}: {first_line}")),
        weight: Weight::For,
    }];
    if let Some(focus) = &cx.tb.focus {
        evidence.push(Evidence { says: focus.reason.clone(), quote: None, weight: Weight::For });
    }
    let explanation = format!(
        "No error family in the knowledge base recognises this {name} yet. Start at the frame to look at first: \
         read the line shown there and the values it uses, and compare them with the message \"{first_line}\"."
    );
    vec![Diagnosis {
        family: "general",
        cause: "unrecognised",
        title: format!("{name} (not a known family yet)"),
        cause_title: "Not recognised: read the focus frame".into(),
        confidence: 0.1,
        evidence,
        explanation,
        checks: vec![
            "Run the failing code again with the same input and print the values used on the focus line.".into()
        ],
        fix: None,
        tests: Vec::new(),
        ci: None,
        references: Vec::new(),
    }]
}
