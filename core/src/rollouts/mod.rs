//! Roll-out verification: a new version of an application (× platform) checked against the
//! version it replaces, stage by stage, with a verdict a release pipeline can gate on.
//!
//! - A roll-out opens by itself when a new version is *news* (never for history), against the
//!   version with the most sessions in the 24 hours before; owners and admins open one by hand,
//!   pause, resume or close it, and change its plan.
//! - After every ingested hour each open roll-out of the tenant is evaluated ([`evaluate`], with
//!   the statistics in [`stats`]); each change of a stage's verdict is recorded and told to the
//!   application's watchers and owner and the owners of the events involved, so no verdict flips
//!   silently. Once the baseline has no sessions left, the last verdict that compared both stands.
//!
//! The files: `plan` (checking plans, the tenant's default), `open` (by itself and by hand),
//! `edit` (pause, resume, close, a new plan), `schedule` (after each ingested hour), `record`
//! (storing evaluations and verdict changes) and `notice` (telling them), `report` (reading
//! roll-outs), `command_line` (`blueprint rollout status`), `lookup` and `row` (finding what a
//! request names, reading a stored row).

pub mod evaluate;
pub mod stats;
pub mod student;

mod command_line;
mod edit;
mod lookup;
mod notice;
mod open;
mod plan;
mod record;
mod report;
mod row;
mod schedule;

pub use self::command_line::{exit_code, list_for, status};
pub use self::edit::edit_as;
pub use self::open::open;
pub use self::plan::{default_plan_as, set_default_plan_as, tenant_plan_as, validate_plan};
pub use self::report::{list_as, report_as};
pub use self::schedule::after_hour;

#[cfg(test)]
mod tests {
    use blueprint_types::rollouts::{
        Check, CheckKind, CheckVerdict, Evaluation, RolloutState, Verdict,
    };

    #[test]
    fn names_are_stored_and_sent_as_before() {
        let evaluation = Evaluation {
            share: 0.5,
            stage: Some(50),
            verdict: Verdict::Inconclusive,
            reason: String::new(),
            latest_hour: None,
            hours_compared: 0,
            candidate_sessions: 0,
            baseline_sessions: 0,
            checks: vec![Check {
                kind: CheckKind::Mix,
                name: "open share of events".into(),
                headline: false,
                verdict: CheckVerdict::Fail,
                candidate: None,
                baseline: None,
                change: None,
                low: None,
                high: None,
                level: None,
                hours: Vec::new(),
                missing: Vec::new(),
                detail: String::new(),
            }],
        };
        let json = serde_json::to_value(&evaluation).unwrap();
        assert_eq!(json["verdict"], "inconclusive");
        assert_eq!(json["checks"][0]["kind"], "mix");
        assert_eq!(json["checks"][0]["verdict"], "fail");
        let back: Evaluation = serde_json::from_value(json).unwrap();
        assert_eq!(back, evaluation);
        let states = serde_json::to_string(&[
            RolloutState::Open,
            RolloutState::Paused,
            RolloutState::Closed,
        ])
        .unwrap();
        assert_eq!(states, r#"["open","paused","closed"]"#);
        let verdicts = serde_json::to_string(&[Verdict::Pending, Verdict::Pass]).unwrap();
        assert_eq!(verdicts, r#"["pending","pass"]"#);
        assert!(serde_json::from_str::<Verdict>(r#""passed""#).is_err());
    }
}
