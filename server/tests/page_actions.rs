//! Each page offers a form only to those who may submit it (issue 17, item 4), as the server
//! renders it — what a browser without JavaScript gets — on both databases: a viewer of `shop`
//! is offered no form to open, pause, close or re-plan a roll-out, edit the catalog, add a
//! webhook, set a quiet period, re-ingest or manage users, and an owner none of the admin's; the
//! create-token form offers only the tenants and roles its user may give a token. That the server
//! refuses those posts (403) is `permissions.rs`.

mod support;

use support::{ADMIN, OWNER, STRANGER, TestServer, VIEWER, get_as};

/// The server functions the page's forms post to, by name (`action="/api/NAME1234…"`).
fn posted_to(html: &str) -> Vec<String> {
    html.split("action=\"/api/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|path| {
            path.trim_end_matches(|c: char| c.is_ascii_digit())
                .to_owned()
        })
        .collect()
}

/// The option values of the page's `<select name="NAME">`.
fn options_of(html: &str, name: &str) -> Vec<String> {
    let start = html
        .find(&format!("<select name=\"{name}\""))
        .unwrap_or_else(|| panic!("no select {name} in {html}"));
    let end = start + html[start..].find("</select>").expect("the select's end");
    html[start..end]
        .split("<option value=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn every_page_offers_its_forms_only_to_those_who_may_submit_them() {
    for server in TestServer::with_users().await {
        let label = server.label;
        let rollout = server.with_rollout().await;
        let report = format!("/t/shop/rollouts/{rollout}");
        let mut cookies = std::collections::BTreeMap::new();
        for email in [VIEWER, OWNER, ADMIN] {
            cookies.insert(email, server.sign_in(email).await);
        }
        // (page, a server function its forms post to, who is offered it: viewer, owner, admin).
        let table: [(&str, &str, [bool; 3]); 14] = [
            ("/t/shop/rollouts", "open_rollout", [false, true, true]),
            ("/t/shop/rollouts", "set_tenant_plan", [false, true, true]),
            (&report, "set_rollout_state", [false, true, true]),
            (&report, "set_rollout_plan", [false, true, true]),
            (
                "/t/shop/events/open",
                "update_curation",
                [false, true, true],
            ),
            (
                "/t/shop/applications",
                "update_curation",
                [false, true, true],
            ),
            ("/admin/notifications", "add_webhook", [false, true, true]),
            (
                "/admin/notifications",
                "set_quiet_days",
                [false, true, true],
            ),
            ("/admin/ingestion", "request_backfill", [false, false, true]),
            ("/admin/users", "create_user", [false, false, true]),
            ("/admin/users", "set_user_rights", [false, false, true]),
            ("/admin/users", "reset_password", [false, false, true]),
            // What a viewer may do, they are offered.
            ("/watches", "add_watch", [true, true, true]),
            ("/admin/tokens", "create_token", [true, true, true]),
        ];
        let mut wrong = Vec::new();
        for (page, name, offered) in table {
            for (email, expected) in [VIEWER, OWNER, ADMIN].into_iter().zip(offered) {
                let (_, html) = get_as(&server.router, page, &cookies[email]).await;
                let forms = posted_to(&html);
                if forms.iter().any(|f| f == name) != expected {
                    wrong.push(format!(
                        "{page} as {email}: {name} offered {}, expected {expected} (forms: {forms:?})",
                        !expected
                    ));
                }
            }
        }
        assert!(wrong.is_empty(), "on {label}:\n{}", wrong.join("\n"));

        // The create-token form: the tenants and roles each user may give a token.
        let stranger = server.sign_in(STRANGER).await;
        for (cookie, tenants, roles) in [
            (&cookies[VIEWER], vec!["shop"], vec!["viewer"]),
            (&cookies[OWNER], vec!["shop"], vec!["viewer", "owner"]),
            (&stranger, vec!["acme"], vec!["viewer"]),
            (
                &cookies[ADMIN],
                vec!["acme", "shop", ""],
                vec!["viewer", "owner", "admin"],
            ),
        ] {
            let (status, html) = get_as(&server.router, "/admin/tokens", cookie).await;
            assert_eq!(status, 200, "{label}");
            assert_eq!(options_of(&html, "tenant"), tenants, "{label}");
            assert_eq!(options_of(&html, "role"), roles, "{label}");
        }
    }
}
