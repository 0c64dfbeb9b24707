//! The failing roll-outs pushed to the pages people open: the tenant's overview and the
//! application's card each show the roll-outs that fail, with their headline reason and a link to
//! the report. Nothing shows when none fails.

use blueprint_types::rollouts::{RolloutSummary, Verdict};
use leptos::prelude::*;

use super::list_rollouts;
use crate::components::urls::tenant_path;

/// The failing roll-outs of `tenant`; of one application × platform when `application` is given.
#[component]
pub fn FailingRollouts(
    tenant: String,
    #[prop(optional)] application: Option<(String, String)>,
) -> impl IntoView {
    let key = tenant.clone();
    let list = Resource::new(move || key.clone(), list_rollouts);
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let application = application.clone();
                Suspend::new(async move {
                    let failing: Vec<RolloutSummary> = list
                        .await
                        .unwrap_or_default()
                        .into_iter()
                        .filter(|r| r.verdict == Verdict::Fail)
                        .filter(|r| {
                            application
                                .as_ref()
                                .is_none_or(|(name, platform)| &r.application == name && &r.platform == platform)
                        })
                        .collect();
                    (!failing.is_empty()).then(|| view! { <FailingList failing /> })
                })
            }}
        </Suspense>
    }
}

#[component]
fn FailingList(failing: Vec<RolloutSummary>) -> impl IntoView {
    let title = if failing.len() == 1 {
        "A roll-out fails".to_owned()
    } else {
        format!("{} roll-outs fail", failing.len())
    };
    view! {
        <section class="card alert" data-testid="failing-rollouts">
            <h2>{title}</h2>
            <ul class="compact">
                {failing.into_iter().map(|r| {
                    let href = tenant_path(&r.tenant, &["rollouts", &r.id.to_string()]);
                    view! {
                        <li data-testid="failing-rollout">
                            <span class="badge bad">"fail"</span>" "
                            <a href=href>{format!("{} {} ({}) against {}", r.application, r.candidate, r.platform, r.baseline)}</a>
                            {r.reason.map(|reason| view! { <span class="reason">" — "{reason}</span> })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}
