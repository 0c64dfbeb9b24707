//! Ending sessions, through the real router on both databases: a password change ends every other
//! session and keeps the one that made it; "sign out everywhere" ends them all; an admin's reset
//! or disabling a user ends theirs; and a request still in flight when a session ends cannot bring
//! it back by writing the session afterwards.

mod support;

use std::str::FromStr;
use std::sync::Arc;

use axum::http::StatusCode;
use blueprint_core::testing::TEST_PASSWORD;
use blueprint_server::web::sessions::{DbSessionStore, USER_ID};
use support::{ADMIN, TestServer, VIEWER, send};
use tower_sessions::Session;
use tower_sessions::session::Id;

const NEW_PASSWORD: &str = "a brand new passphrase";

/// The status of an API call made with `cookie` (200 while the session lives, 401 after).
async fn api_status(server: &TestServer, cookie: &str) -> StatusCode {
    send(&server.router, "GET", "/api/v1/tenants", Some(cookie), None)
        .await
        .status
}

/// Where a page sends the holder of `cookie` (`None`: the page is shown).
async fn page_redirect(server: &TestServer, cookie: &str) -> Option<String> {
    send(&server.router, "GET", "/inbox", Some(cookie), None)
        .await
        .location
}

fn form(body: &str) -> Option<(&'static str, String)> {
    Some(("application/x-www-form-urlencoded", body.to_owned()))
}

fn cookie_of(set_cookie: Option<&str>) -> String {
    set_cookie
        .expect("a new session cookie")
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_password_change_ends_the_other_sessions_and_keeps_this_one() {
    for server in TestServer::with_users().await {
        let a = server.sign_in(VIEWER).await;
        let b = server.sign_in(VIEWER).await;
        let body = format!(
            "current={}&password={}",
            enc(TEST_PASSWORD),
            enc(NEW_PASSWORD)
        );
        let changed = send(
            &server.router,
            "POST",
            "/account/password",
            Some(&a),
            form(&body),
        )
        .await;
        assert_eq!(
            changed.location.as_deref(),
            Some("/account?changed=1"),
            "{}",
            server.label
        );
        let a_now = cookie_of(changed.set_cookie.as_deref());
        assert_ne!(
            a_now, a,
            "the session that changed it goes on under a new id"
        );
        assert_eq!(
            api_status(&server, &a_now).await,
            StatusCode::OK,
            "{}",
            server.label
        );
        assert_eq!(page_redirect(&server, &a_now).await, None);
        assert_eq!(
            api_status(&server, &b).await,
            StatusCode::UNAUTHORIZED,
            "{}",
            server.label
        );
        assert_eq!(
            page_redirect(&server, &b).await.as_deref(),
            Some("/login?next=%2Finbox")
        );
        assert_eq!(
            api_status(&server, &a).await,
            StatusCode::UNAUTHORIZED,
            "the old id"
        );

        let wrong = format!(
            "current=not+it+at+all&password={}",
            enc("yet another passphrase")
        );
        let refused = send(
            &server.router,
            "POST",
            "/account/password",
            Some(&a_now),
            form(&wrong),
        )
        .await;
        assert_eq!(refused.location.as_deref(), Some("/account?error=current"));
        assert_eq!(
            api_status(&server, &a_now).await,
            StatusCode::OK,
            "a refusal ends nothing"
        );
        let login = format!(
            "email={}&password={}&next=%2F",
            enc(VIEWER),
            enc(NEW_PASSWORD)
        );
        let signed_in = send(&server.router, "POST", "/login", None, form(&login)).await;
        assert_eq!(
            signed_in.location.as_deref(),
            Some("/"),
            "the new password works"
        );
    }
}

#[tokio::test]
async fn signing_out_everywhere_ends_every_session() {
    for server in TestServer::with_users().await {
        let a = server.sign_in(VIEWER).await;
        let b = server.sign_in(VIEWER).await;
        let other_user = server.sign_in(ADMIN).await;
        let out = send(&server.router, "POST", "/logout/everywhere", Some(&a), None).await;
        assert_eq!(out.location.as_deref(), Some("/login"), "{}", server.label);
        assert_eq!(api_status(&server, &a).await, StatusCode::UNAUTHORIZED);
        assert_eq!(
            api_status(&server, &b).await,
            StatusCode::UNAUTHORIZED,
            "{}",
            server.label
        );
        assert_eq!(
            api_status(&server, &other_user).await,
            StatusCode::OK,
            "only that user's"
        );

        // The same over the API.
        let c = server.sign_in(VIEWER).await;
        let d = server.sign_in(VIEWER).await;
        let path = "/api/v1/session?everywhere=true";
        let out = send(&server.router, "DELETE", path, Some(&c), None).await;
        assert_eq!(out.status, StatusCode::NO_CONTENT);
        assert_eq!(
            api_status(&server, &d).await,
            StatusCode::UNAUTHORIZED,
            "{}",
            server.label
        );
        let anonymous = send(&server.router, "DELETE", path, None, None).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            api_status(&server, &server.sign_in(VIEWER).await).await,
            StatusCode::OK
        );
    }
}

#[tokio::test]
async fn an_admin_reset_or_disabling_ends_the_users_sessions() {
    for server in TestServer::with_users().await {
        let admin = server.sign_in(ADMIN).await;
        let viewer = server.sign_in(VIEWER).await;
        let reset = server_function("reset_password");
        let body = format!("email={}&password={}", enc(VIEWER), enc(NEW_PASSWORD));
        let done = send(&server.router, "POST", &reset, Some(&admin), form(&body)).await;
        assert!(done.status.is_success(), "{}: {}", server.label, done.body);
        assert_eq!(
            api_status(&server, &viewer).await,
            StatusCode::UNAUTHORIZED,
            "{}",
            server.label
        );
        assert_eq!(
            api_status(&server, &admin).await,
            StatusCode::OK,
            "the admin's own goes on"
        );

        let login = format!(
            "email={}&password={}&next=%2F",
            enc(VIEWER),
            enc(NEW_PASSWORD)
        );
        let signed_in = send(&server.router, "POST", "/login", None, form(&login)).await;
        let viewer = cookie_of(signed_in.set_cookie.as_deref());
        let users = send(
            &server.router,
            "POST",
            &server_function("list_users"),
            Some(&admin),
            None,
        )
        .await;
        let rows: serde_json::Value = serde_json::from_str(&users.body).unwrap();
        let viewer_id = rows
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["email"] == VIEWER)
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let disable = server_function("set_user_disabled");
        let body = format!("user_id={viewer_id}&disabled=true");
        let done = send(&server.router, "POST", &disable, Some(&admin), form(&body)).await;
        assert!(done.status.is_success(), "{}", done.body);
        let body = format!("user_id={viewer_id}&disabled=false");
        let done = send(&server.router, "POST", &disable, Some(&admin), form(&body)).await;
        assert!(done.status.is_success(), "{}", done.body);
        assert_eq!(
            api_status(&server, &viewer).await,
            StatusCode::UNAUTHORIZED,
            "enabling the user again does not bring the old session back ({})",
            server.label
        );
    }
}

#[tokio::test]
async fn a_request_in_flight_cannot_bring_an_ended_session_back() {
    for server in TestServer::with_users().await {
        for ending in ["/logout", "/logout/everywhere"] {
            let cookie = server.sign_in(VIEWER).await;
            // A request of this session has loaded it (as the session layer does first) …
            let in_flight = open_session(&server, &cookie);
            let user_id: Option<i64> = in_flight.get(USER_ID).await.unwrap();
            assert!(user_id.is_some());
            // … the user signs out meanwhile …
            let out = send(&server.router, "POST", ending, Some(&cookie), None).await;
            assert_eq!(out.location.as_deref(), Some("/login"), "{ending}");
            // … and the request then writes the session, as the layer does when it ends.
            in_flight.insert("seen", 1).await.unwrap();
            in_flight.save().await.unwrap();
            assert_eq!(
                api_status(&server, &cookie).await,
                StatusCode::UNAUTHORIZED,
                "{ending} on {}",
                server.label
            );
        }
    }
}

/// The session `cookie` names, over the server's own store.
fn open_session(server: &TestServer, cookie: &str) -> Session {
    let (_, value) = cookie.split_once('=').unwrap();
    let store = DbSessionStore::new(server.state.services.clone());
    Session::new(Some(Id::from_str(value).unwrap()), Arc::new(store), None)
}

/// The registered path of a server function.
fn server_function(name: &str) -> String {
    leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .find(|path| {
            let rest = path.trim_start_matches("/api/");
            rest.starts_with(name) && rest[name.len()..].chars().all(|c| c.is_ascii_digit())
        })
        .unwrap_or_else(|| panic!("{name} is not registered"))
}

fn enc(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
