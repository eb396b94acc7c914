//! Secret detection and masking (`secrets::find`, `secrets::mask`): a table of lines that hold a secret and
//! lines that do not, the real Django debug pages of `fixtures/real/secrets/` (made by
//! `fixtures/gen/secrets/make.py`: every credential in them is invented), and the invariants every input keeps —
//! masking keeps the line count and every other byte, masking twice changes nothing, nothing is found in a
//! masked text, no finding repeats its value, no input panics.
//!
//! Where a line says "real", it is copied from a fixture made by a real program (named); "typical" lines are
//! written by hand in the shape of the tool named.

use traceback_explainer_core::secrets::{find, mask, MASK};
use traceback_explainer_core::{explain, render, Secret, SecretKind};

/// `kind name` of each finding, e.g. `setting DB_PASSWORD`, in order.
fn described(found: &[Secret]) -> Vec<String> {
    found.iter().map(|s| format!("{} {}", serde_json::to_value(s.kind).unwrap().as_str().unwrap(), s.name)).collect()
}

/// What every input keeps, secrets or not.
#[track_caller]
fn invariants(input: &str) {
    let m = mask(input);
    assert_eq!(m.text.matches('\n').count(), input.matches('\n').count(), "line count changed: {input:?}");
    assert_eq!(m.secrets, find(input), "mask and find disagree: {input:?}");
    assert!(find(&m.text).is_empty(), "found in the masked text: {:?} -> {:?}", m.text, find(&m.text));
    assert_eq!(mask(&m.text).text, m.text, "masking twice changed the text: {input:?}");
}

/// `input` holds exactly one secret, `value`, of this kind and name: masking replaces just it.
#[track_caller]
fn secret(input: &str, value: &str, kind: &str, name: &str) {
    invariants(input);
    let found = find(input);
    assert_eq!(described(&found), [format!("{kind} {name}")], "in {input:?}");
    assert_eq!(found[0].line, input[..input.find(value).unwrap()].matches('\n').count() + 1);
    assert_eq!(mask(input).text, input.replacen(value, MASK, 1), "masking {input:?}");
    let json = serde_json::to_string(&found).unwrap();
    assert!(!json.contains(value), "a finding repeats the secret: {json}");
}

/// `input` holds these secrets (`kind name`), and masks to `masked`.
#[track_caller]
fn secrets(input: &str, want: &[&str], masked: &str) {
    invariants(input);
    assert_eq!(described(&find(input)), want, "in {input:?}");
    assert_eq!(mask(input).text, masked);
}

#[track_caller]
fn none(input: &str) {
    invariants(input);
    assert_eq!(described(&find(input)), Vec::<String>::new(), "in {input:?}");
    assert_eq!(mask(input).text, input);
}

#[test]
fn settings_and_environment() {
    // Real: Django 2.2's plain-text 500 (fixtures/real/secrets/dj22_debug_text.txt), META and Settings.
    secret("DB_PASSWORD = 'Fx-db-pw-4e7a91'", "Fx-db-pw-4e7a91", "setting", "DB_PASSWORD");
    secret("EMAIL_HOST_PASSWORD = 'Fx-smtp-pw-19'", "Fx-smtp-pw-19", "setting", "EMAIL_HOST_PASSWORD");
    let key = "django-insecure-fx7#q2v!m8k@z4r$w9e^t1y&u3i";
    secret(&format!("APP_SECRET_KEY = '{key}'"), key, "setting", "APP_SECRET_KEY");
    let stripe = "sk_test_FX51fixtureOnlyNotARealKey0000";
    secret(&format!("STRIPE_API_KEY = '{stripe}'"), stripe, "setting", "STRIPE_API_KEY");
    // Typical settings.py and .env lines.
    secret("SECRET_KEY = 'django-insecure-3x!m@9#q'", "django-insecure-3x!m@9#q", "setting", "SECRET_KEY");
    secret("SECRET_KEY = \"k8$2j#(la9x)\"", "k8$2j#(la9x)", "setting", "SECRET_KEY");
    secret("        'PASSWORD': 'pgpass123',", "pgpass123", "setting", "PASSWORD");
    secret("DJANGO_SECRET_KEY=4k9x2m7q8w", "4k9x2m7q8w", "setting", "DJANGO_SECRET_KEY");
    secret("export DB_PASS=s3cret-pw", "s3cret-pw", "setting", "DB_PASS");
    secret("DATABASE_PASSWORD=\"s3cret pw\"", "s3cret pw", "setting", "DATABASE_PASSWORD");
    secret(
        "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "setting",
        "AWS_SECRET_ACCESS_KEY",
    );
    secret("MYSQL_PWD=r00tpw", "r00tpw", "setting", "MYSQL_PWD");
    secret("SOCIAL_AUTH_GITHUB_SECRET = 'abc123def456'", "abc123def456", "setting", "SOCIAL_AUTH_GITHUB_SECRET");
    secret("OPENAI_API_KEY=sk-fixture", "sk-fixture", "setting", "OPENAI_API_KEY");
    secret("dbPassword=hunter22 ", "hunter22", "setting", "dbPassword");
    secret("BASIC_AUTH = 'admin:hunter22'", "admin:hunter22", "setting", "BASIC_AUTH");
    // Typical docker-compose `environment:` (list and map form) and `docker run -e`.
    secret("      - POSTGRES_PASSWORD=s3cret-pw", "s3cret-pw", "setting", "POSTGRES_PASSWORD");
    secret("      POSTGRES_PASSWORD: s3cret-pw", "s3cret-pw", "setting", "POSTGRES_PASSWORD");
    secret("docker run -e DB_PASSWORD=s3cret-pw -p 8000:8000 web", "s3cret-pw", "setting", "DB_PASSWORD");
    // Typical pytest --showlocals / long report locals.
    secret("password = 'hunter22'", "hunter22", "setting", "password");
    secret("api_key = 'a1b2c3d4e5'", "a1b2c3d4e5", "setting", "api_key");
    // Django's debug page copied from the browser: the name, a tab, and the value on the next line
    // (real: fixtures/real/secrets/dj22_debug_page_copy.txt); and the same on one line.
    secret("DB_PASSWORD\t\n'Fx-db-pw-4e7a91'\n", "Fx-db-pw-4e7a91", "setting", "DB_PASSWORD");
    secret("DB_PASSWORD\t'Fx-db-pw-4e7a91'", "Fx-db-pw-4e7a91", "setting", "DB_PASSWORD");
    secret("DB_PASSWORD   'Fx-db-pw-4e7a91'", "Fx-db-pw-4e7a91", "setting", "DB_PASSWORD");
}

#[test]
fn dicts_and_dsns_in_locals() {
    // Real: Django 5.2's debug page, `conn_params` in get_new_connection's local vars
    // (fixtures/real/secrets/dj52_debug_page_copy.txt).
    secret(" 'password': 'Fx-db-pw-4e7a91',", "Fx-db-pw-4e7a91", "setting", "password");
    secret(
        "('dbname=shop client_encoding=UTF8 user=shop password=Fx-db-pw-4e7a91 '",
        "Fx-db-pw-4e7a91",
        "setting",
        "password",
    );
    // Real: pytest's long report of a refused connection (fixtures/real/pg_refused_pytest.txt).
    secrets(
        "dsn = 'dbname=postgres client_encoding=UTF8 user=shop password=shop host=127.0.0.1 port=5432'",
        &["setting password"],
        "dsn = 'dbname=postgres client_encoding=UTF8 user=shop password=******** host=127.0.0.1 port=5432'",
    );
    secrets(
        "kwargs = {'dbname': 'postgres', 'client_encoding': 'UTF8', 'user': 'shop', 'password': 'shop', ...}",
        &["setting password"],
        "kwargs = {'dbname': 'postgres', 'client_encoding': 'UTF8', 'user': 'shop', 'password': '********', ...}",
    );
    // Typical JSON and libpq keyword strings.
    secret(r#"{"user": "app", "password": "s3cret-pw"}"#, "s3cret-pw", "setting", "password");
    secret("host=db port=5432 dbname=app user=app password=s3cret-pw", "s3cret-pw", "setting", "password");
    secret("Server=db;Database=app;Uid=app;Pwd=s3cret-pw;", "s3cret-pw", "setting", "Pwd");
}

#[test]
fn url_passwords() {
    // Real: Django 2.2 and 5.2 debug pages (fixtures/real/secrets/): settings and META are not cleansed when
    // the name does not match Django's pattern.
    secret(
        "DATABASE_URL = 'postgres://shop:Fx-db-pw-4e7a91@127.0.0.1:45751/shop'",
        "Fx-db-pw-4e7a91",
        "url_password",
        "password in postgres://shop:•••@127.0.0.1:45751/shop",
    );
    secret(
        "CELERY_BROKER_URL = 'amqp://shop:Fx-mq-pw-0c3d@rabbitmq:5672//'",
        "Fx-mq-pw-0c3d",
        "url_password",
        "password in amqp://shop:•••@rabbitmq:5672//",
    );
    secret(
        "CACHES = {'default': {'BACKEND': 'django.core.cache.backends.locmem.LocMemCache', 'LOCATION': 'redis://:Fx-redis-pw-77b2@redis:6379/0'}}",
        "Fx-redis-pw-77b2",
        "url_password",
        "password in redis://:•••@redis:6379/0",
    );
    // Typical: any scheme, percent-encoded passwords, in env lines and log messages.
    secret(
        "DATABASE_URL=postgresql://app:p%40ss%3Aw0rd@db:5432/app",
        "p%40ss%3Aw0rd",
        "url_password",
        "password in postgresql://app:•••@db:5432/app",
    );
    secret(
        "mysql://root:r00t-pw@mysql/app?charset=utf8mb4",
        "r00t-pw",
        "url_password",
        "password in mysql://root:•••@mysql/app",
    );
    secret(
        "git clone https://oauth2:glx-123abc@gitlab.example.com/team/app.git",
        "glx-123abc",
        "url_password",
        "password in https://oauth2:•••@gitlab.example.com/team/app.git",
    );
    secret(
        "[2024-05-01 10:00:00] Connecting to redis://default:rd-pw-99@cache:6379 failed",
        "rd-pw-99",
        "url_password",
        "password in redis://default:•••@cache:6379",
    );
    // A long path is not repeated: it could be a token itself (a webhook URL).
    secret(
        "https://user:pw-123456@hooks.example.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX",
        "pw-123456",
        "url_password",
        "password in https://user:•••@hooks.example.com…",
    );
}

#[test]
fn tokens() {
    // AWS's own documentation example key id.
    secret("AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE", "token", "AWS access key id");
    secret(
        "token ghp_1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R used",
        "ghp_1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R",
        "token",
        "GitHub token",
    );
    secret(
        "github_pat_11ABCDEFG0123456789_abcdefghijklmnop",
        "github_pat_11ABCDEFG0123456789_abcdefghijklmnop",
        "token",
        "GitHub token",
    );
    secret(
        "SLACK_HOOK xoxb-1234567890-0987654321-AbCdEfGhIjKl",
        "xoxb-1234567890-0987654321-AbCdEfGhIjKl",
        "token",
        "Slack token",
    );
    secret(
        "stripe.error.AuthenticationError: Invalid API Key provided: sk_live_51Hx0fixture00",
        "sk_live_51Hx0fixture00",
        "token",
        "Stripe key",
    );
    secret("remote: glpat-xY3z9AbC1dEf2GhI3jKl", "glpat-xY3z9AbC1dEf2GhI3jKl", "token", "GitLab token");
    // The JWT of the fixtures (real: Django 2.2's debug page, HTTP_AUTHORIZATION split by pprint).
    let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MiIsIm5hbWUiOiJGaXh0dXJlIFVzZXIiLCJpYXQiOjE3MDAwMDAwMDB9.9oy53QsvAxq060zCBkZD0Zt_z9LD3l_Q-VcRP_bIMmI";
    secret(&format!("HTTP_AUTHORIZATION\t\n('Bearer '\n '{jwt}')\n"), jwt, "token", "JWT");
    // Real: Django 2.2's plain-text 500: the scheme stays, the credential goes.
    secrets(
        &format!("HTTP_AUTHORIZATION = 'Bearer {jwt}'"),
        &["token HTTP_AUTHORIZATION"],
        "HTTP_AUTHORIZATION = 'Bearer ********'",
    );
    // Typical request logs and curl commands (DRF's documented token).
    secrets(
        "Authorization: Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b",
        &["token Authorization"],
        "Authorization: Token ********",
    );
    secrets(
        "curl -H \"Authorization: Bearer 1f2e3d4c5b6a\" https://api.example.com/",
        &["token Authorization"],
        "curl -H \"Authorization: Bearer ********\" https://api.example.com/",
    );
    secrets("X-Api-Key: 8f14e45fceea167a5a36dedd4bea2543", &["setting X-Api-Key"], "X-Api-Key: ********");
    secrets(
        "\"GET /reset/?uid=MQ&token=c4s8dk-1f2e3d4c5b6a7 HTTP/1.1\" 200",
        &["setting token"],
        "\"GET /reset/?uid=MQ&token=******** HTTP/1.1\" 200",
    );
    secrets("bearer 0a1b2c3d4e5f6a7b", &["token Bearer token"], "bearer ********");
}

#[test]
fn cookies() {
    // Real: Django 2.2's plain-text 500 shows HTTP_COOKIE and COOKIES as they came.
    secrets(
        "HTTP_COOKIE = 'sessionid=fx0s3ss10n1dv4lu3abcdefghijklmno; csrftoken=FxCsrf0123456789abcdefABCDEFghij; theme=dark'",
        &["cookie sessionid", "cookie csrftoken"],
        "HTTP_COOKIE = 'sessionid=********; csrftoken=********; theme=dark'",
    );
    secret("sessionid = 'fx0s3ss10n1dv4lu3abcdefghijklmno'", "fx0s3ss10n1dv4lu3abcdefghijklmno", "cookie", "sessionid");
    // Typical response headers and other frameworks' cookies.
    secrets(
        "Set-Cookie: sessionid=8hd3k2l9x0q; expires=Tue, 14 May 2024 10:00:00 GMT; HttpOnly; Path=/",
        &["cookie sessionid"],
        "Set-Cookie: sessionid=********; expires=Tue, 14 May 2024 10:00:00 GMT; HttpOnly; Path=/",
    );
    secrets(
        "Cookie: PHPSESSID=a1b2c3d4e5; remember_token=x9y8z7",
        &["cookie PHPSESSID", "cookie remember_token"],
        "Cookie: PHPSESSID=********; remember_token=********",
    );
}

#[test]
fn private_keys() {
    let pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA1x2y3z4FIXTUREONLY0000000000000000000000000000000\nAbCdEfGh0123456789+/AbCdEfGh0123456789+/AbCdEfGh0123456789+/Ab==\n-----END RSA PRIVATE KEY-----\n";
    secrets(
        pem,
        &["private_key RSA PRIVATE KEY"],
        "-----BEGIN RSA PRIVATE KEY-----\n********\n********\n-----END RSA PRIVATE KEY-----\n",
    );
    assert_eq!(find(pem)[0].line, 1);
    // Behind a log prefix (docker compose).
    secrets(
        "web-1  | -----BEGIN PRIVATE KEY-----\nweb-1  | MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nweb-1  | -----END PRIVATE KEY-----",
        &["private_key PRIVATE KEY"],
        "web-1  | -----BEGIN PRIVATE KEY-----\nweb-1  | ********\nweb-1  | -----END PRIVATE KEY-----",
    );
    // On one line with `\n` escapes, as a service-account JSON holds it, and truncated.
    secrets(
        r#"KEY_DATA = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkq\n-----END PRIVATE KEY-----\n""#,
        &["private_key PRIVATE KEY"],
        r#"KEY_DATA = "-----BEGIN PRIVATE KEY-----********-----END PRIVATE KEY-----\n""#,
    );
    secrets(
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\nTraceback (most recent call last):\n  File \"x.py\", line 1, in <module>",
        &["private_key OPENSSH PRIVATE KEY"],
        "-----BEGIN OPENSSH PRIVATE KEY-----\n********\nTraceback (most recent call last):\n  File \"x.py\", line 1, in <module>",
    );
    // A public key or certificate is not a secret.
    none("-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----");
}

#[test]
fn code_and_messages_are_not_secrets() {
    // Real: code lines and messages of the fixtures (pg_refused_*, postgres/auth_*, mysql/*, setup/secret_key_*).
    none("    password=settings.DATABASES['default']['PASSWORD'],");
    none("        conn_params['password'] = settings_dict['PASSWORD']");
    none("django.db.utils.OperationalError: connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  password authentication failed for user \"shop\"");
    none("psycopg2.OperationalError: connection to server at \"127.0.0.1\", port 5432 failed: fe_sendauth: no password supplied");
    none(
        "django.db.utils.OperationalError: (1045, \"Access denied for user 'shop'@'localhost' (using password: YES)\")",
    );
    none("    raise ImproperlyConfigured(\"The SECRET_KEY setting must not be empty.\")");
    none("    key=_cookie_signer_key(settings.SECRET_KEY),");
    none("        - *password*: password used to authenticate");
    // Typical code in frames and pytest listings.
    none("SECRET_KEY = env(\"DJANGO_SECRET_KEY\")");
    none("SECRET_KEY = os.environ[\"SECRET_KEY\"]");
    none("SECRET_KEY = os.environ.get('SECRET_KEY', '')");
    none("    conn = psycopg2.connect(user=user, password=password, host=host)");
    none("    password=pw,");
    none("    session_key=await self._aget_or_create_session_key(),");
    none("    settings_dict = {**settings_dict, \"USER\": user, \"PASSWORD\": password}");
    none("    if not user.check_password(password):");
    none("def login(request, password: str, token: Optional[str] = None):");
    none(
        "  File \"/app/venv/lib/python3.11/site-packages/django/contrib/auth/hashers.py\", line 80, in check_password",
    );
    none("    if password == confirm:");
    none("token_type = 'bearer'");
    none("    INTERNAL_RESET_SESSION_TOKEN = \"_password_reset_token\"");
    none("    REASON_CSRF_TOKEN_MISSING = \"CSRF token missing.\"");
    none("ACCESS_TOKEN_LIFETIME = timedelta(minutes=5)");
    none("The Bearer authentication scheme is used.");
    // Real: psycopg2's docstring as pytest lists `connect` (fixtures/real/pg_refused_pytest.txt): examples.
    let listing = "    def connect(dsn=None, connection_factory=None, cursor_factory=None, **kwargs):\n        \"\"\"\n        Create a new database connection.\n    \n            conn = psycopg2.connect(\"dbname=test user=postgres password=secret\")\n    \n            conn = psycopg2.connect(database=\"test\", user=\"postgres\", password=\"secret\")\n        \"\"\"\n";
    none(listing);
    // A docstring ends with its indentation: a stray `"""` hides nothing after it.
    secrets(
        &format!("{listing}    \"\"\"stray\ndsn = 'user=shop password=shop'\n"),
        &["setting password"],
        &format!("{listing}    \"\"\"stray\ndsn = 'user=shop password=********'\n"),
    );
}

#[test]
fn masked_empty_and_placeholder_values_are_not_secrets() {
    // Real: Django 5.2's plain-text 500 (fixtures/real/secrets/dj52_debug_text.txt) cleanses these names.
    none("SECRET_KEY = '********************'");
    none("HTTP_COOKIE = '********************'");
    none("sessionid = '********************'");
    none("DATABASES = {'default': {'ENGINE': 'django.db.backends.postgresql', 'NAME': 'shop', 'USER': 'shop', 'PASSWORD': '********************', 'HOST': '127.0.0.1'}}");
    none("DB_PASSWORD\t\n'********************'\n");
    // Real: Django 2.2's settings that hold names, not secrets (fixtures/real/secrets/dj22_debug_text.txt).
    none("AUTH_USER_MODEL = 'auth.User'");
    none("AUTHENTICATION_BACKENDS = ['django.contrib.auth.backends.ModelBackend']");
    none("SESSION_COOKIE_NAME = 'sessionid'");
    none("CSRF_COOKIE_NAME = 'csrftoken'");
    none("CSRF_HEADER_NAME = 'HTTP_X_CSRFTOKEN'");
    none("SIGNING_BACKEND = 'django.core.signing.TimestampSigner'");
    none("PASSWORD_RESET_TIMEOUT = 259200");
    // Typical empty values, references and files that hold the secret.
    none("PASSWORD = ''");
    none("'PASSWORD': '',");
    none("DB_PASSWORD=");
    none("password = None");
    none("DB_PASSWORD=${DB_PASSWORD}");
    none("      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-postgres}");
    none("DB_PASSWORD=$DB_PASSWORD");
    none("POSTGRES_PASSWORD_FILE=/run/secrets/db_password");
    none("GOOGLE_APPLICATION_CREDENTIALS=/app/keys/service-account.json");
    none("'PASSWORD': '<your password>',");
    none("password: {{ db_password }}");
    // URLs without a password, already masked or a reference.
    none("DATABASE_URL=postgres://app@db:5432/app");
    none("redis://redis:6379/0");
    none("postgres://app:********@db:5432/app");
    none("postgres://app:${DB_PASSWORD}@db:5432/app");
    none("Request URL: http://127.0.0.1:8000/products/?page=2");
    // Names in a Python image's environment that are not secrets.
    none("GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D");
    none("PWD=/app");
}

#[test]
fn multibyte_text_next_to_secrets() {
    secret("DB_PASSWORD='пароль-секрет'", "пароль-секрет", "setting", "DB_PASSWORD");
    secret(
        "ошибка: postgres://app:pässwörd@db/app ✗",
        "pässwörd",
        "url_password",
        "password in postgres://app:•••@db/app",
    );
    secret("🐘postgres://app:pw-😀-1@db/app", "pw-😀-1", "url_password", "password in postgres://app:•••@db/app");
    secret("日本語 SECRET_KEY = 'ключ-😀-key' 日本語", "ключ-😀-key", "setting", "SECRET_KEY");
    secret("données\r\nDB_PASSWORD=motdepasse\r\nfin", "motdepasse", "setting", "DB_PASSWORD");
}

#[test]
fn odd_input_does_not_panic() {
    let mut odd: Vec<String> = [
        "",
        "\n",
        "=",
        "'",
        "\"",
        "://",
        "://@",
        "a://b:@",
        "x://:@",
        "a:b@c",
        "PASSWORD",
        "PASSWORD=",
        "PASSWORD='",
        "PASSWORD\t",
        "PASSWORD\t\n",
        "PASSWORD\t\n'",
        "'PASSWORD':",
        "'PASSWORD': '",
        "password=\\",
        "b'",
        "Bearer ",
        "Bearer",
        "eyJ",
        "eyJaaaaaaaaaaaa.eyJ",
        "eyJaaaaaaaaaaaa.eyJbbbbbbbbbbbb.",
        "AKIA",
        "ghp_",
        "-----BEGIN ",
        "-----BEGIN PRIVATE KEY-----",
        "-----BEGIN PRIVATE KEY-----\n",
        "-----BEGIN PRIVATE KEY----------END",
        "Authorization: Bearer",
        "Authorization: ",
        "\u{0}\u{1}PASSWORD=\u{0}",
        "é=é",
        "PASSWORD=é",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // Deterministic pseudo-random bytes, read as a log would be (lossy UTF-8).
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let pieces: [&[u8]; 12] =
        [b"PASSWORD", b"=", b"'", b"://", b"@", b":", b"\t", b"\n", b"eyJ", b"Bearer ", b"-----", b"\xF0\x9F"];
    for _ in 0..300 {
        let mut bytes = Vec::new();
        for _ in 0..40 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            if x.is_multiple_of(3) {
                bytes.extend_from_slice(pieces[(x >> 8) as usize % pieces.len()]);
            } else {
                bytes.push((x >> 16) as u8);
            }
        }
        odd.push(String::from_utf8_lossy(&bytes).into_owned());
    }
    for input in &odd {
        invariants(input);
    }
}

#[test]
fn real_debug_pages() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/real/secrets");
    // Every credential make.py planted, as it appears in the pages.
    let planted = [
        "Fx-db-pw-4e7a91",
        "Fx-mq-pw-0c3d",
        "Fx-redis-pw-77b2",
        "Fx-smtp-pw-19",
        "django-insecure-fx7#q2v!m8k@z4r$w9e^t1y&u3i",
        "sk_test_FX51fixtureOnlyNotARealKey0000",
        "fx0s3ss10n1dv4lu3abcdefghijklmno",
        "FxCsrf0123456789abcdefABCDEFghij",
        "9oy53QsvAxq060zCBkZD0Zt_z9LD3l_Q-VcRP_bIMmI",
    ];
    for (file, count) in [
        ("dj22_debug_text.txt", 15),
        ("dj22_debug_page_copy.txt", 24),
        ("dj52_debug_text.txt", 6),
        ("dj52_debug_page_copy.txt", 17),
    ] {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        invariants(&text);
        let m = mask(&text);
        for p in planted {
            assert!(!m.text.contains(p), "{file}: {p} survives masking");
            assert!(!serde_json::to_string(&m.secrets).unwrap().contains(p), "{file}: a finding repeats {p}");
        }
        assert_eq!(m.secrets.len(), count, "{file}: {:#?}", described(&m.secrets));
        // Everything else is byte for byte the page.
        let mut expect = text.clone();
        for p in planted {
            expect = expect.replace(p, MASK);
        }
        let jwt_head = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MiIsIm5hbWUiOiJGaXh0dXJlIFVzZXIiLCJpYXQiOjE3MDAwMDAwMDB9.";
        assert_eq!(m.text, expect.replace(&format!("{jwt_head}{MASK}"), MASK), "{file}");
    }
    // Django 5.2 cleanses the names that match its pattern: what is left are the URLs in settings it cannot
    // know hold a password.
    let text = std::fs::read_to_string(dir.join("dj52_debug_text.txt")).unwrap();
    let lines: Vec<String> = find(&text).iter().map(|s| format!("{} {}", s.line, s.name)).collect();
    assert_eq!(
        lines[..3],
        [
            "112 password in amqp://shop:•••@rabbitmq:5672//",
            "115 password in postgres://shop:•••@127.0.0.1:45751/shop",
            "134 password in redis://:•••@redis:6379/0",
        ]
    );
}

#[test]
fn the_report_lists_secrets_and_the_renderers_warn() {
    let paste = "$ cat .env\nDATABASE_URL=postgres://app:s3cret-pw@db:5432/app\nSECRET_KEY = 'abc-123-def'\n$ python manage.py migrate\nTraceback (most recent call last):\n  File \"/app/x.py\", line 3, in <module>\n    connect()\ndjango.db.utils.OperationalError: could not connect\n";
    let report = explain(paste);
    assert_eq!(report.secrets, find(paste));
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(
        json["secrets"],
        serde_json::json!([
            {"kind": "url_password", "line": 2, "name": "password in postgres://app:•••@db:5432/app"},
            {"kind": "setting", "line": 3, "name": "SECRET_KEY"},
        ])
    );
    assert!(!json.to_string().contains("s3cret-pw"));
    let warning = "This paste contains 2 secrets (password in postgres://app:•••@db:5432/app on line 2; SECRET_KEY on line 3): mask them before sharing it.";
    assert!(render::text(&report).starts_with(warning), "{}", render::text(&report));
    assert!(render::markdown(&report).contains(warning), "{}", render::markdown(&report));
    // No secrets: no field, no warning.
    let clean = explain("ValueError: x\n");
    assert!(serde_json::to_value(&clean).unwrap().get("secrets").is_none());
    assert!(!render::text(&clean).contains("secret"));
    // What the page's share link gets.
    let masked: serde_json::Value = serde_json::from_str(&traceback_explainer_core::mask_secrets_json(paste)).unwrap();
    assert_eq!(masked["text"], paste.replace("s3cret-pw", MASK).replace("abc-123-def", MASK));
    assert_eq!(masked["secrets"], json["secrets"]);
    assert_eq!(
        SecretKind::PrivateKey,
        find("-----BEGIN PRIVATE KEY-----\nAAAAAAAA\n-----END PRIVATE KEY-----")[0].kind
    );
}
