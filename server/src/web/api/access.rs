//! Who may call each REST route, and what it does: the route table the OpenAPI document takes its
//! summaries and security from, and the permission tests read.

/// Who may call a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Anyone,
    SignedIn,
    TenantViewer,
    TenantOwner,
    Admin,
}

/// (method, path, access, summary) of every REST route.
pub const ROUTES: &[(&str, &str, Access, &str)] = &[
    (
        "POST",
        "/api/v1/session",
        Access::Anyone,
        "Sign in with {\"email\",\"password\"}; sets the session cookie",
    ),
    ("DELETE", "/api/v1/session", Access::Anyone, "Sign out"),
    (
        "GET",
        "/api/v1/openapi.json",
        Access::Anyone,
        "This document",
    ),
    (
        "GET",
        "/api/v1/tenants",
        Access::SignedIn,
        "The tenants the caller can see",
    ),
    (
        "GET",
        "/api/v1/tenants/{tenant}/counts",
        Access::TenantViewer,
        "Hourly counts of [from, to) as JSON, or CSV with format=csv; filters: application, platform, version, screen, event",
    ),
    (
        "GET",
        "/api/v1/tenants/{tenant}/overview",
        Access::TenantViewer,
        "Activity, ingestion health, what is new, what went quiet, the movers (from, to or days)",
    ),
    (
        "GET",
        "/api/v1/tenants/{tenant}/applications",
        Access::TenantViewer,
        "Applications per platform with their versions and session shares",
    ),
    (
        "PATCH",
        "/api/v1/tenants/{tenant}/applications/{application}/{platform}",
        Access::TenantOwner,
        "Edit an application's {\"description\",\"owner\",\"status\",\"tags\"} (owners and admins)",
    ),
    (
        "GET",
        "/api/v1/tenants/{tenant}/events",
        Access::TenantViewer,
        "Events, searched and filtered (q, status, owner, tag, application, platform, version, screen, new_since, not_seen_since, sort, order, page)",
    ),
    (
        "GET",
        "/api/v1/tenants/{tenant}/events/{event}",
        Access::TenantViewer,
        "One event: curation, volume by hour and day (split=version|platform), screens, versions, keys, discoveries",
    ),
    (
        "PATCH",
        "/api/v1/tenants/{tenant}/events/{event}",
        Access::TenantOwner,
        "Edit an event's {\"description\",\"owner\",\"status\",\"tags\"} (owners and admins)",
    ),
    (
        "GET",
        "/api/v1/tenants/{tenant}/events/{event}/schema",
        Access::TenantViewer,
        "The JSON Schema of an event's observed keys",
    ),
    (
        "GET",
        "/api/v1/tenants/{tenant}/screens",
        Access::TenantViewer,
        "Screens with their volume in the range",
    ),
    (
        "GET",
        "/api/v1/tenants/{tenant}/screens/{screen}",
        Access::TenantViewer,
        "One screen and the events fired on it",
    ),
    (
        "PATCH",
        "/api/v1/tenants/{tenant}/screens/{screen}",
        Access::TenantOwner,
        "Edit a screen's {\"description\",\"owner\",\"status\",\"tags\"} (owners and admins)",
    ),
    (
        "GET",
        "/api/v1/tenants/{tenant}/matrix",
        Access::TenantViewer,
        "Events x versions (by=version, application=NAME (PLATFORM)) or x screens (by=screen)",
    ),
    (
        "GET",
        "/api/v1/tenants/{tenant}/catalog",
        Access::TenantViewer,
        "The tracking plan: applications, screens, events and their keys and types, as JSON",
    ),
    (
        "GET",
        "/api/v1/compare",
        Access::SignedIn,
        "One event name (event=NAME) across the caller's tenants, keys and types side by side",
    ),
    (
        "POST",
        "/api/v1/tenants/{tenant}/backfills",
        Access::Admin,
        "Re-ingest the hours [from, to) of a tenant: {\"from\",\"to\"} as YYYY-MM-DDTHH; answers 202 with the backfill",
    ),
    (
        "GET",
        "/api/v1/tenants/{tenant}/backfills",
        Access::Admin,
        "The tenant's newest backfills with their progress",
    ),
    (
        "GET",
        "/api/v1/backfills/{id}",
        Access::Admin,
        "One backfill: status (queued, running, done, failed, cancelled), hours total, done, failed, running, queued, cancelled, events",
    ),
    (
        "POST",
        "/api/v1/backfills/{id}/cancel",
        Access::Admin,
        "Cancel a queued or running backfill (hours not started are dropped); 409 when it has ended",
    ),
    (
        "GET",
        "/api/v1/tenants/{tenant}/hours",
        Access::Admin,
        "The tenant's hours [from, to) (default: the last 48) with state, events, rejected lines and duration",
    ),
    (
        "GET",
        "/api/v1/tenants/{tenant}/hours/{hour}",
        Access::Admin,
        "One hour: state, runs with errors, rejected samples",
    ),
    (
        "POST",
        "/api/v1/tenants/{tenant}/hours/{hour}/retry",
        Access::Admin,
        "Queue one hour again; answers 202",
    ),
    (
        "GET",
        "/api/v1/jobs",
        Access::Admin,
        "The job monitor: live workers and their hours, the queue, recent backfills, every tenant's last 48 hours",
    ),
    (
        "POST",
        "/api/v1/watches",
        Access::SignedIn,
        "Watch {\"tenant\",\"target\":\"tenant|application|screen|event\",\"name\",\"news\":[kinds]} (news optional: every kind); 201 with the watch",
    ),
    (
        "GET",
        "/api/v1/watches",
        Access::SignedIn,
        "The caller's watches",
    ),
    (
        "DELETE",
        "/api/v1/watches/{id}",
        Access::SignedIn,
        "Stop watching (the caller's own watches only); 204",
    ),
    (
        "GET",
        "/api/v1/inbox",
        Access::SignedIn,
        "The caller's notifications, newest first, with the unread count (unread=true, tenant, kind, limit)",
    ),
    (
        "POST",
        "/api/v1/inbox/read",
        Access::SignedIn,
        "Mark notifications read: {\"ids\":[…]} or {\"all\":true}; answers the unread count",
    ),
    (
        "GET",
        "/api/v1/me/mail",
        Access::SignedIn,
        "The caller's email digest: {\"digest\":\"off|hourly|daily\",\"email_enabled\"}",
    ),
    (
        "PUT",
        "/api/v1/me/mail",
        Access::SignedIn,
        "Choose the email digest: {\"digest\":\"off|hourly|daily\"}",
    ),
    (
        "GET",
        "/api/v1/tenants/{tenant}/webhooks",
        Access::TenantOwner,
        "The tenant's webhooks with their secrets and last deliveries (status, attempts, response)",
    ),
    (
        "POST",
        "/api/v1/tenants/{tenant}/webhooks",
        Access::TenantOwner,
        "Add a webhook: {\"url\",\"news\"?} → 201; deliveries are signed (X-Blueprint-Signature)",
    ),
    (
        "DELETE",
        "/api/v1/webhooks/{id}",
        Access::TenantOwner,
        "Remove a webhook and its deliveries; 204",
    ),
    (
        "GET",
        "/api/v1/tenants/{tenant}/rollouts",
        Access::TenantViewer,
        "The tenant's roll-outs, newest first, with their state, stage and verdict",
    ),
    (
        "POST",
        "/api/v1/tenants/{tenant}/rollouts",
        Access::TenantOwner,
        "Open a roll-out by hand: {\"application\",\"platform\",\"version\",\"baseline\"?} → 201 and its report (or the candidate's existing one)",
    ),
    (
        "GET",
        "/api/v1/rollouts/{id}",
        Access::TenantViewer,
        "A roll-out's report: plan, latest evaluation with every check and its interval, verdict history",
    ),
    (
        "PATCH",
        "/api/v1/rollouts/{id}",
        Access::TenantOwner,
        "Pause, resume or close a roll-out, or change its plan: {\"state\"?,\"plan\"?}",
    ),
    (
        "GET",
        "/api/v1/tenants/{tenant}/rollout-plan",
        Access::TenantViewer,
        "The plan new roll-outs start with: {\"stages\",\"tolerance\",\"min_sessions\",\"min_count\",\"top\"}",
    ),
    (
        "PUT",
        "/api/v1/tenants/{tenant}/rollout-plan",
        Access::TenantOwner,
        "Set the plan new roll-outs start with (open ones keep their own)",
    ),
];
