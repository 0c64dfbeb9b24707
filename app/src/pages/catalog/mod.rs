//! The catalog pages of a tenant (DESIGN.md, "Web and API"): overview, applications, events and
//! an event, screens and a screen, the combination matrix; and the comparison across tenants.
//! Each reads a range of days (default: the 7 days up to the tenant's latest ingested hour).

pub mod applications;
pub mod compare;
pub mod event;
pub mod events;
pub mod incidents;
pub mod matrix;
pub mod overview;
pub mod rollouts;
pub mod screens;

use blueprint_types::catalog::DiscoveryItem;
use leptos::prelude::*;

use crate::components::time::Time;

/// Discoveries as list items: hour, kind, what; history (not pushed as news) marked.
#[component]
pub fn DiscoveryItems(items: Vec<DiscoveryItem>) -> impl IntoView {
    items
        .into_iter()
        .map(|d| {
            view! {
                <li>
                    <Time at=d.hour />" "
                    <span class="badge">{d.kind}</span>" "{d.label}
                    {(!d.news).then(|| view! { <span class="muted small">" (history)"</span> })}
                </li>
            }
        })
        .collect_view()
}
