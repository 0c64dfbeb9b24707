//! The incidents pages as the server renders them (what a browser without JavaScript gets), on
//! every test database: the list and one incident, the overview's "what changed", the event
//! page's incidents; a form posted without JavaScript acknowledges and comes back to the page
//! showing the new state (a mistake, with what to fix); a viewer sees no action forms, and their
//! post changes nothing.

mod support;

use axum::http::{StatusCode, header};
use support::incidents::seed_shop;
use support::{OWNER, TestServer, VIEWER, answer, get_as, request};

const FORM: &str = "application/x-www-form-urlencoded";

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

/// The state the incident page shows.
fn state_shown(html: &str) -> &str {
    html.split("data-testid=\"incident-state\"")
        .nth(1)
        .and_then(|rest| rest.split_once('>'))
        .and_then(|(_, rest)| rest.split('<').next())
        .unwrap_or_default()
}

/// Posts a form as a browser without JavaScript does: it accepts HTML and names the page.
async fn post_form(
    server: &TestServer,
    cookie: &str,
    page: &str,
    name: &str,
    form: &str,
) -> support::Answer {
    let mut post = request(
        "POST",
        &server_fn_path(name),
        Some(cookie),
        Some((FORM, form.to_owned())),
    );
    let headers = post.headers_mut();
    headers.insert(
        header::ACCEPT,
        "text/html,application/xhtml+xml".parse().unwrap(),
    );
    headers.insert(
        header::REFERER,
        format!("http://blueprint.test{page}").parse().unwrap(),
    );
    answer(&server.router, post).await
}

#[tokio::test]
async fn the_incidents_pages_render_on_the_server_and_act_without_javascript() {
    for server in TestServer::with_users().await {
        let label = server.label;
        let (release, overall, foreign) = seed_shop(&server.state.services).await;
        let viewer = server.sign_in(VIEWER).await;
        let owner = server.sign_in(OWNER).await;

        let (status, list) = get_as(&server.router, "/t/shop/incidents", &viewer).await;
        assert_eq!(status, StatusCode::OK, "{label}");
        assert!(list.contains("data-testid=\"incidents\""), "{list}");
        assert!(list.contains("2 series on Shop 2.0 (iOS)"), "{list}");
        assert!(list.contains("30 vs 102 expected (-71 %)"), "{list}");
        assert!(
            list.contains("datetime=\"2026-10-30T10:00:00Z\"")
                && list.contains("datetime=\"2026-10-30T12:00:00Z\""),
            "{list}"
        );
        assert!(
            list.contains(&format!("href=\"/t/shop/incidents/{overall}\"")),
            "{list}"
        );
        assert!(
            list.contains("href=\"/t/shop/incidents\""),
            "the tenant's tabs link it"
        );
        let (_, drops) = get_as(&server.router, "/t/shop/incidents?kind=drop", &viewer).await;
        assert!(drops.contains("2 series on Shop 2.0 (iOS)"), "{label}");
        assert!(!drops.contains("500 vs 200 expected"), "{label}");
        let (_, none) = get_as(
            &server.router,
            "/t/shop/incidents?from=2026-11-01T03&to=2026-11-02T00",
            &viewer,
        )
        .await;
        assert!(none.contains("No incidents in this range."), "{label}");

        // One incident: its chart and series; a viewer gets no forms.
        let page = format!("/t/shop/incidents/{release}");
        let (status, html) = get_as(&server.router, &page, &viewer).await;
        assert_eq!(status, StatusCode::OK, "{label}");
        assert!(html.contains("data-testid=\"band-chart\""), "{html}");
        assert!(html.contains("data-testid=\"series\""), "{html}");
        assert!(state_shown(&html) == "open", "{html}");
        assert!(
            !html.contains("acknowledge-form"),
            "a viewer sees no action forms"
        );
        assert!(!html.contains(">Mute<"), "a viewer sees no mute buttons");
        let (status, _) = get_as(
            &server.router,
            &format!("/t/acme/incidents/{foreign}"),
            &owner,
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{label}");
        let (status, _) = get_as(
            &server.router,
            &format!("/t/shop/incidents/{foreign}"),
            &owner,
        )
        .await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "{label}: another tenant's incident"
        );

        // A viewer's post (no JavaScript) changes nothing.
        let form = format!("id={release}&state=acknowledged&comment=Mine");
        post_form(&server, &viewer, &page, "change_incident", &form).await;
        let (_, html) = get_as(&server.router, &page, &viewer).await;
        assert!(state_shown(&html) == "open", "{label}");

        // The owner sees the forms; acknowledging without JavaScript comes back to the page.
        let (_, html) = get_as(&server.router, &page, &owner).await;
        assert!(
            html.contains("acknowledge-form") && html.contains("snooze-form"),
            "{html}"
        );
        assert!(html.contains(">Mute<"), "{label}");
        let form = format!("id={release}&state=acknowledged&comment=Known%3A+the+login+change");
        let posted = post_form(&server, &owner, &page, "change_incident", &form).await;
        assert_eq!(posted.status, StatusCode::FOUND, "{label}: {}", posted.body);
        // Back to the page it came from, saying which form worked (`__done`).
        let back = posted.location.unwrap_or_default();
        let back = back.trim_start_matches("http://blueprint.test");
        assert!(
            back.trim_end_matches('?') == page || back.starts_with(&format!("{page}?__done=")),
            "{label}: {back}"
        );
        let (_, html) = get_as(&server.router, &page, &owner).await;
        assert!(state_shown(&html) == "acknowledged", "{html}");
        assert!(html.contains("acknowledged by owner@example.com"), "{html}");
        assert!(html.contains("Known: the login change"), "{html}");
        // A mistake comes back to the page with what to fix, and changes nothing.
        let form = format!("id={release}&state=snoozed&snooze_until=tomorrow");
        let refused = post_form(&server, &owner, &page, "change_incident", &form).await;
        let back = refused.location.unwrap_or_default();
        let back = back.trim_start_matches("http://blueprint.test");
        assert!(back.starts_with(&format!("{page}?")), "{label}: {back}");
        let (_, html) = get_as(&server.router, back, &owner).await;
        assert!(html.contains("is not a time"), "{html}");
        assert_eq!(state_shown(&html), "acknowledged", "{label}");
        let form = format!("id={release}&state=snoozed&snooze_until=2099-01-01T09");
        post_form(&server, &owner, &page, "change_incident", &form).await;
        let (_, html) = get_as(&server.router, &page, &owner).await;
        assert!(
            html.contains("snoozed until 2099-01-01T09:00:00Z"),
            "{html}"
        );
        let form = "tenant=shop&event=tap&application=Shop&version=2.0&platform=iOS&mute=mute";
        post_form(&server, &owner, &page, "mute_series", form).await;
        let (_, html) = get_as(&server.router, &page, &owner).await;
        assert!(
            html.contains(">muted<") && html.contains(">Unmute<"),
            "{html}"
        );

        // The overview opens with what changed; the event page lists its incidents.
        let (_, overview) = get_as(&server.router, "/t/shop", &viewer).await;
        assert!(
            overview.contains("data-testid=\"what-changed\""),
            "{overview}"
        );
        assert!(overview.contains("1 open incident"), "{overview}");
        assert!(
            overview.contains(&format!("href=\"/t/shop/incidents/{overall}\"")),
            "{overview}"
        );
        let (_, event) = get_as(&server.router, "/t/shop/events/open", &viewer).await;
        assert!(event.contains("data-testid=\"incident-strip\""), "{event}");
        assert!(
            event.contains("All versions against the expected band"),
            "{event}"
        );
        assert!(event.contains("data-testid=\"event-incidents\""), "{event}");
        assert!(
            event.contains(&format!("href=\"/t/shop/incidents/{release}\"")),
            "{event}"
        );
    }
}
