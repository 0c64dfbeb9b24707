//! What an attacker tries beyond the obvious, through the real router on every test database:
//! framing, sniffing and caching of answers, huge bodies, over-long text fields.

mod support;

use axum::http::{HeaderMap, StatusCode, header};
use blueprint_core::browse::curate::MAX_DESCRIPTION;
use blueprint_core::error::MAX_NAME;
use blueprint_server::web::guard::MAX_BODY;
use support::{ADMIN, OWNER, TestServer, send};

const FORM: &str = "application/x-www-form-urlencoded";
const FIFTY_MB: usize = 50 << 20;

fn assert_security_headers(headers: &HeaderMap, what: &str) {
    for (name, value) in [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::CONTENT_SECURITY_POLICY, "frame-ancestors 'none'"),
        (header::REFERRER_POLICY, "same-origin"),
    ] {
        assert_eq!(headers.get(&name).unwrap(), value, "{name} on {what}");
    }
}

fn cache_control(headers: &HeaderMap) -> &str {
    headers
        .get(header::CACHE_CONTROL)
        .unwrap()
        .to_str()
        .unwrap()
}

fn server_fn_path(name: &str) -> String {
    leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .find(|path| {
            path.strip_prefix("/api/")
                .and_then(|rest| rest.strip_prefix(name))
                .is_some_and(|rest| rest.chars().all(|c| c.is_ascii_digit()))
        })
        .unwrap_or_else(|| panic!("{name} is not registered"))
}

async fn description_of_open(server: &TestServer, cookie: &str) -> serde_json::Value {
    let answer = send(
        &server.router,
        "GET",
        "/api/v1/tenants/shop/events/open",
        Some(cookie),
        None,
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let event: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    event["curation"]["description"].clone()
}

#[tokio::test]
async fn every_answer_forbids_framing_sniffing_and_caching_tenant_data() {
    for server in TestServer::with_users().await {
        let cookie = server.sign_in(ADMIN).await;
        let label = server.label;
        let page = send(&server.router, "GET", "/t/shop", Some(&cookie), None).await;
        assert_eq!(page.status, StatusCode::OK, "{label}");
        let api = send(
            &server.router,
            "GET",
            "/api/v1/tenants",
            Some(&cookie),
            None,
        )
        .await;
        assert_eq!(api.status, StatusCode::OK, "{label}: {}", api.body);
        let missing = send(&server.router, "GET", "/nope", Some(&cookie), None).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        let api_missing = send(&server.router, "GET", "/api/v1/nope", Some(&cookie), None).await;
        assert_eq!(api_missing.status, StatusCode::NOT_FOUND);
        for (what, answer) in [
            ("a page", &page),
            ("an API answer", &api),
            ("the 404 page", &missing),
            ("an API 404", &api_missing),
        ] {
            assert_security_headers(&answer.headers, what);
            assert_eq!(cache_control(&answer.headers), "no-store", "{what}");
        }
        // Static assets keep their own caching policy, and the same headers.
        let css = send(&server.router, "GET", "/assets/blueprint.css", None, None).await;
        assert_eq!(css.status, StatusCode::OK);
        assert_security_headers(&css.headers, "the stylesheet");
        assert_eq!(cache_control(&css.headers), "public, max-age=3600");
    }
}

#[tokio::test]
async fn a_fifty_megabyte_body_is_refused_with_413_and_stores_nothing() {
    for server in TestServer::with_users().await {
        let owner = server.sign_in(OWNER).await;
        let label = server.label;
        let huge = |field: &str| format!("{field}{}", "x".repeat(FIFTY_MB));
        let update = server_fn_path("update_curation");
        let attempts = [
            ("/login", huge("email=a%40example.com&password=")),
            (
                update.as_str(),
                huge("tenant=shop&kind=event&name=open&owner=&status=active&tags=&description="),
            ),
        ];
        for (path, body) in attempts {
            let answer = send(
                &server.router,
                "POST",
                path,
                Some(&owner),
                Some((FORM, body)),
            )
            .await;
            assert_eq!(
                answer.status,
                StatusCode::PAYLOAD_TOO_LARGE,
                "{path} on {label}: {}",
                answer.body
            );
            assert!(
                answer
                    .body
                    .contains(&format!("larger than the {MAX_BODY} bytes")),
                "{}",
                answer.body
            );
            assert_security_headers(&answer.headers, "a 413");
        }
        // Declared up front: refused before reading.
        let mut request = axum::http::Request::post(update.as_str())
            .header(header::CONTENT_TYPE, FORM)
            .header(header::CONTENT_LENGTH, FIFTY_MB.to_string())
            .header(header::COOKIE, &owner)
            .body(axum::body::Body::from("tenant=shop"))
            .unwrap();
        request
            .headers_mut()
            .insert(header::HOST, "blueprint.test".parse().unwrap());
        let response = tower::ServiceExt::oneshot(server.router.clone(), request)
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);

        let health = send(&server.router, "GET", "/healthz", None, None).await;
        assert_eq!(health.status, StatusCode::OK, "{label}: {}", health.body);
        assert_eq!(
            description_of_open(&server, &owner).await,
            serde_json::Value::Null
        );
        // A body just under the limit still reaches the form.
        let answer = send(
            &server.router,
            "POST",
            &update,
            Some(&owner),
            Some((
                FORM,
                "tenant=shop&kind=event&name=open&description=Opens&owner=&status=active&tags="
                    .into(),
            )),
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK, "{label}: {}", answer.body);
        assert_eq!(description_of_open(&server, &owner).await, "Opens");
    }
}

#[tokio::test]
async fn an_over_long_description_is_refused_naming_the_limit_and_stores_nothing() {
    for server in TestServer::with_users().await {
        let owner = server.sign_in(OWNER).await;
        let label = server.label;
        let too_long = "é".repeat(MAX_DESCRIPTION + 1);
        let limit = format!("longer than {MAX_DESCRIPTION} characters");
        let api = send(
            &server.router,
            "PATCH",
            "/api/v1/tenants/shop/events/open",
            Some(&owner),
            Some((
                "application/json",
                serde_json::json!({ "description": too_long }).to_string(),
            )),
        )
        .await;
        assert_eq!(api.status, StatusCode::BAD_REQUEST, "{label}: {}", api.body);
        assert!(
            api.body.contains("description") && api.body.contains(&limit),
            "{}",
            api.body
        );

        let form = format!(
            "tenant=shop&kind=event&name=open&owner=&status=active&tags=&description={}",
            blueprint_app::components::urls::encode_query_value(&too_long)
        );
        let path = server_fn_path("update_curation");
        let page = send(
            &server.router,
            "POST",
            &path,
            Some(&owner),
            Some((FORM, form)),
        )
        .await;
        assert!(!page.status.is_success(), "{label}: {}", page.status);
        assert!(page.body.contains(&limit), "{}", page.body);

        assert_eq!(
            description_of_open(&server, &owner).await,
            serde_json::Value::Null
        );
    }
}

#[tokio::test]
async fn an_over_long_token_name_is_refused_naming_the_limit_and_stores_nothing() {
    use sea_orm::{EntityTrait, PaginatorTrait};
    for server in TestServer::with_users().await {
        let admin = server.sign_in(ADMIN).await;
        let name = "n".repeat(MAX_NAME + 1);
        let form = format!("name={name}&tenant=shop&role=viewer");
        let path = server_fn_path("create_token");
        let answer = send(
            &server.router,
            "POST",
            &path,
            Some(&admin),
            Some((FORM, form)),
        )
        .await;
        assert!(
            !answer.status.is_success(),
            "{}: {}",
            server.label,
            answer.status
        );
        let limit = format!("the token name is longer than {MAX_NAME} characters");
        assert!(answer.body.contains(&limit), "{}", answer.body);
        let conn = server.state.services.db.conn();
        let tokens = blueprint_core::entities::api_token::Entity::find()
            .count(conn)
            .await
            .unwrap();
        assert_eq!(tokens, 0, "{}: no token stored", server.label);
        // A name at the limit is accepted.
        let form = format!("name={}&tenant=shop&role=viewer", "n".repeat(MAX_NAME));
        let answer = send(
            &server.router,
            "POST",
            &path,
            Some(&admin),
            Some((FORM, form)),
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    }
}
