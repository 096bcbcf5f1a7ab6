//! Special functions, probability mass functions and quadrature for the run-length code.

use std::f64::consts::{FRAC_1_SQRT_2, PI};

/// Standard normal density.
pub(super) fn normal_pdf(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (2.0 * PI).sqrt()
}

/// Standard normal distribution function, accurate to about 1e-13 relative in both tails.
pub(super) fn normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x * FRAC_1_SQRT_2)
}

/// Gauss–Legendre nodes and weights for `count` points on `[lower, upper]`.
pub(super) fn gauss_legendre(count: usize, lower: f64, upper: f64) -> (Vec<f64>, Vec<f64>) {
    let mut nodes = vec![0.0; count];
    let mut weights = vec![0.0; count];
    let middle = 0.5 * (upper + lower);
    let half_width = 0.5 * (upper - lower);
    let n = count as f64;
    for i in 0..count.div_ceil(2) {
        // Newton's method on the Legendre polynomial, started from the classical
        // asymptotic estimate of the i-th root.
        let mut root = (PI * (i as f64 + 0.75) / (n + 0.5)).cos();
        for _ in 0..100 {
            let (value, slope) = legendre_with_derivative(count, root);
            let step = value / slope;
            root -= step;
            if step.abs() < 1e-15 {
                break;
            }
        }
        let (_, derivative) = legendre_with_derivative(count, root);
        let weight = 2.0 * half_width / ((1.0 - root * root) * derivative * derivative);
        nodes[i] = middle - half_width * root;
        nodes[count - 1 - i] = middle + half_width * root;
        weights[i] = weight;
        weights[count - 1 - i] = weight;
    }
    (nodes, weights)
}

/// Poisson probabilities `P(X = x)` for `x = 0..=last`.
pub(super) fn poisson_pmf(mean: f64, last: u64) -> Vec<f64> {
    // The recursion runs on logarithms so that large means do not underflow e^{-mean}.
    let log_mean = mean.ln();
    let mut log_probability = -mean;
    let mut probabilities = Vec::with_capacity(last as usize + 1);
    for x in 0..=last {
        if x > 0 {
            log_probability += log_mean - (x as f64).ln();
        }
        probabilities.push(log_probability.exp());
    }
    probabilities
}

/// Binomial probabilities `P(X = x)` for `x = 0..=trials` with success probability `p`.
pub(super) fn binomial_pmf(trials: u64, p: f64) -> Vec<f64> {
    let log_odds = p.ln() - (-p).ln_1p();
    let mut log_probability = trials as f64 * (-p).ln_1p();
    let mut probabilities = Vec::with_capacity(trials as usize + 1);
    for x in 0..=trials {
        if x > 0 {
            log_probability += ((trials - x + 1) as f64).ln() - (x as f64).ln() + log_odds;
        }
        probabilities.push(log_probability.exp());
    }
    probabilities
}

/// Complementary error function.
fn erfc(x: f64) -> f64 {
    if x < 0.0 {
        return 2.0 - erfc(-x);
    }
    if x < 1.5 {
        // erf(x) = 2/sqrt(pi) e^{-x^2} sum_n 2^n x^{2n+1} / (2n+1)!!; every term is positive,
        // so the sum has no cancellation, and 1 - erf loses at most two digits here.
        let mut term = x;
        let mut sum = x;
        let mut n = 0.0;
        while term > 1e-17 * sum {
            n += 1.0;
            term *= 2.0 * x * x / (2.0 * n + 1.0);
            sum += term;
        }
        1.0 - 2.0 / PI.sqrt() * (-x * x).exp() * sum
    } else {
        // Laplace's continued fraction erfc(x) = e^{-x^2}/sqrt(pi) / (x + (1/2)/(x + 1/(x +
        // (3/2)/(x + ...)))), evaluated from the back; 100 terms reach full precision
        // from x = 1.5 on.
        let mut fraction = x;
        for n in (1..=100).rev() {
            fraction = x + (n as f64 / 2.0) / fraction;
        }
        (-x * x).exp() / (PI.sqrt() * fraction)
    }
}

/// The Legendre polynomial of the given degree and its derivative at `x`.
fn legendre_with_derivative(degree: usize, x: f64) -> (f64, f64) {
    let mut current = 1.0;
    let mut previous = 0.0;
    for j in 1..=degree {
        let before = previous;
        previous = current;
        current = ((2 * j - 1) as f64 * x * previous - (j - 1) as f64 * before) / j as f64;
    }
    let derivative = degree as f64 * (x * current - previous) / (x * x - 1.0);
    (current, derivative)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_relative(actual: f64, expected: f64, tolerance: f64) {
        let error = ((actual - expected) / expected).abs();
        assert!(
            error < tolerance,
            "actual {actual}, expected {expected}, error {error}"
        );
    }

    #[test]
    fn normal_cdf_matches_reference_values() {
        let cases = [
            (0.0, 0.5),
            (1.0, 0.841_344_746_068_542_9),
            (-1.0, 0.158_655_253_931_457_05),
            (-1.96, 0.024_997_895_148_220_435),
            (-4.0, 3.167_124_183_311_998e-5),
            (-4.3, 8.539_905_470_991_8e-6),
            (-8.0, 6.220_960_574_271_785e-16),
            (3.0, 0.998_650_101_968_369_9),
        ];
        for (x, expected) in cases {
            check_relative(normal_cdf(x), expected, 1e-12);
        }
    }

    #[test]
    fn gauss_legendre_integrates_polynomials_and_gaussians() {
        let (nodes, weights) = gauss_legendre(10, 0.0, 2.0);
        let integral: f64 = nodes
            .iter()
            .zip(&weights)
            .map(|(x, w)| w * x.powi(19))
            .sum();
        check_relative(integral, 2f64.powi(20) / 20.0, 1e-13);
        let (nodes, weights) = gauss_legendre(48, -8.0, 8.0);
        let mass: f64 = nodes
            .iter()
            .zip(&weights)
            .map(|(x, w)| w * normal_pdf(*x))
            .sum();
        check_relative(mass, 1.0, 1e-12);
    }

    #[test]
    fn mass_functions_sum_to_one() {
        let total: f64 = poisson_pmf(15.0, 200).iter().sum();
        check_relative(total, 1.0, 1e-13);
        let total: f64 = binomial_pmf(40, 0.3).iter().sum();
        check_relative(total, 1.0, 1e-13);
        check_relative(poisson_pmf(4.0, 3)[3], 0.195_366_814_813_165_2, 1e-13);
        check_relative(binomial_pmf(10, 0.2)[2], 0.301_989_888, 1e-9);
    }
}
