//! Incidents as the pages, the REST API and the command line ask for them: a tenant's list over
//! a range of hours with its filters, one incident's report with each series against its band,
//! and muting a series by its names. Each checks the caller first: a tenant or incident the caller
//! may not see is not found, exactly like one that does not exist.

use std::collections::BTreeMap;

use blueprint_types::signals::{
    BandPoint, EventSignals, IncidentList, IncidentReport, SeriesChart, SeriesName,
};

use super::band;
use super::store::{self, Filter};
use super::{IncidentKind, IncidentState, Series};
use crate::Services;
use crate::accounts::{Actor, ServiceError};
use crate::browse::{self, MAX_DAYS, TenantRef};
use crate::entities::anomaly;
use crate::hour::Hour;

/// The default range of the incidents list, in days up to the tenant's latest hour.
pub const DEFAULT_DAYS: i64 = 7;

fn invalid(message: impl Into<String>) -> ServiceError {
    ServiceError::Invalid(message.into())
}

/// An hour given as `YYYY-MM-DDTHH` (or `…:00:00Z`), or a day `YYYY-MM-DD` meaning its first hour.
pub fn parse_hour(name: &str, text: &str) -> Result<Hour, ServiceError> {
    let text = text.trim();
    text.parse::<Hour>()
        .or_else(|_| format!("{text}T00").parse::<Hour>())
        .map_err(|_| {
            invalid(format!(
                "`{name}` must be an hour like 2026-11-20T09, not `{}`",
                crate::channels::text::one_line(&text.chars().take(40).collect::<String>())
            ))
        })
}

/// The hours `[from, to)` a list asked for: by default the [`DEFAULT_DAYS`] days up to and
/// including the tenant's latest hour (the hour the tenant was opened in, before any data); at
/// most [`MAX_DAYS`] days.
pub fn resolve_hours(
    tenant: &TenantRef,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(Hour, Hour), ServiceError> {
    fn given(value: Option<&str>) -> Option<&str> {
        value.map(str::trim).filter(|v| !v.is_empty())
    }
    let anchor = tenant.latest.unwrap_or(tenant.opened_at);
    let default_to = Hour::from_epoch_seconds(anchor - anchor.rem_euclid(3600))
        .map(|hour| hour.plus(1))
        .ok_or_else(|| invalid("the tenant's latest hour is not an hour"))?;
    let to = match given(to) {
        Some(text) => parse_hour("to", text)?,
        None => default_to,
    };
    let from = match given(from) {
        Some(text) => parse_hour("from", text)?,
        None => to.plus(-DEFAULT_DAYS * 24),
    };
    if to <= from {
        return Err(invalid(format!(
            "the range {from} to {to} is empty: `to` is exclusive and must be after `from`"
        )));
    }
    if to.epoch_seconds() - from.epoch_seconds() > MAX_DAYS * 24 * 3600 {
        return Err(invalid(format!(
            "the range {from} to {to} is longer than {MAX_DAYS} days"
        )));
    }
    Ok((from, to))
}

/// The list's filters as given (empty means any); an unknown state or kind is refused.
pub fn parse_filter(
    state: Option<&str>,
    kind: Option<&str>,
    event: Option<&str>,
) -> Result<Filter, ServiceError> {
    fn given(value: Option<&str>) -> Option<&str> {
        value.map(str::trim).filter(|v| !v.is_empty())
    }
    let state = given(state)
        .map(|text| text.parse::<IncidentState>())
        .transpose()
        .map_err(|err| invalid(format!("state: {err}")))?;
    let kind = given(kind)
        .map(|text| text.parse::<IncidentKind>())
        .transpose()
        .map_err(|err| invalid(format!("kind: {err}")))?;
    Ok(Filter {
        state,
        kind,
        event: given(event).map(str::to_owned),
    })
}

/// The tenant `slug`'s incidents over `[from, to)` that pass `filter`, newest first, with how
/// many are open now and whether the caller may act on them.
pub async fn list_as(
    services: &Services,
    actor: &Actor,
    slug: &str,
    from: Option<&str>,
    to: Option<&str>,
    filter: &Filter,
) -> Result<IncidentList, ServiceError> {
    let tenant = browse::open_tenant(services, actor, slug).await?;
    let (from, to) = resolve_hours(&tenant, from, to)?;
    let conn = services.db.conn();
    let incidents = store::list(conn, tenant.id, from, to, filter).await?;
    let open = store::open_now(conn, tenant.id).await?.len();
    Ok(IncidentList {
        tenant: tenant.slug,
        from: from.to_string(),
        to: to.to_string(),
        incidents,
        open,
        can_act: actor.can_own(tenant.id),
    })
}

/// Hours of context drawn on each side of an incident.
pub const CONTEXT_HOURS: i64 = 24;

/// Incident `id` with each of its series against its expected band, from
/// [`CONTEXT_HOURS`] before it to as many after (up to the tenant's latest hour).
pub async fn report_as(
    services: &Services,
    actor: &Actor,
    id: i64,
) -> Result<IncidentReport, ServiceError> {
    let detail = store::detail_as(services, actor, id).await?;
    let conn = services.db.conn();
    let tenant = browse::open_tenant(services, actor, &detail.tenant).await?;
    let muted = store::mutes(conn, tenant.id).await?;
    let hours = store::anomalies(conn, id).await?;
    let (start, end) = (
        parse_hour("from", &detail.incident.from)?,
        parse_hour("to", &detail.incident.to)?,
    );
    let latest_end = tenant
        .latest
        .and_then(Hour::from_epoch_seconds)
        .map_or(end, |latest| latest.plus(1).max(end));
    let (from, to) = (
        start.plus(-CONTEXT_HOURS),
        end.plus(CONTEXT_HOURS).min(latest_end),
    );
    let mut charts = Vec::new();
    for s in &detail.incident.series {
        let series = series_named(&SeriesName {
            event: s.event.clone(),
            application: s.application.clone(),
            version: s.version.clone(),
            platform: s.platform.clone(),
        });
        let band = band::expected_band(conn, tenant.id, &series, from, to).await?;
        charts.push(SeriesChart {
            series: s.clone(),
            muted: muted.contains(&series),
            points: points_of(&band, &hours, &series),
        });
    }
    Ok(IncidentReport { detail, charts })
}

/// The band of one series hour by hour, its incident's anomalous hours marked (with their stored
/// figures where the model has none to draw).
fn points_of(band: &[band::Band], hours: &[anomaly::Model], series: &Series) -> Vec<BandPoint> {
    let own: BTreeMap<i64, &anomaly::Model> = hours
        .iter()
        .filter(|a| {
            a.event == series.event
                && a.application == series.application
                && a.version == series.version
                && a.platform == series.platform
        })
        .map(|a| (a.hour, a))
        .collect();
    band.iter()
        .map(|b| {
            let row = own.get(&b.hour.epoch_seconds());
            BandPoint {
                hour: b.hour.to_string(),
                observed: b.observed.or(row.map(|a| a.observed)),
                expected: b.expected.or(row.map(|a| a.expected)),
                low: b.low.or(row.map(|a| a.low)),
                high: b.high.or(row.map(|a| a.high)),
                anomalous: row.is_some(),
            }
        })
        .collect()
}

/// The event's incidents over `[from, to)` and the event overall against its band, hour by hour
/// (the event page's hourly chart).
pub async fn event_signals_as(
    services: &Services,
    actor: &Actor,
    slug: &str,
    event: &str,
    from: &str,
    to: &str,
) -> Result<EventSignals, ServiceError> {
    let tenant = browse::open_tenant(services, actor, slug).await?;
    let (from, to) = resolve_hours(&tenant, Some(from), Some(to))?;
    let conn = services.db.conn();
    let filter = Filter {
        event: Some(event.to_owned()),
        ..Filter::default()
    };
    let incidents = store::list(conn, tenant.id, from, to, &filter).await?;
    let band = band::expected_band(conn, tenant.id, &Series::event(event), from, to)
        .await?
        .into_iter()
        .map(|b| BandPoint {
            hour: b.hour.to_string(),
            observed: b.observed,
            expected: b.expected,
            low: b.low,
            high: b.high,
            anomalous: b.anomaly.is_some(),
        })
        .collect();
    Ok(EventSignals {
        tenant: tenant.slug,
        incidents,
        band,
    })
}

/// A series as stored: absent names are `''`.
fn series_named(name: &SeriesName) -> Series {
    let text = |value: &Option<String>| value.as_deref().map(str::trim).unwrap_or("").to_owned();
    Series {
        event: text(&name.event),
        application: text(&name.application),
        version: text(&name.version),
        platform: text(&name.platform),
    }
}

/// A series to mute, checked: an event overall, an event of one release (application, version
/// and platform together), or the whole tenant (nothing named).
pub fn series_to_mute(name: &SeriesName) -> Result<Series, ServiceError> {
    let series = series_named(name);
    let release = [&series.application, &series.version, &series.platform];
    let named = release.iter().filter(|part| !part.is_empty()).count();
    if named != 0 && named != 3 {
        return Err(invalid(
            "name an event overall, or an event with its application, version and platform",
        ));
    }
    if named == 3 && series.event.is_empty() {
        return Err(invalid("a release's series needs its event"));
    }
    for part in [
        &series.event,
        &series.application,
        &series.version,
        &series.platform,
    ] {
        if part.chars().count() > crate::error::MAX_NAME {
            return Err(invalid(format!(
                "a name is longer than {} characters",
                crate::error::MAX_NAME
            )));
        }
    }
    Ok(series)
}

/// Mutes or unmutes a series of tenant `slug` (owners and admins).
pub async fn mute_as(
    services: &Services,
    actor: &Actor,
    slug: &str,
    name: &SeriesName,
    muted: bool,
) -> Result<(), ServiceError> {
    let tenant_id = crate::tenants::visible_tenant(services, actor, slug).await?;
    actor.require_owner(tenant_id)?;
    let series = series_to_mute(name)?;
    store::set_muted_as(services, actor, tenant_id, &series, muted).await
}

/// The tenant's open incidents now, newest first (for the overview's "what changed").
pub async fn open_as(
    services: &Services,
    actor: &Actor,
    slug: &str,
) -> Result<Vec<super::Incident>, ServiceError> {
    let tenant_id = crate::tenants::visible_tenant(services, actor, slug).await?;
    Ok(store::open_now(services.db.conn(), tenant_id).await?)
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
        let (from, to) = resolve_hours(&tenant(Some("2026-11-20T09")), None, None).unwrap();
        assert_eq!(to.to_string(), "2026-11-20T10:00:00Z");
        assert_eq!(from.to_string(), "2026-11-13T10:00:00Z");
        let (from, to) =
            resolve_hours(&tenant(None), Some("2026-11-01"), Some("2026-11-02T05")).unwrap();
        assert_eq!(from.to_string(), "2026-11-01T00:00:00Z");
        assert_eq!(to.to_string(), "2026-11-02T05:00:00Z");
    }

    #[test]
    fn bad_ranges_and_filters_are_refused() {
        let t = tenant(Some("2026-11-20T09"));
        for (from, to) in [
            ("2026-11-20T25", "2026-11-21T00"),
            ("2026-11-21T00", "2026-11-20T00"),
            ("2025-01-01T00", "2026-11-20T00"),
        ] {
            assert!(matches!(
                resolve_hours(&t, Some(from), Some(to)),
                Err(ServiceError::Invalid(_))
            ));
        }
        assert!(parse_filter(Some("bogus"), None, None).is_err());
        assert!(parse_filter(None, Some("dip"), None).is_err());
        let filter = parse_filter(Some("open"), Some(""), Some(" e ")).unwrap();
        assert_eq!(filter.state, Some(IncidentState::Open));
        assert_eq!(filter.kind, None);
        assert_eq!(filter.event.as_deref(), Some("e"));
    }

    #[test]
    fn a_muted_series_is_an_event_a_release_or_the_tenant() {
        let release = SeriesName {
            event: Some("e".into()),
            application: Some("A".into()),
            version: Some("1".into()),
            platform: Some("iOS".into()),
        };
        assert_eq!(
            series_to_mute(&release).unwrap(),
            Series::release("e", "A", "1", "iOS")
        );
        let half = SeriesName {
            version: None,
            ..release
        };
        assert!(series_to_mute(&half).is_err());
        assert_eq!(
            series_to_mute(&SeriesName::default()).unwrap(),
            Series::tenant()
        );
    }
}
