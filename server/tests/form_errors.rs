//! Every server function answers a caller's mistake with its 4xx status and its message, posted
//! as a form is: 400 for input to fix, 401 not signed in, 403 not allowed, 404 not found, 409 in
//! conflict with what exists (server functions used to answer every error with 500). A server
//! function registered without a row here fails the test; each one that can collide with what
//! exists has a 409 row too, against state the test seeds first. Posted as a page without JavaScript does (accepting HTML, with a
//! `Referer`), the same mistake sends the browser back to the page with the message, the typed
//! values (passwords left out) and, after success, which form worked.

mod support;

use std::collections::BTreeSet;

use axum::http::header;
use support::{ADMIN, OWNER, TestServer, VIEWER, answer, get_as, request};

/// (server function, caller, form body, status, words of the message). In a body, `{token}`,
/// `{backfill}` stand for what [`seed_conflicts`] made.
type Row = (
    &'static str,
    Option<&'static str>,
    &'static str,
    u16,
    &'static str,
);

/// One mistake for each server function (`whoami` takes nothing and refuses no one), and each
/// conflict a server function can meet.
const ROWS: [Row; 57] = [
    ("get_tenants", None, "search=", 401, "Unauthenticated"),
    ("list_users", Some(VIEWER), "", 403, "Forbidden"),
    (
        "create_user",
        Some(ADMIN),
        "email=not-an-email&role=viewer&tenants=shop&password=long+enough+password",
        400,
        "email",
    ),
    (
        "set_user_disabled",
        Some(ADMIN),
        "user_id=999999&disabled=true",
        404,
        "NotFound",
    ),
    (
        "set_user_rights",
        Some(ADMIN),
        "user_id=1&role=king&tenants=shop",
        400,
        "king",
    ),
    (
        "reset_password",
        Some(ADMIN),
        "email=viewer%40example.com&password=short",
        400,
        "password",
    ),
    ("list_tokens", None, "", 401, "Unauthenticated"),
    ("get_token_choices", None, "", 401, "Unauthenticated"),
    ("new_token_secret", None, "", 401, "Unauthenticated"),
    (
        "create_token",
        Some(VIEWER),
        "name=ci&tenant=shop&role=sideways",
        400,
        "sideways",
    ),
    (
        "revoke_token",
        Some(ADMIN),
        "token_id=999999",
        404,
        "NotFound",
    ),
    (
        "list_audit",
        Some(VIEWER),
        "actor_filter=&action=&target=",
        403,
        "Forbidden",
    ),
    (
        "get_watch_choices",
        Some(VIEWER),
        "tenant=nowhere",
        404,
        "NotFound",
    ),
    (
        "get_version_choices",
        Some(VIEWER),
        "tenant=nowhere",
        404,
        "NotFound",
    ),
    (
        "get_overview",
        Some(VIEWER),
        "tenant=shop&from=yesterday&to=",
        400,
        "yesterday",
    ),
    (
        "get_applications",
        Some(VIEWER),
        "tenant=shop&from=yesterday&to=",
        400,
        "yesterday",
    ),
    (
        "list_events",
        Some(VIEWER),
        "tenant=shop&filter%5Bsort%5D=sideways",
        400,
        "sideways",
    ),
    (
        "get_event",
        Some(VIEWER),
        "tenant=shop&event=open&from=&to=&split=sideways",
        400,
        "sideways",
    ),
    (
        "list_screens",
        Some(VIEWER),
        "tenant=shop&q=&from=yesterday&to=",
        400,
        "yesterday",
    ),
    (
        "get_screen",
        Some(VIEWER),
        "tenant=shop&screen=nowhere&from=&to=",
        404,
        "NotFound",
    ),
    (
        "get_matrix",
        Some(VIEWER),
        "tenant=shop&by=sideways&application=&from=&to=",
        400,
        "sideways",
    ),
    ("compare_event", None, "event=open", 401, "Unauthenticated"),
    (
        "update_curation",
        Some(OWNER),
        "tenant=shop&kind=event&name=open&description=Opens&owner=nobody%40example.com&status=active&tags=",
        400,
        "not a member",
    ),
    ("get_ingestion", Some(OWNER), "", 403, "Forbidden"),
    (
        "get_hour",
        Some(ADMIN),
        "tenant=shop&hour=yesterday",
        400,
        "yesterday",
    ),
    (
        "request_backfill",
        Some(ADMIN),
        "tenant=shop&from=yesterday&to=2026-11-01T01",
        400,
        "yesterday",
    ),
    ("cancel_backfill", Some(ADMIN), "id=999999", 404, "NotFound"),
    (
        "retry_hour",
        Some(ADMIN),
        "tenant=shop&hour=yesterday",
        400,
        "yesterday",
    ),
    ("get_inbox", None, "unread=&kind=", 401, "Unauthenticated"),
    ("mark_read", Some(VIEWER), "id=abc", 400, "abc"),
    ("list_watches", None, "", 401, "Unauthenticated"),
    (
        "add_watch",
        Some(VIEWER),
        "tenant=shop&target=planet&name=open&news=",
        400,
        "planet",
    ),
    ("remove_watch", Some(VIEWER), "id=999999", 404, "NotFound"),
    ("get_mail_preference", None, "", 401, "Unauthenticated"),
    (
        "set_mail_preference",
        Some(VIEWER),
        "digest=weekly",
        400,
        "weekly",
    ),
    ("get_channels", None, "", 401, "Unauthenticated"),
    (
        "add_webhook",
        Some(OWNER),
        "tenant=shop&url=not+a+url&news=",
        400,
        "not a url",
    ),
    ("remove_webhook", Some(OWNER), "id=999999", 404, "NotFound"),
    (
        "set_quiet_days",
        Some(OWNER),
        "tenant=shop&days=abc",
        400,
        "abc",
    ),
    (
        "list_rollouts",
        Some(VIEWER),
        "tenant=nowhere",
        404,
        "NotFound",
    ),
    (
        "get_rollout",
        Some(VIEWER),
        "id=abc",
        400,
        "could not be read",
    ),
    (
        "open_rollout",
        Some(VIEWER),
        "tenant=shop&application=Nope&platform=iOS&version=1.0&baseline=",
        403,
        "Forbidden",
    ),
    (
        "set_rollout_state",
        Some(OWNER),
        "id=999999&state=paused",
        404,
        "NotFound",
    ),
    (
        "set_rollout_plan",
        Some(OWNER),
        "id=999999&stages=abc&tolerance=10&min_sessions=100&min_count=50&top=10",
        400,
        "abc",
    ),
    (
        "get_tenant_plan",
        Some(VIEWER),
        "tenant=nowhere",
        404,
        "NotFound",
    ),
    (
        "set_tenant_plan",
        Some(OWNER),
        "tenant=shop&stages=abc&tolerance=12.5&min_sessions=100&min_count=50&top=10",
        400,
        "abc",
    ),
    (
        "list_incidents",
        Some(VIEWER),
        "tenant=shop&from=yesterday&to=&state=&kind=&event=",
        400,
        "yesterday",
    ),
    (
        "open_incidents",
        Some(VIEWER),
        "tenant=nowhere",
        404,
        "NotFound",
    ),
    (
        "get_event_signals",
        Some(VIEWER),
        "tenant=shop&event=open&from=yesterday&to=2026-11-01T01",
        400,
        "yesterday",
    ),
    ("get_incident", Some(VIEWER), "id=999999", 404, "NotFound"),
    (
        "change_incident",
        Some(OWNER),
        "id=999999&state=sideways",
        400,
        "sideways",
    ),
    (
        "mute_series",
        Some(VIEWER),
        "tenant=shop&event=open&mute=mute",
        403,
        "Forbidden",
    ),
    // Conflicts with what exists: 409 with what collides.
    (
        "create_user",
        Some(ADMIN),
        "email=Viewer%40example.com&role=viewer&tenants=shop&password=long+enough+password",
        409,
        "a user with the email viewer@example.com already exists",
    ),
    (
        "revoke_token",
        Some(ADMIN),
        "token_id={token}",
        409,
        "the token “revoked in the seed” is already revoked",
    ),
    (
        "cancel_backfill",
        Some(ADMIN),
        "id={backfill}",
        409,
        "is already cancelled; only a queued or running backfill can be cancelled",
    ),
    (
        "add_webhook",
        Some(OWNER),
        "tenant=shop&url=http%3A%2F%2F192.0.2.10%3A9%2Ftaken&news=",
        409,
        "shop already has a webhook to http://192.0.2.10:9/",
    ),
    (
        "open_rollout",
        Some(OWNER),
        "tenant=shop&application=Shop&platform=iOS&version=2.0&baseline=3.0",
        409,
        "the roll-out of Shop 2.0 (iOS) is already open against 1.0; close it to open it against 3.0",
    ),
];

/// What the 409 rows collide with: a user (the viewer), a revoked token, a cancelled backfill, a
/// webhook of `shop` and an open roll-out of Shop 2.0 (iOS) against 1.0. The token's and the
/// backfill's ids.
async fn seed_conflicts(server: &TestServer) -> (i64, i64) {
    use blueprint_core::accounts::tokens::{NewToken, create_token, revoke_token};
    use blueprint_core::channels::webhooks::{self, AllowedHosts};
    use blueprint_core::jobs::backfills;
    let services = &server.state.services;
    let admin = blueprint_core::testing::actor(services, "seed@example.com", true, &[]).await;
    let new = NewToken {
        name: "revoked in the seed".into(),
        tenant: None,
        role: None,
    };
    let (_, token) = create_token(services, &admin, new).await.unwrap();
    revoke_token(services, &admin, token.id).await.unwrap();
    let (from, to) = (
        "2026-11-01T00".parse().unwrap(),
        "2026-11-01T01".parse().unwrap(),
    );
    let backfill = backfills::request_as(services, &admin, "shop", from, to, "admin")
        .await
        .unwrap();
    backfills::cancel_as(services, &admin, backfill.id)
        .await
        .unwrap();
    let hook = blueprint_types::notify::WebhookRequest {
        url: "http://192.0.2.10:9/taken".into(),
        news: None,
    };
    webhooks::create_as(services, &AllowedHosts::default(), &admin, "shop", &hook)
        .await
        .unwrap();
    server.with_rollout().await;
    (token.id, backfill.id)
}

/// Server functions no caller can get wrong.
const NOTHING_TO_GET_WRONG: [&str; 1] = ["whoami"];

/// The registered path of server function `name` (its name plus a hash).
fn path_of<'a>(registered: &'a BTreeSet<String>, name: &str) -> &'a str {
    registered
        .iter()
        .find(|p| {
            let rest = p.trim_start_matches("/api/");
            rest.starts_with(name) && rest[name.len()..].chars().all(|c| c.is_ascii_digit())
        })
        .unwrap_or_else(|| panic!("{name} is not registered"))
}

fn registered() -> BTreeSet<String> {
    leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .collect()
}

#[test]
fn every_server_function_has_a_mistake_in_the_table() {
    let registered = registered();
    for path in &registered {
        let rest = path.trim_start_matches("/api/");
        let named =
            |n: &&str| rest.starts_with(*n) && rest[n.len()..].chars().all(|c| c.is_ascii_digit());
        assert!(
            ROWS.iter().map(|row| &row.0).any(named) || NOTHING_TO_GET_WRONG.iter().any(named),
            "server function {path} has no row in ROWS: add the mistake a caller can make and its status"
        );
    }
    for (name, ..) in ROWS {
        path_of(&registered, name);
    }
}

#[tokio::test]
async fn every_server_function_answers_mistakes_with_their_4xx_and_message() {
    let registered = registered();
    for server in TestServer::with_users().await {
        let mut cookies = std::collections::BTreeMap::new();
        for email in [VIEWER, OWNER, ADMIN] {
            cookies.insert(email, server.sign_in(email).await);
        }
        let (token, backfill) = seed_conflicts(&server).await;
        let mut wrong = Vec::new();
        for (name, caller, body, status, words) in ROWS {
            let cookie = caller.map(|c| cookies[c].as_str());
            let path = path_of(&registered, name);
            let body = body
                .replace("{token}", &token.to_string())
                .replace("{backfill}", &backfill.to_string());
            let sent = request(
                "POST",
                path,
                cookie,
                Some(("application/x-www-form-urlencoded", body)),
            );
            let got = answer(&server.router, sent).await;
            if got.status.as_u16() != status || !got.body.contains(words) {
                wrong.push(format!(
                    "{name} as {caller:?}: expected {status} with {words:?}, got {} {}",
                    got.status, got.body
                ));
            }
        }
        assert!(
            wrong.is_empty(),
            "on {}:\n{}",
            server.label,
            wrong.join("\n")
        );
    }
}

/// A form posted without JavaScript, as the browser sends it from `page`.
fn plain_form(
    path: &str,
    cookie: &str,
    body: &str,
    page: &str,
) -> axum::http::Request<axum::body::Body> {
    let mut sent = request(
        "POST",
        path,
        Some(cookie),
        Some(("application/x-www-form-urlencoded", body.to_owned())),
    );
    let headers = sent.headers_mut();
    headers.insert(
        header::ACCEPT,
        "text/html,application/xhtml+xml".parse().unwrap(),
    );
    headers.insert(header::REFERER, page.parse().unwrap());
    sent
}

#[tokio::test]
async fn a_refused_form_without_javascript_goes_back_with_its_error_and_typed_values() {
    let registered = registered();
    let server = TestServer::with_users().await.remove(0);
    let owner = server.sign_in(OWNER).await;
    let save = path_of(&registered, "update_curation");
    let page = "http://blueprint.test/t/shop/events/open?days=7";
    let typed = "tenant=shop&kind=event&name=open&description=Typed+text&owner=nobody%40example.com&status=deprecated&tags=a%2Cb";
    let got = answer(&server.router, plain_form(save, &owner, typed, page)).await;
    assert!(got.status.is_redirection(), "{} {}", got.status, got.body);
    let location = url::Url::parse(got.location.as_deref().unwrap()).unwrap();
    assert_eq!(location.path(), "/t/shop/events/open");
    let query: std::collections::BTreeMap<String, String> =
        location.query_pairs().into_owned().collect();
    assert_eq!(query["days"], "7");
    assert_eq!(query["__path"], save);
    let kept: Vec<(String, String)> = url::form_urlencoded::parse(query["__form"].as_bytes())
        .into_owned()
        .collect();
    assert!(
        kept.contains(&("description".into(), "Typed text".into())),
        "{kept:?}"
    );
    assert!(
        kept.contains(&("status".into(), "deprecated".into())),
        "{kept:?}"
    );
    // The page it goes back to: the message beside the owner field, the section open, the typed
    // values in the form and the stored description unchanged.
    let back = &location[url::Position::BeforePath..];
    let (status, html) = get_as(&server.router, back, &owner).await;
    assert_eq!(status, 200);
    let form = curation_of(&html);
    assert!(form.contains(r#"<details open class="edit">"#), "{form}");
    let owner_field = form.find(r#"name="owner""#).expect("the owner field");
    let error = form
        .find(r#"data-field="owner""#)
        .expect("the error beside the owner field");
    assert!(
        error > owner_field && form[owner_field..error].matches("<label").count() == 0,
        "{form}"
    );
    assert!(
        form[error..].contains("nobody@example.com is not a member of shop"),
        "{form}"
    );
    assert!(form.contains(">Typed text</textarea>"), "{form}");
    assert!(form.contains(r#"value="deprecated" selected"#), "{form}");
    assert!(
        form.contains(r#"name="owner" value="nobody@example.com""#),
        "{form}"
    );
    assert!(form.contains(r#"value="a,b""#), "{form}");
    assert!(
        form.contains("No description yet."),
        "the stored description is unchanged: {form}"
    );
    assert!(!form.contains(r#"data-testid="saved""#), "{form}");

    // Passwords are never carried in an address.
    let admin = server.sign_in(ADMIN).await;
    let create = path_of(&registered, "create_user");
    let body = "email=not-an-email&role=viewer&tenants=shop&password=a+secret+password";
    let got = answer(
        &server.router,
        plain_form(create, &admin, body, "http://blueprint.test/admin/users"),
    )
    .await;
    let location = got.location.unwrap();
    assert!(
        location.contains("__form=") && location.contains("not-an-email"),
        "{location}"
    );
    assert!(!location.contains("secret"), "{location}");

    // After success the page is told which form worked, and nothing of the refusal stays.
    let fixed =
        "tenant=shop&kind=event&name=open&description=Typed+text&owner=&status=active&tags=";
    let got = answer(
        &server.router,
        plain_form(
            save,
            &owner,
            fixed,
            location_of_refusal(&query, page).as_str(),
        ),
    )
    .await;
    let location = url::Url::parse(got.location.as_deref().unwrap()).unwrap();
    let query: std::collections::BTreeMap<String, String> =
        location.query_pairs().into_owned().collect();
    assert_eq!(
        query.get("__done").map(String::as_str),
        Some(save),
        "{query:?}"
    );
    assert!(
        !query.contains_key("__err") && !query.contains_key("__form"),
        "{query:?}"
    );
    let (_, html) = get_as(
        &server.router,
        &location[url::Position::BeforePath..],
        &owner,
    )
    .await;
    let form = curation_of(&html);
    assert!(
        form.contains(r#"data-testid="saved""#),
        "the page says Saved: {form}"
    );
    assert!(form.contains(">Typed text</p>"), "{form}");
    assert!(!form.contains("<details open"), "{form}");
}

/// The curation section of an event page.
fn curation_of(html: &str) -> &str {
    let start = html
        .find(r#"data-testid="curation""#)
        .expect("the curation section");
    let end = html[start..]
        .find("</section>")
        .map_or(html.len(), |end| start + end);
    &html[start..end]
}

/// The page address the browser shows after the refusal (the next post's `Referer`).
fn location_of_refusal(query: &std::collections::BTreeMap<String, String>, page: &str) -> String {
    let mut url = url::Url::parse(page).unwrap();
    url.query_pairs_mut().clear().extend_pairs(query);
    url.to_string()
}
