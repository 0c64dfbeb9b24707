//! A roll-out's stored row read back: its plan, and its state and verdict as the names they were
//! written from.

use std::str::FromStr;

use blueprint_types::rollouts::{Plan, RolloutState, UnknownName, Verdict};
use sea_orm::DbErr;

use crate::entities::rollout;

/// The roll-out's own plan (the default one if it cannot be read).
pub(super) fn plan_of(row: &rollout::Model) -> Plan {
    serde_json::from_str(&row.plan).unwrap_or_default()
}

/// A name stored in the `column` of roll-out `rollout`'s rows, read back as what it was written
/// from.
pub(super) fn stored<T: FromStr<Err = UnknownName>>(
    rollout: i64,
    column: &str,
    text: &str,
) -> Result<T, DbErr> {
    text.parse()
        .map_err(|err| DbErr::Type(format!("roll-out {rollout}: {column} {err}")))
}

pub(super) fn state_of(row: &rollout::Model) -> Result<RolloutState, DbErr> {
    stored(row.id, "state", &row.state)
}

pub(super) fn verdict_of(row: &rollout::Model) -> Result<Verdict, DbErr> {
    stored(row.id, "verdict", &row.verdict)
}
