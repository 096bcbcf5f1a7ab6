//! Run-length mean and standard deviation of every chart (Brook & Evans 1972).
//!
//! The statistic of a CUSUM chart is a Markov chain whose transient states lie below
//! the threshold. With `Q` the transition matrix among those states, the mean run
//! length from each state solves `(I - Q) m1 = 1` and the second moment solves
//! `(I - Q) m2 = 1 + 2 Q m1 = 2 m1 - 1`, so `sd = sqrt(m2 - m1^2)`.
//!
//! * Discrete charts (Bernoulli, binomial with a fixed number of trials, Poisson with a
//!   fixed exposure) add integer counts and subtract a reference value `r` per period.
//!   When `r = a/q` the statistic lives exactly on the grid `j/q` and the chain is exact.
//!   Any other `r` is replaced by a fraction with denominator at most
//!   [`ArlOptions::max_denominator`] within [`ArlOptions::tolerance`] of it (relative);
//!   that substitution is the only approximation. The ARL depends on `r` only through
//!   which short excursions reach zero or `h`, so it moves in small steps as `r` moves;
//!   with the default tolerance of 1e-4 it stays well within 0.1% of the chart with the
//!   exact `r` (the tests compare it with a ten times finer lattice). Designed charts
//!   already lie on their lattice, so their run lengths are exact.
//! * The normal chart's chain has a continuous state space. Its integral equation
//!   `L(u) = 1 + L(0) Phi(k - u - mu) + int_0^h L(y) phi(y - u + k - mu) dy` is solved by
//!   the Nyström method with Gauss–Legendre nodes, which converges geometrically because
//!   the kernel is smooth, and is evaluated at the headstart by Nyström interpolation.
//! * A two-sided scheme (an increase chart and a decrease chart on the same observations,
//!   alarm when either reaches its threshold: the normal chart with both sides, or a pair of
//!   discrete charts) runs each side exactly as it would run alone, so its run length is
//!   `N = min(N+, N-)`. When one side signals while the other stands at zero, the other
//!   side starts afresh, so `E N+ = E N + P(lower first) L+(0)` and likewise for `N-`;
//!   solving the pair gives `ARL = (L+(s) L-(0) + L+(0) L-(s) - L+(0) L-(0)) / (L+(0) + L-(0))`
//!   from the one-sided run lengths from zero and from the headstart `s` (Lucas & Crosier
//!   1982, appendix; R's `spc::xcusum.arl` for `sided = "two"`). Without a headstart it is
//!   the familiar `1/ARL = 1/ARL+ + 1/ARL-`.
//!   The premise holds exactly when the sides cannot both be above zero at a signal. While
//!   both are positive neither increment is truncated, so their sum falls by the gap `d`
//!   between the reference values every period (`d = 2k` for the normal chart); it therefore
//!   never exceeds `max(s+ + s-, h+, h-) - d`, and a signal with the other side positive
//!   needs more than `min(h+, h-)`. So the combination is exact (as exact as the one-sided
//!   run lengths) when `max(s+ + s-, h+, h-) - d <= min(h+, h-)`, which for equal
//!   thresholds and headstarts is `s <= h/2 + k`. Beyond that the two sides interact and
//!   the run length is refused ([`DriftError::SidesInteract`]), never approximated.
//!   The test `two_sided_headstart_matches_the_pair_chain` checks the formula against the
//!   Markov chain on the pair of statistics. Its standard deviation does not follow from
//!   the one-sided chains and is `None`.

use super::charts::{Chart, Direction, NormalCusum, Sides};
use super::lattice::{choose_lattice, Lattice, Rounding};
use super::linalg::{banded_lu_without_pivoting, dense_lu, BandedLu, BandedMatrix};
use super::special::{binomial_pmf, gauss_legendre, normal_cdf, normal_pdf, poisson_pmf};
use super::{require, DriftError, Result};

/// Mean and standard deviation of a chart's run length, in periods (items for the
/// Bernoulli chart), counting the alarming observation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunLength {
    /// Average run length.
    pub arl: f64,
    /// Standard deviation of the run length; `None` for the two-sided normal chart.
    pub sd: Option<f64>,
}

/// Accuracy and size limits of the run-length calculations.
#[derive(Debug, Clone, PartialEq)]
pub struct ArlOptions {
    /// Largest lattice denominator for discrete charts.
    pub max_denominator: u64,
    /// Relative error allowed when replacing an off-lattice reference value by a fraction.
    pub tolerance: f64,
    /// Largest number of Markov states for discrete charts; it caps the denominator at
    /// `max_states / h` too. Factorizing a chain costs about `states * a * b` operations
    /// for the largest downward and upward jumps `a` and `b` in grid steps, so Poisson and
    /// binomial chains, whose jumps span the whole grid on one side, grow cubically.
    pub max_states: usize,
    /// Gauss–Legendre nodes for the normal chart's integral equation.
    pub quadrature_nodes: usize,
}

impl Default for ArlOptions {
    fn default() -> Self {
        ArlOptions {
            max_denominator: 1000,
            tolerance: 1e-4,
            max_states: 2000,
            quadrature_nodes: 48,
        }
    }
}

/// Run length of `chart` when its parameter (`p`, `lambda` per unit exposure, or the
/// mean of the standardized score) equals `parameter`, with default options.
pub fn run_length(chart: &Chart, parameter: f64) -> Result<RunLength> {
    run_length_with(chart, parameter, &ArlOptions::default())
}

/// [`run_length`] with explicit accuracy options.
pub fn run_length_with(chart: &Chart, parameter: f64, options: &ArlOptions) -> Result<RunLength> {
    chart.validate()?;
    validate_options(options)?;
    match chart {
        Chart::Normal(normal) => {
            require(parameter.is_finite(), "parameter", "must be finite")?;
            normal_run_length(normal, parameter, options.quadrature_nodes)
        }
        _ => {
            let model = LatticeModel::of(chart).expect("every other chart is discrete");
            let distribution = model.distribution(parameter)?;
            let lattice = choose_lattice(
                model.reference,
                Rounding::Nearest,
                options.tolerance,
                model.denominator_cap(model.threshold, options)?,
            )?;
            let states = lattice.index_at_or_above(model.threshold).max(1) as usize;
            check_states(states, options)?;
            let start = model.start_index(&lattice, states);
            let steps = lattice_steps(model.direction, &lattice, &distribution, states);
            let factors = factor_lattice_chain(&steps, states)?;
            Ok(lattice_run_length(&factors, states, start))
        }
    }
}

/// A discrete chart reduced to what its lattice walk needs.
#[derive(Debug, Clone)]
pub(super) struct LatticeModel {
    pub(super) direction: Direction,
    /// Reference value per period in count units: `gamma`, `n gamma` or `k e`.
    pub(super) reference: f64,
    pub(super) llr_scale: f64,
    pub(super) threshold: f64,
    pub(super) headstart_fraction: f64,
    counts: CountModel,
}

/// The per-period count of a discrete chart as a function of its parameter.
#[derive(Debug, Clone, Copy)]
enum CountModel {
    Binomial { trials: u64 },
    Poisson { exposure: f64 },
}

/// The distribution of one period's count.
#[derive(Debug, Clone, Copy)]
pub(super) enum CountDistribution {
    Binomial { trials: u64, p: f64 },
    Poisson { mean: f64 },
}

impl LatticeModel {
    /// The lattice model of a discrete chart; `None` for the normal chart.
    pub(super) fn of(chart: &Chart) -> Option<LatticeModel> {
        let model = match chart {
            Chart::Bernoulli(c) => LatticeModel {
                direction: c.direction(),
                reference: c.reference,
                llr_scale: c.llr_scale(),
                threshold: c.threshold,
                headstart_fraction: c.headstart_fraction,
                counts: CountModel::Binomial { trials: 1 },
            },
            Chart::Binomial(c) => LatticeModel {
                direction: c.direction(),
                reference: c.reference * c.trials as f64,
                llr_scale: c.llr_scale(),
                threshold: c.threshold,
                headstart_fraction: c.headstart_fraction,
                counts: CountModel::Binomial { trials: c.trials },
            },
            Chart::Poisson(c) => LatticeModel {
                direction: c.direction(),
                reference: c.reference * c.exposure,
                llr_scale: c.llr_scale(),
                threshold: c.threshold,
                headstart_fraction: c.headstart_fraction,
                counts: CountModel::Poisson {
                    exposure: c.exposure,
                },
            },
            Chart::Normal(_) => return None,
        };
        Some(model)
    }

    /// The count distribution when the chart's parameter equals `parameter`.
    pub(super) fn distribution(&self, parameter: f64) -> Result<CountDistribution> {
        match self.counts {
            CountModel::Binomial { trials } => {
                require(
                    parameter > 0.0 && parameter < 1.0,
                    "parameter",
                    "must be a probability strictly between 0 and 1",
                )?;
                Ok(CountDistribution::Binomial {
                    trials,
                    p: parameter,
                })
            }
            CountModel::Poisson { exposure } => {
                require(
                    parameter.is_finite() && parameter > 0.0,
                    "parameter",
                    "must be a positive finite rate",
                )?;
                Ok(CountDistribution::Poisson {
                    mean: parameter * exposure,
                })
            }
        }
    }

    /// The largest denominator that keeps a chart with threshold up to `threshold`
    /// within the state budget.
    pub(super) fn denominator_cap(&self, threshold: f64, options: &ArlOptions) -> Result<u64> {
        let cap = (options.max_states as f64 / threshold).floor();
        if cap < 1.0 {
            return Err(DriftError::TooManyStates {
                needed: threshold.ceil() as usize,
                limit: options.max_states,
            });
        }
        Ok((cap as u64).min(options.max_denominator))
    }

    /// The grid index of the headstart for a chart with `states` transient states; a
    /// headstart between grid points is rounded down, an approximation that only
    /// affects the first excursion (designed charts put it on the grid).
    pub(super) fn start_index(&self, lattice: &Lattice, states: usize) -> usize {
        let start = self.headstart_fraction * self.threshold;
        (lattice.index_at_or_below(start) as usize).min(states - 1)
    }
}

/// The increments, in grid steps, of the walk on `lattice` and their probabilities,
/// for a chain with `states` transient states (grid points `0..states`).
///
/// Increments that overshoot every state are dropped (their mass is absorption), and
/// the tail of counts that sends every state to zero is lumped into one increment.
pub(super) fn lattice_steps(
    direction: Direction,
    lattice: &Lattice,
    distribution: &CountDistribution,
    states: usize,
) -> Vec<(i64, f64)> {
    let q = lattice.denominator as i64;
    let a = lattice.reference_units as i64;
    let top = states as i64 - 1;
    let support_end = match *distribution {
        CountDistribution::Binomial { trials, .. } => Some(trials),
        CountDistribution::Poisson { .. } => None,
    };
    // Counts up to `last` get their own increment.
    let last = match direction {
        // q x - a <= top: larger counts jump past the threshold from every state.
        Direction::Increase => ((top + a) / q) as u64,
        // a - q x <= -top sends every state to zero; keep one such count for the lump.
        Direction::Decrease => ((a + top + q - 1) / q) as u64,
    };
    let last = support_end.map_or(last, |end| last.min(end));
    let probabilities = match *distribution {
        CountDistribution::Binomial { trials, p } => {
            let mut all = binomial_pmf(trials, p);
            all.truncate(last as usize + 1);
            all
        }
        CountDistribution::Poisson { mean } => poisson_pmf(mean, last),
    };
    let mut steps: Vec<(i64, f64)> = probabilities
        .iter()
        .enumerate()
        .map(|(x, &probability)| {
            let up = q * x as i64 - a;
            let step = match direction {
                Direction::Increase => up,
                Direction::Decrease => -up,
            };
            (step, probability)
        })
        .collect();
    if direction == Direction::Decrease && support_end.is_none_or(|end| last < end) {
        // The count `last` already sends every state to zero, so it stands for the whole
        // upper tail P(X >= last).
        let below: f64 = probabilities[..last as usize].iter().sum();
        if let Some(lump) = steps.last_mut() {
            lump.1 = (1.0 - below).max(0.0);
        }
    }
    steps
}

/// Factorizes `I - Q` of the walk with the given increments on `0..states`, reflected
/// at zero and absorbed at `states` and above.
pub(super) fn factor_lattice_chain(steps: &[(i64, f64)], states: usize) -> Result<BandedLu> {
    let lowest = steps.iter().map(|&(step, _)| step).min().unwrap_or(0);
    let highest = steps.iter().map(|&(step, _)| step).max().unwrap_or(0);
    let lower = (-lowest).max(0) as usize;
    let upper = highest.max(0) as usize;
    let mut matrix = BandedMatrix::zeros(states, lower, upper);
    for row in 0..states {
        matrix.add(row, row, 1.0);
        for &(step, probability) in steps {
            let target = row as i64 + step;
            if target < states as i64 {
                matrix.add(row, target.max(0) as usize, -probability);
            }
        }
    }
    banded_lu_without_pivoting(matrix)
}

/// Run length from grid state `start` of the chain whose `I - Q` is the leading
/// `states` x `states` block of `factors`.
pub(super) fn lattice_run_length(factors: &BandedLu, states: usize, start: usize) -> RunLength {
    let first_moment = factors.solve_leading(&vec![1.0; states]);
    let second_rhs: Vec<f64> = first_moment.iter().map(|m| 2.0 * m - 1.0).collect();
    let second_moment = factors.solve_leading(&second_rhs);
    let arl = first_moment[start];
    RunLength {
        arl,
        sd: Some((second_moment[start] - arl * arl).max(0.0).sqrt()),
    }
}

/// Only the average run length from grid state `start`, for threshold searches.
pub(super) fn lattice_arl(factors: &BandedLu, states: usize, start: usize) -> f64 {
    factors.solve_leading(&vec![1.0; states])[start]
}

/// Run length of a normal chart when the scores have mean `mean` and unit variance.
pub(super) fn normal_run_length(chart: &NormalCusum, mean: f64, nodes: usize) -> Result<RunLength> {
    let start = chart.headstart_fraction * chart.threshold;
    let one_sided = |side_mean: f64| {
        upper_normal_run_length(chart.reference, chart.threshold, start, side_mean, nodes)
    };
    match chart.sides {
        Sides::Upper => one_sided(mean),
        // C- is the upper chart of the negated scores.
        Sides::Lower => one_sided(-mean),
        Sides::Both => {
            // Both sides share h, k and the headstart; C- adds (-k) - z.
            let upper = SideGeometry {
                reference: chart.reference,
                threshold: chart.threshold,
                start,
            };
            let lower = SideGeometry {
                reference: -chart.reference,
                ..upper
            };
            check_sides_apart(&upper, &lower)?;
            let from_zero = |side_mean: f64| {
                upper_normal_run_length(chart.reference, chart.threshold, 0.0, side_mean, nodes)
            };
            Ok(combine_sides(
                [from_zero(mean)?.arl, one_sided(mean)?.arl],
                [from_zero(-mean)?.arl, one_sided(-mean)?.arl],
            ))
        }
    }
}

/// Run length of the two-sided scheme made of `upper` (a chart for increases) and
/// `lower` (a chart for decreases) watching the same observations, with an alarm when
/// either reaches its threshold, when their parameter equals `parameter`. Exact by the
/// combination in the module docs; [`DriftError::SidesInteract`] when the sides'
/// headstarts and thresholds let both be above zero at a signal.
pub fn two_sided_run_length(upper: &Chart, lower: &Chart, parameter: f64) -> Result<RunLength> {
    two_sided_run_length_with(upper, lower, parameter, &ArlOptions::default())
}

/// [`two_sided_run_length`] with explicit accuracy options.
pub fn two_sided_run_length_with(
    upper: &Chart,
    lower: &Chart,
    parameter: f64,
    options: &ArlOptions,
) -> Result<RunLength> {
    upper.validate()?;
    lower.validate()?;
    require(
        side_direction(upper) == Some(Direction::Increase),
        "upper",
        "must be a one-sided chart for increases",
    )?;
    require(
        side_direction(lower) == Some(Direction::Decrease),
        "lower",
        "must be a one-sided chart for decreases",
    )?;
    require(
        same_observations(upper, lower),
        "lower",
        "must watch the same observations as the upper chart",
    )?;
    let (upper_sides, lower_sides) = (SideGeometry::of(upper), SideGeometry::of(lower));
    check_sides_apart(&upper_sides, &lower_sides)?;
    let pair = |chart: &Chart| -> Result<[f64; 2]> {
        let from_zero = run_length_with(&from_zero(chart), parameter, options)?;
        let from_start = run_length_with(chart, parameter, options)?;
        Ok([from_zero.arl, from_start.arl])
    };
    Ok(combine_sides(pair(upper)?, pair(lower)?))
}

/// Run length of `C+ = max(0, C+ + z - k)` started at `start`, alarm at `C+ >= h`, for
/// scores `z ~ N(mean, 1)`, by the Gauss–Legendre Nyström method.
fn upper_normal_run_length(
    reference: f64,
    threshold: f64,
    start: f64,
    mean: f64,
    nodes: usize,
) -> Result<RunLength> {
    let (points, weights) = gauss_legendre(nodes, 0.0, threshold);
    // Unknown 0 is the atom at zero; unknowns 1..=nodes are the quadrature nodes.
    let size = nodes + 1;
    let offset = reference - mean;
    let kernel_row = |from: f64| -> Vec<f64> {
        let mut row = Vec::with_capacity(size);
        row.push(normal_cdf(offset - from));
        row.extend(
            points
                .iter()
                .zip(&weights)
                .map(|(&to, &weight)| weight * normal_pdf(to - from + offset)),
        );
        row
    };
    let mut matrix = Vec::with_capacity(size * size);
    for (index, from) in std::iter::once(0.0)
        .chain(points.iter().copied())
        .enumerate()
    {
        let row = kernel_row(from);
        matrix.extend(row.iter().enumerate().map(|(column, q)| {
            let identity = if column == index { 1.0 } else { 0.0 };
            identity - q
        }));
    }
    let factors = dense_lu(matrix, size)?;
    let first_moment = factors.solve(&vec![1.0; size]);
    let second_rhs: Vec<f64> = first_moment.iter().map(|m| 2.0 * m - 1.0).collect();
    let second_moment = factors.solve(&second_rhs);
    // Nyström interpolation: L(u) = rhs(u) + sum_j Q(u, y_j) L(y_j), exact at the nodes.
    let start_row = kernel_row(start);
    let propagate =
        |values: &[f64]| -> f64 { start_row.iter().zip(values).map(|(q, v)| q * v).sum() };
    let arl = 1.0 + propagate(&first_moment);
    let second = (2.0 * arl - 1.0) + propagate(&second_moment);
    if !(arl.is_finite() && arl > 0.0) {
        return Err(DriftError::InfiniteRunLength);
    }
    Ok(RunLength {
        arl,
        sd: Some((second - arl * arl).max(0.0).sqrt()),
    })
}

/// One side of a two-sided scheme in the units of its observations: the side adds
/// `x - reference` (increases) or `reference - x` (decreases) per period.
struct SideGeometry {
    reference: f64,
    threshold: f64,
    start: f64,
}

impl SideGeometry {
    fn of(chart: &Chart) -> SideGeometry {
        match chart {
            // C- adds -z - k = (-k) - z.
            Chart::Normal(normal) => SideGeometry {
                reference: match normal.sides {
                    Sides::Lower => -normal.reference,
                    Sides::Upper | Sides::Both => normal.reference,
                },
                threshold: normal.threshold,
                start: normal.headstart_fraction * normal.threshold,
            },
            _ => {
                let model = LatticeModel::of(chart).expect("every other chart is discrete");
                SideGeometry {
                    reference: model.reference,
                    threshold: model.threshold,
                    start: model.headstart_fraction * model.threshold,
                }
            }
        }
    }
}

/// [`DriftError::SidesInteract`] unless the two sides are never both above zero at a
/// signal (the condition in the module docs).
fn check_sides_apart(upper: &SideGeometry, lower: &SideGeometry) -> Result<()> {
    let gap = upper.reference - lower.reference;
    let lowest = upper.threshold.min(lower.threshold);
    let highest = upper.threshold.max(lower.threshold);
    require(
        gap > 0.0 && highest - gap <= lowest * (1.0 + 1e-12),
        "lower",
        "must have a reference value below the upper chart's, and thresholds that differ \
         by less than the gap between the reference values",
    )?;
    if upper.start + lower.start - gap <= lowest * (1.0 + 1e-12) {
        return Ok(());
    }
    Err(DriftError::SidesInteract {
        largest_headstart: (lowest + gap) / 2.0,
    })
}

/// `(L+(s) L-(0) + L+(0) L-(s) - L+(0) L-(0)) / (L+(0) + L-(0))` from each side's run
/// lengths `[from zero, from its headstart]`.
fn combine_sides(upper: [f64; 2], lower: [f64; 2]) -> RunLength {
    let ([upper_zero, upper_start], [lower_zero, lower_start]) = (upper, lower);
    RunLength {
        arl: (upper_start * lower_zero + upper_zero * lower_start - upper_zero * lower_zero)
            / (upper_zero + lower_zero),
        sd: None,
    }
}

/// The direction a one-sided chart watches; `None` for a normal chart with both sides.
fn side_direction(chart: &Chart) -> Option<Direction> {
    match chart {
        Chart::Normal(normal) => match normal.sides {
            Sides::Upper => Some(Direction::Increase),
            Sides::Lower => Some(Direction::Decrease),
            Sides::Both => None,
        },
        Chart::Bernoulli(c) => Some(c.direction()),
        Chart::Binomial(c) => Some(c.direction()),
        Chart::Poisson(c) => Some(c.direction()),
    }
}

/// Whether two charts read the same observation per period: the same kind, trials and
/// exposure.
fn same_observations(first: &Chart, second: &Chart) -> bool {
    match (first, second) {
        (Chart::Normal(_), Chart::Normal(_)) | (Chart::Bernoulli(_), Chart::Bernoulli(_)) => true,
        (Chart::Binomial(a), Chart::Binomial(b)) => a.trials == b.trials,
        (Chart::Poisson(a), Chart::Poisson(b)) => a.exposure == b.exposure,
        _ => false,
    }
}

/// `chart` started at zero.
fn from_zero(chart: &Chart) -> Chart {
    let mut chart = chart.clone();
    match &mut chart {
        Chart::Bernoulli(c) => c.headstart_fraction = 0.0,
        Chart::Binomial(c) => c.headstart_fraction = 0.0,
        Chart::Poisson(c) => c.headstart_fraction = 0.0,
        Chart::Normal(c) => c.headstart_fraction = 0.0,
    }
    chart
}

pub(super) fn check_states(states: usize, options: &ArlOptions) -> Result<()> {
    if states > options.max_states {
        return Err(DriftError::TooManyStates {
            needed: states,
            limit: options.max_states,
        });
    }
    Ok(())
}

pub(super) fn validate_options(options: &ArlOptions) -> Result<()> {
    require(
        options.max_denominator >= 1,
        "max_denominator",
        "must be at least 1",
    )?;
    require(
        options.tolerance >= 0.0,
        "tolerance",
        "must be non-negative",
    )?;
    require(options.max_states >= 1, "max_states", "must be at least 1")?;
    require(
        (2..=1000).contains(&options.quadrature_nodes),
        "quadrature_nodes",
        "must lie between 2 and 1000",
    )
}

#[cfg(test)]
mod tests {
    use super::super::charts::{BernoulliCusum, PoissonCusum};
    use super::*;

    fn check(label: &str, actual: f64, expected: f64, relative_tolerance: f64) {
        let error = ((actual - expected) / expected).abs();
        assert!(
            error <= relative_tolerance,
            "{label}: got {actual}, expected {expected} (relative error {error:.2e})"
        );
    }

    fn normal(k: f64, h: f64, sides: Sides) -> Chart {
        Chart::Normal(
            NormalCusum::new(2.0 * k, h, sides)
                .unwrap()
                .with_reference(k)
                .unwrap(),
        )
    }

    #[test]
    fn two_sided_normal_reproduces_published_values() {
        // Montgomery's table for k = 0.5: (h, ARL0, ARL at a one-sigma shift).
        for (h, arl0, arl1) in [(4.0, 167.68, 8.38), (5.0, 465.44, 10.38)] {
            let chart = normal(0.5, h, Sides::Both);
            check("arl0", run_length(&chart, 0.0).unwrap().arl, arl0, 5e-3);
            check("arl1", run_length(&chart, 1.0).unwrap().arl, arl1, 5e-3);
        }
    }

    #[test]
    fn one_sided_normal_matches_literature_and_converges() {
        // One-sided ARLs for k = 0.5 (Brook & Evans 1972; Lucas & Crosier 1982).
        let cases = [
            (4.0, 0.0, 335.37),
            (5.0, 0.0, 930.89),
            (5.0, 1.0, 10.38),
            (4.0, 1.0, 8.38),
        ];
        for (h, mean, expected) in cases {
            let chart = normal(0.5, h, Sides::Upper);
            check(
                "one-sided",
                run_length(&chart, mean).unwrap().arl,
                expected,
                2e-3,
            );
        }
        let chart = normal(0.5, 5.0, Sides::Upper);
        let coarse = run_length(&chart, 0.0).unwrap();
        let fine = run_length_with(
            &chart,
            0.0,
            &ArlOptions {
                quadrature_nodes: 120,
                ..ArlOptions::default()
            },
        )
        .unwrap();
        check("nodes", coarse.arl, fine.arl, 1e-8);
        check("sd", coarse.sd.unwrap(), fine.sd.unwrap(), 1e-7);
        // The in-control run length is nearly geometric, so its sd is close to its mean.
        check("geometric", fine.sd.unwrap(), fine.arl, 0.05);
    }

    #[test]
    fn headstart_shortens_out_of_control_runs_most() {
        // Lucas & Crosier (1982): h = 5, k = 0.5 with a headstart of h/2 gives ARL 6.35 at
        // a one-sigma shift, against 10.38 without it.
        let chart = Chart::Normal(
            NormalCusum::new(1.0, 5.0, Sides::Upper)
                .unwrap()
                .with_headstart(0.5)
                .unwrap(),
        );
        let in_control = run_length(&chart, 0.0).unwrap().arl;
        let shifted = run_length(&chart, 1.0).unwrap().arl;
        // A headstart costs a little in-control run length: about 896 here.
        assert!(in_control > 850.0 && in_control < 930.89, "{in_control}");
        check("fir", shifted, 6.35, 0.01);
    }

    #[test]
    fn two_sided_headstart_reproduces_spc_and_refuses_interacting_sides() {
        // R: spc::xcusum.arl(0.5, 4, 0, hs = 2, sided = "two") = 148.70; the harmonic
        // combination of the two sides from their headstarts would give 158.19.
        let with_headstart = |fraction: f64| {
            Chart::Normal(
                NormalCusum::new(1.0, 4.0, Sides::Both)
                    .unwrap()
                    .with_headstart(fraction)
                    .unwrap(),
            )
        };
        check(
            "spc",
            run_length(&with_headstart(0.5), 0.0).unwrap().arl,
            148.70,
            1e-4,
        );
        // Both sides started at h/2 + k = 2.5 is the last exact case; beyond it they interact.
        assert!(run_length(&with_headstart(0.625), 0.0).is_ok());
        assert_eq!(
            run_length(&with_headstart(0.75), 0.0),
            Err(DriftError::SidesInteract {
                largest_headstart: 2.5
            })
        );
        // The same chart as two one-sided charts gives the same value.
        let side = |sides| {
            Chart::Normal(
                NormalCusum::new(1.0, 4.0, sides)
                    .unwrap()
                    .with_headstart(0.5)
                    .unwrap(),
            )
        };
        let pair = two_sided_run_length(&side(Sides::Upper), &side(Sides::Lower), 0.3).unwrap();
        let both = run_length(&with_headstart(0.5), 0.3).unwrap();
        check("pair", pair.arl, both.arl, 1e-12);
        assert!(two_sided_run_length(&side(Sides::Lower), &side(Sides::Upper), 0.3).is_err());
    }

    #[test]
    fn two_sided_headstart_matches_the_pair_chain() {
        // Poisson counts with exposure 1, the upper side with k = 5/2 and the lower with
        // k = 3/2, h = 4: both live on the grid of halves, so the pair (C+, C-) is a
        // Markov chain on 8 x 8 transient states, solved here directly.
        let upper = PoissonCusum::new(2.0, 4.0, 1.0, 4.0)
            .unwrap()
            .with_reference(2.5)
            .unwrap();
        let lower = PoissonCusum::new(2.0, 1.0, 1.0, 4.0)
            .unwrap()
            .with_reference(1.5)
            .unwrap();
        // Headstart fractions: none, h/2, and h/2 + k = 2.5 (grid index 5), the largest.
        for (fraction, start) in [(0.0, 0), (0.5, 4), (0.625, 5)] {
            let upper = Chart::Poisson(upper.clone().with_headstart(fraction).unwrap());
            let lower = Chart::Poisson(lower.clone().with_headstart(fraction).unwrap());
            for rate in [2.0, 3.0, 1.2] {
                let exact = pair_chain_arl(rate, start);
                let combined = two_sided_run_length(&upper, &lower, rate).unwrap().arl;
                check("pair chain", combined, exact, 1e-9);
            }
        }
        // Started at 3.5 the sides interact: the chain differs and the formula is refused.
        let upper = Chart::Poisson(upper.with_headstart(0.875).unwrap());
        let lower = Chart::Poisson(lower.with_headstart(0.875).unwrap());
        assert_eq!(
            two_sided_run_length(&upper, &lower, 2.0),
            Err(DriftError::SidesInteract {
                largest_headstart: 2.5
            })
        );
    }

    /// The pair chain of `two_sided_headstart_matches_the_pair_chain`, in grid steps of
    /// 1/2: C+ moves by 2x - 5 and C- by 3 - 2x for a count x, alarm at 8 steps.
    fn pair_chain_arl(rate: f64, start: usize) -> f64 {
        const STATES: usize = 8;
        let pmf = super::super::special::poisson_pmf(rate, 60);
        let size = STATES * STATES;
        let mut matrix = vec![0.0; size * size];
        for up in 0..STATES {
            for down in 0..STATES {
                let row = up * STATES + down;
                matrix[row * size + row] += 1.0;
                for (x, probability) in pmf.iter().enumerate() {
                    let next_up = (up as i64 + 2 * x as i64 - 5).max(0) as usize;
                    let next_down = (down as i64 + 3 - 2 * x as i64).max(0) as usize;
                    if next_up < STATES && next_down < STATES {
                        matrix[row * size + next_up * STATES + next_down] -= probability;
                    }
                }
            }
        }
        let factors = dense_lu(matrix, size).unwrap();
        factors.solve(&vec![1.0; size])[start * STATES + start]
    }

    #[test]
    fn bernoulli_chain_matches_a_hand_solved_case() {
        // gamma = 1/2 and h = 1 on the grid of halves: states 0 and 1/2. From 0 an event
        // moves to 1/2; from 1/2 an event alarms; a non-event moves to 0.
        // L0 = 1 + p L1 + (1 - p) L0 and L1 = 1 + (1 - p) L0.
        let p = 0.3;
        let chart = Chart::Bernoulli(
            BernoulliCusum::new(0.2, 0.8, 1.0)
                .unwrap()
                .with_reference(0.5)
                .unwrap(),
        );
        let l0 = (1.0 + p) / (p * p);
        check("hand", run_length(&chart, p).unwrap().arl, l0, 1e-12);
    }

    #[test]
    fn off_lattice_reference_is_accurate_to_a_tenth_of_a_percent() {
        // k = 1/ln 2 is irrational; the default lattice (denominator 61) must agree with a
        // much finer one (denominator 192) and stay close even on a coarse one.
        for threshold in [3.0, 4.5] {
            let chart = Chart::Poisson(PoissonCusum::new(1.0, 2.0, 1.0, threshold).unwrap());
            let arl_with_tolerance = |tolerance: f64| {
                let options = ArlOptions {
                    tolerance,
                    ..ArlOptions::default()
                };
                run_length_with(&chart, 1.0, &options).unwrap().arl
            };
            let default = run_length(&chart, 1.0).unwrap().arl;
            check("fine lattice", default, arl_with_tolerance(1e-5), 1e-3);
            check("coarse lattice", arl_with_tolerance(1e-3), default, 1e-2);
        }
    }
}
