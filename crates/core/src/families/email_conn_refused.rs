//! `email-conn-refused` (DJ040): sending mail failed because no SMTP server accepted the connection.
//!
//! Recognised by `ConnectionRefusedError` (Linux `[Errno 111]`, macOS `[Errno 61]`, Windows `[WinError 10061]`)
//! with `smtplib.py` or `django/core/mail/` frames; a refusal without them (a database, an HTTP call) is not
//! this family. Causes are ranked by the entry point: a view or a `sendtestemail`/management command, frames of
//! `send_mail`/`mail_admins`, and container evidence.

use super::ci::{self, Step};
use super::kit::{self, Ranking, Values};
use super::orm_common as orm;
use super::{Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "email-conn-refused",
    code: "DJ040",
    title: "No SMTP server to send mail",
    summary: "ConnectionRefusedError under smtplib: nothing listens at EMAIL_HOST:EMAIL_PORT.",
    example: "real/web/email_conn_refused.txt",
    diagnose,
};

const EXPLANATION: &str = "The SMTP backend found no mail server at EMAIL_HOST:EMAIL_PORT (default localhost:25).";

const REFERENCES: [&str; 1] =
    ["Django docs: Email backends — https://docs.djangoproject.com/en/stable/topics/email/#email-backends"];

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
    r.recognised("SMTP connection refused.", quote);
    let workflow = ci::workflow(&v, "tests", &[Step { name: "Test", run: "pytest" }]);
    let tests = vec![v.snippet("Mail is sent", "tests/test_mail.py", "python", TEST)];
    let checks = vec!["`python manage.py sendtestemail you@example.com`".to_string()];

    let c = r.cause("no-local-server", "No mail server in development", 1.0);
    if cx.facts.runner.as_deref() == Some("runserver") || cx.facts.request_url.is_some() {
        c.support(0.5, "A development request.", None);
    }
    c.fix(v.fix(
        "Use the console backend.",
        "settings.py",
        "python",
        "# EMAIL_BACKEND unset\n",
        "EMAIL_BACKEND = \"django.core.mail.backends.console.EmailBackend\"\n",
    ))
    .tests(tests.clone())
    .ci(workflow.clone())
    .checks(checks.clone());

    let c = r.cause("wrong-settings", "Wrong EMAIL_HOST, port or TLS", 0.5);
    if let Some(cmd) = command.as_deref().filter(|c| *c == "sendtestemail") {
        c.support(1.0, format!("`{cmd}` failed."), None);
    }
    if docker {
        c.support(1.0, "A container's localhost has no mail server.", None);
    }
    let smtp = v.fix(
        "Set the real SMTP server.",
        "settings.py",
        "python",
        "EMAIL_HOST = \"localhost\"\n",
        "EMAIL_HOST = os.environ[\"EMAIL_HOST\"]\nEMAIL_PORT = 587\nEMAIL_USE_TLS = True\n",
    );
    c.fix(smtp.clone()).tests(tests.clone()).ci(workflow.clone()).checks(checks.clone());

    let c = r.cause("provider-blocks", "The provider blocks SMTP", 0.2);
    c.fix(smtp).tests(tests).ci(workflow).checks(checks);

    orm::finish(r, "`nc -vz <EMAIL_HOST> <EMAIL_PORT>`.")
}

const TEST: &str = r#"from django.core import mail


def test_signup_mail(client):
    client.post("/signup/", {"email": "a@example.com"})
    assert len(mail.outbox) == 1
"#;
