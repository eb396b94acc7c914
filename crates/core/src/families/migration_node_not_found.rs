//! `migration-node-not-found` (DJ027): a migration depends on a migration Django cannot find.
//!
//! Recognised by `NodeNotFoundError` with `Migration a.n dependencies reference nonexistent parent node ('b',
//! 'm')` (and the squash variant `depends on nonexistent node`), and the loader's sibling `ValueError`s
//! `Dependency on app with no migrations: b` / `Dependency on unknown app: b`. Causes: the parent file deleted,
//! renamed or never committed; its app removed from INSTALLED_APPS; a third-party package that squashed or
//! dropped it; an app without migrations.

use super::kit::{self, Ranking, Values};
use super::schema_common as sc;
use super::{Context, Family};
use crate::model::Diagnosis;

pub const FAMILY: Family = Family {
    id: "migration-node-not-found",
    code: "DJ027",
    title: "A migration depends on one that does not exist",
    summary: "NodeNotFoundError \"dependencies reference nonexistent parent node\": a missing dependency.",
    example: "real/schema/node_not_found_deleted_file.txt",
    diagnose,
};

const EXPLANATION: &str = "`{migration}` depends on `{parent}`, which no installed app has.";

fn diagnose(cx: &Context<'_>) -> Vec<Diagnosis> {
    let node = kit::find(cx.tb, &["NodeNotFoundError"], &["nonexistent parent node", "depends on nonexistent node"]);
    let value =
        kit::find(cx.tb, &["ValueError"], &["Dependency on app with no migrations: ", "Dependency on unknown app: "]);
    let Some(hit) = node.or(value).filter(|h| sc::is_final(cx, h.index)) else { return Vec::new() };
    let line = hit.line;
    let migration = kit::between(line, "Migration ", " ").map(sc::ident).unwrap_or_default();
    let (p_app, p_name) = match kit::between(line, "node (", ")") {
        Some(t) => {
            let mut parts = t.split(',').map(|s| sc::ident(s.trim().trim_matches('\'')));
            (parts.next().unwrap_or_default(), parts.next().unwrap_or_default())
        }
        None => (sc::ident(line.rsplit(": ").next().unwrap_or("")), String::new()),
    };
    let own = migration.split('.').next().unwrap_or("").to_string();
    let parent = if p_name.is_empty() { p_app.clone() } else { format!("{p_app}.{p_name}") };
    let mut v = Values::new(cx);
    v.set("migration", if migration.is_empty() { "your migration".to_string() } else { migration.clone() });
    v.set("parent", parent.as_str())
        .set("parent_app", p_app.as_str())
        .set("parent_name", p_name.as_str())
        .set("app", own.as_str());
    let ci = sc::migrations_ci(&v);
    let tests = vec![sc::py("The migration graph builds", "tests/test_migrations.py", TEST_GRAPH.into())];
    let mut r = Ranking::new(&FAMILY, v.fill(EXPLANATION), &[sc::REF_MIGRATIONS]);
    r.recognised(format!("`{parent}` is missing."), Some(line));
    let installed = &cx.facts.installed_apps;
    let not_installed = line.contains("unknown app")
        || (!installed.is_empty() && !installed.iter().any(|a| a.rsplit('.').next() == Some(p_app.as_str())));

    let c = r.cause("file-missing", "The parent file is gone", 1.0);
    if !own.is_empty() && own == p_app {
        c.support(3.0, format!("Same app `{own}`."), Some(line));
    } else if !p_app.is_empty() {
        c.weaken(0.4, format!("Another app (`{p_app}`)."));
    }
    c.fix(v.fix(
        "Restore the file.",
        "terminal",
        "shell",
        "$ ls {parent_app}/migrations/\n",
        "$ git log --diff-filter=D --name-only -- {parent_app}/migrations/\n",
    ))
    .tests(tests.clone())
    .ci(ci.clone())
    .checks(vec![v.fill("Is `{parent_app}/migrations/{parent_name}.py` deployed?")]);

    let c = r.cause("app-not-installed", "The parent's app is not installed", 0.4);
    if !not_installed && !p_app.is_empty() && p_app != own {
        c.support(1.0, format!("`{p_app}` is another app."), None);
    }
    if not_installed {
        c.support(3.0, format!("`{p_app}` is not installed."), Some(line));
    }
    if !own.is_empty() && own == p_app {
        c.weaken(0.2, "Same app.");
    }
    c.fix(v.fix(
        "Install the app, or drop the dependency.",
        "settings.py",
        "python",
        "INSTALLED_APPS = [...]\n",
        "INSTALLED_APPS = [..., \"{parent_app}\"]\n",
    ))
    .tests(tests.clone())
    .ci(ci.clone())
    .checks(vec![v.fill("Is `{parent_app}` installed?")]);

    let c = r.cause("package-removed-migration", "A package removed the migration", 0.3);
    if !p_app.is_empty() && p_app != own && !not_installed {
        c.support(1.5, format!("A `{p_app}` upgrade may have removed `{p_name}`."), None);
    }
    c.fix(v.fix(
        "Depend on an existing migration.",
        "0002_migration.py",
        "python",
        "dependencies = [(\"{parent_app}\", \"{parent_name}\")]\n",
        "dependencies = [(\"{parent_app}\", \"__first__\")]\n",
    ))
    .tests(tests)
    .ci(ci)
    .checks(vec![v.fill("`pip show -f {parent_app} | grep migrations`")]);

    super::orm_common::finish(r, &format!("should `{parent}` come from your repository or a package?"))
}

const TEST_GRAPH: &str = r#"from django.db.migrations.loader import MigrationLoader


def test_migration_graph_builds():
    MigrationLoader(None, ignore_no_migrations=True)
"#;
