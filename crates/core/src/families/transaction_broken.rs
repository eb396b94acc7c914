//! `transaction-broken` (DJ025): queries after a database error inside a transaction.
//!
//! Recognised by Django's `TransactionManagementError` `An error occurred in the current transaction. You can't
//! execute queries until the end of the 'atomic' block.` (older releases: without the first sentence) and by
//! PostgreSQL's own `current transaction is aborted, commands ignored until end of transaction block`
//! (`InFailedSqlTransaction`, Django's `InternalError`) when autocommit was turned off by hand. Related texts of the
//! same module (`This is forbidden when an 'atomic' block is active.`) are recognised as a misuse of atomic.
//! Causes: an exception caught inside `atomic()`, a TestCase that expects an IntegrityError and then queries,
//! ATOMIC_REQUESTS with a view that swallows an error, and manual autocommit handling.

use super::kit::{self, Ranking, Values};
use super::pg_common::{self as pg, short};
use super::{Context, Family};
use crate::model::{Diagnosis, Fix, Snippet};

pub const FAMILY: Family = Family {
    id: "transaction-broken",
    code: "DJ025",
    title: "Queries after a database error inside a transaction",
    summary: "TransactionManagementError \"You can't execute queries until the end of the 'atomic' block\": a \
              caught query error, then more queries.",
    example: "real/postgres/transaction_broken_pg.txt",
    diagnose,
};

const EXPLANATION: &str = "A query failed in a transaction and the code kept querying; wrap it in its own `atomic()`.";

const REFERENCES: [&str; 1] = [
    "Django docs: atomic — https://docs.djangoproject.com/en/stable/topics/db/transactions/#controlling-transactions-explicitly",
];

const PATTERNS: [&str; 4] = [
    "You can't execute queries until the end of the 'atomic' block",
    "current transaction is aborted, commands ignored until end of transaction block",
    "This is forbidden when an 'atomic' block is active",
    "The rollback flag doesn't work outside of an 'atomic' block",
];

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let Some(hit) =
        kit::find(cx.tb, &["TransactionManagementError", "InternalError", "InFailedSqlTransaction"], &PATTERNS)
    else {
        return Vec::new();
    };
    let aborted = hit.pattern.starts_with("current transaction");
    let misuse = hit.pattern.starts_with("This is forbidden") || hit.pattern.starts_with("The rollback");
    let first = cx.tb.exceptions.iter().take(hit.index).rev().find(|e| !e.message.contains(hit.pattern));
    let app = kit::last_app_frame(cx.tb);
    let in_test = app.is_some_and(|f| f.function.starts_with("test") || f.file.contains("/tests"))
        || kit::has_frame(cx.tb, "django/test/testcases.py", "")
        || matches!(cx.facts.runner.as_deref(), Some("pytest" | "django-test"));
    let request = kit::has_frame(cx.tb, "django/core/handlers/base.py", "");
    let mut v = Values::new(cx);
    let first_type = first.map(|e| short(&e.type_name)).filter(|t| !t.is_empty()).unwrap_or("IntegrityError");
    v.set("error", first_type);
    v.set("where", app.map_or("models.py", |f| f.file.rsplit('/').next().unwrap_or("models.py")));
    let quote = Some(hit.line);
    let ci = kit_workflow(&v);
    let tests = vec![savepoint_test(&v)];

    let mut r = Ranking::new(&FAMILY, EXPLANATION, &REFERENCES);
    r.recognised("An earlier error broke it.", quote);
    if let Some(e) = first {
        let line = e.message.lines().next().unwrap_or("");
        r.recognised(format!("First error: `{}`.", short(&e.type_name)), Some(line));
    }

    let c = r.cause("caught-inside-atomic", "An exception caught inside atomic()", 1.5);
    if let Some(f) = app {
        c.support(1.0, format!("Check the try/except in `{}` ({}).", f.function, f.file), f.code.as_deref());
    }
    if in_test || aborted {
        c.weaken(0.3, "A test or manual transaction.");
    } else if first.is_some() {
        c.support(2.0, "The chain shows the caught first error.", None);
    }
    c.fix(fix_savepoint(&v)).tests(tests.clone()).checks(checks()).ci(ci.clone());

    let c = r.cause("testcase-expects-error", "A TestCase queries after an expected error", 0.2);
    if in_test {
        c.support(4.0, "In a test: TestCase runs in atomic().", None);
    }
    c.fix(fix_test(&v)).tests(tests.clone()).checks(checks()).ci(ci.clone());

    let c = r.cause("atomic-requests", "ATOMIC_REQUESTS and the view swallows an error", 0.2);
    if request {
        c.support(1.5, "In a request (ATOMIC_REQUESTS).", None);
    }
    c.fix(fix_savepoint(&v)).tests(tests.clone()).checks(checks()).ci(ci.clone());

    let c = r.cause("manual-autocommit", "Autocommit off by hand, no rollback", 0.1);
    if aborted {
        c.support(4.0, "PostgreSQL refused it: autocommit was off.", quote);
    }
    if misuse {
        c.support(3.0, "Autocommit or rollback flag misused with atomic().", quote);
    }
    c.fix(fix_manual(&v)).tests(tests).checks(checks()).ci(ci);

    super::orm_common::finish(r, "which try/except caught the first error?")
}

fn kit_workflow(v: &Values) -> Snippet {
    pg::workflow(v, "tests")
}

const SAVEPOINT_TEST: &str = r#"import pytest
from django.db import IntegrityError, transaction


@pytest.mark.django_db
def test_savepoint(django_user_model):
    django_user_model.objects.create(username="ann")
    with pytest.raises(IntegrityError):
        with transaction.atomic():  # savepoint
            django_user_model.objects.create(username="ann")
    assert django_user_model.objects.count() == 1
"#;

fn savepoint_test(v: &Values) -> Snippet {
    pg::snippet(&v.fill("A caught {error} is harmless"), "tests/test_transactions.py", v.fill(SAVEPOINT_TEST))
}

fn fix_savepoint(v: &Values) -> Fix {
    pg::fix(
        v,
        "Wrap it in atomic(); catch outside.",
        "{where}",
        "python",
        "try:\n    Product.objects.create(**row)\nexcept IntegrityError:\n    pass\n",
        "try:\n    with transaction.atomic():  # savepoint\n        Product.objects.create(**row)\nexcept IntegrityError:\n    pass\n",
    )
}

fn fix_test(v: &Values) -> Fix {
    pg::fix(
        v,
        "Use atomic() inside assertRaises.",
        "tests.py",
        "python",
        "Product.objects.create(slug=\"apple\")\n",
        "with self.assertRaises(IntegrityError):\n    with transaction.atomic():\n        Product.objects.create(slug=\"apple\")\n",
    )
}

fn fix_manual(v: &Values) -> Fix {
    pg::fix(
        v,
        "Use atomic(), not autocommit.",
        "{where}",
        "python",
        "transaction.set_autocommit(False)\n",
        "with transaction.atomic():\n    Product.objects.create(**row)\n",
    )
}

fn checks() -> Vec<String> {
    vec![
        "Find the first database error.".into(),
        "`grep -rn \"except \" your_app/`".into(),
        "`python manage.py diffsettings | grep ATOMIC_REQUESTS`".into(),
    ]
}
