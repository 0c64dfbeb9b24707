//! Hourly counts of a tenant over `[from, to)`, as `blueprint counts` and the API give them:
//! ordered by hour, then application, version, platform, screen, event (byte order, the same on
//! every database).

use sea_orm::FromQueryResult;
use serde::Serialize;

use crate::Services;
use crate::hour::Hour;
use crate::ledger::LedgerError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CountRow {
    pub hour: String,
    pub application: String,
    pub version: String,
    pub platform: String,
    pub screen: String,
    pub event: String,
    pub events: i64,
    pub sessions: i64,
}

#[derive(FromQueryResult)]
struct Raw {
    hour: i64,
    application: String,
    version: String,
    platform: String,
    screen: String,
    event: String,
    events: i64,
    sessions: i64,
}

pub const CSV_HEADER: &str = "hour,application,version,platform,screen,event,events,sessions";

/// Narrows the counts to one application, platform, version, screen or event (exact names).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize)]
pub struct CountsFilter {
    pub application: Option<String>,
    pub platform: Option<String>,
    pub version: Option<String>,
    pub screen: Option<String>,
    pub event: Option<String>,
}

pub async fn hourly_counts(
    services: &Services,
    tenant_id: i64,
    from: Hour,
    to: Hour,
) -> Result<Vec<CountRow>, LedgerError> {
    filtered_counts(services, tenant_id, from, to, &CountsFilter::default()).await
}

pub async fn filtered_counts(
    services: &Services,
    tenant_id: i64,
    from: Hour,
    to: Hour,
    filter: &CountsFilter,
) -> Result<Vec<CountRow>, LedgerError> {
    let conn = services.db.conn();
    let mut values: Vec<sea_orm::Value> = Vec::new();
    let mut conditions = String::new();
    for (column, value) in [
        ("a.name", &filter.application),
        ("a.platform", &filter.platform),
        ("v.version", &filter.version),
        ("s.name", &filter.screen),
        ("e.name", &filter.event),
    ] {
        if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
            conditions.push_str(&format!(" AND {column} = ?"));
            values.push(value.into());
        }
    }
    let mut sql = format!(
        "SELECT h.hour AS hour, a.name AS application, v.version AS version, a.platform AS platform, \
         s.name AS screen, e.name AS event, h.events AS events, h.sessions AS sessions \
         FROM hourly_counts h \
         JOIN combinations c ON c.id = h.combination_id \
         JOIN app_versions v ON v.id = c.version_id \
         JOIN applications a ON a.id = v.application_id \
         JOIN screens s ON s.id = c.screen_id \
         JOIN events e ON e.id = c.event_id \
         WHERE h.tenant_id = {tenant_id} AND h.hour >= {} AND h.hour < {} AND h.events > 0",
        from.epoch_seconds(),
        to.epoch_seconds()
    );
    sql.push_str(&conditions);
    let mut rows = Raw::find_by_statement(crate::sql::statement(
        conn.get_database_backend(),
        &sql,
        values,
    ))
    .all(conn)
    .await?;
    rows.sort_by(|a, b| {
        (
            a.hour,
            &a.application,
            &a.version,
            &a.platform,
            &a.screen,
            &a.event,
        )
            .cmp(&(
                b.hour,
                &b.application,
                &b.version,
                &b.platform,
                &b.screen,
                &b.event,
            ))
    });
    Ok(rows
        .into_iter()
        .map(|raw| CountRow {
            hour: Hour::from_epoch_seconds(raw.hour)
                .map(|h| h.to_string())
                .unwrap_or_default(),
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

/// One CSV field, quoted as RFC 4180 requires.
pub fn csv_field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) || value.starts_with(' ') || value.ends_with(' ') {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

/// The rows as CSV with the header, one line per row.
pub fn to_csv(rows: &[CountRow]) -> String {
    let mut out = String::with_capacity(64 * (rows.len() + 1));
    out.push_str(CSV_HEADER);
    out.push('\n');
    for row in rows {
        let fields = [
            csv_field(&row.hour),
            csv_field(&row.application),
            csv_field(&row.version),
            csv_field(&row.platform),
            csv_field(&row.screen),
            csv_field(&row.event),
            row.events.to_string(),
            row.sessions.to_string(),
        ];
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_as_rfc_4180_says() {
        assert_eq!(csv_field("Products Page"), "Products Page");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
    }
}
