//! Student's t distribution: its distribution function and its quantiles at any level, for the
//! roll-out checks' intervals (whose level depends on how many checks a stage judges at once).

use std::cell::RefCell;
use std::collections::HashMap;

/// ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; about 15 digits).
fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut sum = G[0];
    for (i, g) in G.iter().enumerate().skip(1) {
        sum += g / (x + i as f64);
    }
    let t = x + 7.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// The continued fraction of the incomplete beta function (modified Lentz).
fn beta_fraction(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    d = if d.abs() < TINY { TINY } else { d };
    d = 1.0 / d;
    let mut h = d;
    for m in 1..300 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        for aa in [
            m * (b - m) * x / ((qam + m2) * (a + m2)),
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
        ] {
            d = 1.0 + aa * d;
            d = if d.abs() < TINY { TINY } else { d };
            c = 1.0 + aa / c;
            c = if c.abs() < TINY { TINY } else { c };
            d = 1.0 / d;
            h *= d * c;
        }
        if (d * c - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

/// The regularised incomplete beta function I_x(a, b).
fn incomplete_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front =
        (ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln()).exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_fraction(a, b, x) / a
    } else {
        1.0 - front * beta_fraction(b, a, 1.0 - x) / b
    }
}

/// P(T > t) for Student's t with `df` degrees of freedom (`df` ≥ 1).
pub fn upper_tail(t: f64, df: usize) -> f64 {
    let n = df as f64;
    let tail = 0.5 * incomplete_beta(n / 2.0, 0.5, n / (n + t * t));
    if t >= 0.0 { tail } else { 1.0 - tail }
}

thread_local! {
    /// Critical values already found, by (alpha's bits, df): a stage asks for the same few.
    static CRITICAL: RefCell<HashMap<(u64, usize), f64>> = RefCell::new(HashMap::new());
}

/// The `t` with P(|T| > t) = `alpha`: the critical value of a two-sided `1 − alpha` interval;
/// infinite with no degrees of freedom.
pub fn critical(alpha: f64, df: usize) -> f64 {
    if df == 0 || alpha <= 0.0 {
        return f64::INFINITY;
    }
    let key = (alpha.to_bits(), df);
    if let Some(t) = CRITICAL.with(|c| c.borrow().get(&key).copied()) {
        return t;
    }
    let t = find_critical(alpha, df);
    CRITICAL.with(|c| {
        let mut cache = c.borrow_mut();
        if cache.len() > 10_000 {
            cache.clear();
        }
        cache.insert(key, t);
    });
    t
}

/// [`critical`], by bisection.
fn find_critical(alpha: f64, df: usize) -> f64 {
    let target = (alpha / 2.0).min(0.5);
    // The tail falls as t grows: bisect on [0, hi], with hi doubled until past the target.
    let mut hi = 2.0;
    while upper_tail(hi, df) > target && hi < 1e12 {
        hi *= 2.0;
    }
    let mut lo = 0.0;
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if upper_tail(mid, df) > target {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo < 1e-12 * hi.max(1.0) {
            break;
        }
    }
    hi
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_match_the_tables() {
        for (alpha, df, t) in [
            (0.05, 1, 12.706),
            (0.05, 10, 2.228),
            (0.05, 30, 2.042),
            (0.05, 1000, 1.962),
            (0.01, 5, 4.032),
            (0.001, 20, 3.850),
        ] {
            let got = critical(alpha, df);
            assert!((got - t).abs() < 0.002, "t({alpha}, {df}) = {got}, not {t}");
        }
        assert!(critical(0.05, 0).is_infinite());
        assert!((upper_tail(0.0, 7) - 0.5).abs() < 1e-12);
        assert!((upper_tail(-2.228, 10) - 0.975).abs() < 1e-4);
    }
}
