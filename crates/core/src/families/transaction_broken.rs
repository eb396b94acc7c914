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
    summary: "TransactionManagementError \"You can't execute queries until the end of the 'atomic' block\" (or \
              \"current transaction is aborted\"): a query failed inside a transaction, the code caught it and \
              went on querying.",
    example: "real/postgres/transaction_broken_pg.txt",
    diagnose,
};

const EXPLANATION: &str = "A query failed inside a transaction, the code caught the error and queried again. The \
database refuses everything until a rollback. Wrap the statement that may fail in its own `atomic()` (a \
savepoint) and catch outside it.";

const REFERENCES: [&str; 2] = [
    "Django docs: Avoid catching exceptions inside atomic — https://docs.djangoproject.com/en/stable/topics/db/transactions/#controlling-transactions-explicitly",
    "Django docs: TestCase — https://docs.djangoproject.com/en/stable/topics/testing/tools/#django.test.TestCase",
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
    r.recognised("An earlier error broke the transaction.", quote);
    if let Some(e) = first {
        let line = e.message.lines().next().unwrap_or("");
        r.recognised(format!("The first error is a `{}`: fix or isolate that one.", short(&e.type_name)), Some(line));
    }

    let c = r.cause("caught-inside-atomic", "An exception is caught inside atomic() and the code keeps querying", 1.5);
    if let Some(f) = app {
        c.support(
            1.0,
            format!("Look for a try/except inside `atomic()` around `{}` in {}.", f.function, f.file),
            f.code.as_deref(),
        );
    }
    if in_test || aborted {
        c.weaken(0.3, "It points to a test or manual transaction handling.");
    } else if first.is_some() {
        c.support(2.0, "The chain shows the first error, caught, then this one.", None);
    }
    c.fix(fix_savepoint(&v)).tests(tests.clone()).checks(checks()).ci(ci.clone());

    let c = r.cause("testcase-expects-error", "A TestCase expects a database error and then queries", 0.2);
    if in_test {
        c.support(4.0, "It happened in a test: TestCase wraps each test in atomic().", None);
    }
    c.fix(fix_test(&v)).tests(tests.clone()).checks(checks()).ci(ci.clone());

    let c = r.cause("atomic-requests", "ATOMIC_REQUESTS wraps the view, and the view swallows a database error", 0.2);
    if request {
        c.support(1.5, "It happened in a request: ATOMIC_REQUESTS runs each view in one transaction.", None);
    }
    c.fix(fix_savepoint(&v)).tests(tests.clone()).checks(checks()).ci(ci.clone());

    let c = r.cause(
        "manual-autocommit",
        "Autocommit was turned off by hand (or a raw cursor) and the failed transaction was not rolled back",
        0.1,
    );
    if aborted {
        c.support(4.0, "PostgreSQL refused it, not atomic(): autocommit was off or a raw connection was used.", quote);
    }
    if misuse {
        c.support(3.0, "Autocommit or the rollback flag was used in the wrong place relative to atomic().", quote);
    }
    c.fix(fix_manual(&v)).tests(tests).checks(checks()).ci(ci);

    r.finish(|a, b| {
        format!(
            "Cannot decide between \"{a}\" and \"{b}\": find the first database error and the try/except that caught it."
        )
    })
}

fn kit_workflow(v: &Values) -> Snippet {
    pg::workflow(v, "tests on the production database engine")
}

const SAVEPOINT_TEST: &str = r#"import pytest
from django.db import IntegrityError, transaction


@pytest.mark.django_db
def test_duplicate_is_rolled_back_to_a_savepoint(django_user_model):
    django_user_model.objects.create(username="ann")
    with pytest.raises(IntegrityError):
        with transaction.atomic():  # savepoint
            django_user_model.objects.create(username="ann")
    assert django_user_model.objects.count() == 1
"#;

fn savepoint_test(v: &Values) -> Snippet {
    pg::snippet(
        &v.fill("A caught {error} leaves the transaction usable"),
        "tests/test_transactions.py",
        v.fill(SAVEPOINT_TEST),
    )
}

fn fix_savepoint(v: &Values) -> Fix {
    pg::fix(
        v,
        "Wrap the statement that may fail in its own atomic() and catch outside it.",
        "{where}",
        "python",
        "try:\n    Product.objects.create(**row)\nexcept IntegrityError:\n    pass  # transaction now broken\n",
        "try:\n    with transaction.atomic():  # savepoint\n        Product.objects.create(**row)\nexcept IntegrityError:\n    pass\n",
    )
}

fn fix_test(v: &Values) -> Fix {
    pg::fix(
        v,
        "In a TestCase, wrap the failing statement in atomic() inside assertRaises.",
        "tests.py",
        "python",
        "try:\n    Product.objects.create(slug=\"apple\")\nexcept IntegrityError:\n    pass\n",
        "with self.assertRaises(IntegrityError):\n    with transaction.atomic():\n        Product.objects.create(slug=\"apple\")\n",
    )
}

fn fix_manual(v: &Values) -> Fix {
    pg::fix(
        v,
        "Use atomic() instead of managing autocommit by hand.",
        "{where}",
        "python",
        "transaction.set_autocommit(False)\ntry:\n    Product.objects.create(**row)\nexcept IntegrityError:\n    pass\n",
        "try:\n    with transaction.atomic():\n        Product.objects.create(**row)\nexcept IntegrityError:\n    pass\n",
    )
}

fn checks() -> Vec<String> {
    vec![
        "Find the first database error earlier in the chain or log.".into(),
        "`grep -rn \"except \" your_app/`: which handler sits inside atomic() or a TestCase?".into(),
        "`python manage.py diffsettings | grep ATOMIC_REQUESTS`".into(),
    ]
}
