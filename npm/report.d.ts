// The JSON report of Traceback Explainer: what `explain(text)` returns (and the CLI prints with --format json),
// and `Masked`, what `maskSecrets(text)` returns.
// Generated from crates/core/src/model.rs by ts-rs; do not edit. To regenerate:
//   UPDATE_TS=1 cargo test -p traceback-explainer-core --features ts --test ts_types

/** The whole answer for one paste. */
export type Report = {
  /** Every traceback found, in the order they appear in the paste. */
  tracebacks: Array<Traceback>,
  /** Ranked candidate causes for the primary traceback, best first. */
  diagnosis: Array<Diagnosis>,
  /** Index into `tracebacks` of the one `diagnosis` explains (the best-explained one), if any. */
  primary: number | null,
  /** What the paste reveals about the environment (engine, host, port, Python version, Docker…). */
  facts: Facts,
  /** Things the parser noticed but could not use: never fatal. */
  problems: Array<Problem>,
  /** Secrets in the paste (passwords, keys, tokens, cookies) to mask before sharing it; never their values. */
  secrets?: Array<Secret>,
  /** Size of the input, for the user and for benchmarks. */
  input: InputStats,
};

/** One traceback: a chain of exceptions as Python (or Django, or pytest) printed it. */
export type Traceback = {
  /** Oldest first; the last one is the exception finally raised. */
  exceptions: Array<Exception>,
  /** Layout the traceback was written in. */
  format: SourceFormat,
  /** 1-based line of the paste where it starts and ends (physical lines of the input). */
  start_line: number,
  end_line: number,
  /** The frame to look at first, and why. */
  focus: Focus | null,
  /** Ranked causes for this traceback, best first. */
  diagnosis: Array<Diagnosis>,
};

/** One exception of a chain. */
export type Exception = {
  /**
   * Type as printed: `django.db.utils.OperationalError`, `KeyError`. Empty when the paste does not show it
   * (Django's debug page prints only the value of inner exceptions).
   */
  type: string,
  /** The message, lines joined with `\n` (psycopg's second line "Is the server running…" included). */
  message: string,
  /** How this exception is linked to the one before it; `None` for the first. */
  link: Link | null,
  /** Oldest call first. */
  frames: Array<Frame>,
  /** PEP 678 notes printed after the message. */
  notes?: Array<string>,
  /** Sub-exceptions of an exception group, in printed order. */
  group?: Array<Exception>,
};

/** How two consecutive exceptions of a chain are linked. */
export type Link = "cause" | "context";

/** One stack frame. */
export type Frame = {
  file: string,
  line: number | null,
  function: string,
  /** Source line shown under the frame, trimmed. */
  code: string | null,
  origin: Origin,
  /** Which step of the origin chain decided `origin` (e.g. `site-packages`, `stdlib-module`). */
  origin_rule: string,
  /** Top-level package for library and Django frames (`django`, `psycopg2`), or stdlib module. */
  package?: string,
  /** For Django frames: what Django was doing there, in plain English. */
  django?: string,
  /** For library and standard-library frames with a known role (psycopg2's `connect`): what it was doing. */
  note?: string,
  /** `[Previous line repeated N more times]` after this frame. */
  repeated?: number,
};

/** Whose code a frame is. */
export type Origin = "app" | "django" | "library" | "stdlib" | "other";

/** The layout a traceback was written in. */
export type SourceFormat = "python" | "flattened" | "django-debug" | "django-debug-legacy" | "django-debug-browser" | "pytest" | "syntax-error" | "exception-only" | "django-log";

/** The frame to look at first. */
export type Focus = {
  /** Index into `exceptions`. */
  exception: number,
  /** Index into that exception's `frames`. */
  frame: number,
  /** Why this frame: plain English. */
  reason: string,
};

/** One ranked candidate: a cause within an error family, with the evidence that decided it. */
export type Diagnosis = {
  /** The catalogue's id slug, e.g. `pg-conn-refused`; `general` for the fallback layer. */
  family: string,
  /** Stable id of the cause within the family, e.g. `localhost-in-container`. */
  cause: string,
  /** Short headline for the family. */
  title: string,
  /** Headline of this cause. */
  cause_title: string,
  /** 0.0–1.0, from the strength of the evidence; written with two decimals (`0.59`, not `0.5899999737739563`). */
  confidence: number,
  /** What in the paste supports (or weakens) this cause. */
  evidence: Array<Evidence>,
  /** The family's explanation in plain words. */
  explanation: string,
  /** What to check to confirm this cause or tell it apart from the next one. */
  checks: Array<string>,
  fix: Fix | null,
  tests: Array<Snippet>,
  ci: Snippet | null,
  /** References to the Django documentation, as text. */
  references: Array<string>,
};

/** A piece of evidence from the paste. */
export type Evidence = {
  /** What it shows, in plain English. */
  says: string,
  /** The text of the paste it rests on, if any. */
  quote?: string,
  /** `for` or `against` this cause. */
  weight: Weight,
};

export type Weight = "for" | "against";

/** A fix shown as before/after. */
export type Fix = {
  summary: string,
  /** File the change goes in, e.g. `settings.py`, `docker-compose.yml`. */
  file: string,
  language: string,
  before: string,
  after: string,
  /** Other files to change with it (a compose file next to the settings). */
  also?: Array<Snippet>,
};

/** A code snippet: a test, a CI workflow, a shell command. */
export type Snippet = {
  title: string,
  /** Suggested file name, e.g. `tests/test_database.py`, `.github/workflows/ci.yml`. */
  file: string,
  language: string,
  code: string,
};

/** Facts about the environment that the paste reveals. Each is filled by the first evidence found. */
export type Facts = {
  python_version?: string,
  django_version?: string,
  /** `postgresql`, `mysql`, `sqlite`, `oracle`. */
  db_engine?: string,
  /** `psycopg2`, `psycopg`, `mysqlclient`, `pymysql`, `sqlite3`, `oracledb`. */
  db_driver?: string,
  db_host?: string,
  db_port?: number,
  /** Socket path when connecting over a Unix domain socket. */
  db_socket?: string,
  db_name?: string,
  /** Evidence that the program ran in a container (Compose prefix, `/app` paths), if any. */
  docker?: Array<string>,
  request_method?: string,
  request_url?: string,
  installed_apps?: Array<string>,
  /** `manage.py` command that ran (`migrate`, `runserver`), if the frames show one. */
  management_command?: string,
  /** What served the code: `gunicorn`, `uwsgi`, `runserver`, `daphne`, `uvicorn`, `celery`, `pytest`. */
  runner?: string,
  /** Settings read from the environment (`DATABASE_URL`, dj-database-url / django-environ frames). */
  env_settings?: Array<string>,
  /** Root of the virtualenv or Python install seen in paths, e.g. `/app/venv`. */
  python_prefix?: string,
  /** Django's debug page "Template-loader postmortem": each `loader: path (Source does not exist)` tried. */
  templates_tried?: Array<string>,
  /** Django's debug page "Template error": the template, the line and its source. */
  template_file?: string,
  template_line?: number,
  template_source?: string,
  /** Log prefixes stripped from the paste (`docker-compose`, `timestamp`, `quote`…). */
  wrappers?: Array<string>,
};

/** Something the parser noticed: unusable input, a truncated traceback, a foreign stack. */
export type Problem = {
  /** Stable code: `empty`, `binary`, `no-traceback`, `javascript-stack`, `java-stack`, `truncated`, … */
  code: string,
  message: string,
  /** 1-based line of the paste, when it concerns one. */
  line?: number,
};

/** A secret found in the paste: what it is and where, never the value itself. */
export type Secret = {
  kind: SecretKind,
  /** 1-based line of the paste where the value is. */
  line: number,
  /** What it was: `SECRET_KEY`, `DB_PASSWORD`, `password in postgres://app:•••@db:5432/app`, `GitHub token`. */
  name: string,
};

export type SecretKind = "url_password" | "setting" | "token" | "cookie" | "private_key";

export type InputStats = {
  bytes: number,
  lines: number,
};

/** A paste with its secrets masked (`secrets::mask`), and what was masked: the wasm `mask_secrets` result. */
export type Masked = {
  text: string,
  secrets: Array<Secret>,
};
