//! A new API token's secret with JavaScript off, on both databases: the create form's post sends
//! the browser back to `/admin/tokens`, which shows the secret once ("not shown again"); a reload
//! no longer shows it, another session of the same user never does, no address or header carries
//! it, and the sessions table holds it only sealed. With JavaScript the server function answers
//! the secret itself and keeps nothing for a page.

mod support;

use axum::http::header;
use blueprint_core::entities::web_session;
use sea_orm::EntityTrait;
use support::{OWNER, TestServer, answer, get_as, request, send};

fn create_path() -> String {
    leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .find(|path| {
            path.strip_prefix("/api/create_token")
                .is_some_and(|rest| rest.chars().all(|c| c.is_ascii_digit()))
        })
        .expect("create_token is registered")
}

/// The secret the page shows, if any.
fn shown_secret(html: &str) -> Option<String> {
    let rest = html.split("data-testid=\"new-token\">").nth(1)?;
    Some(rest.split('<').next()?.to_owned())
}

async fn sessions_data(server: &TestServer) -> String {
    web_session::Entity::find()
        .all(server.state.services.db.conn())
        .await
        .unwrap()
        .into_iter()
        .map(|row| row.data)
        .collect()
}

#[tokio::test]
async fn without_javascript_the_new_secret_is_shown_once_on_the_page_it_goes_back_to() {
    for server in TestServer::with_users().await {
        let label = server.label;
        let owner = server.sign_in(OWNER).await;
        let elsewhere = server.sign_in(OWNER).await;

        let mut post = request(
            "POST",
            &create_path(),
            Some(&owner),
            Some((
                "application/x-www-form-urlencoded",
                "name=release+pipeline&tenant=shop&role=viewer".into(),
            )),
        );
        let headers = post.headers_mut();
        headers.insert(
            header::ACCEPT,
            "text/html,application/xhtml+xml".parse().unwrap(),
        );
        headers.insert(
            header::REFERER,
            "http://blueprint.test/admin/tokens".parse().unwrap(),
        );
        let posted = answer(&server.router, post).await;
        assert!(
            posted.status.is_redirection(),
            "{label}: {} {}",
            posted.status,
            posted.body
        );
        let location = url::Url::parse(posted.location.as_deref().unwrap()).unwrap();
        assert_eq!(location.path(), "/admin/tokens", "{label}");
        for (name, value) in &posted.headers {
            let value = value.to_str().unwrap_or_default();
            assert!(!value.contains("bpt_"), "{label}: {name}: {value}");
        }
        assert!(!posted.body.contains("bpt_"), "{label}: {}", posted.body);
        let stored = sessions_data(&server).await;
        assert!(stored.contains("new_token"), "{label}: kept for the page");
        assert!(!stored.contains("bpt_"), "{label}: kept sealed: {stored}");

        // Another session of the same user is not shown it.
        let (_, html) = get_as(&server.router, "/admin/tokens", &elsewhere).await;
        assert_eq!(shown_secret(&html), None, "{label}");

        // The page the browser goes back to shows it once, with the warning.
        let back = &location[url::Position::BeforePath..];
        let (status, html) = get_as(&server.router, back, &owner).await;
        assert_eq!(status, 200, "{label}");
        let secret = shown_secret(&html).unwrap_or_else(|| panic!("{label}: no secret in {html}"));
        assert!(secret.starts_with("bpt_") && secret.len() > 40, "{secret}");
        assert!(html.contains("it is not shown again"), "{label}");
        assert!(
            html.contains("release pipeline"),
            "{label}: the token is listed"
        );
        let works = answer(
            &server.router,
            axum::http::Request::get("/api/v1/tenants")
                .header(header::AUTHORIZATION, format!("Bearer {secret}"))
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(
            works.status, 200,
            "{label}: the secret shown is the token's"
        );

        // Gone: a reload, and the session, no longer hold it.
        let (_, again) = get_as(&server.router, back, &owner).await;
        assert_eq!(shown_secret(&again), None, "{label}");
        assert!(!again.contains(&secret), "{label}");
        assert!(
            !sessions_data(&server).await.contains("new_token"),
            "{label}"
        );

        // With JavaScript the answer carries the secret, and no page is given it later.
        let called = send(
            &server.router,
            "POST",
            &create_path(),
            Some(&owner),
            Some((
                "application/x-www-form-urlencoded",
                "name=script&tenant=shop&role=viewer".into(),
            )),
        )
        .await;
        assert_eq!(called.status, 200, "{label}: {}", called.body);
        assert!(called.body.contains("bpt_"), "{label}: {}", called.body);
        let (_, html) = get_as(&server.router, "/admin/tokens", &owner).await;
        assert_eq!(shown_secret(&html), None, "{label}");
    }
}
