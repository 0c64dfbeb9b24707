//! The interval chart: each check's estimated change and its interval (at the level the check is
//! judged at) against the tolerance band, drawn as SVG on one axis.

use blueprint_types::rollouts::{Check, level_percent, signed_percent};
use leptos::prelude::*;

/// Each check's estimate and interval against the tolerance band, on one axis (±50 %); an
/// interval reaching beyond it (−100 % for a rate that fell to nothing) ends at the edge in an
/// arrow labelled with its value.
#[component]
pub fn IntervalChart(checks: Vec<Check>, tolerance: f64) -> impl IntoView {
    let (w, label_w, row) = (720.0, 250.0, 22.0);
    // Room for an arrow beyond each edge of the axis.
    let label_w = label_w + 8.0;
    let h = row * checks.len() as f64 + 28.0;
    let span = 0.5;
    let x =
        move |v: f64| label_w + (v.clamp(-span, span) + span) / (2.0 * span) * (w - label_w - 20.0);
    let band = (x(-tolerance), x(tolerance));
    view! {
        <svg class="interval-chart" data-testid="interval-chart" viewBox=format!("0 0 {w} {h}") role="img"
             aria-label="Each check's change with its interval against the tolerance">
            <rect x=band.0 y="0" width=band.1 - band.0 height=h - 20.0 class="tolerance" />
            <line x1=x(0.0) x2=x(0.0) y1="0" y2=h - 20.0 class="zero" />
            {[-0.5, -0.25, 0.0, 0.25, 0.5].map(|t| view! {
                <text x=x(t) y=h - 6.0 text-anchor="middle" class="axis">{format!("{:+.0}%", t * 100.0)}</text>
            })}
            {checks.into_iter().enumerate().map(|(i, c)| {
                let y = row * i as f64 + row / 2.0 + 2.0;
                let (low, high, mid) = (c.low.unwrap_or(0.0), c.high.unwrap_or(0.0), c.change.unwrap_or(0.0));
                let class = format!("interval {}", c.verdict);
                // An end beyond the axis is drawn at its edge with an arrow and its value.
                let clamped = |v: f64, side: f64| {
                    let edge = x(side * span);
                    let tip = edge + side * 6.0;
                    let anchor = if side < 0.0 { "start" } else { "end" };
                    view! {
                        <g class="clamped" data-clamped=if side < 0.0 { "low" } else { "high" }>
                            <path d=format!("M{tip:.1},{y:.1} L{:.1},{:.1} L{:.1},{:.1} Z", edge, y - 5.0, edge, y + 5.0) class="arrow" />
                            <text x=edge - side * 4.0 y=y - 6.0 text-anchor=anchor class="axis">{signed_percent(v)}</text>
                        </g>
                    }
                };
                let marks = (
                    (low < -span).then(|| clamped(low, -1.0)),
                    (high > span).then(|| clamped(high, 1.0)),
                );
                view! {
                    <g class=class>
                        <text x=label_w - 8.0 y=y + 4.0 text-anchor="end" class="label">{c.name.clone()}</text>
                        <line x1=x(low) x2=x(high) y1=y y2=y class="ci" />
                        {marks}
                        <circle cx=x(mid) cy=y r="4" class="point" />
                        <title>{format!("{}: {} ({} to {}, {} interval)", c.name, signed_percent(mid), signed_percent(low), signed_percent(high), level_percent(c.level))}</title>
                    </g>
                }
            }).collect_view()}
        </svg>
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use blueprint_types::rollouts::{CheckKind, CheckVerdict};

    use super::*;

    fn check(low: f64, high: f64) -> Check {
        Check {
            kind: CheckKind::Rate,
            name: "screen loads per session".into(),
            headline: true,
            verdict: CheckVerdict::Fail,
            candidate: None,
            baseline: None,
            change: Some((low + high) / 2.0),
            low: Some(low),
            high: Some(high),
            level: Some(0.95),
            hours: Vec::new(),
            missing: Vec::new(),
            detail: String::new(),
        }
    }

    #[test]
    fn an_interval_beyond_the_axis_ends_in_an_arrow_with_its_value() {
        let html = Owner::new().with(|| {
            view! { <IntervalChart checks=vec![check(-1.0, -0.6), check(-0.1, 0.8), check(-0.1, 0.1)] tolerance=0.1 /> }
                .to_html()
        });
        assert_eq!(html.matches(r#"data-clamped="low""#).count(), 1, "{html}");
        assert_eq!(html.matches(r#"data-clamped="high""#).count(), 1, "{html}");
        assert!(html.contains("−100.0 %"), "{html}");
        assert!(html.contains("+80.0 %"), "{html}");
    }
}
