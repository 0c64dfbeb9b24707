//! Every server function, REST route and admin page, called by every kind of caller — anonymous,
//! a viewer and an owner of `shop`, an admin, and a member of another tenant only — answers as
//! designed: allowed, forbidden, or not found exactly like a tenant that does not exist. A server
//! function or REST route without an entry here fails the test.

mod support;

use std::collections::BTreeSet;

use axum::http::StatusCode;
use blueprint_server::web::api::ROUTES;
use support::{ADMIN, OWNER, STRANGER, TestServer, VIEWER, send};

/// Where the API's routes are registered.
const API_SOURCES: [&str; 10] = [
    include_str!("../src/web/api/mod.rs"),
    include_str!("../src/web/api/catalog.rs"),
    include_str!("../src/web/api/counts.rs"),
    include_str!("../src/web/api/curation.rs"),
    include_str!("../src/web/api/incidents.rs"),
    include_str!("../src/web/api/jobs.rs"),
    include_str!("../src/web/api/notify.rs"),
    include_str!("../src/web/api/rollouts.rs"),
    include_str!("../src/web/api/session.rs"),
    include_str!("../src/web/api/tracking_plan.rs"),
];

const HTTP_METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// Callers, in the order of every expectation row.
const CALLERS: [Option<&str>; 5] = [None, Some(VIEWER), Some(OWNER), Some(ADMIN), Some(STRANGER)];

/// What a server function answered.
fn outcome(status: StatusCode, body: &str) -> &'static str {
    if status.is_success() {
        "ok"
    } else if body.contains("Unauthenticated") {
        "unauth"
    } else if body.contains("Forbidden") {
        "forbidden"
    } else if body.contains("NotFound") {
        "notfound"
    } else {
        "other"
    }
}

/// (server function, form arguments, outcome for each caller).
fn server_functions(
    stranger_id: i64,
    token_id: i64,
    caller: usize,
) -> Vec<(&'static str, String, [&'static str; 5])> {
    const ANON_ONLY_DENIED: [&str; 5] = ["unauth", "ok", "ok", "ok", "ok"];
    const ADMIN_ONLY: [&str; 5] = ["unauth", "forbidden", "forbidden", "ok", "forbidden"];
    const SHOP_READERS: [&str; 5] = ["unauth", "ok", "ok", "ok", "notfound"];
    const SHOP_OWNERS: [&str; 5] = ["unauth", "forbidden", "ok", "ok", "notfound"];
    vec![
        ("get_tenants", "search=".into(), ANON_ONLY_DENIED),
        ("whoami", String::new(), ["ok", "ok", "ok", "ok", "ok"]),
        ("list_users", String::new(), ADMIN_ONLY),
        (
            "create_user",
            format!(
                "email=new{caller}%40example.com&role=viewer&tenants=shop&password=long+enough+password"
            ),
            ADMIN_ONLY,
        ),
        (
            "set_user_disabled",
            format!("user_id={stranger_id}&disabled=false"),
            ADMIN_ONLY,
        ),
        (
            "set_user_rights",
            format!("user_id={stranger_id}&role=viewer&tenants=acme"),
            ADMIN_ONLY,
        ),
        (
            "reset_password",
            "email=reset%40example.com&password=another+long+password".into(),
            ADMIN_ONLY,
        ),
        ("list_tokens", String::new(), ANON_ONLY_DENIED),
        ("get_token_choices", String::new(), ANON_ONLY_DENIED),
        ("new_token_secret", String::new(), ANON_ONLY_DENIED),
        (
            "create_token",
            "name=ci&tenant=shop&role=viewer".into(),
            ["unauth", "ok", "ok", "ok", "notfound"],
        ),
        (
            "revoke_token",
            format!("token_id={token_id}"),
            ["unauth", "notfound", "notfound", "ok", "notfound"],
        ),
        (
            "list_audit",
            "actor_filter=&action=&target=".into(),
            ADMIN_ONLY,
        ),
        ("get_overview", "tenant=shop&from=&to=".into(), SHOP_READERS),
        (
            "get_applications",
            "tenant=shop&from=&to=".into(),
            SHOP_READERS,
        ),
        (
            "list_events",
            "tenant=shop&filter%5Bq%5D=op".into(),
            SHOP_READERS,
        ),
        (
            "get_event",
            "tenant=shop&event=open&from=&to=&split=".into(),
            SHOP_READERS,
        ),
        (
            "list_screens",
            "tenant=shop&q=&from=&to=".into(),
            SHOP_READERS,
        ),
        (
            "get_screen",
            "tenant=shop&screen=%28none%29&from=&to=".into(),
            SHOP_READERS,
        ),
        (
            "get_matrix",
            "tenant=shop&by=&application=&from=&to=".into(),
            SHOP_READERS,
        ),
        ("compare_event", "event=open".into(), ANON_ONLY_DENIED),
        (
            "update_curation",
            "tenant=shop&kind=event&name=open&description=Opens&owner=&status=active&tags=".into(),
            SHOP_OWNERS,
        ),
        ("get_ingestion", String::new(), ADMIN_ONLY),
        (
            "get_hour",
            "tenant=shop&hour=2026-11-01T00".into(),
            ADMIN_ONLY,
        ),
        (
            "request_backfill",
            "tenant=shop&from=2026-11-01T00&to=2026-11-01T01".into(),
            ADMIN_ONLY,
        ),
        // The admin's request above is backfill 1.
        ("cancel_backfill", "id=1".into(), ADMIN_ONLY),
        (
            "retry_hour",
            "tenant=shop&hour=2026-11-01T00".into(),
            ADMIN_ONLY,
        ),
        ("get_inbox", "unread=&kind=".into(), ANON_ONLY_DENIED),
        ("mark_read", "id=".into(), ANON_ONLY_DENIED),
        ("list_watches", String::new(), ANON_ONLY_DENIED),
        (
            "add_watch",
            "tenant=shop&target=event&name=open&news=".into(),
            SHOP_READERS,
        ),
        // The viewer's watch is the first (1): only they may remove it.
        (
            "remove_watch",
            "id=1".into(),
            ["unauth", "ok", "notfound", "notfound", "notfound"],
        ),
        ("get_mail_preference", String::new(), ANON_ONLY_DENIED),
        (
            "set_mail_preference",
            "digest=hourly".into(),
            ANON_ONLY_DENIED,
        ),
        ("get_channels", String::new(), ANON_ONLY_DENIED),
        (
            "add_webhook",
            // One address per caller: a second webhook to an address is a conflict (409).
            format!("tenant=shop&url=http%3A%2F%2F192.0.2.10%3A9%2Fhook{caller}&news="),
            SHOP_OWNERS,
        ),
        (
            "remove_webhook",
            "id=999".into(),
            ["unauth", "notfound", "notfound", "notfound", "notfound"],
        ),
        ("set_quiet_days", "tenant=shop&days=3".into(), SHOP_OWNERS),
        ("list_rollouts", "tenant=shop".into(), SHOP_READERS),
        ("get_version_choices", "tenant=shop".into(), SHOP_READERS),
        ("get_watch_choices", "tenant=shop".into(), SHOP_READERS),
        (
            "get_rollout",
            "id=999".into(),
            ["unauth", "notfound", "notfound", "notfound", "notfound"],
        ),
        // No such application: owners get a clear refusal, viewers may not open one at all.
        (
            "open_rollout",
            "tenant=shop&application=Nope&platform=iOS&version=1.0&baseline=".into(),
            ["unauth", "forbidden", "other", "other", "notfound"],
        ),
        (
            "set_rollout_state",
            "id=999&state=paused".into(),
            ["unauth", "notfound", "notfound", "notfound", "notfound"],
        ),
        (
            "set_rollout_plan",
            "id=999&stages=1%2C+50%2C+100&tolerance=10&min_sessions=100&min_count=50&top=10".into(),
            ["unauth", "notfound", "notfound", "notfound", "notfound"],
        ),
        ("get_tenant_plan", "tenant=shop".into(), SHOP_READERS),
        (
            "list_incidents",
            "tenant=shop&from=&to=&state=&kind=&event=".into(),
            SHOP_READERS,
        ),
        ("open_incidents", "tenant=shop".into(), SHOP_READERS),
        (
            "get_event_signals",
            "tenant=shop&event=open&from=2026-11-01T00&to=2026-11-01T01".into(),
            SHOP_READERS,
        ),
        (
            "get_incident",
            "id=999".into(),
            ["unauth", "notfound", "notfound", "notfound", "notfound"],
        ),
        (
            "change_incident",
            "id=999&state=resolved".into(),
            ["unauth", "notfound", "notfound", "notfound", "notfound"],
        ),
        (
            "mute_series",
            "tenant=shop&event=open&mute=mute".into(),
            SHOP_OWNERS,
        ),
        (
            "set_tenant_plan",
            "tenant=shop&stages=2%2C+10%2C+100&tolerance=12.5&min_sessions=100&min_count=50&top=10"
                .into(),
            SHOP_OWNERS,
        ),
    ]
}

/// (method, path, REST route it exercises, status for each caller).
fn rest_calls() -> Vec<(&'static str, &'static str, &'static str, [u16; 5])> {
    const SHOP_READERS: [u16; 5] = [401, 200, 200, 200, 404];
    vec![
        (
            "GET",
            "/api/v1/tenants",
            "/api/v1/tenants",
            [401, 200, 200, 200, 200],
        ),
        (
            "GET",
            "/api/v1/tenants/shop/counts?from=2026-11-01T00&to=2026-11-02T00",
            "/api/v1/tenants/{tenant}/counts",
            [401, 200, 200, 200, 404],
        ),
        (
            "GET",
            "/api/v1/tenants/nowhere/counts?from=2026-11-01T00&to=2026-11-02T00",
            "/api/v1/tenants/{tenant}/counts",
            [401, 404, 404, 404, 404],
        ),
        (
            "GET",
            "/api/v1/openapi.json",
            "/api/v1/openapi.json",
            [200; 5],
        ),
        ("POST", "/api/v1/session", "/api/v1/session", [200; 5]),
        (
            "GET",
            "/api/v1/tenants/shop/overview",
            "/api/v1/tenants/{tenant}/overview",
            SHOP_READERS,
        ),
        (
            "GET",
            "/api/v1/tenants/shop/applications?days=30",
            "/api/v1/tenants/{tenant}/applications",
            SHOP_READERS,
        ),
        (
            "GET",
            "/api/v1/tenants/shop/events?q=op&sort=volume",
            "/api/v1/tenants/{tenant}/events",
            SHOP_READERS,
        ),
        (
            "GET",
            "/api/v1/tenants/acme/events",
            "/api/v1/tenants/{tenant}/events",
            [401, 404, 404, 200, 200],
        ),
        (
            "GET",
            "/api/v1/tenants/shop/events/open?split=platform",
            "/api/v1/tenants/{tenant}/events/{event}",
            SHOP_READERS,
        ),
        (
            "GET",
            "/api/v1/tenants/shop/events/missing",
            "/api/v1/tenants/{tenant}/events/{event}",
            [401, 404, 404, 404, 404],
        ),
        (
            "PATCH",
            "/api/v1/tenants/shop/events/open",
            "/api/v1/tenants/{tenant}/events/{event}",
            [401, 403, 200, 200, 404],
        ),
        (
            "GET",
            "/api/v1/tenants/shop/events/open/schema",
            "/api/v1/tenants/{tenant}/events/{event}/schema",
            SHOP_READERS,
        ),
        (
            "PATCH",
            "/api/v1/tenants/shop/applications/%28none%29/%28none%29",
            "/api/v1/tenants/{tenant}/applications/{application}/{platform}",
            [401, 403, 200, 200, 404],
        ),
        (
            "GET",
            "/api/v1/tenants/shop/screens",
            "/api/v1/tenants/{tenant}/screens",
            SHOP_READERS,
        ),
        (
            "GET",
            "/api/v1/tenants/shop/screens/%28none%29",
            "/api/v1/tenants/{tenant}/screens/{screen}",
            SHOP_READERS,
        ),
        (
            "PATCH",
            "/api/v1/tenants/shop/screens/%28none%29",
            "/api/v1/tenants/{tenant}/screens/{screen}",
            [401, 403, 200, 200, 404],
        ),
        (
            "GET",
            "/api/v1/tenants/shop/matrix?by=screen",
            "/api/v1/tenants/{tenant}/matrix",
            SHOP_READERS,
        ),
        (
            "GET",
            "/api/v1/tenants/shop/catalog",
            "/api/v1/tenants/{tenant}/catalog",
            SHOP_READERS,
        ),
        (
            "GET",
            "/api/v1/compare?event=open",
            "/api/v1/compare",
            [401, 200, 200, 200, 200],
        ),
        (
            "POST",
            "/api/v1/tenants/shop/backfills",
            "/api/v1/tenants/{tenant}/backfills",
            [401, 403, 403, 202, 404],
        ),
        (
            "GET",
            "/api/v1/tenants/shop/backfills",
            "/api/v1/tenants/{tenant}/backfills",
            [401, 403, 403, 200, 404],
        ),
        // The admin's POST above is backfill 2 (the server function made 1).
        (
            "GET",
            "/api/v1/backfills/2",
            "/api/v1/backfills/{id}",
            [401, 403, 403, 200, 403],
        ),
        (
            "POST",
            "/api/v1/backfills/2/cancel",
            "/api/v1/backfills/{id}/cancel",
            [401, 403, 403, 200, 403],
        ),
        (
            "GET",
            "/api/v1/tenants/shop/hours",
            "/api/v1/tenants/{tenant}/hours",
            [401, 403, 403, 200, 404],
        ),
        (
            "GET",
            "/api/v1/tenants/shop/hours/2026-11-01T00",
            "/api/v1/tenants/{tenant}/hours/{hour}",
            [401, 403, 403, 200, 404],
        ),
        (
            "POST",
            "/api/v1/tenants/shop/hours/2026-11-01T00/retry",
            "/api/v1/tenants/{tenant}/hours/{hour}/retry",
            [401, 403, 403, 202, 404],
        ),
        (
            "GET",
            "/api/v1/jobs",
            "/api/v1/jobs",
            [401, 403, 403, 200, 403],
        ),
        (
            "POST",
            "/api/v1/watches",
            "/api/v1/watches",
            [401, 201, 201, 201, 404],
        ),
        (
            "GET",
            "/api/v1/watches",
            "/api/v1/watches",
            [401, 200, 200, 200, 200],
        ),
        (
            "DELETE",
            "/api/v1/watches/999",
            "/api/v1/watches/{id}",
            [401, 404, 404, 404, 404],
        ),
        (
            "GET",
            "/api/v1/inbox",
            "/api/v1/inbox",
            [401, 200, 200, 200, 200],
        ),
        (
            "POST",
            "/api/v1/inbox/read",
            "/api/v1/inbox/read",
            [401, 200, 200, 200, 200],
        ),
        (
            "GET",
            "/api/v1/me/mail",
            "/api/v1/me/mail",
            [401, 200, 200, 200, 200],
        ),
        (
            "PUT",
            "/api/v1/me/mail",
            "/api/v1/me/mail",
            [401, 200, 200, 200, 200],
        ),
        (
            "GET",
            "/api/v1/tenants/shop/webhooks",
            "/api/v1/tenants/{tenant}/webhooks",
            [401, 403, 200, 200, 404],
        ),
        (
            "POST",
            "/api/v1/tenants/shop/webhooks",
            "/api/v1/tenants/{tenant}/webhooks",
            [401, 403, 201, 201, 404],
        ),
        (
            "DELETE",
            "/api/v1/webhooks/999",
            "/api/v1/webhooks/{id}",
            [401, 404, 404, 404, 404],
        ),
        (
            "GET",
            "/api/v1/tenants/shop/rollouts",
            "/api/v1/tenants/{tenant}/rollouts",
            [401, 200, 200, 200, 404],
        ),
        (
            "POST",
            "/api/v1/tenants/shop/rollouts",
            "/api/v1/tenants/{tenant}/rollouts",
            [401, 403, 400, 400, 404],
        ),
        (
            "GET",
            "/api/v1/rollouts/999",
            "/api/v1/rollouts/{id}",
            [401, 404, 404, 404, 404],
        ),
        (
            "PATCH",
            "/api/v1/rollouts/999",
            "/api/v1/rollouts/{id}",
            [401, 404, 404, 404, 404],
        ),
        (
            "GET",
            "/api/v1/tenants/shop/rollout-plan",
            "/api/v1/tenants/{tenant}/rollout-plan",
            [401, 200, 200, 200, 404],
        ),
        (
            "PUT",
            "/api/v1/tenants/shop/rollout-plan",
            "/api/v1/tenants/{tenant}/rollout-plan",
            [401, 403, 200, 200, 404],
        ),
        (
            "GET",
            "/api/v1/tenants/shop/incidents",
            "/api/v1/tenants/{tenant}/incidents",
            [401, 200, 200, 200, 404],
        ),
        (
            "GET",
            "/api/v1/incidents/999",
            "/api/v1/incidents/{id}",
            [401, 404, 404, 404, 404],
        ),
        (
            "PATCH",
            "/api/v1/incidents/999",
            "/api/v1/incidents/{id}",
            [401, 404, 404, 404, 404],
        ),
        (
            "PUT",
            "/api/v1/tenants/shop/mutes",
            "/api/v1/tenants/{tenant}/mutes",
            [401, 403, 204, 204, 404],
        ),
        (
            "DELETE",
            "/api/v1/tenants/shop/mutes",
            "/api/v1/tenants/{tenant}/mutes",
            [401, 403, 204, 204, 404],
        ),
        ("DELETE", "/api/v1/session", "/api/v1/session", [204; 5]),
    ]
}

/// (page, status for each caller).
const PAGES: [(&str, [u16; 5]); 23] = [
    ("/", [303, 200, 200, 200, 200]),
    ("/t/shop", [303, 200, 200, 200, 404]),
    ("/t/nowhere", [303, 404, 404, 404, 404]),
    ("/t/shop/applications", [303, 200, 200, 200, 404]),
    ("/t/shop/events", [303, 200, 200, 200, 404]),
    ("/t/shop/events/open", [303, 200, 200, 200, 404]),
    ("/t/shop/events/missing", [303, 404, 404, 404, 404]),
    ("/t/shop/screens", [303, 200, 200, 200, 404]),
    ("/t/shop/matrix", [303, 200, 200, 200, 404]),
    ("/compare?event=open", [303, 200, 200, 200, 200]),
    ("/login", [200; 5]),
    ("/admin/users", [303, 403, 403, 200, 403]),
    ("/admin/audit", [303, 403, 403, 200, 403]),
    ("/admin/ingestion", [303, 403, 403, 200, 403]),
    ("/inbox", [303, 200, 200, 200, 200]),
    ("/watches", [303, 200, 200, 200, 200]),
    ("/account", [303, 200, 200, 200, 200]),
    ("/admin/tokens", [303, 200, 200, 200, 200]),
    ("/admin/notifications", [303, 200, 200, 200, 200]),
    ("/t/shop/rollouts", [303, 200, 200, 200, 404]),
    ("/t/shop/rollouts/999", [303, 404, 404, 404, 404]),
    ("/t/shop/incidents", [303, 200, 200, 200, 404]),
    ("/t/shop/incidents/999", [303, 404, 404, 404, 404]),
];

#[tokio::test]
async fn every_route_answers_every_role_as_designed() {
    for server in TestServer::with_users().await {
        let services = &server.state.services;
        let mut cookies = Vec::new();
        for caller in CALLERS {
            cookies.push(match caller {
                Some(email) => Some(server.sign_in(email).await),
                None => None,
            });
        }
        let admin = blueprint_core::testing::actor(services, "tokens@example.com", true, &[]).await;
        let (_, token) = blueprint_core::accounts::tokens::create_token(
            services,
            &admin,
            blueprint_core::accounts::tokens::NewToken {
                name: "to revoke".into(),
                tenant: None,
                role: None,
            },
        )
        .await
        .unwrap();
        blueprint_core::testing::actor(services, "reset@example.com", false, &[]).await;
        let users = blueprint_core::accounts::users::list_users(services, &admin)
            .await
            .unwrap();

        let stranger_id = users.iter().find(|u| u.email == STRANGER).unwrap().id;

        // Every registered server function has a row.
        let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
            .map(|(path, _)| path.to_owned())
            .collect();
        let names: Vec<&str> = server_functions(0, 0, 0).iter().map(|row| row.0).collect();
        for path in &registered {
            let name = path.trim_start_matches("/api/");
            assert!(
                names
                    .iter()
                    .any(|n| name.starts_with(n)
                        && name[n.len()..].chars().all(|c| c.is_ascii_digit())),
                "server function {path} has no row in this table"
            );
        }
        for (index, cookie) in cookies.iter().enumerate() {
            for (name, args, expected) in server_functions(stranger_id, token.id, index) {
                let path = registered
                    .iter()
                    .find(|p| {
                        let rest = p.trim_start_matches("/api/");
                        rest.starts_with(name)
                            && rest[name.len()..].chars().all(|c| c.is_ascii_digit())
                    })
                    .unwrap_or_else(|| panic!("{name} is not registered"));
                let body = Some(("application/x-www-form-urlencoded", args.clone()));
                let answer = send(&server.router, "POST", path, cookie.as_deref(), body).await;
                assert_eq!(
                    outcome(answer.status, &answer.body),
                    expected[index],
                    "{name} as {:?} on {}: {} {}",
                    CALLERS[index],
                    server.label,
                    answer.status,
                    answer.body
                );
            }
        }

        // Every route the API registers is in its table, and every table entry has a row. Routes
        // are registered with their documentation, so the document lists them; a plain
        // `.route(` is allowed for the catch-all only.
        let document = serde_json::to_value(blueprint_server::web::api::document()).unwrap();
        for (registered, item) in document["paths"].as_object().unwrap() {
            let methods = item.as_object().unwrap().keys();
            for method in methods.filter(|key| HTTP_METHODS.contains(&key.as_str())) {
                assert!(
                    !registered.starts_with("/api/")
                        || ROUTES.iter().any(|(m, path, _, _)| {
                            path == registered && m.eq_ignore_ascii_case(method)
                        }),
                    "REST route {method} {registered} is registered but not listed in api::ROUTES"
                );
            }
        }
        for source in API_SOURCES {
            for registered in source
                .split(".route(")
                .skip(1)
                .filter_map(|rest| rest.trim_start().strip_prefix('"'))
                .filter_map(|rest| rest.split('"').next())
            {
                assert_eq!(
                    registered, "/api/v1/{*rest}",
                    "REST route {registered} is registered without its documentation (routes!)"
                );
            }
        }
        let covered: BTreeSet<(&str, &str)> = rest_calls().iter().map(|c| (c.0, c.2)).collect();

        for (method, path, _, _) in ROUTES {
            assert!(
                covered.contains(&(*method, *path)),
                "REST route {method} {path} has no row in this table"
            );
        }
        for (index, cookie) in cookies.iter().enumerate() {
            for (method, path, _, expected) in rest_calls() {
                let body = match method {
                    "POST" if path == "/api/v1/session" => Some(("application/json", r#"{"email":"owner@example.com","password":"correct horse battery staple"}"#.to_owned())),
                    "POST" if path.ends_with("/backfills") => Some(("application/json", r#"{"from":"2026-11-01T00","to":"2026-11-01T01"}"#.to_owned())),
                    "POST" if path == "/api/v1/watches" => Some(("application/json", r#"{"tenant":"shop","target":"event","name":"open"}"#.to_owned())),
                    "POST" if path == "/api/v1/inbox/read" => Some(("application/json", r#"{"all":true}"#.to_owned())),
                    "PUT" if path.ends_with("/rollout-plan") => Some(("application/json", r#"{"stages":[2,10,50,100],"tolerance":0.15,"min_sessions":200,"min_count":50,"top":5}"#.to_owned())),
                    "PUT" if path == "/api/v1/me/mail" => Some(("application/json", r#"{"digest":"hourly"}"#.to_owned())),
                    "POST" if path.ends_with("/rollouts") => Some(("application/json", r#"{"application":"Nope","platform":"iOS","version":"1.0"}"#.to_owned())),
                    "PATCH" if path.starts_with("/api/v1/incidents/") => Some(("application/json", r#"{"state":"resolved"}"#.to_owned())),
                    "PUT" | "DELETE" if path.ends_with("/mutes") => Some(("application/json", r#"{"event":"open"}"#.to_owned())),
                    "PATCH" if path.starts_with("/api/v1/rollouts/") => Some(("application/json", r#"{"state":"paused"}"#.to_owned())),
                    "POST" if path.ends_with("/webhooks") => Some(("application/json", format!(r#"{{"url":"http://192.0.2.10:9/api-hook{index}"}}"#))),
                    "PATCH" => Some(("application/json", r#"{"description":"Edited through the API","tags":["core"]}"#.to_owned())),
                    _ => None,
                };

                // Signing out ends the session: give each call a fresh sign-in where it matters.
                let cookie = match (method, CALLERS[index]) {
                    ("DELETE", Some(email)) => Some(server.sign_in(email).await),
                    ("POST", _) if path == "/api/v1/session" => None,
                    _ => cookie.clone(),
                };

                let answer = send(&server.router, method, path, cookie.as_deref(), body).await;
                assert_eq!(
                    answer.status.as_u16(),
                    expected[index],
                    "{method} {path} as {:?} on {}: {}",
                    CALLERS[index],
                    server.label,
                    answer.body
                );
            }
            for (path, expected) in PAGES {
                let answer = send(&server.router, "GET", path, cookie.as_deref(), None).await;
                assert_eq!(
                    answer.status.as_u16(),
                    expected[index],
                    "{path} as {:?} on {}",
                    CALLERS[index],
                    server.label
                );
            }
        }
    }
}

#[tokio::test]
async fn tokens_carry_their_scope_and_stop_working_when_revoked() {
    for server in TestServer::with_users().await {
        let services = &server.state.services;
        let owner = blueprint_core::accounts::users::actor_for(services, 2)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(owner.email, OWNER);
        let (secret, summary) = blueprint_core::accounts::tokens::create_token(
            services,
            &owner,
            blueprint_core::accounts::tokens::NewToken {
                name: "ci".into(),
                tenant: Some("shop".into()),
                role: Some(blueprint_core::accounts::Role::Viewer),
            },
        )
        .await
        .unwrap();
        let call = |path: &'static str, secret: String| {
            let router = server.router.clone();
            async move {
                let request = axum::http::Request::get(path)
                    .header("authorization", format!("Bearer {secret}"))
                    .body(axum::body::Body::empty())
                    .unwrap();
                tower::ServiceExt::oneshot(router, request)
                    .await
                    .unwrap()
                    .status()
            }
        };
        assert_eq!(
            call(
                "/api/v1/tenants/shop/counts?from=2026-11-01T00&to=2026-11-01T01",
                secret.clone()
            )
            .await,
            StatusCode::OK
        );
        assert_eq!(
            call(
                "/api/v1/tenants/acme/counts?from=2026-11-01T00&to=2026-11-01T01",
                secret.clone()
            )
            .await,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            call("/api/v1/tenants", "bpt_not-a-token".into()).await,
            StatusCode::UNAUTHORIZED
        );
        blueprint_core::accounts::tokens::revoke_token(services, &owner, summary.id)
            .await
            .unwrap();
        assert_eq!(
            call("/api/v1/tenants", secret).await,
            StatusCode::UNAUTHORIZED,
            "{}",
            server.label
        );
        let escalate = blueprint_core::accounts::tokens::create_token(
            services,
            &owner,
            blueprint_core::accounts::tokens::NewToken {
                name: "all".into(),
                tenant: None,
                role: None,
            },
        )
        .await;
        assert!(matches!(
            escalate,
            Err(blueprint_core::accounts::ServiceError::Forbidden)
        ));
    }
}

#[tokio::test]
async fn wrong_passwords_get_one_calm_message_and_are_slowed_down() {
    for server in TestServer::with_users().await {
        for attempt in 0..5 {
            let body = Some((
                "application/x-www-form-urlencoded",
                "email=viewer%40example.com&password=nope&next=%2F".to_owned(),
            ));
            let answer = send(&server.router, "POST", "/login", None, body).await;
            assert_eq!(
                answer.location.as_deref(),
                Some("/login?error=credentials&next=%2F"),
                "attempt {attempt}"
            );
        }
        let unknown = Some((
            "application/x-www-form-urlencoded",
            "email=nobody%40example.com&password=nope".to_owned(),
        ));
        let answer = send(&server.router, "POST", "/login", None, unknown).await;
        assert!(
            answer
                .location
                .as_deref()
                .is_some_and(|l| l.starts_with("/login?error=throttled")),
            "the address is slowed down too, whatever the email: {:?}",
            answer.location
        );
        let (_, page) = support::get(&server.router, "/login?error=credentials").await;
        assert!(
            page.contains("The email or password is incorrect."),
            "{page}"
        );
        let answer = send(
            &server.router,
            "POST",
            "/api/v1/session",
            None,
            Some((
                "application/json",
                r#"{"email":"viewer@example.com","password":"correct horse battery staple"}"#
                    .into(),
            )),
        )
        .await;
        assert_eq!(
            answer.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{}: {}",
            server.label,
            answer.body
        );
    }
}

#[tokio::test]
async fn forged_cross_site_posts_are_refused() {
    let server = TestServer::with_users().await.remove(0);
    let cookie = server.sign_in(ADMIN).await;
    let request = axum::http::Request::post("/logout")
        .header("host", "blueprint.test")
        .header("origin", "https://evil.example")
        .header("cookie", cookie)
        .body(axum::body::Body::empty())
        .unwrap();
    let response = tower::ServiceExt::oneshot(server.router.clone(), request)
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn session_cookies_are_http_only_same_site_and_renewed_at_sign_in() {
    let server = TestServer::with_users().await.remove(0);
    let sign_in = |router: axum::Router, cookie: Option<String>| async move {
        let mut request = axum::http::Request::post("/api/v1/session")
            .header("content-type", "application/json")
            .header("host", "blueprint.test")
            .header("origin", "http://blueprint.test");
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        let body = r#"{"email":"admin@example.com","password":"correct horse battery staple"}"#;
        let response =
            tower::ServiceExt::oneshot(router, request.body(axum::body::Body::from(body)).unwrap())
                .await
                .unwrap();
        response
            .headers()
            .get("set-cookie")
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned()
    };
    let first = sign_in(server.router.clone(), None).await;
    assert!(first.starts_with("blueprint_session="), "{first}");
    assert!(
        first.contains("HttpOnly") && first.contains("SameSite=Lax"),
        "{first}"
    );
    assert!(
        !first.contains("Secure"),
        "plain HTTP unless configured: {first}"
    );
    let first_value = first.split(';').next().unwrap().to_owned();
    let second = sign_in(server.router.clone(), Some(first_value.clone())).await;
    let second_value = second.split(';').next().unwrap().to_owned();
    assert_ne!(
        first_value, second_value,
        "a new session id at every sign-in"
    );
    let (status, _) = support::get_as(&server.router, "/", &first_value).await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "the old id no longer signs anyone in"
    );

    let mut state = server.state.clone();
    state.secure_cookies = true;
    let secure = sign_in(blueprint_server::web::build_router(state), None).await;
    assert!(secure.contains("Secure"), "{secure}");
}
