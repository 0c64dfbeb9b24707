//! `/t/{tenant}/incidents`: the tenant's incidents over a range of hours, filtered by state, kind
//! and event; `/t/{tenant}/incidents/{id}`: one incident — each series against its expected band,
//! the series table, and for owners and admins acknowledge (with a comment), snooze, resolve,
//! reopen and mute a series. Also what the overview ("what changed") and the event page (its
//! incidents under the hourly chart) show of them.
//!
//! This file holds the pages' server functions; they stay in this module because a server
//! function's URL is its name plus a hash of the module path. Every form posts without JavaScript
//! too: the answer then sends the browser back to the page it came from, which shows the change.

pub mod changed;
pub mod list;
pub mod report;

use blueprint_types::signals::{
    EventSignals, Incident, IncidentDetail, IncidentList, IncidentReport,
};
use leptos::prelude::*;

use crate::error::AppError;

/// The incidents of `[from, to)` (hours; empty: the 7 days up to the latest hour) that pass the
/// filters (empty: any).
#[server]
pub async fn list_incidents(
    tenant: String,
    from: String,
    to: String,
    state: String,
    kind: String,
    event: String,
) -> Result<IncidentList, AppError> {
    use crate::error::{actor, from_account, services};
    use blueprint_core::signals::views;
    let filter = views::parse_filter(Some(&state), Some(&kind), Some(&event))
        .map_err(|err| from_account("Reading the incidents", err))?;
    views::list_as(
        &services()?,
        &actor()?,
        &tenant,
        Some(&from),
        Some(&to),
        &filter,
    )
    .await
    .map_err(|err| from_account("Reading the incidents", err))
}

/// The event's incidents over `[from, to)` (hours) and the event against its expected band.
#[server]
pub async fn get_event_signals(
    tenant: String,
    event: String,
    from: String,
    to: String,
) -> Result<EventSignals, AppError> {
    use crate::error::{actor, from_account, services};
    blueprint_core::signals::views::event_signals_as(
        &services()?,
        &actor()?,
        &tenant,
        &event,
        &from,
        &to,
    )
    .await
    .map_err(|err| from_account("Reading the event's incidents", err))
}

/// The tenant's open incidents now, newest first.
#[server]
pub async fn open_incidents(tenant: String) -> Result<Vec<Incident>, AppError> {
    use crate::error::{actor, from_account, services};
    blueprint_core::signals::views::open_as(&services()?, &actor()?, &tenant)
        .await
        .map_err(|err| from_account("Reading the open incidents", err))
}

#[server]
pub async fn get_incident(id: i64) -> Result<IncidentReport, AppError> {
    use crate::error::{actor, from_account, services};
    blueprint_core::signals::views::report_as(&services()?, &actor()?, id)
        .await
        .map_err(|err| from_account("Reading the incident", err))
}

/// Acknowledges (`state=acknowledged`, with a comment), snoozes (`state=snoozed` with
/// `snooze_until`), resolves or reopens an incident (owners and admins).
#[server]
pub async fn change_incident(
    id: i64,
    state: String,
    #[server(default)] comment: String,
    #[server(default)] snooze_until: String,
) -> Result<IncidentDetail, AppError> {
    use crate::error::{actor, from_account, services};
    use blueprint_types::signals::{IncidentChange, IncidentState};
    let state = state.trim().parse::<IncidentState>().map_err(|err| {
        AppError::Client(blueprint_types::ClientError::Invalid(format!(
            "state: {err}"
        )))
    })?;
    let snooze_until = Some(snooze_until.trim().to_owned()).filter(|s| !s.is_empty());
    let change = IncidentChange {
        state: Some(state),
        comment: Some(comment),
        snooze_until,
    };
    blueprint_core::signals::store::change_as(&services()?, &actor()?, id, &change)
        .await
        .map_err(|err| from_account("Changing the incident", err))
}

/// Mutes (`mute=mute`) or unmutes (`mute=unmute`) one series of the tenant (owners and admins);
/// empty names are absent.
#[server]
pub async fn mute_series(
    tenant: String,
    #[server(default)] event: String,
    #[server(default)] application: String,
    #[server(default)] version: String,
    #[server(default)] platform: String,
    mute: String,
) -> Result<(), AppError> {
    use crate::error::{actor, from_account, services};
    let muted = match mute.as_str() {
        "mute" => true,
        "unmute" => false,
        other => {
            return Err(AppError::Client(blueprint_types::ClientError::Invalid(
                format!("`{other}` is not mute or unmute"),
            )));
        }
    };
    let given = |text: String| Some(text.trim().to_owned()).filter(|t| !t.is_empty());
    let name = blueprint_types::signals::SeriesName {
        event: given(event),
        application: given(application),
        version: given(version),
        platform: given(platform),
    };
    blueprint_core::signals::views::mute_as(&services()?, &actor()?, &tenant, &name, muted)
        .await
        .map_err(|err| from_account("Muting the series", err))
}

/// A kind as a badge.
#[component]
pub fn KindBadge(kind: blueprint_types::signals::IncidentKind) -> impl IntoView {
    view! { <span class=format!("badge kind-{kind}")>{kind.as_str()}</span> }
}
