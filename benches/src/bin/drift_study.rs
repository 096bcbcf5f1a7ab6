//! Escalation-drop study: a lower-side Poisson CUSUM against the naive "weekly count fell 30%
//! below the baseline mean" rule, in the scenario of the sample data, printed as a Markdown
//! table for the README.
//!
//! `cargo run --release -p benches --bin drift_study`
//!
//! At a steady 40 tasks a week, a worker's escalations of ambiguous instructions fall from
//! about 15 a week to about 4. Counts are Poisson with rate 15/40 per task in control and
//! 4/40 after the change. The CUSUM is
//! tuned to a 40% drop (9 a week): the smallest drop worth an alert, since the real size of
//! a change is unknown in advance. Its threshold meets a budget of one false alarm in two
//! years of weekly checks (in-control ARL of 104 weeks). Each of 10,000 replications is one
//! in-control year, where every alarm is false, followed by a year after the change; a chart
//! restarts after a false alarm and carries its state into the change. A second change, to
//! exactly the tuned 9 a week, and the naive rule with its limit moved down until it meets
//! the same false-alarm budget, show where each rule wins.

use anyhow::{bail, Result};
use judge::drift::{
    design_threshold, periods_between_false_alarms, run_length, simulate_naive_drop_rule,
    simulate_poisson_cusum, Chart, DetectionOutcome, PoissonCusum, ShiftScenario,
};

/// Seed of every simulated week; equal seeds give every rule the same counts.
const SEED: u64 = 20_251_125;
const TASKS_PER_WEEK: f64 = 40.0;
const ESCALATIONS_PER_WEEK_BEFORE: f64 = 15.0;
const ESCALATIONS_PER_WEEK_AFTER: f64 = 4.0;
/// The drop the CUSUM is tuned to catch quickly, as a fraction of the baseline.
const TUNED_DROP: f64 = 0.4;
/// The naive rule alerts when a week's count is this fraction below the baseline mean.
const NAIVE_DROP: f64 = 0.3;
const WEEKS_PER_YEAR: usize = 52;
const SIMULATED_YEARS: usize = 10_000;

fn main() -> Result<()> {
    let baseline_rate = ESCALATIONS_PER_WEEK_BEFORE / TASKS_PER_WEEK;
    let tuned_rate = (1.0 - TUNED_DROP) * baseline_rate;
    let target_arl0 = periods_between_false_alarms(2.0, WEEKS_PER_YEAR as f64)?;

    let untuned = PoissonCusum::new(baseline_rate, tuned_rate, TASKS_PER_WEEK, 1.0)?;
    let design = design_threshold(&Chart::Poisson(untuned), target_arl0)?;
    let Chart::Poisson(cusum) = design.chart.clone() else {
        bail!("designing a poisson chart returned another kind of chart");
    };
    let arl_after = run_length(&design.chart, ESCALATIONS_PER_WEEK_AFTER / TASKS_PER_WEEK)?;
    // The design put the weekly reference value and h on a lattice of 1/q; those exact
    // fractions reproduce the run lengths below.
    let grid = design.lattice.map_or(1, |lattice| lattice.denominator) as f64;
    let on_grid = |value: f64| format!("{}/{grid}", (value * grid).round());

    // Weeks at or below this count are rarer than one in `target_arl0` in control, so the
    // naive rule with this limit spends at most the CUSUM's false-alarm budget.
    let matched_limit = largest_count_within(ESCALATIONS_PER_WEEK_BEFORE, 1.0 / target_arl0);
    let matched_drop = 1.0 - (matched_limit as f64 + 0.5) / ESCALATIONS_PER_WEEK_BEFORE;
    let naive_limit = ((1.0 - NAIVE_DROP) * ESCALATIONS_PER_WEEK_BEFORE).floor() as u64;

    println!("## Escalation drop: CUSUM against a naive weekly rule\n");
    println!(
        "`cargo run --release -p benches --bin drift_study` (seed {SEED}; {} simulated years: \
         per replication, {WEEKS_PER_YEAR} in-control weeks, where every alarm is false, then \
         {WEEKS_PER_YEAR} weeks after the change)\n",
        thousands(SIMULATED_YEARS)
    );
    println!(
        "Lower-side Poisson CUSUM for {TASKS_PER_WEEK} tasks a week, tuned from \
         {ESCALATIONS_PER_WEEK_BEFORE} to {} escalations a week (a {}% drop), designed for one \
         false alarm in two years (ARL0 >= {target_arl0} weeks): `S = max(0, S + {} - count)`, \
         alarm at `S >= {}` (exactly {} and {}; log-likelihood ratio {:.2}). Markov-chain ARL0 \
         {:.1} weeks \
         ({:.2} false alarms a year); ARL from zero {:.2} weeks at {} a week and {:.2} weeks \
         at {ESCALATIONS_PER_WEEK_AFTER} a week.\n",
        tuned_rate * TASKS_PER_WEEK,
        TUNED_DROP * 100.0,
        decimal(cusum.reference * TASKS_PER_WEEK),
        decimal(cusum.threshold),
        on_grid(cusum.reference * TASKS_PER_WEEK),
        on_grid(cusum.threshold),
        design.llr_threshold,
        design.in_control.arl,
        WEEKS_PER_YEAR as f64 / design.in_control.arl,
        design.out_of_control.arl,
        tuned_rate * TASKS_PER_WEEK,
        arl_after.arl,
    );
    println!(
        "| change (escalations a week) | rule | false alarms a year | mean delay (weeks) | \
         median | 90th percentile | detected within {WEEKS_PER_YEAR} weeks |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|");
    let (mut largest_error, mut largest_alarm_error) = (0.0f64, 0.0f64);
    for weekly_after in [ESCALATIONS_PER_WEEK_AFTER, tuned_rate * TASKS_PER_WEEK] {
        let scenario = ShiftScenario {
            baseline_rate,
            shifted_rate: weekly_after / TASKS_PER_WEEK,
            exposure: TASKS_PER_WEEK,
            weeks_before_shift: WEEKS_PER_YEAR,
            weeks_after_shift: WEEKS_PER_YEAR,
            replications: SIMULATED_YEARS,
            seed: SEED,
        };
        let change = format!("{ESCALATIONS_PER_WEEK_BEFORE} → {weekly_after}");
        let rules = [
            (
                format!(
                    "CUSUM, tuned to {weekly_tuned} a week",
                    weekly_tuned = tuned_rate * TASKS_PER_WEEK
                ),
                simulate_poisson_cusum(&scenario, &cusum)?,
            ),
            (
                format!(
                    "naive: count ≤ {naive_limit} ({}% below the mean)",
                    NAIVE_DROP * 100.0
                ),
                simulate_naive_drop_rule(&scenario, NAIVE_DROP)?,
            ),
            (
                format!("naive, same false-alarm budget: count ≤ {matched_limit}"),
                simulate_naive_drop_rule(&scenario, matched_drop)?,
            ),
        ];
        for (rule, outcome) in rules {
            let summary = Summary::of(&outcome);
            largest_error = largest_error.max(summary.delay_standard_error);
            largest_alarm_error = largest_alarm_error.max(summary.false_alarm_standard_error);
            println!(
                "| {change} | {rule} | {:.2} | {:.2} | {} | {} | {:.1}% |",
                summary.false_alarms_per_year,
                summary.mean_delay,
                summary.median_delay,
                summary.p90_delay,
                100.0 * outcome.detection_rate()
            );
        }
    }
    println!(
        "\nDelays count weeks from the change up to and including the alarm week (1 = the first \
         week after the change); percentiles are nearest-rank over all replications. Standard \
         errors are at most {largest_error:.3} weeks for the mean delays and \
         {largest_alarm_error:.3} for the false alarms a year. The naive rule's limit is {}% of \
         the in-control mean of {ESCALATIONS_PER_WEEK_BEFORE}; the budget-matched limit is the \
         largest count at or below which an in-control week falls less often than once in \
         {target_arl0} weeks.",
        (1.0 - NAIVE_DROP) * 100.0
    );
    Ok(())
}

/// What the README reports about one rule in one scenario.
struct Summary {
    false_alarms_per_year: f64,
    false_alarm_standard_error: f64,
    /// Over the replications that detected the change.
    mean_delay: f64,
    delay_standard_error: f64,
    median_delay: String,
    p90_delay: String,
}

impl Summary {
    fn of(outcome: &DetectionOutcome) -> Summary {
        // One replication holds exactly one in-control year.
        let false_alarms_per_year = outcome.mean_false_alarms();
        // A missed change sorts after every detection, as an infinite delay would.
        let mut delays: Vec<Option<usize>> = outcome.detection_delays.clone();
        delays.sort_by_key(|delay| delay.unwrap_or(usize::MAX));
        let percentile = |fraction: f64| -> String {
            let rank = ((fraction * delays.len() as f64).ceil() as usize).max(1);
            match delays.get(rank - 1).copied().flatten() {
                Some(delay) => delay.to_string(),
                None => format!("> {WEEKS_PER_YEAR}"),
            }
        };
        let false_alarms: Vec<f64> = outcome.false_alarms.iter().map(|&n| n as f64).collect();
        let detected: Vec<f64> = delays.iter().flatten().map(|&d| d as f64).collect();
        Summary {
            false_alarms_per_year,
            false_alarm_standard_error: standard_error(&false_alarms),
            mean_delay: outcome.mean_detection_delay().unwrap_or(f64::NAN),
            delay_standard_error: standard_error(&detected),
            median_delay: percentile(0.5),
            p90_delay: percentile(0.9),
        }
    }
}

/// Standard error of the mean of `values`; zero for fewer than two values.
fn standard_error(values: &[f64]) -> f64 {
    if values.len() < 2 {
        return 0.0;
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (variance / n).sqrt()
}

/// The largest count `c` with `P(X <= c) <= probability` for `X ~ Poisson(mean)`, or 0 when
/// even a zero count is likelier than that (the rule then alerts on zero counts only).
fn largest_count_within(mean: f64, probability: f64) -> u64 {
    let mut term = (-mean).exp();
    let mut cumulative = term;
    let mut count = 0;
    loop {
        let next_term = term * mean / (count + 1) as f64;
        if cumulative + next_term > probability {
            return count;
        }
        count += 1;
        term = next_term;
        cumulative += term;
    }
}

/// `value` with at most three decimals, without trailing zeros.
fn decimal(value: f64) -> String {
    let text = format!("{value:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn thousands(value: usize) -> String {
    let digits = value.to_string();
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}
