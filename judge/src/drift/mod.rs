//! Drift detection for judge metrics: CUSUM charts, exact run lengths and threshold design.
//!
//! The module watches per-item pass/fail outcomes, per-period counts and standardized
//! scores for sustained changes, and sizes each chart's alarm threshold so that false
//! alarms stay within a stated budget.
//!
//! * [`charts`]: the charts themselves. [`BernoulliCusum`] follows Reynolds & Stoumbos
//!   (1999), [`PoissonCusum`] follows Lucas (1985), [`BinomialCusum`] is the
//!   log-likelihood-ratio CUSUM of Page (1954) for counts out of a varying number of
//!   trials, and [`NormalCusum`] is the tabular chart for standardized scores. Every chart
//!   takes an optional fast-initial-response headstart (Lucas & Crosier 1982).
//! * [`arl`]: run-length mean and standard deviation from the Markov chain of
//!   Brook & Evans (1972), exact on the integer lattice for the discrete charts and a
//!   Gauss–Legendre Nyström solution of the integral equation for the normal chart; two
//!   sides combined exactly from the one-sided chains (Lucas & Crosier 1982), refused
//!   when a headstart lets the sides interact.
//! * [`design`]: the smallest threshold whose in-control average run length meets a target.
//! * [`budget`]: turns one system-wide false-alarm budget into per-stream targets.
//! * [`sim`]: a deterministic random number generator, Monte Carlo run lengths and a
//!   simulator for the naive "count fell 30% below baseline" rule.
//!
//! Conventions shared by every chart: a one-sided statistic starts at its headstart,
//! never drops below zero, and signals an alarm at the first period where it is greater
//! than or equal to the threshold `h`. Run lengths count observations up to and including
//! the alarming one.

pub mod arl;
pub mod budget;
pub mod charts;
pub mod design;
pub mod sim;

mod lattice;
mod linalg;
mod special;

pub use arl::{
    run_length, run_length_with, two_sided_run_length, two_sided_run_length_with, ArlOptions,
    RunLength,
};
pub use budget::{per_stream_arl0, periods_between_false_alarms, split_alarm_budget};
pub use charts::{
    bernoulli_reference, is_alarm, poisson_reference, BernoulliCusum, BinomialCusum, ChangePoint,
    Chart, ChartPath, Direction, NormalCusum, NormalPath, NormalStatistics, PoissonCusum, Sides,
};
pub use design::{design_threshold, design_threshold_with, Design};
pub use lattice::Lattice;
pub use sim::{
    simulate_naive_drop_rule, simulate_poisson_cusum, simulate_run_length, DetectionOutcome,
    MonteCarloOptions, Rng, RunLengthEstimate, ShiftScenario,
};

use std::fmt;

/// Everything that can go wrong in the drift module.
#[derive(Debug, Clone, PartialEq)]
pub enum DriftError {
    /// A chart, design or simulation parameter is outside its valid range.
    InvalidParameter {
        /// The parameter's name as it appears in the API.
        name: &'static str,
        /// What the parameter must satisfy.
        requirement: &'static str,
    },
    /// The chart can never reach its threshold under the given parameter, so its run
    /// length is infinite and the Markov chain's linear system is singular.
    InfiniteRunLength,
    /// The discretized chart would need more states than the configured limit.
    TooManyStates {
        /// States the chart would need.
        needed: usize,
        /// The configured limit ([`ArlOptions::max_states`]).
        limit: usize,
    },
    /// No threshold within reach gives the requested in-control average run length.
    TargetUnreachable {
        /// The requested in-control average run length.
        target: f64,
    },
    /// The two sides of a two-sided scheme can both be above zero when one of them
    /// signals (a headstart above `h/2 + k`), so they interact and the exact two-sided
    /// run length is not available from the one-sided ones.
    SidesInteract {
        /// The largest headstart, common to both sides, for which it is available.
        largest_headstart: f64,
    },
}

impl fmt::Display for DriftError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DriftError::InvalidParameter { name, requirement } => {
                write!(formatter, "invalid parameter {name}: {requirement}")
            }
            DriftError::InfiniteRunLength => write!(
                formatter,
                "run length is infinite: the chart cannot reach its threshold"
            ),
            DriftError::TooManyStates { needed, limit } => write!(
                formatter,
                "chart needs {needed} markov chain states, more than the limit of {limit}"
            ),
            DriftError::TargetUnreachable { target } => write!(
                formatter,
                "no threshold reaches an in-control average run length of {target}"
            ),
            DriftError::SidesInteract { largest_headstart } => write!(
                formatter,
                "the two sides interact: with a headstart above {largest_headstart:.4} (h/2 + k) \
                 both can be above zero when one signals, and the two-sided run length is not \
                 computed"
            ),
        }
    }
}

impl std::error::Error for DriftError {}

/// Shorthand used throughout the module.
pub type Result<T> = std::result::Result<T, DriftError>;

/// Returns an [`DriftError::InvalidParameter`] unless `condition` holds.
fn require(condition: bool, name: &'static str, requirement: &'static str) -> Result<()> {
    if condition {
        Ok(())
    } else {
        Err(DriftError::InvalidParameter { name, requirement })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_messages_are_lowercase_without_trailing_period() {
        let errors = [
            DriftError::InvalidParameter {
                name: "p0",
                requirement: "must lie strictly between 0 and 1",
            },
            DriftError::InfiniteRunLength,
            DriftError::TooManyStates {
                needed: 10,
                limit: 5,
            },
            DriftError::TargetUnreachable { target: 100.0 },
            DriftError::SidesInteract {
                largest_headstart: 2.5,
            },
        ];
        for error in errors {
            let message = error.to_string();
            assert!(!message.ends_with('.'), "{message}");
            assert_eq!(message, message.to_lowercase(), "{message}");
        }
    }
}
