//! The OpenAPI document's frame: title, version, security schemes, the error schema and the
//! probes (`/healthz`, `/metrics`), and, once every route is in, each operation's summary and
//! security from the route table.

use utoipa::OpenApi as _;
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{InfoBuilder, OpenApi, SecurityRequirement};

use super::access::{Access, ROUTES};
use super::error::ErrorBody;
use crate::web::{health, metrics, sessions};

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(health::healthz, metrics::render),
    components(schemas(ErrorBody))
)]
struct Frame;

/// What the routes are added to.
pub fn base() -> OpenApi {
    let mut doc = Frame::openapi();
    doc.info = InfoBuilder::new()
        .title("Blueprint API")
        .version(blueprint_app::VERSION)
        .description(Some(
            "Blueprint's REST API: sign in for a session cookie (`POST /api/v1/session`) or \
             send `Authorization: Bearer <token>`. A tenant the caller may not see answers 404, \
             exactly like one that does not exist.",
        ))
        .build();
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "session",
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(sessions::COOKIE))),
    );
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
    );
    doc
}

/// Gives every route of [`ROUTES`] its summary and who may call it.
pub fn finish(mut doc: OpenApi) -> OpenApi {
    for (method, path, access, summary) in ROUTES {
        let Some(operation) = doc
            .paths
            .paths
            .get_mut(*path)
            .and_then(|item| operation_mut(item, method))
        else {
            continue;
        };
        operation.summary = Some((*summary).to_owned());
        operation.security = Some(match access {
            Access::Anyone => Vec::new(),
            _ => vec![
                SecurityRequirement::new("session", Vec::<String>::new()),
                SecurityRequirement::new("bearer", Vec::<String>::new()),
            ],
        });
    }
    doc
}

fn operation_mut<'a>(item: &'a mut PathItem, method: &str) -> Option<&'a mut Operation> {
    match method {
        "GET" => item.get.as_mut(),
        "POST" => item.post.as_mut(),
        "PUT" => item.put.as_mut(),
        "PATCH" => item.patch.as_mut(),
        "DELETE" => item.delete.as_mut(),
        _ => None,
    }
}
