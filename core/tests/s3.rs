//! Events read from a real S3-compatible server (s3s-fs over a temp folder, started in-process by
//! the test) through object_store's S3 client, on every test database: tenant discovery, a plain
//! and a gzip file of one hour with exact stats and counts; and an unreachable S3 endpoint failing
//! the run with a reason that names the events root.

use std::io::Write;
use std::sync::Arc;

use blueprint_core::events_root::{EventsRoot, s3_builder};
use blueprint_core::hour::Hour;
use blueprint_core::ingestion::{self, RunStatus, Trigger};
use blueprint_core::ledger::counts;
use blueprint_core::pipeline;
use blueprint_core::testing::{TestDb, test_databases};
use blueprint_core::{Services, tenants};
use object_store::aws::AmazonS3Builder;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

const BUCKET: &str = "clickstream";
const ACCESS_KEY: &str = "blueprint-test";
const SECRET_KEY: &str = "blueprint-test-secret";
const HOUR: &str = "2026-11-20T10";
const CSV_HEADER: &str = "hour,application,version,platform,screen,event,events,sessions\n";

/// An S3-compatible server on 127.0.0.1 that needs signed requests, stopped when dropped.
struct S3Server {
    endpoint: String,
    accept: tokio::task::JoinHandle<()>,
    _data: tempfile::TempDir,
}

impl Drop for S3Server {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// Starts s3s-fs over a fresh folder with one bucket, `BUCKET`. The listener is bound before the
/// accept loop is spawned, so clients can connect as soon as this returns.
async fn start_s3_server() -> S3Server {
    use s3s::S3;

    let data = tempfile::tempdir().expect("server folder");
    let fs = s3s_fs::FileSystem::new(data.path()).expect("s3s-fs over the temp folder");
    // The server's own CreateBucket operation, called in-process (object_store cannot create
    // buckets).
    let create = s3s::S3Request {
        input: s3s::dto::CreateBucketInput::builder()
            .bucket(BUCKET.to_owned())
            .build()
            .expect("CreateBucket input"),
        method: hyper::Method::PUT,
        uri: format!("/{BUCKET}").parse().expect("bucket URI"),
        headers: hyper::HeaderMap::new(),
        extensions: hyper::http::Extensions::new(),
        credentials: None,
        region: None,
        service: None,
        trailing_headers: None,
    };
    fs.create_bucket(create).await.expect("create the bucket");

    let mut service = s3s::service::S3ServiceBuilder::new(fs);
    service.set_auth(s3s::auth::SimpleAuth::from_single(ACCESS_KEY, SECRET_KEY));
    let service = service.build();

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind the S3 server");
    let endpoint = format!("http://{}", listener.local_addr().expect("server address"));
    let accept = tokio::spawn(async move {
        loop {
            let (socket, _) = match listener.accept().await {
                Ok(accepted) => accepted,
                Err(err) => {
                    eprintln!("S3 test server: accept failed: {err}");
                    return;
                }
            };
            let service = service.clone();
            tokio::spawn(async move {
                let io = hyper_util::rt::TokioIo::new(socket);
                if let Err(err) = hyper::server::conn::http1::Builder::new()
                    .serve_connection(io, service)
                    .await
                {
                    eprintln!("S3 test server: connection failed: {err}");
                }
            });
        }
    });
    S3Server {
        endpoint,
        accept,
        _data: data,
    }
}

/// object_store's S3 client with the product's retry and timeout settings, path-style requests.
fn s3_store(endpoint: &str) -> Arc<dyn ObjectStore> {
    let store = s3_builder(AmazonS3Builder::new())
        .with_endpoint(endpoint)
        .with_allow_http(true)
        .with_virtual_hosted_style_request(false)
        .with_bucket_name(BUCKET)
        .with_region("us-east-1")
        .with_access_key_id(ACCESS_KEY)
        .with_secret_access_key(SECRET_KEY)
        .build()
        .expect("S3 client");
    Arc::new(store)
}

fn event(name: &str, screen: &str, version: &str, session: &str, ts: &str) -> String {
    format!(
        r#"{{"event":"{name}","timestamp":"{ts}","context":{{"app":{{"name":"Shop","version":"{version}"}},"os":{{"name":"Android"}},"screen":{{"name":"{screen}"}},"sessionId":"{session}"}},"properties":{{"sku":"A"}}}}"#
    )
}

fn jsonl(lines: &[String]) -> Vec<u8> {
    let mut body = lines.join("\n");
    body.push('\n');
    body.into_bytes()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).expect("gzip");
    encoder.finish().expect("gzip")
}

async fn put(store: &dyn ObjectStore, key: &str, body: Vec<u8>) {
    store
        .put(&Path::from(key), PutPayload::from(body))
        .await
        .unwrap_or_else(|err| panic!("upload {key}: {err}"));
}

/// Uploads the fixture through the S3 API; returns the byte size of the 10:00 files.
async fn upload_fixture(store: &dyn ObjectStore) -> u64 {
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
    let size = (plain.len() + compressed.len()) as u64;
    put(store, "raw/shop/dt=2026-11-20/hr=10/part-0.jsonl", plain).await;
    put(
        store,
        "raw/shop/dt=2026-11-20/hr=10/part-1.jsonl.gz",
        compressed,
    )
    .await;
    // Another hour of the same tenant, and a tenant outside the prefix: neither may be read.
    let other = jsonl(&[event(
        "addToCart",
        "Products",
        "3.3",
        "s9",
        "2026-11-20T11:01:00Z",
    )]);
    put(
        store,
        "raw/shop/dt=2026-11-20/hr=11/part-0.jsonl",
        other.clone(),
    )
    .await;
    put(
        store,
        "elsewhere/acme/dt=2026-11-20/hr=10/part-0.jsonl",
        other,
    )
    .await;
    size
}

async fn day_csv(services: &Services, tenant_id: i64) -> String {
    let from: Hour = "2026-11-20T00".parse().unwrap();
    let rows = counts::hourly_counts(services, tenant_id, from, from.plus(24))
        .await
        .expect("hourly counts");
    counts::to_csv(&rows)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_an_hour_from_a_real_s3_compatible_server() {
    let server = start_s3_server().await;
    let store = s3_store(&server.endpoint);
    let size = upload_fixture(store.as_ref()).await;
    let display = format!("s3://{BUCKET}/raw");
    let events = EventsRoot::from_store(Arc::clone(&store), "raw/", display);
    assert_eq!(events.list_tenant_slugs().await.unwrap(), ["shop"]);

    for db in test_databases().await {
        let services = Services {
            db: db.db.clone(),
            events: events.clone(),
        };
        let outcome = pipeline::ingest_hour(
            &services,
            "shop",
            HOUR.parse().unwrap(),
            Trigger::Cli,
            None,
            2,
        )
        .await
        .unwrap_or_else(|err| panic!("{}: {err}", db.label));
        assert_eq!(outcome.status, RunStatus::Ok, "{}", db.label);
        let stats = &outcome.stats;
        assert_eq!(
            (stats.files, stats.bytes, stats.lines),
            (2, size, 6),
            "{}: {stats:?}",
            db.label
        );
        assert_eq!(
            (stats.events, stats.rejected, stats.skewed, stats.untimed),
            (4, 2, 0, 0),
            "{}: {stats:?}",
            db.label
        );
        let tenant_id = ingestion::tenant_id(&services, "shop").await.unwrap();
        assert_eq!(
            day_csv(&services, tenant_id).await,
            format!(
                "{CSV_HEADER}\
                 2026-11-20T10:00:00Z,Shop,3.10,Android,Cart,checkout,1,1\n\
                 2026-11-20T10:00:00Z,Shop,3.2,Android,Products,addToCart,3,2\n"
            ),
            "{}",
            db.label
        );
        let admin = blueprint_core::testing::actor(&services, "admin@example.com", true, &[]).await;
        let known: Vec<String> = tenants::list_tenants(&services, &admin, &Default::default())
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.slug)
            .collect();
        assert_eq!(known, ["shop"], "{}", db.label);
    }
}

/// Discovers `shop` from a local folder, so the database knows the tenant before its events root
/// becomes unreachable.
async fn with_known_shop(db: &TestDb) {
    let local = db.scratch_dir().join("events");
    std::fs::create_dir_all(local.join("shop")).unwrap();
    let found = tenants::discover_tenants(&db.services(&local))
        .await
        .unwrap();
    assert_eq!(found, ["shop"], "{}", db.label);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_s3_endpoint_fails_the_run_with_a_clear_reason() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let display = format!("s3://{BUCKET}/raw");
    let unreachable = EventsRoot::from_store(
        s3_store(&format!("http://127.0.0.1:{port}")),
        "raw",
        display.clone(),
    );

    for db in test_databases().await {
        let services = Services {
            db: db.db.clone(),
            events: unreachable.clone(),
        };
        let hour: Hour = HOUR.parse().unwrap();

        // An unknown tenant: discovery must list the root, which fails; nothing is recorded.
        let err = pipeline::ingest_hour(&services, "shop", hour, Trigger::Cli, None, 2)
            .await
            .expect_err("an unreachable root cannot discover tenants");
        let message = err.to_string();
        assert!(
            message.starts_with(&format!("cannot list the events root {display}: ")),
            "{}: {message}",
            db.label
        );
        assert!(
            message.contains(&format!("127.0.0.1:{port}")),
            "{}: the reason should name the endpoint: {message}",
            db.label
        );
        let admin = blueprint_core::testing::actor(&services, "admin@example.com", true, &[]).await;
        let known = tenants::list_tenants(&services, &admin, &Default::default())
            .await
            .unwrap();
        assert!(known.is_empty(), "{}: {known:?}", db.label);

        // A known tenant: the run itself fails with a reason naming the hour and the root.
        with_known_shop(&db).await;
        let outcome = pipeline::ingest_hour(&services, "shop", hour, Trigger::Cli, None, 2)
            .await
            .unwrap_or_else(|err| panic!("{}: a failed read is a failed run: {err}", db.label));
        let RunStatus::Failed(reason) = &outcome.status else {
            panic!(
                "{}: expected a failed run, got {:?}",
                db.label, outcome.status
            );
        };
        assert!(
            reason.starts_with(&format!(
                "cannot list shop/dt=2026-11-20/hr=10: cannot list the events root {display}: "
            )),
            "{}: {reason}",
            db.label
        );
        assert!(
            reason.contains(&format!("127.0.0.1:{port}")),
            "{}: the reason should name the endpoint: {reason}",
            db.label
        );
        assert_eq!(
            (outcome.stats.files, outcome.stats.events),
            (0, 0),
            "{}",
            db.label
        );
        let tenant_id = ingestion::tenant_id(&services, "shop").await.unwrap();
        assert_eq!(
            day_csv(&services, tenant_id).await,
            CSV_HEADER,
            "{}",
            db.label
        );
        assert_eq!(
            ingestion::latest_ingested(&services, tenant_id)
                .await
                .unwrap(),
            None,
            "{}: a failed run ingests no hour",
            db.label
        );
    }
}
