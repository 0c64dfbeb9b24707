//! Runs one seed of the evaluation data set (`blueprint_demo::evaluation`) through the user's
//! path and compares the incidents with the truth.
//!
//! The path: a tenant folder under a temporary events root; the history (all but the last days)
//! through `pipeline::backfill`, the tenant's baseline; then each news hour through
//! `pipeline::ingest_hour` followed by the hourly planning's steps (`pipeline::after_planning`),
//! as `blueprint serve` runs them — hours with no folder (an outage) included. After each news
//! hour the incidents are listed, so each injected anomaly's detection hour is known.
//!
//! An incident matches an injected anomaly when it has the same kind, overlaps its hours and
//! (for an event of a release) has that series among its series; an outage matches an outage.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use blueprint_core::Services;
use blueprint_core::accounts::Role;
use blueprint_core::entities::{notification, quiet_mark};
use blueprint_core::hour::Hour;
use blueprint_core::ingestion::{self, Trigger};
use blueprint_core::pipeline;
use blueprint_core::rollouts;
use blueprint_core::signals::store::{self, Filter};
use blueprint_core::signals::{Incident, IncidentKind};
use blueprint_core::testing::{TestDb, actor};
use blueprint_demo::evaluation::model::event_mean;
use blueprint_demo::evaluation::{EVENTS, EvalOptions, Kind, RELEASES, Traffic, Truth, generate};
use chrono::{TimeZone, Utc};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

pub const TENANT: &str = "evalshop";

/// A Monday: five weeks from it end on 2026-10-12.
pub fn options(seed: u64, anomalies: bool) -> EvalOptions {
    let first = Utc.with_ymd_and_hms(2026, 9, 7, 0, 0, 0).unwrap();
    let mut o = EvalOptions::new(first, seed, anomalies);
    if let Some(sessions) = std::env::var("BLUEPRINT_EVAL_SESSIONS")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        o.sessions_per_hour = sessions;
    }
    o
}

/// What one run found.
#[derive(Debug)]
pub struct Run {
    pub traffic: Traffic,
    pub incidents: Vec<Incident>,
    /// Per injected anomaly (index into the truth): the incidents that match it.
    pub matched: Vec<Vec<i64>>,
    /// Per injected news anomaly: its anomalous hours ingested when it was first found (1 = by
    /// the end of its first hour; 0 = before it started), `None` when never found.
    pub delay: BTreeMap<usize, Option<u32>>,
    /// Incidents that match no injected anomaly.
    pub unmatched: Vec<Incident>,
    /// Problems the outage caused (marks made or lifted, verdicts changed while data was missing).
    pub outage_effects: Vec<String>,
    /// Notifications before and after re-ingesting news hours; incidents before and after.
    pub told: (u64, u64),
    pub incidents_after_reingest: usize,
    pub elapsed: Duration,
    /// Generating, the history, the news (with the re-ingestion).
    pub phases: [Duration; 3],
}

impl Run {
    /// Matched / injected.
    pub fn recall(&self) -> (usize, usize) {
        let found = self.matched.iter().filter(|m| !m.is_empty()).count();
        (found, self.matched.len())
    }

    /// Incidents that match an anomaly / incidents.
    pub fn precision(&self) -> (usize, usize) {
        let all = self.incidents.len();
        (all - self.unmatched.len(), all)
    }

    /// Every failure of the acceptance rules, described precisely (empty: it passes).
    pub fn failures(&self, label: &str) -> Vec<String> {
        let o = &self.traffic.options;
        let mut out = Vec::new();
        for (i, t) in self.traffic.truth.iter().enumerate() {
            let observed: u64 = (t.first..t.end).map(|h| self.count(h, t)).sum();
            match self.matched[i].len() {
                1 => {}
                0 => out.push(format!(
                    "{label}: missed {} (observed {observed} in its hours)",
                    t.describe(o)
                )),
                n => out.push(format!(
                    "{label}: {} is {n} incidents {:?}",
                    t.describe(o),
                    self.matched[i]
                )),
            }
            if let Some(Some(delay)) = self.delay.get(&i)
                && *delay > 2
            {
                out.push(format!(
                    "{label}: {} found after {delay} of its hours",
                    t.describe(o)
                ));
            }
        }
        for incident in &self.unmatched {
            out.push(format!(
                "{label}: unexpected incident {}; generated: {}",
                describe(incident),
                self.generated(incident)
            ));
        }
        if !out.is_empty() {
            let truth: Vec<String> = self.traffic.truth.iter().map(|t| t.describe(o)).collect();
            out.push(format!("{label}: injected: {}", truth.join("; ")));
        }
        out.extend(self.outage_effects.iter().map(|e| format!("{label}: {e}")));
        if self.told.0 != self.told.1 {
            out.push(format!(
                "{label}: re-ingesting news hours told again ({} notifications, then {})",
                self.told.0, self.told.1
            ));
        }
        if self.incidents_after_reingest != self.incidents.len() {
            out.push(format!(
                "{label}: re-ingesting news hours made {} incidents of {}",
                self.incidents_after_reingest,
                self.incidents.len()
            ));
        }
        out
    }

    /// What the generator wrote in an incident's hours for its series, beside the model's mean
    /// (before noise): `lines/mean (sessions)` per hour.
    fn generated(&self, i: &Incident) -> String {
        let o = &self.traffic.options;
        let hour = |text: &str| text.parse::<Hour>().ok().map(|h| h.start());
        let (Some(from), Some(to)) = (hour(&i.from), hour(&i.to)) else {
            return String::new();
        };
        let first = ((from - o.first_hour).num_hours().max(0)) as u32;
        let end = ((to - o.first_hour).num_hours().max(0) as u32).min(o.hours());
        let mut parts = Vec::new();
        for s in &i.series {
            let Some(e) = EVENTS
                .iter()
                .position(|d| Some(d.name) == s.event.as_deref())
            else {
                continue;
            };
            let release = RELEASES.iter().position(|r| {
                Some(r.application) == s.application.as_deref()
                    && Some(r.version) == s.version.as_deref()
                    && Some(r.platform) == s.platform.as_deref()
            });
            let hours: Vec<String> = (first..end)
                .map(|h| {
                    let held = &self.traffic.hours[h as usize];
                    match release {
                        Some(r) => format!(
                            "{}/{:.1} ({} sessions)",
                            held.events.get(&(r, e)).copied().unwrap_or(0),
                            event_mean(o, h, e, r),
                            held.sessions[r]
                        ),
                        None => format!(
                            "{}/{:.1}",
                            self.traffic.event_total(h, e),
                            (0..RELEASES.len())
                                .map(|r| event_mean(o, h, e, r))
                                .sum::<f64>()
                        ),
                    }
                })
                .collect();
            parts.push(format!("{} {}", EVENTS[e].name, hours.join(" ")));
        }
        parts.join("; ")
    }

    fn count(&self, h: u32, t: &Truth) -> u64 {
        let hour = &self.traffic.hours[h as usize];
        match t.series {
            Some((e, r)) => hour.events.get(&(r, e)).copied().unwrap_or(0),
            None => hour.events.values().sum(),
        }
    }
}

pub fn describe(i: &Incident) -> String {
    let series: Vec<String> = i
        .series
        .iter()
        .map(|s| {
            let dims = [&s.event, &s.application, &s.version, &s.platform];
            let dims: Vec<&str> = dims.iter().map(|d| d.as_deref().unwrap_or("*")).collect();
            format!("{} ({} vs {:.1})", dims.join("/"), s.observed, s.expected)
        })
        .collect();
    format!(
        "#{} {} {}..{} observed {} expected {:.1}: {}",
        i.id,
        i.kind.as_str(),
        i.from,
        i.to,
        i.observed,
        i.expected,
        series.join(", ")
    )
}

fn kind_of(kind: Kind) -> IncidentKind {
    match kind {
        Kind::Drop => IncidentKind::Drop,
        Kind::Spike => IncidentKind::Spike,
        Kind::Stopped => IncidentKind::Stopped,
        Kind::Outage => IncidentKind::Outage,
    }
}

/// Does the incident match the injected anomaly?
pub fn matches(o: &EvalOptions, t: &Truth, i: &Incident) -> bool {
    let hours = |text: &str| text.parse::<Hour>().ok().map(|h| h.start());
    let (Some(from), Some(to)) = (hours(&i.from), hours(&i.to)) else {
        return false;
    };
    if i.kind != kind_of(t.kind) || to <= o.hour(t.first) || from >= o.hour(t.end) {
        return false;
    }
    let Some((e, r)) = t.series else {
        return true;
    };
    let release = RELEASES[r];
    i.series.iter().any(|s| {
        s.event.as_deref() == Some(EVENTS[e].name)
            && s.application.as_deref() == Some(release.application)
            && s.version.as_deref() == Some(release.version)
            && s.platform.as_deref() == Some(release.platform)
    })
}

async fn incidents(services: &Services, tenant_id: i64, o: &EvalOptions) -> Vec<Incident> {
    let (from, to) = (
        Hour::containing(o.hour(0)),
        Hour::containing(o.hour(o.hours() + 24)),
    );
    store::list(services.db.conn(), tenant_id, from, to, &Filter::default())
        .await
        .unwrap()
}

async fn notifications(services: &Services) -> u64 {
    notification::Entity::find()
        .count(services.db.conn())
        .await
        .unwrap()
}

/// What an outage must not change: the quiet marks and the roll-outs' verdicts.
async fn verdicts(services: &Services, tenant_id: i64) -> (BTreeSet<String>, BTreeSet<String>) {
    let marks = quiet_mark::Entity::find()
        .filter(quiet_mark::Column::TenantId.eq(tenant_id))
        .all(services.db.conn())
        .await
        .unwrap()
        .into_iter()
        .map(|m| {
            format!(
                "{} {} {} lifted {:?}",
                m.kind,
                m.label,
                m.scope,
                m.lifted_at.is_some()
            )
        })
        .collect();
    let rollouts = rollouts::list_for(services, TENANT)
        .await
        .unwrap()
        .into_iter()
        .map(|r| {
            format!(
                "{} {} {}: {} stage {:?} {}",
                r.application, r.platform, r.candidate, r.state, r.stage, r.verdict
            )
        })
        .collect();
    (marks, rollouts)
}

async fn news_hour(services: &Services, tenant_id: i64, o: &EvalOptions, h: u32) {
    let hour = Hour::containing(o.hour(h));
    pipeline::ingest_hour(services, TENANT, hour, Trigger::Schedule, None, 1)
        .await
        .unwrap_or_else(|e| panic!("news hour {hour}: {e}"));
    pipeline::after_planning(services, tenant_id, TENANT).await;
}

/// Generates, ingests and compares one seed (`anomalies` false: the clean variant).
pub async fn run(db: &TestDb, seed: u64, anomalies: bool) -> Run {
    let started = Instant::now();
    let o = options(seed, anomalies);
    let root = db.scratch_dir().join(format!("events-{seed}-{anomalies}"));
    let traffic = generate(&root, TENANT, &o).unwrap();
    let generated = started.elapsed();
    let services = db.services(&root);
    let first = Hour::containing(o.hour(0));
    let news = Hour::containing(o.hour(o.news_start()));
    pipeline::backfill(&services, TENANT, first, news, 1, |_, _, _| {})
        .await
        .unwrap();
    let tenant_id = ingestion::tenant_id(&services, TENANT).await.unwrap();
    // An owner, so that what is told reaches someone.
    actor(
        &services,
        "owner@example.com",
        false,
        &[(TENANT, Role::Owner)],
    )
    .await;
    pipeline::after_planning(&services, tenant_id, TENANT).await;
    let history = started.elapsed();

    let truth = &traffic.truth;
    let mut delay: BTreeMap<usize, Option<u32>> = truth
        .iter()
        .enumerate()
        .filter(|(_, t)| t.news)
        .map(|(i, _)| (i, None))
        .collect();
    let mut outage_effects = Vec::new();
    let mut before_outage = None;
    for h in o.news_start()..o.hours() {
        let in_outage = truth
            .iter()
            .find(|t| t.kind == Kind::Outage && t.contains(h));
        if let Some(t) = in_outage
            && h == t.first
        {
            before_outage = Some(verdicts(&services, tenant_id).await);
        }
        news_hour(&services, tenant_id, &o, h).await;
        if in_outage.is_some()
            && let Some(before) = &before_outage
        {
            let now = verdicts(&services, tenant_id).await;
            if now.0 != before.0 {
                outage_effects.push(format!(
                    "quiet marks changed during the outage at hour {h}: {:?} → {:?}",
                    before.0, now.0
                ));
            }
            if now.1 != before.1 {
                outage_effects.push(format!(
                    "roll-out verdicts changed during the outage at hour {h}: {:?} → {:?}",
                    before.1, now.1
                ));
            }
        }
        let found = incidents(&services, tenant_id, &o).await;
        for (i, when) in delay.iter_mut() {
            let t = &truth[*i];
            if when.is_none() && found.iter().any(|inc| matches(&o, t, inc)) {
                *when = Some((h + 1).saturating_sub(t.first));
            }
        }
    }
    let all = incidents(&services, tenant_id, &o).await;
    let matched: Vec<Vec<i64>> = truth
        .iter()
        .map(|t| {
            all.iter()
                .filter(|i| matches(&o, t, i))
                .map(|i| i.id)
                .collect()
        })
        .collect();
    let unmatched = all
        .iter()
        .filter(|i| !truth.iter().any(|t| matches(&o, t, i)))
        .cloned()
        .collect();

    // Re-ingest the hours of every news anomaly and the two after it, and two ordinary hours.
    let told_before = notifications(&services).await;
    let mut again: BTreeSet<u32> = [o.news_start() + 1, o.hours() - 1].into();
    for t in truth.iter().filter(|t| t.news) {
        again.extend((t.first..t.end + 2).filter(|h| *h < o.hours()));
    }
    for h in again {
        news_hour(&services, tenant_id, &o, h).await;
    }
    let told_after = notifications(&services).await;
    let incidents_after_reingest = incidents(&services, tenant_id, &o).await.len();
    Run {
        traffic,
        incidents: all,
        matched,
        delay,
        unmatched,
        outage_effects,
        told: (told_before, told_after),
        incidents_after_reingest,
        elapsed: started.elapsed(),
        phases: [generated, history - generated, started.elapsed() - history],
    }
}
