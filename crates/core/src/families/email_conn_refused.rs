//! `email-conn-refused` (DJ040): sending mail failed because no SMTP server accepted the connection.
//!
//! Recognised by `ConnectionRefusedError` (Linux `[Errno 111]`, macOS `[Errno 61]`, Windows `[WinError 10061]`)
//! with `smtplib.py` or `django/core/mail/` frames; a refusal without them (a database, an HTTP call) is not
//! this family. Causes are ranked by the entry point: a view or a `sendtestemail`/management command, frames of
//! `send_mail`/`mail_admins`, and container evidence.

use super::ci::{self, Step};
use super::kit::{self, Ranking, Values};
use super::{Context, Family};
use crate::model::{Diagnosis, Fix, Snippet};

pub const FAMILY: Family = Family {
    id: "email-conn-refused",
    code: "DJ040",
    title: "No SMTP server to send mail",
    summary: "ConnectionRefusedError under smtplib frames: Django's default SMTP backend connected to EMAIL_HOST \
              (localhost) on EMAIL_PORT (25) and nothing listens there — development without a mail server \
              (password reset, signup, mail_admins), a wrong host/port/TLS setting, or a provider blocking SMTP.",
    example: "real/web/email_conn_refused.txt",
    diagnose,
};

const EXPLANATION: &str = "Django sends mail through the backend in EMAIL_BACKEND; the default is SMTP, which \
opens a connection to EMAIL_HOST:EMAIL_PORT (localhost:25 unless set). The operating system refused it: no mail \
server listens there. In development use the console backend; in production set the real SMTP host, port and \
TLS options.";

const REFERENCES: [&str; 2] = [
    "Django documentation: Sending email › Email backends — https://docs.djangoproject.com/en/stable/topics/email/#email-backends",
    "Django documentation: Settings › EMAIL_HOST — https://docs.djangoproject.com/en/stable/ref/settings/#email-host",
];

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let smtp = kit::frames(cx.tb).any(|f| f.file.ends_with("smtplib.py") || f.file.contains("django/core/mail/"));
    if !smtp {
        return Vec::new();
    }
    let patterns = ["Connection refused", "actively refused it"];
    let Some(hit) = kit::find(cx.tb, &["ConnectionRefusedError", "OSError", "error"], &patterns) else {
        return Vec::new();
    };
    let quote = Some(hit.line);
    let command = cx.facts.management_command.clone();
    let docker = !cx.facts.docker.is_empty();
    let v = Values::new(cx);
    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised("The SMTP connection was refused: nothing listens at EMAIL_HOST:EMAIL_PORT.", quote);
    let workflow = ci::workflow(
        &v,
        "tests use the in-memory mail backend",
        &[
            Step { name: "Deploy checks", run: "python manage.py check --deploy" },
            Step { name: "Tests", run: "pytest" },
        ],
    );

    let c = r.cause("no-local-server", "Development with the default SMTP backend and no mail server", 1.0);
    if cx.facts.runner.as_deref() == Some("runserver") || cx.facts.request_url.is_some() {
        c.support(0.5, "A request on a development setup sent mail through SMTP.", None);
    }
    c.fix(fix_console(&v)).tests(tests(&v)).ci(workflow.clone()).checks(checks());

    let c = r.cause("wrong-settings", "EMAIL_HOST, EMAIL_PORT or the TLS/SSL flags are wrong", 0.5);
    if let Some(cmd) = command.as_deref().filter(|c| *c == "sendtestemail") {
        c.support(1.0, format!("`{cmd}` was run to test the mail settings: they point where no server listens."), None);
    }
    if docker {
        c.support(1.0, "The app runs in a container, where localhost is not the host's mail server.", None);
    }
    c.fix(fix_smtp(&v)).tests(tests(&v)).ci(workflow.clone()).checks(checks());

    let c = r.cause("provider-blocks", "The hosting provider blocks outgoing SMTP", 0.2);
    c.fix(fix_smtp(&v)).tests(tests(&v)).ci(workflow).checks(checks());

    r.finish(|a, b| format!("The paste cannot decide between \"{a}\" and \"{b}\". Run `python manage.py diffsettings | grep EMAIL_` and `nc -vz <EMAIL_HOST> <EMAIL_PORT>` where Django runs."))
}

fn fix_console(v: &Values) -> Fix {
    v.fix(
        "Print mail to the console in development instead of sending it.",
        "settings.py",
        "python",
        "# EMAIL_BACKEND not set: SMTP to localhost:25\n",
        "EMAIL_BACKEND = \"django.core.mail.backends.console.EmailBackend\"\n",
    )
}

fn fix_smtp(v: &Values) -> Fix {
    v.fix(
        "Configure the real SMTP server from the environment (587 + TLS, or 465 + SSL).",
        "settings.py",
        "python",
        "EMAIL_HOST = \"localhost\"\nEMAIL_PORT = 25\n",
        "EMAIL_BACKEND = \"django.core.mail.backends.smtp.EmailBackend\"\nEMAIL_HOST = os.environ[\"EMAIL_HOST\"]\nEMAIL_PORT = int(os.environ.get(\"EMAIL_PORT\", \"587\"))\nEMAIL_USE_TLS = True\nEMAIL_HOST_USER = os.environ.get(\"EMAIL_HOST_USER\", \"\")\nEMAIL_HOST_PASSWORD = os.environ.get(\"EMAIL_HOST_PASSWORD\", \"\")\n",
    )
}

const TEST: &str = r#"from django.core import mail


def test_signup_sends_one_mail(client):
    # pytest-django switches to the locmem backend: nothing is sent.
    client.post("/signup/", {"email": "alice@example.com"})
    assert len(mail.outbox) == 1
"#;

fn tests(v: &Values) -> Vec<Snippet> {
    vec![v.snippet("The flow sends its mail (locmem backend in tests)", "tests/test_mail.py", "python", TEST)]
}

fn checks() -> Vec<String> {
    vec!["`python manage.py sendtestemail you@example.com` with the deployed settings: does it reach the server?".into()]
}
