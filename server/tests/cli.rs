//! The `blueprint` binary as scripts use it: exit statuses, one-line errors, the default SQLite
//! database created on first start, and `serve` running from a folder with no Cargo.toml.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_blueprint");

/// Runs the binary in `dir` with a clean Blueprint environment.
fn blueprint(dir: &std::path::Path) -> Command {
    let mut command = Command::new(BIN);
    command.current_dir(dir);
    for (key, _) in std::env::vars() {
        if key.starts_with("BLUEPRINT_") {
            command.env_remove(key);
        }
    }
    command
}

fn assert_one_line_error(output: &std::process::Output, needle: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "stderr: {stderr}");
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line: {stderr}");
    assert!(lines[0].starts_with("blueprint: "), "{stderr}");
    assert!(lines[0].contains(needle), "{needle} in {stderr}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("backtrace"),
        "{stderr}"
    );
}

#[test]
fn an_unreachable_postgres_ends_serve_with_one_line_and_status_3() {
    let dir = tempfile::tempdir().unwrap();
    let output = blueprint(dir.path())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env(
            "BLUEPRINT_DATABASE_URL",
            "postgres://blueprint:secret@127.0.0.1:9/blueprint",
        )
        .output()
        .unwrap();
    assert_one_line_error(
        &output,
        "cannot connect to the database at postgres://blueprint:***@127.0.0.1:9/blueprint",
    );
    assert!(!String::from_utf8_lossy(&output.stderr).contains("secret"));
}

#[test]
fn bad_settings_and_usage_errors_exit_3_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&[&str], &str); 4] = [
        (&["--bogus"], "unexpected argument '--bogus'"),
        (
            &["serve", "--listen", "localhost"],
            "listen: `localhost` is not an address",
        ),
        (
            &["migrate", "--database-url", "mysql://root@db/x"],
            "database_url:",
        ),
        (
            &["migrate", "--config", "missing.toml"],
            "cannot read the config file missing.toml",
        ),
    ];
    for (args, needle) in cases {
        let output = blueprint(dir.path()).args(args).output().unwrap();
        assert_one_line_error(&output, needle);
    }
    let help = blueprint(dir.path()).arg("--help").output().unwrap();
    assert_eq!(help.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&help.stdout).contains("BLUEPRINT_DATABASE_URL"));
}

#[test]
fn a_bad_smtp_url_is_refused_without_its_password_and_bad_allowed_hosts_are_named() {
    let dir = tempfile::tempdir().unwrap();
    for url in [
        "smtp://blueprint:s3cret@mail.example.com:notaport",
        "smtp://blueprint:s3cret@mail.example.com:25?tls=bogus",
    ] {
        let output = blueprint(dir.path())
            .arg("migrate")
            .env("BLUEPRINT_SMTP_URL", url)
            .env("BLUEPRINT_MAIL_FROM", "Blueprint <blueprint@example.com>")
            .output()
            .unwrap();
        assert_one_line_error(&output, "smtp_url: `smtp://blueprint:***@mail.example.com:");
        assert!(
            !String::from_utf8_lossy(&output.stderr).contains("s3cret"),
            "{url}"
        );
        // Nor does the help, which shows the variables' values.
        let help = blueprint(dir.path())
            .arg("--help")
            .env("BLUEPRINT_SMTP_URL", url)
            .output()
            .unwrap();
        assert!(!String::from_utf8_lossy(&help.stdout).contains("s3cret"));
    }
    let output = blueprint(dir.path())
        .arg("migrate")
        .env(
            "BLUEPRINT_WEBHOOK_ALLOWED_HOSTS",
            "hooks.internal, http://10.0.0.1/",
        )
        .output()
        .unwrap();
    assert_one_line_error(
        &output,
        "webhook_allowed_hosts: `http://10.0.0.1/` is not a host name, an IP address or a CIDR",
    );
}

#[test]
fn migrate_creates_the_default_sqlite_database_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let first = blueprint(dir.path()).arg("migrate").output().unwrap();
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let applied = String::from_utf8_lossy(&first.stdout).into_owned();
    assert!(
        applied.starts_with("applied ")
            && applied.contains(" migrations to sqlite://data/blueprint.db"),
        "{applied}"
    );
    assert!(!applied.starts_with("applied 0 "), "{applied}");
    assert!(dir.path().join("data/blueprint.db").is_file());
    let second = blueprint(dir.path()).arg("migrate").output().unwrap();
    assert!(String::from_utf8_lossy(&second.stdout).starts_with("applied 0 migrations"));
}

#[test]
fn serve_runs_from_any_folder_and_stops_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("data/events/acme")).unwrap();
    let mut child = blueprint(dir.path())
        .args(["--listen", "127.0.0.1:0", "--site-root", "no-site-here"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let address = line
        .trim()
        .strip_prefix("Blueprint is serving http://")
        .unwrap_or_else(|| panic!("unexpected first line: {line}"))
        .to_owned();
    let health = http_get(&address, "/healthz");
    let home = http_get(&address, "/");
    let page = http_get(&address, "/login");
    unsafe_kill_term(child.id());
    let status = child.wait().unwrap();
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(
        home.starts_with("HTTP/1.1 303"),
        "anonymous visitors are sent to sign in: {home}"
    );
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(page.contains("Sign in to Blueprint"), "{page}");

    assert!(status.success(), "graceful shutdown on SIGTERM: {status:?}");
    assert!(dir.path().join("data/blueprint.db").is_file());
}

fn http_get(address: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

fn unsafe_kill_term(pid: u32) {
    let status = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

fn run_ok(dir: &std::path::Path, args: &[&str]) -> String {
    let output = blueprint(dir)
        .args(args)
        .env("BLUEPRINT_LOG", "warn")
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn data_commands_follow_the_command_line_contract() {
    let dir = tempfile::tempdir().unwrap();
    let hour_dir = dir.path().join("data/events/shop/dt=2026-11-20/hr=10");
    std::fs::create_dir_all(&hour_dir).unwrap();
    std::fs::write(
        hour_dir.join("part-0.jsonl"),
        concat!(
            r#"{"event":"add, to \"cart\"","context":{"app":{"name":"Shop","version":"3.2"},"os":{"name":"iOS"},"sessionId":"a"},"properties":{"sku":"x"}}"#,
            "\n",
            r#"{"event":"open","context":{"app":{"name":"Shop","version":"3.2"},"os":{"name":"iOS"},"sessionId":"a"}}"#,
            "\nnot json\n"
        ),
    )
    .unwrap();
    let line = run_ok(
        dir.path(),
        &["ingest", "--tenant", "shop", "--hour", "2026-11-20T10"],
    );
    assert!(
        line.starts_with("shop 2026-11-20T10:00:00Z: ok; 2 events, 1 rejected"),
        "{line}"
    );
    let csv = run_ok(
        dir.path(),
        &[
            "counts",
            "--tenant",
            "shop",
            "--from",
            "2026-11-20T00",
            "--to",
            "2026-11-21T00",
        ],
    );
    assert_eq!(
        csv,
        "hour,application,version,platform,screen,event,events,sessions\n\
         2026-11-20T10:00:00Z,Shop,3.2,iOS,(none),\"add, to \"\"cart\"\"\",1,1\n\
         2026-11-20T10:00:00Z,Shop,3.2,iOS,(none),open,1,1\n"
    );
    let json = run_ok(
        dir.path(),
        &[
            "counts",
            "--tenant",
            "shop",
            "--from",
            "2026-11-20T10",
            "--to",
            "2026-11-20T11",
            "--format",
            "json",
        ],
    );
    let rows: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 2);
    assert!(
        run_ok(
            dir.path(),
            &[
                "counts",
                "--tenant",
                "shop",
                "--from",
                "2026-11-20T11",
                "--to",
                "2026-11-20T12"
            ]
        )
        .lines()
        .count()
            == 1
    );
    let catalog: serde_json::Value =
        serde_json::from_str(&run_ok(dir.path(), &["catalog", "--tenant", "shop"])).unwrap();
    assert_eq!(catalog["tenant"], "shop");
    assert_eq!(catalog["applications"][0]["version"], "3.2");
    assert_eq!(catalog["events"][0]["keys"][0]["types"]["string"], 1);
    let backfill = run_ok(
        dir.path(),
        &[
            "backfill",
            "--tenant",
            "shop",
            "--from",
            "2026-11-20T09",
            "--to",
            "2026-11-20T12",
            "--wait",
        ],
    );
    assert!(
        backfill.contains("3 hours, 1 ok, 2 without data, 0 failed; 2 events"),
        "{backfill}"
    );
    assert!(
        run_ok(
            dir.path(),
            &["mapping", "--tenant", "shop", "--preset", "snowplow"]
        )
        .contains("preset snowplow")
    );

    let failures: [(&[&str], &str); 8] = [
        (
            &["ingest", "--tenant", "nope", "--hour", "2026-11-20T10"],
            "unknown tenant `nope`",
        ),
        (
            &["ingest", "--tenant", "shop", "--hour", "2026-11-20"],
            "is not an hour",
        ),
        (
            &[
                "counts",
                "--tenant",
                "shop",
                "--from",
                "2026-11-20T10",
                "--to",
                "2026-11-20T10",
            ],
            "is empty",
        ),
        (
            &["mapping", "--tenant", "shop", "--file", "missing.toml"],
            "cannot read the mapping file missing.toml",
        ),
        (
            &["catalog", "--tenant", "shop", "--format", "xml"],
            "invalid value 'xml'",
        ),
        (
            &[
                "backfill",
                "--tenant",
                "shop",
                "--from",
                "2026-11-20T12",
                "--to",
                "2026-11-20T12",
            ],
            "is empty",
        ),
        (
            &[
                "backfill",
                "--tenant",
                "nope",
                "--from",
                "2026-11-20T10",
                "--to",
                "2026-11-20T12",
            ],
            "unknown tenant `nope`",
        ),
        (
            &[
                "backfill",
                "--tenant",
                "shop",
                "--from",
                "2026-09-01T00",
                "--to",
                "2026-09-01T02",
            ],
            "older than the hourly detail",
        ),
    ];
    for (args, needle) in failures {
        let output = blueprint(dir.path()).args(args).output().unwrap();
        assert_one_line_error(&output, needle);
    }
    // The refused backfills queued nothing: the next one is number 2 (after the one above).
    let queued = run_ok(
        dir.path(),
        &[
            "backfill",
            "--tenant",
            "shop",
            "--from",
            "2026-11-20T10",
            "--to",
            "2026-11-20T11",
        ],
    );
    assert!(
        queued.contains(
            "queued backfill 2: shop 2026-11-20T10:00:00Z to 2026-11-20T11:00:00Z (1 hour)"
        ),
        "{queued}"
    );
    assert!(queued.contains("no worker is running"), "{queued}");
}

fn http(address: &str, request: &str) -> String {
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

#[test]
fn adding_a_user_whose_email_exists_exits_3_with_one_line_and_keeps_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let add = |password: &str| {
        let mut child = blueprint(dir.path())
            .args([
                "user",
                "add",
                "Ops@Example.com",
                "--role",
                "admin",
                "--password-stdin",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{password}\n").as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let first = add("the first long password");
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let again = add("another long password");
    assert_one_line_error(
        &again,
        "a user with the email ops@example.com already exists",
    );
    // The first password still signs in: nothing of the first user was changed.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        use sea_orm::EntityTrait;
        let url = format!(
            "sqlite://{}/data/blueprint.db?mode=rwc",
            dir.path().display()
        );
        let db = blueprint_core::db::Database::open(
            &blueprint_core::db::DatabaseUrl::parse(&url).unwrap(),
            &blueprint_core::db::PoolSettings::default(),
        )
        .await
        .unwrap();
        let users = blueprint_core::entities::user::Entity::find()
            .all(db.conn())
            .await
            .unwrap();
        assert_eq!(users.len(), 1);
        let hash = users[0].password_hash.clone();
        assert!(blueprint_core::accounts::passwords::verify_password(
            "the first long password",
            hash.as_deref()
        ));
    });
}

#[test]
fn passwords_tokens_and_session_ids_never_appear_in_clear_in_logs_or_the_database() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("data/events/shop")).unwrap();
    let password = "Very-Secret-Passw0rd-4217";
    let mut add = blueprint(dir.path())
        .args([
            "user",
            "add",
            "ops@example.com",
            "--role",
            "admin",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    add.stdin
        .take()
        .unwrap()
        .write_all(format!("{password}\n").as_bytes())
        .unwrap();
    let added = add.wait_with_output().unwrap();
    assert!(added.status.success());
    assert!(
        !String::from_utf8_lossy(&added.stdout).contains(password),
        "a given password is not echoed"
    );

    let log = dir.path().join("serve.log");
    let mut child = blueprint(dir.path())
        .args(["serve", "--listen", "127.0.0.1:0", "--log", "debug"])
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let address = line
        .trim()
        .strip_prefix("Blueprint is serving http://")
        .unwrap()
        .to_owned();

    let body = format!(r#"{{"email":"ops@example.com","password":"{password}"}}"#);
    let signed_in = http(
        &address,
        &format!(
            "POST /api/v1/session HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    );
    assert!(signed_in.starts_with("HTTP/1.1 200"), "{signed_in}");
    let cookie = signed_in
        .lines()
        .find_map(|l| {
            l.strip_prefix("set-cookie: ")
                .or_else(|| l.strip_prefix("Set-Cookie: "))
        })
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    assert!(cookie.contains("blueprint_session="), "{cookie}");
    let session_value = cookie.split('=').nth(1).unwrap().to_owned();

    // A token, made the way the tokens page makes it, then used against the running server.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let secret = runtime.block_on(async {
        let url = format!(
            "sqlite://{}/data/blueprint.db?mode=rwc",
            dir.path().display()
        );
        let db = blueprint_core::db::Database::open(
            &blueprint_core::db::DatabaseUrl::parse(&url).unwrap(),
            &blueprint_core::db::PoolSettings::default(),
        )
        .await
        .unwrap();
        let events = blueprint_core::events_root::EventsRoot::open(
            &blueprint_core::events_root::EventsLocation::Local(dir.path().join("data/events")),
        )
        .unwrap();
        let services = blueprint_core::Services::new(db, events);
        let admin = blueprint_core::accounts::users::actor_for(&services, 1)
            .await
            .unwrap()
            .unwrap();
        let new = blueprint_core::accounts::tokens::NewToken {
            name: "ci".into(),
            tenant: None,
            role: None,
        };
        blueprint_core::accounts::tokens::create_token(&services, &admin, new)
            .await
            .unwrap()
            .0
    });
    let listed = http(
        &address,
        &format!(
            "GET /api/v1/tenants HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {secret}\r\nConnection: close\r\n\r\n"
        ),
    );
    assert!(
        listed.starts_with("HTTP/1.1 200") && listed.contains("\"shop\""),
        "{listed}"
    );
    unsafe_kill_term(child.id());
    child.wait().unwrap();

    let logs = std::fs::read_to_string(&log).unwrap();
    assert!(
        logs.contains("DEBUG") || logs.contains("INFO"),
        "the server logged at debug level"
    );
    let mut stored = Vec::new();
    for suffix in ["", "-wal"] {
        if let Ok(bytes) = std::fs::read(format!(
            "{}/data/blueprint.db{suffix}",
            dir.path().display()
        )) {
            stored.extend(bytes);
        }
    }
    let stored = String::from_utf8_lossy(&stored);
    assert!(
        stored.contains("$argon2id$"),
        "the password is stored as an argon2id hash"
    );
    for (what, secret) in [
        ("password", password),
        ("token", secret.as_str()),
        ("session id", session_value.as_str()),
    ] {
        assert!(!logs.contains(secret), "the {what} appears in the logs");
        assert!(
            !stored.contains(secret),
            "the {what} appears in the database"
        );
    }
}

/// The read limits reach `blueprint ingest` through their `BLUEPRINT_INGEST_MAX_*` variables: an
/// hour over its decompressed-bytes limit is a failed run with the reason that leaves the hour's
/// ledger as it was; a line over the line limit is rejected and the rest read; a value out of
/// range is refused at start-up.
#[test]
fn read_limits_come_from_the_settings() {
    let dir = tempfile::tempdir().unwrap();
    let hour_dir = dir.path().join("data/events/shop/dt=2026-11-20/hr=10");
    std::fs::create_dir_all(&hour_dir).unwrap();
    let open = r#"{"event":"open","context":{"app":{"name":"Shop","version":"3.2"},"os":{"name":"iOS"},"sessionId":"a"}}"#;
    let long = format!(
        r#"{{"event":"long","properties":{{"blob":"{}"}}}}"#,
        "x".repeat(2000)
    );
    std::fs::write(
        hour_dir.join("part-0.jsonl"),
        format!("{open}\n{long}\n{open}\n"),
    )
    .unwrap();
    let ingest = ["ingest", "--tenant", "shop", "--hour", "2026-11-20T10"];
    let line = run_ok(dir.path(), &ingest);
    assert!(line.contains("ok; 3 events, 0 rejected"), "{line}");
    let counts = [
        "counts",
        "--tenant",
        "shop",
        "--from",
        "2026-11-20T10",
        "--to",
        "2026-11-20T11",
    ];
    let before = run_ok(dir.path(), &counts);

    let output = blueprint(dir.path())
        .args(ingest)
        .env("BLUEPRINT_INGEST_MAX_LINE_BYTES", "1024")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("ok; 2 events, 1 rejected"), "{stdout}");

    std::fs::write(hour_dir.join("part-1.jsonl"), "\n".repeat(5000)).unwrap();
    let output = blueprint(dir.path())
        .args(ingest)
        .env("BLUEPRINT_INGEST_MAX_HOUR_BYTES", "4096")
        // A failed run is also logged as a warning; the contract is about the error line.
        .env("BLUEPRINT_LOG", "error")
        .output()
        .unwrap();
    assert_one_line_error(
        &output,
        "the hour's files hold more than 4096 bytes once decompressed (reached in shop/dt=2026-11-20/hr=10/part-1.jsonl); raise ingest_max_hour_bytes (BLUEPRINT_INGEST_MAX_HOUR_BYTES)",
    );
    // The failed run left the hour as the line-limited run wrote it; without the limit it reads.
    let limited = run_ok(dir.path(), &counts);
    assert!(!limited.contains(",long,"), "{limited}");
    run_ok(dir.path(), &ingest);
    assert_eq!(run_ok(dir.path(), &counts), before);

    let output = blueprint(dir.path())
        .args(ingest)
        .env("BLUEPRINT_INGEST_MAX_INFLATION_RATIO", "1")
        .output()
        .unwrap();
    assert_one_line_error(
        &output,
        "ingest_max_inflation_ratio: 1 is out of range (2 to 100000)",
    );
}
