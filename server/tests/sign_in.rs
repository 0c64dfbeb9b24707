//! Attacks on signing in, through the real router on both databases: `next` values that would
//! leave the site, a burst of parallel guesses, clients behind proxies, and sign-in forms posted
//! from another site (login CSRF).

mod support;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::ConnectInfo;
use axum::http::{StatusCode, header};
use blueprint_core::accounts::hashing;
use blueprint_core::jobs::ManualClock;
use blueprint_core::testing::TEST_PASSWORD;
use support::{Answer, TestServer, VIEWER, answer, request};

fn encoded(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// The sign-in form's body.
fn form(email: &str, password: &str, next: &str) -> Option<(&'static str, String)> {
    let body = format!(
        "email={}&password={}&next={next}",
        encoded(email),
        encoded(password)
    );
    Some(("application/x-www-form-urlencoded", body))
}

/// `POST /login` from `peer` (as the server's listener would record it), with extra headers.
async fn login_from(
    server: &TestServer,
    peer: Option<&str>,
    headers: &[(&'static str, &str)],
    email: &str,
    password: &str,
) -> Answer {
    let mut request = request("POST", "/login", None, form(email, password, "%2F"));
    if let Some(peer) = peer {
        let addr: SocketAddr = format!("{peer}:40000").parse().unwrap();
        request.extensions_mut().insert(ConnectInfo(addr));
    }
    for (name, value) in headers {
        request.headers_mut().insert(*name, value.parse().unwrap());
    }
    answer(&server.router, request).await
}

fn location(answer: &Answer) -> &str {
    answer.location.as_deref().unwrap_or_default()
}

#[tokio::test]
async fn next_paths_that_leave_the_site_redirect_home() {
    // (the form's `next` as sent, percent-encoded, and where the browser is sent).
    let cases = [
        ("%2F%2Fevil.com", "/"),
        ("%2F%5Cevil.com", "/"),
        ("%2F%2509%2Fevil.com", "/"),
        // Decoded by the form to `/\t/evil.com`, which browsers read as `//evil.com`.
        ("%2F%09%2Fevil.com", "/"),
        ("%2F%0A%2Fevil.com", "/"),
        ("https%3A%2F%2Fevil.com", "/"),
        ("javascript%3Aalert(1)", "/"),
        ("%2Fa%2F..%2F%2Fevil.com", "/"),
        ("evil.com", "/"),
        ("%2Fok%3Fx%3D1%23y", "/ok?x=1#y"),
        (
            "%2Ft%2Fshop%3Ffrom%3D2026-11-01T00",
            "/t/shop?from=2026-11-01T00",
        ),
    ];
    for server in TestServer::with_users().await {
        for (next, expected) in cases {
            let body = form(VIEWER, TEST_PASSWORD, next);
            let signed_in = answer(&server.router, request("POST", "/login", None, body)).await;
            assert_eq!(signed_in.status, StatusCode::SEE_OTHER, "{next}");
            assert_eq!(location(&signed_in), expected, "{next} on {}", server.label);
            assert!(signed_in.set_cookie.is_some(), "signed in with next={next}");
        }
        // A failed attempt does not carry a hostile `next` back to the form either.
        let body = form(VIEWER, "wrong password", "%2F%09%2Fevil.com");
        let failed = answer(&server.router, request("POST", "/login", None, body)).await;
        assert_eq!(location(&failed), "/login?error=credentials&next=%2F");
    }
}

#[tokio::test]
async fn parallel_guesses_are_counted_before_any_is_checked() {
    let start = chrono::DateTime::from_timestamp(1_793_000_000, 0).unwrap();
    for server in TestServer::with_users().await {
        let clock = Arc::new(ManualClock::new(start));
        let server = server.rebuilt(|state| {
            state.services.db = state.services.db.clone().with_clock(clock.clone());
        });
        let router = server.router.clone();
        let mut guesses = tokio::task::JoinSet::new();
        for attempt in 0..20 {
            let router = router.clone();
            guesses.spawn(async move {
                let body = form(VIEWER, &format!("guess number {attempt}"), "%2F");
                answer(&router, request("POST", "/login", None, body)).await
            });
        }
        let (mut checked, mut throttled) = (0, 0);
        while let Some(guess) = guesses.join_next().await {
            let guess = guess.unwrap();
            match location(&guess) {
                "/login?error=credentials&next=%2F" => checked += 1,
                l if l.starts_with("/login?error=throttled&wait=") => throttled += 1,
                other => panic!("unexpected answer {other} on {}", server.label),
            }
        }
        assert_eq!((checked, throttled), (5, 15), "{}", server.label);

        let right = || login_from(&server, None, &[], VIEWER, TEST_PASSWORD);
        let refused = right().await;
        assert!(
            location(&refused).starts_with("/login?error=throttled&wait=5"),
            "the right password waits too: {:?} on {}",
            refused.location,
            server.label
        );
        assert!(refused.set_cookie.is_none());
        clock.set(start + chrono::Duration::seconds(5));
        let signed_in = right().await;
        assert_eq!(location(&signed_in), "/", "{}", server.label);
        assert!(signed_in.set_cookie.is_some());
    }
}

#[tokio::test]
async fn health_is_served_while_every_hashing_slot_is_taken() {
    for server in TestServer::with_users().await {
        let slots = hashing::slots()
            .acquire_many(hashing::PERMITS as u32)
            .await
            .unwrap();
        let mut waiting = Vec::new();
        for attempt in 0..4 {
            let router = server.router.clone();
            waiting.push(tokio::spawn(async move {
                let body = form(VIEWER, &format!("burst guess {attempt}"), "%2F");
                answer(&router, request("POST", "/login", None, body)).await
            }));
        }
        let (status, body) = support::get(&server.router, "/healthz").await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", server.label);
        let (status, _) = support::get(&server.router, "/login").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            waiting.iter().all(|w| !w.is_finished()),
            "no sign-in can finish while the slots are held"
        );
        drop(slots);
        for sign_in in waiting {
            let answer = sign_in.await.unwrap();
            assert_eq!(location(&answer), "/login?error=credentials&next=%2F");
        }
    }
}

#[tokio::test]
async fn clients_behind_a_trusted_proxy_are_throttled_apart() {
    for server in TestServer::with_users().await {
        let server = server.rebuilt(|state| {
            state.trusted_proxies = vec!["10.0.0.0/8".parse().unwrap()].into();
        });
        let proxy = Some("10.0.0.2");
        // Client A fails five times (with five emails, so only its address fills up).
        for n in 0..5 {
            let xff = [("x-forwarded-for", "203.0.113.1")];
            let email = format!("nobody{n}@example.com");
            let failed = login_from(&server, proxy, &xff, &email, "wrong password").await;
            assert_eq!(location(&failed), "/login?error=credentials&next=%2F");
        }
        let a = [("x-forwarded-for", "198.51.100.7, 203.0.113.1")];
        let blocked = login_from(&server, proxy, &a, VIEWER, TEST_PASSWORD).await;
        assert!(
            location(&blocked).starts_with("/login?error=throttled"),
            "{}",
            server.label
        );
        // Client B, behind the same proxy, signs in.
        let b = [("x-forwarded-for", "203.0.113.2")];
        let signed_in = login_from(&server, proxy, &b, VIEWER, TEST_PASSWORD).await;
        assert_eq!(location(&signed_in), "/", "{}", server.label);
        let b_forwarded = [("forwarded", "for=203.0.113.2;proto=https")];
        let again = login_from(&server, proxy, &b_forwarded, VIEWER, TEST_PASSWORD).await;
        assert_eq!(location(&again), "/");

        // An untrusted peer's forwarded addresses are ignored: all its attempts are its own.
        let stranger = Some("198.51.100.9");
        for n in 0..5 {
            let xff = format!("203.0.113.{}", 10 + n);
            let headers = [("x-forwarded-for", xff.as_str())];
            let email = format!("someone{n}@example.com");
            let failed = login_from(&server, stranger, &headers, &email, "wrong password").await;
            assert_eq!(location(&failed), "/login?error=credentials&next=%2F");
        }
        let fresh = [("x-forwarded-for", "203.0.113.99")];
        let blocked = login_from(&server, stranger, &fresh, VIEWER, TEST_PASSWORD).await;
        assert!(
            location(&blocked).starts_with("/login?error=throttled"),
            "{}",
            server.label
        );
    }
}

#[tokio::test]
async fn sign_in_forms_posted_from_another_site_are_refused() {
    for server in TestServer::with_users().await {
        let from = |origin: Option<&str>, host: &str| {
            let mut req = request("POST", "/login", None, form(VIEWER, TEST_PASSWORD, "%2F"));
            req.headers_mut().remove(header::ORIGIN);
            req.headers_mut()
                .insert(header::HOST, host.parse().unwrap());
            if let Some(origin) = origin {
                req.headers_mut()
                    .insert(header::ORIGIN, origin.parse().unwrap());
            }
            req
        };
        for origin in [Some("https://evil.example"), Some("null"), None] {
            let refused = answer(&server.router, from(origin, "blueprint.test")).await;
            assert_eq!(
                refused.status,
                StatusCode::FORBIDDEN,
                "{origin:?} on {}",
                server.label
            );
            assert!(refused.set_cookie.is_none(), "no session for {origin:?}");
        }
        let mut referred = from(None, "blueprint.test");
        let referer = "http://blueprint.test/login?next=%2F".parse().unwrap();
        referred.headers_mut().insert(header::REFERER, referer);
        let signed_in = answer(&server.router, referred).await;
        assert_eq!(location(&signed_in), "/", "a Referer of this site will do");
        let signed_in = answer(
            &server.router,
            from(Some("http://blueprint.test"), "blueprint.test"),
        )
        .await;
        assert_eq!(location(&signed_in), "/");
        assert!(signed_in.set_cookie.is_some());
        // The API's sign-in from another site is refused too.
        let body = serde_json::json!({"email": VIEWER, "password": TEST_PASSWORD}).to_string();
        let mut api = request(
            "POST",
            "/api/v1/session",
            None,
            Some(("application/json", body)),
        );
        api.headers_mut()
            .insert(header::ORIGIN, "https://evil.example".parse().unwrap());
        let refused = answer(&server.router, api).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert!(refused.set_cookie.is_none());

        // Behind a proxy that rewrites Host, the public URL's origin is the one that counts.
        let server = server.rebuilt(|state| {
            state.public_url = Some(url::Url::parse("https://blueprint.example.com").unwrap());
        });
        let proxied = from(Some("https://blueprint.example.com"), "127.0.0.1:3000");
        let signed_in = answer(&server.router, proxied).await;
        assert_eq!(location(&signed_in), "/", "{}", server.label);
        let host_only = from(Some("http://127.0.0.1:3000"), "127.0.0.1:3000");
        let refused = answer(&server.router, host_only).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert!(refused.set_cookie.is_none());
    }
}
