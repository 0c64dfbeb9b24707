//! The tenants the caller can see, and a tenant's hourly counts over `[from, to)` as JSON rows or
//! CSV (`format=csv`), optionally narrowed to one application, platform, version, screen or event.
//! The counts are streamed an hour at a time (memory stays flat whatever the range), and a range
//! over `max_counts_hours` is refused. CSV values are exact; `for=spreadsheet` (the pages' download
//! link) guards formula cells for spreadsheets and names the file.

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use blueprint_core::hour::Hour;
use blueprint_core::ledger::counts::{self, CountsPages, CsvCells};
use blueprint_core::tenants::{self, TenantQuery};
use blueprint_types::TenantSummary;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::answers;
use super::error::{ApiError, bad_request, unavailable};
use super::extract::{Signed, actor};
use super::reply::ApiJson;
use crate::web::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tenants))
        .routes(routes!(tenant_counts))
}

#[utoipa::path(
    get,
    path = "/api/v1/tenants",
    tag = "tenants",
    responses(
        (status = 200, description = "The tenants, by slug", body = Vec<TenantSummary>),
        answers::Unauthenticated,
        answers::Unavailable,
    )
)]
pub async fn list_tenants(
    State(state): State<AppState>,
    signed_in: Signed,
) -> Result<ApiJson<Vec<TenantSummary>>, ApiError> {
    let actor = actor(signed_in)?;
    let list = tenants::list_tenants(&state.services, &actor, &TenantQuery::default())
        .await
        .map_err(unavailable)?;
    Ok(ApiJson(list))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CountsQuery {
    /// The first hour, `YYYY-MM-DDTHH`.
    from: String,
    /// The hour after the last one (exclusive), `YYYY-MM-DDTHH`.
    to: String,
    /// `json` (the default) or `csv`.
    #[serde(default)]
    format: Option<String>,
    /// `spreadsheet` (with `format=csv`): a file to open in a spreadsheet, whose text cells that
    /// would run as formulas (starting with `=`, `+`, `-`, `@`, tab or CR) get a leading `'`.
    #[serde(default, rename = "for")]
    for_: Option<String>,
    #[serde(default)]
    application: Option<String>,
    #[serde(default)]
    platform: Option<String>,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    screen: Option<String>,
    #[serde(default)]
    event: Option<String>,
}

/// One hour of one event on one screen of one application version (`format=json`); CSV has the
/// same columns.
#[derive(Serialize, ToSchema)]
pub struct CountRow {
    /// `YYYY-MM-DDTHH:00:00Z`.
    pub hour: String,
    pub application: String,
    pub version: String,
    pub platform: String,
    pub screen: String,
    pub event: String,
    pub events: i64,
    /// Distinct sessions in the hour.
    pub sessions: i64,
}

impl From<counts::CountRow> for CountRow {
    fn from(row: counts::CountRow) -> Self {
        let counts::CountRow {
            hour,
            application,
            version,
            platform,
            screen,
            event,
            events,
            sessions,
        } = row;
        Self {
            hour,
            application,
            version,
            platform,
            screen,
            event,
            events,
            sessions,
        }
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/tenants/{tenant}/counts",
    tag = "tenants",
    params(("tenant" = String, Path, description = "The tenant's slug"), CountsQuery),
    responses(
        (status = 200, description = "The counts, by hour, application, version, platform, screen and event", content(
            (Vec<CountRow> = "application/json"),
            (String = "text/csv"),
        )),
        answers::BadRequest,
        answers::Unauthenticated,
        answers::NotFound,
        answers::Unavailable,
    )
)]
pub async fn tenant_counts(
    State(state): State<AppState>,
    signed_in: Signed,
    Path(tenant): Path<String>,
    Query(query): Query<CountsQuery>,
) -> Result<Response, ApiError> {
    let actor = actor(signed_in)?;
    let tenant_id = tenants::visible_tenant(&state.services, &actor, &tenant).await?;
    let (from, to) = range(&query.from, &query.to, state.max_counts_hours)?;
    let format = Format::of(query.format.as_deref(), query.for_.as_deref())?;
    let filter = counts::CountsFilter {
        application: query.application,
        platform: query.platform,
        version: query.version,
        screen: query.screen,
        event: query.event,
    };
    let mut pages = CountsPages::new(state.services.clone(), tenant_id, from, to, filter);
    // The first page is read before answering, so a database that cannot answer gives a 503.
    let first = pages.next_page().await.map_err(unavailable)?;
    let writer = Writer {
        format,
        pages,
        pending: first,
        started: false,
        rows: 0,
        done: false,
    };
    let body = Body::from_stream(futures::stream::unfold(writer, |mut writer| async move {
        writer.next_chunk().await.map(|chunk| (chunk, writer))
    }));
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, format.content_type());
    if format == Format::Csv(CsvCells::Spreadsheet) {
        let name = format!(
            "{}-counts-{}-{}.csv",
            file_safe(&tenant),
            query.from,
            query.to
        );
        if let Ok(value) = format!("attachment; filename=\"{name}\"").parse() {
            headers.insert(header::CONTENT_DISPOSITION, value);
        }
    }
    Ok(response)
}

/// `[from, to)` from the query, non-empty and at most `max_hours` long.
fn range(from: &str, to: &str, max_hours: i64) -> Result<(Hour, Hour), ApiError> {
    let parse = |text: &str| {
        text.parse::<Hour>()
            .map_err(|err| bad_request(err.to_string()))
    };
    let (from, to) = (parse(from)?, parse(to)?);
    if to <= from {
        return Err(bad_request(format!(
            "the range {from} to {to} is empty: `to` is exclusive"
        )));
    }
    let hours = (to.epoch_seconds() - from.epoch_seconds()) / Hour::SECONDS;
    if hours > max_hours {
        return Err(bad_request(format!(
            "the range {from} to {to} is {hours} hours, more than the {max_hours} hours the counts \
             are read in at once (setting max_counts_hours): split it into ranges of at most \
             {max_hours} hours"
        )));
    }
    Ok((from, to))
}

/// A tenant slug as a file name: letters, digits, `-` and `_` only.
fn file_safe(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Json,
    Csv(CsvCells),
}

impl Format {
    fn of(format: Option<&str>, purpose: Option<&str>) -> Result<Self, ApiError> {
        let cells = match purpose {
            None | Some("") => CsvCells::Exact,
            Some("spreadsheet") => CsvCells::Spreadsheet,
            Some(other) => return Err(bad_request(format!("for `{other}` is not spreadsheet"))),
        };
        match (format, cells) {
            (Some("csv"), cells) => Ok(Format::Csv(cells)),
            (None | Some("json"), CsvCells::Exact) => Ok(Format::Json),
            (None | Some("json"), CsvCells::Spreadsheet) => {
                Err(bad_request("for=spreadsheet needs format=csv"))
            }
            (Some(other), _) => Err(bad_request(format!("format `{other}` is not csv or json"))),
        }
    }

    fn content_type(self) -> header::HeaderValue {
        header::HeaderValue::from_static(match self {
            Format::Json => "application/json",
            Format::Csv(_) => "text/csv; charset=utf-8",
        })
    }
}

/// Writes the pages as they are read: the CSV header or `[`, each page's rows, then `]`.
struct Writer {
    format: Format,
    pages: CountsPages,
    pending: Option<Vec<counts::CountRow>>,
    started: bool,
    rows: u64,
    done: bool,
}

impl Writer {
    async fn next_chunk(&mut self) -> Option<Result<String, std::io::Error>> {
        if self.done {
            return None;
        }
        let mut chunk = String::new();
        if !self.started {
            self.started = true;
            match self.format {
                Format::Json => chunk.push('['),
                Format::Csv(_) => {
                    chunk.push_str(counts::CSV_HEADER);
                    chunk.push('\n');
                }
            }
        }
        let page = match self.pending.take() {
            Some(page) => Some(page),
            None => match self.pages.next_page().await {
                Ok(page) => page,
                Err(err) => {
                    // The status is sent already: end the body short, so the client sees an error.
                    tracing::error!(error = %err, "counts stream failed");
                    self.done = true;
                    return Some(Err(std::io::Error::other(err.to_string())));
                }
            },
        };
        match page {
            Some(rows) => self.write_rows(&mut chunk, rows),
            None => {
                self.done = true;
                if self.format == Format::Json {
                    chunk.push(']');
                }
            }
        }
        Some(Ok(chunk))
    }

    fn write_rows(&mut self, chunk: &mut String, rows: Vec<counts::CountRow>) {
        for row in rows {
            match self.format {
                Format::Csv(cells) => chunk.push_str(&counts::csv_line(&row, cells)),
                Format::Json => {
                    if self.rows > 0 {
                        chunk.push(',');
                    }
                    // Through a JSON value, as every other API answer is written.
                    let value = serde_json::to_value(CountRow::from(row)).unwrap_or_default();
                    chunk.push_str(&value.to_string());
                }
            }
            self.rows += 1;
        }
    }
}
