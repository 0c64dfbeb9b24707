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
    let page = http_get(&address, "/");
    unsafe_kill_term(child.id());
    let status = child.wait().unwrap();
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(page.contains(">acme<"), "{page}");
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

    let failures: [(&[&str], &str); 5] = [
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
    ];
    for (args, needle) in failures {
        let output = blueprint(dir.path()).args(args).output().unwrap();
        assert_one_line_error(&output, needle);
    }
}
