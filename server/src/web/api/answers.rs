//! The error answers a route's documentation lists (`responses(..., answers::NotFound)`): each
//! status once, with the [`ErrorBody`](super::error::ErrorBody) it carries.

use std::collections::BTreeMap;

use utoipa::IntoResponses;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::{ContentBuilder, Ref, RefOr};

fn answer(status: &str, description: &str) -> BTreeMap<String, RefOr<Response>> {
    let body = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name("ErrorBody")))
        .build();
    let response = ResponseBuilder::new()
        .description(description)
        .content("application/json", body)
        .build();
    BTreeMap::from([(status.to_owned(), response.into())])
}

macro_rules! answers {
    ($($(#[$doc:meta])* $name:ident = $status:literal, $description:literal;)*) => {$(
        $(#[$doc])*
        pub struct $name;

        impl IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                answer($status, $description)
            }
        }
    )*};
}

answers! {
    /// Input that does not parse or is out of range.
    BadRequest = "400", "The request is invalid; the message says what to fix";
    /// No session and no (valid) bearer token.
    Unauthenticated = "401", "Not signed in, or the API token is unknown or revoked";
    /// Signed in, but the route needs an owner of the tenant or an admin.
    Forbidden = "403", "Signed in, but not allowed to do this";
    /// Also what a tenant the caller may not see answers.
    NotFound = "404", "No such thing, or not visible to the caller";
    /// The request collides with what exists (a webhook to that URL), or the thing is in a state
    /// that does not allow it (a backfill that has ended).
    Conflict = "409", "It collides with what exists, or the current state does not allow it; the message says why";
    /// Too many failed sign-ins.
    Throttled = "429", "Too many failed attempts; the message says how long to wait";
    /// Database or storage failure (logged on the server).
    Unavailable = "503", "The server could not answer; please try again";
}
