//! Evaluating a roll-out on the ledger as it stands: the candidate's share of sessions, the stage
//! it reaches, and every check of the plan over the hours in which both versions had sessions.
//! Everything comes from the hourly ledger: sessions and events per version and hour, counts per
//! combination (version × screen × event) and hour, and key statistics per version, event and hour.
//!
//! - `share`: the share, the stage, and the evaluations that stop before any check;
//! - `figures`: the two versions' figures from the ledger;
//! - `rates`, `coverage`, `keys`: the checks;
//! - `verdict`: the verdict and its reason.

mod coverage;
mod family;
mod figures;
mod keys;
mod rates;
#[cfg(test)]
mod replay;
mod share;
mod verdict;

use std::collections::BTreeSet;

use blueprint_types::rollouts::{Check, Evaluation, Plan};
use sea_orm::{ConnectionTrait, DbErr};

use self::figures::{Ledger, Versions};
pub use self::share::SHARE_HOURS;
use self::share::Share;
pub(crate) use self::share::stage_of;
use crate::entities::app_version;
use crate::time::hour_text;

/// What is evaluated.
#[derive(Clone, Debug)]
pub(crate) struct Subject {
    pub tenant_id: i64,
    pub candidate: app_version::Model,
    pub baseline: app_version::Model,
    pub plan: Plan,
    /// The tenant mapping's screen-load events.
    pub screen_loads: Vec<String>,
}

/// An evaluation, whether it could compare the versions at all (the baseline still had sessions
/// in the share window), and the events its failing checks are about (their owners are told).
#[derive(Clone, Debug)]
pub(crate) struct Outcome {
    pub evaluation: Evaluation,
    /// The tenant's latest ingested hour (epoch seconds).
    pub latest: Option<i64>,
    pub comparable: bool,
    pub implicated_events: BTreeSet<i64>,
}

impl Outcome {
    /// An evaluation that stopped before any check.
    fn unchecked(evaluation: Evaluation, latest: Option<i64>, comparable: bool) -> Outcome {
        Outcome {
            evaluation,
            latest,
            comparable,
            implicated_events: BTreeSet::new(),
        }
    }
}

/// A stage's checks, the events its failing checks are about, and its verdict.
struct Judged {
    pub checks: Vec<Check>,
    pub implicated: BTreeSet<i64>,
    pub decision: verdict::Decision,
}

/// Judges every check of a stage over `ledger` — the rates (together, as `family` says), the
/// coverage, and the key checks already made from the ledger's key counts (`keys`) — and
/// decides the stage's verdict. Pure, so the replay tests drive exactly this.
fn judge(ledger: &Ledger, plan: &Plan, keys: (Vec<Check>, BTreeSet<i64>)) -> Judged {
    let (mut checks, mut implicated) = rates::rate_checks(ledger, plan);
    let (coverage, about) = coverage::coverage_checks(ledger, plan);
    checks.extend(coverage);
    implicated.extend(about);
    checks.extend(keys.0);
    implicated.extend(keys.1);
    let decision = verdict::decide(&mut checks, &mut implicated, ledger, plan);
    Judged {
        checks,
        implicated,
        decision,
    }
}

pub(crate) async fn evaluate(
    conn: &impl ConnectionTrait,
    subject: &Subject,
) -> Result<Outcome, DbErr> {
    let Some(latest) = crate::ingestion::latest_hour(conn, subject.tenant_id).await? else {
        let evaluation = share::pending(0.0, None, "nothing has been ingested yet".into());
        return Ok(Outcome::unchecked(evaluation, None, false));
    };
    let versions = Versions {
        tenant: subject.tenant_id,
        candidate: subject.candidate.id,
        baseline: subject.baseline.id,
    };
    let window_start = share::window_start(latest);
    let from = subject
        .candidate
        .first_seen
        .unwrap_or(window_start)
        .min(window_start);
    let figures = figures::load_sessions(conn, &versions, from, latest).await?;
    let share = Share::of(&figures, &versions, window_start);
    if share.baseline == 0.0 {
        let reason = format!(
            "the baseline {} had no sessions in the last {SHARE_HOURS} ingested hours",
            subject.baseline.version
        );
        let evaluation = share::pending(share.share, Some(latest), reason);
        return Ok(Outcome::unchecked(evaluation, Some(latest), false));
    }
    let plan = &subject.plan;
    let Some(stage) = stage_of(plan, share.share) else {
        let evaluation = share.before_first_stage(plan, latest);
        return Ok(Outcome::unchecked(evaluation, Some(latest), true));
    };
    let window = (from, latest);
    let ledger = Ledger::load(conn, versions, figures, window, &subject.screen_loads).await?;
    let keys = keys::key_checks(conn, &ledger, plan).await?;
    let Judged {
        checks,
        implicated,
        decision,
    } = judge(&ledger, plan, keys);
    let (candidate_sessions, baseline_sessions) = verdict::sessions(&ledger);
    Ok(Outcome {
        evaluation: Evaluation {
            share: share.share,
            stage: Some(stage),
            verdict: decision.verdict,
            reason: decision.reason,
            latest_hour: Some(hour_text(latest)),
            hours_compared: ledger.hours.len(),
            candidate_sessions,
            baseline_sessions,
            checks,
        },
        latest: Some(latest),
        comparable: true,
        implicated_events: implicated,
    })
}
