//! The keys the baseline's events carry: does the candidate send them (coverage), and does it
//! send any with a type the baseline never sent (type conflicts)?

use std::collections::{BTreeSet, HashMap};

use blueprint_types::rollouts::{Check, CheckKind, CheckVerdict, Plan};
use blueprint_types::words::{count, quoted};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use super::coverage::{Item, coverage_check};
use super::figures::{Ledger, ratio};
use crate::entities::{event_key, hourly_key};

/// The value types the ledger counts per key, in the order of [`TypeCounts`].
const TYPES: [&str; 7] = [
    "string", "integer", "number", "boolean", "object", "array", "null",
];

/// How often a key carried each of [`TYPES`].
type TypeCounts = [f64; 7];

/// Each version's type counts per key over the compared hours, keyed (version, key).
async fn load_type_counts(
    conn: &impl ConnectionTrait,
    ledger: &Ledger,
) -> Result<HashMap<(i64, i64), TypeCounts>, DbErr> {
    let versions = &ledger.versions;
    let mut totals: HashMap<(i64, i64), TypeCounts> = HashMap::new();
    for chunk in ledger.hours.chunks(200) {
        for row in hourly_key::Entity::find()
            .filter(hourly_key::Column::TenantId.eq(versions.tenant))
            .filter(hourly_key::Column::VersionId.is_in([versions.candidate, versions.baseline]))
            .filter(hourly_key::Column::Hour.is_in(chunk.iter().copied()))
            .all(conn)
            .await?
        {
            let t = totals.entry((row.version_id, row.key_id)).or_default();
            for (i, n) in [
                row.string_count,
                row.integer_count,
                row.number_count,
                row.boolean_count,
                row.object_count,
                row.array_count,
                row.null_count,
            ]
            .into_iter()
            .enumerate()
            {
                t[i] += n as f64;
            }
        }
    }
    Ok(totals)
}

/// The keys counted, by event and path.
async fn load_keys(
    conn: &impl ConnectionTrait,
    counts: &HashMap<(i64, i64), TypeCounts>,
) -> Result<Vec<event_key::Model>, DbErr> {
    let ids: BTreeSet<i64> = counts.keys().map(|(_, k)| *k).collect();
    let mut keys = event_key::Entity::find()
        .filter(event_key::Column::Id.is_in(ids))
        .all(conn)
        .await?;
    keys.sort_by(|a, b| (a.event_id, &a.path).cmp(&(b.event_id, &b.path)));
    Ok(keys)
}

/// The types (null aside) the candidate gives `key` that the baseline never did, as lines.
fn new_types(
    name: &str,
    key: &event_key::Model,
    baseline: &TypeCounts,
    candidate: &TypeCounts,
) -> Vec<String> {
    let was: Vec<&str> = (0..6)
        .filter(|i| baseline[*i] > 0.0)
        .map(|i| TYPES[i])
        .collect();
    (0..6)
        .filter(|i| candidate[*i] > 0.0 && baseline[*i] == 0.0)
        .map(|i| {
            format!(
                "{}: {} is {} ({} times; baseline: {})",
                quoted(name),
                quoted(&key.path),
                TYPES[i],
                candidate[i],
                was.join(", ")
            )
        })
        .collect()
}

fn conflicts_check(conflicts: Vec<String>) -> Check {
    Check {
        kind: CheckKind::Coverage,
        name: "new type conflicts".into(),
        headline: true,
        verdict: if conflicts.is_empty() {
            CheckVerdict::Pass
        } else {
            CheckVerdict::Fail
        },
        candidate: None,
        baseline: None,
        change: None,
        low: None,
        high: None,
        level: None,
        hours: Vec::new(),
        detail: if conflicts.is_empty() {
            "every key keeps the baseline's types".into()
        } else {
            format!(
                "{} a type the baseline never sent",
                count(conflicts.len() as i64, "key now carries", "keys now carry")
            )
        },
        missing: conflicts,
    }
}

/// The coverage of keys and the type conflicts, and the events either is about.
pub(super) async fn key_checks(
    conn: &impl ConnectionTrait,
    ledger: &Ledger,
    plan: &Plan,
) -> Result<(Vec<Check>, BTreeSet<i64>), DbErr> {
    let (b_id, c_id) = (ledger.versions.baseline, ledger.versions.candidate);
    let counts = load_type_counts(conn, ledger).await?;
    let mut items = Vec::new();
    let mut conflicts = Vec::new();
    let mut implicated = BTreeSet::new();
    for key in load_keys(conn, &counts).await? {
        let b_types = counts.get(&(b_id, key.id)).copied().unwrap_or_default();
        let c_types = counts.get(&(c_id, key.id)).copied().unwrap_or_default();
        let b_count: f64 = b_types.iter().sum();
        let c_count: f64 = c_types.iter().sum();
        let name = ledger
            .event_names
            .get(&key.event_id)
            .cloned()
            .unwrap_or_default();
        let be = ledger
            .baseline_events
            .get(&key.event_id)
            .copied()
            .unwrap_or(0.0);
        let ce = ledger
            .candidate_events
            .get(&key.event_id)
            .copied()
            .unwrap_or(0.0);
        if ce > 0.0 {
            items.push(Item {
                label: format!("{}: {}", quoted(&name), quoted(&key.path)),
                event: Some(key.event_id),
                baseline: b_count,
                candidate: c_count,
                expected: b_count * ratio(ce, be),
            });
        }
        if b_count >= plan.min_count as f64 && c_count > 0.0 {
            let found = new_types(&name, &key, &b_types, &c_types);
            if !found.is_empty() {
                implicated.insert(key.event_id);
            }
            conflicts.extend(found);
        }
    }
    let (coverage, about) = coverage_check("keys the baseline's events carry", items, plan);
    implicated.extend(about);
    Ok((vec![coverage, conflicts_check(conflicts)], implicated))
}
