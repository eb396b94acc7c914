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
              PostgreSQL's \"current transaction is aborted\"): an earlier query failed inside a transaction, the \
              code caught the exception and went on querying. The first error, not this one, is the one to fix.",
    example: "real/postgres/transaction_broken_pg.txt",
    diagnose,
};

const EXPLANATION: &str = "A query failed inside a transaction (usually an IntegrityError), your code caught the \
exception, and then ran another query in the same transaction. After an error the database refuses everything \
until the transaction is rolled back, so Django stops you. Catch database errors outside `atomic()`, or wrap \
the statement that may fail in its own nested `atomic()` (a savepoint) and catch outside that.";

const REFERENCES: [&str; 2] = [
    "Django documentation: Avoid catching exceptions inside atomic! — https://docs.djangoproject.com/en/stable/topics/db/transactions/#controlling-transactions-explicitly",
    "Django documentation: TestCase and transactions — https://docs.djangoproject.com/en/stable/topics/testing/tools/#django.test.TestCase",
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
    r.recognised(
        format!("`{}` says the transaction is already broken by an earlier error.", short(&hit.exception.type_name)),
        quote,
    );
    if let Some(e) = first {
        let line = e.message.lines().next().unwrap_or("");
        r.recognised(
            format!("The first error, earlier in the chain, is a `{}`: fix or isolate that one.", short(&e.type_name)),
            Some(line),
        );
    }

    let c = r.cause("caught-inside-atomic", "An exception is caught inside atomic() and the code keeps querying", 1.5);
    if let Some(f) = app {
        c.support(
            1.0,
            format!(
                "Your code's last frame is `{}` in {}: look there for a try/except around a query inside `atomic()`.",
                f.function, f.file
            ),
            f.code.as_deref(),
        );
    }
    if in_test || aborted {
        c.weaken(0.3, "Other evidence points to a test or to manual transaction handling.");
    } else if first.is_some() {
        c.support(
            2.0,
            "The chain shows the first database error and then this one: the code caught the first and went on.",
            None,
        );
    }
    c.fix(fix_savepoint(&v)).tests(tests.clone()).checks(checks()).ci(ci.clone());

    let c = r.cause("testcase-expects-error", "A TestCase expects a database error and then queries", 0.2);
    if in_test {
        c.support(4.0, "It happened in a test: TestCase wraps every test in atomic(), so a caught IntegrityError breaks the rest of the test.", None);
    }
    c.fix(fix_test(&v)).tests(tests.clone()).checks(checks()).ci(ci.clone());

    let c = r.cause("atomic-requests", "ATOMIC_REQUESTS wraps the view, and the view swallows a database error", 0.2);
    if request {
        c.support(
            1.5,
            "It happened while serving a request: with ATOMIC_REQUESTS every view runs inside one transaction.",
            None,
        );
    }
    c.fix(fix_savepoint(&v)).tests(tests.clone()).checks(checks()).ci(ci.clone());

    let c = r.cause(
        "manual-autocommit",
        "Autocommit was turned off by hand (or a raw cursor) and the failed transaction was not rolled back",
        0.1,
    );
    if aborted {
        c.support(4.0, "PostgreSQL itself refused the statement: Django's atomic() was not guarding this transaction, so autocommit was off or a raw connection was used.", quote);
    }
    if misuse {
        c.support(
            3.0,
            "Transaction control (autocommit, rollback flag) was used in the wrong place relative to atomic().",
            quote,
        );
    }
    c.fix(fix_manual(&v)).tests(tests).checks(checks()).ci(ci);

    r.finish(|a, b| {
        format!(
            "The paste cannot decide between \"{a}\" and \"{b}\". Find the first database error of that transaction \
             (earlier in this traceback or in the log just before) and the try/except that caught it."
        )
    })
}

fn kit_workflow(v: &Values) -> Snippet {
    pg::workflow(v, "run the tests against the production database engine")
}

const SAVEPOINT_TEST: &str = r#"import pytest
from django.db import IntegrityError, transaction


@pytest.mark.django_db
def test_duplicate_is_rolled_back_to_a_savepoint(django_user_model):
    django_user_model.objects.create(username="ann")
    with pytest.raises(IntegrityError):
        with transaction.atomic():  # the savepoint: only this part is rolled back
            django_user_model.objects.create(username="ann")
    # The outer transaction is still usable.
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
        "Wrap the statement that may fail in its own atomic() and catch the error outside it: only that savepoint is rolled back.",
        "{where}",
        "python",
        "from django.db import IntegrityError, transaction\n\nwith transaction.atomic():\n    for row in rows:\n        try:\n            Product.objects.create(**row)\n        except IntegrityError:\n            continue  # the transaction is broken from here on\n",
        "from django.db import IntegrityError, transaction\n\nwith transaction.atomic():\n    for row in rows:\n        try:\n            with transaction.atomic():  # savepoint\n                Product.objects.create(**row)\n        except IntegrityError:\n            continue  # rolled back to the savepoint; the outer transaction is fine\n",
    )
}

fn fix_test(v: &Values) -> Fix {
    pg::fix(
        v,
        "In a TestCase, wrap the statement expected to fail in transaction.atomic() inside assertRaises.",
        "tests.py",
        "python",
        "def test_duplicate(self):\n    try:\n        Product.objects.create(slug=\"apple\")\n    except IntegrityError:\n        pass\n    self.assertEqual(Product.objects.count(), 1)\n",
        "def test_duplicate(self):\n    with self.assertRaises(IntegrityError):\n        with transaction.atomic():\n            Product.objects.create(slug=\"apple\")\n    self.assertEqual(Product.objects.count(), 1)\n",
    )
}

fn fix_manual(v: &Values) -> Fix {
    pg::fix(
        v,
        "Use atomic() instead of managing autocommit by hand; if you must, roll back after an error before the next statement.",
        "{where}",
        "python",
        "transaction.set_autocommit(False)\ntry:\n    Product.objects.create(**row)\nexcept IntegrityError:\n    pass\nProduct.objects.count()\n",
        "try:\n    with transaction.atomic():\n        Product.objects.create(**row)\nexcept IntegrityError:\n    pass  # rolled back; the connection is usable\nProduct.objects.count()\n",
    )
}

fn checks() -> Vec<String> {
    vec![
        "Search the chain (\"The above exception was the direct cause\") or the log just before for the first database error.".into(),
        "`grep -rn \"except IntegrityError\\|except DatabaseError\\|except Exception\" your_app/`: which of them sits inside atomic() or a TestCase?".into(),
        "`python manage.py diffsettings | grep ATOMIC_REQUESTS`".into(),
    ]
}
