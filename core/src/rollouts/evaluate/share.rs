//! The candidate's share of the two versions' sessions over the latest ingested hours, the stage
//! that share reaches, and the evaluations that stop there (`pending`).

use blueprint_types::rollouts::{Evaluation, Plan, Verdict, signed_percent};

use super::figures::{ByHour, Versions};
use crate::time::hour_text;

pub(super) const HOUR: i64 = 3_600;
/// The share and the stage are measured over this many latest ingested hours.
pub const SHARE_HOURS: i64 = 24;

/// The first hour of the share window that ends with `latest`.
pub(super) fn window_start(latest: i64) -> i64 {
    latest - (SHARE_HOURS - 1) * HOUR
}

/// The highest stage `share` reaches. 100 % is reached from 99 %: at a full 100 the baseline has
/// no sessions left to compare with.
pub(crate) fn stage_of(plan: &Plan, share: f64) -> Option<i32> {
    plan.stages
        .iter()
        .copied()
        .filter(|s| share * 100.0 + 1e-9 >= f64::from(*s).min(99.0))
        .max()
}

/// An evaluation that decides nothing yet.
pub(super) fn pending(share: f64, latest: Option<i64>, reason: String) -> Evaluation {
    Evaluation {
        share,
        stage: None,
        verdict: Verdict::Pending,
        reason,
        latest_hour: latest.map(hour_text),
        hours_compared: 0,
        candidate_sessions: 0,
        baseline_sessions: 0,
        checks: Vec::new(),
    }
}

/// Each version's sessions in the share window, and the candidate's share of them.
pub(super) struct Share {
    pub share: f64,
    pub candidate: f64,
    pub baseline: f64,
}

impl Share {
    /// The share over the hours of `figures` from `window_start` on.
    pub(super) fn of(figures: &ByHour, versions: &Versions, window_start: i64) -> Share {
        let in_window = |version: i64| -> f64 {
            figures
                .iter()
                .filter(|((h, v), _)| *v == version && *h >= window_start)
                .map(|(_, f)| f.sessions)
                .sum()
        };
        let (candidate, baseline) = (in_window(versions.candidate), in_window(versions.baseline));
        let share = if candidate + baseline > 0.0 {
            candidate / (candidate + baseline)
        } else {
            0.0
        };
        Share {
            share,
            candidate,
            baseline,
        }
    }

    /// The evaluation of a candidate whose share reaches no stage of `plan` yet.
    pub(super) fn before_first_stage(&self, plan: &Plan, latest: i64) -> Evaluation {
        let first = plan.stages.first().copied().unwrap_or(1);
        let mut evaluation = pending(
            self.share,
            Some(latest),
            format!(
                "the candidate has {} of the sessions; the first stage is {first} %",
                signed_percent(self.share).trim_start_matches('+')
            ),
        );
        evaluation.candidate_sessions = self.candidate as i64;
        evaluation.baseline_sessions = self.baseline as i64;
        evaluation
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_follow_the_share() {
        let plan = Plan::default();
        assert_eq!(stage_of(&plan, 0.005), None);
        assert_eq!(stage_of(&plan, 0.01), Some(1));
        assert_eq!(stage_of(&plan, 0.19), Some(5));
        assert_eq!(stage_of(&plan, 1.0), Some(100));
        assert_eq!(stage_of(&plan, 0.995), Some(100));
        assert_eq!(stage_of(&plan, 0.98), Some(50));
    }
}
