//! Agreement metrics of predicted pass probabilities against human labels: accuracy,
//! balanced accuracy, Cohen's kappa, AUC, Brier score, expected calibration error, the
//! confusion matrix and the reliability diagram's bins.

use serde::{Deserialize, Serialize};

/// Bins of the expected calibration error (equal width over `[0, 1]`).
pub const ECE_BINS: usize = 10;

/// Point estimates of agreement with the labels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Share of items whose thresholded verdict equals the label.
    pub accuracy: f64,
    /// Mean of the recall on pass labels and the recall on fail labels.
    pub balanced_accuracy: f64,
    /// Cohen's kappa, `(po - pe) / (1 - pe)`; 1 when `pe = 1` (all verdicts and labels the
    /// same class, so agreement is perfect).
    pub kappa: f64,
    /// Area under the ROC curve, by the Mann-Whitney rank formula with ties counted half.
    pub auc: f64,
    /// Mean squared difference between probability and label (1 for pass, 0 for fail).
    pub brier: f64,
    /// Expected calibration error over [`ECE_BINS`] equal-width bins, weighted by count.
    pub ece: f64,
}

/// Verdicts against labels at a threshold: a probability at or above it is a pass verdict.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Confusion {
    /// Pass verdict, pass label.
    pub true_pass: usize,
    /// Pass verdict, fail label.
    pub false_pass: usize,
    /// Fail verdict, fail label.
    pub true_fail: usize,
    /// Fail verdict, pass label.
    pub false_fail: usize,
    /// The threshold the verdicts used.
    pub threshold: f64,
}

/// One bar of a reliability diagram.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ReliabilityBin {
    /// Lower edge of the bin (inclusive).
    pub low: f64,
    /// Upper edge of the bin (exclusive, except 1 for the last bin).
    pub high: f64,
    /// Items whose probability falls in the bin.
    pub count: usize,
    /// Mean predicted probability of those items.
    pub mean_predicted: f64,
    /// Share of those items labeled pass.
    pub observed_pass_rate: f64,
}

/// All metrics of `probabilities` against `labels` (`true` = pass) at `threshold`.
///
/// Balanced accuracy and AUC are NaN when the labels hold a single class.
pub fn metrics(probabilities: &[f64], labels: &[bool], threshold: f64) -> Metrics {
    assert_eq!(
        probabilities.len(),
        labels.len(),
        "one probability per label"
    );
    let n = labels.len() as f64;
    let c = confusion(probabilities, labels, threshold);
    let (tp, fp, tn, fne) = (
        c.true_pass as f64,
        c.false_pass as f64,
        c.true_fail as f64,
        c.false_fail as f64,
    );
    let accuracy = (tp + tn) / n;
    let balanced_accuracy = (tp / (tp + fne) + tn / (tn + fp)) / 2.0;
    let chance = ((tp + fp) / n) * ((tp + fne) / n) + ((tn + fne) / n) * ((tn + fp) / n);
    let kappa = if chance >= 1.0 {
        1.0
    } else {
        (accuracy - chance) / (1.0 - chance)
    };
    let brier = probabilities
        .iter()
        .zip(labels)
        .map(|(&p, &label)| (p - f64::from(u8::from(label))).powi(2))
        .sum::<f64>()
        / n;
    let ece = reliability(probabilities, labels, ECE_BINS)
        .iter()
        .map(|bin| bin.count as f64 / n * (bin.mean_predicted - bin.observed_pass_rate).abs())
        .sum();
    Metrics {
        accuracy,
        balanced_accuracy,
        kappa,
        auc: auc(probabilities, labels),
        brier,
        ece,
    }
}

/// The confusion matrix at `threshold`.
pub fn confusion(probabilities: &[f64], labels: &[bool], threshold: f64) -> Confusion {
    let mut c = Confusion {
        true_pass: 0,
        false_pass: 0,
        true_fail: 0,
        false_fail: 0,
        threshold,
    };
    for (&p, &label) in probabilities.iter().zip(labels) {
        match (p >= threshold, label) {
            (true, true) => c.true_pass += 1,
            (true, false) => c.false_pass += 1,
            (false, false) => c.true_fail += 1,
            (false, true) => c.false_fail += 1,
        }
    }
    c
}

/// The non-empty bins of `n_bins` equal-width bins over `[0, 1]` (bins with no items are
/// left out, so every bar has a defined mean).
pub fn reliability(probabilities: &[f64], labels: &[bool], n_bins: usize) -> Vec<ReliabilityBin> {
    assert!(n_bins > 0, "at least one bin");
    let mut sums = vec![(0usize, 0.0f64, 0usize); n_bins];
    for (&p, &label) in probabilities.iter().zip(labels) {
        let bin = ((p * n_bins as f64) as usize).min(n_bins - 1);
        sums[bin].0 += 1;
        sums[bin].1 += p;
        sums[bin].2 += usize::from(label);
    }
    sums.iter()
        .enumerate()
        .filter(|(_, (count, _, _))| *count > 0)
        .map(|(bin, &(count, sum, passes))| ReliabilityBin {
            low: bin as f64 / n_bins as f64,
            high: (bin + 1) as f64 / n_bins as f64,
            count,
            mean_predicted: sum / count as f64,
            observed_pass_rate: passes as f64 / count as f64,
        })
        .collect()
}

/// AUC by the Mann-Whitney statistic: the pass labels' rank sum over all items (tied
/// probabilities share their mean rank), less its minimum, over the number of pairs.
fn auc(probabilities: &[f64], labels: &[bool]) -> f64 {
    let mut order: Vec<usize> = (0..probabilities.len()).collect();
    order.sort_by(|&a, &b| probabilities[a].total_cmp(&probabilities[b]));
    let mut pass_rank_sum = 0.0;
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && probabilities[order[end]] == probabilities[order[start]] {
            end += 1;
        }
        // Ranks start + 1 ..= end share their mean.
        let mean_rank = (start + 1 + end) as f64 / 2.0;
        let passes = order[start..end].iter().filter(|&&i| labels[i]).count();
        pass_rank_sum += mean_rank * passes as f64;
        start = end;
    }
    let n_pass = labels.iter().filter(|&&l| l).count() as f64;
    let n_fail = labels.len() as f64 - n_pass;
    (pass_rank_sum - n_pass * (n_pass + 1.0) / 2.0) / (n_pass * n_fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn six_items_by_hand() {
        let p = [0.9, 0.8, 0.3, 0.6, 0.2, 0.1];
        let y = [true, true, true, false, false, false];
        let c = confusion(&p, &y, 0.5);
        assert_eq!(
            (c.true_pass, c.false_pass, c.true_fail, c.false_fail),
            (2, 1, 2, 1)
        );
        let m = metrics(&p, &y, 0.5);
        assert!(close(m.accuracy, 4.0 / 6.0));
        assert!(close(m.balanced_accuracy, 2.0 / 3.0));
        // po = 4/6, pe = (3/6)(3/6) + (3/6)(3/6) = 1/2.
        assert!(close(m.kappa, 1.0 / 3.0));
        // Pass-fail pairs ordered correctly: 0.9 and 0.8 beat all three, 0.3 beats two.
        assert!(close(m.auc, 8.0 / 9.0));
        assert!(close(m.brier, 0.95 / 6.0));
        // Every item alone in its bin: ECE is the mean absolute error.
        assert!(close(m.ece, 1.9 / 6.0));
    }

    #[test]
    fn ties_count_half_and_shared_bins_average() {
        let p = [0.25, 0.25, 0.75, 0.75];
        let y = [false, true, true, true];
        let m = metrics(&p, &y, 0.5);
        assert!(close(m.auc, 2.5 / 3.0));
        // Bin [0.2, 0.3): mean 0.25, rate 0.5; bin [0.7, 0.8): mean 0.75, rate 1.
        assert!(close(m.ece, 0.5 * 0.25 + 0.5 * 0.25));
        let bins = reliability(&p, &y, 10);
        assert_eq!(bins.len(), 2);
        assert_eq!((bins[0].count, bins[1].count), (2, 2));
        assert!(close(bins[0].low, 0.2) && close(bins[0].high, 0.3));
        assert!(close(bins[1].observed_pass_rate, 1.0));
        // A probability of exactly 1 lands in the last bin.
        assert_eq!(reliability(&[1.0], &[true], 10)[0].low, 0.9);
    }

    #[test]
    fn perfect_predictions_give_auc_one_kappa_one_ece_zero() {
        let y = [true, false, false, true, true, false, true];
        let p: Vec<f64> = y.iter().map(|&l| if l { 1.0 } else { 0.0 }).collect();
        let m = metrics(&p, &y, 0.5);
        assert_eq!(
            (m.accuracy, m.balanced_accuracy, m.kappa, m.auc),
            (1.0, 1.0, 1.0, 1.0)
        );
        assert_eq!((m.brier, m.ece), (0.0, 0.0));
        // Single-class agreement: chance agreement is 1, kappa is defined as 1.
        assert_eq!(metrics(&[0.9, 0.8], &[true, true], 0.5).kappa, 1.0);
    }

    #[test]
    fn reversed_predictions_give_auc_zero_and_negative_kappa() {
        let y = [true, false, true, false];
        let p = [0.1, 0.9, 0.2, 0.8];
        let m = metrics(&p, &y, 0.5);
        assert_eq!(m.auc, 0.0);
        assert_eq!(m.kappa, -1.0);
    }
}
