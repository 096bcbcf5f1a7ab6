//! CUSUM charts: their statistics, the alarm rule and change-point estimates.
//!
//! Every one-sided chart follows Page (1954): `S_t = max(0, S_{t-1} + increment_t)`,
//! started at `S_0 = headstart_fraction * h` (the fast initial response of Lucas &
//! Crosier 1982; zero by default) and in alarm at the first `t` with `S_t >= h`. Paths
//! are not reset after an alarm: [`ChartPath::first_alarm`] marks where a monitoring
//! run would stop. Two-sided monitoring uses one chart per direction.
//!
//! The statistics are compared with a relative slack of 1e-9, and values within that
//! slack of zero are set to zero, so that a chart whose reference value lies on a
//! rational lattice (as [`design_threshold`](super::design_threshold) returns them)
//! behaves exactly like its Markov-chain model despite floating-point rounding.

use std::ops::Range;

use super::{require, Result};

/// Which way a one-sided chart looks for change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The chart accumulates evidence that the rate or mean went up.
    Increase,
    /// The chart accumulates evidence that the rate or mean went down.
    Decrease,
}

/// The statistic of a one-sided chart after each observation.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartPath {
    /// `statistics[t]` is the chart's value after observation `t`.
    pub statistics: Vec<f64>,
    /// The first observation at which the statistic reached the threshold.
    pub first_alarm: Option<usize>,
}

/// Where a sustained change most likely began, and the rates on either side of it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangePoint {
    /// First observation of the current excursion of the statistic above zero: the
    /// period right after the statistic was last zero.
    pub index: usize,
    /// Last observation the estimate looks at: the first alarm, or the latest
    /// observation for a chart that is above zero but not in alarm.
    pub end: usize,
    /// Rate (event fraction, successes per trial, count per unit exposure or mean score)
    /// over observations `0..index`; `None` when the excursion starts at the beginning.
    pub rate_before: Option<f64>,
    /// Rate over observations `index..=end`.
    pub rate_since: f64,
}

/// Bernoulli CUSUM for one pass/fail outcome per item (Reynolds & Stoumbos 1999).
///
/// `X_t = 1` is the monitored event, with probability `p0` in control and `p1` after the
/// change. In the scaled form the log-likelihood ratio of an item is
/// `c * (X_t - gamma)` with `c = ln(p1 (1 - p0) / (p0 (1 - p1)))` and
/// `gamma = ln((1 - p0) / (1 - p1)) / c` ([`bernoulli_reference`]), so for `p1 > p0`
/// the chart is `B_t = max(0, B_{t-1} + X_t - gamma)`. For `p1 < p0`, `c` is negative and
/// the same reasoning gives `B_t = max(0, B_{t-1} + gamma - X_t)`: the upper chart for
/// the complementary event `1 - X_t` at probabilities `1 - p0 < 1 - p1`, whose reference
/// value is `1 - gamma`. Either way the log-likelihood-ratio CUSUM is `|c| * B_t` and
/// its threshold is [`llr_threshold`](Self::llr_threshold) `= |c| * h`.
#[derive(Debug, Clone, PartialEq)]
pub struct BernoulliCusum {
    /// In-control probability of the event.
    pub p0: f64,
    /// Out-of-control probability the chart is tuned to detect.
    pub p1: f64,
    /// Reference value `gamma`, subtracted (or added, for decreases) per item.
    pub reference: f64,
    /// Alarm threshold `h` on the scaled statistic.
    pub threshold: f64,
    /// Starting value as a fraction of `h`, in `[0, 1)`.
    pub headstart_fraction: f64,
}

/// Binomial CUSUM for per-period counts of successes out of a varying number of trials.
///
/// The log-likelihood ratio of `x` successes in `n` trials is
/// `x ln(p1/p0) + (n - x) ln((1 - p1)/(1 - p0)) = c (x - n gamma)`, with `c` and `gamma`
/// as for [`BernoulliCusum`]. [`run_log_likelihood`](Self::run_log_likelihood) runs
/// that form against [`llr_threshold`](Self::llr_threshold); [`run`](Self::run) runs the
/// scaled form `max(0, S + x - n gamma)` (or `max(0, S + n gamma - x)` for `p1 < p0`)
/// against `h`, which lives on a lattice and so has exact run lengths.
#[derive(Debug, Clone, PartialEq)]
pub struct BinomialCusum {
    /// In-control success probability per trial.
    pub p0: f64,
    /// Out-of-control success probability per trial.
    pub p1: f64,
    /// Reference value `gamma` per trial.
    pub reference: f64,
    /// Alarm threshold `h` on the scaled statistic.
    pub threshold: f64,
    /// Starting value as a fraction of `h`, in `[0, 1)`.
    pub headstart_fraction: f64,
    /// Trials per period assumed by run-length calculations and designs.
    pub trials: u64,
}

/// Poisson CUSUM for per-period counts with exposure (Lucas 1985).
///
/// Rates are per unit of exposure (for instance escalations per task) and `e_t` is the
/// period's exposure (tasks that week). The reference value per unit exposure is
/// `k = (lambda1 - lambda0) / ln(lambda1 / lambda0)` ([`poisson_reference`]) unless
/// given directly. For increases the chart is `S = max(0, S + x_t - k e_t)`; for
/// decreases (`lambda1 < lambda0`) it is `S = max(0, S + k e_t - x_t)`. With the derived
/// `k` the log-likelihood-ratio CUSUM is `|ln(lambda1/lambda0)| * S`.
#[derive(Debug, Clone, PartialEq)]
pub struct PoissonCusum {
    /// In-control rate per unit exposure.
    pub lambda0: f64,
    /// Out-of-control rate per unit exposure.
    pub lambda1: f64,
    /// Reference value `k` per unit exposure.
    pub reference: f64,
    /// Alarm threshold `h` in counts.
    pub threshold: f64,
    /// Starting value as a fraction of `h`, in `[0, 1)`.
    pub headstart_fraction: f64,
    /// Exposure per period assumed by run-length calculations and designs.
    pub exposure: f64,
}

/// Which sides of a [`NormalCusum`] raise alarms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sides {
    /// Only `C+`, for increases.
    Upper,
    /// Only `C-`, for decreases.
    Lower,
    /// Both: an alarm when either side reaches `h`.
    Both,
}

/// Tabular CUSUM for standardized continuous scores `z` (in-control mean 0, sd 1):
/// `C+ = max(0, C+ + z - k)` and `C- = max(0, C- - z - k)`.
///
/// `k = shift / 2` is optimal for a mean shift of `shift` standard deviations, and the
/// log-likelihood-ratio CUSUM for that shift is `shift * C+`.
#[derive(Debug, Clone, PartialEq)]
pub struct NormalCusum {
    /// Reference value `k` in standard deviations.
    pub reference: f64,
    /// Alarm threshold `h` in standard deviations.
    pub threshold: f64,
    /// Starting value of each side as a fraction of `h`, in `[0, 1)`.
    pub headstart_fraction: f64,
    /// Mean shift, in standard deviations, that out-of-control run lengths refer to.
    pub shift: f64,
    /// Which sides raise alarms.
    pub sides: Sides,
}

/// Both statistics of a [`NormalCusum`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NormalStatistics {
    /// `C+`, evidence of an increase.
    pub upper: f64,
    /// `C-`, evidence of a decrease.
    pub lower: f64,
}

/// Paths of both sides of a [`NormalCusum`].
#[derive(Debug, Clone, PartialEq)]
pub struct NormalPath {
    /// `C+` after each observation, with its own first alarm.
    pub upper: ChartPath,
    /// `C-` after each observation, with its own first alarm.
    pub lower: ChartPath,
    /// The first alarm on any side the chart watches.
    pub first_alarm: Option<usize>,
}

/// Any chart, for run lengths, designs and simulations.
#[derive(Debug, Clone, PartialEq)]
pub enum Chart {
    /// A [`BernoulliCusum`].
    Bernoulli(BernoulliCusum),
    /// A [`BinomialCusum`].
    Binomial(BinomialCusum),
    /// A [`PoissonCusum`].
    Poisson(PoissonCusum),
    /// A [`NormalCusum`].
    Normal(NormalCusum),
}

/// The alarm rule shared by all charts: `statistic >= threshold`, up to rounding slack.
pub fn is_alarm(statistic: f64, threshold: f64) -> bool {
    statistic >= threshold - SLACK * threshold.abs().max(1.0)
}

/// Reynolds & Stoumbos' reference value
/// `gamma = ln((1 - p0)/(1 - p1)) / ln(p1 (1 - p0) / (p0 (1 - p1)))`, between `p0` and `p1`.
pub fn bernoulli_reference(p0: f64, p1: f64) -> f64 {
    ((1.0 - p0) / (1.0 - p1)).ln() / bernoulli_llr_factor(p0, p1)
}

/// Lucas' reference value `k = (lambda1 - lambda0) / ln(lambda1 / lambda0)` per unit
/// exposure, between `lambda0` and `lambda1`.
pub fn poisson_reference(lambda0: f64, lambda1: f64) -> f64 {
    (lambda1 - lambda0) / (lambda1 / lambda0).ln()
}

impl Chart {
    /// The alarm threshold `h`.
    pub fn threshold(&self) -> f64 {
        match self {
            Chart::Bernoulli(chart) => chart.threshold,
            Chart::Binomial(chart) => chart.threshold,
            Chart::Poisson(chart) => chart.threshold,
            Chart::Normal(chart) => chart.threshold,
        }
    }

    /// The headstart as a fraction of `h`.
    pub fn headstart_fraction(&self) -> f64 {
        match self {
            Chart::Bernoulli(chart) => chart.headstart_fraction,
            Chart::Binomial(chart) => chart.headstart_fraction,
            Chart::Poisson(chart) => chart.headstart_fraction,
            Chart::Normal(chart) => chart.headstart_fraction,
        }
    }

    /// The in-control parameter: `p0`, `lambda0` or mean 0.
    pub fn in_control_parameter(&self) -> f64 {
        match self {
            Chart::Bernoulli(chart) => chart.p0,
            Chart::Binomial(chart) => chart.p0,
            Chart::Poisson(chart) => chart.lambda0,
            Chart::Normal(_) => 0.0,
        }
    }

    /// The out-of-control parameter: `p1`, `lambda1`, or the mean shift (negative for a
    /// normal chart that watches only decreases).
    pub fn out_of_control_parameter(&self) -> f64 {
        match self {
            Chart::Bernoulli(chart) => chart.p1,
            Chart::Binomial(chart) => chart.p1,
            Chart::Poisson(chart) => chart.lambda1,
            Chart::Normal(chart) => match chart.sides {
                Sides::Lower => -chart.shift,
                Sides::Upper | Sides::Both => chart.shift,
            },
        }
    }

    /// The threshold on the log-likelihood-ratio scale.
    pub fn llr_threshold(&self) -> f64 {
        match self {
            Chart::Bernoulli(chart) => chart.llr_threshold(),
            Chart::Binomial(chart) => chart.llr_threshold(),
            Chart::Poisson(chart) => chart.llr_threshold(),
            Chart::Normal(chart) => chart.llr_threshold(),
        }
    }

    /// Checks every parameter of the chart.
    pub fn validate(&self) -> Result<()> {
        match self {
            Chart::Bernoulli(chart) => chart.validate(),
            Chart::Binomial(chart) => chart.validate(),
            Chart::Poisson(chart) => chart.validate(),
            Chart::Normal(chart) => chart.validate(),
        }
    }
}

impl BernoulliCusum {
    /// A chart for a change of the event probability from `p0` to `p1`, with the
    /// Reynolds–Stoumbos reference value.
    pub fn new(p0: f64, p1: f64, threshold: f64) -> Result<Self> {
        validate_probabilities(p0, p1)?;
        let chart = BernoulliCusum {
            p0,
            p1,
            reference: bernoulli_reference(p0, p1),
            threshold,
            headstart_fraction: 0.0,
        };
        chart.validate()?;
        Ok(chart)
    }

    /// The same chart with reference value `reference` instead of the derived one.
    pub fn with_reference(self, reference: f64) -> Result<Self> {
        let chart = BernoulliCusum { reference, ..self };
        chart.validate()?;
        Ok(chart)
    }

    /// The same chart started at `fraction * h`.
    pub fn with_headstart(self, fraction: f64) -> Result<Self> {
        let chart = BernoulliCusum {
            headstart_fraction: fraction,
            ..self
        };
        chart.validate()?;
        Ok(chart)
    }

    /// Checks every parameter of the chart.
    pub fn validate(&self) -> Result<()> {
        validate_probabilities(self.p0, self.p1)?;
        require(
            self.reference > 0.0 && self.reference < 1.0,
            "reference",
            "must lie strictly between 0 and 1",
        )?;
        validate_threshold(self.threshold, self.headstart_fraction)
    }

    /// [`Direction::Increase`] when `p1 > p0`.
    pub fn direction(&self) -> Direction {
        direction_of(self.p0, self.p1)
    }

    /// `|ln(p1 (1 - p0) / (p0 (1 - p1)))|`, the log-likelihood ratio per unit of the
    /// scaled statistic.
    pub fn llr_scale(&self) -> f64 {
        bernoulli_llr_factor(self.p0, self.p1).abs()
    }

    /// The threshold on the log-likelihood-ratio scale, `llr_scale() * h`.
    pub fn llr_threshold(&self) -> f64 {
        self.llr_scale() * self.threshold
    }

    /// The statistic's starting value, `headstart_fraction * h`.
    pub fn start(&self) -> f64 {
        self.headstart_fraction * self.threshold
    }

    /// The statistic after one more item; `event` is `X_t = 1`.
    pub fn update(&self, previous: f64, event: bool) -> f64 {
        let x = if event { 1.0 } else { 0.0 };
        let increment = match self.direction() {
            Direction::Increase => x - self.reference,
            Direction::Decrease => self.reference - x,
        };
        settle(previous + increment, self.threshold)
    }

    /// The statistic's path over a sequence of items.
    pub fn run(&self, events: &[bool]) -> ChartPath {
        run_path(self.start(), self.threshold, events, |previous, &event| {
            self.update(previous, event)
        })
    }

    /// Change point of the current excursion, with event fractions before and since.
    pub fn change_point(&self, events: &[bool]) -> Option<ChangePoint> {
        change_point_of(&self.run(events), |range| {
            let count = events[range.clone()].iter().filter(|&&event| event).count();
            count as f64 / range.len() as f64
        })
    }
}

impl BinomialCusum {
    /// A chart for a change of the success probability from `p0` to `p1`, with
    /// `trials` trials per period assumed for run lengths.
    pub fn new(p0: f64, p1: f64, trials: u64, threshold: f64) -> Result<Self> {
        validate_probabilities(p0, p1)?;
        let chart = BinomialCusum {
            p0,
            p1,
            reference: bernoulli_reference(p0, p1),
            threshold,
            headstart_fraction: 0.0,
            trials,
        };
        chart.validate()?;
        Ok(chart)
    }

    /// The same chart with reference value `reference` per trial.
    pub fn with_reference(self, reference: f64) -> Result<Self> {
        let chart = BinomialCusum { reference, ..self };
        chart.validate()?;
        Ok(chart)
    }

    /// The same chart started at `fraction * h`.
    pub fn with_headstart(self, fraction: f64) -> Result<Self> {
        let chart = BinomialCusum {
            headstart_fraction: fraction,
            ..self
        };
        chart.validate()?;
        Ok(chart)
    }

    /// Checks every parameter of the chart.
    pub fn validate(&self) -> Result<()> {
        validate_probabilities(self.p0, self.p1)?;
        require(
            self.reference > 0.0 && self.reference < 1.0,
            "reference",
            "must lie strictly between 0 and 1",
        )?;
        require(self.trials >= 1, "trials", "must be at least 1")?;
        validate_threshold(self.threshold, self.headstart_fraction)
    }

    /// [`Direction::Increase`] when `p1 > p0`.
    pub fn direction(&self) -> Direction {
        direction_of(self.p0, self.p1)
    }

    /// `|ln(p1 (1 - p0) / (p0 (1 - p1)))|`, the log-likelihood ratio per unit of the
    /// scaled statistic.
    pub fn llr_scale(&self) -> f64 {
        bernoulli_llr_factor(self.p0, self.p1).abs()
    }

    /// The threshold on the log-likelihood-ratio scale, `llr_scale() * h`.
    pub fn llr_threshold(&self) -> f64 {
        self.llr_scale() * self.threshold
    }

    /// The statistic's starting value, `headstart_fraction * h`.
    pub fn start(&self) -> f64 {
        self.headstart_fraction * self.threshold
    }

    /// Log-likelihood ratio of `successes` out of `trials` for `p1` against `p0`.
    pub fn llr_increment(&self, successes: u64, trials: u64) -> f64 {
        let x = successes as f64;
        let failures = trials as f64 - x;
        x * (self.p1 / self.p0).ln() + failures * ((1.0 - self.p1) / (1.0 - self.p0)).ln()
    }

    /// The scaled statistic after one more period; `successes` must not exceed `trials`.
    pub fn update(&self, previous: f64, successes: u64, trials: u64) -> f64 {
        let excess = successes as f64 - trials as f64 * self.reference;
        let increment = match self.direction() {
            Direction::Increase => excess,
            Direction::Decrease => -excess,
        };
        settle(previous + increment, self.threshold)
    }

    /// The scaled statistic's path over `(successes, trials)` periods.
    pub fn run(&self, periods: &[(u64, u64)]) -> ChartPath {
        run_path(
            self.start(),
            self.threshold,
            periods,
            |previous, &(successes, trials)| self.update(previous, successes, trials),
        )
    }

    /// The log-likelihood-ratio form `max(0, W + llr_increment)`, started at
    /// `headstart_fraction * llr_threshold()` and compared with `llr_threshold()`.
    pub fn run_log_likelihood(&self, periods: &[(u64, u64)]) -> ChartPath {
        let threshold = self.llr_threshold();
        run_path(
            self.headstart_fraction * threshold,
            threshold,
            periods,
            |previous, &(successes, trials)| {
                settle(previous + self.llr_increment(successes, trials), threshold)
            },
        )
    }

    /// Change point of the current excursion, with successes per trial before and since.
    pub fn change_point(&self, periods: &[(u64, u64)]) -> Option<ChangePoint> {
        change_point_of(&self.run(periods), |range| {
            let (successes, trials) = periods[range]
                .iter()
                .fold((0u64, 0u64), |(s, n), &(x, t)| (s + x, n + t));
            successes as f64 / trials.max(1) as f64
        })
    }
}

impl PoissonCusum {
    /// A chart for a change of the rate per unit exposure from `lambda0` to `lambda1`,
    /// with Lucas' reference value and `exposure` per period assumed for run lengths.
    pub fn new(lambda0: f64, lambda1: f64, exposure: f64, threshold: f64) -> Result<Self> {
        validate_rates(lambda0, lambda1)?;
        let chart = PoissonCusum {
            lambda0,
            lambda1,
            reference: poisson_reference(lambda0, lambda1),
            threshold,
            headstart_fraction: 0.0,
            exposure,
        };
        chart.validate()?;
        Ok(chart)
    }

    /// The same chart with reference value `reference` per unit exposure; the direction
    /// still follows `lambda1` against `lambda0`.
    pub fn with_reference(self, reference: f64) -> Result<Self> {
        let chart = PoissonCusum { reference, ..self };
        chart.validate()?;
        Ok(chart)
    }

    /// The same chart started at `fraction * h`.
    pub fn with_headstart(self, fraction: f64) -> Result<Self> {
        let chart = PoissonCusum {
            headstart_fraction: fraction,
            ..self
        };
        chart.validate()?;
        Ok(chart)
    }

    /// Checks every parameter of the chart.
    pub fn validate(&self) -> Result<()> {
        validate_rates(self.lambda0, self.lambda1)?;
        require(
            self.reference.is_finite() && self.reference > 0.0,
            "reference",
            "must be positive and finite",
        )?;
        require(
            self.exposure.is_finite() && self.exposure > 0.0,
            "exposure",
            "must be positive and finite",
        )?;
        validate_threshold(self.threshold, self.headstart_fraction)
    }

    /// [`Direction::Increase`] when `lambda1 > lambda0`.
    pub fn direction(&self) -> Direction {
        direction_of(self.lambda0, self.lambda1)
    }

    /// `|ln(lambda1 / lambda0)|`, the log-likelihood ratio per count.
    pub fn llr_scale(&self) -> f64 {
        (self.lambda1 / self.lambda0).ln().abs()
    }

    /// The threshold on the log-likelihood-ratio scale, `llr_scale() * h`.
    pub fn llr_threshold(&self) -> f64 {
        self.llr_scale() * self.threshold
    }

    /// The statistic's starting value, `headstart_fraction * h`.
    pub fn start(&self) -> f64 {
        self.headstart_fraction * self.threshold
    }

    /// The statistic after one more period with `count` events over `exposure`.
    pub fn update(&self, previous: f64, count: u64, exposure: f64) -> f64 {
        let excess = count as f64 - self.reference * exposure;
        let increment = match self.direction() {
            Direction::Increase => excess,
            Direction::Decrease => -excess,
        };
        settle(previous + increment, self.threshold)
    }

    /// The statistic's path over `(count, exposure)` periods.
    pub fn run(&self, periods: &[(u64, f64)]) -> ChartPath {
        run_path(
            self.start(),
            self.threshold,
            periods,
            |previous, &(count, exposure)| self.update(previous, count, exposure),
        )
    }

    /// Change point of the current excursion, with counts per unit exposure before and
    /// since.
    pub fn change_point(&self, periods: &[(u64, f64)]) -> Option<ChangePoint> {
        change_point_of(&self.run(periods), |range| {
            let (count, exposure) = periods[range]
                .iter()
                .fold((0u64, 0.0), |(c, e), &(x, t)| (c + x, e + t));
            count as f64 / exposure
        })
    }
}

impl NormalCusum {
    /// A chart tuned to a mean shift of `shift` standard deviations: `k = shift / 2`.
    pub fn new(shift: f64, threshold: f64, sides: Sides) -> Result<Self> {
        let chart = NormalCusum {
            reference: shift / 2.0,
            threshold,
            headstart_fraction: 0.0,
            shift,
            sides,
        };
        chart.validate()?;
        Ok(chart)
    }

    /// The same chart with reference value `reference` instead of `shift / 2`.
    pub fn with_reference(self, reference: f64) -> Result<Self> {
        let chart = NormalCusum { reference, ..self };
        chart.validate()?;
        Ok(chart)
    }

    /// The same chart with both sides started at `fraction * h`.
    pub fn with_headstart(self, fraction: f64) -> Result<Self> {
        let chart = NormalCusum {
            headstart_fraction: fraction,
            ..self
        };
        chart.validate()?;
        Ok(chart)
    }

    /// Checks every parameter of the chart.
    pub fn validate(&self) -> Result<()> {
        require(
            self.shift.is_finite() && self.shift > 0.0,
            "shift",
            "must be positive and finite",
        )?;
        require(
            self.reference.is_finite() && self.reference >= 0.0,
            "reference",
            "must be non-negative and finite",
        )?;
        validate_threshold(self.threshold, self.headstart_fraction)
    }

    /// The shift, which is the log-likelihood ratio per unit of `C+` when `k = shift/2`.
    pub fn llr_scale(&self) -> f64 {
        self.shift
    }

    /// The threshold on the log-likelihood-ratio scale, `shift * h`.
    pub fn llr_threshold(&self) -> f64 {
        self.shift * self.threshold
    }

    /// Both statistics' starting value, `headstart_fraction * h`.
    pub fn start(&self) -> NormalStatistics {
        let start = self.headstart_fraction * self.threshold;
        NormalStatistics {
            upper: start,
            lower: start,
        }
    }

    /// Both statistics after one more standardized score `z`.
    pub fn update(&self, previous: NormalStatistics, z: f64) -> NormalStatistics {
        NormalStatistics {
            upper: settle(previous.upper + z - self.reference, self.threshold),
            lower: settle(previous.lower - z - self.reference, self.threshold),
        }
    }

    /// Both statistics' paths over a sequence of scores.
    pub fn run(&self, scores: &[f64]) -> NormalPath {
        let start = self.start();
        let upper = run_path(start.upper, self.threshold, scores, |previous, &z| {
            settle(previous + z - self.reference, self.threshold)
        });
        let lower = run_path(start.lower, self.threshold, scores, |previous, &z| {
            settle(previous - z - self.reference, self.threshold)
        });
        let first_alarm = match self.sides {
            Sides::Upper => upper.first_alarm,
            Sides::Lower => lower.first_alarm,
            Sides::Both => match (upper.first_alarm, lower.first_alarm) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            },
        };
        NormalPath {
            upper,
            lower,
            first_alarm,
        }
    }

    /// Change point of the watched side that alarmed first or, without an alarm, that
    /// stands highest; rates are mean scores before and since.
    pub fn change_point(&self, scores: &[f64]) -> Option<ChangePoint> {
        let path = self.run(scores);
        let side = match (self.sides, path.first_alarm) {
            (Sides::Upper, _) => &path.upper,
            (Sides::Lower, _) => &path.lower,
            (Sides::Both, Some(alarm)) => {
                if path.upper.first_alarm == Some(alarm) {
                    &path.upper
                } else {
                    &path.lower
                }
            }
            (Sides::Both, None) => {
                let last = |p: &ChartPath| p.statistics.last().copied().unwrap_or(0.0);
                if last(&path.upper) >= last(&path.lower) {
                    &path.upper
                } else {
                    &path.lower
                }
            }
        };
        change_point_of(side, |range| {
            scores[range.clone()].iter().sum::<f64>() / range.len() as f64
        })
    }
}

/// Relative slack of the alarm and zero comparisons (see the module docs).
const SLACK: f64 = 1e-9;

/// `ln(p1 (1 - p0) / (p0 (1 - p1)))`, negative when `p1 < p0`.
fn bernoulli_llr_factor(p0: f64, p1: f64) -> f64 {
    (p1 * (1.0 - p0) / (p0 * (1.0 - p1))).ln()
}

fn direction_of(in_control: f64, out_of_control: f64) -> Direction {
    if out_of_control > in_control {
        Direction::Increase
    } else {
        Direction::Decrease
    }
}

/// Applies the reflecting barrier at zero, treating rounding residue as zero.
fn settle(value: f64, threshold: f64) -> f64 {
    if value <= SLACK * threshold.abs().max(1.0) {
        0.0
    } else {
        value
    }
}

fn run_path<T>(
    start: f64,
    threshold: f64,
    observations: &[T],
    mut step: impl FnMut(f64, &T) -> f64,
) -> ChartPath {
    let mut statistic = start;
    let mut first_alarm = None;
    let statistics = observations
        .iter()
        .enumerate()
        .map(|(t, observation)| {
            statistic = step(statistic, observation);
            if first_alarm.is_none() && is_alarm(statistic, threshold) {
                first_alarm = Some(t);
            }
            statistic
        })
        .collect();
    ChartPath {
        statistics,
        first_alarm,
    }
}

/// The change point of a path: the period right after the statistic was last zero
/// before the first alarm (or before the latest observation when there is no alarm).
/// `None` when the statistic is zero at that point, so there is no excursion to date.
fn change_point_of(path: &ChartPath, rate: impl Fn(Range<usize>) -> f64) -> Option<ChangePoint> {
    let end = path.first_alarm.or(path.statistics.len().checked_sub(1))?;
    if path.statistics[end] <= 0.0 {
        return None;
    }
    let index = path.statistics[..end]
        .iter()
        .rposition(|&statistic| statistic <= 0.0)
        .map_or(0, |last_zero| last_zero + 1);
    Some(ChangePoint {
        index,
        end,
        rate_before: (index > 0).then(|| rate(0..index)),
        rate_since: rate(index..end + 1),
    })
}

fn validate_probabilities(p0: f64, p1: f64) -> Result<()> {
    require(
        p0 > 0.0 && p0 < 1.0,
        "p0",
        "must lie strictly between 0 and 1",
    )?;
    require(
        p1 > 0.0 && p1 < 1.0,
        "p1",
        "must lie strictly between 0 and 1",
    )?;
    require(p0 != p1, "p1", "must differ from p0")
}

fn validate_rates(lambda0: f64, lambda1: f64) -> Result<()> {
    require(
        lambda0.is_finite() && lambda0 > 0.0,
        "lambda0",
        "must be positive and finite",
    )?;
    require(
        lambda1.is_finite() && lambda1 > 0.0,
        "lambda1",
        "must be positive and finite",
    )?;
    require(lambda0 != lambda1, "lambda1", "must differ from lambda0")
}

fn validate_threshold(threshold: f64, headstart_fraction: f64) -> Result<()> {
    require(
        threshold.is_finite() && threshold > 0.0,
        "threshold",
        "must be positive and finite",
    )?;
    require(
        (0.0..1.0).contains(&headstart_fraction),
        "headstart_fraction",
        "must lie in [0, 1)",
    )
}

#[cfg(test)]
mod tests {
    use super::super::sim::Rng;
    use super::*;

    #[test]
    fn bernoulli_reference_lies_between_the_probabilities() {
        for (p0, p1) in [(0.01, 0.02), (0.1, 0.3), (0.3, 0.1), (0.5, 0.45)] {
            let gamma = bernoulli_reference(p0, p1);
            assert!(
                gamma > p0.min(p1) && gamma < p0.max(p1),
                "{p0} {p1} {gamma}"
            );
        }
        // The decrease chart is the increase chart for the complementary event.
        let gamma = bernoulli_reference(0.3, 0.1);
        let complement = bernoulli_reference(0.7, 0.9);
        assert!((gamma + complement - 1.0).abs() < 1e-12);
    }

    #[test]
    fn scaled_and_log_likelihood_forms_agree() {
        let chart = BinomialCusum::new(0.2, 0.1, 50, 3.0).unwrap();
        let periods = [(10, 50), (4, 40), (3, 50), (2, 60), (9, 45), (1, 30)];
        let scaled = chart.run(&periods);
        let llr = chart.run_log_likelihood(&periods);
        for (s, l) in scaled.statistics.iter().zip(&llr.statistics) {
            assert!((s * chart.llr_scale() - l).abs() < 1e-9, "{s} {l}");
        }
        assert_eq!(scaled.first_alarm, llr.first_alarm);
        // A Bernoulli chart is a binomial chart with one trial per period.
        let bernoulli = BernoulliCusum::new(0.2, 0.1, 3.0).unwrap();
        let events = [true, false, false, true, false, false, false];
        let as_counts: Vec<(u64, u64)> = events.iter().map(|&e| (u64::from(e), 1)).collect();
        let binomial = BinomialCusum::new(0.2, 0.1, 1, 3.0).unwrap();
        assert_eq!(bernoulli.run(&events), binomial.run(&as_counts));
    }

    #[test]
    fn poisson_sides_accumulate_in_opposite_directions() {
        let upper = PoissonCusum::new(0.04, 0.08, 100.0, 5.0).unwrap();
        assert_eq!(upper.direction(), Direction::Increase);
        let path = upper.run(&[(8, 100.0), (0, 100.0), (9, 100.0), (8, 100.0)]);
        let k = upper.reference * 100.0;
        let expected = [8.0 - k, 0.0, 9.0 - k, 17.0 - 2.0 * k];
        for (actual, wanted) in path.statistics.iter().zip(expected) {
            assert!((actual - wanted).abs() < 1e-12, "{path:?}");
        }
        assert_eq!(path.first_alarm, Some(3));
        let lower = PoissonCusum::new(0.15, 0.04, 100.0, 5.0).unwrap();
        let k = lower.reference * 100.0;
        let path = lower.run(&[(20, 100.0), (5, 100.0), (6, 100.0)]);
        let expected = [0.0, k - 5.0, 2.0 * k - 11.0];
        for (actual, wanted) in path.statistics.iter().zip(expected) {
            assert!((actual - wanted).abs() < 1e-12, "{path:?}");
        }
        assert_eq!(path.first_alarm, Some(2));
    }

    #[test]
    fn headstart_sets_the_starting_value() {
        let chart = NormalCusum::new(1.0, 4.0, Sides::Both)
            .unwrap()
            .with_headstart(0.5)
            .unwrap();
        let path = chart.run(&[0.5, 0.0]);
        assert_eq!(path.upper.statistics, vec![2.0, 1.5]);
        assert_eq!(path.lower.statistics, vec![1.0, 0.5]);
        assert!(BernoulliCusum::new(0.1, 0.2, 4.0)
            .unwrap()
            .with_headstart(1.0)
            .is_err());
    }

    #[test]
    fn alarm_is_statistic_at_or_above_threshold() {
        assert!(is_alarm(4.0, 4.0));
        assert!(is_alarm(0.1 + 0.2, 0.3));
        assert!(!is_alarm(3.999, 4.0));
        let chart = NormalCusum::new(1.0, 1.0, Sides::Upper).unwrap();
        assert_eq!(chart.run(&[1.0, 1.0, 0.5]).first_alarm, Some(1));
    }

    #[test]
    fn change_point_is_the_period_after_the_last_zero() {
        let chart = NormalCusum::new(1.0, 3.0, Sides::Both).unwrap();
        let scores = [0.2, 1.0, -2.0, 1.5, 2.0, 0.0, 2.0];
        // C+ : 0, 0.5, 0, 1.0, 2.5, 2.0, 3.5 -> last zero at 2, alarm at 6.
        let estimate = chart.change_point(&scores).unwrap();
        assert_eq!((estimate.index, estimate.end), (3, 6));
        assert!((estimate.rate_since - 5.5 / 4.0).abs() < 1e-12);
        assert!((estimate.rate_before.unwrap() - (-0.8 / 3.0)).abs() < 1e-12);
        assert_eq!(chart.change_point(&[0.0, -0.1, 0.3]), None);
    }

    fn check_change_point(shift_at: usize, estimate: Option<ChangePoint>) {
        let estimate = estimate.expect("a large shift must produce an excursion");
        assert!(
            estimate.index.abs_diff(shift_at) <= 1,
            "estimated {} for a shift at {shift_at}",
            estimate.index
        );
    }

    #[test]
    fn large_shifts_are_located_within_one_period() {
        let mut rng = Rng::new(20);
        let shift_at = 20;
        // Escalation counts per 100 tasks jump from 2 to 10.
        let chart = PoissonCusum::new(0.02, 0.10, 100.0, 8.0).unwrap();
        let periods: Vec<(u64, f64)> = (0..30)
            .map(|t| {
                let mean = if t < shift_at { 2.0 } else { 10.0 };
                (rng.poisson(mean), 100.0)
            })
            .collect();
        let estimate = chart.change_point(&periods);
        check_change_point(shift_at, estimate.clone());
        let estimate = estimate.unwrap();
        assert!(estimate.rate_since > 0.06 && estimate.rate_before.unwrap() < 0.04);
        // Standardized scores drop by three standard deviations.
        let chart = NormalCusum::new(3.0, 5.0, Sides::Both).unwrap();
        let scores: Vec<f64> = (0..30)
            .map(|t| rng.normal() - if t < shift_at { 0.0 } else { 3.0 })
            .collect();
        check_change_point(shift_at, chart.change_point(&scores));
        // Failure rate per item rises from 2% to 50%.
        let chart = BernoulliCusum::new(0.02, 0.5, 4.0).unwrap();
        let events: Vec<bool> = (0..40)
            .map(|t| rng.bernoulli(if t < shift_at { 0.02 } else { 0.5 }))
            .collect();
        check_change_point(shift_at, chart.change_point(&events));
    }
}
