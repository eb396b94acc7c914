//! Exception groups (Python 3.11+): the boxed `+ Exception Group Traceback` layout.
//!
//! The box is collected whole (it is rare and small), then read recursively: the group's own traceback
//! sits behind `| ` at one column, each sub-exception behind `| ` two columns further right, between
//! `+---- N ----` rules. Sub-sections are read by a fresh [`Machine`], so every other layout rule applies
//! inside them.

use super::clean::Wrappers;
use super::machine::Machine;
use crate::model::Exception;

/// True for lines that belong to a group's box: they start (after spaces) with `|` or `+`.
pub fn is_box_line(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with('|') || t.starts_with('+')
}

/// Read a collected box (first line holds `+ Exception Group Traceback`) into the group exception,
/// preceded by any chained exceptions printed inside it.
pub fn parse_group(lines: &[String]) -> Vec<Exception> {
    let Some(first) = lines.first() else {
        return Vec::new();
    };
    let column = first.find('+').unwrap_or(0);
    parse_at(lines, column)
}

/// Read the box whose bars are at `column`.
fn parse_at(lines: &[String], column: usize) -> Vec<Exception> {
    let mut own = Machine::new();
    own.bare_exceptions = true;
    let mut i = 0;
    // The group's own traceback: content behind the bar at `column`, until the first rule.
    while i < lines.len() {
        let line = &lines[i];
        match line.get(column..column + 1) {
            Some("|") => {
                let content = line.get(column + 1..).unwrap_or("");
                let content = content.strip_prefix(' ').unwrap_or(content);
                own.feed(
                    &content.replace(super::syntax::GROUP_HEADER, super::syntax::HEADER),
                    Wrappers::default(),
                    i + 1,
                );
            }
            Some("+") if i > 0 => break,
            Some("+") => own.feed(super::syntax::HEADER, Wrappers::default(), i + 1),
            _ => {}
        }
        i += 1;
    }
    own.finish();
    let mut chain: Vec<Exception> = own.done.into_iter().flat_map(|tb| tb.exceptions).collect();
    // Sub-sections: bars two columns right, split at rules.
    let child = column + 2;
    let mut sections: Vec<Vec<String>> = Vec::new();
    for line in &lines[i..] {
        let at_child = line.get(child..child + 1);
        let is_rule = at_child == Some("+") || line.get(column..column + 3) == Some("+-+");
        if is_rule {
            sections.push(Vec::new());
            continue;
        }
        if let Some(section) = sections.last_mut() {
            section.push(line.clone());
        }
    }
    let mut members = Vec::new();
    for section in sections.iter().filter(|s| !s.is_empty()) {
        let nested = section.first().is_some_and(|l| l.contains("Exception Group Traceback"));
        if nested {
            // A nested group: its own bars are at `child`.
            let mut exceptions = parse_at(section, child);
            if let Some(e) = exceptions.pop() {
                members.push(e);
            }
            continue;
        }
        let mut sub = Machine::new();
        sub.bare_exceptions = true;
        for (k, line) in section.iter().enumerate() {
            let content = line.get(child + 1..).unwrap_or("");
            let content = content.strip_prefix(' ').unwrap_or(content);
            sub.feed(content, Wrappers::default(), k + 1);
        }
        sub.finish();
        if let Some(e) = sub.done.into_iter().flat_map(|tb| tb.exceptions).next_back() {
            members.push(e);
        }
    }
    if let Some(group) = chain.last_mut() {
        group.group = members;
    }
    chain
}
