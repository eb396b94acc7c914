//! Renderers: the report as plain text (terminal) and Markdown (issues, chat). JSON is serde's job.

mod markdown;
mod text;

pub use markdown::markdown;
pub use text::text;

use crate::model::Report;

/// The warning both renderers print when the paste holds secrets: how many, then up to three names with
/// their lines. `None` when there are none.
pub(crate) fn secrets_warning(r: &Report) -> Option<String> {
    let n = r.secrets.len();
    if n == 0 {
        return None;
    }
    let mut names: Vec<(&str, Vec<usize>)> = Vec::new();
    for s in &r.secrets {
        match names.iter_mut().find(|(name, _)| *name == s.name) {
            Some((_, lines)) => lines.push(s.line),
            None => names.push((&s.name, vec![s.line])),
        }
    }
    let mut list: Vec<String> = names
        .iter()
        .take(3)
        .map(|(name, lines)| {
            let shown: Vec<String> = lines.iter().take(3).map(|l| l.to_string()).collect();
            let more = if lines.len() > 3 { "…" } else { "" };
            format!("{name} on line{} {}{more}", if lines.len() > 1 { "s" } else { "" }, shown.join(", "))
        })
        .collect();
    if names.len() > 3 {
        list.push("…".into());
    }
    let (plural, them) = if n > 1 { ("s", "them") } else { ("", "it") };
    Some(format!("This paste contains {n} secret{plural} ({}): mask {them} before sharing it.", list.join("; ")))
}
