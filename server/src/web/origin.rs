//! Whether a state-changing request came from Blueprint's own pages: its `Origin` header (or,
//! without one, its `Referer`) must name the public URL's origin when `public_url` is set, else the
//! host the request was sent to (its `Host` header). Browsers send `Origin` on every cross-site
//! form or script request, so a page elsewhere cannot sign a visitor in or change anything.

use axum::http::{HeaderMap, header};
use url::Url;

/// What the request says about where it came from.
#[derive(Debug, PartialEq, Eq)]
pub enum Source {
    /// Neither header: not a browser's cross-site request (scripts, `curl`).
    Unstated,
    /// Blueprint's own pages.
    Same,
    /// Another site, `Origin: null`, or a header that does not parse.
    Foreign,
}

pub fn source(headers: &HeaderMap, public_url: Option<&Url>) -> Source {
    let stated = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER));
    let Some(stated) = stated else {
        return Source::Unstated;
    };
    let Some(stated) = stated.to_str().ok().and_then(|s| Url::parse(s).ok()) else {
        return Source::Foreign;
    };
    let same = match public_url {
        Some(public) => stated.origin() == public.origin(),
        None => host_of(headers).is_some_and(|host| authority(&stated).eq_ignore_ascii_case(host)),
    };
    if same { Source::Same } else { Source::Foreign }
}

fn host_of(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::HOST)?.to_str().ok()
}

/// `host[:port]` of a URL as a Host header would say it (no default port).
fn authority(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(name.clone(), value.parse().unwrap());
        }
        map
    }

    #[test]
    fn origins_are_compared_with_the_public_url_or_the_host() {
        let public = Url::parse("https://blueprint.example.com").unwrap();
        let host = (header::HOST, "blueprint.internal:3000");
        let cases = [
            (
                vec![
                    host.clone(),
                    (header::ORIGIN, "http://blueprint.internal:3000"),
                ],
                None,
                Source::Same,
            ),
            (
                vec![host.clone(), (header::ORIGIN, "https://evil.example")],
                None,
                Source::Foreign,
            ),
            (
                vec![host.clone(), (header::ORIGIN, "null")],
                None,
                Source::Foreign,
            ),
            (
                vec![
                    host.clone(),
                    (
                        header::REFERER,
                        "http://blueprint.internal:3000/login?next=%2F",
                    ),
                ],
                None,
                Source::Same,
            ),
            (
                vec![
                    host.clone(),
                    (
                        header::REFERER,
                        "http://blueprint.internal:3000.evil.example/",
                    ),
                ],
                None,
                Source::Foreign,
            ),
            (vec![host.clone()], None, Source::Unstated),
            (
                vec![
                    host.clone(),
                    (header::ORIGIN, "https://blueprint.example.com"),
                ],
                Some(&public),
                Source::Same,
            ),
            (
                vec![
                    host.clone(),
                    (header::ORIGIN, "http://blueprint.example.com"),
                ],
                Some(&public),
                Source::Foreign,
            ),
            (
                vec![
                    host.clone(),
                    (header::ORIGIN, "http://blueprint.internal:3000"),
                ],
                Some(&public),
                Source::Foreign,
            ),
            (
                vec![(header::ORIGIN, "https://blueprint.example.com")],
                None,
                Source::Foreign,
            ),
        ];
        for (pairs, public_url, expected) in cases {
            assert_eq!(
                source(&headers(&pairs), public_url),
                expected,
                "{pairs:?} {public_url:?}"
            );
        }
    }
}
