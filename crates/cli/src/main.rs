//! `traceback-explainer`: the command-line face of the core, for logs and CI.
//!
//! `traceback-explainer [FILE|-] [--format text|json|markdown]` reads a file (or stdin), explains every
//! traceback in it and prints the report. Exit status: 0 when a traceback was explained, 1 when none was
//! found, 2 on usage errors (bad flag, unreadable file). `--mask` prints the input with its secrets masked instead.

use std::io::{Read, Write};
use std::process::ExitCode;

use traceback_explainer_core::families::{Family, FAMILIES};
use traceback_explainer_core::{explain, render, secrets};

/// `println!` that ignores a closed pipe (`traceback-explainer --list | head`) instead of panicking.
macro_rules! say {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/fixtures.rs"));
}

const USAGE: &str = "\
Usage: traceback-explainer [FILE|-] [--format text|json|markdown] [--mask]

Explains the Python/Django tracebacks in FILE (or standard input when FILE is - or absent).
Nothing is sent anywhere: the explanation is computed on this machine.

Options:
  -f, --format FORMAT   text (default), json or markdown
      --mask            print the input with passwords, keys, tokens and cookies masked (for sharing a
                        log), list what was masked on standard error, exit 0
      --list            list the error families the explainer knows
      --explain CODE    explain one family (code such as DJ001 or slug such as pg-conn-refused),
                        with its example traceback
  -h, --help            show this help
  -V, --version         show the version

Exit status: 0 a traceback was explained, 1 none was found, 2 usage error.";

#[derive(Clone, Copy)]
enum Format {
    Text,
    Json,
    Markdown,
}

struct Args {
    path: Option<String>,
    format: Format,
    command: Command,
}

enum Command {
    Explain,
    Mask,
    List,
    Family(String),
}

fn parse_args(args: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut path = None;
    let mut format = Format::Text;
    let mut command = Command::Explain;
    let mut args = args.peekable();
    while let Some(a) = args.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(None),
            "-V" | "--version" => {
                say!("traceback-explainer {}", env!("CARGO_PKG_VERSION"));
                std::process::exit(0);
            }
            "-f" | "--format" => {
                let v = inline.or_else(|| args.next()).ok_or("--format needs a value: text, json or markdown")?;
                format = match v.as_str() {
                    "text" => Format::Text,
                    "json" => Format::Json,
                    "markdown" | "md" => Format::Markdown,
                    other => return Err(format!("unknown format {other:?}: use text, json or markdown")),
                };
            }
            "--list" => command = Command::List,
            "--mask" => command = Command::Mask,
            "--explain" => {
                let code =
                    inline.or_else(|| args.next()).ok_or("--explain needs a family code or slug (see --list)")?;
                command = Command::Family(code);
            }
            "-" => path = Some("-".to_string()),
            f if f.starts_with('-') => return Err(format!("unknown option {f:?}")),
            _ => {
                if path.is_some() {
                    return Err("only one FILE may be given".into());
                }
                path = Some(a);
            }
        }
    }
    Ok(Some(Args { path, format, command }))
}

fn read_input(path: Option<&str>) -> Result<String, String> {
    let mut bytes = Vec::new();
    match path {
        None | Some("-") => {
            std::io::stdin().read_to_end(&mut bytes).map_err(|e| format!("cannot read standard input: {e}"))?
        }
        Some(p) => {
            bytes = std::fs::read(p).map_err(|e| format!("cannot read {p}: {e}"))?;
            0
        }
    };
    // Logs are not always valid UTF-8: keep what can be read rather than refusing the file.
    Ok(match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(Some(a)) => a,
        Ok(None) => {
            say!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("traceback-explainer: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match &args.command {
        Command::List => {
            list(args.format);
            return ExitCode::SUCCESS;
        }
        Command::Family(code) => return explain_family(code, args.format),
        Command::Explain | Command::Mask => {}
    }
    let input = match read_input(args.path.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("traceback-explainer: {e}");
            return ExitCode::from(2);
        }
    };
    if let Command::Mask = args.command {
        let masked = secrets::mask(&input);
        let _ = std::io::stdout().lock().write_all(masked.text.as_bytes());
        for s in &masked.secrets {
            eprintln!("traceback-explainer: masked line {}: {}", s.line, s.name);
        }
        return ExitCode::SUCCESS;
    }
    let report = explain(&input);
    let out = match args.format {
        Format::Json => serde_json::to_string_pretty(&report).unwrap_or_default(),
        Format::Text => render::text(&report),
        Format::Markdown => render::markdown(&report),
    };
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`| head`) is not an error worth reporting.
    let _ = writeln!(stdout, "{out}");
    if report.tracebacks.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `--list`: every family with its code, slug and title.
fn list(format: Format) {
    match format {
        Format::Json => {
            let rows: Vec<_> = FAMILIES
                .iter()
                .map(|f| {
                    let text = embedded::FIXTURES.iter().find(|(p, _)| *p == f.example).map(|(_, t)| *t);
                    serde_json::json!({"code": f.code, "family": f.id, "title": f.title, "summary": f.summary,
                                       "example": f.example, "example_text": text})
                })
                .collect();
            say!("{}", serde_json::to_string_pretty(&rows).unwrap_or_default());
        }
        Format::Markdown => {
            say!("| code | family | title |\n|---|---|---|");
            for f in FAMILIES {
                say!("| {} | `{}` | {} |", f.code, f.id, f.title);
            }
        }
        Format::Text => {
            for f in FAMILIES {
                say!("{:<6} {:<32} {}", f.code, f.id, f.title);
            }
            say!("\n{} families. `traceback-explainer --explain CODE` shows one with its example.", FAMILIES.len());
        }
    }
}

fn find_family(code: &str) -> Option<&'static Family> {
    FAMILIES.iter().find(|f| f.code.eq_ignore_ascii_case(code) || f.id == code)
}

/// `--explain CODE`: the family's summary, then its example traceback explained.
fn explain_family(code: &str, format: Format) -> ExitCode {
    let Some(family) = find_family(code) else {
        eprintln!("traceback-explainer: no family {code:?}; see --list");
        return ExitCode::from(2);
    };
    let example = embedded::FIXTURES.iter().find(|(path, _)| *path == family.example).map(|(_, text)| *text);
    let report = example.map(explain);
    match format {
        Format::Json => {
            let doc = serde_json::json!({
                "code": family.code, "family": family.id, "title": family.title, "summary": family.summary,
                "example": {"file": family.example, "text": example, "report": report},
            });
            say!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
        Format::Markdown => {
            say!("# {} — {} (`{}`)\n\n{}\n", family.code, family.title, family.id, family.summary);
            if let (Some(text), Some(r)) = (example, &report) {
                say!(
                    "## Example (`fixtures/{}`)\n\n```pytb\n{}\n```\n\n{}",
                    family.example,
                    text.trim_end(),
                    render::markdown(r)
                );
            }
        }
        Format::Text => {
            say!("{} — {} ({})\n\n{}\n", family.code, family.title, family.id, family.summary);
            if let (Some(text), Some(r)) = (example, &report) {
                say!("Example (fixtures/{}):\n\n{}\n\n{}", family.example, text.trim_end(), render::text(r));
            }
        }
    }
    ExitCode::SUCCESS
}
