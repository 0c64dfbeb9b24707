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
pub mod store;
pub mod tell;
mod thresholds;

#[cfg(test)]
mod model_tests;

pub use band::{Band, expected_band};
pub use thresholds::Thresholds;

pub use blueprint_types::signals::{
    Incident, IncidentChange, IncidentDetail, IncidentKind, IncidentSeries, IncidentState,
};

/// A series of counts: absent dimensions are `''` as stored (see the migration), `None` as shown.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Series {
    pub event: String,
    pub application: String,
    pub version: String,
    pub platform: String,
}

impl Series {
    /// An event over every application, version and platform.
    pub fn event(event: impl Into<String>) -> Self {
        Self {
            event: event.into(),
            ..Self::default()
        }
    }

    /// An event of one release.
    pub fn release(
        event: impl Into<String>,
        application: impl Into<String>,
        version: impl Into<String>,
        platform: impl Into<String>,
    ) -> Self {
        Self {
            event: event.into(),
            application: application.into(),
            version: version.into(),
            platform: platform.into(),
        }
    }

    /// The whole tenant (an outage).
    pub fn tenant() -> Self {
        Self::default()
    }

    /// An event overall: no application, version or platform.
    pub fn is_event_overall(&self) -> bool {
        !self.event.is_empty() && self.application.is_empty()
    }

    /// The dimensions as shown: `None` where absent.
    pub fn shown(&self) -> [Option<String>; 4] {
        [
            &self.event,
            &self.application,
            &self.version,
            &self.platform,
        ]
        .map(|text| (!text.is_empty()).then(|| text.clone()))
    }
}
