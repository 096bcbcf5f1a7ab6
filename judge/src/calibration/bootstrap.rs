//! Cluster bootstrap of the agreement metrics: resample groups with replacement, recompute
//! the metrics on the fixed out-of-fold probabilities, take percentile 95% intervals.

use anyhow::{ensure, Result};
use serde::{Deserialize, Serialize};

use super::folds::below;
use super::metrics::{metrics, Metrics};
use crate::drift::Rng;

/// A two-sided interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// The 2.5th percentile of the bootstrap distribution.
    pub low: f64,
    /// The 97.5th percentile of the bootstrap distribution.
    pub high: f64,
}

/// A 95% interval for each field of [`Metrics`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MetricIntervals {
    pub accuracy: Interval,
    pub balanced_accuracy: Interval,
    pub kappa: Interval,
    pub auc: Interval,
    pub brier: Interval,
    pub ece: Interval,
}

/// Draws `n_resamples` cluster resamples: each draws as many groups as there are, with
/// replacement, and takes all their items. A resample holding a single class (where AUC and
/// balanced accuracy are undefined) is drawn again, so every resample counts. Returns the
/// item indices of each resample.
pub(crate) fn cluster_resamples(
    groups: &[usize],
    labels: &[bool],
    n_resamples: usize,
    seed: u64,
) -> Result<Vec<Vec<usize>>> {
    let n_groups = groups.iter().map(|&g| g + 1).max().unwrap_or(0);
    let mut members = vec![Vec::new(); n_groups];
    for (item, &group) in groups.iter().enumerate() {
        members[group].push(item);
    }
    let mut rng = Rng::new(seed);
    let mut resamples = Vec::with_capacity(n_resamples);
    let max_draws = 100 * n_resamples + 1000;
    let mut draws = 0;
    while resamples.len() < n_resamples {
        ensure!(
            draws < max_draws,
            "the bootstrap drew {draws} resamples and almost none held both pass and fail \
             labels: too few groups of one class"
        );
        draws += 1;
        let mut items = Vec::with_capacity(groups.len());
        for _ in 0..n_groups {
            items.extend_from_slice(&members[below(&mut rng, n_groups)]);
        }
        let passes = items.iter().filter(|&&i| labels[i]).count();
        if passes > 0 && passes < items.len() {
            resamples.push(items);
        }
    }
    Ok(resamples)
}

/// Percentile 95% intervals of the metrics over the resamples.
pub(crate) fn intervals(
    probabilities: &[f64],
    labels: &[bool],
    resamples: &[Vec<usize>],
    threshold: f64,
) -> MetricIntervals {
    let replicates: Vec<Metrics> = resamples
        .iter()
        .map(|items| {
            let p: Vec<f64> = items.iter().map(|&i| probabilities[i]).collect();
            let y: Vec<bool> = items.iter().map(|&i| labels[i]).collect();
            metrics(&p, &y, threshold)
        })
        .collect();
    let interval = |field: fn(&Metrics) -> f64| {
        let mut values: Vec<f64> = replicates.iter().map(field).collect();
        values.sort_by(f64::total_cmp);
        Interval {
            low: percentile(&values, 0.025),
            high: percentile(&values, 0.975),
        }
    };
    MetricIntervals {
        accuracy: interval(|m| m.accuracy),
        balanced_accuracy: interval(|m| m.balanced_accuracy),
        kappa: interval(|m| m.kappa),
        auc: interval(|m| m.auc),
        brier: interval(|m| m.brier),
        ece: interval(|m| m.ece),
    }
}

/// The `q` quantile of sorted values, interpolating linearly between order statistics
/// (Hyndman & Fan type 7, the default of R and NumPy).
fn percentile(sorted: &[f64], q: f64) -> f64 {
    let position = (sorted.len() - 1) as f64 * q;
    let below = position.floor() as usize;
    let above = (below + 1).min(sorted.len() - 1);
    let fraction = position - below as f64;
    sorted[below] + fraction * (sorted[above] - sorted[below])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_interpolate_between_order_statistics() {
        let values: Vec<f64> = (0..=40).map(f64::from).collect();
        assert_eq!(percentile(&values, 0.025), 1.0);
        assert_eq!(percentile(&values, 0.975), 39.0);
        assert_eq!(percentile(&[1.0, 2.0], 0.5), 1.5);
    }

    #[test]
    fn resamples_take_whole_groups_and_both_classes() {
        let groups = [0, 0, 1, 1, 2, 3, 3, 3];
        let labels = [true, true, false, false, true, false, true, false];
        let resamples = cluster_resamples(&groups, &labels, 200, 5).unwrap();
        assert_eq!(
            resamples,
            cluster_resamples(&groups, &labels, 200, 5).unwrap()
        );
        for items in &resamples {
            // Group 0 contributes both its items or neither, as many times as it was drawn.
            let first = items.iter().filter(|&&i| i == 0).count();
            assert_eq!(first, items.iter().filter(|&&i| i == 1).count());
            assert!(items.iter().any(|&i| labels[i]) && items.iter().any(|&i| !labels[i]));
        }
    }

    #[test]
    fn intervals_bracket_the_point_estimate_and_narrow_with_more_data() {
        let mut rng = Rng::new(3);
        let width = |n: usize, rng: &mut Rng| {
            let labels: Vec<bool> = (0..n).map(|_| rng.bernoulli(0.5)).collect();
            let p: Vec<f64> = labels
                .iter()
                .map(|&l| (if l { 0.6 } else { 0.4 } + 0.8 * (rng.uniform() - 0.5)))
                .collect();
            let groups: Vec<usize> = (0..n).collect();
            let resamples = cluster_resamples(&groups, &labels, 500, 1).unwrap();
            let intervals = intervals(&p, &labels, &resamples, 0.5);
            let point = metrics(&p, &labels, 0.5);
            assert!(intervals.auc.low <= point.auc && point.auc <= intervals.auc.high);
            assert!(intervals.brier.low <= point.brier && point.brier <= intervals.brier.high);
            intervals.accuracy.high - intervals.accuracy.low
        };
        let small = width(40, &mut rng);
        let large = width(1000, &mut rng);
        assert!(large < small / 2.0, "{small} {large}");
    }
}
