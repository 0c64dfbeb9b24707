//! A tenant's webhooks. Every piece of news in the tenant (the kinds a webhook asks for) becomes
//! one delivery per webhook — `(webhook, dedupe)` is unique, so re-ingestion, retries and second
//! workers never send it twice. A delivery is a JSON POST whose `text` field makes it a Slack
//! incoming-webhook message as it is, signed with the webhook's secret:
//!
//! - `X-Blueprint-Timestamp`: epoch seconds of the attempt;
//! - `X-Blueprint-Signature`: `sha256=` + hex HMAC-SHA256(secret, `"{timestamp}.{body}"`);
//! - `X-Blueprint-Delivery`: the delivery id (the same on every attempt).
//!
//! A 2xx answer is success; anything else (a redirect too: none is followed, or no answer in 10 s)
//! is queued again on the job queue after a doubling back-off, up to [`ATTEMPTS`] attempts, then
//! recorded as failed. Admins and the tenant's owners see the last deliveries with the start of
//! their responses. Webhooks never reach internal addresses unless the operator allows them
//! (`guard`).
//!
//! - `settings`: the webhooks of a tenant as its owners add, list and remove them;
//! - `payload`: the JSON body with its Slack `text`, and its signature;
//! - `delivery`: recording a delivery per piece of news, queueing and sending it;
//! - `guard` and `addresses`: which hosts and addresses a webhook may reach.

mod addresses;
mod delivery;
mod guard;
mod payload;
mod settings;

pub use delivery::NewsContext;
pub use delivery::{ATTEMPTS, DeliverJob, deliver, dispatch};
pub(crate) use delivery::{More, News, announce};
pub use guard::{AllowedHosts, BadAllowedHost, Refused, Sender};
pub use payload::{DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signature};
pub use settings::{create_as, delete_as, list_as, set_quiet_days_as, settings_of};
