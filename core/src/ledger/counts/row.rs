//! One row of the counts: an hour of one event on one screen of one application version.

use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CountRow {
    pub hour: String,
    pub application: String,
    pub version: String,
    pub platform: String,
    pub screen: String,
    pub event: String,
    pub events: i64,
    pub sessions: i64,
}
