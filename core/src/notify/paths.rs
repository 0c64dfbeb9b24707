//! Links stored with notifications: percent-encoded path segments, and the page a discovery's
//! news points to.

/// A path segment, percent-encoded (for links stored with notifications).
pub(crate) fn path_segment(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Where news about an event or screen (or, without either, an application) of a tenant points.
pub(super) fn catalog_link(tenant: &str, event: Option<&str>, screen: Option<&str>) -> String {
    let tenant = path_segment(tenant);
    match (event, screen) {
        (Some(event), _) => format!("/t/{tenant}/events/{}", path_segment(event)),
        (None, Some(screen)) => format!("/t/{tenant}/screens/{}", path_segment(screen)),
        _ => format!("/t/{tenant}/applications"),
    }
}
