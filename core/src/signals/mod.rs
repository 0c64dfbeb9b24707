//! Signals: what Blueprint concludes from the ledger's numbers (DESIGN.md, "Signals").
//!
//! - [`store`]: incidents, their series and anomalous hours as stored, read as the pages, the
//!   API and the command line show them, and changed by the people who act on them
//!   (acknowledge, snooze, resolve, reopen; mute a series).
//! - [`model`] and [`judge`] (pure): the expected count of a series in an hour, its interval,
//!   and whether an hour (alone, or with the one before) is anomalous; [`dist`] the exact count
//!   tails; [`Thresholds`] every default, explained.
//! - [`load`]: what the model needs, read from the ledger; [`band`]: the expected band of a
//!   series over a range, as the pages draw it ([`expected_band`]).
//! - [`detect`]: after an ingested hour (`pipeline::after_hour`), judge it, group its anomalies
//!   into incidents ([`group`]), resolve and wake, and tell what is news, once ([`tell`]).
//!
//! An incident's series is named by a [`Series`]: an event overall, an event of one release
//! (application, version, platform), or — for an outage — the tenant (every dimension absent).

pub mod band;
pub mod detect;
pub mod dist;
pub mod group;
pub mod judge;
pub mod load;
pub mod model;
mod series;
pub mod store;
pub mod tell;
mod thresholds;

#[cfg(test)]
mod model_tests;

pub use band::{Band, expected_band};
pub use series::Series;
pub use thresholds::Thresholds;

pub use blueprint_types::signals::{
    Incident, IncidentChange, IncidentDetail, IncidentKind, IncidentSeries, IncidentState,
};
