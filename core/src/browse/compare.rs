//! `/compare`: one event name across the tenants the caller can see, with the keys and types that
//! differ — the start of unifying event definitions across brands.

use std::collections::{BTreeMap, BTreeSet};

use blueprint_types::catalog::{ComparedKey, ComparedTenant, Comparison};
use sea_orm::FromQueryResult;

use super::hour_text;
use crate::Services;
use crate::accounts::{Actor, ServiceError};
use crate::sql::{fetch, ids};

#[derive(FromQueryResult)]
struct Found {
    id: i64,
    tenant: String,
    first_seen: Option<i64>,
    last_seen: Option<i64>,
    status: String,
    description: Option<String>,
}

#[derive(FromQueryResult)]
struct KeyType {
    event_id: i64,
    path: String,
    json_type: String,
}

#[derive(FromQueryResult)]
struct Name {
    name: String,
}

async fn visible_tenants(services: &Services, actor: &Actor) -> Result<Vec<i64>, ServiceError> {
    #[derive(FromQueryResult)]
    struct Id {
        id: i64,
    }
    Ok(
        fetch::<Id>(services.db.conn(), "SELECT id FROM tenants", vec![])
            .await?
            .into_iter()
            .map(|t| t.id)
            .filter(|id| actor.can_read(*id))
            .collect(),
    )
}

pub async fn compare(
    services: &Services,
    actor: &Actor,
    event: &str,
) -> Result<Comparison, ServiceError> {
    let tenants = visible_tenants(services, actor).await?;
    let tenant_ids = ids(tenants.iter().copied());
    let shared_events = fetch::<Name>(
        services.db.conn(),
        &format!(
            "SELECT name FROM events WHERE tenant_id IN {tenant_ids} AND first_seen IS NOT NULL \
             GROUP BY name HAVING COUNT(*) > 1 ORDER BY name LIMIT 1000"
        ),
        vec![],
    )
    .await?
    .into_iter()
    .map(|n| n.name)
    .collect();
    let event = event.trim();
    let found: Vec<Found> = if event.is_empty() {
        Vec::new()
    } else {
        fetch(
            services.db.conn(),
            &format!(
                "SELECT e.id AS id, t.slug AS tenant, e.first_seen AS first_seen, e.last_seen AS last_seen, \
                 e.status AS status, e.description AS description FROM events e JOIN tenants t ON t.id = e.tenant_id \
                 WHERE e.tenant_id IN {tenant_ids} AND e.name = ? AND e.first_seen IS NOT NULL ORDER BY t.slug"
            ),
            vec![event.into()],
        )
        .await?
    };
    let types: Vec<KeyType> = fetch(
        services.db.conn(),
        &format!(
            "SELECT k.event_id AS event_id, k.path AS path, kt.json_type AS json_type FROM event_keys k \
             JOIN key_types kt ON kt.key_id = k.id WHERE k.event_id IN {} AND kt.first_seen IS NOT NULL",
            ids(found.iter().map(|f| f.id))
        ),
        vec![],
    )
    .await?;
    let column: BTreeMap<i64, usize> = found.iter().enumerate().map(|(i, f)| (f.id, i)).collect();
    let mut keys: BTreeMap<String, Vec<Option<BTreeSet<String>>>> = BTreeMap::new();
    for row in types {
        let slots = keys
            .entry(row.path)
            .or_insert_with(|| vec![None; found.len()]);
        slots[column[&row.event_id]]
            .get_or_insert_with(BTreeSet::new)
            .insert(row.json_type);
    }
    let keys = keys
        .into_iter()
        .map(|(path, slots)| {
            let first = &slots[0];
            let differs = slots.iter().any(|s| s != first);
            ComparedKey {
                path,
                types: slots
                    .into_iter()
                    .map(|s| s.map(|set| set.into_iter().collect()))
                    .collect(),
                differs,
            }
        })
        .collect();
    Ok(Comparison {
        event: event.to_owned(),
        tenants: found
            .into_iter()
            .map(|f| ComparedTenant {
                tenant: f.tenant,
                first_seen: hour_text(f.first_seen),
                last_seen: hour_text(f.last_seen),
                status: f.status,
                description: f.description,
            })
            .collect(),
        keys,
        shared_events,
    })
}
