//! Figures the pages draw from rows already read: time series (the biggest labels kept, the rest
//! summed as "other", the buckets marked by what the ledger knows of them) and where-seen rows
//! widened sighting by sighting.

use std::collections::{BTreeMap, HashMap};

use blueprint_types::catalog::{Coverage, SeenRow, Series, TimeSeries};

use super::{TenantRef, hour_text};
use crate::ledger::rollup::DAY;

/// Builds a time series from `(label, bucket, value)` points: the `keep` biggest labels by
/// total, the rest summed as "other".
pub(crate) fn series(
    buckets: &[i64],
    bucket_text: impl Fn(i64) -> String,
    points: impl IntoIterator<Item = (String, i64, f64)>,
    keep: usize,
) -> TimeSeries {
    let index: HashMap<i64, usize> = buckets.iter().enumerate().map(|(i, b)| (*b, i)).collect();
    let mut by_label: HashMap<String, Vec<f64>> = HashMap::new();
    for (label, bucket, value) in points {
        if let Some(i) = index.get(&bucket) {
            by_label
                .entry(label)
                .or_insert_with(|| vec![0.0; buckets.len()])[*i] += value;
        }
    }
    let mut labelled: Vec<(String, Vec<f64>)> = by_label.into_iter().collect();
    labelled.sort_by(|a, b| {
        let (ta, tb) = (a.1.iter().sum::<f64>(), b.1.iter().sum::<f64>());
        tb.total_cmp(&ta).then_with(|| a.0.cmp(&b.0))
    });
    let mut out: Vec<Series> = Vec::new();
    let mut other: Option<Vec<f64>> = None;
    for (i, (label, values)) in labelled.into_iter().enumerate() {
        if i < keep {
            out.push(Series { label, values });
        } else {
            let sum = other.get_or_insert_with(|| vec![0.0; buckets.len()]);
            for (s, v) in sum.iter_mut().zip(values) {
                *s += v;
            }
        }
    }
    if let Some(values) = other {
        out.push(Series {
            label: "other".to_owned(),
            values,
        });
    }
    TimeSeries {
        buckets: buckets.iter().map(|b| bucket_text(*b)).collect(),
        series: out,
        ..TimeSeries::default()
    }
}

/// Marks what the ledger knows of the buckets (starts `buckets`, each `len` seconds long): those
/// in the tenant's gap as no data, the one holding the end of its ingested hours as partial, and
/// those after it as not ingested (their values zeroed: nothing is known of them yet).
pub(crate) fn mark_buckets(data: &mut TimeSeries, buckets: &[i64], len: i64, tenant: &TenantRef) {
    mark_gap(data, buckets, len, tenant.gap);
    let Some(until) = tenant.ingested_until() else {
        return;
    };
    for (i, start) in buckets.iter().enumerate() {
        let Some(text) = data.buckets.get(i).cloned() else {
            continue;
        };
        if *start >= until {
            for series in &mut data.series {
                if let Some(value) = series.values.get_mut(i) {
                    *value = 0.0;
                }
            }
            data.not_ingested.push(text);
        } else if start + len > until {
            data.partial.push(text);
        }
    }
}

/// How much of the days starting at `days` (each a day long) the tenant's ledger holds.
pub(crate) fn day_coverage(days: &[i64], tenant: &TenantRef) -> Coverage {
    let Some(until) = tenant.ingested_until() else {
        return Coverage::default();
    };
    Coverage {
        complete: days.iter().filter(|d| **d + DAY <= until).count(),
        partial: days.iter().any(|d| *d < until && *d + DAY > until),
    }
}

/// Marks the buckets that lie wholly in the tenant's gap as no data, and zeroes their values.
fn mark_gap(data: &mut TimeSeries, buckets: &[i64], len: i64, gap: Option<(i64, i64)>) {
    let Some((since, until)) = gap else {
        return;
    };
    for (i, start) in buckets.iter().enumerate() {
        if *start >= since && start + len <= until {
            for series in &mut data.series {
                if let Some(value) = series.values.get_mut(i) {
                    *value = 0.0;
                }
            }
            if let Some(text) = data.buckets.get(i) {
                data.no_data.push(text.clone());
            }
        }
    }
}

/// The row of `name` in `rows`, created empty when missing.
pub(crate) fn seen_row<'a>(rows: &'a mut BTreeMap<String, SeenRow>, name: &str) -> &'a mut SeenRow {
    rows.entry(name.to_owned()).or_insert_with(|| SeenRow {
        name: name.to_owned(),
        first_seen: None,
        last_seen: None,
        events: 0,
    })
}

/// Widens a row's first/last seen to include a sighting from `first` to `last` (epoch hours).
pub(crate) fn widen(row: &mut SeenRow, first: Option<i64>, last: Option<i64>) {
    let (first, last) = (hour_text(first), hour_text(last));
    if first.is_some() && (row.first_seen.is_none() || first < row.first_seen) {
        row.first_seen = first;
    }
    if last > row.last_seen {
        row.last_seen = last;
    }
}
