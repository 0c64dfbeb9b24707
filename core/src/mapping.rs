//! Field mapping (DESIGN.md, "Field mapping"): per tenant, each dimension is an ordered list of JSON
//! paths, the first that holds a non-empty string or a number wins. Presets (`segment`, `snowplow`,
//! `amplitude`, `ga4`) and the `mapping.toml` file format live here; the line parser compiles a
//! mapping into a path trie (`ingest::line`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

mod limits;
pub use limits::{LimitError, Limits};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MappingError {
    #[error("`{path}` is not a JSON path: {reason}")]
    Path { path: String, reason: &'static str },
    #[error("unknown preset `{0}`: use {names}", names = preset_names())]
    UnknownPreset(String),
    #[error("mapping file: {0}")]
    File(String),
    #[error("mapping: `{0}` needs at least one path")]
    Empty(&'static str),
    #[error(transparent)]
    Limit(#[from] LimitError),
}

/// One step of a path: an object key, an array index (`[0]`), or — last, on a key/value pairs
/// root such as GA4's `event_params` — the value of the pair with this key (`[key=ga_session_id]`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Segment {
    Key(String),
    Index(usize),
    Pair(String),
}

/// A dotted JSON path such as `context.app.version` or `contexts_x[0].version`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct JsonPath {
    segments: Vec<Segment>,
    text: String,
}

impl JsonPath {
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Debug for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JsonPath({})", self.text)
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for JsonPath {
    type Err = MappingError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let err = |reason| MappingError::Path {
            path: text.to_owned(),
            reason,
        };
        let mut segments = Vec::new();
        for part in text.split('.') {
            let (key, mut rest) = match part.find('[') {
                Some(at) => (&part[..at], &part[at..]),
                None => (part, ""),
            };
            if key.is_empty() && (segments.is_empty() || rest.is_empty()) {
                return Err(err("empty key"));
            }
            if !key.is_empty() {
                segments.push(Segment::Key(key.to_owned()));
            }
            while !rest.is_empty() {
                let close = rest.find(']').ok_or_else(|| err("unclosed ["))?;
                let inside = &rest[1..close];
                if let Some(name) = inside.strip_prefix("key=") {
                    if name.is_empty() {
                        return Err(err("a [key=NAME] selector needs a name"));
                    }
                    segments.push(Segment::Pair(name.to_owned()));
                } else {
                    let index = inside
                        .parse::<usize>()
                        .map_err(|_| err("an index is a number, as in [0]"))?;
                    segments.push(Segment::Index(index));
                }
                rest = &rest[close + 1..];
                if !rest.is_empty() && !rest.starts_with('[') {
                    return Err(err("unexpected text after ]"));
                }
            }
        }
        if segments.is_empty() {
            return Err(err("empty path"));
        }
        let pairs = segments
            .iter()
            .filter(|s| matches!(s, Segment::Pair(_)))
            .count();
        if pairs > 1 || (pairs == 1 && !matches!(segments.last(), Some(Segment::Pair(_)))) {
            return Err(err("a [key=NAME] selector must end the path"));
        }
        Ok(Self {
            segments,
            text: text.to_owned(),
        })
    }
}

impl Serialize for JsonPath {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for JsonPath {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Where event keys are discovered: fixed root paths, every top-level field whose name starts with
/// one of the prefixes, and key/value pairs roots (arrays of `{"key": NAME, "value": {"string_value":
/// …, "int_value": …, "float_value": …, "double_value": …}}`, as GA4 exports `event_params`), whose
/// pairs are read as keys named NAME with the type of their non-null value.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeysRoots {
    #[serde(default)]
    pub paths: Vec<JsonPath>,
    #[serde(default)]
    pub prefixes: Vec<String>,
    #[serde(default)]
    pub pairs: Vec<JsonPath>,
}

impl KeysRoots {
    /// With exactly one root and no prefixes, key paths leave the root out.
    pub fn single_root(&self) -> bool {
        self.paths.len() + self.pairs.len() == 1 && self.prefixes.is_empty()
    }
}

/// A tenant's field mapping. `preset` records which preset it started from (for the UI).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    #[serde(default)]
    pub preset: Option<String>,
    pub event: Vec<JsonPath>,
    pub screen: Vec<JsonPath>,
    pub application: Vec<JsonPath>,
    pub version: Vec<JsonPath>,
    pub platform: Vec<JsonPath>,
    pub session: Vec<JsonPath>,
    pub timestamp: Vec<JsonPath>,
    pub keys: KeysRoots,
    /// Event names that count as screen loads (roll-out checks).
    #[serde(default)]
    pub screen_load_events: Vec<String>,
    /// Optional de-duplication path (e.g. Segment's `messageId`): repeated values within an hour
    /// are dropped and counted. Off by default.
    #[serde(default)]
    pub dedup: Option<JsonPath>,
    /// How long names and key paths may be, and how many key paths a line may bring.
    #[serde(default)]
    pub limits: Limits,
}

/// The dimensions every event is counted by, in ledger order.
pub const DIMENSIONS: [&str; 5] = ["application", "version", "platform", "screen", "event"];

/// The literal recorded for a dimension no path fills.
pub const NONE: &str = "(none)";

fn paths(list: &[&str]) -> Vec<JsonPath> {
    list.iter()
        .map(|p| p.parse().expect("preset paths are valid"))
        .collect()
}

/// The presets' names, as `a, b, c or d`.
fn preset_names() -> String {
    match Mapping::PRESETS.split_last() {
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

impl Mapping {
    /// Every preset [`Mapping::preset`] knows, by name (the CLI's `--preset` offers these).
    pub const PRESETS: &'static [&'static str] = &["segment", "snowplow", "amplitude", "ga4"];

    /// The mapping of a preset in [`Mapping::PRESETS`].
    pub fn preset(name: &str) -> Result<Self, MappingError> {
        let mapping = match name {
            "segment" => Self {
                preset: Some("segment".into()),
                event: paths(&["event", "type"]),
                screen: paths(&[
                    "context.screen.name",
                    "properties.screen_name",
                    "name",
                    "context.page.path",
                ]),
                application: paths(&["context.app.name"]),
                version: paths(&["context.app.version"]),
                platform: paths(&["context.os.name", "platform"]),
                session: paths(&["context.sessionId", "properties.session_id", "session_id"]),
                timestamp: paths(&["timestamp", "originalTimestamp", "sentAt"]),
                keys: KeysRoots {
                    paths: paths(&["properties"]),
                    prefixes: Vec::new(),
                    pairs: Vec::new(),
                },
                screen_load_events: vec!["screen".into()],
                dedup: None,
                limits: Limits::default(),
            },
            "snowplow" => Self {
                preset: Some("snowplow".into()),
                event: paths(&["event_name", "event"]),
                screen: paths(&[
                    "unstruct_event_com_snowplowanalytics_mobile_screen_view_1.name",
                    "contexts_com_snowplowanalytics_mobile_screen_1[0].name",
                    "page_urlpath",
                ]),
                application: paths(&["app_id"]),
                version: paths(&["contexts_com_snowplowanalytics_mobile_application_1[0].version"]),
                platform: paths(&["platform"]),
                session: paths(&[
                    "contexts_com_snowplowanalytics_snowplow_client_session_1[0].sessionId",
                    "contexts_com_snowplowanalytics_snowplow_client_session_1[0].session_id",
                    "domain_sessionid",
                ]),
                timestamp: paths(&["derived_tstamp", "collector_tstamp"]),
                keys: KeysRoots {
                    paths: Vec::new(),
                    prefixes: vec!["unstruct_event_".into(), "contexts_".into()],
                    pairs: Vec::new(),
                },
                screen_load_events: vec!["screen_view".into(), "page_view".into()],
                dedup: None,
                limits: Limits::default(),
            },
            "amplitude" => Self {
                preset: Some("amplitude".into()),
                event: paths(&["event_type"]),
                screen: paths(&["event_properties.screen_name", "event_properties.screen"]),
                application: paths(&["app"]),
                version: paths(&["version_name", "app_version"]),
                platform: paths(&["platform", "os_name"]),
                session: paths(&["session_id"]),
                timestamp: paths(&["event_time", "client_event_time", "server_upload_time"]),
                keys: KeysRoots {
                    paths: paths(&["event_properties"]),
                    prefixes: Vec::new(),
                    pairs: Vec::new(),
                },
                screen_load_events: vec!["screen_view".into(), "Viewed Screen".into()],
                dedup: None,
                limits: Limits::default(),
            },
            "ga4" => Self {
                preset: Some("ga4".into()),
                event: paths(&["event_name"]),
                screen: paths(&[
                    "event_params[key=firebase_screen]",
                    "event_params[key=firebase_screen_class]",
                    "event_params[key=page_title]",
                    "event_params[key=page_location]",
                ]),
                application: paths(&["app_info.id", "stream_id"]),
                version: paths(&["app_info.version"]),
                platform: paths(&["platform"]),
                session: paths(&["event_params[key=ga_session_id]"]),
                timestamp: paths(&["event_timestamp"]),
                keys: KeysRoots {
                    paths: Vec::new(),
                    prefixes: Vec::new(),
                    pairs: paths(&["event_params"]),
                },
                screen_load_events: vec!["screen_view".into(), "page_view".into()],
                dedup: None,
                limits: Limits::default(),
            },
            other => return Err(MappingError::UnknownPreset(other.to_owned())),
        };
        Ok(mapping)
    }

    /// Reads a `mapping.toml`: an optional `preset` to start from, then any list to override.
    pub fn from_toml(text: &str) -> Result<Self, MappingError> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct File {
            preset: Option<String>,
            event: Option<Vec<JsonPath>>,
            screen: Option<Vec<JsonPath>>,
            application: Option<Vec<JsonPath>>,
            version: Option<Vec<JsonPath>>,
            platform: Option<Vec<JsonPath>>,
            session: Option<Vec<JsonPath>>,
            timestamp: Option<Vec<JsonPath>>,
            keys_roots: Option<Vec<JsonPath>>,
            keys_root_prefixes: Option<Vec<String>>,
            keys_pairs_roots: Option<Vec<JsonPath>>,
            screen_load_events: Option<Vec<String>>,
            dedup: Option<JsonPath>,
            max_name_chars: Option<usize>,
            max_key_path_bytes: Option<usize>,
            max_keys_per_line: Option<usize>,
        }
        let file: File =
            toml::from_str(text).map_err(|err| MappingError::File(err.message().to_owned()))?;
        let mut mapping = Self::preset(file.preset.as_deref().unwrap_or("segment"))?;
        mapping.preset = file.preset.clone();
        let replace = |target: &mut Vec<JsonPath>, value: Option<Vec<JsonPath>>| {
            if let Some(value) = value {
                *target = value;
            }
        };
        replace(&mut mapping.event, file.event);
        replace(&mut mapping.screen, file.screen);
        replace(&mut mapping.application, file.application);
        replace(&mut mapping.version, file.version);
        replace(&mut mapping.platform, file.platform);
        replace(&mut mapping.session, file.session);
        replace(&mut mapping.timestamp, file.timestamp);
        if let Some(roots) = file.keys_roots {
            mapping.keys.paths = roots;
        }
        if let Some(prefixes) = file.keys_root_prefixes {
            mapping.keys.prefixes = prefixes;
        }
        if let Some(pairs) = file.keys_pairs_roots {
            mapping.keys.pairs = pairs;
        }
        if let Some(events) = file.screen_load_events {
            mapping.screen_load_events = events;
        }
        if file.dedup.is_some() {
            mapping.dedup = file.dedup;
        }
        let limits = &mut mapping.limits;
        limits.max_name_chars = file.max_name_chars.unwrap_or(limits.max_name_chars);
        limits.max_key_path_bytes = file.max_key_path_bytes.unwrap_or(limits.max_key_path_bytes);
        limits.max_keys_per_line = file.max_keys_per_line.unwrap_or(limits.max_keys_per_line);
        limits.check()?;
        if mapping.event.is_empty() {
            return Err(MappingError::Empty("event"));
        }
        Ok(mapping)
    }

    /// The paths of a dimension (in `DIMENSIONS` order, then session and timestamp).
    pub fn dimension_paths(&self) -> [&[JsonPath]; 7] {
        [
            &self.application,
            &self.version,
            &self.platform,
            &self.screen,
            &self.event,
            &self.session,
            &self.timestamp,
        ]
    }
}

impl Default for Mapping {
    fn default() -> Self {
        Self::preset("segment").expect("segment preset")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dotted_paths_with_indexes() {
        let path: JsonPath = "contexts_x[0].version".parse().unwrap();
        assert_eq!(
            path.segments(),
            [
                Segment::Key("contexts_x".into()),
                Segment::Index(0),
                Segment::Key("version".into())
            ]
        );
        let nested: JsonPath = "a[1][2].b".parse().unwrap();
        assert_eq!(nested.segments().len(), 4);
        let pair: JsonPath = "event_params[key=ga_session_id]".parse().unwrap();
        assert_eq!(pair.segments()[1], Segment::Pair("ga_session_id".into()));
        for bad in [
            "",
            "a..b",
            ".a",
            "a[x]",
            "a[0",
            "a[0]b",
            "a[key=]",
            "a[key=x].b",
        ] {
            assert!(bad.parse::<JsonPath>().is_err(), "{bad}");
        }
    }

    #[test]
    fn every_preset_loads() {
        for name in Mapping::PRESETS {
            let mapping = Mapping::preset(name).unwrap();
            assert!(!mapping.event.is_empty(), "{name}");
        }
        assert_eq!(
            Mapping::preset("mixpanel").unwrap_err().to_string(),
            "unknown preset `mixpanel`: use segment, snowplow, amplitude or ga4"
        );
    }

    #[test]
    fn a_mapping_file_overrides_a_preset() {
        let mapping = Mapping::from_toml(
            "preset = \"segment\"\nversion = [\"context.app.build\", \"app_version\"]\ndedup = \"messageId\"\n",
        )
        .unwrap();
        assert_eq!(mapping.version[0].as_str(), "context.app.build");
        assert_eq!(mapping.event, Mapping::default().event);
        assert_eq!(mapping.dedup.unwrap().as_str(), "messageId");
        let err = Mapping::from_toml("evnt = [\"x\"]")
            .unwrap_err()
            .to_string();
        assert!(err.contains("evnt"), "{err}");
        let err = Mapping::from_toml("event = [\"a..b\"]")
            .unwrap_err()
            .to_string();
        assert!(err.contains("a..b"), "{err}");
    }

    #[test]
    fn limits_have_defaults_and_hard_maxima() {
        let mapping = Mapping::from_toml("max_keys_per_line = 50\n").unwrap();
        assert_eq!(mapping.limits.max_keys_per_line, 50);
        assert_eq!(mapping.limits.max_name_chars, 200);
        let err = Mapping::from_toml("max_name_chars = 5000\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "mapping: `max_name_chars` must be between 1 and 300, not 5000"
        );
        assert!(Mapping::from_toml("max_keys_per_line = 0\n").is_err());
        let stored: Mapping = serde_json::from_str(
            &serde_json::to_string(&Mapping::default())
                .unwrap()
                .replace(",\"limits\":{\"max_name_chars\":200,\"max_key_path_bytes\":300,\"max_keys_per_line\":1000}", ""),
        )
        .unwrap();
        assert_eq!(
            stored.limits,
            Limits::default(),
            "mappings stored before limits"
        );
        let wild = Limits {
            max_name_chars: 1 << 30,
            max_key_path_bytes: 0,
            max_keys_per_line: 7,
        };
        assert_eq!(
            wild.clamped(),
            Limits {
                max_name_chars: 300,
                max_key_path_bytes: 1,
                max_keys_per_line: 7
            }
        );
    }

    #[test]
    fn round_trips_through_json_for_storage() {
        let mapping = Mapping::preset("snowplow").unwrap();
        let text = serde_json::to_string(&mapping).unwrap();
        let back: Mapping = serde_json::from_str(&text).unwrap();
        assert_eq!(back, mapping);
    }
}
