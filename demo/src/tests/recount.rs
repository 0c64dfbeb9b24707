//! An independent re-count: reads the written files back (serde_json, numbers kept as source text
//! through `RawValue`) and applies the `segment` rules from scratch, to check the generator's own
//! bookkeeping.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Read;
use std::path::Path;

use chrono::{DateTime, NaiveDateTime};
use serde_json::value::RawValue;

use crate::expected::{
    CountKey, CountValue, EventExpected, HourStats, KeyExpected, Seen, TenantExpected,
};

#[derive(Debug)]
pub(crate) enum Node {
    Obj(BTreeMap<String, Node>),
    Arr(Vec<Node>),
    Str(String),
    Num(String),
    Bool,
    Null,
}

fn node(raw: &RawValue) -> Node {
    let s = raw.get().trim();
    match s.as_bytes()[0] {
        b'{' => {
            let m: BTreeMap<String, &RawValue> = serde_json::from_str(s).expect("object");
            Node::Obj(m.into_iter().map(|(k, v)| (k, node(v))).collect())
        }
        b'[' => {
            let v: Vec<&RawValue> = serde_json::from_str(s).expect("array");
            Node::Arr(v.into_iter().map(node).collect())
        }
        b'"' => Node::Str(serde_json::from_str(s).expect("string")),
        b't' | b'f' => Node::Bool,
        b'n' => Node::Null,
        _ => Node::Num(s.to_string()),
    }
}

/// `None` when the line is not exactly one JSON value.
pub(crate) fn parse(line: &str) -> Option<Node> {
    let raw: &RawValue = serde_json::from_str(line).ok()?;
    Some(node(raw))
}

pub(crate) fn get<'a>(n: &'a Node, path: &str) -> Option<&'a Node> {
    path.split('.').try_fold(n, |n, k| match n {
        Node::Obj(m) => m.get(k),
        _ => None,
    })
}

/// First path holding a non-empty string or a number, as text.
pub(crate) fn first(n: &Node, paths: &[&str]) -> Option<String> {
    paths.iter().find_map(|p| match get(n, p) {
        Some(Node::Str(s)) if !s.is_empty() => Some(s.clone()),
        Some(Node::Num(t)) => Some(t.clone()),
        _ => None,
    })
}

fn millis(n: &Node) -> Option<i64> {
    let t = first(n, &["timestamp", "originalTimestamp", "sentAt"])?;
    if let Ok(v) = t.parse::<i64>() {
        return Some(if v > 100_000_000_000 { v } else { v * 1000 });
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(&t) {
        return Some(d.timestamp_millis());
    }
    NaiveDateTime::parse_from_str(&t, "%Y-%m-%d %H:%M:%S%.f")
        .ok()
        .map(|d| d.and_utc().timestamp_millis())
}

fn type_name(n: &Node) -> &'static str {
    match n {
        Node::Obj(_) => "object",
        Node::Arr(_) => "array",
        Node::Str(_) => "string",
        Node::Num(t) if t.contains(['.', 'e', 'E']) => "number",
        Node::Num(_) => "integer",
        Node::Bool => "boolean",
        Node::Null => "null",
    }
}

fn walk(n: &Node, prefix: &str, out: &mut BTreeSet<(String, &'static str)>) {
    let Node::Obj(m) = n else { return };
    for (k, v) in m {
        let path = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        out.insert((path.clone(), type_name(v)));
        match v {
            Node::Obj(_) => walk(v, &path, out),
            Node::Arr(items) => {
                for item in items.iter().filter(|i| matches!(i, Node::Obj(_))) {
                    walk(item, &format!("{path}[]"), out);
                }
            }
            _ => {}
        }
    }
}

/// Lines of a file, decompressed when its name ends in `.gz`.
pub(crate) fn read_text(path: &Path) -> String {
    let bytes = fs::read(path).expect("readable file");
    if path.extension().is_some_and(|e| e == "gz") {
        let mut text = String::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_string(&mut text)
            .expect("valid gzip");
        text
    } else {
        String::from_utf8(bytes).expect("UTF-8")
    }
}

fn sorted_dirs(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .collect();
    v.sort();
    v
}

fn seen<K: Ord>(map: &mut BTreeMap<K, Seen>, key: K, hour: &str) {
    map.entry(key)
        .or_insert_with(|| Seen {
            first: hour.into(),
            last: hour.into(),
        })
        .last = hour.into();
}

/// Re-counts one tenant folder.
pub(crate) fn recount(tenant_dir: &Path) -> TenantExpected {
    let mut out = TenantExpected::default();
    let mut sessions: BTreeMap<CountKey, BTreeSet<String>> = BTreeMap::new();
    let mut version_sessions: BTreeMap<(String, String, String, String), BTreeSet<String>> =
        BTreeMap::new();
    for day in sorted_dirs(tenant_dir) {
        for hour_dir in sorted_dirs(&day) {
            let dt = day
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_prefix("dt="))
                .expect("dt=");
            let hr = hour_dir
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_prefix("hr="))
                .expect("hr=");
            let hour = format!("{dt}T{hr}:00:00Z");
            let hour_ms = DateTime::parse_from_rfc3339(&hour)
                .expect("hour")
                .timestamp_millis();
            out.hours_with_data.insert(hour.clone());
            let mut stats = HourStats::default();
            for file in sorted_dirs(&hour_dir) {
                for line in read_text(&file).lines() {
                    if line.trim().is_empty() {
                        continue;
                    }
                    stats.lines += 1;
                    let root = match parse(line) {
                        Some(root @ Node::Obj(_)) => root,
                        _ => {
                            stats.rejected += 1;
                            continue;
                        }
                    };
                    let Some(event) = first(&root, &["event", "type"]) else {
                        stats.rejected += 1;
                        continue;
                    };
                    stats.events += 1;
                    match millis(&root) {
                        None => stats.untimed += 1,
                        Some(t) if t < hour_ms - 3_600_000 || t >= hour_ms + 7_200_000 => {
                            stats.skewed += 1
                        }
                        Some(_) => {}
                    }
                    let none = || "(none)".to_string();
                    let screen = [
                        "context.screen.name",
                        "properties.screen_name",
                        "name",
                        "context.page.path",
                    ];
                    let key = CountKey {
                        hour: hour.clone(),
                        application: first(&root, &["context.app.name"]).unwrap_or_else(none),
                        version: first(&root, &["context.app.version"]).unwrap_or_else(none),
                        platform: first(&root, &["context.os.name", "platform"])
                            .unwrap_or_else(none),
                        screen: first(&root, &screen).unwrap_or_else(none),
                        event: event.clone(),
                    };
                    let session = first(
                        &root,
                        &["context.sessionId", "properties.session_id", "session_id"],
                    );
                    let vkey = (
                        hour.clone(),
                        key.application.clone(),
                        key.version.clone(),
                        key.platform.clone(),
                    );
                    let vs = version_sessions.entry(vkey).or_default();
                    let s = sessions.entry(key.clone()).or_default();
                    if let Some(id) = session {
                        vs.insert(id.clone());
                        s.insert(id);
                    }
                    seen(
                        &mut out.applications,
                        (
                            key.application.clone(),
                            key.platform.clone(),
                            key.version.clone(),
                        ),
                        &hour,
                    );
                    seen(&mut out.screens, key.screen.clone(), &hour);
                    out.counts.entry(key).or_default().events += 1;
                    let e = out.events.entry(event).or_insert_with(|| EventExpected {
                        seen: Seen {
                            first: hour.clone(),
                            last: hour.clone(),
                        },
                        keys: BTreeMap::new(),
                    });
                    e.seen.last = hour.clone();
                    let mut keys = BTreeSet::new();
                    if let Some(props) = get(&root, "properties") {
                        walk(props, "", &mut keys);
                    }
                    for (path, ty) in keys {
                        let k = e.keys.entry(path).or_insert_with(|| KeyExpected {
                            types: BTreeMap::new(),
                            seen: Seen {
                                first: hour.clone(),
                                last: hour.clone(),
                            },
                        });
                        k.seen.last = hour.clone();
                        *k.types.entry(ty.to_string()).or_default() += 1;
                    }
                }
            }
            out.hours.insert(hour, stats);
        }
    }
    for (key, ids) in sessions {
        let v: &mut CountValue = out.counts.get_mut(&key).expect("counted");
        v.sessions = ids.len() as u64;
    }
    out.version_sessions = version_sessions
        .into_iter()
        .map(|(k, ids)| (k, ids.len() as u64))
        .collect();
    out
}
