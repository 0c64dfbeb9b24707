//! `/healthz` follows the database: 503 while Postgres cannot be reached, 200 once it is back.
//! Postgres sits behind a TCP proxy in the test that is cut and restored.

mod support;

use std::net::SocketAddr;
use std::time::Duration;

use axum::http::StatusCode;
use blueprint_core::db::{Database, DatabaseUrl, PoolSettings};
use blueprint_core::testing::test_databases;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// A TCP proxy to Postgres that can be cut (closing every connection) and restored on the same port.
struct Proxy {
    address: SocketAddr,
    upstream: String,
    task: Option<JoinHandle<()>>,
}

impl Proxy {
    async fn start(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let mut proxy = Self {
            address,
            upstream,
            task: None,
        };
        proxy.task = Some(proxy.accept(listener));
        proxy
    }

    fn accept(&self, listener: TcpListener) -> JoinHandle<()> {
        let upstream = self.upstream.clone();
        tokio::spawn(async move {
            let mut connections = tokio::task::JoinSet::new();
            while let Ok((mut client, _)) = listener.accept().await {
                let upstream = upstream.clone();
                connections.spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(&upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
            }
        })
    }

    /// Closes the listener and every proxied connection (dropping the JoinSet aborts them).
    async fn cut(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            let _ = task.await;
        }
    }

    async fn restore(&mut self) {
        let listener = TcpListener::bind(self.address).await.unwrap();
        self.task = Some(self.accept(listener));
    }
}

#[tokio::test]
async fn healthz_answers_503_while_postgres_is_away_and_200_when_it_is_back() {
    let Ok(pg_url) = std::env::var("BLUEPRINT_TEST_POSTGRES_URL") else {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "CI=true requires BLUEPRINT_TEST_POSTGRES_URL"
        );
        return;
    };
    let parsed = url::Url::parse(&pg_url).unwrap();
    let upstream = format!(
        "{}:{}",
        parsed.host_str().unwrap(),
        parsed.port().unwrap_or(5432)
    );
    let mut proxy = Proxy::start(upstream).await;
    let mut via_proxy = parsed.clone();
    via_proxy.set_port(Some(proxy.address.port())).unwrap();
    let settings = PoolSettings {
        max_connections: 2,
        connect_timeout: Duration::from_secs(1),
        schema: None,
    };
    let db = Database::connect(&DatabaseUrl::parse(via_proxy.as_str()).unwrap(), &settings)
        .await
        .unwrap();

    let mut server = support::TestServer::build(test_databases().await.remove(0), &[], false).await;
    server.state.services.db = db;
    let router = blueprint_server::web::build_router(server.state.clone());

    let (status, _) = support::get(&router, "/healthz").await;
    assert_eq!(status, StatusCode::OK);

    proxy.cut().await;
    let (status, body) = support::get(&router, "/healthz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    let health: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(health["status"], "unavailable");
    let (_, metrics) = support::get(&router, "/metrics").await;
    assert!(metrics.contains("blueprint_database_up 0"), "{metrics}");

    proxy.restore().await;
    let (status, body) = support::get(&router, "/healthz").await;
    assert_eq!(status, StatusCode::OK, "{body}");
}
