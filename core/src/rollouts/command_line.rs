//! The command line's roll-outs (`blueprint rollout status`, the demo's list): any tenant by its
//! name, and the verdict a release pipeline exits with.

use blueprint_types::rollouts::{
    OpenRollout, RolloutReport, RolloutState, RolloutSummary, Verdict,
};

use super::lookup::{invalid, reload, resolve, rollout_of, tenant_named};
use super::record::evaluate_and_record;
use super::report::{list, report_of};
use super::row::state_of;
use crate::Services;
use crate::accounts::ServiceError;

/// The verdict a command line exits with: 0 pass, 1 fail, 2 inconclusive or not yet.
pub fn exit_code(verdict: Verdict) -> i32 {
    match verdict {
        Verdict::Pass => 0,
        Verdict::Fail => 1,
        Verdict::Pending | Verdict::Inconclusive => 2,
    }
}

/// `blueprint rollout status`: evaluates the candidate's roll-out on the ledger as it stands
/// (recording it when it is open) and returns the report and the verdict to exit with; with
/// `stage`, a stage the roll-out has not reached yet is `pending`.
pub async fn status(
    services: &Services,
    slug: &str,
    request: &OpenRollout,
    stage: Option<i32>,
) -> Result<(RolloutReport, Verdict), ServiceError> {
    let conn = services.db.conn();
    let tenant = tenant_named(conn, slug).await?;
    let target = resolve(services, &tenant, request).await?;
    let (app, candidate) = (&target.app, &target.candidate);
    let row = rollout_of(conn, app.id, candidate.id)
        .await?
        .ok_or_else(|| {
            invalid(format!(
                "{} {} ({}) has no roll-out; open one with `blueprint rollout open`",
                app.name, candidate.version, app.platform
            ))
        })?;
    let open = state_of(&row)? == RolloutState::Open;
    let (evaluation, _) = evaluate_and_record(services, &row, open).await?;
    let row = reload(conn, row.id).await?;
    let mut report = report_of(services, &row, true).await?;
    let reached = row.stage.max(evaluation.stage);
    let verdict = match stage {
        Some(wanted) if reached.is_none_or(|s| s < wanted) => Verdict::Pending,
        _ => evaluation.verdict,
    };
    report.evaluation = Some(evaluation);
    Ok((report, verdict))
}

/// Lists a tenant's roll-outs for the command line.
pub async fn list_for(
    services: &Services,
    slug: &str,
) -> Result<Vec<RolloutSummary>, ServiceError> {
    let tenant = tenant_named(services.db.conn(), slug).await?;
    list(services, &tenant).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_exit_as_pipelines_expect() {
        assert_eq!(exit_code(Verdict::Pass), 0);
        assert_eq!(exit_code(Verdict::Fail), 1);
        assert_eq!(exit_code(Verdict::Inconclusive), 2);
        assert_eq!(exit_code(Verdict::Pending), 2);
    }
}
