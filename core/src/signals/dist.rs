//! Count distributions for the expected interval: negative binomial with mean `mean` and variance
//! `variance` (Poisson when the variance is the mean), with exact tails computed from the
//! probability mass function in log space — never a normal approximation, so low counts are right.

/// A count distribution: Poisson (`size` infinite) or negative binomial with `size` r, so that
/// the variance is `mean + mean² / r`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Counts {
    pub mean: f64,
    /// The negative binomial's size r; `f64::INFINITY` for Poisson.
    pub size: f64,
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; relative error below 1e-14).
pub fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
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
        // Reflection: Γ(x) Γ(1 − x) = π / sin(πx).
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut sum = C[0];
    for (i, c) in C.iter().enumerate().skip(1) {
        sum += c / (x + i as f64);
    }
    let t = x + G + 0.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

impl Counts {
    /// The distribution with this mean and variance (variance at least the mean: Poisson floor).
    pub fn with_variance(mean: f64, variance: f64) -> Self {
        let extra = variance - mean;
        let size = if mean <= 0.0 || extra <= mean * 1e-9 {
            f64::INFINITY
        } else {
            mean * mean / extra
        };
        Self {
            mean: mean.max(0.0),
            size,
        }
    }

    pub fn poisson(mean: f64) -> Self {
        Self {
            mean: mean.max(0.0),
            size: f64::INFINITY,
        }
    }

    pub fn variance(&self) -> f64 {
        if self.size.is_finite() {
            self.mean + self.mean * self.mean / self.size
        } else {
            self.mean
        }
    }

    /// ln P(X = x).
    pub fn ln_pmf(&self, x: u64) -> f64 {
        let m = self.mean;
        let xf = x as f64;
        if m <= 0.0 {
            return if x == 0 { 0.0 } else { f64::NEG_INFINITY };
        }
        if !self.size.is_finite() || self.size > 1e12 {
            return xf * m.ln() - m - ln_gamma(xf + 1.0);
        }
        let r = self.size;
        // p = r / (r + m): P(x) = Γ(x + r) / (Γ(r) x!) p^r (1 − p)^x.
        let ln_p = (r / (r + m)).ln();
        let ln_q = (m / (r + m)).ln();
        ln_gamma(xf + r) - ln_gamma(r) - ln_gamma(xf + 1.0) + r * ln_p + xf * ln_q
    }

    /// The ratio P(X = x + 1) / P(X = x).
    fn ratio_up(&self, x: u64) -> f64 {
        let xf = x as f64;
        if !self.size.is_finite() || self.size > 1e12 {
            self.mean / (xf + 1.0)
        } else {
            let r = self.size;
            (xf + r) / (xf + 1.0) * (self.mean / (r + self.mean))
        }
    }

    /// P(X ≤ x), summed exactly from x downwards.
    pub fn lower_tail(&self, x: u64) -> f64 {
        let mut term = self.ln_pmf(x).exp();
        let mut sum = term;
        let mut k = x;
        while k > 0 {
            // P(k − 1) = P(k) / ratio_up(k − 1).
            term /= self.ratio_up(k - 1);
            sum += term;
            k -= 1;
            if term < sum * 1e-17 && (k as f64) < self.mean {
                break;
            }
            if sum >= 1.0 {
                return 1.0;
            }
        }
        sum.min(1.0)
    }

    /// P(X ≥ x), summed exactly from x upwards.
    pub fn upper_tail(&self, x: u64) -> f64 {
        if x == 0 {
            return 1.0;
        }
        if (x as f64) <= self.mean {
            return (1.0 - self.lower_tail(x - 1)).clamp(0.0, 1.0);
        }
        let mut term = self.ln_pmf(x).exp();
        let mut sum = term;
        for k in x..x + 10_000_000 {
            term *= self.ratio_up(k);
            sum += term;
            if term < sum * 1e-17 || term == 0.0 {
                break;
            }
        }
        sum.min(1.0)
    }

    /// The smallest count not in the lower tail: the least x with P(X ≤ x) ≥ alpha.
    pub fn low(&self, alpha: f64) -> u64 {
        let mut lo = 0u64;
        let mut hi = self.mean.ceil() as u64;
        if self.lower_tail(0) >= alpha {
            return 0;
        }
        // lower_tail(lo) < alpha ≤ lower_tail(hi).
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if self.lower_tail(mid) >= alpha {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        hi
    }

    /// The largest count not in the upper tail: the greatest x with P(X ≥ x) ≥ alpha.
    pub fn high(&self, alpha: f64) -> u64 {
        let mut lo = self.mean.floor() as u64;
        let sd = self.variance().sqrt();
        let mut hi = (self.mean + 10.0 * sd + 10.0).ceil() as u64;
        while self.upper_tail(hi) >= alpha {
            hi = hi * 2 + 1;
        }
        // upper_tail(lo) ≥ alpha > upper_tail(hi).
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if self.upper_tail(mid) >= alpha {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        lo
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(1e-300)
    }

    #[test]
    fn ln_gamma_matches_factorials() {
        assert!(close(ln_gamma(1.0), 0.0, 1e-12) || ln_gamma(1.0).abs() < 1e-12);
        assert!(close(ln_gamma(5.0), 24f64.ln(), 1e-12));
        assert!(close(
            ln_gamma(0.5),
            std::f64::consts::PI.sqrt().ln(),
            1e-12
        ));
        assert!(close(ln_gamma(101.0), 363.739_375_555_563_5, 1e-12));
    }

    #[test]
    fn poisson_tails_are_exact() {
        // P(X ≤ 2 | λ = 10) = e^-10 (1 + 10 + 50) = 0.002769...
        let p = Counts::poisson(10.0);
        assert!(close(p.lower_tail(2), 61.0 * (-10f64).exp(), 1e-10));
        // P(X = 0 | λ = 20) = e^-20.
        assert!(close(p.lower_tail(0), (-10f64).exp(), 1e-12));
        assert!(close(
            Counts::poisson(20.0).lower_tail(0),
            (-20f64).exp(),
            1e-12
        ));
        // P(X ≥ 20 | λ = 10) = 0.003454..., known value 0.0034543419.
        assert!(close(p.upper_tail(20), 0.003_454_341_9, 1e-6));
        // P(X ≤ 50 | λ = 100) = 2.40159e-08 (R: ppois(50, 100)).
        assert!(close(
            Counts::poisson(100.0).lower_tail(50),
            2.401_592_2e-8,
            1e-6
        ));
        // A large mean: no underflow.
        let big = Counts::poisson(10_000.0);
        assert!(close(big.lower_tail(10_000), 0.502_66, 1e-3));
    }

    #[test]
    fn negative_binomial_tails_are_exact() {
        // r = 2, mean 10: p = 1/6. P(X = 0) = (1/6)^2; P(X ≤ 1) = p^2 (1 + 2 (5/6)).
        let nb = Counts {
            mean: 10.0,
            size: 2.0,
        };
        let p: f64 = 1.0 / 6.0;
        assert!(close(nb.lower_tail(0), p * p, 1e-12));
        assert!(close(
            nb.lower_tail(1),
            p * p * (1.0 + 2.0 * 5.0 / 6.0),
            1e-12
        ));
        assert!(close(nb.variance(), 60.0, 1e-12));
        // The two tails add up to one.
        for x in [3u64, 10, 25] {
            assert!(close(nb.lower_tail(x - 1) + nb.upper_tail(x), 1.0, 1e-10));
        }
        // Variance equal to the mean is Poisson.
        assert!(Counts::with_variance(10.0, 10.0).size.is_infinite());
        assert!(close(Counts::with_variance(10.0, 60.0).size, 2.0, 1e-12));
    }

    #[test]
    fn bounds_are_the_edges_of_the_tails() {
        let alpha = 1e-6;
        for c in [Counts::poisson(100.0), Counts::with_variance(300.0, 900.0)] {
            let low = c.low(alpha);
            assert!(c.lower_tail(low) >= alpha && c.lower_tail(low - 1) < alpha);
            let high = c.high(alpha);
            assert!(c.upper_tail(high) >= alpha && c.upper_tail(high + 1) < alpha);
        }
        assert_eq!(Counts::poisson(2.0).low(1e-6), 0);
    }
}
