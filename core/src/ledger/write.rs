//! Writing one tenant-hour: in one transaction, the hour's previous rows are replaced by the new
//! counts, first/last seen are recomputed for everything either touched, new catalog rows become
//! discoveries (news or history, decided by the caller), and the hour's state is recorded.
//! Re-running an hour therefore never double counts, in any order.

use std::collections::{BTreeSet, HashMap};

use sea_orm::{
    ActiveValue::NotSet, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QuerySelect, Set, TransactionTrait, sea_query::Expr,
};

use crate::entities::{
    discovery, hourly_count, hourly_key, hourly_session, ingested_hour, ingestion_run, tenant,
};
use crate::hour::Hour;
use crate::ingest::reader::{HourFile, HourRead, HourStats};
use crate::ledger::resolve::{Catalog, Created};

use crate::ledger::{LedgerError, now_seconds, seen};

const INSERT_BATCH: usize = 1000;

/// One hour to write.
pub struct HourWrite<'a> {
    pub tenant_id: i64,
    pub hour: Hour,
    pub read: &'a HourRead,
    pub files: &'a [HourFile],
    pub run_id: i64,
    /// Whether discoveries of this hour are news (pushed item by item) or history.
    pub news: bool,
    /// The first hour kept in hourly detail (retention); earlier first/last seen stay as recorded.
    pub window: Hour,
    /// How long reading the files took.
    pub read_ms: i64,
}

/// Time spent on a run's two phases.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Timings {
    pub read_ms: i64,
    pub write_ms: i64,
}

/// What writing the hour changed.
#[derive(Debug, Default)]
pub struct Written {
    pub discoveries: Vec<Created>,
    pub timings: Timings,
}

pub async fn write_hour(
    db: &DatabaseConnection,
    write: HourWrite<'_>,
) -> Result<Written, LedgerError> {
    let started = std::time::Instant::now();
    let txn = db.begin().await?;
    let hour = write.hour.epoch_seconds();
    let tenant_id = write.tenant_id;
    // One writer per tenant at a time: two hours of a tenant written side by side would each sum
    // their day's totals without the other's uncommitted rows. Touching the tenant's row first
    // takes its row lock on Postgres, and SQLite's write lock before any read.
    tenant::Entity::update_many()
        .col_expr(tenant::Column::Id, Expr::col(tenant::Column::Id))
        .filter(tenant::Column::Id.eq(tenant_id))
        .exec(&txn)
        .await?;
    let counts = &write.read.counts;
    let text = |id: u32| counts.strings.get(id);
    let mut catalog = Catalog::load(&txn, tenant_id, hour).await?;

    // Catalog rows, created in bulk and in a stable order so ids do not depend on hash order.
    let version_texts: BTreeSet<(String, String, String)> = counts
        .versions
        .keys()
        .map(|key| {
            (
                text(key[0]).to_owned(),
                text(key[1]).to_owned(),
                text(key[2]).to_owned(),
            )
        })
        .collect();
    catalog.ensure_versions(&txn, &version_texts).await?;
    let mut version_ids: HashMap<u32, i64> = HashMap::with_capacity(counts.versions.len());
    for (key, local) in &counts.versions {
        let id = catalog
            .version_id(text(key[0]), text(key[1]), text(key[2]))
            .ok_or(LedgerError::Missing("application version"))?;
        version_ids.insert(*local, id);
    }
    let screens: BTreeSet<String> = counts
        .groups
        .keys()
        .map(|key| text(key[3]).to_owned())
        .collect();
    catalog.ensure_screens(&txn, &screens).await?;
    let mut events: BTreeSet<String> = counts
        .groups
        .keys()
        .map(|key| text(key[4]).to_owned())
        .collect();
    events.extend(
        counts
            .keys
            .keys()
            .map(|(_, event, _)| text(*event).to_owned()),
    );
    catalog.ensure_events(&txn, &events).await?;

    let (group_sessions, version_sessions) = counts.sessions();
    let mut groups: Vec<_> = counts.groups.iter().collect();
    groups.sort_by_key(|(key, _)| key.map(text));
    let mut wanted = Vec::with_capacity(groups.len());
    let mut resolved = Vec::with_capacity(groups.len());
    for (key, (local, events)) in &groups {
        let version_id = version_ids[&counts.versions[&[key[0], key[1], key[2]]]];
        let ids = (
            version_id,
            catalog.screens[text(key[3])],
            catalog.events[text(key[4])],
        );
        let label = format!(
            "{} on {} in {} {} ({})",
            text(key[4]),
            text(key[3]),
            text(key[0]),
            text(key[1]),
            text(key[2])
        );
        wanted.push((ids, label));
        resolved.push((ids, *local, *events));
    }
    catalog.ensure_combinations(&txn, &wanted).await?;
    let mut count_rows = Vec::with_capacity(resolved.len());
    let mut new_combinations = Vec::with_capacity(resolved.len());
    let mut version_events: HashMap<i64, i64> = HashMap::new();
    for (ids, local, events) in resolved {
        *version_events.entry(ids.0).or_default() += events as i64;
        let combination_id = catalog.combinations[&ids];
        new_combinations.push(combination_id);
        count_rows.push(hourly_count::ActiveModel {
            tenant_id: Set(tenant_id),
            hour: Set(hour),
            combination_id: Set(combination_id),
            events: Set(events as i64),
            sessions: Set(group_sessions.get(&local).copied().unwrap_or(0) as i64),
        });
    }
    let mut version_locals: Vec<(i64, u32)> = version_ids
        .iter()
        .map(|(local, id)| (*id, *local))
        .collect();
    version_locals.sort_unstable();
    let session_rows: Vec<_> = version_locals
        .iter()
        .map(|(version_id, local)| {
            let (sessions, sketch) = version_sessions.get(local).cloned().unwrap_or_default();
            hourly_session::ActiveModel {
                tenant_id: Set(tenant_id),
                hour: Set(hour),
                version_id: Set(*version_id),
                sessions: Set(sessions as i64),
                sketch: Set(sketch.to_bytes()),
                events: Set(version_events.get(version_id).copied().unwrap_or(0)),
            }
        })
        .collect();
    let mut key_wanted = BTreeSet::new();
    for ((_, event, path), types) in &counts.keys {
        let event_id = catalog.events[text(*event)];
        for (index, count) in types.iter().enumerate() {
            if *count > 0 {
                let json_type = crate::ingest::json::JsonType::ALL[index].name();
                key_wanted.insert((
                    event_id,
                    text(*event).to_owned(),
                    text(*path).to_owned(),
                    json_type,
                ));
            }
        }
    }
    catalog.ensure_keys(&txn, &key_wanted).await?;
    let mut keys: Vec<_> = counts.keys.iter().collect();
    keys.sort_by_key(|((version, event, path), _)| {
        (version_ids[version], text(*event), text(*path))
    });
    let mut key_rows = Vec::with_capacity(keys.len());
    let mut new_keys = Vec::with_capacity(keys.len());
    for ((version, event, path), types) in keys {
        let event_id = catalog.events[text(*event)];
        let key_id = catalog.keys[&(event_id, text(*path).to_owned())];
        new_keys.push(key_id);
        let count = |index: usize| Set(types[index] as i64);
        key_rows.push(hourly_key::ActiveModel {
            tenant_id: Set(tenant_id),
            hour: Set(hour),
            version_id: Set(version_ids[version]),
            key_id: Set(key_id),
            string_count: count(0),
            integer_count: count(1),
            number_count: count(2),
            boolean_count: count(3),
            object_count: count(4),
            array_count: count(5),
            null_count: count(6),
        });
    }

    // What the hour held before, then the replacement.
    let mut combinations: BTreeSet<i64> = hourly_count::Entity::find()
        .select_only()
        .column(hourly_count::Column::CombinationId)
        .filter(hourly_count::Column::TenantId.eq(tenant_id))
        .filter(hourly_count::Column::Hour.eq(hour))
        .into_tuple::<i64>()
        .all(&txn)
        .await?
        .into_iter()
        .collect();
    let mut key_ids: BTreeSet<i64> = hourly_key::Entity::find()
        .select_only()
        .column(hourly_key::Column::KeyId)
        .filter(hourly_key::Column::TenantId.eq(tenant_id))
        .filter(hourly_key::Column::Hour.eq(hour))
        .into_tuple::<i64>()
        .all(&txn)
        .await?
        .into_iter()
        .collect();
    hourly_count::Entity::delete_many()
        .filter(hourly_count::Column::TenantId.eq(tenant_id))
        .filter(hourly_count::Column::Hour.eq(hour))
        .exec(&txn)
        .await?;
    hourly_session::Entity::delete_many()
        .filter(hourly_session::Column::TenantId.eq(tenant_id))
        .filter(hourly_session::Column::Hour.eq(hour))
        .exec(&txn)
        .await?;
    hourly_key::Entity::delete_many()
        .filter(hourly_key::Column::TenantId.eq(tenant_id))
        .filter(hourly_key::Column::Hour.eq(hour))
        .exec(&txn)
        .await?;
    combinations.extend(new_combinations);
    key_ids.extend(new_keys);

    for chunk in count_rows.chunks(INSERT_BATCH) {
        hourly_count::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }
    for chunk in session_rows.chunks(INSERT_BATCH) {
        hourly_session::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }
    for chunk in key_rows.chunks(INSERT_BATCH) {
        hourly_key::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }
    let combinations: Vec<i64> = combinations.into_iter().collect();
    let key_ids: Vec<i64> = key_ids.into_iter().collect();
    let touched =
        seen::recompute(&txn, &combinations, &key_ids, write.window.epoch_seconds()).await?;
    super::rollup::refresh_day(&txn, tenant_id, hour).await?;

    let now = now_seconds();
    let created = std::mem::take(&mut catalog.created);
    let rows: Vec<discovery::ActiveModel> = created
        .iter()
        .map(|item| discovery::ActiveModel {
            id: NotSet,
            tenant_id: Set(tenant_id),
            kind: Set(item.kind.to_owned()),
            subject_id: Set(item.id),
            label: Set(item.label.clone()),
            hour: Set(hour),
            news: Set(write.news),
            run_id: Set(Some(write.run_id)),
            created_at: Set(now),
        })
        .collect();
    for chunk in rows.chunks(INSERT_BATCH) {
        discovery::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }
    seen::redate_discoveries(&txn, tenant_id, &touched).await?;

    let status = if write.files.is_empty() {
        "no_data"
    } else {
        "ok"
    };
    ingested_hour::Entity::delete_many()
        .filter(ingested_hour::Column::TenantId.eq(tenant_id))
        .filter(ingested_hour::Column::Hour.eq(hour))
        .exec(&txn)
        .await?;
    ingested_hour::Entity::insert(ingested_hour::ActiveModel {
        tenant_id: Set(tenant_id),
        hour: Set(hour),
        status: Set(status.to_owned()),
        run_id: Set(write.run_id),
        files: Set(serde_json::to_string(write.files).unwrap_or_else(|_| "[]".to_owned())),
        ingested_at: Set(now),
    })
    .exec_without_returning(&txn)
    .await?;
    let timings = Timings {
        read_ms: write.read_ms,
        write_ms: started.elapsed().as_millis() as i64,
    };
    finish_run(&txn, write.run_id, status, &write.read.stats, timings, None).await?;
    txn.commit().await?;
    Ok(Written {
        discoveries: created,
        timings: Timings {
            write_ms: started.elapsed().as_millis() as i64,
            ..timings
        },
    })
}

/// Records a run's outcome and figures.
pub async fn finish_run(
    conn: &impl ConnectionTrait,
    run_id: i64,
    status: &str,
    stats: &HourStats,
    timings: Timings,
    error: Option<String>,
) -> Result<(), LedgerError> {
    let figure = |value: u64| Set(value as i64);
    let samples = (!stats.samples.is_empty())
        .then(|| serde_json::to_string(&stats.samples).unwrap_or_default());
    ingestion_run::Entity::update(ingestion_run::ActiveModel {
        id: Set(run_id),
        status: Set(status.to_owned()),
        finished_at: Set(Some(now_seconds())),
        files: figure(stats.files),
        bytes: figure(stats.bytes),
        lines: figure(stats.lines),
        events: figure(stats.events),
        rejected: figure(stats.rejected),
        skewed: figure(stats.skewed),
        untimed: figure(stats.untimed),
        duplicates: figure(stats.duplicates),
        read_ms: Set(timings.read_ms),
        write_ms: Set(timings.write_ms),
        rejected_samples: Set(samples),
        error: Set(error),
        ..Default::default()
    })
    .exec(conn)
    .await?;
    Ok(())
}
