//! Downloads: an event's JSON Schema from the keys and types observed (the tracking plan as
//! JSON is `ledger::catalog`, the contract of `blueprint catalog`).
//!
//! Key paths become nested schemas: `a.b` is property `b` of object `a`, `items[].sku` is property
//! `sku` of the objects in array `items`. A key seen with several types allows each of them.
//! Observed keys are never `required`: the schema describes what was sent, not what must be.

use std::collections::{BTreeMap, BTreeSet};

use sea_orm::FromQueryResult;
use serde_json::{Map, Value, json};

use super::TenantRef;
use crate::Services;
use crate::accounts::ServiceError;
use crate::sql::{fetch, fetch_one};

#[derive(FromQueryResult)]
struct EventRow {
    id: i64,
    name: String,
    description: Option<String>,
}

#[derive(FromQueryResult)]
struct KeyType {
    path: String,
    json_type: String,
}

#[derive(Default)]
struct Node {
    types: BTreeSet<String>,
    properties: BTreeMap<String, Node>,
    items: Option<Box<Node>>,
}

impl Node {
    fn insert(&mut self, segments: &[&str], json_type: &str) {
        let Some((first, rest)) = segments.split_first() else {
            self.types.insert(json_type.to_owned());
            return;
        };
        let (name, array) = match first.strip_suffix("[]") {
            Some(name) => (name, true),
            None => (*first, false),
        };
        let child = self.properties.entry(name.to_owned()).or_default();
        if array {
            child.types.insert("array".to_owned());
            let item = child.items.get_or_insert_with(Default::default);
            if rest.is_empty() {
                item.types.insert(json_type.to_owned());
            } else {
                item.types.insert("object".to_owned());
                item.insert(rest, json_type);
            }
        } else if rest.is_empty() {
            child.types.insert(json_type.to_owned());
        } else {
            child.types.insert("object".to_owned());
            child.insert(rest, json_type);
        }
    }

    fn schema(&self) -> Value {
        let mut out = Map::new();
        let types: Vec<&String> = self.types.iter().collect();
        match types.as_slice() {
            [] => {}
            [one] => {
                out.insert("type".into(), json!(one));
            }
            many => {
                out.insert("type".into(), json!(many));
            }
        }
        if !self.properties.is_empty() {
            let props: Map<String, Value> = self
                .properties
                .iter()
                .map(|(name, node)| (name.clone(), node.schema()))
                .collect();
            out.insert("properties".into(), Value::Object(props));
        }
        if let Some(items) = &self.items {
            out.insert("items".into(), items.schema());
        }
        Value::Object(out)
    }
}

/// The JSON Schema (draft 2020-12) of an event's observed keys.
pub async fn event_schema(
    services: &Services,
    tenant: &TenantRef,
    name: &str,
) -> Result<Value, ServiceError> {
    let event: EventRow = fetch_one(
        services.db.conn(),
        "SELECT id, name, description FROM events WHERE tenant_id = ? AND name = ? AND first_seen IS NOT NULL",
        vec![tenant.id.into(), name.into()],
    )
    .await?
    .ok_or(ServiceError::NotFound)?;
    let rows: Vec<KeyType> = fetch(
        services.db.conn(),
        "SELECT k.path AS path, t.json_type AS json_type FROM event_keys k JOIN key_types t ON t.key_id = k.id \
         WHERE k.event_id = ? AND t.first_seen IS NOT NULL ORDER BY k.path, t.json_type",
        vec![event.id.into()],
    )
    .await?;
    Ok(schema_of(
        &tenant.slug,
        &event.name,
        event.description.as_deref(),
        &rows
            .iter()
            .map(|r| (r.path.as_str(), r.json_type.as_str()))
            .collect::<Vec<_>>(),
    ))
}

/// The schema of `(path, type)` pairs.
pub fn schema_of(
    tenant: &str,
    event: &str,
    description: Option<&str>,
    keys: &[(&str, &str)],
) -> Value {
    let mut root = Node::default();
    root.types.insert("object".to_owned());
    for (path, json_type) in keys {
        let segments: Vec<&str> = path.split('.').collect();
        root.insert(&segments, json_type);
    }
    let mut schema = root.schema();
    if let Value::Object(map) = &mut schema {
        map.insert(
            "$schema".into(),
            json!("https://json-schema.org/draft/2020-12/schema"),
        );
        map.insert("title".into(), json!(event));
        map.insert(
            "$comment".into(),
            json!(format!("Keys observed by Blueprint in tenant {tenant}")),
        );
        if let Some(description) = description {
            map.insert("description".into(), json!(description));
        }
    }
    schema
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_nest_into_objects_and_arrays() {
        let schema = schema_of(
            "shop",
            "addToCart",
            None,
            &[
                ("price", "number"),
                ("price", "integer"),
                ("filters.brand", "string"),
                ("items[].sku", "string"),
                ("tags[]", "string"),
            ],
        );
        assert_eq!(
            schema["properties"]["price"]["type"],
            json!(["integer", "number"])
        );
        assert_eq!(
            schema["properties"]["filters"]["properties"]["brand"]["type"],
            json!("string")
        );
        assert_eq!(schema["properties"]["items"]["type"], json!("array"));
        assert_eq!(
            schema["properties"]["items"]["items"]["properties"]["sku"]["type"],
            json!("string")
        );
        assert_eq!(
            schema["properties"]["tags"]["items"]["type"],
            json!("string")
        );
        assert_eq!(schema["title"], json!("addToCart"));
    }
}
