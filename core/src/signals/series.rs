//! The name of a series of counts.

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
