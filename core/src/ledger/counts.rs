//! Hourly counts of a tenant over `[from, to)`, as `blueprint counts` and the API give them:
//! ordered by hour, then application, version, platform, screen, event (byte order, the same on
//! every database).

use sea_orm::FromQueryResult;

use crate::Services;
use crate::hour::Hour;
use crate::ledger::LedgerError;

mod csv;
mod row;
pub use csv::{CSV_HEADER, CsvCells, csv_field, csv_line, spreadsheet_field, to_csv};
pub use row::CountRow;

#[derive(FromQueryResult)]
struct Raw {
    application: String,
    version: String,
    platform: String,
    screen: String,
    event: String,
    events: i64,
    sessions: i64,
}

/// Narrows the counts to one application, platform, version, screen or event (exact names).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize)]
pub struct CountsFilter {
    pub application: Option<String>,
    pub platform: Option<String>,
    pub version: Option<String>,
    pub screen: Option<String>,
    pub event: Option<String>,
}

/// Every row of `[from, to)` at once (tests and small ranges; the API and `blueprint counts` read
/// [`CountsPages`] so that memory stays flat).
pub async fn hourly_counts(
    services: &Services,
    tenant_id: i64,
    from: Hour,
    to: Hour,
) -> Result<Vec<CountRow>, LedgerError> {
    filtered_counts(services, tenant_id, from, to, &CountsFilter::default()).await
}

/// Every matching row of `[from, to)` at once, read page by page.
pub async fn filtered_counts(
    services: &Services,
    tenant_id: i64,
    from: Hour,
    to: Hour,
    filter: &CountsFilter,
) -> Result<Vec<CountRow>, LedgerError> {
    let mut pages = CountsPages::new(services.clone(), tenant_id, from, to, filter.clone());
    let mut rows = Vec::new();
    while let Some(page) = pages.next_page().await? {
        rows.extend(page);
    }
    Ok(rows)
}

/// The counts of `[from, to)` one page at a time, in order: a page is one hour that has counts
/// (found with one index seek, so empty stretches cost nothing), read and sorted on its own. Memory
/// holds one hour's rows, whatever the range.
pub struct CountsPages {
    services: Services,
    tenant_id: i64,
    next: Hour,
    to: Hour,
    filter: CountsFilter,
}

#[derive(FromQueryResult)]
struct NextHour {
    hour: Option<i64>,
}

impl CountsPages {
    pub fn new(
        services: Services,
        tenant_id: i64,
        from: Hour,
        to: Hour,
        filter: CountsFilter,
    ) -> Self {
        Self {
            services,
            tenant_id,
            next: from,
            to,
            filter,
        }
    }

    /// The rows of the next hour that has any; `None` once the range is done.
    pub async fn next_page(&mut self) -> Result<Option<Vec<CountRow>>, LedgerError> {
        while let Some(hour) = self.next_hour().await? {
            self.next = hour.plus(1);
            let rows = self.rows_of(hour).await?;
            if !rows.is_empty() {
                return Ok(Some(rows));
            }
        }
        self.next = self.to;
        Ok(None)
    }

    /// The first hour at or after `next` (and before `to`) with counts.
    async fn next_hour(&self) -> Result<Option<Hour>, LedgerError> {
        if self.next >= self.to {
            return Ok(None);
        }
        let found: Option<NextHour> = crate::sql::fetch_one(
            self.services.db.conn(),
            "SELECT MIN(hour) AS hour FROM hourly_counts \
             WHERE tenant_id = ? AND hour >= ? AND hour < ? AND events > 0",
            vec![
                self.tenant_id.into(),
                self.next.epoch_seconds().into(),
                self.to.epoch_seconds().into(),
            ],
        )
        .await?;
        Ok(found
            .and_then(|row| row.hour)
            .and_then(Hour::from_epoch_seconds))
    }

    /// One hour's matching rows, sorted.
    async fn rows_of(&self, hour: Hour) -> Result<Vec<CountRow>, LedgerError> {
        let mut values: Vec<sea_orm::Value> =
            vec![self.tenant_id.into(), hour.epoch_seconds().into()];
        let mut sql = String::from(
            "SELECT a.name AS application, v.version AS version, a.platform AS platform, \
             s.name AS screen, e.name AS event, h.events AS events, h.sessions AS sessions \
             FROM hourly_counts h \
             JOIN combinations c ON c.id = h.combination_id \
             JOIN app_versions v ON v.id = c.version_id \
             JOIN applications a ON a.id = v.application_id \
             JOIN screens s ON s.id = c.screen_id \
             JOIN events e ON e.id = c.event_id \
             WHERE h.tenant_id = ? AND h.hour = ? AND h.events > 0",
        );
        let filter = &self.filter;
        for (column, value) in [
            ("a.name", &filter.application),
            ("a.platform", &filter.platform),
            ("v.version", &filter.version),
            ("s.name", &filter.screen),
            ("e.name", &filter.event),
        ] {
            if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
                sql.push_str(&format!(" AND {column} = ?"));
                values.push(value.into());
            }
        }
        let mut rows: Vec<Raw> = crate::sql::fetch(self.services.db.conn(), &sql, values).await?;
        rows.sort_by(|a, b| {
            (&a.application, &a.version, &a.platform, &a.screen, &a.event).cmp(&(
                &b.application,
                &b.version,
                &b.platform,
                &b.screen,
                &b.event,
            ))
        });
        let hour_text = hour.to_string();
        Ok(rows
            .into_iter()
            .map(|raw| CountRow {
                hour: hour_text.clone(),
                application: raw.application,
                version: raw.version,
                platform: raw.platform,
                screen: raw.screen,
                event: raw.event,
                events: raw.events,
                sessions: raw.sessions,
            })
            .collect())
    }
}
