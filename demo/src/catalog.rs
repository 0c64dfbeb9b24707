//! The shape of the demo world: tenants, their applications, platforms, versions, screens and event
//! definitions (the data itself lives in `shopwave.rs` and `travelnest.rs`).

/// Application kinds an event can come from (bit mask).
pub(crate) const MOBILE: u8 = 1;
pub(crate) const WEB: u8 = 2;
pub(crate) const SECOND: u8 = 4;
/// Back-end events with no `context` at all (application, platform, … all `(none)`).
pub(crate) const SERVER: u8 = 8;

/// How a version is written in `context.app.version`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum VersionText {
    /// Always a JSON string.
    Str,
    /// A JSON number on about half the lines (`3.10`), a string on the others.
    HalfNumber,
    /// Always a JSON number (build numbers such as `1042`).
    Number,
}

pub(crate) struct VersionDef {
    pub text: &'static str,
    pub written: VersionText,
    /// Fractions of the generated range: the version is used in `[start, end)`.
    pub start: f64,
    pub end: f64,
    /// Relative weight once ramped up.
    pub base: f64,
    /// 0 = old, 1 = current, 2 = new: gates events and keys that come and go with versions.
    pub generation: u8,
}

/// Where a session id is written, and how.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SessionStyle {
    /// `context.sessionId`, a string with this prefix.
    ContextText(&'static str),
    /// `context.sessionId`, a counter written as a number, or as a string on this percent of lines.
    ContextNumber(u32),
    /// `properties.session_id`, a string with this prefix.
    Property(&'static str),
    /// Top-level `session_id`, always a number.
    TopLevelNumber,
}

/// Where the platform is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PlatformAt {
    /// `context.os.name`
    OsName,
    /// top-level `platform`
    TopLevel,
}

pub(crate) struct PlatformDef {
    pub name: &'static str,
    pub at: PlatformAt,
    pub weight: f64,
    pub versions: &'static [VersionDef],
    pub session: SessionStyle,
    /// Percent of lines written without any session id.
    pub no_session_pct: u32,
    /// Write non-ASCII characters as `\uXXXX` escapes.
    pub ascii: bool,
    /// The SDK's `context.library.name`.
    pub library: &'static str,
}

/// Where the current screen is written on track events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ScreenAt {
    /// `context.screen.name` (screen calls: top-level `name`).
    Context,
    /// `context.page.path` (page calls: top-level `name`, sometimes left out).
    PagePath,
    /// `properties.screen_name` (screen calls: top-level `name`).
    Property,
}

pub(crate) struct AppDef {
    pub name: &'static str,
    /// One of `MOBILE`, `WEB`, `SECOND`.
    pub kind: u8,
    pub weight: f64,
    pub platforms: &'static [PlatformDef],
    pub screens: &'static [&'static str],
    pub screen_at: ScreenAt,
}

pub(crate) struct EventDef {
    pub name: &'static str,
    /// Bit mask of app kinds that send it.
    pub kinds: u8,
    /// `|`-separated screens it fires on; empty = any screen; `-` = background (no screen).
    pub screens: &'static str,
    /// Space-separated property keys: `?key` optional, `+key` only from generation 2,
    /// `-key` only before generation 2.
    pub props: &'static str,
    pub weight: u32,
    pub min_generation: u8,
    pub max_generation: u8,
}

impl EventDef {
    pub(crate) const fn new(
        name: &'static str,
        kinds: u8,
        screens: &'static str,
        props: &'static str,
        weight: u32,
    ) -> Self {
        EventDef {
            name,
            kinds,
            screens,
            props,
            weight,
            min_generation: 0,
            max_generation: 2,
        }
    }

    /// Only sent by new versions (first seen when they start).
    pub(crate) const fn new_only(mut self) -> Self {
        self.min_generation = 2;
        self
    }

    /// Only sent by old versions (last seen when they fade out).
    pub(crate) const fn old_only(mut self) -> Self {
        self.max_generation = 0;
        self
    }

    pub(crate) fn background(&self) -> bool {
        self.screens == "-"
    }

    pub(crate) fn fires_on(&self, screen: &str) -> bool {
        self.screens.is_empty() || self.screens.split('|').any(|s| s == screen)
    }

    pub(crate) fn allowed_for(&self, generation: u8) -> bool {
        (self.min_generation..=self.max_generation).contains(&generation)
    }
}

pub(crate) struct TenantDef {
    pub slug: &'static str,
    /// Multiplier of `events_per_hour`.
    pub volume: f64,
    pub apps: &'static [AppDef],
    pub events: &'static [EventDef],
    /// Hours with no folder at all: (fraction of the range where the gap starts, length in hours).
    pub gaps: &'static [(f64, u32)],
    /// Volume anomalies planted in the last days of the range.
    pub anomalies: &'static [crate::anomalies::Planted],
    /// Property values differ per tenant for some shared keys (`sku` is an integer here).
    pub travel: bool,
}

pub(crate) fn tenants() -> [&'static TenantDef; 2] {
    [&crate::shopwave::SHOPWAVE, &crate::travelnest::TRAVELNEST]
}

/// Version weight at fraction `t` of the range: ramps up after `start`, fades out before `end`.
pub(crate) fn version_weight(v: &VersionDef, t: f64) -> f64 {
    if t < v.start || t >= v.end {
        return 0.0;
    }
    const RAMP: f64 = 0.15;
    let up = if v.start <= 0.0 {
        1.0
    } else {
        ((t - v.start) / RAMP + 0.05).min(1.0)
    };
    let down = if v.end >= 1.0 {
        1.0
    } else {
        ((v.end - t) / RAMP).clamp(0.08, 1.0)
    };
    v.base * up * down
}
