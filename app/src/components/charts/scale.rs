//! Where a time chart's values land: its geometry, the count axis' whole-number ticks and the
//! [`Scale`] of one chart.

use blueprint_types::catalog::TimeSeries;

use super::ChartKind;
use super::numbers::compact;

/// A count axis: its top and whole-number ticks (steps of 1, 2 or 5 × 10ⁿ, about four of them).
pub fn count_ticks(max: f64) -> (f64, Vec<f64>) {
    let max = max.max(1.0);
    let raw = max / 4.0;
    let magnitude = 10f64.powf(raw.log10().floor()).max(1.0);
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|step| step * 4.0 >= max)
        .unwrap_or(10.0 * magnitude)
        .max(1.0);
    let top = (max / step).ceil() * step;
    let ticks = (0..=((top / step).round() as usize))
        .map(|i| i as f64 * step)
        .collect();
    (top, ticks)
}

pub(super) const W: f64 = 720.0;
pub(super) const H: f64 = 200.0;
pub(super) const LEFT: f64 = 48.0;
const BOTTOM: f64 = 22.0;
pub(super) const TOP: f64 = 8.0;

/// Where a chart's values land: the width of a bucket, the top of the scale, and how values read.
#[derive(Clone)]
pub(super) struct Scale {
    pub(super) step: f64,
    max: f64,
    percent: bool,
    pub(super) ticks: Vec<f64>,
}

impl Scale {
    pub(super) const PLOT_W: f64 = W - LEFT - 8.0;
    pub(super) const PLOT_H: f64 = H - TOP - BOTTOM;

    pub(super) fn new(data: &TimeSeries, kind: ChartKind, percent: bool) -> Self {
        let n = data.buckets.len().max(1);
        let max = match kind {
            ChartKind::Lines => data
                .series
                .iter()
                .flat_map(|s| s.values.iter().copied())
                .fold(0.0, f64::max),
            ChartKind::StackedBars => (0..n)
                .map(|i| {
                    data.series
                        .iter()
                        .map(|s| s.values.get(i).copied().unwrap_or(0.0))
                        .sum::<f64>()
                })
                .fold(0.0, f64::max),
        };
        // Shares are drawn on a fixed 0–100% scale; counts up to a whole-number tick.
        let (max, ticks) = if percent {
            (1.0, vec![0.0, 0.5, 1.0])
        } else {
            count_ticks(max)
        };
        Self {
            step: Self::PLOT_W / n as f64,
            max,
            percent,
            ticks,
        }
    }

    pub(super) fn y(&self, v: f64) -> f64 {
        TOP + Self::PLOT_H - (v / self.max) * Self::PLOT_H
    }

    pub(super) fn text(&self, v: f64) -> String {
        if self.percent {
            format!("{:.0}%", v * 100.0)
        } else {
            compact(v)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_axes_tick_at_whole_numbers() {
        assert_eq!(count_ticks(39.0), (40.0, vec![0.0, 10.0, 20.0, 30.0, 40.0]));
        assert_eq!(count_ticks(3.0), (3.0, vec![0.0, 1.0, 2.0, 3.0]));
        assert_eq!(count_ticks(0.0), (1.0, vec![0.0, 1.0]));
        for max in [1.0, 7.0, 19.5, 233.0, 9_999.0, 1_234_567.0] {
            let (top, ticks) = count_ticks(max);
            assert!(top >= max, "{max}");
            assert!(ticks.len() <= 6, "{max}: {ticks:?}");
            assert!(ticks.iter().all(|t| t.fract() == 0.0), "{max}: {ticks:?}");
        }
    }
}
