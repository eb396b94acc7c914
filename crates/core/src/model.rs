//! The plain data model every part shares: what the parser finds, what annotation adds, what rules conclude.
//!
//! Everything here is serialisable with serde; the JSON the CLI prints and the wasm API returns is exactly
//! `Report` serialised. Field names follow CPython's `traceback.FrameSummary` where one exists
//! (`file`, `line`, `function`, `code`). Lists are ordered as Python prints them: exceptions oldest first
//! (the last one is the one finally raised), frames oldest call first.
//!
//! With the `ts` feature every type also derives `ts_rs::TS`: `tests/ts_types.rs` renders them into the npm
//! package's `npm/report.d.ts`. A field serde skips when empty gets `ts(optional)` (`Option`: `x?: T`) or
//! `ts(optional = nullable)` (`Vec`: `x?: T[]`, never null), so the TypeScript says it may be absent.

use serde::Serialize;

/// The whole answer for one paste.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Report {
    /// Every traceback found, in the order they appear in the paste.
    pub tracebacks: Vec<Traceback>,
    /// Ranked candidate causes for the primary traceback, best first.
    pub diagnosis: Vec<Diagnosis>,
    /// Index into `tracebacks` of the one `diagnosis` explains (the best-explained one), if any.
    pub primary: Option<usize>,
    /// What the paste reveals about the environment (engine, host, port, Python version, Docker…).
    pub facts: Facts,
    /// Things the parser noticed but could not use: never fatal.
    pub problems: Vec<Problem>,
    /// Secrets in the paste (passwords, keys, tokens, cookies) to mask before sharing it; never their values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub secrets: Vec<Secret>,
    /// Size of the input, for the user and for benchmarks.
    pub input: InputStats,
}

/// One traceback: a chain of exceptions as Python (or Django, or pytest) printed it.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Traceback {
    /// Oldest first; the last one is the exception finally raised.
    pub exceptions: Vec<Exception>,
    /// Layout the traceback was written in.
    pub format: SourceFormat,
    /// 1-based line of the paste where it starts and ends (physical lines of the input).
    pub start_line: usize,
    pub end_line: usize,
    /// The frame to look at first, and why.
    pub focus: Option<Focus>,
    /// Ranked causes for this traceback, best first.
    pub diagnosis: Vec<Diagnosis>,
}

/// How two consecutive exceptions of a chain are linked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Link {
    /// "The above exception was the direct cause of the following exception:" (`raise … from …`).
    Cause,
    /// "During handling of the above exception, another exception occurred:".
    Context,
}

/// One exception of a chain.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Exception {
    /// Type as printed: `django.db.utils.OperationalError`, `KeyError`. Empty when the paste does not show it
    /// (Django's debug page prints only the value of inner exceptions).
    #[serde(rename = "type")]
    pub type_name: String,
    /// The message, lines joined with `\n` (psycopg's second line "Is the server running…" included).
    pub message: String,
    /// How this exception is linked to the one before it; `None` for the first.
    pub link: Option<Link>,
    /// Oldest call first.
    pub frames: Vec<Frame>,
    /// PEP 678 notes printed after the message.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub notes: Vec<String>,
    /// Sub-exceptions of an exception group, in printed order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub group: Vec<Exception>,
}

/// One stack frame.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Frame {
    pub file: String,
    pub line: Option<u32>,
    pub function: String,
    /// Source line shown under the frame, trimmed.
    pub code: Option<String>,
    pub origin: Origin,
    /// Which step of the origin chain decided `origin` (e.g. `site-packages`, `stdlib-module`).
    pub origin_rule: &'static str,
    /// Top-level package for library and Django frames (`django`, `psycopg2`), or stdlib module.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub package: Option<String>,
    /// For Django frames: what Django was doing there, in plain English.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub django: Option<&'static str>,
    /// For library and standard-library frames with a known role (psycopg2's `connect`): what it was doing.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub note: Option<&'static str>,
    /// `[Previous line repeated N more times]` after this frame.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub repeated: Option<u32>,
}

/// Whose code a frame is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    App,
    Django,
    Library,
    Stdlib,
    #[default]
    Other,
}

/// The layout a traceback was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum SourceFormat {
    #[default]
    Python,
    /// A Python traceback whose newlines were lost: everything on one line.
    Flattened,
    /// Django's debug page, copy-and-paste view, 3.0+ layout.
    DjangoDebug,
    /// Django's debug page, copy-and-paste view, 1.11–2.2 layout (`File "x" in f` + `  123. code`).
    DjangoDebugLegacy,
    /// Django's debug page copied whole from the browser (select all + copy): summary, then per frame
    /// `<path>, line N, in <func>` (2.2: `<path> in <func>`), code line and `Local vars` (tables skipped).
    DjangoDebugBrowser,
    /// pytest's failure report (`E   ` lines, `path.py:123: in func`).
    Pytest,
    /// A SyntaxError printed without a `Traceback` header.
    SyntaxError,
    /// Only the final `module.Error: message` line was pasted (or printed, as `manage.py` does for
    /// `CommandError` and `SystemCheckError`): no frames.
    ExceptionOnly,
    /// A Django log record or error page that carries no traceback: `Forbidden (CSRF cookie not set.): /path/`,
    /// the 403 "CSRF verification failed" page.
    DjangoLog,
}

/// The frame to look at first.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Focus {
    /// Index into `exceptions`.
    pub exception: usize,
    /// Index into that exception's `frames`.
    pub frame: usize,
    /// Why this frame: plain English.
    pub reason: String,
}

/// One ranked candidate: a cause within an error family, with the evidence that decided it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Diagnosis {
    /// The catalogue's id slug, e.g. `pg-conn-refused`; `general` for the fallback layer.
    pub family: &'static str,
    /// Stable id of the cause within the family, e.g. `localhost-in-container`.
    pub cause: &'static str,
    /// Short headline for the family.
    pub title: String,
    /// Headline of this cause.
    pub cause_title: String,
    /// 0.0–1.0, from the strength of the evidence; written with two decimals (`0.59`, not `0.5899999737739563`).
    #[serde(serialize_with = "two_decimals")]
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub confidence: f32,
    /// What in the paste supports (or weakens) this cause.
    pub evidence: Vec<Evidence>,
    /// The family's explanation in plain words.
    pub explanation: String,
    /// What to check to confirm this cause or tell it apart from the next one.
    pub checks: Vec<String>,
    pub fix: Option<Fix>,
    pub tests: Vec<Snippet>,
    pub ci: Option<Snippet>,
    /// References to the Django documentation, as text.
    pub references: Vec<String>,
}

/// A piece of evidence from the paste.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Evidence {
    /// What it shows, in plain English.
    pub says: String,
    /// The text of the paste it rests on, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub quote: Option<String>,
    /// `for` or `against` this cause.
    pub weight: Weight,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Weight {
    For,
    Against,
}

/// A fix shown as before/after.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Fix {
    pub summary: String,
    /// File the change goes in, e.g. `settings.py`, `docker-compose.yml`.
    pub file: String,
    pub language: &'static str,
    pub before: String,
    pub after: String,
    /// Other files to change with it (a compose file next to the settings).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub also: Vec<Snippet>,
}

/// A code snippet: a test, a CI workflow, a shell command.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Snippet {
    pub title: String,
    /// Suggested file name, e.g. `tests/test_database.py`, `.github/workflows/ci.yml`.
    pub file: String,
    pub language: &'static str,
    pub code: String,
}

/// Facts about the environment that the paste reveals. Each is filled by the first evidence found.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Facts {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub python_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub django_version: Option<String>,
    /// `postgresql`, `mysql`, `sqlite`, `oracle`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub db_engine: Option<String>,
    /// `psycopg2`, `psycopg`, `mysqlclient`, `pymysql`, `sqlite3`, `oracledb`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub db_driver: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub db_host: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub db_port: Option<u16>,
    /// Socket path when connecting over a Unix domain socket.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub db_socket: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub db_name: Option<String>,
    /// Evidence that the program ran in a container (Compose prefix, `/app` paths), if any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub docker: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub request_method: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub request_url: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub installed_apps: Vec<String>,
    /// `manage.py` command that ran (`migrate`, `runserver`), if the frames show one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub management_command: Option<String>,
    /// What served the code: `gunicorn`, `uwsgi`, `runserver`, `daphne`, `uvicorn`, `celery`, `pytest`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub runner: Option<String>,
    /// Settings read from the environment (`DATABASE_URL`, dj-database-url / django-environ frames).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub env_settings: Vec<String>,
    /// Root of the virtualenv or Python install seen in paths, e.g. `/app/venv`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub python_prefix: Option<String>,
    /// Django's debug page "Template-loader postmortem": each `loader: path (Source does not exist)` tried.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub templates_tried: Vec<String>,
    /// Django's debug page "Template error": the template, the line and its source.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub template_file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub template_line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub template_source: Option<String>,
    /// Log prefixes stripped from the paste (`docker-compose`, `timestamp`, `quote`…).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub wrappers: Vec<String>,
}

/// Something the parser noticed: unusable input, a truncated traceback, a foreign stack.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Problem {
    /// Stable code: `empty`, `binary`, `no-traceback`, `javascript-stack`, `java-stack`, `truncated`, …
    pub code: &'static str,
    pub message: String,
    /// 1-based line of the paste, when it concerns one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub line: Option<usize>,
}

/// A secret found in the paste: what it is and where, never the value itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Secret {
    pub kind: SecretKind,
    /// 1-based line of the paste where the value is.
    pub line: usize,
    /// What it was: `SECRET_KEY`, `DB_PASSWORD`, `password in postgres://app:•••@db:5432/app`, `GitHub token`.
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SecretKind {
    /// The password of a `scheme://user:password@host` URL.
    UrlPassword,
    /// A value under a secret's name: `PASSWORD`, `SECRET_KEY`, `API_KEY`, `token`, `password=` in a DSN.
    Setting,
    /// A well-known token shape (AWS, GitHub, Slack, Stripe, GitLab, JWT) or an `Authorization` credential.
    Token,
    /// A session or CSRF cookie's value.
    Cookie,
    /// The body of a `-----BEGIN … PRIVATE KEY-----` block.
    PrivateKey,
}

/// A paste with its secrets masked (`secrets::mask`), and what was masked: the wasm `mask_secrets` result.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Masked {
    pub text: String,
    pub secrets: Vec<Secret>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct InputStats {
    pub bytes: usize,
    pub lines: usize,
}

/// Serialise an `f32` share as the two-decimal number it stands for.
fn two_decimals<S: serde::Serializer>(value: &f32, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((f64::from(*value) * 100.0).round() / 100.0)
}
