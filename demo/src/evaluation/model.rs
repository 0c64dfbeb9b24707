//! The evaluation tenant's traffic model: releases with their share of sessions over time (one
//! roll-out in the history, one starting with the news), events with a rate per session, and the
//! seasonality of sessions (hour of day, weekend, a slow trend). Everything here is a mean; the
//! noise is drawn in `traffic`.

use chrono::{Datelike, Duration, Timelike, Weekday};

use super::EvalOptions;

/// An application version on one platform.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Release {
    pub application: &'static str,
    pub version: &'static str,
    pub platform: &'static str,
}

/// The releases, in a fixed order (indices are used throughout).
pub const RELEASES: [Release; 6] = [
    rel("Shop", "4.8", "iOS"),
    rel("Shop", "4.9", "iOS"),
    rel("Shop", "5.0", "iOS"),
    rel("Shop", "4.8", "Android"),
    rel("Shop", "4.9", "Android"),
    rel("Shop Web", "2026.10", "Web"),
];

const fn rel(application: &'static str, version: &'static str, platform: &'static str) -> Release {
    Release {
        application,
        version,
        platform,
    }
}

/// The iOS release rolled out with the news (too new for its own history).
pub const ROLLOUT_NEWS: usize = 2;
/// The Android release rolled out in the history.
pub const ROLLOUT_HISTORY: usize = 4;

/// An event: its name, where it fires, and its mean count per session.
#[derive(Clone, Copy, Debug)]
pub struct EventDef {
    pub name: &'static str,
    /// Per session, on mobile (iOS, Android) and on the web; 0 = never.
    pub mobile: f64,
    pub web: f64,
    /// The screen it fires on (`None` for screen calls, whose screen varies).
    pub screen: Option<&'static str>,
}

const fn ev(name: &'static str, mobile: f64, web: f64, screen: Option<&'static str>) -> EventDef {
    EventDef {
        name,
        mobile,
        web,
        screen,
    }
}

/// `screen` is the Segment screen call (the screen-load event); the last ones are low-volume.
pub const EVENTS: [EventDef; 12] = [
    ev("screen", 4.0, 4.5, None),
    ev("productViewed", 1.8, 2.2, Some("Product")),
    ev("searchPerformed", 0.9, 1.1, Some("Search")),
    ev("appOpened", 1.0, 0.0, None),
    ev("addToCart", 0.5, 0.45, Some("Product")),
    ev("checkoutStarted", 0.2, 0.18, Some("Cart")),
    ev("orderCompleted", 0.12, 0.1, Some("Checkout")),
    ev("pushOpened", 0.15, 0.0, None),
    ev("couponApplied", 0.05, 0.04, Some("Cart")),
    ev("errorShown", 0.03, 0.02, Some("Checkout")),
    ev("reviewWritten", 0.01, 0.008, Some("Product")),
    ev("wishlistShared", 0.004, 0.0, Some("Product")),
];

pub const SCREENS: [&str; 5] = ["Home", "Search", "Product", "Cart", "Checkout"];

/// Relative sessions per hour of the day (UTC).
pub const DIURNAL: [f64; 24] = [
    0.35, 0.25, 0.2, 0.2, 0.25, 0.35, 0.55, 0.8, 1.0, 1.1, 1.2, 1.25, 1.3, 1.25, 1.2, 1.2, 1.25,
    1.35, 1.5, 1.6, 1.5, 1.3, 1.0, 0.65,
];

/// Sessions on Saturdays and Sundays, relative to weekdays.
pub const WEEKEND: f64 = 0.75;

/// Mean per session of an event on a release.
pub fn rate(event: &EventDef, release: &Release) -> f64 {
    if release.platform == "Web" {
        event.web
    } else {
        event.mobile
    }
}

/// A logistic roll-out: 0 before `start` (hours), then growing to `top` with a half-way point
/// `half` hours after the start.
fn rollout(h: f64, start: f64, half: f64, top: f64) -> f64 {
    if h < start {
        return 0.0;
    }
    let x = (h - start - half) / (half / 3.0);
    top / (1.0 + (-x).exp())
}

/// Each release's share of the tenant's sessions at hour index `h`.
pub fn shares(o: &EvalOptions, h: u32) -> [f64; 6] {
    let h = f64::from(h);
    let ios = 0.45;
    let android = 0.35;
    let web = 0.2;
    // iOS 5.0 starts six hours into the news and grows towards 70 % of iOS (half-way after 2 days).
    let news = f64::from(o.news_start());
    let new_ios = rollout(h, news + 6.0, 48.0, 0.7);
    // Android 4.9 starts on day 8 and takes 85 % of Android (half-way after 4 days).
    let new_android = rollout(h, 8.0 * 24.0, 96.0, 0.85);
    let old_ios = ios * (1.0 - new_ios);
    [
        old_ios * 0.15,
        old_ios * 0.85,
        ios * new_ios,
        android * (1.0 - new_android),
        android * new_android,
        web,
    ]
}

/// Mean sessions of the whole tenant in hour index `h`: hour of day, weekend, +1 % a week.
pub fn sessions_mean(o: &EvalOptions, h: u32) -> f64 {
    let at = o.first_hour + Duration::hours(i64::from(h));
    let weekend = matches!(at.weekday(), Weekday::Sat | Weekday::Sun);
    let mean = DIURNAL.iter().sum::<f64>() / 24.0;
    let trend = 1.0 + 0.01 * f64::from(h) / 168.0;
    o.sessions_per_hour * DIURNAL[at.hour() as usize] / mean
        * if weekend { WEEKEND } else { 1.0 }
        * trend
}

/// Mean count of `event` on `release` in hour index `h`, before noise and injections.
pub fn event_mean(o: &EvalOptions, h: u32, event: usize, release: usize) -> f64 {
    sessions_mean(o, h) * shares(o, h)[release] * rate(&EVENTS[event], &RELEASES[release])
}

/// Mean count of every event of the tenant in hour index `h`.
pub fn tenant_mean(o: &EvalOptions, h: u32) -> f64 {
    (0..RELEASES.len())
        .flat_map(|r| (0..EVENTS.len()).map(move |e| (e, r)))
        .map(|(e, r)| event_mean(o, h, e, r))
        .sum()
}
