//! `GET /api/v1/openapi.json` on the real router: an OpenAPI 3.1 document that another parser
//! reads, listing every route of the route table (plus `/healthz` and `/metrics`) with its
//! method, summary, security, path parameters, request body and a response schema that resolves.

mod support;

use std::collections::BTreeSet;

use axum::http::{Method, StatusCode};
use blueprint_server::web::api::{Access, ROUTES};
use oas3::spec::{Operation, ParameterIn, Spec};
use support::{TestServer, send};

/// The `{name}`s of a path template, in order.
fn path_parameters(path: &str) -> Vec<String> {
    path.split('{')
        .skip(1)
        .filter_map(|rest| rest.split('}').next())
        .map(str::to_owned)
        .collect()
}

fn operation<'s>(spec: &'s Spec, method: &str, path: &str) -> &'s Operation {
    let method = Method::from_bytes(method.as_bytes()).unwrap();
    spec.operation(&method, path)
        .unwrap_or_else(|| panic!("{method} {path} is not in the OpenAPI document"))
}

/// The operation's path parameters are exactly those of its path, each required.
fn assert_path_parameters(spec: &Spec, method: &str, path: &str) {
    let parameters = operation(spec, method, path)
        .parameters(spec)
        .unwrap_or_else(|err| panic!("{method} {path}: a parameter does not resolve: {err}"));
    let documented: Vec<String> = parameters
        .iter()
        .filter(|p| p.location == ParameterIn::Path)
        .inspect(|p| assert_eq!(p.required, Some(true), "{method} {path}: {}", p.name))
        .map(|p| p.name.clone())
        .collect();
    assert_eq!(documented, path_parameters(path), "{method} {path}");
}

/// Every response resolves; a success with a body has a schema, and a JSON one resolves.
fn assert_responses(spec: &Spec, method: &str, path: &str) {
    let operation = operation(spec, method, path);
    let responses = operation.responses(spec);
    assert_eq!(
        responses.len(),
        operation.responses.as_ref().map_or(0, |r| r.len()),
        "{method} {path}: a response does not resolve"
    );
    let successes: Vec<_> = responses
        .iter()
        .filter(|(s, _)| s.starts_with('2'))
        .collect();
    assert!(!successes.is_empty(), "{method} {path} has no success");
    for (status, response) in successes {
        if status == "204" {
            assert!(
                response.content.is_empty(),
                "{method} {path}: 204 has a body"
            );
            continue;
        }
        assert!(
            !response.content.is_empty(),
            "{method} {path} {status}: no content"
        );
        for (content_type, media) in &response.content {
            let schema = media.schema(spec).unwrap_or_else(|err| {
                panic!("{method} {path} {status} {content_type}: schema does not resolve: {err}")
            });
            assert!(
                schema.is_some(),
                "{method} {path} {status} {content_type}: no schema"
            );
        }
    }
    for (status, response) in responses.iter().filter(|(s, _)| s.starts_with(['4', '5'])) {
        for media in response.content.values() {
            assert!(
                media.schema(spec).unwrap().is_some(),
                "{method} {path} {status}"
            );
        }
    }
}

#[tokio::test]
async fn the_openapi_document_lists_every_route_with_its_parameters_and_schemas() {
    for server in TestServer::all(&[]).await {
        let answer = send(&server.router, "GET", "/api/v1/openapi.json", None, None).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", server.label);
        let spec = oas3::from_json(&answer.body).expect("an OpenAPI 3.1 document");
        let version = spec
            .validate_version()
            .expect("a supported OpenAPI version");
        assert_eq!((version.major, version.minor), (3, 1));
        assert_eq!(spec.info.title, "Blueprint API");
        assert_eq!(spec.info.version, blueprint_app::VERSION);

        for (method, path, access, summary) in ROUTES {
            let documented = operation(&spec, method, path);
            assert_eq!(
                documented.summary.as_deref(),
                Some(*summary),
                "{method} {path}"
            );
            let security: Vec<String> = documented
                .security
                .iter()
                .flat_map(|requirement| requirement.0.keys().cloned())
                .collect();
            let expected: &[&str] = match access {
                Access::Anyone => &[],
                _ => &["session", "bearer"],
            };
            assert_eq!(security, expected, "{method} {path}");
            assert_path_parameters(&spec, method, path);
            assert_responses(&spec, method, path);
            if matches!(*method, "PUT" | "PATCH") {
                let body = documented.request_body(&spec).unwrap();
                let body = body.unwrap_or_else(|| panic!("{method} {path} has no request body"));
                let json = &body.content["application/json"];
                assert!(json.schema(&spec).unwrap().is_some(), "{method} {path}");
            }
        }

        // Nothing is documented that the table does not list (the permission tests check the
        // table against the routes), and every operation can be told apart by its id.
        let table: BTreeSet<(String, String)> = ROUTES
            .iter()
            .map(|(method, path, _, _)| (method.to_string(), path.to_string()))
            .chain(["/healthz", "/metrics"].map(|p| ("GET".to_owned(), p.to_owned())))
            .collect();
        let mut ids = BTreeSet::new();
        for (path, method, documented) in spec.operations() {
            assert!(
                table.contains(&(method.to_string(), path.clone())),
                "{method} {path} is documented but not in api::ROUTES"
            );
            let id = documented.operation_id.clone().expect("an operation id");
            assert!(ids.insert(id.clone()), "operation id {id} is used twice");
        }
        assert_eq!(ids.len(), table.len());

        for probe in ["/healthz", "/metrics"] {
            assert_path_parameters(&spec, "GET", probe);
            assert_responses(&spec, "GET", probe);
        }
        let health = operation(&spec, "GET", "/healthz").responses(&spec);
        assert!(health["200"].content.contains_key("application/json"));
        let metrics = operation(&spec, "GET", "/metrics").responses(&spec);
        assert!(
            metrics["200"]
                .content
                .keys()
                .any(|t| t.starts_with("application/openmetrics-text"))
        );
        let counts = operation(&spec, "GET", "/api/v1/tenants/{tenant}/counts").responses(&spec);
        let kinds: Vec<&String> = counts["200"].content.keys().collect();
        assert_eq!(kinds, ["application/json", "text/csv"]);
    }
}
