//! Simulation: a deterministic random number generator, Monte Carlo run lengths of any
//! chart, and a study of the naive "weekly count fell 30% below baseline" rule.

use super::charts::{is_alarm, Chart, NormalStatistics, PoissonCusum, Sides};
use super::{require, Result};

/// The xoshiro256** generator (Blackman & Vigna 2018), seeded through splitmix64.
///
/// Small, fast and reproducible across platforms; not for cryptography.
#[derive(Debug, Clone)]
pub struct Rng {
    state: [u64; 4],
}

/// Monte Carlo settings for [`simulate_run_length`].
#[derive(Debug, Clone, PartialEq)]
pub struct MonteCarloOptions {
    /// Number of simulated runs.
    pub replications: usize,
    /// Runs still without an alarm after this many periods are cut off there.
    pub max_run_length: u64,
    /// Seed of the generator.
    pub seed: u64,
}

/// Summary of simulated run lengths.
#[derive(Debug, Clone, PartialEq)]
pub struct RunLengthEstimate {
    /// Sample mean of the run lengths.
    pub mean: f64,
    /// Sample standard deviation of the run lengths.
    pub sd: f64,
    /// Standard error of the mean, `sd / sqrt(replications)`.
    pub standard_error: f64,
    /// Number of simulated runs.
    pub replications: usize,
    /// Runs cut off at [`MonteCarloOptions::max_run_length`] (counted at that length).
    pub censored: usize,
}

/// A simulated stream of weekly counts whose rate changes once.
#[derive(Debug, Clone, PartialEq)]
pub struct ShiftScenario {
    /// Rate per unit exposure before the change.
    pub baseline_rate: f64,
    /// Rate per unit exposure from the change on.
    pub shifted_rate: f64,
    /// Exposure per week (for instance tasks per week).
    pub exposure: f64,
    /// In-control weeks before the change, where every alarm is false.
    pub weeks_before_shift: usize,
    /// Weeks simulated from the change on; a rule silent through all of them missed it.
    pub weeks_after_shift: usize,
    /// Number of simulated streams.
    pub replications: usize,
    /// Seed of the generator; equal seeds give every rule the same weekly counts.
    pub seed: u64,
}

/// How a detection rule fared over the replications of a [`ShiftScenario`].
#[derive(Debug, Clone, PartialEq)]
pub struct DetectionOutcome {
    /// Per replication, the number of shifted weeks up to and including the first alarm
    /// after the change (1 means the first shifted week), or `None` if it never came.
    pub detection_delays: Vec<Option<usize>>,
    /// Per replication, the number of alarms during the weeks before the change.
    pub false_alarms: Vec<usize>,
}

impl Rng {
    /// A generator whose whole stream is determined by `seed`.
    pub fn new(seed: u64) -> Self {
        let mut mixer = seed;
        Rng {
            state: std::array::from_fn(|_| splitmix64(&mut mixer)),
        }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let [s0, s1, s2, s3] = self.state;
        let result = s1.wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s1 << 17;
        let s2 = s2 ^ s0;
        let s3 = s3 ^ s1;
        let s1 = s1 ^ s2;
        let s0 = s0 ^ s3;
        let s2 = s2 ^ t;
        let s3 = s3.rotate_left(45);
        self.state = [s0, s1, s2, s3];
        result
    }

    /// A uniform draw from `[0, 1)` with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// `true` with probability `p`.
    pub fn bernoulli(&mut self, p: f64) -> bool {
        self.uniform() < p
    }

    /// A binomial draw: successes in `trials` independent trials of probability `p`.
    pub fn binomial(&mut self, trials: u64, p: f64) -> u64 {
        if p <= 0.0 {
            return 0;
        }
        if p >= 1.0 {
            return trials;
        }
        if p > 0.5 {
            return trials - self.binomial(trials, 1.0 - p);
        }
        // Inversion in chunks of at most 1000 trials keeps (1 - p)^n clear of underflow.
        let mut remaining = trials;
        let mut total = 0;
        while remaining > 0 {
            let chunk = remaining.min(1000);
            remaining -= chunk;
            total += self.binomial_by_inversion(chunk, p);
        }
        total
    }

    /// A Poisson draw with mean `mean`.
    pub fn poisson(&mut self, mean: f64) -> u64 {
        if mean <= 0.0 {
            return 0;
        }
        // Sums of Poisson variables are Poisson; chunks of mean at most 500 keep e^{-mean}
        // clear of underflow for inversion.
        let chunks = (mean / 500.0).ceil();
        let part = mean / chunks;
        (0..chunks as u64)
            .map(|_| self.poisson_by_inversion(part))
            .sum()
    }

    /// A standard normal draw (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let radius = (-2.0 * (1.0 - self.uniform()).ln()).sqrt();
        radius * (2.0 * std::f64::consts::PI * self.uniform()).cos()
    }

    fn binomial_by_inversion(&mut self, trials: u64, p: f64) -> u64 {
        let odds = p / (1.0 - p);
        let mut probability = (1.0 - p).powf(trials as f64);
        let mut cumulative = probability;
        let u = self.uniform();
        let mut x = 0;
        while u >= cumulative && x < trials {
            probability *= (trials - x) as f64 / (x + 1) as f64 * odds;
            x += 1;
            cumulative += probability;
        }
        x
    }

    fn poisson_by_inversion(&mut self, mean: f64) -> u64 {
        let mut probability = (-mean).exp();
        let mut cumulative = probability;
        let u = self.uniform();
        let mut x = 0;
        // Past the mean, a vanished probability means rounding kept the sum below u.
        while u >= cumulative && (probability > 0.0 || (x as f64) < mean) {
            x += 1;
            probability *= mean / x as f64;
            cumulative += probability;
        }
        x
    }
}

impl RunLengthEstimate {
    /// The interval `mean ± z * standard_error` (z = 2.576 for 99%).
    pub fn confidence_interval(&self, z: f64) -> (f64, f64) {
        (
            self.mean - z * self.standard_error,
            self.mean + z * self.standard_error,
        )
    }
}

impl DetectionOutcome {
    /// Fraction of replications where the change was detected.
    pub fn detection_rate(&self) -> f64 {
        let detected = self.detection_delays.iter().flatten().count();
        detected as f64 / self.detection_delays.len().max(1) as f64
    }

    /// Mean delay over the replications that detected the change.
    pub fn mean_detection_delay(&self) -> Option<f64> {
        let delays: Vec<usize> = self.detection_delays.iter().flatten().copied().collect();
        (!delays.is_empty()).then(|| delays.iter().sum::<usize>() as f64 / delays.len() as f64)
    }

    /// Mean number of false alarms per replication.
    pub fn mean_false_alarms(&self) -> f64 {
        self.false_alarms.iter().sum::<usize>() as f64 / self.false_alarms.len().max(1) as f64
    }
}

/// Simulates `chart` with its parameter at `parameter` (`p`, `lambda` per unit exposure,
/// or the score mean) from its headstart until the first alarm, `replications` times.
///
/// Observations come from the chart's own model: one item, `trials` trials or
/// `exposure` exposure per period, or unit-variance normal scores. The two-sided normal
/// chart is simulated exactly, both statistics together.
pub fn simulate_run_length(
    chart: &Chart,
    parameter: f64,
    options: &MonteCarloOptions,
) -> Result<RunLengthEstimate> {
    chart.validate()?;
    require(
        options.replications >= 2,
        "replications",
        "must be at least 2",
    )?;
    require(
        options.max_run_length >= 1,
        "max_run_length",
        "must be at least 1",
    )?;
    require(parameter.is_finite(), "parameter", "must be finite")?;
    let mut rng = Rng::new(options.seed);
    let mut censored = 0;
    let mut sum = 0.0;
    let mut sum_of_squares = 0.0;
    for _ in 0..options.replications {
        let length = match one_run(chart, parameter, options.max_run_length, &mut rng) {
            Some(length) => length,
            None => {
                censored += 1;
                options.max_run_length
            }
        } as f64;
        sum += length;
        sum_of_squares += length * length;
    }
    let n = options.replications as f64;
    let mean = sum / n;
    let sd = ((sum_of_squares - n * mean * mean) / (n - 1.0))
        .max(0.0)
        .sqrt();
    Ok(RunLengthEstimate {
        mean,
        sd,
        standard_error: sd / n.sqrt(),
        replications: options.replications,
        censored,
    })
}

/// Simulates the naive rule "alarm in any week whose count is at most
/// `(1 - drop_fraction)` times the baseline mean count" over the scenario's weeks.
pub fn simulate_naive_drop_rule(
    scenario: &ShiftScenario,
    drop_fraction: f64,
) -> Result<DetectionOutcome> {
    require(
        drop_fraction > 0.0 && drop_fraction < 1.0,
        "drop_fraction",
        "must lie strictly between 0 and 1",
    )?;
    let limit = (1.0 - drop_fraction) * scenario.baseline_rate * scenario.exposure;
    simulate_scenario(scenario, |_, count| {
        if count as f64 <= limit {
            Verdict::Alarm
        } else {
            Verdict::Quiet
        }
    })
}

/// Simulates `chart` over the scenario's weeks, restarting it at its headstart after
/// each false alarm and carrying its state across the change.
pub fn simulate_poisson_cusum(
    scenario: &ShiftScenario,
    chart: &PoissonCusum,
) -> Result<DetectionOutcome> {
    chart.validate()?;
    let mut statistic = chart.start();
    simulate_scenario(scenario, |week, count| {
        if week == 0 {
            statistic = chart.start();
        }
        statistic = chart.update(statistic, count, scenario.exposure);
        if is_alarm(statistic, chart.threshold) {
            statistic = chart.start();
            Verdict::Alarm
        } else {
            Verdict::Quiet
        }
    })
}

/// Whether a rule alarms in a given week.
enum Verdict {
    Alarm,
    Quiet,
}

/// Runs a rule, told the week index within the replication and the week's count, over
/// every replication. Every replication draws all its weeks whatever the rule does, so
/// rules compared under one seed see identical data.
fn simulate_scenario(
    scenario: &ShiftScenario,
    mut rule: impl FnMut(usize, u64) -> Verdict,
) -> Result<DetectionOutcome> {
    validate_scenario(scenario)?;
    let mut rng = Rng::new(scenario.seed);
    let weeks = scenario.weeks_before_shift + scenario.weeks_after_shift;
    let mut outcome = DetectionOutcome {
        detection_delays: Vec::with_capacity(scenario.replications),
        false_alarms: Vec::with_capacity(scenario.replications),
    };
    for _ in 0..scenario.replications {
        let counts: Vec<u64> = (0..weeks)
            .map(|week| {
                let rate = if week < scenario.weeks_before_shift {
                    scenario.baseline_rate
                } else {
                    scenario.shifted_rate
                };
                rng.poisson(rate * scenario.exposure)
            })
            .collect();
        let mut false_alarms = 0;
        let mut delay = None;
        for (week, &count) in counts.iter().enumerate() {
            let alarmed = matches!(rule(week, count), Verdict::Alarm);
            if !alarmed {
                continue;
            }
            if week < scenario.weeks_before_shift {
                false_alarms += 1;
            } else {
                delay = Some(week - scenario.weeks_before_shift + 1);
                break;
            }
        }
        outcome.false_alarms.push(false_alarms);
        outcome.detection_delays.push(delay);
    }
    Ok(outcome)
}

fn validate_scenario(scenario: &ShiftScenario) -> Result<()> {
    for (rate, name) in [
        (scenario.baseline_rate, "baseline_rate"),
        (scenario.shifted_rate, "shifted_rate"),
        (scenario.exposure, "exposure"),
    ] {
        require(
            rate.is_finite() && rate > 0.0,
            name,
            "must be positive and finite",
        )?;
    }
    require(
        scenario.replications >= 1,
        "replications",
        "must be at least 1",
    )
}

/// One run of `chart` until its first alarm, or `None` after `max_length` periods.
fn one_run(chart: &Chart, parameter: f64, max_length: u64, rng: &mut Rng) -> Option<u64> {
    match chart {
        Chart::Bernoulli(c) => run_until_alarm(c.start(), c.threshold, max_length, |s| {
            c.update(s, rng.bernoulli(parameter))
        }),
        Chart::Binomial(c) => run_until_alarm(c.start(), c.threshold, max_length, |s| {
            c.update(s, rng.binomial(c.trials, parameter), c.trials)
        }),
        Chart::Poisson(c) => run_until_alarm(c.start(), c.threshold, max_length, |s| {
            c.update(s, rng.poisson(parameter * c.exposure), c.exposure)
        }),
        Chart::Normal(c) => {
            let mut statistics: NormalStatistics = c.start();
            (1..=max_length).find(|_| {
                statistics = c.update(statistics, parameter + rng.normal());
                let upper = is_alarm(statistics.upper, c.threshold);
                let lower = is_alarm(statistics.lower, c.threshold);
                match c.sides {
                    Sides::Upper => upper,
                    Sides::Lower => lower,
                    Sides::Both => upper || lower,
                }
            })
        }
    }
}

fn run_until_alarm(
    start: f64,
    threshold: f64,
    max_length: u64,
    mut step: impl FnMut(f64) -> f64,
) -> Option<u64> {
    let mut statistic = start;
    (1..=max_length).find(|_| {
        statistic = step(statistic);
        is_alarm(statistic, threshold)
    })
}

/// One step of splitmix64 (Steele, Lea & Flood 2014), used to spread a seed over the
/// generator's state.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::super::arl::run_length;
    use super::super::charts::{BernoulliCusum, BinomialCusum, NormalCusum};
    use super::super::design::design_threshold;
    use super::*;

    /// Asserts that the Markov-chain ARL of `chart` at `parameter` lies inside the 99%
    /// confidence interval of a simulation, which must be at most `max_width` wide
    /// relative to the ARL.
    fn check_against_simulation(chart: &Chart, parameter: f64, replications: usize, seed: u64) {
        let exact = run_length(chart, parameter).unwrap();
        let estimate = simulate_run_length(
            chart,
            parameter,
            &MonteCarloOptions {
                replications,
                max_run_length: 1_000_000,
                seed,
            },
        )
        .unwrap();
        let (low, high) = estimate.confidence_interval(2.576);
        assert_eq!(estimate.censored, 0);
        assert!(
            (high - low) / exact.arl < 0.08,
            "interval too wide: {low}..{high}"
        );
        assert!(
            low <= exact.arl && exact.arl <= high,
            "{chart:?} at {parameter}: markov arl {} outside simulated 99% interval {low}..{high}",
            exact.arl
        );
        let sd = exact.sd.unwrap();
        assert!(
            (estimate.sd - sd).abs() < 0.1 * sd,
            "markov sd {sd} against simulated {}",
            estimate.sd
        );
    }

    #[test]
    fn generator_is_deterministic_and_uniform() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        let draws: Vec<u64> = (0..5).map(|_| a.next_u64()).collect();
        assert_eq!(draws, (0..5).map(|_| b.next_u64()).collect::<Vec<_>>());
        assert_ne!(Rng::new(8).next_u64(), draws[0]);
        let n = 200_000;
        let mean = (0..n).map(|_| a.uniform()).sum::<f64>() / n as f64;
        assert!((mean - 0.5).abs() < 0.005, "{mean}");
    }

    type Sampler = fn(&mut Rng) -> f64;

    #[test]
    fn samplers_have_the_right_moments() {
        let mut rng = Rng::new(11);
        let n = 40_000;
        let cases: [(&str, f64, f64, Sampler); 5] = [
            ("poisson 3.5", 3.5, 3.5, |r| r.poisson(3.5) as f64),
            ("poisson 1200", 1200.0, 1200.0, |r| r.poisson(1200.0) as f64),
            ("binomial 30, 0.2", 6.0, 4.8, |r| r.binomial(30, 0.2) as f64),
            ("binomial 2500, 0.7", 1750.0, 525.0, |r| {
                r.binomial(2500, 0.7) as f64
            }),
            ("normal", 0.0, 1.0, |r| r.normal()),
        ];
        for (label, mean, variance, draw) in cases {
            let draws: Vec<f64> = (0..n).map(|_| draw(&mut rng)).collect();
            let sample_mean = draws.iter().sum::<f64>() / n as f64;
            let sample_variance =
                draws.iter().map(|x| (x - sample_mean).powi(2)).sum::<f64>() / (n - 1) as f64;
            let standard_error = (variance / n as f64).sqrt();
            assert!(
                (sample_mean - mean).abs() < 4.0 * standard_error,
                "{label}: mean {sample_mean}"
            );
            assert!(
                (sample_variance / variance - 1.0).abs() < 0.05,
                "{label}: variance {sample_variance}"
            );
        }
    }

    #[test]
    fn bernoulli_markov_arl_matches_simulation() {
        let chart = Chart::Bernoulli(BernoulliCusum::new(0.1, 0.2, 1.0).unwrap());
        let design = design_threshold(&chart, 150.0).unwrap();
        check_against_simulation(&design.chart, 0.1, 20_000, 1);
        check_against_simulation(&design.chart, 0.2, 20_000, 2);
        // An off-lattice reference, a decrease chart and a headstart.
        let chart = Chart::Bernoulli(
            BernoulliCusum::new(0.3, 0.15, 2.5)
                .unwrap()
                .with_headstart(0.5)
                .unwrap(),
        );
        check_against_simulation(&chart, 0.3, 20_000, 3);
        let chart = Chart::Binomial(BinomialCusum::new(0.1, 0.2, 15, 3.0).unwrap());
        check_against_simulation(&chart, 0.1, 20_000, 4);
    }

    #[test]
    fn poisson_markov_arl_matches_simulation() {
        let chart = Chart::Poisson(PoissonCusum::new(4.0, 8.0, 1.0, 1.0).unwrap());
        let design = design_threshold(&chart, 150.0).unwrap();
        check_against_simulation(&design.chart, 4.0, 20_000, 5);
        check_against_simulation(&design.chart, 8.0, 20_000, 6);
        let chart = Chart::Poisson(
            PoissonCusum::new(0.15, 0.04, 100.0, 3.0)
                .unwrap()
                .with_headstart(0.5)
                .unwrap(),
        );
        check_against_simulation(&chart, 0.12, 20_000, 7);
    }

    #[test]
    fn two_sided_normal_simulation_agrees_with_the_exact_combination() {
        // Without a headstart and with both sides started at h/2, where the sides overlap
        // and the harmonic combination of the one-sided run lengths is 6% too long.
        for (fraction, seed) in [(0.0, 9), (0.5, 10)] {
            let chart = Chart::Normal(
                NormalCusum::new(1.0, 4.0, Sides::Both)
                    .unwrap()
                    .with_headstart(fraction)
                    .unwrap(),
            );
            let exact = run_length(&chart, 0.0).unwrap().arl;
            let estimate = simulate_run_length(
                &chart,
                0.0,
                &MonteCarloOptions {
                    replications: 20_000,
                    max_run_length: 1_000_000,
                    seed,
                },
            )
            .unwrap();
            let (low, high) = estimate.confidence_interval(2.576);
            assert!(
                low <= exact && exact <= high,
                "headstart {fraction}: exact {exact} outside {low}..{high}"
            );
        }
    }

    #[test]
    fn naive_rule_and_cusum_see_the_same_weeks() {
        let scenario = ShiftScenario {
            baseline_rate: 0.15,
            shifted_rate: 0.04,
            exposure: 100.0,
            weeks_before_shift: 104,
            weeks_after_shift: 26,
            replications: 200,
            seed: 42,
        };
        let naive = simulate_naive_drop_rule(&scenario, 0.3).unwrap();
        assert_eq!(naive.detection_delays.len(), 200);
        assert_eq!(naive.detection_rate(), 1.0);
        // A weekly count at or below 10.5 when the mean is 15 happens about 12% of weeks.
        let per_week = naive.mean_false_alarms() / 104.0;
        assert!(per_week > 0.08 && per_week < 0.16, "{per_week}");
        let chart = PoissonCusum::new(0.15, 0.04, 100.0, 1.0).unwrap();
        let Chart::Poisson(designed) = design_threshold(&Chart::Poisson(chart), 104.0)
            .unwrap()
            .chart
        else {
            unreachable!()
        };
        let cusum = simulate_poisson_cusum(&scenario, &designed).unwrap();
        assert_eq!(cusum.detection_rate(), 1.0);
        assert!(cusum.mean_false_alarms() < naive.mean_false_alarms() / 5.0);
        assert!(cusum.mean_detection_delay().unwrap() < 3.0);
        // Same seed, same data: rerunning gives identical outcomes.
        assert_eq!(simulate_naive_drop_rule(&scenario, 0.3).unwrap(), naive);
    }
}
