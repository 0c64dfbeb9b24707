//! How a roll-out's figures read on its pages: a plan in a sentence, its stages and tolerance as
//! a person types them, and a share of sessions.

use blueprint_types::rollouts::Plan;

/// A plan in a sentence: `stages 1, 5, 20, 50, 100 % of sessions · tolerance ±10 % · …`.
pub fn plan_summary(plan: &Plan) -> String {
    format!(
        "stages {} % of sessions · tolerance ±{} % · at least {} sessions per version · coverage from {} sightings · top {} events and screens",
        stages_text(plan),
        tolerance_text(plan),
        plan.min_sessions,
        plan.min_count,
        plan.top
    )
}

pub fn stages_text(plan: &Plan) -> String {
    plan.stages
        .iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The tolerance in percent as a person types it: `10`, `12.5`.
pub fn tolerance_text(plan: &Plan) -> String {
    let text = format!("{:.2}", plan.tolerance * 100.0);
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// A share of sessions, `5.0 %`, or `–` when there is none yet.
pub fn share(x: Option<f64>) -> String {
    x.map_or_else(|| "–".into(), |s| format!("{:.1} %", s * 100.0))
}
