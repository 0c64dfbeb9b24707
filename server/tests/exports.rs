//! Counts downloads on both databases, from events files ingested as a deployment ingests them:
//! a range over `max_counts_hours` is refused with 400 naming the limit and how to split it; a
//! range within it is streamed an hour at a time (no Content-Length, one body chunk per hour) with
//! exactly the ledger's rows; and an event named like a spreadsheet formula is guarded (`'=…`,
//! quoted) in the CSV the events page offers, and exact in the API's and the CLI's CSV.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use blueprint_core::hour::Hour;
use blueprint_core::ingestion::{self, Trigger};
use blueprint_core::ledger::counts::{self, CountsFilter, CountsPages};
use blueprint_core::pipeline;
use http_body_util::BodyExt;
use support::{OWNER, TestServer, get_as, send};
use tower::ServiceExt;

const EVIL: &str = r#"=HYPERLINK("http://evil","x")"#;
/// `EVIL` as RFC 4180 writes it: quoted, its quotes doubled.
const EVIL_EXACT: &str = r#""=HYPERLINK(""http://evil"",""x"")""#;
/// `EVIL` in a spreadsheet download: a leading `'`, inside the same quoting.
const EVIL_GUARDED: &str = r#""'=HYPERLINK(""http://evil"",""x"")""#;

fn line(name: &str, screen: &str, version: &str, session: &str, ts: &str) -> String {
    serde_json::json!({
        "event": name,
        "timestamp": ts,
        "context": {
            "app": {"name": "Shop", "version": version},
            "os": {"name": "Android"},
            "screen": {"name": screen},
            "sessionId": session,
        },
    })
    .to_string()
}

/// Three hours of `shop` written as events files and ingested; the CSV the ledger holds.
async fn ingest_fixture(server: &TestServer) -> String {
    let root = server.test_db.scratch_dir().join("events");
    let hours: [(&str, Vec<String>); 3] = [
        (
            "10",
            vec![
                line("addToCart", "Products", "3.2", "s1", "2026-11-20T10:05:00Z"),
                line("checkout", "Cart", "3.10", "s2", "2026-11-20T10:30:00Z"),
                line("addToCart", "Products", "3.2", "s3", "2026-11-20T10:40:00Z"),
            ],
        ),
        (
            "11",
            vec![line(EVIL, "Products", "3.2", "s1", "2026-11-20T11:01:00Z")],
        ),
        (
            "13",
            vec![
                line("open", "Home", "3.2", "s4", "2026-11-20T13:00:00Z"),
                line("-2+3", "Home", "3.2", "s4", "2026-11-20T13:01:00Z"),
            ],
        ),
    ];
    for (hour, lines) in &hours {
        let folder = root.join(format!("shop/dt=2026-11-20/hr={hour}"));
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join("part-0.jsonl"), lines.join("\n") + "\n").unwrap();
        let hour: Hour = format!("2026-11-20T{hour}").parse().unwrap();
        let outcome =
            pipeline::ingest_hour(&server.state.services, "shop", hour, Trigger::Cli, None, 1)
                .await
                .unwrap();
        assert_eq!(outcome.stats.events, lines.len() as u64, "{}", server.label);
    }
    format!(
        "{}\n\
         2026-11-20T10:00:00Z,Shop,3.10,Android,Cart,checkout,1,1\n\
         2026-11-20T10:00:00Z,Shop,3.2,Android,Products,addToCart,2,2\n\
         2026-11-20T11:00:00Z,Shop,3.2,Android,Products,{EVIL_EXACT},1,1\n\
         2026-11-20T13:00:00Z,Shop,3.2,Android,Home,-2+3,1,1\n\
         2026-11-20T13:00:00Z,Shop,3.2,Android,Home,open,1,1\n",
        counts::CSV_HEADER
    )
}

/// The counts of `[from, to)` as the ledger reads them in one go.
async fn ledger_csv(server: &TestServer, from: &str, to: &str) -> String {
    let services = &server.state.services;
    let tenant_id = ingestion::tenant_id(services, "shop").await.unwrap();
    let rows = counts::hourly_counts(
        services,
        tenant_id,
        from.parse().unwrap(),
        to.parse().unwrap(),
    )
    .await
    .unwrap();
    counts::to_csv(&rows)
}

const DAY: (&str, &str) = ("2026-11-20T00", "2026-11-21T00");
/// 400 days, the longest range the counts are read in by default; it holds 2026-11-01's `open`
/// that every test server has, and the fixture's day.
const LONGEST: (&str, &str) = ("2025-10-17T00", "2026-11-21T00");

/// GET as a signed-in user: status, Content-Length if any, the body's chunks.
async fn chunks(server: &TestServer, path: &str, cookie: &str) -> (StatusCode, bool, Vec<String>) {
    let request = Request::get(path)
        .header(header::HOST, "blueprint.test")
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap();
    let response = server.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let has_length = response.headers().contains_key(header::CONTENT_LENGTH);
    let mut body = response.into_body();
    let mut parts = Vec::new();
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame.unwrap().into_data() {
            parts.push(String::from_utf8(data.to_vec()).unwrap());
        }
    }
    (status, has_length, parts)
}

#[tokio::test]
async fn a_range_over_the_limit_is_refused_and_one_within_it_streams_the_ledger() {
    for server in TestServer::with_users().await {
        let label = server.label;
        let expected = ingest_fixture(&server).await;
        assert_eq!(ledger_csv(&server, DAY.0, DAY.1).await, expected, "{label}");
        let longest = ledger_csv(&server, LONGEST.0, LONGEST.1).await;
        assert!(
            longest.ends_with(&expected[counts::CSV_HEADER.len() + 1..]),
            "{label}: {longest}"
        );
        assert_eq!(longest.lines().count(), 7, "{label}: {longest}");
        let owner = server.sign_in(OWNER).await;

        // 400 days and one hour: refused, naming the limit and how to split.
        let over = send(
            &server.router,
            "GET",
            "/api/v1/tenants/shop/counts?from=2025-10-16T00&to=2026-11-20T01&format=csv",
            Some(&owner),
            None,
        )
        .await;
        assert_eq!(
            over.status,
            StatusCode::BAD_REQUEST,
            "{label}: {}",
            over.body
        );
        let error: serde_json::Value = serde_json::from_str(&over.body).unwrap();
        assert_eq!(
            error["error"],
            "the range 2025-10-16T00:00:00Z to 2026-11-20T01:00:00Z is 9601 hours, more than the \
             9600 hours the counts are read in at once (setting max_counts_hours): split it into \
             ranges of at most 9600 hours",
            "{label}"
        );
        assert_eq!(
            ledger_csv(&server, LONGEST.0, LONGEST.1).await,
            longest,
            "{label}: nothing changed"
        );

        // Exactly 400 days: streamed, one chunk per hour with counts, no length up front.
        let path = "/api/v1/tenants/shop/counts?from=2025-10-17T00&to=2026-11-21T00&format=csv";
        let (status, has_length, parts) = chunks(&server, path, &owner).await;
        assert_eq!(status, StatusCode::OK, "{label}");
        assert!(
            !has_length,
            "{label}: a streamed body has no Content-Length"
        );
        assert!(parts.len() >= 4, "{label}: {parts:?}");
        assert_eq!(parts.concat(), longest, "{label}");

        // JSON: the same rows, as the ledger has them.
        let json = send(
            &server.router,
            "GET",
            "/api/v1/tenants/shop/counts?from=2026-11-20T00&to=2026-11-21T00",
            Some(&owner),
            None,
        )
        .await;
        let rows: Vec<serde_json::Value> = serde_json::from_str(&json.body).unwrap();
        let services = &server.state.services;
        let tenant_id = ingestion::tenant_id(services, "shop").await.unwrap();
        let from: Hour = "2026-11-20T00".parse().unwrap();
        let ledger = counts::hourly_counts(services, tenant_id, from, from.plus(24))
            .await
            .unwrap();
        assert_eq!(
            rows,
            serde_json::to_value(&ledger)
                .unwrap()
                .as_array()
                .unwrap()
                .clone()
        );
        assert_eq!(rows.len(), 5, "{label}");

        // The paging loop itself: one page per hour with counts, none lost or doubled, the empty
        // hour 12 skipped; an empty range has no page.
        let mut pages = CountsPages::new(
            services.clone(),
            tenant_id,
            from,
            from.plus(24),
            CountsFilter::default(),
        );
        let mut sizes = Vec::new();
        let mut all = Vec::new();
        while let Some(page) = pages.next_page().await.unwrap() {
            sizes.push(page.len());
            all.extend(page);
        }
        assert_eq!(sizes, [2, 1, 2], "{label}");
        assert_eq!(counts::to_csv(&all), expected, "{label}");
        let mut empty = CountsPages::new(
            services.clone(),
            tenant_id,
            from.plus(14),
            from.plus(24),
            CountsFilter::default(),
        );
        assert!(empty.next_page().await.unwrap().is_none(), "{label}");
    }
}

#[tokio::test]
async fn the_pages_csv_guards_formula_cells_and_the_api_and_cli_keep_them_exact() {
    for server in TestServer::with_users().await {
        let label = server.label;
        let exact = ingest_fixture(&server).await;
        let owner = server.sign_in(OWNER).await;

        // The events page's download link, followed as a browser would.
        let (status, page) = get_as(
            &server.router,
            "/t/shop/events?from=2026-11-20&to=2026-11-21",
            &owner,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{label}");
        let start = page
            .find("href=\"/api/v1/tenants/shop/counts?")
            .unwrap_or_else(|| panic!("{label}: no CSV link in {page}"))
            + "href=\"".len();
        let link = page[start..start + page[start..].find('"').unwrap()].replace("&amp;", "&");
        assert!(link.contains("for=spreadsheet"), "{link}");
        let download = send(&server.router, "GET", &link, Some(&owner), None).await;
        assert_eq!(
            download.status,
            StatusCode::OK,
            "{label}: {}",
            download.body
        );
        assert_eq!(
            download.body,
            exact
                .replace(EVIL_EXACT, EVIL_GUARDED)
                .replace(",-2+3,", ",\"'-2+3\","),
            "{label}"
        );
        assert!(download.body.contains(EVIL_GUARDED), "{label}");

        // The API's CSV and the CLI's are the exact values.
        let api = send(
            &server.router,
            "GET",
            "/api/v1/tenants/shop/counts?from=2026-11-20T00&to=2026-11-21T00&format=csv",
            Some(&owner),
            None,
        )
        .await;
        assert_eq!(api.body, exact, "{label}");
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_blueprint"))
            .args([
                "counts",
                "--tenant",
                "shop",
                "--from",
                "2026-11-20T00",
                "--to",
                "2026-11-21T00",
            ])
            .env("BLUEPRINT_DATABASE_URL", &server.test_db.url)
            .env(
                "BLUEPRINT_EVENTS_URL",
                server.test_db.scratch_dir().join("events"),
            )
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{label}: {stderr}");
        assert_eq!(String::from_utf8_lossy(&output.stdout), exact, "{label}");
        let json = std::process::Command::new(env!("CARGO_BIN_EXE_blueprint"))
            .args([
                "counts",
                "--tenant",
                "shop",
                "--from",
                "2026-11-20T00",
                "--to",
                "2026-11-21T00",
                "--format",
                "json",
            ])
            .env("BLUEPRINT_DATABASE_URL", &server.test_db.url)
            .env(
                "BLUEPRINT_EVENTS_URL",
                server.test_db.scratch_dir().join("events"),
            )
            .output()
            .unwrap();
        let services = &server.state.services;
        let tenant_id = ingestion::tenant_id(services, "shop").await.unwrap();
        let from: Hour = "2026-11-20T00".parse().unwrap();
        let ledger = counts::hourly_counts(services, tenant_id, from, from.plus(24))
            .await
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&json.stdout),
            format!("{}\n", serde_json::to_string_pretty(&ledger).unwrap()),
            "{label}: the CLI's JSON is the array it always printed"
        );
    }
}
