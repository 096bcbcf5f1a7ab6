//! `judge drift arl|design`: run lengths and alarm thresholds of the drift module's CUSUM
//! charts, in each chart's classic units so that published tables apply directly.
//!
//! Units: `h` and `--headstart` are on the Reynolds–Stoumbos scaled statistic for the
//! Bernoulli chart (and its per-trial analogue for the binomial chart), on Lucas' count
//! statistic for the Poisson chart, and in standard deviations for the normal chart.
//! `--k` is the reference value per item, per trial, per unit of exposure or in standard
//! deviations respectively. Run lengths count periods (items for the Bernoulli chart)
//! up to and including the alarm.
//!
//! Two-sided discrete charts: the flags name one side (the direction of `--p1` or
//! `--lambda1` against the in-control value) and the other side is tuned to the mirror
//! image of the same change on the log-likelihood scale: the same odds ratio for
//! Bernoulli and binomial charts, the same rate ratio for Poisson charts. Both sides then
//! have the same log-likelihood scale, so one `h` is one log-likelihood threshold for
//! both. Their run lengths combine exactly as in the library (`1/ARL = 1/ARL+ + 1/ARL-`
//! without a headstart; with one, Lucas and Crosier's combination of the run lengths from
//! zero and from the headstart, and a headstart above `h/2 + k` is refused because the
//! sides then interact); the combined run length has no standard deviation. `design` gives both
//! sides one common `h`: the smallest point of either side's lattice at which the combined
//! in-control run length meets `--arl0`.
//!
//! `--k` replaces the reference value derived from the out-of-control value. Given with
//! only the in-control value, it implies the out-of-control value it is optimal for (the
//! one whose derived reference value is `k`), which supplies the log-likelihood threshold
//! and, for `design`, the out-of-control run length. Given alone, it needs `--side upper`
//! or `--side lower`, and the log-likelihood threshold is unknown (`llr_h` is null).
//!
//! JSON (`--json`, one object on one line): `chart`, `side`, the chart's parameters
//! (`p0`/`p1`, `trials`, `lambda0`/`lambda1`, `exposure`, `shift`), `k` (null when the
//! sides of a discrete scheme differ), `h`, `llr_h`, `headstart`, and for `arl` `rate`,
//! `arl`, `sd` (null for two sides), for `design` `arl0_target`, `arl0`, `arl0_sd`,
//! `arl1`, `arl1_sd` and `headstart_fraction`; `sides` lists every one-sided chart with
//! its own tuning, reference value and run lengths.

use std::process::ExitCode;

use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, ValueEnum};
use judge::drift::{
    bernoulli_reference, design_threshold, poisson_reference, run_length, split_alarm_budget,
    two_sided_run_length, BernoulliCusum, BinomialCusum, Chart, Design, Direction, DriftError,
    NormalCusum, PoissonCusum, RunLength, Sides,
};
use serde_json::{json, Map, Value};

/// The chart and the change it is tuned to; shared by `arl` and `design`.
#[derive(Debug, Args)]
pub struct ChartArgs {
    /// bernoulli: one pass/fail item per observation; binomial: successes out of --trials
    /// per period; poisson: event counts per period with --exposure; normal: standardized
    /// scores.
    #[arg(long, value_enum)]
    pub chart: ChartKind,
    /// In-control probability of the event per item or trial (bernoulli, binomial).
    #[arg(long, allow_negative_numbers = true)]
    pub p0: Option<f64>,
    /// Probability the chart is tuned to detect (bernoulli, binomial); above --p0 for an
    /// upper chart, below it for a lower chart.
    #[arg(long, allow_negative_numbers = true)]
    pub p1: Option<f64>,
    /// Trials per period (binomial).
    #[arg(long)]
    pub trials: Option<u64>,
    /// In-control rate per unit of exposure (poisson).
    #[arg(long, allow_negative_numbers = true)]
    pub lambda0: Option<f64>,
    /// Rate per unit of exposure the chart is tuned to detect (poisson).
    #[arg(long, allow_negative_numbers = true)]
    pub lambda1: Option<f64>,
    /// Exposure per period, for instance tasks per week (poisson) [default: 1].
    #[arg(long, allow_negative_numbers = true)]
    pub exposure: Option<f64>,
    /// Mean shift in standard deviations the chart is tuned to detect (normal); k
    /// defaults to shift / 2.
    #[arg(long, allow_negative_numbers = true)]
    pub shift: Option<f64>,
    /// Reference value, instead of the one derived from the out-of-control value: per
    /// item (bernoulli), per trial (binomial), per unit of exposure (poisson) or in
    /// standard deviations (normal).
    #[arg(long, allow_negative_numbers = true)]
    pub k: Option<f64>,
    /// Which changes raise alarms [default: two for normal, otherwise the direction of
    /// --p1 or --lambda1 (or of --k against the in-control value)].
    #[arg(long, value_enum)]
    pub side: Option<SideChoice>,
}

/// `judge drift arl`: the run length of a chart when the true rate is `--rate`.
#[derive(Debug, Args)]
pub struct ArlArgs {
    #[command(flatten)]
    pub chart: ChartArgs,
    /// Alarm threshold in the chart's classic units.
    #[arg(long, allow_negative_numbers = true)]
    pub h: f64,
    /// Starting value of the statistic (fast initial response), in the chart's units,
    /// below h [default: 0].
    #[arg(long, allow_negative_numbers = true)]
    pub headstart: Option<f64>,
    /// The true parameter: probability per item or trial, rate per unit of exposure, or
    /// the mean of the standardized scores.
    #[arg(long, allow_negative_numbers = true)]
    pub rate: f64,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `judge drift design`: the smallest threshold whose in-control run length meets a target.
#[derive(Debug, Args)]
pub struct DesignArgs {
    #[command(flatten)]
    pub chart: ChartArgs,
    /// Target in-control average run length, in periods (items for bernoulli).
    #[arg(long, allow_negative_numbers = true)]
    pub arl0: f64,
    /// Start the statistic at this fraction of the designed h (0.5 is the classic fast
    /// initial response).
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    pub headstart_fraction: f64,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// The chart families of the drift module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ChartKind {
    Bernoulli,
    Binomial,
    Poisson,
    Normal,
}

/// Which changes a chart watches for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SideChoice {
    /// Increases only.
    Upper,
    /// Decreases only.
    Lower,
    /// Both directions.
    Two,
}

/// Runs `judge drift arl`.
pub fn run_arl(args: ArlArgs) -> Result<ExitCode> {
    let report = compute_arl(&args)?;
    if args.json {
        println!("{}", arl_json(&report, &args));
    } else {
        print_rows(&arl_rows(&report, &args));
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `judge drift design`.
pub fn run_design(args: DesignArgs) -> Result<ExitCode> {
    let (scheme, designed) = compute_design(&args)?;
    if args.json {
        println!("{}", design_json(&scheme, &args, &designed));
    } else {
        print_rows(&design_rows(&scheme, &args, &designed));
    }
    Ok(ExitCode::SUCCESS)
}

/// What `judge drift arl` found.
#[derive(Debug)]
struct ArlReport {
    scheme: Scheme,
    /// The statistic's starting value in the chart's units.
    headstart: f64,
    /// One run length per side of the scheme, in the order of `scheme.sides`.
    side_lengths: Vec<RunLength>,
    combined: RunLength,
}

fn compute_arl(args: &ArlArgs) -> Result<ArlReport> {
    require_finite_positive(args.h, "--h")?;
    let headstart = args.headstart.unwrap_or(0.0);
    if !(headstart.is_finite() && (0.0..args.h).contains(&headstart)) {
        bail!("--headstart must lie in [0, h): it is the statistic's starting value");
    }
    let scheme = Scheme::resolve(&args.chart, args.h, headstart / args.h)?;
    validate_rate(scheme.kind, args.rate)?;
    let mut side_lengths = Vec::with_capacity(scheme.sides.len());
    for side in &scheme.sides {
        let length = run_length(&side.chart, args.rate)
            .map_err(flag_error)
            .context("cannot compute the run length")?;
        side_lengths.push(length);
    }
    let charts: Vec<&Chart> = scheme.sides.iter().map(|side| &side.chart).collect();
    let combined = scheme_run_length(&charts, args.rate)
        .map_err(flag_error)
        .context("cannot compute the two-sided run length")?;
    Ok(ArlReport {
        scheme,
        headstart,
        side_lengths,
        combined,
    })
}

fn compute_design(args: &DesignArgs) -> Result<(Scheme, DesignedScheme)> {
    if !(args.arl0.is_finite() && args.arl0 > 1.0) {
        bail!("--arl0 must be a finite number greater than 1");
    }
    if !(0.0..1.0).contains(&args.headstart_fraction) {
        bail!("--headstart-fraction must lie in [0, 1)");
    }
    let scheme = Scheme::resolve(&args.chart, 1.0, args.headstart_fraction)?;
    if scheme.in_control.is_none() {
        bail!(
            "design needs the in-control {} to compute the in-control run length",
            in_control_flag(scheme.kind)
        );
    }
    let designed = if scheme.kind == ChartKind::Normal {
        design_normal(&scheme, args.arl0)
    } else if scheme.sides.len() == 1 {
        design_one_side(&scheme.sides[0], args.arl0)
    } else {
        design_two_sides(&scheme, args.arl0)
    }
    .with_context(|| format!("cannot design a threshold for --arl0 {}", number(args.arl0)))?;
    Ok((scheme, designed))
}

/// A monitoring scheme resolved from the flags: one or two one-sided charts.
#[derive(Debug)]
struct Scheme {
    kind: ChartKind,
    side: SideChoice,
    /// `p0` or `lambda0`, `0` for the normal chart; `None` for a discrete chart given
    /// only `--k`.
    in_control: Option<f64>,
    /// Whether the first side's out-of-control value was solved from `--k`.
    implied: bool,
    /// The side named by the flags first, then its mirror image for two-sided schemes.
    sides: Vec<SideChart>,
}

/// One one-sided chart of a scheme.
#[derive(Debug)]
struct SideChart {
    direction: Direction,
    chart: Chart,
    /// `p1`, `lambda1` or the shift this side is tuned to; `None` when only `--k` is known.
    tuned_to: Option<f64>,
}

/// A designed scheme: the common threshold and the combined and per-side run lengths.
#[derive(Debug)]
struct DesignedScheme {
    threshold: f64,
    llr_threshold: f64,
    /// Headstart fraction after the design moved it onto the chart's lattice.
    headstart_fraction: f64,
    /// Grid points per unit of `h` for discrete charts, to show `h` as a fraction.
    grid: Option<u64>,
    arl0: RunLength,
    /// Combined run length at the first side's out-of-control value.
    arl1: RunLength,
    sides: Vec<DesignedSide>,
}

#[derive(Debug)]
struct DesignedSide {
    direction: Direction,
    chart: Chart,
    /// Grid points per unit of this side's statistic, for discrete charts.
    grid: Option<u64>,
    tuned_to: f64,
    arl0: RunLength,
    arl1: RunLength,
}

impl ChartKind {
    fn name(self) -> &'static str {
        match self {
            ChartKind::Bernoulli => "bernoulli",
            ChartKind::Binomial => "binomial",
            ChartKind::Poisson => "poisson",
            ChartKind::Normal => "normal",
        }
    }

    /// What one run-length step counts.
    fn period(self) -> &'static str {
        match self {
            ChartKind::Bernoulli => "items",
            _ => "periods",
        }
    }
}

impl SideChoice {
    fn name(self) -> &'static str {
        match self {
            SideChoice::Upper => "upper",
            SideChoice::Lower => "lower",
            SideChoice::Two => "two",
        }
    }
}

impl Scheme {
    /// Checks the flags of `args` against each other and builds the scheme's charts with
    /// threshold `threshold` and headstart `headstart_fraction * threshold`.
    fn resolve(args: &ChartArgs, threshold: f64, headstart_fraction: f64) -> Result<Scheme> {
        reject_foreign_flags(args)?;
        match args.chart {
            ChartKind::Normal => resolve_normal(args, threshold, headstart_fraction),
            _ => resolve_discrete(args, threshold, headstart_fraction),
        }
    }

    /// The first side's threshold on the log-likelihood-ratio scale, when its
    /// out-of-control value is known; mirrored sides share it.
    fn llr_threshold(&self) -> Option<f64> {
        let first = &self.sides[0];
        first.tuned_to.map(|_| first.chart.llr_threshold())
    }
}

fn resolve_normal(args: &ChartArgs, threshold: f64, headstart_fraction: f64) -> Result<Scheme> {
    if let Some(shift) = args.shift {
        if !(shift.is_finite() && shift > 0.0) {
            bail!("--shift must be positive and finite (use --side lower for decreases)");
        }
    }
    if let Some(k) = args.k {
        if !(k.is_finite() && k >= 0.0) {
            bail!("--k must be non-negative and finite");
        }
    }
    // Without a shift, k is taken as optimal: it is tuned to a shift of 2k.
    let shift = match (args.shift, args.k) {
        (Some(shift), _) => shift,
        (None, Some(k)) if k > 0.0 => 2.0 * k,
        (None, Some(_)) => bail!("--k must be positive when --shift is not given"),
        (None, None) => bail!("give --shift or the reference value --k"),
    };
    let side = args.side.unwrap_or(SideChoice::Two);
    let directions: &[(Direction, Sides)] = match side {
        SideChoice::Upper => &[(Direction::Increase, Sides::Upper)],
        SideChoice::Lower => &[(Direction::Decrease, Sides::Lower)],
        SideChoice::Two => &[
            (Direction::Increase, Sides::Upper),
            (Direction::Decrease, Sides::Lower),
        ],
    };
    let mut sides = Vec::with_capacity(directions.len());
    for &(direction, chart_sides) in directions {
        let chart = NormalCusum::new(shift, threshold, chart_sides)
            .and_then(|chart| chart.with_reference(args.k.unwrap_or(shift / 2.0)))
            .and_then(|chart| chart.with_headstart(headstart_fraction))
            .map_err(flag_error)?;
        sides.push(SideChart {
            direction,
            chart: Chart::Normal(chart),
            tuned_to: Some(shift),
        });
    }
    Ok(Scheme {
        kind: ChartKind::Normal,
        side,
        in_control: Some(0.0),
        implied: false,
        sides,
    })
}

fn resolve_discrete(args: &ChartArgs, threshold: f64, headstart_fraction: f64) -> Result<Scheme> {
    let kind = args.chart;
    let is_poisson = kind == ChartKind::Poisson;
    let (in_flag, out_flag) = (in_control_flag(kind), out_of_control_flag(kind));
    let (in_control, out_of_control) = if is_poisson {
        (args.lambda0, args.lambda1)
    } else {
        (args.p0, args.p1)
    };
    let check_value = |value: Option<f64>, flag: &str| -> Result<()> {
        let Some(value) = value else {
            return Ok(());
        };
        if is_poisson {
            if !(value.is_finite() && value > 0.0) {
                bail!("{flag} must be positive and finite (a rate per unit of exposure)");
            }
        } else if !(value > 0.0 && value < 1.0) {
            bail!("{flag} must lie strictly between 0 and 1 (a probability per trial)");
        }
        Ok(())
    };
    check_value(in_control, in_flag)?;
    check_value(out_of_control, out_flag)?;
    check_value(args.k, "--k")?;
    if kind == ChartKind::Binomial && args.trials.is_none_or(|trials| trials == 0) {
        bail!("--chart binomial needs --trials of at least 1");
    }
    let exposure = args.exposure.unwrap_or(1.0);
    if !(exposure.is_finite() && exposure > 0.0) {
        bail!("--exposure must be positive and finite");
    }
    if out_of_control.is_some() && in_control.is_none() {
        bail!("{out_flag} needs {in_flag}");
    }
    if let (Some(p0), Some(p1)) = (in_control, out_of_control) {
        if p0 == p1 {
            bail!("{out_flag} must differ from {in_flag}");
        }
    }
    if let (Some(p0), Some(k)) = (in_control, args.k) {
        if p0 == k {
            bail!("--k must differ from {in_flag}");
        }
    }

    // The direction follows the out-of-control value, else --k against the in-control
    // value, else --side.
    let implied_direction = match (in_control, out_of_control, args.k) {
        (Some(p0), Some(p1), _) => Some(direction_of(p0, p1)),
        (Some(p0), None, Some(k)) => Some(direction_of(p0, k)),
        _ => None,
    };
    let direction = match (implied_direction, args.side) {
        (Some(direction), None | Some(SideChoice::Two)) => direction,
        (Some(direction), Some(side)) => {
            let wanted = if side == SideChoice::Upper {
                Direction::Increase
            } else {
                Direction::Decrease
            };
            if direction != wanted {
                let what = if out_of_control.is_some() {
                    out_flag
                } else {
                    "--k"
                };
                bail!(
                    "--side {} contradicts {what} {} {in_flag}",
                    side.name(),
                    relation_word(direction)
                );
            }
            direction
        }
        (None, Some(SideChoice::Upper)) => Direction::Increase,
        (None, Some(SideChoice::Lower)) => Direction::Decrease,
        (None, Some(SideChoice::Two)) => bail!(
            "--side two needs {in_flag}, and {out_flag} or --k: each side is tuned to the \
             same change mirrored about {in_flag}"
        ),
        (None, None) => match (in_control, args.k) {
            (_, None) => bail!("give {out_flag} (with {in_flag}) or the reference value --k"),
            (None, Some(_)) => {
                bail!("--k alone needs --side upper or --side lower to say which way to look")
            }
            (Some(_), Some(_)) => unreachable!("an in-control value and --k imply a direction"),
        },
    };
    let side = args.side.unwrap_or(match direction {
        Direction::Increase => SideChoice::Upper,
        Direction::Decrease => SideChoice::Lower,
    });
    if side == SideChoice::Two && out_of_control.is_some() && args.k.is_some() {
        bail!(
            "--k fixes one side's reference value; with --side two both come from {in_flag} \
             and {out_flag}"
        );
    }
    // A reference value on the wrong side of the in-control value makes the chart drift
    // towards its threshold while nothing has changed.
    if let (Some(p0), Some(k)) = (in_control, args.k) {
        if direction_of(p0, k) != direction {
            bail!(
                "--k must lie {} {in_flag} for a chart that watches for {}",
                relation_word(direction),
                direction_word(direction)
            );
        }
    }

    let mut implied = false;
    let tuned_to = match (in_control, out_of_control, args.k) {
        (_, Some(p1), _) => Some(p1),
        (Some(p0), None, Some(k)) => {
            implied = true;
            Some(implied_out_of_control(kind, p0, k, direction)?)
        }
        _ => None,
    };
    let trials = args.trials.unwrap_or(1);
    let build = |tuned_to: Option<f64>, reference: Option<f64>| -> Result<Chart> {
        // Only --k is known: any pair of values on either side of k gives the chart its
        // direction; the log-likelihood scale stays unknown and is never reported.
        let (p0, p1) = match (in_control, tuned_to) {
            (Some(p0), Some(p1)) => (p0, p1),
            _ => placeholder_pair(is_poisson, args.k.unwrap_or(0.5), direction),
        };
        discrete_chart(
            kind,
            p0,
            p1,
            trials,
            exposure,
            threshold,
            headstart_fraction,
        )
        .and_then(|chart| match reference {
            Some(k) => with_reference(chart, k),
            None => Ok(chart),
        })
        .map_err(flag_error)
    };
    let mut sides = vec![SideChart {
        direction,
        chart: build(tuned_to, args.k)?,
        tuned_to,
    }];
    if side == SideChoice::Two {
        let p0 = in_control.expect("a two-sided discrete scheme has an in-control value");
        let p1 = tuned_to.expect("a two-sided discrete scheme has an out-of-control value");
        let mirrored = mirror(is_poisson, p0, p1);
        sides.push(SideChart {
            direction: opposite(direction),
            chart: build(Some(mirrored), None)?,
            tuned_to: Some(mirrored),
        });
    }
    Ok(Scheme {
        kind,
        side,
        in_control,
        implied,
        sides,
    })
}

/// Rejects flags that belong to another chart family, so a typo is not silently ignored.
fn reject_foreign_flags(args: &ChartArgs) -> Result<()> {
    let kind = args.chart;
    let discrete_probability = matches!(kind, ChartKind::Bernoulli | ChartKind::Binomial);
    let flags = [
        (
            "--p0",
            args.p0.is_some(),
            discrete_probability,
            "bernoulli or binomial",
        ),
        (
            "--p1",
            args.p1.is_some(),
            discrete_probability,
            "bernoulli or binomial",
        ),
        (
            "--trials",
            args.trials.is_some(),
            kind == ChartKind::Binomial,
            "binomial",
        ),
        (
            "--lambda0",
            args.lambda0.is_some(),
            kind == ChartKind::Poisson,
            "poisson",
        ),
        (
            "--lambda1",
            args.lambda1.is_some(),
            kind == ChartKind::Poisson,
            "poisson",
        ),
        (
            "--exposure",
            args.exposure.is_some(),
            kind == ChartKind::Poisson,
            "poisson",
        ),
        (
            "--shift",
            args.shift.is_some(),
            kind == ChartKind::Normal,
            "normal",
        ),
    ];
    for (flag, given, applies, charts) in flags {
        if given && !applies {
            bail!("{flag} applies only to --chart {charts}");
        }
    }
    Ok(())
}

fn discrete_chart(
    kind: ChartKind,
    in_control: f64,
    out_of_control: f64,
    trials: u64,
    exposure: f64,
    threshold: f64,
    headstart_fraction: f64,
) -> judge::drift::Result<Chart> {
    match kind {
        ChartKind::Bernoulli => BernoulliCusum::new(in_control, out_of_control, threshold)
            .and_then(|chart| chart.with_headstart(headstart_fraction))
            .map(Chart::Bernoulli),
        ChartKind::Binomial => BinomialCusum::new(in_control, out_of_control, trials, threshold)
            .and_then(|chart| chart.with_headstart(headstart_fraction))
            .map(Chart::Binomial),
        ChartKind::Poisson => PoissonCusum::new(in_control, out_of_control, exposure, threshold)
            .and_then(|chart| chart.with_headstart(headstart_fraction))
            .map(Chart::Poisson),
        ChartKind::Normal => unreachable!("the normal chart is not discrete"),
    }
}

/// `chart` with its reference value per item, trial or unit of exposure set to `k`.
fn with_reference(chart: Chart, k: f64) -> judge::drift::Result<Chart> {
    match chart {
        Chart::Bernoulli(chart) => chart.with_reference(k).map(Chart::Bernoulli),
        Chart::Binomial(chart) => chart.with_reference(k).map(Chart::Binomial),
        Chart::Poisson(chart) => chart.with_reference(k).map(Chart::Poisson),
        Chart::Normal(chart) => chart.with_reference(k).map(Chart::Normal),
    }
}

fn with_threshold(chart: &Chart, threshold: f64) -> Chart {
    let mut chart = chart.clone();
    match &mut chart {
        Chart::Bernoulli(chart) => chart.threshold = threshold,
        Chart::Binomial(chart) => chart.threshold = threshold,
        Chart::Poisson(chart) => chart.threshold = threshold,
        Chart::Normal(chart) => chart.threshold = threshold,
    }
    chart
}

/// The chart's reference value per item, trial, unit of exposure or standard deviation.
fn reference_of(chart: &Chart) -> f64 {
    match chart {
        Chart::Bernoulli(chart) => chart.reference,
        Chart::Binomial(chart) => chart.reference,
        Chart::Poisson(chart) => chart.reference,
        Chart::Normal(chart) => chart.reference,
    }
}

/// The reference value per period, where it differs from the one per unit.
fn reference_per_period(chart: &Chart) -> Option<f64> {
    match chart {
        Chart::Binomial(chart) => Some(chart.reference * chart.trials as f64),
        Chart::Poisson(chart) if chart.exposure != 1.0 => Some(chart.reference * chart.exposure),
        _ => None,
    }
}

/// Two values on either side of `k` in `direction`, for a chart known only by `--k`.
fn placeholder_pair(is_poisson: bool, k: f64, direction: Direction) -> (f64, f64) {
    let (below, above) = if is_poisson {
        (k / 2.0, 2.0 * k)
    } else {
        (k / 2.0, (1.0 + k) / 2.0)
    };
    match direction {
        Direction::Increase => (below, above),
        Direction::Decrease => (above, below),
    }
}

/// The out-of-control value for which `k` is the optimal reference value, on the side
/// of `in_control` that `direction` names.
fn implied_out_of_control(
    kind: ChartKind,
    in_control: f64,
    k: f64,
    direction: Direction,
) -> Result<f64> {
    // Both reference values grow with the out-of-control value and approach the
    // in-control value as the change vanishes, so bisection finds the one solution.
    let reference = |out_of_control: f64| match kind {
        ChartKind::Poisson => poisson_reference(in_control, out_of_control),
        _ => bernoulli_reference(in_control, out_of_control),
    };
    // Rates are bisected in logarithms, since they may span many orders of magnitude.
    let log_scale = kind == ChartKind::Poisson;
    let to_value = |x: f64| if log_scale { x.exp() } else { x };
    let (mut low, mut high) = match (kind, direction) {
        (ChartKind::Poisson, Direction::Increase) => {
            let mut high = in_control.ln() + 1.0;
            while reference(high.exp()) <= k {
                high += 1.0;
                if !high.exp().is_finite() {
                    bail!("--k is too large to name a rate it is tuned for");
                }
            }
            (in_control.ln(), high)
        }
        (ChartKind::Poisson, Direction::Decrease) => {
            let low = in_control.ln() - 600.0;
            if reference(low.exp()) >= k {
                bail!("--k is too far below --lambda0 to name a rate it is tuned for");
            }
            (low, in_control.ln())
        }
        (_, Direction::Increase) => (in_control, 1.0),
        (_, Direction::Decrease) => (0.0, in_control),
    };
    for _ in 0..200 {
        let middle = 0.5 * (low + high);
        if middle <= low || middle >= high {
            break;
        }
        if reference(to_value(middle)) < k {
            low = middle;
        } else {
            high = middle;
        }
    }
    Ok(to_value(0.5 * (low + high)))
}

/// The out-of-control value of the opposite side: the same odds ratio (probabilities)
/// or rate ratio (rates) in the other direction.
fn mirror(is_poisson: bool, in_control: f64, out_of_control: f64) -> f64 {
    if is_poisson {
        in_control * in_control / out_of_control
    } else {
        let logit = |p: f64| (p / (1.0 - p)).ln();
        let mirrored = 2.0 * logit(in_control) - logit(out_of_control);
        1.0 / (1.0 + (-mirrored).exp())
    }
}

fn design_normal(scheme: &Scheme, target: f64) -> Result<DesignedScheme> {
    let Chart::Normal(first) = &scheme.sides[0].chart else {
        unreachable!("a normal scheme has normal charts")
    };
    let sides = match scheme.side {
        SideChoice::Upper => Sides::Upper,
        SideChoice::Lower => Sides::Lower,
        SideChoice::Two => Sides::Both,
    };
    let chart = Chart::Normal(NormalCusum {
        sides,
        ..first.clone()
    });
    let design = design_threshold(&chart, target).map_err(flag_error)?;
    let mut designed_sides = Vec::with_capacity(scheme.sides.len());
    for side in &scheme.sides {
        let chart = with_threshold(&side.chart, design.threshold);
        let tuned_to = side.tuned_to.expect("normal sides know their shift");
        let signed_shift = match side.direction {
            Direction::Increase => tuned_to,
            Direction::Decrease => -tuned_to,
        };
        designed_sides.push(DesignedSide {
            direction: side.direction,
            grid: None,
            arl0: run_length(&chart, 0.0).map_err(flag_error)?,
            arl1: run_length(&chart, signed_shift).map_err(flag_error)?,
            chart,
            tuned_to,
        });
    }
    Ok(DesignedScheme {
        threshold: design.threshold,
        llr_threshold: design.llr_threshold,
        headstart_fraction: design.chart.headstart_fraction(),
        grid: None,
        arl0: design.in_control,
        arl1: design.out_of_control,
        sides: designed_sides,
    })
}

fn design_one_side(side: &SideChart, target: f64) -> Result<DesignedScheme> {
    let design = design_threshold(&side.chart, target).map_err(flag_error)?;
    let tuned_to = side
        .tuned_to
        .expect("a designed side knows its out-of-control value");
    Ok(DesignedScheme {
        threshold: design.threshold,
        llr_threshold: design.llr_threshold,
        headstart_fraction: design.chart.headstart_fraction(),
        grid: design.lattice.map(|lattice| lattice.denominator),
        arl0: design.in_control,
        arl1: design.out_of_control,
        sides: vec![DesignedSide {
            direction: side.direction,
            grid: design.lattice.map(|lattice| lattice.denominator),
            chart: design.chart,
            tuned_to,
            arl0: design.in_control,
            arl1: design.out_of_control,
        }],
    })
}

/// Designs one common threshold for both sides of a discrete scheme: the smallest `h`
/// on either side's grid whose combined in-control run length meets the target.
fn design_two_sides(scheme: &Scheme, target: f64) -> Result<DesignedScheme> {
    let in_control = scheme.in_control.expect("checked by run_design");
    // Each side designed for half the false-alarm budget puts its reference value on a
    // lattice and gives a threshold at which the pair surely meets the target.
    let half_budget = split_alarm_budget(target, &[1.0, 1.0]).map_err(flag_error)?[0];
    let designs: Vec<Design> = scheme
        .sides
        .iter()
        .map(|side| design_threshold(&side.chart, half_budget).map_err(flag_error))
        .collect::<Result<_>>()?;
    let ceiling = designs.iter().map(|d| d.threshold).fold(0.0, f64::max);
    let mut candidates: Vec<f64> = Vec::new();
    for design in &designs {
        let denominator = design.lattice.map_or(1, |lattice| lattice.denominator);
        let points = (ceiling * denominator as f64).round() as u64;
        candidates.extend((1..=points).map(|j| j as f64 / denominator as f64));
    }
    candidates.push(ceiling);
    candidates.sort_by(f64::total_cmp);
    candidates.dedup_by(|a, b| (*a - *b).abs() <= 1e-12 * b.abs().max(1.0));
    candidates.retain(|&h| h <= ceiling * (1.0 + 1e-12));
    let combined_at = |threshold: f64, parameter: f64| -> Result<RunLength> {
        let charts: Vec<Chart> = designs
            .iter()
            .map(|design| with_threshold(&design.chart, threshold))
            .collect();
        scheme_run_length(&charts.iter().collect::<Vec<_>>(), parameter).map_err(flag_error)
    };
    // The combined in-control run length grows with h, so the first candidate meeting
    // the target is found by bisection; the ceiling meets it by construction.
    let (mut below, mut above) = (0usize, candidates.len() - 1);
    if combined_at(candidates[0], in_control)?.arl >= target {
        above = 0;
    }
    while above > below + 1 {
        let middle = below + (above - below) / 2;
        if combined_at(candidates[middle], in_control)?.arl >= target {
            above = middle;
        } else {
            below = middle;
        }
    }
    let threshold = candidates[above];
    let first_tuned_to = scheme.sides[0]
        .tuned_to
        .expect("two-sided schemes are tuned");
    let mut sides = Vec::with_capacity(designs.len());
    for (side, design) in scheme.sides.iter().zip(&designs) {
        let chart = with_threshold(&design.chart, threshold);
        let tuned_to = side.tuned_to.expect("two-sided schemes are tuned");
        sides.push(DesignedSide {
            direction: side.direction,
            grid: design.lattice.map(|lattice| lattice.denominator),
            arl0: run_length(&chart, in_control).map_err(flag_error)?,
            arl1: run_length(&chart, tuned_to).map_err(flag_error)?,
            chart,
            tuned_to,
        });
    }
    let grid = designs
        .iter()
        .filter_map(|design| design.lattice.map(|lattice| lattice.denominator))
        .find(|&denominator| is_grid_point(threshold, denominator));
    // A headstart can break the growth of the run length with h that the search relies
    // on; never report a threshold that misses the target.
    let arl0 = combined_at(threshold, in_control)?;
    if arl0.arl < target {
        bail!("no common threshold of both sides reaches the target");
    }
    Ok(DesignedScheme {
        threshold,
        llr_threshold: sides[0].chart.llr_threshold(),
        headstart_fraction: sides[0].chart.headstart_fraction(),
        grid,
        arl0,
        arl1: combined_at(threshold, first_tuned_to)?,
        sides,
    })
}

/// The run length of one chart, or of a two-sided scheme's pair of charts in either
/// order, combined exactly (see the library's `two_sided_run_length`).
fn scheme_run_length(charts: &[&Chart], parameter: f64) -> judge::drift::Result<RunLength> {
    match charts {
        [only] => run_length(only, parameter),
        [first, second] => {
            let (upper, lower) = match chart_direction(first) {
                Direction::Increase => (first, second),
                Direction::Decrease => (second, first),
            };
            two_sided_run_length(upper, lower, parameter)
        }
        _ => unreachable!("a scheme has one or two sides"),
    }
}

/// The direction a one-sided chart of a scheme watches.
fn chart_direction(chart: &Chart) -> Direction {
    match chart {
        Chart::Bernoulli(c) => c.direction(),
        Chart::Binomial(c) => c.direction(),
        Chart::Poisson(c) => c.direction(),
        Chart::Normal(c) => match c.sides {
            Sides::Lower => Direction::Decrease,
            Sides::Upper | Sides::Both => Direction::Increase,
        },
    }
}

fn validate_rate(kind: ChartKind, rate: f64) -> Result<()> {
    let valid = match kind {
        ChartKind::Bernoulli | ChartKind::Binomial => rate > 0.0 && rate < 1.0,
        ChartKind::Poisson => rate.is_finite() && rate > 0.0,
        ChartKind::Normal => rate.is_finite(),
    };
    if valid {
        return Ok(());
    }
    match kind {
        ChartKind::Bernoulli | ChartKind::Binomial => {
            bail!("--rate must lie strictly between 0 and 1 (a probability per trial)")
        }
        ChartKind::Poisson => {
            bail!("--rate must be positive and finite (a rate per unit of exposure)")
        }
        ChartKind::Normal => bail!("--rate must be finite (the mean of the standardized scores)"),
    }
}

fn require_finite_positive(value: f64, flag: &str) -> Result<()> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        bail!("{flag} must be positive and finite")
    }
}

/// Rewords a library error in terms of the command's flags.
fn flag_error(error: DriftError) -> anyhow::Error {
    match error {
        DriftError::InvalidParameter { name, requirement } => {
            let flag = match name {
                "threshold" => "--h",
                "reference" => "--k",
                "headstart_fraction" => "--headstart",
                "parameter" => "--rate",
                "target_arl0" => "--arl0",
                other => other,
            };
            anyhow!("{flag} {requirement}")
        }
        DriftError::SidesInteract { largest_headstart } => anyhow!(
            "--headstart above {} (h/2 + k) is refused for two sides: both sides can then be \
             above zero when one signals, and their run length has no exact formula; use a \
             smaller headstart or one side",
            number(largest_headstart)
        ),
        other => anyhow!(other),
    }
}

fn direction_of(in_control: f64, value: f64) -> Direction {
    if value > in_control {
        Direction::Increase
    } else {
        Direction::Decrease
    }
}

fn opposite(direction: Direction) -> Direction {
    match direction {
        Direction::Increase => Direction::Decrease,
        Direction::Decrease => Direction::Increase,
    }
}

fn relation_word(direction: Direction) -> &'static str {
    match direction {
        Direction::Increase => "above",
        Direction::Decrease => "below",
    }
}

fn direction_word(direction: Direction) -> &'static str {
    match direction {
        Direction::Increase => "increases",
        Direction::Decrease => "decreases",
    }
}

fn side_name(direction: Direction) -> &'static str {
    match direction {
        Direction::Increase => "upper",
        Direction::Decrease => "lower",
    }
}

fn in_control_flag(kind: ChartKind) -> &'static str {
    match kind {
        ChartKind::Poisson => "--lambda0",
        ChartKind::Normal => "in-control mean",
        _ => "--p0",
    }
}

fn out_of_control_flag(kind: ChartKind) -> &'static str {
    match kind {
        ChartKind::Poisson => "--lambda1",
        ChartKind::Normal => "--shift",
        _ => "--p1",
    }
}

/// The JSON key of the in-control and out-of-control values.
fn value_keys(kind: ChartKind) -> (Option<&'static str>, &'static str) {
    match kind {
        ChartKind::Poisson => (Some("lambda0"), "lambda1"),
        ChartKind::Normal => (None, "shift"),
        _ => (Some("p0"), "p1"),
    }
}

/// ` = j/q` when `value` lies on the grid of `denominator` q, otherwise empty.
fn as_fraction(value: f64, denominator: Option<u64>) -> String {
    match denominator {
        Some(denominator) if denominator > 1 && is_grid_point(value, denominator) => {
            let numerator = (value * denominator as f64).round();
            format!(" = {numerator}/{denominator}")
        }
        _ => String::new(),
    }
}

fn is_grid_point(value: f64, denominator: u64) -> bool {
    let scaled = value * denominator as f64;
    (scaled - scaled.round()).abs() <= 1e-9 * scaled.abs().max(1.0)
}

/// The chart's parameters as JSON fields shared by both commands.
fn parameter_json(scheme: &Scheme, object: &mut Map<String, Value>) {
    object.insert("chart".into(), json!(scheme.kind.name()));
    object.insert("side".into(), json!(scheme.side.name()));
    let (in_key, out_key) = value_keys(scheme.kind);
    if let Some(in_key) = in_key {
        object.insert(in_key.into(), json!(scheme.in_control));
    }
    object.insert(out_key.into(), json!(scheme.sides[0].tuned_to));
    if scheme.kind != ChartKind::Normal {
        object.insert(format!("{out_key}_implied_by_k"), json!(scheme.implied));
    }
    match &scheme.sides[0].chart {
        Chart::Binomial(chart) => {
            object.insert("trials".into(), json!(chart.trials));
        }
        Chart::Poisson(chart) => {
            object.insert("exposure".into(), json!(chart.exposure));
        }
        _ => {}
    }
}

/// The common reference value, or null when the two sides of a discrete scheme differ.
fn shared_reference(charts: &[&Chart]) -> Value {
    let first = reference_of(charts[0]);
    if charts.iter().all(|chart| reference_of(chart) == first) {
        json!(first)
    } else {
        Value::Null
    }
}

fn arl_json(report: &ArlReport, args: &ArlArgs) -> Value {
    let ArlReport {
        scheme,
        headstart,
        side_lengths,
        combined,
    } = report;
    let mut object = Map::new();
    parameter_json(scheme, &mut object);
    let charts: Vec<&Chart> = scheme.sides.iter().map(|side| &side.chart).collect();
    let (_, out_key) = value_keys(scheme.kind);
    object.insert("k".into(), shared_reference(&charts));
    object.insert("h".into(), json!(args.h));
    object.insert("llr_h".into(), json!(scheme.llr_threshold()));
    object.insert("headstart".into(), json!(headstart));
    object.insert("rate".into(), json!(args.rate));
    object.insert("arl".into(), json!(combined.arl));
    object.insert("sd".into(), json!(combined.sd));
    let sides: Vec<Value> = scheme
        .sides
        .iter()
        .zip(side_lengths)
        .map(|(side, length)| {
            json!({
                "side": side_name(side.direction),
                out_key: side.tuned_to,
                "k": reference_of(&side.chart),
                "arl": length.arl,
                "sd": length.sd,
            })
        })
        .collect();
    object.insert("sides".into(), Value::Array(sides));
    Value::Object(object)
}

fn design_json(scheme: &Scheme, args: &DesignArgs, designed: &DesignedScheme) -> Value {
    let mut object = Map::new();
    parameter_json(scheme, &mut object);
    let charts: Vec<&Chart> = designed.sides.iter().map(|side| &side.chart).collect();
    let (_, out_key) = value_keys(scheme.kind);
    object.insert("k".into(), shared_reference(&charts));
    object.insert("h".into(), json!(designed.threshold));
    object.insert("llr_h".into(), json!(designed.llr_threshold));
    object.insert(
        "headstart".into(),
        json!(designed.headstart_fraction * designed.threshold),
    );
    object.insert(
        "headstart_fraction".into(),
        json!(designed.headstart_fraction),
    );
    object.insert("arl0_target".into(), json!(args.arl0));
    object.insert("arl0".into(), json!(designed.arl0.arl));
    object.insert("arl0_sd".into(), json!(designed.arl0.sd));
    object.insert("arl1".into(), json!(designed.arl1.arl));
    object.insert("arl1_sd".into(), json!(designed.arl1.sd));
    let sides: Vec<Value> = designed
        .sides
        .iter()
        .map(|side| {
            json!({
                "side": side_name(side.direction),
                out_key: side.tuned_to,
                "k": reference_of(&side.chart),
                "arl0": side.arl0.arl,
                "arl0_sd": side.arl0.sd,
                "arl1": side.arl1.arl,
                "arl1_sd": side.arl1.sd,
            })
        })
        .collect();
    object.insert("sides".into(), Value::Array(sides));
    Value::Object(object)
}

/// Table rows describing the chart's parameters, shared by both commands.
fn parameter_rows(scheme: &Scheme, charts: &[&Chart]) -> Vec<(String, String)> {
    let mut rows = Vec::new();
    let side = match scheme.side {
        SideChoice::Two => "two-sided".to_string(),
        side => format!("{} side", side.name()),
    };
    rows.push(("chart".into(), format!("{}, {side}", scheme.kind.name())));
    let unit = match scheme.kind {
        ChartKind::Bernoulli => " per item",
        ChartKind::Binomial => " per trial",
        ChartKind::Poisson => " per unit of exposure",
        ChartKind::Normal => " sd",
    };
    let (in_key, out_key) = value_keys(scheme.kind);
    if let (Some(in_key), Some(value)) = (in_key, scheme.in_control) {
        rows.push((in_key.into(), format!("{}{unit}", number(value))));
    }
    match charts[0] {
        Chart::Binomial(chart) => {
            rows.push(("trials".into(), format!("{} per period", chart.trials)))
        }
        Chart::Poisson(chart) => rows.push((
            "exposure".into(),
            format!("{} per period", number(chart.exposure)),
        )),
        _ => {}
    }
    // Sides that share their tuning (always so for the normal chart) get one row each.
    let shared = scheme.sides.iter().zip(charts).all(|(side, chart)| {
        side.tuned_to == scheme.sides[0].tuned_to && reference_of(chart) == reference_of(charts[0])
    });
    let shown = if shared { 1 } else { scheme.sides.len() };
    for (index, (side, chart)) in scheme.sides.iter().zip(charts).take(shown).enumerate() {
        let suffix = if shown > 1 {
            format!(" {}", side_name(side.direction))
        } else {
            String::new()
        };
        if let Some(value) = side.tuned_to {
            let note = if index == 0 && scheme.implied {
                " (implied by --k)"
            } else if index > 0 {
                " (same change mirrored)"
            } else {
                ""
            };
            rows.push((
                format!("{out_key}{suffix}"),
                format!("{}{unit}{note}", number(value)),
            ));
        }
        let per_period = reference_per_period(chart)
            .map(|k| format!(" ({} per period)", number(k)))
            .unwrap_or_default();
        rows.push((
            format!("k{suffix}"),
            format!("{}{unit}{per_period}", number(reference_of(chart))),
        ));
    }
    rows
}

fn arl_rows(report: &ArlReport, args: &ArlArgs) -> Vec<(String, String)> {
    let ArlReport {
        scheme,
        side_lengths,
        ..
    } = report;
    let (headstart, combined) = (report.headstart, report.combined);
    let charts: Vec<&Chart> = scheme.sides.iter().map(|side| &side.chart).collect();
    let mut rows = parameter_rows(scheme, &charts);
    let llr = match scheme.llr_threshold() {
        Some(llr) => format!("log-likelihood ratio {}", number(llr)),
        None => format!(
            "log-likelihood ratio unknown: give {} to name the change --k is tuned to",
            in_control_flag(scheme.kind)
        ),
    };
    rows.push(("h".into(), format!("{} ({llr})", number(args.h))));
    if headstart > 0.0 {
        rows.push((
            "headstart".into(),
            format!(
                "{} ({}% of h)",
                number(headstart),
                number(100.0 * headstart / args.h)
            ),
        ));
    }
    rows.push(("rate".into(), number(args.rate)));
    let period = scheme.kind.period();
    if side_lengths.len() > 1 {
        for (side, length) in scheme.sides.iter().zip(side_lengths) {
            rows.push((
                format!("ARL {}", side_name(side.direction)),
                run_length_text(*length, period, ""),
            ));
        }
    }
    rows.push(("ARL".into(), run_length_text(combined, period, "")));
    rows
}

fn design_rows(
    scheme: &Scheme,
    args: &DesignArgs,
    designed: &DesignedScheme,
) -> Vec<(String, String)> {
    let charts: Vec<&Chart> = designed.sides.iter().map(|side| &side.chart).collect();
    let mut rows = parameter_rows(scheme, &charts);
    rows.push((
        "h".into(),
        format!(
            "{}{} (log-likelihood ratio {})",
            number(designed.threshold),
            as_fraction(designed.threshold, designed.grid),
            number(designed.llr_threshold)
        ),
    ));
    // The design moved each reference value onto its lattice; a chart configured with
    // exactly these values has exactly the run lengths shown.
    for side in &designed.sides {
        if let Some(grid) = side.grid.filter(|&grid| grid > 1) {
            let per_period = reference_per_period(&side.chart).unwrap_or(reference_of(&side.chart));
            let label = if designed.sides.len() > 1 {
                format!("k {} exactly", side_name(side.direction))
            } else {
                "k exactly".into()
            };
            rows.push((
                label,
                format!(
                    "{} per {}{}",
                    number(per_period),
                    if scheme.kind == ChartKind::Bernoulli {
                        "item"
                    } else {
                        "period"
                    },
                    as_fraction(per_period, Some(grid))
                ),
            ));
        }
    }
    if designed.headstart_fraction > 0.0 {
        rows.push((
            "headstart".into(),
            format!(
                "{} ({}% of h)",
                number(designed.headstart_fraction * designed.threshold),
                number(100.0 * designed.headstart_fraction)
            ),
        ));
    }
    let period = scheme.kind.period();
    let target = format!("target {}", number(args.arl0));
    rows.push((
        "ARL0".into(),
        run_length_text(designed.arl0, period, &target),
    ));
    let first = &designed.sides[0];
    let tuned = tuned_text(scheme.kind, first.direction, first.tuned_to);
    rows.push((
        "ARL1".into(),
        run_length_text(designed.arl1, period, &format!("at {tuned}")),
    ));
    if designed.sides.len() > 1 {
        for side in &designed.sides {
            rows.push((
                format!("{} side", side_name(side.direction)),
                format!(
                    "ARL0 {}, ARL {} at {}",
                    number(side.arl0.arl),
                    number(side.arl1.arl),
                    tuned_text(scheme.kind, side.direction, side.tuned_to)
                ),
            ));
        }
    }
    rows
}

/// `ARL periods (note; sd)`, where the sd of a two-sided scheme is unknown.
fn run_length_text(length: RunLength, period: &str, note: &str) -> String {
    let sd = match length.sd {
        Some(sd) => format!("sd {}", number(sd)),
        None => "sd unknown for two sides".into(),
    };
    let note = if note.is_empty() {
        String::new()
    } else {
        format!("{note}; ")
    };
    format!("{} {period} ({note}{sd})", number(length.arl))
}

/// How a side's out-of-control value reads in the table: the signed mean for the normal
/// chart, whose lower side is tuned to a negative shift.
fn tuned_text(kind: ChartKind, direction: Direction, tuned_to: f64) -> String {
    match (kind, direction) {
        (ChartKind::Normal, Direction::Increase) => format!("mean {}", number(tuned_to)),
        (ChartKind::Normal, Direction::Decrease) => format!("mean {}", number(-tuned_to)),
        _ => format!("{} {}", value_keys(kind).1, number(tuned_to)),
    }
}

fn print_rows(rows: &[(String, String)]) {
    let width = rows.iter().map(|(label, _)| label.len()).max().unwrap_or(0);
    for (label, value) in rows {
        println!("{label:<width$}  {value}");
    }
}

/// `value` with five significant digits, without trailing zeros; in scientific notation
/// from a billion on, where plain digits stop being readable.
fn number(value: f64) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    if value == 0.0 {
        return "0".into();
    }
    let magnitude = value.abs().log10().floor() as i32;
    if magnitude >= 9 {
        let text = format!("{value:.4e}");
        let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
        return format!("{}e{exponent}", trim_decimals(mantissa));
    }
    let decimals = (4 - magnitude).clamp(0, 12) as usize;
    trim_decimals(&format!("{value:.decimals$}"))
}

fn trim_decimals(text: &str) -> String {
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;
    use judge::drift::simulate_run_length;
    use judge::drift::MonteCarloOptions;

    use super::*;

    /// The two subcommands as the binary parses them.
    #[derive(Debug, Parser)]
    enum DriftTool {
        Arl(ArlArgs),
        Design(DesignArgs),
    }

    fn arl(flags: &str) -> Result<ArlReport> {
        let command = format!("drift arl {flags}");
        match DriftTool::try_parse_from(command.split_whitespace())? {
            DriftTool::Arl(args) => compute_arl(&args),
            DriftTool::Design(_) => unreachable!(),
        }
    }

    fn design(flags: &str) -> Result<(Scheme, DesignedScheme)> {
        let command = format!("drift design {flags}");
        match DriftTool::try_parse_from(command.split_whitespace())? {
            DriftTool::Design(args) => compute_design(&args),
            DriftTool::Arl(_) => unreachable!(),
        }
    }

    fn check(label: &str, actual: f64, expected: f64, relative_tolerance: f64) {
        let error = ((actual - expected) / expected).abs();
        assert!(
            error <= relative_tolerance,
            "{label}: got {actual}, expected {expected} (relative error {error:.2e})"
        );
    }

    #[test]
    fn two_sided_normal_reproduces_published_tables() {
        // Montgomery's table for k = 0.5: (h, ARL0, ARL at a one-sigma shift).
        for (h, arl0, arl1) in [(4.0, 167.68, 8.38), (5.0, 465.44, 10.38)] {
            let at_zero = arl(&format!("--chart normal --k 0.5 --h {h} --rate 0")).unwrap();
            check("arl0", at_zero.combined.arl, arl0, 5e-3);
            assert_eq!(at_zero.combined.sd, None);
            let shifted = arl(&format!("--chart normal --shift 1 --h {h} --rate 1")).unwrap();
            check("arl1", shifted.combined.arl, arl1, 5e-3);
        }
        let (_, designed) = design("--chart normal --shift 1 --arl0 370").unwrap();
        check("h", designed.threshold, 4.774, 5e-3);
        check("designed arl0", designed.arl0.arl, 370.0, 1e-6);
    }

    #[test]
    fn headstart_is_in_the_charts_units() {
        let report = arl("--chart normal --shift 1 --h 5 --headstart 2.5 --side upper --rate 1");
        // Lucas & Crosier (1982): a headstart of h/2 gives ARL 6.35 at a one-sigma shift.
        check("fir", report.unwrap().combined.arl, 6.35, 0.01);
        let error = arl("--chart normal --shift 1 --h 5 --headstart 5 --rate 1").unwrap_err();
        assert!(error
            .to_string()
            .starts_with("--headstart must lie in [0, h)"));
    }

    #[test]
    fn two_sided_headstart_is_exact_or_refused() {
        // R: spc::xcusum.arl(0.5, 4, 0, hs = 2, sided = "two") = 148.70.
        let report = arl("--chart normal --k 0.5 --h 4 --side two --headstart 2 --rate 0");
        check("spc", report.unwrap().combined.arl, 148.70, 1e-4);
        let error = arl("--chart normal --k 0.5 --h 4 --side two --headstart 3 --rate 0")
            .map(|report| report.combined.arl)
            .unwrap_err();
        let message = format!("{error:#}");
        assert!(
            message.contains("--headstart above 2.5 (h/2 + k) is refused for two sides"),
            "{message}"
        );
        // One side alone has no partner to interact with.
        arl("--chart normal --k 0.5 --h 4 --side upper --headstart 3 --rate 0").unwrap();
        // A discrete two-sided design with a headstart meets its target with the exact
        // combination, which a simulation of both sides together confirms.
        let flags = "--chart bernoulli --p0 0.2 --p1 0.3 --side two --headstart-fraction 0.4";
        let (_, designed) = design(&format!("{flags} --arl0 200")).unwrap();
        assert!(designed.arl0.arl >= 200.0, "{}", designed.arl0.arl);
        let [first, second] = [&designed.sides[0].chart, &designed.sides[1].chart];
        let (Chart::Bernoulli(first), Chart::Bernoulli(second)) = (first, second) else {
            unreachable!("bernoulli sides")
        };
        let mut rng = judge::drift::Rng::new(11);
        let runs = 20_000;
        let mut lengths = Vec::with_capacity(runs);
        for _ in 0..runs {
            let (mut a, mut b, mut length) = (first.start(), second.start(), 0u64);
            loop {
                let event = rng.bernoulli(0.2);
                (a, b, length) = (first.update(a, event), second.update(b, event), length + 1);
                if judge::drift::is_alarm(a, first.threshold)
                    || judge::drift::is_alarm(b, second.threshold)
                {
                    break;
                }
            }
            lengths.push(length as f64);
        }
        let mean = lengths.iter().sum::<f64>() / runs as f64;
        let variance =
            lengths.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / (runs as f64 - 1.0);
        let standard_error = (variance / runs as f64).sqrt();
        assert!(
            (mean - designed.arl0.arl).abs() < 3.0 * standard_error,
            "simulated {mean} +- {standard_error}, exact {}",
            designed.arl0.arl
        );
    }

    #[test]
    fn designed_poisson_chart_reproduces_its_run_lengths_through_arl() {
        let flags = "--chart poisson --lambda0 0.375 --lambda1 0.225 --exposure 40";
        let (scheme, designed) = design(&format!("{flags} --arl0 104")).unwrap();
        assert_eq!(scheme.side, SideChoice::Lower);
        assert!(designed.arl0.arl >= 104.0);
        let k = reference_of(&designed.sides[0].chart);
        let again = arl(&format!(
            "{flags} --k {k} --h {} --rate 0.375",
            designed.threshold
        ))
        .unwrap();
        check("arl0", again.combined.arl, designed.arl0.arl, 1e-9);
        check(
            "llr",
            again.scheme.llr_threshold().unwrap(),
            designed.llr_threshold,
            1e-12,
        );
    }

    #[test]
    fn bernoulli_arl_agrees_with_simulation() {
        let report = arl("--chart bernoulli --p0 0.1 --p1 0.2 --h 3 --headstart 1 --rate 0.15");
        let report = report.unwrap();
        let estimate = simulate_run_length(
            &report.scheme.sides[0].chart,
            0.15,
            &MonteCarloOptions {
                replications: 20_000,
                max_run_length: 1_000_000,
                seed: 3,
            },
        )
        .unwrap();
        let (low, high) = estimate.confidence_interval(2.576);
        let exact = report.combined.arl;
        assert!(
            low <= exact && exact <= high,
            "{exact} outside {low}..{high}"
        );
    }

    #[test]
    fn k_with_an_in_control_value_implies_the_tuned_change() {
        let gamma = bernoulli_reference(0.05, 0.1);
        let report = arl(&format!(
            "--chart bernoulli --p0 0.05 --k {gamma} --h 3 --rate 0.05"
        ));
        let scheme = report.unwrap().scheme;
        assert!(scheme.implied);
        check("p1", scheme.sides[0].tuned_to.unwrap(), 0.1, 1e-9);
        for (lambda1, side) in [(0.225, "lower"), (0.9, "upper")] {
            let k = poisson_reference(0.375, lambda1);
            let flags = format!("--chart poisson --lambda0 0.375 --k {k} --h 4 --rate 0.3");
            let scheme = arl(&flags).unwrap().scheme;
            assert_eq!(scheme.side.name(), side);
            check("lambda1", scheme.sides[0].tuned_to.unwrap(), lambda1, 1e-9);
        }
        // Without an in-control value the log-likelihood scale is unknown.
        let report = arl("--chart bernoulli --k 0.07 --side upper --h 3 --rate 0.05").unwrap();
        assert_eq!(report.scheme.llr_threshold(), None);
    }

    #[test]
    fn two_sided_discrete_schemes_mirror_the_change() {
        let report = arl("--chart poisson --lambda0 0.375 --lambda1 0.225 --exposure 40 --h 7 --side two --rate 0.375").unwrap();
        let sides = &report.scheme.sides;
        assert_eq!(sides.len(), 2);
        check("mirror", sides[1].tuned_to.unwrap(), 0.625, 1e-12);
        check(
            "same llr scale",
            sides[1].chart.llr_threshold(),
            sides[0].chart.llr_threshold(),
            1e-12,
        );
        let harmonic = 1.0 / (1.0 / report.side_lengths[0].arl + 1.0 / report.side_lengths[1].arl);
        check("combined", report.combined.arl, harmonic, 1e-12);
        let binomial =
            arl("--chart binomial --p0 0.2 --p1 0.1 --trials 50 --h 5 --side two --rate 0.2")
                .unwrap();
        let sides = &binomial.scheme.sides;
        check(
            "odds ratio",
            sides[1].chart.llr_threshold(),
            sides[0].chart.llr_threshold(),
            1e-9,
        );
    }

    #[test]
    fn two_sided_discrete_design_is_the_smallest_common_threshold() {
        let flags = "--chart binomial --p0 0.2 --p1 0.1 --trials 50 --side two --arl0 500";
        let (_, designed) = design(flags).unwrap();
        assert!(designed.arl0.arl >= 500.0, "{}", designed.arl0.arl);
        // Every threshold in (previous grid point, h] gives the same charts, so the next
        // smaller candidate is the previous point of either side's grid.
        let previous = designed
            .sides
            .iter()
            .map(|side| {
                let grid = side.grid.unwrap() as f64;
                ((designed.threshold * grid - 1e-6).ceil() - 1.0) / grid
            })
            .fold(0.0, f64::max);
        let charts: Vec<Chart> = designed
            .sides
            .iter()
            .map(|side| with_threshold(&side.chart, previous))
            .collect();
        let combined = scheme_run_length(&charts.iter().collect::<Vec<_>>(), 0.2)
            .unwrap()
            .arl;
        assert!(combined < 500.0, "{combined} at h = {previous}");
    }

    #[test]
    fn errors_name_the_flag() {
        let cases = [
            (
                "arl --chart bernoulli --p0 0.1 --p1 0.1 --h 3 --rate 0.1",
                "--p1 must differ from --p0",
            ),
            (
                "arl --chart bernoulli --p1 0.2 --h 3 --rate 0.1",
                "--p1 needs --p0",
            ),
            (
                "arl --chart bernoulli --p0 0.1 --p1 0.2 --side lower --h 3 --rate 0.1",
                "--side lower contradicts --p1 above --p0",
            ),
            (
                "arl --chart poisson --lambda0 4 --lambda1 8 --shift 1 --h 3 --rate 4",
                "--shift applies only to --chart normal",
            ),
            (
                "arl --chart binomial --p0 0.1 --p1 0.2 --h 3 --rate 0.1",
                "--chart binomial needs --trials of at least 1",
            ),
            (
                "arl --chart normal --shift -1 --h 3 --rate 0",
                "--shift must be positive and finite",
            ),
            (
                "arl --chart poisson --lambda0 4 --lambda1 8 --h 0 --rate 4",
                "--h must be positive and finite",
            ),
            (
                "arl --chart poisson --lambda0 4 --lambda1 8 --h 3 --rate 0",
                "--rate must be positive and finite",
            ),
            (
                "arl --chart bernoulli --k 0.2 --h 3 --rate 0.1",
                "--k alone needs --side upper or --side lower",
            ),
            (
                "design --chart bernoulli --k 0.2 --side upper --arl0 100",
                "design needs the in-control --p0",
            ),
            (
                "design --chart normal --shift 1 --arl0 0.5",
                "--arl0 must be a finite number greater than 1",
            ),
        ];
        for (command, expected) in cases {
            let (subcommand, flags) = command.split_once(' ').unwrap();
            let message = match subcommand {
                "arl" => arl(flags).err(),
                _ => design(flags).err(),
            }
            .map(|error| format!("{error:#}"))
            .unwrap_or_else(|| panic!("{command} succeeded"));
            assert!(message.starts_with(expected), "{command}: {message}");
            assert!(!message.ends_with('.'), "{message}");
        }
    }

    #[test]
    fn json_has_the_documented_fields() {
        let args = match DriftTool::try_parse_from(
            "drift arl --chart normal --shift 1 --h 4 --rate 0 --json".split_whitespace(),
        )
        .unwrap()
        {
            DriftTool::Arl(args) => args,
            DriftTool::Design(_) => unreachable!(),
        };
        let value = arl_json(&compute_arl(&args).unwrap(), &args);
        for field in ["chart", "h", "llr_h", "rate", "arl", "sd", "side"] {
            assert!(value.get(field).is_some(), "{field} missing from {value}");
        }
        assert_eq!(value["sd"], Value::Null);
        assert_eq!(value["side"], "two");
    }

    #[test]
    fn numbers_keep_five_significant_digits() {
        assert_eq!(number(167.6794), "167.68");
        assert_eq!(number(4.0), "4");
        assert_eq!(number(0.0723584), "0.072358");
        assert_eq!(number(20016459.3), "20016459");
        assert_eq!(number(1e300), "1e300");
    }
}
