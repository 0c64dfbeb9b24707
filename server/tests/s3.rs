//! Events on a real S3-compatible server, read the way README "S3 and S3-compatible stores" tells a
//! user to: moto's server over plain HTTP (started by the test with `python3 -m moto.server`,
//! checking credentials against its own IAM), files uploaded with boto3, and the `blueprint`
//! binary run with exactly the documented variables, on every test database. A plain and a gzip
//! file of one hour give exact stats and counts; a forgotten `AWS_ALLOW_HTTP`, an access key the
//! server does not know, a missing bucket and a dead endpoint each end the command with one line
//! in the user's terms, and the ledger keeps what it had.

use std::io::Write;
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use blueprint_core::testing::{TestDb, actor, test_databases};

const BIN: &str = env!("CARGO_BIN_EXE_blueprint");
const BUCKET: &str = "clickstream";
const HOUR: &str = "2026-11-20T10";

/// Makes the bucket and uploads every file under FOLDER by its relative path, then prints the
/// access key and secret to use. In `iam` mode it first makes moto's IAM user `blueprint`
/// (allowed everything) with an access key: moto lets the first three requests (those) through
/// unsigned and checks every later one. (moto 5 miscomputes the signature of any request with an
/// escaped character in its path or query, such as `dt%3D…` or `prefix=raw%2F`, so the files are
/// read from a server that checks no credentials.)
const SETUP: &str = r#"
import json, os, sys, boto3
endpoint, folder, bucket, mode = sys.argv[1:5]
key = {"AccessKeyId": "blueprint", "SecretAccessKey": "blueprint-secret"}
if mode == "iam":
    iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1",
                       aws_access_key_id="setup", aws_secret_access_key="setup")
    iam.create_user(UserName="blueprint")
    iam.put_user_policy(UserName="blueprint", PolicyName="all", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    key = iam.create_access_key(UserName="blueprint")["AccessKey"]
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                  aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
s3.create_bucket(Bucket=bucket)
for root, _, files in os.walk(folder):
    for name in files:
        path = os.path.join(root, name)
        s3.upload_file(path, bucket, os.path.relpath(path, folder).replace(os.sep, "/"))
print(key["AccessKeyId"], key["SecretAccessKey"])
"#;

/// moto's server on 127.0.0.1, stopped when dropped.
struct Moto {
    child: Child,
    endpoint: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Starts moto (checking credentials against its IAM when `iam`), and waits until it accepts
/// connections.
fn start_moto(iam: bool) -> Moto {
    const MISSING: &str = "the S3 test runs `python3 -m moto.server`: install it with \
                           `python3 -m pip install 'moto[server]' boto3` (cargo xtask test does)";
    let port = free_port();
    let mut command = Command::new("python3");
    command.args([
        "-m",
        "moto.server",
        "-H",
        "127.0.0.1",
        "-p",
        &port.to_string(),
    ]);
    if iam {
        command.env("INITIAL_NO_AUTH_ACTION_COUNT", "3");
    }
    let child = command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|err| panic!("{MISSING}: {err}"));
    let mut moto = Moto {
        child,
        endpoint: format!("http://127.0.0.1:{port}"),
    };
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = moto.child.try_wait() {
            panic!("moto's server ended ({status}); {MISSING}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "moto did not start in a minute"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    moto
}

fn event(name: &str, screen: &str, version: &str, session: &str, ts: &str) -> String {
    format!(
        r#"{{"event":"{name}","timestamp":"{ts}","context":{{"app":{{"name":"Shop","version":"{version}"}},"os":{{"name":"Android"}},"screen":{{"name":"{screen}"}},"sessionId":"{session}"}},"properties":{{"sku":"A"}}}}"#
    )
}

fn jsonl(lines: &[String]) -> Vec<u8> {
    (lines.join("\n") + "\n").into_bytes()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn put(folder: &Path, key: &str, body: &[u8]) {
    let path = folder.join(key);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, body).unwrap();
}

/// The files to upload, under `folder`; returns the byte size of the 10:00 files. Another hour of
/// the tenant and a tenant outside the prefix must not be read.
fn fixture(folder: &Path) -> u64 {
    let plain = jsonl(&[
        event("addToCart", "Products", "3.2", "s1", "2026-11-20T10:05:00Z"),
        "not json".to_owned(),
        event("addToCart", "Products", "3.2", "s2", "2026-11-20T10:20:00Z"),
    ]);
    let compressed = gzip(&jsonl(&[
        event("checkout", "Cart", "3.10", "s1", "2026-11-20T10:30:00Z"),
        "[1,2]".to_owned(),
        event("addToCart", "Products", "3.2", "s1", "2026-11-20T10:40:00Z"),
    ]));
    put(folder, "raw/shop/dt=2026-11-20/hr=10/part-0.jsonl", &plain);
    put(
        folder,
        "raw/shop/dt=2026-11-20/hr=10/part-1.jsonl.gz",
        &compressed,
    );
    let other = jsonl(&[event(
        "addToCart",
        "Products",
        "3.3",
        "s9",
        "2026-11-20T11:01:00Z",
    )]);
    put(folder, "raw/shop/dt=2026-11-20/hr=11/part-0.jsonl", &other);
    put(
        folder,
        "elsewhere/acme/dt=2026-11-20/hr=10/part-0.jsonl",
        &other,
    );
    (plain.len() + compressed.len()) as u64
}

/// Creates the bucket (and in `iam` mode moto's user) and uploads `folder`; the access key and
/// secret.
fn set_up(moto: &Moto, folder: &Path, mode: &str) -> (String, String) {
    let output = Command::new("python3")
        .args([
            "-c",
            SETUP,
            &moto.endpoint,
            &folder.display().to_string(),
            BUCKET,
            mode,
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).unwrap();
    let (key, secret) = text.trim().split_once(' ').unwrap();
    (key.to_owned(), secret.to_owned())
}

/// The variables README "S3 and S3-compatible stores" names.
struct S3Env {
    endpoint: String,
    key: String,
    secret: String,
    events_url: String,
    allow_http: bool,
}

/// `blueprint ARGS` with no other Blueprint or AWS variable than the given ones.
fn blueprint(db: &TestDb, s3: &S3Env, args: &[&str]) -> Output {
    let mut command = Command::new(BIN);
    for (key, _) in std::env::vars() {
        if key.starts_with("BLUEPRINT_") || key.starts_with("AWS_") {
            command.env_remove(key);
        }
    }
    command
        .args(args)
        .env("BLUEPRINT_DATABASE_URL", &db.url)
        .env("BLUEPRINT_EVENTS_URL", &s3.events_url)
        .env("AWS_ENDPOINT_URL", &s3.endpoint)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", &s3.key)
        .env("AWS_SECRET_ACCESS_KEY", &s3.secret);
    if s3.allow_http {
        command.env("AWS_ALLOW_HTTP", "true");
    }
    command.output().unwrap()
}

/// Exit status 3 and one line on stderr that contains each of `needles`.
fn one_line_error(output: &Output, needles: &[&str]) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "stderr: {stderr}");
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line: {stderr}");
    assert!(lines[0].starts_with("blueprint: "), "{stderr}");
    for needle in needles {
        assert!(lines[0].contains(needle), "`{needle}` in {stderr}");
    }
}

fn day_counts(db: &TestDb, s3: &S3Env) -> String {
    let output = blueprint(
        db,
        s3,
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
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_reads_s3_as_the_readme_says_and_explains_what_is_wrong() {
    let moto = start_moto(false);
    let upload = tempfile::tempdir().unwrap();
    let size = fixture(upload.path());
    let (key, secret) = set_up(&moto, upload.path(), "open");
    let good = || S3Env {
        endpoint: moto.endpoint.clone(),
        key: key.clone(),
        secret: secret.clone(),
        events_url: format!("s3://{BUCKET}/raw"),
        allow_http: true,
    };
    // A second server that checks credentials, with the same (empty) bucket.
    let guarded = start_moto(true);
    let (iam_key, iam_secret) = set_up(&guarded, tempfile::tempdir().unwrap().path(), "iam");
    let checked = || S3Env {
        endpoint: guarded.endpoint.clone(),
        key: iam_key.clone(),
        secret: iam_secret.clone(),
        ..good()
    };
    let root = format!("cannot list the events root s3://{BUCKET}/raw: ");
    let run_failed =
        format!("shop 2026-11-20T10:00:00Z: cannot list shop/dt=2026-11-20/hr=10: {root}");

    for db in test_databases().await {
        let label = db.label;
        let output = blueprint(
            &db,
            &good(),
            &["ingest", "--tenant", "shop", "--hour", HOUR],
        );
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{label}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            stdout.starts_with(&format!(
                "shop 2026-11-20T10:00:00Z: ok; 4 events, 2 rejected, 0 skewed, 0 untimed, 0 duplicates, 0 keys cut; 2 files, {size} bytes;"
            )),
            "{label}: {stdout}"
        );
        let expected = "hour,application,version,platform,screen,event,events,sessions\n\
                        2026-11-20T10:00:00Z,Shop,3.10,Android,Cart,checkout,1,1\n\
                        2026-11-20T10:00:00Z,Shop,3.2,Android,Products,addToCart,3,2\n";
        assert_eq!(day_counts(&db, &good()), expected, "{label}");
        let services = db.services(&db.scratch_dir().join("unused"));
        let admin = actor(&services, "admin@example.com", true, &[]).await;
        let known: Vec<String> =
            blueprint_core::tenants::list_tenants(&services, &admin, &Default::default())
                .await
                .unwrap()
                .into_iter()
                .map(|t| t.slug)
                .collect();
        assert_eq!(known, ["shop"], "{label}: only the prefix's tenants");

        // The server that checks credentials does not know this access key. (moto 5 also
        // refuses the right secret for any request with an escaped character such as `%2F` in
        // it, which every listing has, so a wrong secret cannot be told from a right one here.)
        let unknown = S3Env {
            key: "AKIANOSUCHKEY0000000".into(),
            ..checked()
        };
        let output = blueprint(
            &db,
            &unknown,
            &["ingest", "--tenant", "shop", "--hour", HOUR],
        );
        one_line_error(
            &output,
            &[&format!(
                "{run_failed}the store does not know the access key (AWS_ACCESS_KEY_ID) (recorded as failed run"
            )],
        );
        assert_eq!(
            day_counts(&db, &good()),
            expected,
            "{label}: the ledger is intact"
        );

        let dead = format!("http://127.0.0.1:{}", free_port());
        let cases: [(S3Env, String); 3] = [
            (
                S3Env {
                    allow_http: false,
                    ..good()
                },
                format!(
                    "{run_failed}the endpoint is plain http://: set AWS_ALLOW_HTTP=true to allow it"
                ),
            ),
            (
                S3Env {
                    endpoint: dead.clone(),
                    ..good()
                },
                format!("{run_failed}cannot connect to {dead}: connection refused"),
            ),
            (
                S3Env {
                    events_url: "s3://no-such-bucket/raw".into(),
                    ..good()
                },
                "cannot list the events root s3://no-such-bucket/raw: the bucket does not exist"
                    .to_owned(),
            ),
        ];
        for (s3, reason) in cases {
            let output = blueprint(&db, &s3, &["ingest", "--tenant", "shop", "--hour", HOUR]);
            one_line_error(&output, &[&format!("{reason} (recorded as failed run")]);
            assert_eq!(
                day_counts(&db, &good()),
                expected,
                "{label}: the ledger is intact"
            );
        }
        // A tenant the database does not know yet: discovery cannot list the root either.
        let output = blueprint(
            &db,
            &S3Env {
                endpoint: dead.clone(),
                ..good()
            },
            &["ingest", "--tenant", "acme", "--hour", HOUR],
        );
        one_line_error(
            &output,
            &[&format!(
                "{root}cannot connect to {dead}: connection refused"
            )],
        );
    }
}
