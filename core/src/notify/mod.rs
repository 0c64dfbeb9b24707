//! Watches and the inbox. Any member watches a tenant, an application, a screen or an event and
//! chooses the kinds of news they want; owners hear about what they own without asking. From the
//! discoveries ingestion writes, notifications are produced: *news* item by item, *history* (a
//! baseline, a backfill) as one summary when the backfill ends (DESIGN.md, "Ledger semantics").
//! Each notification carries a `dedupe` key unique per user — the discovery, or the backfill — so
//! the same news never reaches a person twice, whatever re-ingestion, retry or second worker does.
//!
//! - `watches`: adding, listing and removing watches;
//! - `news` and `history`: a run's discoveries, a backfill's summary, turned into news
//!   (with `discoveries`: what each discovery is about);
//! - `recipients`: who hears a piece of news;
//! - `notifications`: writing it, once per user, and announcing it to webhooks;
//! - `inbox`: reading, filtering and marking it read.

mod discoveries;
mod history;
mod inbox;
mod news;
mod notifications;
mod paths;
mod recipients;
mod slugs;
mod watches;

pub use crate::channels::webhooks::NewsContext;
pub use blueprint_types::notify::NewsKind;
pub use history::notify_backfill;
pub use inbox::{InboxQuery, inbox_of, mark_read_as, unread_count};
pub use news::{ITEMS_PER_RUN, is_pending, notify_run, tell_pending};
pub(crate) use notifications::tell;
pub(crate) use paths::path_segment;
pub(crate) use recipients::{Subject, readers, recipients, watches_in};
pub use watches::{TARGETS, unwatch_as, watch_as, watches_of};

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use blueprint_types::notify::NEWS_KINDS;

    use super::NewsKind;

    /// Every kind reads back from its stored name and serialises to it, so rows and JSON keep
    /// the strings they had.
    #[test]
    fn kinds_keep_their_stored_names() {
        let every: Vec<NewsKind> = NewsKind::WATCHABLE
            .into_iter()
            .chain([NewsKind::Summary])
            .collect();
        let names: Vec<&str> = every.iter().map(|k| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "application",
                "version",
                "screen",
                "event",
                "combination",
                "key",
                "key_type",
                "obsolete",
                "returned",
                "rollout",
                "anomaly",
                "summary"
            ]
        );
        assert_eq!(NEWS_KINDS[..], names[..11]);
        for kind in every {
            assert_eq!(NewsKind::from_str(kind.as_str()), Ok(kind));
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
            assert_eq!(serde_json::from_str::<NewsKind>(&json).unwrap(), kind);
        }
        assert_eq!(NewsKind::KeyType.label(), "key type");
        assert_eq!(
            "key type".parse::<NewsKind>().unwrap_err().to_string(),
            "`key type` is not a kind of news"
        );
    }
}
