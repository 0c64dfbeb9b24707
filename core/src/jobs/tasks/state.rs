//! The closed sets of an hour task: the state it is in (`hour_tasks.state`) and why it was
//! queued (`hour_tasks.origin`), each stored as the strings written since the first release.

use std::fmt;
use std::str::FromStr;

use blueprint_types::jobs::UnknownState;
use serde::{Deserialize, Serialize};

use crate::ingestion::Trigger;

/// Where an hour task is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    Queued,
    Running,
    /// Ingested by this task's run.
    Done,
    /// A run that started after it was queued had already done its work.
    Skipped,
    /// Failed for good (no attempt left, or a failure no attempt can mend).
    Failed,
    /// Its backfill was cancelled before the hour started.
    Cancelled,
}

impl TaskState {
    pub const ALL: [TaskState; 6] = [
        TaskState::Queued,
        TaskState::Running,
        TaskState::Done,
        TaskState::Skipped,
        TaskState::Failed,
        TaskState::Cancelled,
    ];
    /// The states a task may still leave.
    pub const OPEN: [TaskState; 2] = [TaskState::Queued, TaskState::Running];
    /// The states it ends in.
    pub const FINISHED: [TaskState; 4] = [
        TaskState::Done,
        TaskState::Skipped,
        TaskState::Failed,
        TaskState::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::Queued => "queued",
            TaskState::Running => "running",
            TaskState::Done => "done",
            TaskState::Skipped => "skipped",
            TaskState::Failed => "failed",
            TaskState::Cancelled => "cancelled",
        }
    }

    /// Whether a stored state is this one.
    pub fn is(self, stored: &str) -> bool {
        stored == self.as_str()
    }
}

impl fmt::Display for TaskState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TaskState {
    type Err = UnknownState;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|state| state.is(text))
            .ok_or_else(|| UnknownState {
                kind: "task state",
                value: text.to_owned(),
            })
    }
}

/// Why an hour was queued.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// The hour just ended (the hourly schedule).
    Schedule,
    /// An earlier hour of the look-back window that is missing from the ledger.
    CatchUp,
    /// An ingested hour whose file listing changed since.
    LateFiles,
    /// Part of a backfill.
    Backfill,
    /// An admin asked for this hour again.
    Retry,
}

impl Origin {
    pub const ALL: [Origin; 5] = [
        Origin::Schedule,
        Origin::CatchUp,
        Origin::LateFiles,
        Origin::Backfill,
        Origin::Retry,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Schedule => "schedule",
            Origin::CatchUp => "catch-up",
            Origin::LateFiles => "late-files",
            Origin::Backfill => "backfill",
            Origin::Retry => "retry",
        }
    }

    /// What the ingestion run of a task queued for a stored origin records as its trigger.
    pub(crate) fn trigger(origin: &str) -> Trigger {
        match origin.parse() {
            Ok(Origin::Backfill) => Trigger::Backfill,
            Ok(Origin::Retry) => Trigger::Retry,
            _ => Trigger::Schedule,
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Origin {
    type Err = UnknownState;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|origin| origin.as_str() == text)
            .ok_or_else(|| UnknownState {
                kind: "task origin",
                value: text.to_owned(),
            })
    }
}

#[cfg(test)]
mod tests {
    use blueprint_types::jobs::{BackfillStatus, HourState};

    use super::*;

    fn json<T: Serialize>(value: T) -> String {
        serde_json::to_string(&value).unwrap()
    }

    #[test]
    fn states_serialise_as_the_stored_strings() {
        for state in TaskState::ALL {
            assert_eq!(json(state), format!("\"{state}\""));
            assert_eq!(state.as_str().parse::<TaskState>(), Ok(state));
        }
        for origin in Origin::ALL {
            assert_eq!(json(origin), format!("\"{origin}\""));
            assert_eq!(origin.as_str().parse::<Origin>(), Ok(origin));
        }
        for status in BackfillStatus::ALL {
            assert_eq!(json(status), format!("\"{status}\""));
        }
        for state in HourState::ALL {
            assert_eq!(json(state), format!("\"{state}\""));
        }
        assert!("paused".parse::<TaskState>().is_err());
    }

    #[test]
    fn a_task_runs_with_the_trigger_of_its_origin() {
        assert_eq!(Origin::trigger("backfill"), Trigger::Backfill);
        assert_eq!(Origin::trigger("retry"), Trigger::Retry);
        assert_eq!(Origin::trigger("late-files"), Trigger::Schedule);
        assert_eq!(Origin::trigger("catch-up"), Trigger::Schedule);
    }
}
