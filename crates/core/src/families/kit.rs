//! The family kit: what every family file uses, so a family is recognition + causes + text and nothing else.
//!
//! - [`find`]: the exception of the chain a family recognises (type suffix + message pattern), newest first.
//! - [`Ranking`]: causes scored by evidence; [`Ranking::finish`] turns scores into confidences, drops the
//!   negligible ones, sorts, and says so when the paste cannot decide between the best two.
//! - [`Values`]: the `{placeholder}` values found in the paste (host, port, Python version, engine…), with
//!   safe defaults, for filling fixes, tests and CI.

use super::{template, Context, Family};
use crate::model::{Diagnosis, Evidence, Exception, Fix, Frame, Origin, Snippet, Traceback, Weight};

/// A recognised exception and the message line that decided it.
pub struct Hit<'a> {
    pub exception: &'a Exception,
    /// Index of the exception in the chain.
    pub index: usize,
    /// The first line of the message that holds the pattern, trimmed.
    pub line: &'a str,
    /// The pattern that matched.
    pub pattern: &'static str,
}

/// The newest exception whose type ends with one of `type_suffixes` (any type when empty; an empty type, as on
/// Django's debug page, always qualifies) and whose message contains one of `patterns` (in order of preference).
pub fn find<'a>(tb: &'a Traceback, type_suffixes: &[&str], patterns: &[&'static str]) -> Option<Hit<'a>> {
    for (index, exception) in tb.exceptions.iter().enumerate().rev() {
        let ty = exception.type_name.as_str();
        let type_ok = type_suffixes.is_empty() || ty.is_empty() || type_suffixes.iter().any(|s| ty.ends_with(s));
        if !type_ok {
            continue;
        }
        for pattern in patterns {
            if let Some(pos) = exception.message.find(pattern) {
                let start = exception.message[..pos].rfind('\n').map_or(0, |p| p + 1);
                let end = exception.message[pos..].find('\n').map_or(exception.message.len(), |p| pos + p);
                return Some(Hit { exception, index, line: exception.message[start..end].trim(), pattern });
            }
        }
    }
    None
}

/// The exception finally raised, when its type ends with one of `type_suffixes` (an empty type, as on Django's
/// debug page, always qualifies).
pub fn last_of_type<'a>(tb: &'a Traceback, type_suffixes: &[&str]) -> Option<&'a Exception> {
    let last = tb.exceptions.last()?;
    let ty = last.type_name.as_str();
    (ty.is_empty() || type_suffixes.iter().any(|s| ty.ends_with(s))).then_some(last)
}

/// The newest exception whose type's last component is one of `names` (`KeyError`, `TemplateDoesNotExist`).
pub fn find_type<'a>(tb: &'a Traceback, names: &[&str]) -> Option<(usize, &'a Exception)> {
    tb.exceptions.iter().enumerate().rev().find(|(_, e)| names.contains(&e.type_name.rsplit('.').next().unwrap_or("")))
}

/// Every frame of the traceback, oldest first, across the chain.
pub fn frames(tb: &Traceback) -> impl Iterator<Item = &Frame> {
    tb.exceptions.iter().flat_map(|e| e.frames.iter())
}

/// True when some frame's file ends with `file_suffix` (forward slashes) and its function is `function`
/// (any function when empty).
pub fn has_frame(tb: &Traceback, file_suffix: &str, function: &str) -> bool {
    frames(tb).any(|f| {
        (function.is_empty() || f.function == function)
            && (f.file.ends_with(file_suffix)
                || (f.file.contains('\\') && f.file.replace('\\', "/").ends_with(file_suffix)))
    })
}

/// The last frame of the user's own code, if any.
pub fn last_app_frame(tb: &Traceback) -> Option<&Frame> {
    tb.exceptions.iter().rev().find_map(|e| e.frames.iter().rev().find(|f| f.origin == Origin::App))
}

/// The text between the first `open` and the next `close` after it: `quoted(msg, "table: ", "\n")`.
pub fn between<'a>(text: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = text.find(open)? + open.len();
    let rest = &text[start..];
    let end = rest.find(close).unwrap_or(rest.len());
    Some(rest[..end].trim()).filter(|s| !s.is_empty())
}

pub fn evidence_for(says: impl Into<String>, quote: Option<&str>) -> Evidence {
    Evidence { says: says.into(), quote: quote.map(str::to_string), weight: Weight::For }
}

pub fn evidence_against(says: impl Into<String>) -> Evidence {
    Evidence { says: says.into(), quote: None, weight: Weight::Against }
}

/// One cause being scored.
pub struct Cause {
    pub score: f32,
    pub diagnosis: Diagnosis,
}

impl Cause {
    /// Evidence for this cause, adding `weight` to its score.
    pub fn support(&mut self, weight: f32, says: impl Into<String>, quote: Option<&str>) -> &mut Self {
        self.score += weight;
        self.diagnosis.evidence.push(evidence_for(says, quote));
        self
    }

    /// Evidence against this cause, multiplying its score by `factor` (< 1).
    pub fn weaken(&mut self, factor: f32, says: impl Into<String>) -> &mut Self {
        self.score *= factor;
        self.diagnosis.evidence.push(evidence_against(says));
        self
    }

    pub fn fix(&mut self, fix: Fix) -> &mut Self {
        self.diagnosis.fix = Some(fix);
        self
    }

    pub fn tests(&mut self, tests: Vec<Snippet>) -> &mut Self {
        self.diagnosis.tests = tests;
        self
    }

    pub fn ci(&mut self, ci: Snippet) -> &mut Self {
        self.diagnosis.ci = Some(ci);
        self
    }

    pub fn checks(&mut self, checks: Vec<String>) -> &mut Self {
        self.diagnosis.checks = checks;
        self
    }
}

/// The causes of one family for one traceback.
pub struct Ranking {
    family: &'static Family,
    explanation: String,
    references: Vec<String>,
    /// Evidence that the family applies; shown first under every cause.
    recognised: Vec<Evidence>,
    causes: Vec<Cause>,
}

impl Ranking {
    pub fn new(family: &'static Family, explanation: impl Into<String>, references: &[&str]) -> Self {
        Ranking {
            family,
            explanation: explanation.into(),
            references: references.iter().map(|s| s.to_string()).collect(),
            recognised: Vec::new(),
            causes: Vec::new(),
        }
    }

    /// Evidence that the family applies at all (the message that matched).
    pub fn recognised(&mut self, says: impl Into<String>, quote: Option<&str>) -> &mut Self {
        self.recognised.push(evidence_for(says, quote));
        self
    }

    /// Add a cause with a prior score; returns it for evidence, fix, tests, CI and checks.
    pub fn cause(&mut self, id: &'static str, title: impl Into<String>, prior: f32) -> &mut Cause {
        let diagnosis = Diagnosis {
            family: self.family.id,
            cause: id,
            title: self.family.title.to_string(),
            cause_title: title.into(),
            confidence: 0.0,
            evidence: self.recognised.clone(),
            explanation: self.explanation.clone(),
            checks: Vec::new(),
            fix: None,
            tests: Vec::new(),
            ci: None,
            references: self.references.clone(),
        };
        self.causes.push(Cause { score: prior, diagnosis });
        self.causes.last_mut().expect("just pushed")
    }

    /// Confidences from scores, best first; `tie` writes the check that tells the best two apart when the paste
    /// cannot decide between them (their scores within a factor 1.5).
    pub fn finish(self, tie: impl Fn(&str, &str) -> String) -> Vec<Diagnosis> {
        // One compiled copy of the ranking (and of its sort) for all 52 families, not one per tie closure.
        self.finish_with(&tie)
    }

    fn finish_with(self, tie: &dyn Fn(&str, &str) -> String) -> Vec<Diagnosis> {
        let total: f32 = self.causes.iter().map(|c| c.score.max(0.0)).sum();
        let mut ranked: Vec<Diagnosis> = self
            .causes
            .into_iter()
            .map(|c| {
                let mut d = c.diagnosis;
                let share = if total > 0.0 { c.score.max(0.0) / total } else { 0.0 };
                d.confidence = (share * 100.0).round() / 100.0;
                d
            })
            .filter(|d| d.confidence >= 0.03)
            .collect();
        ranked.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
        if ranked.len() >= 2 && ranked[0].confidence < ranked[1].confidence * 1.5 {
            let note = tie(&ranked[0].cause_title, &ranked[1].cause_title);
            ranked[0].checks.insert(0, note);
        }
        ranked
    }
}

/// Values for `{placeholders}`, from the facts of the paste, with defaults a reader can see are defaults.
pub struct Values {
    pairs: Vec<(&'static str, String)>,
}

impl Values {
    pub fn new(cx: &Context<'_>) -> Self {
        let f = cx.facts;
        let python = f
            .python_version
            .as_deref()
            .map(|v| v.split('.').take(2).collect::<Vec<_>>().join("."))
            .filter(|v| v.starts_with("3."))
            .unwrap_or_else(|| "3.12".into());
        let engine = f.db_engine.as_deref().unwrap_or("postgresql");
        let (engine_path, default_port) = match engine {
            "mysql" => ("django.db.backends.mysql", "3306"),
            "sqlite" => ("django.db.backends.sqlite3", ""),
            "oracle" => ("django.db.backends.oracle", "1521"),
            _ => ("django.db.backends.postgresql", "5432"),
        };
        let driver_pip = match (engine, f.db_driver.as_deref()) {
            (_, Some("psycopg")) => "psycopg[binary]",
            ("mysql", Some("pymysql")) => "pymysql",
            ("mysql", _) => "mysqlclient",
            ("sqlite", _) => "",
            ("oracle", _) => "oracledb",
            _ => "psycopg2-binary",
        };
        let mut v = Values { pairs: Vec::new() };
        v.set("python", python);
        v.set("engine", engine_path);
        v.set("driver_pip", driver_pip);
        v.set("host", f.db_host.clone().unwrap_or_else(|| "localhost".into()));
        v.set("port", f.db_port.map(|p| p.to_string()).unwrap_or_else(|| default_port.into()));
        v.set("db", f.db_name.clone().unwrap_or_else(|| "app".into()));
        v.set("command", f.management_command.clone().unwrap_or_else(|| "migrate".into()));
        v
    }

    /// Set or replace a value.
    pub fn set(&mut self, key: &'static str, value: impl Into<String>) -> &mut Self {
        let value = value.into();
        match self.pairs.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.pairs.push((key, value)),
        }
        self
    }

    pub fn get(&self, key: &str) -> &str {
        self.pairs.iter().find(|(k, _)| *k == key).map_or("", |(_, v)| v.as_str())
    }

    /// Fill a template.
    pub fn fill(&self, template: &str) -> String {
        let pairs: Vec<(&str, &str)> = self.pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        template::fill(template, &pairs)
    }

    pub fn snippet(&self, title: &str, file: &str, language: &'static str, template: &str) -> Snippet {
        Snippet { title: self.fill(title), file: file.into(), language, code: self.fill(template) }
    }

    pub fn fix(&self, summary: &str, file: &str, language: &'static str, before: &str, after: &str) -> Fix {
        Fix {
            summary: self.fill(summary),
            file: file.into(),
            language,
            before: self.fill(before),
            after: self.fill(after),
            also: Vec::new(),
        }
    }
}
