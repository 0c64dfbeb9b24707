//! `/t/{tenant}/events` (search, filters, sort, pages, a sparkline per row) and
//! `/t/{tenant}/events/{event}` (curation, volume by hour and by day split by version or
//! platform, where it fires, its keys with their types, its discoveries).

mod detail;
mod filter;
mod list;

pub use detail::{Split, detail};
pub use filter::{event_names, options};
pub use list::{PER_PAGE, list};
