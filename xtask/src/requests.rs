//! What the page benchmarks request: every catalog page and the main API reads of one tenant,
//! filled in with names that tenant's data has.

/// Names from one tenant's data, already URL-encoded.
pub struct Sample<'a> {
    pub tenant: &'a str,
    /// An event with traffic.
    pub event: &'a str,
    /// Part of some event names.
    pub search: &'a str,
    /// An application, platform and version that exist together.
    pub application: &'a str,
    pub platform: &'a str,
    pub version: &'a str,
    /// A page of the events list beyond the first.
    pub events_page: u32,
    pub screen: &'a str,
    /// An hour with counts, `YYYY-MM-DDTHH`, and the hour after it.
    pub hour: String,
    pub next_hour: String,
}

/// (name, path) of every request, pages first.
pub fn catalog(s: &Sample) -> Vec<(String, String)> {
    let t = format!("/t/{}", s.tenant);
    let a = format!("/api/v1/tenants/{}", s.tenant);
    let (event, screen) = (s.event, s.screen);
    let filter = format!(
        "application={}&platform={}&version={}",
        s.application, s.platform, s.version
    );
    let page_n = format!("page: events page {}", s.events_page);
    [
        ("page: overview", t.clone()),
        ("page: applications", format!("{t}/applications")),
        ("page: events (first page)", format!("{t}/events")),
        (
            "page: events sorted by volume",
            format!("{t}/events?sort=volume"),
        ),
        ("page: events search", format!("{t}/events?q={}", s.search)),
        (
            "page: events filtered by version",
            format!("{t}/events?{filter}"),
        ),
        (&page_n, format!("{t}/events?page={}", s.events_page)),
        ("page: event", format!("{t}/events/{event}")),
        (
            "page: event, 90 days",
            format!("{t}/events/{event}?days=90"),
        ),
        ("page: screens", format!("{t}/screens")),
        ("page: screen", format!("{t}/screens/{screen}")),
        ("page: matrix by version", format!("{t}/matrix")),
        ("page: matrix by screen", format!("{t}/matrix?by=screen")),
        ("page: compare", format!("/compare?event={event}")),
        ("api: events", format!("{a}/events?sort=volume")),
        ("api: event", format!("{a}/events/{event}")),
        ("api: overview", format!("{a}/overview")),
        (
            "api: counts, one hour, CSV",
            format!("{a}/counts?from={}&to={}&format=csv", s.hour, s.next_hour),
        ),
        ("api: event schema", format!("{a}/events/{event}/schema")),
    ]
    .into_iter()
    .map(|(name, path)| (name.to_owned(), path))
    .collect()
}
