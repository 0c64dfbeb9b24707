//! What a webhook receives: the JSON body of a delivery (with a Slack-compatible `text`) and the
//! headers that sign it.

use hmac::{Hmac, KeyInit, Mac};

use crate::channels::text::slack_escaped;
use crate::entities::webhook_delivery;
use crate::time::hour_text;

pub const SIGNATURE_HEADER: &str = "x-blueprint-signature";
pub const TIMESTAMP_HEADER: &str = "x-blueprint-timestamp";
pub const DELIVERY_HEADER: &str = "x-blueprint-delivery";

/// The signature of a body sent at `timestamp`: hex HMAC-SHA256(secret, `"{timestamp}.{body}"`).
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac = Hmac::<sha2_11::Sha256>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(format!("{timestamp}.{body}").as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The JSON body of a delivery: the news as it is, an absolute link, and a Slack-compatible
/// `text` (escaped as Slack requires, so a name from events cannot mention `<!channel>`). Grouped
/// news also carries `items`, what it groups (each with its kind, label and hour); the other
/// fields are those of news of one thing, so receivers that know only them keep working.
pub(super) fn body(delivery: &webhook_delivery::Model, slug: &str, public_url: &str) -> String {
    let link = format!("{}{}", public_url.trim_end_matches('/'), delivery.link);
    let mut body = serde_json::json!({
        "delivery": delivery.id,
        "tenant": slug,
        "kind": delivery.kind,
        "title": delivery.title,
        "hour": delivery.hour.map(hour_text),
        "link": link,
        "text": slack_escaped(&format!("[{slug}] {}\n{link}", delivery.title)),
    });
    let items = delivery
        .items
        .as_deref()
        .and_then(|items| serde_json::from_str::<serde_json::Value>(items).ok())
        .filter(serde_json::Value::is_array);
    if let Some(items) = items {
        body["items"] = items;
    }
    body.to_string()
}
