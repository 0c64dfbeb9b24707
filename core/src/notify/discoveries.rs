//! What the discoveries of an ingestion run are about: the event, screen and application each one
//! leads to through the catalog row it names (a version's application, a combination's event,
//! screen and version, a key type's key and its event).

use std::collections::HashMap;

use blueprint_types::notify::NewsKind;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait};

use super::recipients::Subject;
use crate::entities::{
    app_version, application, combination, discovery, event, event_key, key_type, screen,
};
use crate::sql::find_in;

/// A discovery with its kind of news.
pub(super) struct Found {
    pub row: discovery::Model,
    pub kind: NewsKind,
}

impl Found {
    /// The discoveries whose kind is a kind of news; another (none is written) is left out.
    pub(super) fn of(rows: Vec<discovery::Model>) -> Vec<Found> {
        rows.into_iter()
            .filter_map(|row| match row.kind.parse() {
                Ok(kind) => Some(Found { row, kind }),
                Err(err) => {
                    tracing::warn!(discovery = row.id, "{err}; no news of it");
                    None
                }
            })
            .collect()
    }
}

/// What a discovery is about, by id: its event, screen and application where it has them.
#[derive(Clone, Copy, Debug, Default)]
struct About {
    event: Option<i64>,
    screen: Option<i64>,
    application: Option<i64>,
}

/// The catalog rows a set of discoveries is about.
pub(super) struct Subjects {
    about: HashMap<i64, About>,
    events: HashMap<i64, event::Model>,
    screens: HashMap<i64, screen::Model>,
    applications: HashMap<i64, application::Model>,
}

/// The rows one discovery is about.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Rows<'a> {
    pub event: Option<&'a event::Model>,
    pub screen: Option<&'a screen::Model>,
    pub application: Option<&'a application::Model>,
}

impl<'a> Rows<'a> {
    /// Their names and owners, for finding who hears the news.
    pub(super) fn subject(&self) -> Subject<'a> {
        Subject {
            event: self.event.map(|e| e.name.as_str()),
            screen: self.screen.map(|s| s.name.as_str()),
            application: self.application.map(|a| a.name.as_str()),
            owners: [
                self.event.and_then(|e| e.owner.clone()),
                self.screen.and_then(|s| s.owner.clone()),
                self.application.and_then(|a| a.owner.clone()),
            ]
            .into_iter()
            .flatten()
            .collect(),
        }
    }
}

impl Subjects {
    pub(super) async fn load(conn: &impl ConnectionTrait, found: &[Found]) -> Result<Self, DbErr> {
        let parents = Parents::load(conn, found).await?;
        let about: HashMap<i64, About> = found
            .iter()
            .map(|d| (d.row.id, parents.about(d.kind, d.row.subject_id)))
            .collect();
        let events = find_in(
            conn,
            event::Entity::find(),
            event::Column::Id,
            about.values().filter_map(|a| a.event),
        )
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
        let screens = find_in(
            conn,
            screen::Entity::find(),
            screen::Column::Id,
            about.values().filter_map(|a| a.screen),
        )
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
        let applications = find_in(
            conn,
            application::Entity::find(),
            application::Column::Id,
            about.values().filter_map(|a| a.application),
        )
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
        Ok(Subjects {
            about,
            events,
            screens,
            applications,
        })
    }

    /// The rows a discovery is about.
    pub(super) fn of(&self, found: &Found) -> Rows<'_> {
        let on = self.about.get(&found.row.id).copied().unwrap_or_default();
        Rows {
            event: on.event.and_then(|id| self.events.get(&id)),
            screen: on.screen.and_then(|id| self.screens.get(&id)),
            application: on.application.and_then(|id| self.applications.get(&id)),
        }
    }
}

/// The rows between a discovery's subject and its event, screen and application, by id.
struct Parents {
    /// A version's application.
    versions: HashMap<i64, i64>,
    combos: HashMap<i64, combination::Model>,
    /// The application of a combination's version.
    combo_versions: HashMap<i64, i64>,
    /// A key type's key.
    key_types: HashMap<i64, i64>,
    /// A key's event.
    keys: HashMap<i64, i64>,
}

impl Parents {
    async fn load(conn: &impl ConnectionTrait, found: &[Found]) -> Result<Self, DbErr> {
        let ids = |kind: NewsKind| -> Vec<i64> {
            found
                .iter()
                .filter(|d| d.kind == kind)
                .map(|d| d.row.subject_id)
                .collect()
        };
        let versions = find_in(
            conn,
            app_version::Entity::find(),
            app_version::Column::Id,
            ids(NewsKind::Version),
        )
        .await?
        .into_iter()
        .map(|v| (v.id, v.application_id))
        .collect();
        let combos: HashMap<i64, combination::Model> = find_in(
            conn,
            combination::Entity::find(),
            combination::Column::Id,
            ids(NewsKind::Combination),
        )
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
        let combo_versions = find_in(
            conn,
            app_version::Entity::find(),
            app_version::Column::Id,
            combos.values().map(|c| c.version_id),
        )
        .await?
        .into_iter()
        .map(|v| (v.id, v.application_id))
        .collect();
        let key_types: HashMap<i64, i64> = find_in(
            conn,
            key_type::Entity::find(),
            key_type::Column::Id,
            ids(NewsKind::KeyType),
        )
        .await?
        .into_iter()
        .map(|t| (t.id, t.key_id))
        .collect();
        let key_ids: Vec<i64> = ids(NewsKind::Key)
            .into_iter()
            .chain(key_types.values().copied())
            .collect();
        let keys = find_in(
            conn,
            event_key::Entity::find(),
            event_key::Column::Id,
            key_ids,
        )
        .await?
        .into_iter()
        .map(|k| (k.id, k.event_id))
        .collect();
        Ok(Parents {
            versions,
            combos,
            combo_versions,
            key_types,
            keys,
        })
    }

    /// What the subject `s` of a discovery of `kind` is about.
    fn about(&self, kind: NewsKind, s: i64) -> About {
        match kind {
            NewsKind::Application => About {
                application: Some(s),
                ..About::default()
            },
            NewsKind::Version => About {
                application: self.versions.get(&s).copied(),
                ..About::default()
            },
            NewsKind::Screen => About {
                screen: Some(s),
                ..About::default()
            },
            NewsKind::Event => About {
                event: Some(s),
                ..About::default()
            },
            NewsKind::Combination => self.combos.get(&s).map_or_else(About::default, |c| About {
                event: Some(c.event_id),
                screen: Some(c.screen_id),
                application: self.combo_versions.get(&c.version_id).copied(),
            }),
            NewsKind::Key => About {
                event: self.keys.get(&s).copied(),
                ..About::default()
            },
            NewsKind::KeyType => About {
                event: self
                    .key_types
                    .get(&s)
                    .and_then(|k| self.keys.get(k))
                    .copied(),
                ..About::default()
            },
            NewsKind::Obsolete
            | NewsKind::Returned
            | NewsKind::Rollout
            | NewsKind::Anomaly
            | NewsKind::Summary => About::default(),
        }
    }
}
