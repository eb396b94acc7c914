//! GitHub Actions workflows for the CI tab: one builder, so every family's workflow has the same shape —
//! checkout, setup-python with the paste's Python version, a database service with a health check when the
//! paste's engine needs one, then the steps that would have caught the family's error.

use super::kit::Values;
use crate::model::Snippet;

/// One step: a name and a shell command.
pub struct Step<'a> {
    pub name: &'a str,
    pub run: &'a str,
}

const HEADER: &str = "name: tests\n\non:\n  push:\n  pull_request:\n\njobs:\n  test:\n    runs-on: ubuntu-latest\n";

const POSTGRES: &str = r#"    services:
      postgres:
        image: postgres:16
        env:
          POSTGRES_DB: {db}
          POSTGRES_USER: postgres
          POSTGRES_PASSWORD: postgres
        ports:
          - "{port}:5432"
        options: >-
          --health-cmd "pg_isready -U postgres"
          --health-interval 5s
          --health-timeout 5s
          --health-retries 10
    env:
      POSTGRES_HOST: localhost
      POSTGRES_PORT: "{port}"
      POSTGRES_DB: {db}
      POSTGRES_USER: postgres
      POSTGRES_PASSWORD: postgres
      DATABASE_URL: postgres://postgres:postgres@localhost:{port}/{db}
"#;

const MYSQL: &str = r#"    services:
      mysql:
        image: mysql:8.4
        env:
          MYSQL_DATABASE: {db}
          MYSQL_ROOT_PASSWORD: root
        ports:
          - "{port}:3306"
        options: >-
          --health-cmd "mysqladmin ping -h 127.0.0.1 -proot"
          --health-interval 5s
          --health-timeout 5s
          --health-retries 10
    env:
      MYSQL_HOST: 127.0.0.1
      MYSQL_PORT: "{port}"
      MYSQL_DATABASE: {db}
      MYSQL_USER: root
      MYSQL_PASSWORD: root
      DATABASE_URL: mysql://root:root@127.0.0.1:{port}/{db}
"#;

const STEPS_HEAD: &str = r#"    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "{python}"
      - name: Install dependencies
        run: pip install -r requirements.txt {driver_pip} pytest-django
"#;

/// A workflow with the database service the paste's engine needs and `steps` after installation.
pub fn workflow(v: &Values, title: &str, steps: &[Step<'_>]) -> Snippet {
    let mut yaml = String::from(HEADER);
    match v.get("engine") {
        "django.db.backends.postgresql" => yaml.push_str(&v.fill(POSTGRES)),
        "django.db.backends.mysql" => yaml.push_str(&v.fill(MYSQL)),
        _ => {}
    }
    yaml.push_str(&v.fill(STEPS_HEAD).replace(" \n", "\n").replace("  pytest-django", " pytest-django"));
    for s in steps {
        yaml.push_str(&format!("      - name: {}\n        run: {}\n", s.name, v.fill(s.run)));
    }
    Snippet {
        title: format!("GitHub Actions: {} (Python {})", v.fill(title), v.get("python")),
        file: ".github/workflows/tests.yml".into(),
        language: "yaml",
        code: yaml,
    }
}
