//! An audit entry's before and after (JSON, as written) read as the fields that changed, each
//! old → new, so the log shows what happened instead of two blobs of JSON.

use blueprint_types::AuditChange;
use serde_json::{Map, Value};

/// The fields `before` and `after` differ in, in name order. When either is not a JSON object,
/// one change without a field name holds both as written.
pub fn changes(before: Option<&str>, after: Option<&str>) -> Vec<AuditChange> {
    let parse = |text: Option<&str>| -> Result<Map<String, Value>, ()> {
        match text.map(serde_json::from_str::<Value>) {
            None => Ok(Map::new()),
            Some(Ok(Value::Object(map))) => Ok(map),
            Some(_) => Err(()),
        }
    };
    let (Ok(old), Ok(new)) = (parse(before), parse(after)) else {
        return vec![AuditChange {
            field: String::new(),
            before: before.map(str::to_owned),
            after: after.map(str::to_owned),
        }];
    };
    let mut fields: Vec<&String> = old.keys().chain(new.keys()).collect();
    fields.sort();
    fields.dedup();
    fields
        .into_iter()
        .filter(|field| old.get(*field) != new.get(*field))
        .map(|field| AuditChange {
            field: field.clone(),
            before: old.get(field).map(text),
            after: new.get(field).map(text),
        })
        .collect()
}

/// A value as the log shows it: strings bare, `none` for null, anything else as compact JSON.
fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "none".to_owned(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(field: &str, before: Option<&str>, after: Option<&str>) -> AuditChange {
        AuditChange {
            field: field.into(),
            before: before.map(str::to_owned),
            after: after.map(str::to_owned),
        }
    }

    #[test]
    fn only_the_changed_fields_are_listed() {
        let got = changes(
            Some(r#"{"admin":false,"email":"a@x.test","tenants":["acme"]}"#),
            Some(r#"{"admin":true,"email":"a@x.test","tenants":["acme","shop"],"note":null}"#),
        );
        assert_eq!(
            got,
            vec![
                change("admin", Some("false"), Some("true")),
                change("note", None, Some("none")),
                change("tenants", Some(r#"["acme"]"#), Some(r#"["acme","shop"]"#)),
            ]
        );
    }

    #[test]
    fn a_creation_lists_every_field_and_a_deletion_too() {
        assert_eq!(
            changes(None, Some(r#"{"name":"ci"}"#)),
            vec![change("name", None, Some("ci"))]
        );
        assert_eq!(
            changes(Some(r#"{"name":"ci"}"#), None),
            vec![change("name", Some("ci"), None)]
        );
        assert!(changes(None, None).is_empty());
    }

    #[test]
    fn what_is_not_an_object_is_kept_as_written() {
        assert_eq!(
            changes(Some("open"), Some(r#"{"state":"closed"}"#)),
            vec![change("", Some("open"), Some(r#"{"state":"closed"}"#))]
        );
    }
}
