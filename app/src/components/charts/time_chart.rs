//! The time chart: lines or stacked bars over buckets, with its bands, axes and legend.

use blueprint_types::catalog::TimeSeries;
use leptos::prelude::*;

use super::axes::draw_axes;
use super::bands::{draw_gaps, draw_not_ingested};
use super::bars::draw_bars;
use super::lines::draw_lines;
use super::numbers::short;
use super::palette::Palette;
use super::scale::{H, Scale, W};

/// How a time chart draws its series: as lines, or as bars stacked per bucket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChartKind {
    Lines,
    StackedBars,
}

/// The buckets from the first with a non-zero value on: the data and how many leading buckets
/// were cut.
fn fit_to_data(data: TimeSeries) -> (TimeSeries, usize) {
    let first = (0..data.buckets.len()).find(|i| {
        data.series
            .iter()
            .any(|s| s.values.get(*i).is_some_and(|v| *v != 0.0))
    });
    let Some(first) = first.filter(|f| *f > 0) else {
        return (data, 0);
    };
    let cut = |list: &[String]| -> Vec<String> {
        list.iter()
            .filter(|b| {
                data.buckets
                    .iter()
                    .position(|x| x == *b)
                    .is_some_and(|i| i >= first)
            })
            .cloned()
            .collect()
    };
    let fitted = TimeSeries {
        buckets: data.buckets[first..].to_vec(),
        series: data
            .series
            .iter()
            .map(|s| blueprint_types::catalog::Series {
                label: s.label.clone(),
                values: s.values.get(first..).unwrap_or_default().to_vec(),
            })
            .collect(),
        no_data: cut(&data.no_data),
        partial: cut(&data.partial),
        not_ingested: cut(&data.not_ingested),
    };
    (fitted, first)
}

/// A chart over time; `percent` draws values 0–1 as percentages; `palette` gives the page's
/// colours (by default the chart's own); `fit` starts the chart at the first bucket with data
/// and says so.
#[component]
pub fn TimeChart(
    data: TimeSeries,
    kind: ChartKind,
    #[prop(optional)] percent: bool,
    #[prop(into)] label: String,
    #[prop(optional)] palette: Option<Palette>,
    #[prop(optional)] fit: bool,
) -> impl IntoView {
    let (data, cut) = if fit { fit_to_data(data) } else { (data, 0) };
    let palette = palette.unwrap_or_else(|| Palette::of(&[&data]));
    let scale = Scale::new(&data, kind, percent);
    let known = data.no_data.len() + data.not_ingested.len() < data.buckets.len();
    let empty = known
        && data
            .series
            .iter()
            .all(|s| s.values.iter().all(|v| *v == 0.0));
    let marks = match kind {
        ChartKind::Lines => draw_lines(&data, &scale, &palette),
        ChartKind::StackedBars => draw_bars(&data, &scale, &palette),
    };
    let start = (cut > 0).then(|| {
        let first = data.buckets.first().map(|b| short(b)).unwrap_or_default();
        view! {
            <p class="muted small" data-testid="chart-start">
                {format!("From {first}, the first with events: the {cut} before it had none.")}
            </p>
        }
    });
    let partial = (!data.partial.is_empty()).then(|| {
        view! { <li><span class="swatch partial"></span>"so far (not over yet)"</li> }
    });
    view! {
        <figure class="chart">
            {start}
            <svg
                viewBox=format!("0 0 {W} {H}")
                role="img"
                aria-label=label.clone()
                data-testid="chart"
            >
                {draw_axes(&data.buckets, &scale)}
                {draw_gaps(&data, &scale)}
                {draw_not_ingested(&data, &scale)}
                {marks}
            </svg>
            {empty.then(|| view! { <p class="chart-empty muted">"No events in this range."</p> })}
            <figcaption>
                <span class="visually-hidden">{label}</span>
                <ul class="legend">{draw_legend(&data, &palette)}{partial}</ul>
            </figcaption>
        </figure>
    }
}

/// A swatch and a name per series.
fn draw_legend(data: &TimeSeries, palette: &Palette) -> Vec<impl IntoView + use<>> {
    data.series
        .iter()
        .map(|s| {
            let colour = palette.colour(&s.label);
            view! {
                <li data-series=s.label.clone() data-colour=colour>
                    <span class="swatch" style=format!("background:{colour}")></span>
                    {s.label.clone()}
                </li>
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_fitted_to_its_data_starts_at_its_first_bucket_with_data() {
        let data = TimeSeries {
            buckets: ["a", "b", "c", "d"].map(String::from).to_vec(),
            series: vec![blueprint_types::catalog::Series {
                label: "x".into(),
                values: vec![0.0, 0.0, 4.0, 2.0],
            }],
            partial: vec!["d".into()],
            ..TimeSeries::default()
        };
        let (fitted, cut) = fit_to_data(data);
        assert_eq!(cut, 2);
        assert_eq!(fitted.buckets, ["c", "d"]);
        assert_eq!(fitted.series[0].values, [4.0, 2.0]);
        assert_eq!(fitted.partial, ["d"]);
    }
}
