//! Draws the traffic needs beyond the crate's uniform generator: normal, gamma and Poisson.

use crate::rng::Rng;

/// Standard normal (Box–Muller).
pub(crate) fn normal(rng: &mut Rng) -> f64 {
    let u = 1.0 - rng.unit();
    let v = rng.unit();
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// Gamma with this shape (≥ 1) and mean 1 (Marsaglia–Tsang).
pub(crate) fn gamma_mean_one(rng: &mut Rng, shape: f64) -> f64 {
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let x = normal(rng);
        let v = (1.0 + c * x).powi(3);
        if v <= 0.0 {
            continue;
        }
        let u = 1.0 - rng.unit();
        if u.ln() < 0.5 * x * x + d - d * v + d * v.ln() {
            return d * v / shape;
        }
    }
}

/// Poisson with mean `lambda` (exact: Knuth's product, over pieces of at most 30).
pub(crate) fn poisson(rng: &mut Rng, lambda: f64) -> u64 {
    if lambda <= 0.0 {
        return 0;
    }
    let pieces = (lambda / 30.0).ceil();
    let piece = lambda / pieces;
    let limit = (-piece).exp();
    let mut total = 0;
    for _ in 0..pieces as u64 {
        let mut p = rng.unit();
        while p > limit {
            total += 1;
            p *= rng.unit();
        }
    }
    total
}
