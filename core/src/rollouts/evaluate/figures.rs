//! The two versions' figures from the hourly ledger: sessions and events per version and hour,
//! counts per combination (version × screen × event) and hour, and their totals over the hours in
//! which both versions ran.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use crate::entities::{combination, event, hourly_count, hourly_session, screen};

/// The tenant and the two versions compared.
#[derive(Clone, Copy, Debug)]
pub(super) struct Versions {
    pub tenant: i64,
    pub candidate: i64,
    pub baseline: i64,
}

/// One version's figures in one hour.
#[derive(Clone, Debug, Default)]
pub(super) struct Figures {
    pub sessions: f64,
    pub events: f64,
    pub screen_loads: f64,
    pub by_event: HashMap<i64, f64>,
    pub loads_by_screen: HashMap<i64, f64>,
    pub events_by_screen: HashMap<i64, f64>,
    pub by_combination: HashMap<(i64, i64), f64>,
}

impl Figures {
    fn add(&mut self, other: &Figures) {
        self.sessions += other.sessions;
        self.events += other.events;
        self.screen_loads += other.screen_loads;
        for (map, from) in [
            (&mut self.by_event, &other.by_event),
            (&mut self.loads_by_screen, &other.loads_by_screen),
            (&mut self.events_by_screen, &other.events_by_screen),
        ] {
            for (k, v) in from {
                *map.entry(*k).or_default() += v;
            }
        }
        for (k, v) in &other.by_combination {
            *self.by_combination.entry(*k).or_default() += v;
        }
    }

    /// How often each event was sent, on any screen.
    fn per_event(&self) -> BTreeMap<i64, f64> {
        let mut out: BTreeMap<i64, f64> = BTreeMap::new();
        for ((event, _), n) in &self.by_combination {
            *out.entry(*event).or_default() += n;
        }
        out
    }
}

/// Figures per (hour, version).
pub(super) type ByHour = BTreeMap<(i64, i64), Figures>;

/// `a / b`, or 0 when there is nothing to divide by.
pub(super) fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { 0.0 }
}

/// Sessions and events per version and hour, from `from` to `latest`.
pub(super) async fn load_sessions(
    conn: &impl ConnectionTrait,
    versions: &Versions,
    from: i64,
    latest: i64,
) -> Result<ByHour, DbErr> {
    let mut figures = ByHour::new();
    for row in hourly_session::Entity::find()
        .filter(hourly_session::Column::TenantId.eq(versions.tenant))
        .filter(hourly_session::Column::VersionId.is_in([versions.candidate, versions.baseline]))
        .filter(hourly_session::Column::Hour.between(from, latest))
        .all(conn)
        .await?
    {
        let f = figures.entry((row.hour, row.version_id)).or_default();
        f.sessions = row.sessions as f64;
        f.events = row.events as f64;
    }
    Ok(figures)
}

/// Everything the checks compare: the figures of the hours in which both versions ran, their
/// totals, and the names of the tenant's events and screens.
pub(super) struct Ledger {
    pub versions: Versions,
    pub figures: ByHour,
    /// The hours in which both versions had sessions, ascending.
    pub hours: Vec<i64>,
    pub event_names: HashMap<i64, String>,
    pub screen_names: HashMap<i64, String>,
    /// Each version's figures summed over `hours`.
    pub candidate: Figures,
    pub baseline: Figures,
    /// Each version's count of each event over `hours`, on any screen.
    pub candidate_events: BTreeMap<i64, f64>,
    pub baseline_events: BTreeMap<i64, f64>,
}

impl Ledger {
    /// Adds the counts per combination of the hours both versions ran (from `from` to `latest`)
    /// to the sessions in `figures`; `screen_loads` names the tenant's screen-load events.
    pub(super) async fn load(
        conn: &impl ConnectionTrait,
        versions: Versions,
        mut figures: ByHour,
        (from, latest): (i64, i64),
        screen_loads: &[String],
    ) -> Result<Ledger, DbErr> {
        let hours = compared_hours(&figures, &versions);
        let event_names = event_names(conn, versions.tenant).await?;
        let screen_names = screen_names(conn, versions.tenant).await?;
        let loads: BTreeSet<i64> = event_names
            .iter()
            .filter(|(_, name)| screen_loads.contains(name))
            .map(|(id, _)| *id)
            .collect();
        let compared: BTreeSet<i64> = hours.iter().copied().collect();
        let counted = Counted {
            hours: &compared,
            loads: &loads,
            from,
            latest,
        };
        add_counts(conn, &versions, &mut figures, &counted).await?;
        Ok(Ledger::assemble(
            versions,
            figures,
            hours,
            event_names,
            screen_names,
        ))
    }

    /// The ledger of `figures` (sessions and counts per hour and version) over `hours`, the
    /// hours in which both versions had sessions.
    pub(super) fn assemble(
        versions: Versions,
        figures: ByHour,
        hours: Vec<i64>,
        event_names: HashMap<i64, String>,
        screen_names: HashMap<i64, String>,
    ) -> Ledger {
        let total = |version: i64| -> Figures {
            let mut sum = Figures::default();
            for h in &hours {
                if let Some(f) = figures.get(&(*h, version)) {
                    sum.add(f);
                }
            }
            sum
        };
        let (candidate, baseline) = (total(versions.candidate), total(versions.baseline));
        Ledger {
            versions,
            hours,
            event_names,
            screen_names,
            candidate_events: candidate.per_event(),
            baseline_events: baseline.per_event(),
            candidate,
            baseline,
            figures,
        }
    }

    /// The candidate's and the baseline's figures in one of the compared `hours`.
    pub(super) fn in_hour(&self, hour: i64) -> (&Figures, &Figures) {
        (
            &self.figures[&(hour, self.versions.candidate)],
            &self.figures[&(hour, self.versions.baseline)],
        )
    }
}

/// The hours in which both versions had sessions.
pub(super) fn compared_hours(figures: &ByHour, versions: &Versions) -> Vec<i64> {
    let ran = |h: i64, version: i64| figures.get(&(h, version)).is_some_and(|f| f.sessions > 0.0);
    figures
        .keys()
        .filter(|(_, v)| *v == versions.candidate)
        .map(|(h, _)| *h)
        .filter(|h| ran(*h, versions.candidate) && ran(*h, versions.baseline))
        .collect()
}

async fn event_names(
    conn: &impl ConnectionTrait,
    tenant: i64,
) -> Result<HashMap<i64, String>, DbErr> {
    Ok(event::Entity::find()
        .filter(event::Column::TenantId.eq(tenant))
        .all(conn)
        .await?
        .into_iter()
        .map(|e| (e.id, e.name))
        .collect())
}

async fn screen_names(
    conn: &impl ConnectionTrait,
    tenant: i64,
) -> Result<HashMap<i64, String>, DbErr> {
    Ok(screen::Entity::find()
        .filter(screen::Column::TenantId.eq(tenant))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect())
}

/// Which counts per combination are added: those of the compared hours, from `from` to
/// `latest`; screen-load events count as screen loads.
struct Counted<'a> {
    hours: &'a BTreeSet<i64>,
    loads: &'a BTreeSet<i64>,
    from: i64,
    latest: i64,
}

/// Adds each version's counts per combination in the compared hours to `figures`.
async fn add_counts(
    conn: &impl ConnectionTrait,
    versions: &Versions,
    figures: &mut ByHour,
    counted: &Counted<'_>,
) -> Result<(), DbErr> {
    let combos: HashMap<i64, combination::Model> = combination::Entity::find()
        .filter(combination::Column::VersionId.is_in([versions.candidate, versions.baseline]))
        .all(conn)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let combo_ids: Vec<i64> = combos.keys().copied().collect();
    for chunk in combo_ids.chunks(500) {
        for row in hourly_count::Entity::find()
            .filter(hourly_count::Column::CombinationId.is_in(chunk.iter().copied()))
            .filter(hourly_count::Column::Hour.between(counted.from, counted.latest))
            .all(conn)
            .await?
        {
            if !counted.hours.contains(&row.hour) {
                continue;
            }
            let Some(combo) = combos.get(&row.combination_id) else {
                continue;
            };
            let f = figures.entry((row.hour, combo.version_id)).or_default();
            let n = row.events as f64;
            if counted.loads.contains(&combo.event_id) {
                f.screen_loads += n;
                *f.loads_by_screen.entry(combo.screen_id).or_default() += n;
            } else {
                *f.by_event.entry(combo.event_id).or_default() += n;
            }
            *f.events_by_screen.entry(combo.screen_id).or_default() += n;
            *f.by_combination
                .entry((combo.event_id, combo.screen_id))
                .or_default() += n;
        }
    }
    Ok(())
}
