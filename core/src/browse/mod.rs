//! Reading the catalog for its pages and the REST API (DESIGN.md, "Web and API"): the tenant
//! overview, applications, events (list and page), screens, the combination matrix, the
//! comparison across tenants, curation (descriptions, owners, tags, status) and the exports.
//!
//! Everything is read for a range of whole UTC days — by default the 7 days up to the tenant's
//! latest ingested hour, so old data still shows. Day figures come from the daily roll-ups, hour
//! figures from the per-version session rows or the hourly rows of the few combinations asked
//! for: no page scans a tenant's hourly counts.

pub mod applications;
mod cache;
pub mod compare;
pub mod curate;
pub mod events;
pub mod export;
mod figures;
pub mod matrix;
pub mod overview;
mod query;
pub mod screens;

use blueprint_types::catalog::DayRange;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::FromQueryResult;

use crate::Services;
use crate::accounts::{Actor, ServiceError};
use crate::hour::Hour;
use crate::ledger::rollup::DAY;
use crate::sql::fetch_one;

/// The longest range a page reads, in days.
pub const MAX_DAYS: i64 = 400;
/// The default range, in days.
pub const DEFAULT_DAYS: i64 = 7;

/// A tenant the actor can read, with what every page needs to know about it.
#[derive(Clone, Debug)]
pub struct TenantRef {
    pub id: i64,
    pub slug: String,
    pub name: String,
    /// The latest hour with data (epoch seconds), if any (DESIGN.md, "Ledger semantics").
    pub latest: Option<i64>,
    /// The gap after it: `[since, until)` in epoch seconds, the hours ingested without data.
    pub gap: Option<(i64, i64)>,
    /// The first hour kept in hourly detail.
    pub window: Option<i64>,
    /// The ledger's version: the newest run that wrote one of its hours (0 before any).
    pub version: i64,
    /// When it was opened (epoch seconds, the services' clock): "today" for a tenant with no data.
    pub opened_at: i64,
}

/// Something is quiet when its last sighting is this long before the tenant's latest hour.
pub const QUIET_AFTER_HOURS: i64 = 48;

impl TenantRef {
    /// The end of the tenant's ingested hours (epoch seconds): after its latest hour with data
    /// and the gap that follows it. Later hours are not ingested yet, which is not a zero.
    pub fn ingested_until(&self) -> Option<i64> {
        let after_latest = self.latest.map(|latest| latest + Hour::SECONDS);
        after_latest.max(self.gap.map(|(_, until)| until))
    }

    /// An event last seen before this (epoch seconds) is quiet: 48 hours or more before the
    /// tenant's latest hour.
    pub fn quiet_before(&self) -> i64 {
        self.latest.unwrap_or(0) - QUIET_AFTER_HOURS * Hour::SECONDS
    }

    /// The status an event shows (the list's badge, its filter, its page): its manual status,
    /// except an active one that is quiet, which shows `quiet`.
    pub fn shown_status(&self, status: &str, last_seen: Option<i64>) -> String {
        match last_seen {
            Some(last) if status == "active" && last < self.quiet_before() => "quiet".to_owned(),
            _ => status.to_owned(),
        }
    }
}

#[derive(FromQueryResult)]
struct Latest {
    version: Option<i64>,
}

/// The tenant `slug` if the actor may read it; `NotFound` otherwise, exactly like a missing one.
pub async fn open_tenant(
    services: &Services,
    actor: &Actor,
    slug: &str,
) -> Result<TenantRef, ServiceError> {
    let row = crate::tenants::visible(services, actor, slug).await?;
    let state = fetch_one::<Latest>(
        services.db.conn(),
        "SELECT MAX(run_id) AS version FROM ingested_hours WHERE tenant_id = ?",
        vec![row.id.into()],
    )
    .await?;
    let conn = services.db.conn();
    let latest = crate::tenants::latest_hour(conn, row.id).await?;
    let gap = crate::tenants::data_gap(conn, row.id)
        .await?
        .map(|gap| (gap.since.epoch_seconds(), gap.until.epoch_seconds()));
    let version = state.and_then(|s| s.version).unwrap_or(0);
    let window = latest.and_then(|latest| {
        let hour = Hour::from_epoch_seconds(latest)?;
        Some(crate::ledger::rollup::window_start(hour, row.retention_days).epoch_seconds())
    });
    Ok(TenantRef {
        id: row.id,
        slug: row.slug,
        name: row.name,
        latest,
        gap,
        window,
        version,
        opened_at: services.db.now_seconds(),
    })
}

/// `[from, to)` in epoch seconds, whole days.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    pub from: i64,
    pub to: i64,
}

impl Range {
    pub fn days(self) -> i64 {
        (self.to - self.from) / DAY
    }

    /// The range as the pages and API show it.
    pub fn view(self) -> DayRange {
        DayRange {
            from: day_text(self.from),
            to: day_text(self.to),
            days: self.days(),
        }
    }

    /// Day starts of the range.
    pub fn day_starts(self) -> Vec<i64> {
        (0..self.days()).map(|i| self.from + i * DAY).collect()
    }

    /// The `days` days up to `to`.
    pub fn last_days(self, days: i64) -> Range {
        Range {
            from: self.to - days * DAY,
            to: self.to,
        }
    }
}

/// `YYYY-MM-DD` of a day start.
pub fn day_text(seconds: i64) -> String {
    DateTime::<Utc>::from_timestamp(seconds, 0)
        .map(|at| at.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// Parses `YYYY-MM-DD` (or an hour `YYYY-MM-DDTHH`, meaning its day) into a day start.
pub fn parse_day(name: &str, text: &str) -> Result<i64, ServiceError> {
    let text = text.trim();
    let day_part = text.split('T').next().unwrap_or(text);
    NaiveDate::parse_from_str(day_part, "%Y-%m-%d")
        .ok()
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .map(|at| at.and_utc().timestamp())
        .ok_or_else(|| {
            ServiceError::Invalid(format!(
                "`{name}` must be a day like 2026-11-20, not `{text}`"
            ))
        })
}

/// The range a page asked for: `from`/`to` days (`to` exclusive), by default the
/// `DEFAULT_DAYS` days up to and including the day of the tenant's latest hour with data (today
/// for a tenant with no data yet).
pub fn resolve_range(
    tenant: &TenantRef,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<Range, ServiceError> {
    fn given(value: Option<&str>) -> Option<&str> {
        value.map(str::trim).filter(|v| !v.is_empty())
    }
    let anchor = tenant.latest.unwrap_or(tenant.opened_at);
    let default_to = anchor - anchor.rem_euclid(DAY) + DAY;
    let to = match given(to) {
        Some(text) => parse_day("to", text)?,
        None => default_to,
    };
    let from = match given(from) {
        Some(text) => parse_day("from", text)?,
        None => to - DEFAULT_DAYS * DAY,
    };
    if to <= from {
        return Err(ServiceError::Invalid(format!(
            "the range {} to {} is empty: `to` is exclusive and must be after `from`",
            day_text(from),
            day_text(to)
        )));
    }
    if (to - from) / DAY > MAX_DAYS {
        return Err(ServiceError::Invalid(format!(
            "the range {} to {} is longer than {MAX_DAYS} days",
            day_text(from),
            day_text(to)
        )));
    }
    Ok(Range { from, to })
}

/// The `days` days up to and including the day of the tenant's latest ingested hour.
pub fn resolve_days(tenant: &TenantRef, days: &str) -> Result<Range, ServiceError> {
    let count: i64 = days
        .trim()
        .parse()
        .ok()
        .filter(|d| (1..=MAX_DAYS).contains(d))
        .ok_or_else(|| {
            ServiceError::Invalid(format!(
                "`days` must be a whole number from 1 to {MAX_DAYS}, not `{days}`"
            ))
        })?;
    let range = resolve_range(tenant, None, None)?;
    Ok(range.last_days(count))
}

/// Hours as the ledger prints them.
pub fn hour_text(seconds: Option<i64>) -> Option<String> {
    crate::ledger::hour_text(seconds)
}

/// Compares version strings the way people read them: numeric parts as numbers.
pub fn version_order(a: &str, b: &str) -> std::cmp::Ordering {
    let parts = |s: &str| -> Vec<(u64, String)> {
        s.split(['.', '-', '+', ' '])
            .map(|p| (p.parse::<u64>().unwrap_or(u64::MAX), p.to_owned()))
            .collect()
    };
    parts(a).cmp(&parts(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tenant(latest: Option<&str>) -> TenantRef {
        TenantRef {
            id: 1,
            slug: "t".into(),
            name: "t".into(),
            latest: latest.map(|h| h.parse::<Hour>().unwrap().epoch_seconds()),
            gap: None,
            window: None,
            version: 0,
            opened_at: 1_790_000_000,
        }
    }

    #[test]
    fn the_default_range_is_the_week_up_to_the_latest_hour() {
        let range = resolve_range(&tenant(Some("2026-03-10T05")), None, None).unwrap();
        assert_eq!(
            range.view(),
            DayRange {
                from: "2026-03-04".into(),
                to: "2026-03-11".into(),
                days: 7
            }
        );
        let range =
            resolve_range(&tenant(None), Some("2026-01-01"), Some("2026-01-03T10")).unwrap();
        assert_eq!(range.days(), 2);
    }

    #[test]
    fn bad_ranges_say_what_is_wrong() {
        let t = tenant(Some("2026-03-10T05"));
        let err = resolve_range(&t, Some("yesterday"), None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`from` must be a day like 2026-11-20, not `yesterday`"
        );
        let err = resolve_range(&t, Some("2026-03-05"), Some("2026-03-05")).unwrap_err();
        assert!(err.to_string().contains("is empty"), "{err}");
        let err = resolve_range(&t, Some("2024-01-01"), Some("2026-01-01")).unwrap_err();
        assert!(err.to_string().contains("longer than 400 days"), "{err}");
    }

    #[test]
    fn versions_sort_numerically() {
        let mut list = vec!["3.10", "3.9", "10.0", "3.9.1"];
        list.sort_by(|a, b| version_order(a, b));
        assert_eq!(list, ["3.9", "3.9.1", "3.10", "10.0"]);
    }
}
