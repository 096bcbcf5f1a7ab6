//! Threshold design: the smallest threshold whose in-control run length meets a target.
//!
//! Discrete charts are designed on their lattice: the reference value is moved to a
//! nearby fraction `a/q`, rounded towards the in-control side (up for an increase chart,
//! down for a decrease chart) so the statistic can only get smaller, and `h` ranges over
//! the grid `H/q`, which holds every threshold that makes a difference to such a chart.
//! The returned chart carries that reference value, so its reported run lengths are
//! exact. One factorization of the largest chain serves the whole search, because the
//! chain for a lower threshold is a leading block of it (see the banded solver).
//!
//! Without a headstart, a log-likelihood-ratio threshold of `ln(target)` always suffices:
//! every excursion from zero of a CUSUM is a sequential probability ratio test, which
//! Wald's bound lets reach `e^{h_llr}` with probability at most `e^{-h_llr}` in control,
//! so `ARL0 >= e^{h_llr}`. Rounding the reference value towards the in-control side
//! keeps that bound, and it seeds the search.
//!
//! Because counts are integers, a discrete chart's in-control ARL is a step function of
//! `h` with steps that can be large, so the achieved ARL0 may exceed the target
//! noticeably: the escalation scenario's target of 104 weeks is met at 122.9 weeks by
//! the smallest threshold that meets it at all.
//!
//! The normal chart's threshold is continuous and found by bisection to a relative
//! precision of 1e-9, returning the upper end of the final bracket.

use super::arl::{
    check_states, factor_lattice_chain, lattice_arl, lattice_run_length, lattice_steps,
    normal_run_length, validate_options, ArlOptions, LatticeModel, RunLength,
};
use super::charts::{Chart, Direction, NormalCusum};
use super::lattice::{choose_lattice, Lattice, Rounding};
use super::{require, DriftError, Result};

/// A designed chart with its run lengths.
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    /// The input chart with the designed threshold, and for discrete charts the
    /// reference value and headstart moved onto the lattice.
    pub chart: Chart,
    /// The designed threshold `h`.
    pub threshold: f64,
    /// The designed threshold on the log-likelihood-ratio scale.
    pub llr_threshold: f64,
    /// Run length at the in-control parameter; its `arl` meets the target.
    pub in_control: RunLength,
    /// Run length at the chart's out-of-control parameter (`p1`, `lambda1`, or the shift).
    pub out_of_control: RunLength,
    /// The lattice of a discrete chart; `None` for the normal chart.
    pub lattice: Option<Lattice>,
}

/// Designs `chart`'s threshold for an in-control average run length of at least
/// `target_arl0` periods, with default options. The chart's own threshold is ignored;
/// its headstart is kept as a fraction of the new threshold.
///
/// The result is the smallest threshold on the chart's grid meeting the target whenever
/// the in-control run length increases with `h`, which holds path by path without a
/// headstart.
pub fn design_threshold(chart: &Chart, target_arl0: f64) -> Result<Design> {
    design_threshold_with(chart, target_arl0, &ArlOptions::default())
}

/// [`design_threshold`] with explicit accuracy options.
pub fn design_threshold_with(
    chart: &Chart,
    target_arl0: f64,
    options: &ArlOptions,
) -> Result<Design> {
    chart.validate()?;
    validate_options(options)?;
    require(
        target_arl0.is_finite() && target_arl0 > 1.0,
        "target_arl0",
        "must be finite and greater than 1",
    )?;
    match chart {
        Chart::Normal(normal) => design_normal(normal, target_arl0, options),
        _ => design_lattice(chart, target_arl0, options),
    }
}

/// How far the threshold search may double past the Wald seed before giving up.
const MAX_DOUBLINGS: u32 = 8;

fn design_lattice(chart: &Chart, target: f64, options: &ArlOptions) -> Result<Design> {
    let model = LatticeModel::of(chart).expect("every other chart is discrete");
    let in_control = model.distribution(chart.in_control_parameter())?;
    let out_of_control = model.distribution(chart.out_of_control_parameter())?;
    let fraction = model.headstart_fraction;
    // The Wald threshold, enlarged for a headstart that shortens the first excursion.
    let wald_threshold = target.ln() / model.llr_scale / (1.0 - fraction);
    let rounding = match model.direction {
        Direction::Increase => Rounding::Up,
        Direction::Decrease => Rounding::Down,
    };
    // Leave room for one doubling of the seed within the state budget.
    let lattice = choose_lattice(
        model.reference,
        rounding,
        options.tolerance,
        model.denominator_cap(2.0 * wald_threshold, options)?,
    )?;
    let start_for = |states: usize| ((fraction * states as f64).floor() as usize).min(states - 1);
    let mut top = (lattice.index_at_or_above(wald_threshold) as usize).max(1);
    for _ in 0..=MAX_DOUBLINGS {
        check_states(top, options)?;
        let steps = lattice_steps(model.direction, &lattice, &in_control, top);
        let factors = factor_lattice_chain(&steps, top)?;
        let arl_at = |states: usize| lattice_arl(&factors, states, start_for(states));
        if arl_at(top) < target {
            top *= 2;
            continue;
        }
        let (mut below, mut above) = (0, top);
        while above - below > 1 {
            let middle = below + (above - below) / 2;
            if arl_at(middle) >= target {
                above = middle;
            } else {
                below = middle;
            }
        }
        let states = above;
        let start = start_for(states);
        let in_control_run = lattice_run_length(&factors, states, start);
        let out_steps = lattice_steps(model.direction, &lattice, &out_of_control, states);
        let out_factors = factor_lattice_chain(&out_steps, states)?;
        let out_of_control_run = lattice_run_length(&out_factors, states, start);
        let threshold = states as f64 / lattice.denominator as f64;
        let designed = on_lattice(
            chart,
            lattice.reference(),
            threshold,
            start as f64 / states as f64,
        );
        designed.validate()?;
        return Ok(Design {
            llr_threshold: designed.llr_threshold(),
            chart: designed,
            threshold,
            in_control: in_control_run,
            out_of_control: out_of_control_run,
            lattice: Some(lattice),
        });
    }
    Err(DriftError::TargetUnreachable { target })
}

/// The discrete `chart` with per-period reference value `reference`, threshold and
/// headstart fraction replaced.
fn on_lattice(chart: &Chart, reference: f64, threshold: f64, headstart_fraction: f64) -> Chart {
    match chart {
        Chart::Bernoulli(c) => {
            let mut c = c.clone();
            c.reference = reference;
            c.threshold = threshold;
            c.headstart_fraction = headstart_fraction;
            Chart::Bernoulli(c)
        }
        Chart::Binomial(c) => {
            let mut c = c.clone();
            c.reference = reference / c.trials as f64;
            c.threshold = threshold;
            c.headstart_fraction = headstart_fraction;
            Chart::Binomial(c)
        }
        Chart::Poisson(c) => {
            let mut c = c.clone();
            c.reference = reference / c.exposure;
            c.threshold = threshold;
            c.headstart_fraction = headstart_fraction;
            Chart::Poisson(c)
        }
        Chart::Normal(_) => unreachable!("normal charts have no lattice"),
    }
}

fn design_normal(chart: &NormalCusum, target: f64, options: &ArlOptions) -> Result<Design> {
    let nodes = options.quadrature_nodes;
    let with_threshold = |threshold: f64| NormalCusum {
        threshold,
        ..chart.clone()
    };
    let arl0 = |threshold: f64| -> Result<f64> {
        Ok(normal_run_length(&with_threshold(threshold), 0.0, nodes)?.arl)
    };
    let (mut below, mut above) = (0.0, 1.0);
    let mut doublings = 0;
    while arl0(above)? < target {
        below = above;
        above *= 2.0;
        doublings += 1;
        // Thresholds beyond about 60 standard deviations mean ARLs past f64's reach.
        if doublings > 6 {
            return Err(DriftError::TargetUnreachable { target });
        }
    }
    while above - below > 1e-9 * above {
        let middle = 0.5 * (below + above);
        if arl0(middle)? >= target {
            above = middle;
        } else {
            below = middle;
        }
    }
    let designed = with_threshold(above);
    let design_chart = Chart::Normal(designed.clone());
    let in_control = normal_run_length(&designed, 0.0, nodes)?;
    let out_of_control =
        normal_run_length(&designed, design_chart.out_of_control_parameter(), nodes)?;
    Ok(Design {
        llr_threshold: designed.llr_threshold(),
        chart: design_chart,
        threshold: above,
        in_control,
        out_of_control,
        lattice: None,
    })
}

#[cfg(test)]
mod tests {
    use super::super::arl::run_length;
    use super::super::charts::{BernoulliCusum, BinomialCusum, PoissonCusum, Sides};
    use super::*;

    fn check(label: &str, actual: f64, expected: f64, relative_tolerance: f64) {
        let error = ((actual - expected) / expected).abs();
        assert!(
            error <= relative_tolerance,
            "{label}: got {actual}, expected {expected} (relative error {error:.2e})"
        );
    }

    fn charts() -> Vec<Chart> {
        vec![
            Chart::Bernoulli(BernoulliCusum::new(0.05, 0.10, 1.0).unwrap()),
            Chart::Bernoulli(BernoulliCusum::new(0.20, 0.10, 1.0).unwrap()),
            Chart::Bernoulli(
                BernoulliCusum::new(0.02, 0.06, 1.0)
                    .unwrap()
                    .with_headstart(0.5)
                    .unwrap(),
            ),
            Chart::Binomial(BinomialCusum::new(0.1, 0.2, 20, 1.0).unwrap()),
            Chart::Binomial(BinomialCusum::new(0.3, 0.2, 12, 1.0).unwrap()),
            Chart::Poisson(PoissonCusum::new(4.0, 8.0, 1.0, 1.0).unwrap()),
            Chart::Poisson(PoissonCusum::new(0.15, 0.04, 100.0, 1.0).unwrap()),
            Chart::Poisson(PoissonCusum::new(0.5, 1.5, 2.0, 1.0).unwrap()),
            Chart::Normal(NormalCusum::new(1.0, 1.0, Sides::Upper).unwrap()),
            Chart::Normal(NormalCusum::new(1.0, 1.0, Sides::Both).unwrap()),
            Chart::Normal(NormalCusum::new(2.0, 1.0, Sides::Lower).unwrap()),
        ]
    }

    #[test]
    fn designs_meet_the_target_and_the_wald_bound() {
        for target in [104.0, 500.0] {
            for chart in charts() {
                let design = design_threshold(&chart, target).unwrap();
                let arl0 = design.in_control.arl;
                assert!(arl0 >= target, "{chart:?}: arl0 {arl0} below {target}");
                if chart.headstart_fraction() == 0.0 {
                    assert!(
                        arl0 >= design.llr_threshold.exp(),
                        "{chart:?}: arl0 {arl0} below the wald bound e^{}",
                        design.llr_threshold
                    );
                }
                assert!(design.out_of_control.arl < arl0);
                // The designed chart reproduces its own run lengths.
                let again = run_length(&design.chart, chart.in_control_parameter()).unwrap();
                check("recomputed arl0", again.arl, arl0, 1e-9);
            }
        }
    }

    #[test]
    fn discrete_designs_are_the_smallest_grid_threshold() {
        for chart in charts()
            .into_iter()
            .filter(|c| !matches!(c, Chart::Normal(_)))
        {
            let design = design_threshold(&chart, 200.0).unwrap();
            let lattice = design.lattice.unwrap();
            let step = 1.0 / lattice.denominator as f64;
            if design.threshold - step <= 0.0 {
                continue;
            }
            let smaller = match &design.chart {
                Chart::Bernoulli(c) => Chart::Bernoulli(BernoulliCusum {
                    threshold: c.threshold - step,
                    ..c.clone()
                }),
                Chart::Binomial(c) => Chart::Binomial(BinomialCusum {
                    threshold: c.threshold - step,
                    ..c.clone()
                }),
                Chart::Poisson(c) => Chart::Poisson(PoissonCusum {
                    threshold: c.threshold - step,
                    ..c.clone()
                }),
                Chart::Normal(_) => unreachable!(),
            };
            if chart.headstart_fraction() == 0.0 {
                let below = run_length(&smaller, chart.in_control_parameter()).unwrap();
                assert!(below.arl < 200.0, "{chart:?}: {} one step down", below.arl);
            }
        }
    }

    #[test]
    fn normal_threshold_for_arl0_370_is_4_774() {
        let chart = Chart::Normal(NormalCusum::new(1.0, 1.0, Sides::Both).unwrap());
        let design = design_threshold(&chart, 370.0).unwrap();
        check("h", design.threshold, 4.774, 5e-3);
        check("arl0", design.in_control.arl, 370.0, 1e-6);
    }

    #[test]
    fn escalation_drop_is_caught_within_a_few_weeks() {
        // Escalations fall from 15 to 4 a week at 100 tasks a week; one false alarm in
        // two years means an in-control ARL of 104 weeks.
        let chart = Chart::Poisson(PoissonCusum::new(0.15, 0.04, 100.0, 1.0).unwrap());
        let design = design_threshold(&chart, 104.0).unwrap();
        assert!(design.in_control.arl >= 104.0);
        assert!(
            design.out_of_control.arl < 3.0,
            "out-of-control arl {}",
            design.out_of_control.arl
        );
    }
}
