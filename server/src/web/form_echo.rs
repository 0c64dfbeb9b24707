//! Forms posted without JavaScript, sent back: Leptos redirects such a post to the page it came
//! from, with a refusal's message in the address (`__err`, `__path`). This layer adds what the
//! page needs to show the answer beside its form: after a refusal, the values that were typed
//! (`__form`, passwords left out, when they fit in an address); after success, which form
//! worked (`__done`) and, for a page with one such form per row, which row (`__row`, the form's
//! hidden field of that name). The app reads them in `components::forms`. The redirect carries no
//! body.

use std::collections::HashSet;
use std::sync::LazyLock;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::web::guard::MAX_BODY;

/// The longest typed form carried back in the address, in bytes (longer ones are not kept).
const MAX_ECHO: usize = 16 * 1024;

/// The hidden field naming the row of a page whose form was posted (see the app's
/// `components::forms::LastRow`).
const ROW_FIELD: &str = "__row";

/// The longest row name carried back after success, in bytes.
const MAX_ROW: usize = 1024;

/// The paths of the registered server functions.
static SERVER_FNS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .collect()
});

/// Adds `__form` or `__done` to the redirect that answers a plain form post to a server function.
pub async fn echo_forms(request: Request, next: Next) -> Response {
    let plain_form = request.method() == Method::POST
        && SERVER_FNS.contains(request.uri().path())
        && header_has(&request, header::ACCEPT, "text/html")
        && header_has(
            &request,
            header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        );
    if !plain_form {
        return next.run(request).await;
    }
    let path = request.uri().path().to_owned();
    let (parts, body) = request.into_parts();
    // `guard::limit_body` has read and bounded the body already.
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return next.run(Request::from_parts(parts, Body::empty())).await;
    };
    let mut response = next
        .run(Request::from_parts(parts, Body::from(bytes.clone())))
        .await;
    if !response.status().is_redirection() {
        return response;
    }
    let location = response
        .headers()
        .get(header::LOCATION)
        .and_then(|value| value.to_str().ok())
        .map(|text| sent_back(text, &path, &bytes));
    if let Some(Ok(value)) = location.flatten().map(|l| HeaderValue::from_str(&l)) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    // Leptos writes the function's answer into the redirect's body, which no browser shows: it is
    // dropped, so an answer such as a new token's secret is not sent beside the redirect.
    response.headers_mut().remove(header::CONTENT_LENGTH);
    response.headers_mut().remove(header::CONTENT_TYPE);
    *response.body_mut() = Body::empty();
    response
}

/// `location` with the echo of the last post of `path` (`body`) in place of an older one.
fn sent_back(location: &str, path: &str, body: &[u8]) -> Option<String> {
    let base = url::Url::parse("http://blueprint.invalid/").ok()?;
    let mut url = base.join(location).ok()?;
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(name, _)| !matches!(&**name, "__form" | "__done" | ROW_FIELD))
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    let refused = kept.iter().any(|(name, _)| name == "__err");
    let typed: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(
            url::form_urlencoded::parse(body).filter(|(name, _)| !name.contains("password")),
        )
        .finish();
    {
        let mut query = url.query_pairs_mut();
        query.clear().extend_pairs(&kept);
        if !refused {
            query.append_pair("__done", path);
            let row = url::form_urlencoded::parse(body).find(|(name, _)| name == ROW_FIELD);
            if let Some((_, row)) = row.filter(|(_, row)| row.len() <= MAX_ROW) {
                query.append_pair(ROW_FIELD, &row);
            }
        } else if typed.len() <= MAX_ECHO {
            query.append_pair("__form", &typed);
        }
    }
    if url.query() == Some("") {
        url.set_query(None);
    }
    Some(if url.origin() == base.origin() {
        // The location was relative: keep it so.
        url[url::Position::BeforePath..].to_owned()
    } else {
        url.to_string()
    })
}

fn header_has(request: &Request, name: header::HeaderName, needle: &str) -> bool {
    request
        .headers()
        .get(name)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.contains(needle))
}

#[cfg(test)]
mod tests {
    use super::sent_back;

    #[test]
    fn a_refusal_carries_the_typed_values_without_passwords() {
        let back = sent_back(
            "http://host/t/shop/events/open?days=7&__path=%2Fapi%2Fsave&__err=bad&__form=old",
            "/api/save",
            b"owner=nobody%40x&password=secret&tags=a+b",
        )
        .unwrap();
        let url = url::Url::parse(&back).unwrap();
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert_eq!(pairs[0], ("days".into(), "7".into()));
        let form = &pairs.iter().find(|(n, _)| n == "__form").unwrap().1;
        assert_eq!(form, "owner=nobody%40x&tags=a+b");
        assert_eq!(pairs.iter().filter(|(n, _)| n == "__form").count(), 1);
    }

    #[test]
    fn success_says_which_form_worked() {
        let back = sent_back("/admin/users?__form=x", "/api/create", b"email=a").unwrap();
        assert_eq!(back, "/admin/users?__done=%2Fapi%2Fcreate");
    }

    #[test]
    fn success_says_which_row_worked_when_the_form_names_one() {
        let back = sent_back(
            "/t/shop/applications?days=7&__row=old",
            "/api/save",
            b"name=Shop&__row=application%3AShop%3AiOS&description=x",
        )
        .unwrap();
        assert_eq!(
            back,
            "/t/shop/applications?days=7&__done=%2Fapi%2Fsave&__row=application%3AShop%3AiOS"
        );
    }
}
