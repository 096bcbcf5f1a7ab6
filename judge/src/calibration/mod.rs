//! Trained judges and their agreement with human labels: a logistic-regression probe on the
//! judge model's hidden state, Platt scaling of the zero-shot verdict score, a TF-IDF lexical
//! baseline, and cross-validated agreement metrics with cluster-bootstrap intervals.
//!
//! Pure statistics, like [`crate::drift`]: no IO and no dependency on `engine`. The caller
//! extracts each labeled case's features from the model ([`LabeledItem`]) and stores the
//! trained judges ([`Probe`], [`Platt`]) as JSON.
//!
//! * [`agreement`]: out-of-fold pass probabilities of four judges ([`JudgeKind`]) under group
//!   k-fold cross-validation, then [`Metrics`] with 95% [`MetricIntervals`], the [`Confusion`]
//!   matrix and [`ReliabilityBin`]s of each.
//! * [`train_probe`], [`train_platt`]: the trained judges fitted on all labeled items.
//!
//! Logistic regression minimizes the mean log-loss plus `l2 / 2 * |w|^2` over standardized
//! features (the bias is not penalized), by Newton's method (`logistic.rs`). The L2 strength
//! is the grid value with the lowest cross-validated log-loss, ties going to the stronger
//! penalty. Folds keep every item of a group together (`folds.rs`): variants of one scenario
//! in both training and testing would inflate the estimate. Every random choice (fold
//! assignment, bootstrap) comes from xoshiro256** seeded by [`CvConfig::seed`]: same seed,
//! same numbers.

mod bootstrap;
mod folds;
mod logistic;
mod metrics;
mod tfidf;

pub use bootstrap::{Interval, MetricIntervals};
pub use metrics::{confusion, metrics, reliability, Confusion, Metrics, ReliabilityBin, ECE_BINS};

use std::collections::HashMap;

use anyhow::{bail, ensure, Context, Result};
use serde::{Deserialize, Serialize};

use logistic::{fit, fit_path, sigmoid, DenseMatrix, LogisticFit, Rows, SparseRows};
use tfidf::TfIdf;

/// The default L2 strengths tried by cross-validation: a log grid from 1e-4 to 100. The
/// lexical baseline's rows have unit length and want the weak end; the probe's standardized
/// hidden states have squared length near their dimension and want the strong end.
pub const DEFAULT_L2_GRID: [f64; 7] = [1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0];

/// One human-labeled case with the features every judge needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabeledItem {
    /// The human label: `true` = pass.
    pub label: bool,
    /// The item's group (variants of one scenario share it); its own id when ungrouped.
    pub group: String,
    /// The record text the lexical baseline sees.
    pub text: String,
    /// The zero-shot verdict score `logit(pass) - logit(fail)`.
    pub zero_shot: f64,
    /// The judge model's final hidden state at the answer position (the same length for
    /// every item; may be empty, leaving the probe the zero-shot score alone).
    pub hidden: Vec<f32>,
}

/// Cross-validation settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CvConfig {
    /// Folds of the outer cross-validation, and of the inner one that picks the L2 strength
    /// (fewer there when a training fold holds fewer groups).
    pub folds: usize,
    /// Seed of the fold assignment and the bootstrap.
    pub seed: u64,
    /// L2 strengths to choose from.
    pub l2_grid: Vec<f64>,
    /// Bootstrap resamples for the intervals.
    pub n_bootstrap: usize,
    /// A probability at or above this is a pass verdict.
    pub threshold: f64,
}

impl Default for CvConfig {
    fn default() -> Self {
        CvConfig {
            folds: 5,
            seed: 0,
            l2_grid: DEFAULT_L2_GRID.to_vec(),
            n_bootstrap: 1000,
            threshold: 0.5,
        }
    }
}

/// The judges [`agreement`] compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JudgeKind {
    /// `sigmoid(zero_shot)`, untrained.
    ZeroShot,
    /// Platt scaling of the zero-shot score, fitted per training fold.
    Platt,
    /// Logistic regression on the hidden state and the zero-shot score.
    Probe,
    /// Logistic regression on TF-IDF features of the record text.
    Lexical,
}

/// Cross-validated agreement of every judge with the labels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Agreement {
    pub n_items: usize,
    pub n_groups: usize,
    /// Items labeled pass.
    pub n_pass: usize,
    pub folds: usize,
    pub seed: u64,
    pub l2_grid: Vec<f64>,
    pub n_bootstrap: usize,
    /// The outer fold (0-based) each item was tested in.
    pub fold_of_item: Vec<usize>,
    /// In the order zero-shot, Platt, probe, lexical.
    pub judges: Vec<JudgeAgreement>,
}

/// One judge's agreement with the labels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JudgeAgreement {
    pub kind: JudgeKind,
    /// Point estimates on the out-of-fold probabilities.
    pub metrics: Metrics,
    /// 95% percentile intervals from the cluster bootstrap (groups resampled).
    pub intervals: MetricIntervals,
    /// At [`CvConfig::threshold`].
    pub confusion: Confusion,
    /// [`ECE_BINS`] equal-width bins, the empty ones left out.
    pub reliability: Vec<ReliabilityBin>,
    /// Each item's pass probability from the model trained without its fold.
    pub out_of_fold: Vec<f64>,
    /// The L2 strength the inner cross-validation chose in each outer fold (empty for the
    /// judges without one).
    pub l2_per_fold: Vec<f64>,
}

/// A trained probe: logistic regression on the features `hidden ++ [zero_shot]`, each
/// standardized by the training items' mean and standard deviation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Probe {
    /// Length of the hidden state the probe expects.
    pub hidden_dim: usize,
    /// Per feature (`hidden_dim + 1` of them): the training mean.
    pub mean: Vec<f64>,
    /// Per feature: the training standard deviation (1 where it was 0).
    pub scale: Vec<f64>,
    /// Per standardized feature.
    pub weights: Vec<f64>,
    pub bias: f64,
    /// The L2 strength cross-validation chose.
    pub l2: f64,
    pub cv: ProbeCv,
}

/// How the probe's L2 strength was chosen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbeCv {
    pub folds: usize,
    pub seed: u64,
    pub n_items: usize,
    pub n_groups: usize,
    pub l2_grid: Vec<f64>,
    /// Mean out-of-fold log-loss for each grid value.
    pub log_loss: Vec<f64>,
    /// Metrics of the out-of-fold probabilities at the chosen strength, at the configured
    /// threshold. Slightly optimistic, since the same folds chose the strength; [`agreement`]
    /// nests the choice inside each training fold for an unbiased estimate.
    pub metrics: Metrics,
}

/// Platt scaling: `P(pass) = sigmoid(a * zero_shot + b)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Platt {
    pub a: f64,
    pub b: f64,
}

/// Out-of-fold probabilities of each [`JudgeKind`] under group k-fold cross-validation (the
/// probe's and the lexical baseline's L2 strength chosen by an inner cross-validation inside
/// each outer training fold, with the same grouping), then metrics with cluster-bootstrap
/// intervals. The bootstrap draws one set of resamples and scores every judge on it, so the
/// judges' intervals are paired.
pub fn agreement(items: &[LabeledItem], config: &CvConfig) -> Result<Agreement> {
    let data = Dataset::new(items, config)?;
    ensure!(
        config.n_bootstrap >= 1,
        "the bootstrap needs at least one resample, got n_bootstrap = 0"
    );
    let fold_of_item = folds::group_folds(&data.groups, &data.labels, config.folds, config.seed)?;
    let n = items.len();
    let zero_shot: Vec<f64> = items.iter().map(|item| sigmoid(item.zero_shot)).collect();
    let mut platt = vec![0.0; n];
    let mut learned = [vec![0.0; n], vec![0.0; n]];
    let mut l2_per_fold = [Vec::new(), Vec::new()];
    for fold in 0..config.folds {
        let (train, test): (Vec<usize>, Vec<usize>) =
            (0..n).partition(|&i| fold_of_item[i] != fold);
        let context = || format!("outer fold {} of {}", fold + 1, config.folds);
        data.require_both_classes(&train).with_context(context)?;
        let train_items: Vec<&LabeledItem> = train.iter().map(|&i| &items[i]).collect();
        let test_items: Vec<&LabeledItem> = test.iter().map(|&i| &items[i]).collect();
        let scaling = fit_platt(&train_items).with_context(context)?;
        for &i in &test {
            platt[i] = scaling.probability(items[i].zero_shot);
        }
        let train_groups: Vec<usize> = train.iter().map(|&i| data.groups[i]).collect();
        for (slot, kind) in [Learned::Probe, Learned::Lexical].into_iter().enumerate() {
            let selection = select_l2(
                kind,
                &train_items,
                &train_groups,
                config.folds,
                derive_seed(config.seed, 1 + fold as u64),
                &config.l2_grid,
            )
            .with_context(|| format!("{} ({kind:?} judge)", context()))?;
            let (transform, model) = fit_final(kind, &train_items, selection.l2)
                .with_context(|| format!("{} ({kind:?} judge)", context()))?;
            let probabilities = model.probabilities(&transform.apply(&test_items));
            for (&i, p) in test.iter().zip(probabilities) {
                learned[slot][i] = p;
            }
            l2_per_fold[slot].push(selection.l2);
        }
    }
    let resamples = bootstrap::cluster_resamples(
        &data.groups,
        &data.labels,
        config.n_bootstrap,
        derive_seed(config.seed, BOOTSTRAP_STREAM),
    )?;
    let [probe, lexical] = learned;
    let [probe_l2, lexical_l2] = l2_per_fold;
    let judges = [
        (JudgeKind::ZeroShot, zero_shot, Vec::new()),
        (JudgeKind::Platt, platt, Vec::new()),
        (JudgeKind::Probe, probe, probe_l2),
        (JudgeKind::Lexical, lexical, lexical_l2),
    ]
    .into_iter()
    .map(|(kind, out_of_fold, l2_per_fold)| JudgeAgreement {
        kind,
        metrics: metrics(&out_of_fold, &data.labels, config.threshold),
        intervals: bootstrap::intervals(&out_of_fold, &data.labels, &resamples, config.threshold),
        confusion: confusion(&out_of_fold, &data.labels, config.threshold),
        reliability: reliability(&out_of_fold, &data.labels, ECE_BINS),
        out_of_fold,
        l2_per_fold,
    })
    .collect();
    Ok(Agreement {
        n_items: n,
        n_groups: data.n_groups,
        n_pass: data.labels.iter().filter(|&&l| l).count(),
        folds: config.folds,
        seed: config.seed,
        l2_grid: config.l2_grid.clone(),
        n_bootstrap: config.n_bootstrap,
        fold_of_item,
        judges,
    })
}

/// Agreement on data the judges never saw: each learned judge trained on all of `train` (the
/// probe's and the lexical baseline's L2 strength chosen by group k-fold cross-validation on
/// `train`, as [`train_probe`] does) and scored on `test`, a set made independently of it.
/// What a user can expect from a judge trained on someone else's labels; cross-validation
/// inside one set flatters, since its folds share the set's templates and wording.
///
/// The result has the shape of [`agreement`]'s: `folds` is 0, `fold_of_item` empty,
/// `out_of_fold` holds each test item's probability, `l2_per_fold` the one chosen strength;
/// the intervals come from the cluster bootstrap over `test`'s groups.
pub fn transfer(
    train: &[LabeledItem],
    test: &[LabeledItem],
    config: &CvConfig,
) -> Result<Agreement> {
    let train_data = Dataset::new(train, config).context("the training set")?;
    let test_data = Dataset::new(
        test,
        &CvConfig {
            folds: 2,
            ..config.clone()
        },
    )
    .context("the test set")?;
    ensure!(
        train_data.hidden_dim == test_data.hidden_dim,
        "the training set's hidden states have {} values but the test set's have {}: \
         features from different judge models or layers",
        train_data.hidden_dim,
        test_data.hidden_dim
    );
    ensure!(
        config.n_bootstrap >= 1,
        "the bootstrap needs at least one resample, got n_bootstrap = 0"
    );
    let train_refs: Vec<&LabeledItem> = train.iter().collect();
    let test_refs: Vec<&LabeledItem> = test.iter().collect();
    let zero_shot: Vec<f64> = test.iter().map(|item| sigmoid(item.zero_shot)).collect();
    let scaling = fit_platt(&train_refs)?;
    let platt: Vec<f64> = test
        .iter()
        .map(|item| scaling.probability(item.zero_shot))
        .collect();
    let mut learned = Vec::new();
    for kind in [Learned::Probe, Learned::Lexical] {
        let selection = select_l2(
            kind,
            &train_refs,
            &train_data.groups,
            config.folds,
            config.seed,
            &config.l2_grid,
        )
        .with_context(|| format!("the training set ({kind:?} judge)"))?;
        let (transform, model) = fit_final(kind, &train_refs, selection.l2)?;
        learned.push((
            model.probabilities(&transform.apply(&test_refs)),
            selection.l2,
        ));
    }
    let resamples = bootstrap::cluster_resamples(
        &test_data.groups,
        &test_data.labels,
        config.n_bootstrap,
        derive_seed(config.seed, BOOTSTRAP_STREAM),
    )?;
    let (lexical, lexical_l2) = learned.pop().expect("two learned judges");
    let (probe, probe_l2) = learned.pop().expect("two learned judges");
    let labels = &test_data.labels;
    let judges = [
        (JudgeKind::ZeroShot, zero_shot, Vec::new()),
        (JudgeKind::Platt, platt, Vec::new()),
        (JudgeKind::Probe, probe, vec![probe_l2]),
        (JudgeKind::Lexical, lexical, vec![lexical_l2]),
    ]
    .into_iter()
    .map(|(kind, probabilities, l2_per_fold)| JudgeAgreement {
        kind,
        metrics: metrics(&probabilities, labels, config.threshold),
        intervals: bootstrap::intervals(&probabilities, labels, &resamples, config.threshold),
        confusion: confusion(&probabilities, labels, config.threshold),
        reliability: reliability(&probabilities, labels, ECE_BINS),
        out_of_fold: probabilities,
        l2_per_fold,
    })
    .collect();
    Ok(Agreement {
        n_items: test.len(),
        n_groups: test_data.n_groups,
        n_pass: labels.iter().filter(|&&l| l).count(),
        folds: 0,
        seed: config.seed,
        l2_grid: config.l2_grid.clone(),
        n_bootstrap: config.n_bootstrap,
        fold_of_item: Vec::new(),
        judges,
    })
}

/// Trains the probe on all items, its L2 strength chosen by group k-fold cross-validation.
pub fn train_probe(items: &[LabeledItem], config: &CvConfig) -> Result<Probe> {
    let data = Dataset::new(items, config)?;
    let all: Vec<&LabeledItem> = items.iter().collect();
    let selection = select_l2(
        Learned::Probe,
        &all,
        &data.groups,
        config.folds,
        config.seed,
        &config.l2_grid,
    )?;
    let (transform, model) = fit_final(Learned::Probe, &all, selection.l2)?;
    let Transform::Standardize { mean, scale } = transform else {
        unreachable!("the probe's features are standardized")
    };
    Ok(Probe {
        hidden_dim: data.hidden_dim,
        mean,
        scale,
        weights: model.weights,
        bias: model.bias,
        l2: selection.l2,
        cv: ProbeCv {
            folds: selection.folds,
            seed: config.seed,
            n_items: items.len(),
            n_groups: data.n_groups,
            l2_grid: config.l2_grid.clone(),
            log_loss: selection.log_loss,
            metrics: metrics(&selection.out_of_fold, &data.labels, config.threshold),
        },
    })
}

/// Fits Platt scaling on all items, with Platt's (1999) smoothed targets
/// `(N+ + 1) / (N+ + 2)` and `1 / (N- + 2)`, which keep the fit finite when the zero-shot
/// score separates the labels. Platt scaling has no hyperparameter: `config` is checked like
/// [`train_probe`]'s so both judges train on the same terms.
pub fn train_platt(items: &[LabeledItem], config: &CvConfig) -> Result<Platt> {
    Dataset::new(items, config)?;
    let all: Vec<&LabeledItem> = items.iter().collect();
    fit_platt(&all)
}

impl Probe {
    /// The probability of a pass for one record's hidden state and zero-shot score.
    pub fn probability(&self, hidden: &[f32], zero_shot: f64) -> Result<f64> {
        ensure!(
            hidden.len() == self.hidden_dim,
            "the probe was trained on hidden states of {} values, got {}: a different judge \
             model or layer",
            self.hidden_dim,
            hidden.len()
        );
        ensure!(
            self.mean.len() == self.hidden_dim + 1
                && self.scale.len() == self.hidden_dim + 1
                && self.weights.len() == self.hidden_dim + 1,
            "the probe is inconsistent: {} hidden values but {} means, {} scales and {} weights",
            self.hidden_dim,
            self.mean.len(),
            self.scale.len(),
            self.weights.len()
        );
        let features = hidden.iter().map(|&h| f64::from(h)).chain([zero_shot]);
        let score: f64 = features
            .zip(&self.mean)
            .zip(&self.scale)
            .zip(&self.weights)
            .map(|(((x, mean), scale), weight)| (x - mean) / scale * weight)
            .sum();
        Ok(sigmoid(score + self.bias))
    }
}

impl Platt {
    /// The calibrated probability of a pass.
    pub fn probability(&self, zero_shot: f64) -> f64 {
        sigmoid(self.a * zero_shot + self.b)
    }
}

/// The bootstrap's random stream, apart from the fold assignment's.
const BOOTSTRAP_STREAM: u64 = 0x00B0_0757_42A9;

/// Validated items: labels, dense group indices, the hidden-state length.
struct Dataset {
    labels: Vec<bool>,
    groups: Vec<usize>,
    n_groups: usize,
    hidden_dim: usize,
}

impl Dataset {
    fn new(items: &[LabeledItem], config: &CvConfig) -> Result<Dataset> {
        let folds = config.folds;
        ensure!(
            folds >= 2,
            "cross-validation needs at least 2 folds, got {folds}"
        );
        ensure!(
            !config.l2_grid.is_empty(),
            "the l2 grid is empty: give at least one strength"
        );
        if let Some(bad) = config
            .l2_grid
            .iter()
            .find(|l2| !(l2.is_finite() && **l2 > 0.0))
        {
            bail!("l2 strengths must be positive numbers, got {bad}");
        }
        ensure!(
            config.threshold > 0.0 && config.threshold < 1.0,
            "the threshold must lie strictly between 0 and 1, got {}",
            config.threshold
        );
        ensure!(
            items.len() >= 2 * folds,
            "too few labeled items: {} for {folds} folds; need at least {}",
            items.len(),
            2 * folds
        );
        let n_pass = items.iter().filter(|item| item.label).count();
        if n_pass == 0 || n_pass == items.len() {
            bail!(
                "all {} labeled items are {}: training needs both pass and fail labels",
                items.len(),
                if n_pass == 0 { "fail" } else { "pass" }
            );
        }
        let hidden_dim = items[0].hidden.len();
        let mut index: HashMap<&str, usize> = HashMap::new();
        let mut groups = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let name = || format!("labeled item {} (group {:?})", i + 1, item.group);
            ensure!(
                item.hidden.len() == hidden_dim,
                "{} has a hidden state of {} values but item 1 has {hidden_dim}",
                name(),
                item.hidden.len()
            );
            ensure!(
                item.zero_shot.is_finite(),
                "{}: zero_shot is {}, not a finite number",
                name(),
                item.zero_shot
            );
            if let Some(position) = item.hidden.iter().position(|h| !h.is_finite()) {
                bail!("{}: hidden[{position}] is not a finite number", name());
            }
            let next = index.len();
            groups.push(*index.entry(item.group.as_str()).or_insert(next));
        }
        let n_groups = index.len();
        ensure!(
            n_groups >= folds,
            "the labeled items fall in {n_groups} groups but cross-validation uses {folds} folds: \
             every fold needs a group of its own (use fewer folds or a finer grouping)"
        );
        Ok(Dataset {
            labels: items.iter().map(|item| item.label).collect(),
            groups,
            n_groups,
            hidden_dim,
        })
    }

    fn require_both_classes(&self, training: &[usize]) -> Result<()> {
        let passes = training.iter().filter(|&&i| self.labels[i]).count();
        ensure!(
            passes > 0 && passes < training.len(),
            "its {} training items are all {}: a class lives in too few groups for this many \
             folds",
            training.len(),
            if passes == 0 { "fail" } else { "pass" }
        );
        Ok(())
    }
}

/// The judges fitted by logistic regression on features of their own.
#[derive(Debug, Clone, Copy)]
enum Learned {
    Probe,
    Lexical,
}

/// A feature map fitted on training items only.
enum Transform {
    Standardize { mean: Vec<f64>, scale: Vec<f64> },
    TfIdf(TfIdf),
}

enum Features {
    Dense(DenseMatrix),
    Sparse(SparseRows),
}

impl Transform {
    fn fit(kind: Learned, items: &[&LabeledItem]) -> Transform {
        match kind {
            Learned::Probe => {
                let width = items[0].hidden.len() + 1;
                let n = items.len() as f64;
                let mut mean = vec![0.0; width];
                for item in items {
                    for (m, x) in mean.iter_mut().zip(probe_features(item)) {
                        *m += x / n;
                    }
                }
                let mut variance = vec![0.0; width];
                for item in items {
                    for ((v, m), x) in variance.iter_mut().zip(&mean).zip(probe_features(item)) {
                        *v += (x - m) * (x - m) / n;
                    }
                }
                let scale = variance
                    .into_iter()
                    .map(|v| if v > 0.0 { v.sqrt() } else { 1.0 })
                    .collect();
                Transform::Standardize { mean, scale }
            }
            Learned::Lexical => {
                let texts: Vec<&str> = items.iter().map(|item| item.text.as_str()).collect();
                Transform::TfIdf(TfIdf::fit(&texts))
            }
        }
    }

    fn apply(&self, items: &[&LabeledItem]) -> Features {
        match self {
            Transform::Standardize { mean, scale } => {
                let n_cols = mean.len();
                let mut values = Vec::with_capacity(items.len() * n_cols);
                for item in items {
                    let features = probe_features(item).zip(mean).zip(scale);
                    values.extend(features.map(|((x, m), s)| (x - m) / s));
                }
                Features::Dense(DenseMatrix {
                    n_rows: items.len(),
                    n_cols,
                    values,
                })
            }
            Transform::TfIdf(model) => {
                let texts: Vec<&str> = items.iter().map(|item| item.text.as_str()).collect();
                Features::Sparse(model.transform(&texts))
            }
        }
    }
}

fn probe_features(item: &LabeledItem) -> impl Iterator<Item = f64> + '_ {
    item.hidden
        .iter()
        .map(|&h| f64::from(h))
        .chain([item.zero_shot])
}

impl Rows for Features {
    fn n_rows(&self) -> usize {
        match self {
            Features::Dense(m) => m.n_rows(),
            Features::Sparse(m) => m.n_rows(),
        }
    }
    fn n_cols(&self) -> usize {
        match self {
            Features::Dense(m) => m.n_cols(),
            Features::Sparse(m) => m.n_cols(),
        }
    }
    fn dot(&self, row: usize, weights: &[f64]) -> f64 {
        match self {
            Features::Dense(m) => m.dot(row, weights),
            Features::Sparse(m) => m.dot(row, weights),
        }
    }
    fn row_dot_row(&self, i: usize, j: usize) -> f64 {
        match self {
            Features::Dense(m) => m.row_dot_row(i, j),
            Features::Sparse(m) => m.row_dot_row(i, j),
        }
    }
    fn add_scaled_row(&self, row: usize, scale: f64, target: &mut [f64]) {
        match self {
            Features::Dense(m) => m.add_scaled_row(row, scale, target),
            Features::Sparse(m) => m.add_scaled_row(row, scale, target),
        }
    }
}

/// The chosen L2 strength and the evidence for it.
struct Selection {
    l2: f64,
    folds: usize,
    log_loss: Vec<f64>,
    out_of_fold: Vec<f64>,
}

/// Picks the L2 strength with the lowest out-of-fold log-loss under group k-fold
/// cross-validation of `items` (`folds` folds, fewer if the items hold fewer groups).
fn select_l2(
    kind: Learned,
    items: &[&LabeledItem],
    groups: &[usize],
    folds: usize,
    seed: u64,
    l2_grid: &[f64],
) -> Result<Selection> {
    // Renumber the groups present so the fold assignment sees 0..n_groups.
    let mut index: HashMap<usize, usize> = HashMap::new();
    let groups: Vec<usize> = groups
        .iter()
        .map(|&g| {
            let next = index.len();
            *index.entry(g).or_insert(next)
        })
        .collect();
    let folds = folds.min(index.len());
    let labels: Vec<bool> = items.iter().map(|item| item.label).collect();
    let fold_of_item = folds::group_folds(&groups, &labels, folds, seed)
        .context("choosing the l2 strength by inner cross-validation")?;
    let n = items.len();
    let mut out_of_fold = vec![vec![0.0; n]; l2_grid.len()];
    for fold in 0..folds {
        let (train, test): (Vec<usize>, Vec<usize>) =
            (0..n).partition(|&i| fold_of_item[i] != fold);
        let passes = train.iter().filter(|&&i| labels[i]).count();
        ensure!(
            passes > 0 && passes < train.len(),
            "inner fold {} of {folds}: its {} training items are all {}: a class lives in too \
             few groups for this many folds",
            fold + 1,
            train.len(),
            if passes == 0 { "fail" } else { "pass" }
        );
        let train_items: Vec<&LabeledItem> = train.iter().map(|&i| items[i]).collect();
        let test_items: Vec<&LabeledItem> = test.iter().map(|&i| items[i]).collect();
        let transform = Transform::fit(kind, &train_items);
        let targets: Vec<f64> = train_items.iter().map(|item| target(item.label)).collect();
        let models = fit_path(&transform.apply(&train_items), &targets, l2_grid)?;
        let test_features = transform.apply(&test_items);
        for (g, model) in models.iter().enumerate() {
            for (&i, p) in test.iter().zip(model.probabilities(&test_features)) {
                out_of_fold[g][i] = p;
            }
        }
    }
    let log_loss: Vec<f64> = out_of_fold
        .iter()
        .map(|probabilities| mean_log_loss(probabilities, &labels))
        .collect();
    // Strongest penalty first, so a tie goes to it.
    let mut order: Vec<usize> = (0..l2_grid.len()).collect();
    order.sort_by(|&a, &b| l2_grid[b].total_cmp(&l2_grid[a]));
    let best = order
        .into_iter()
        .reduce(|best, g| {
            if log_loss[g] < log_loss[best] {
                g
            } else {
                best
            }
        })
        .expect("the grid is not empty");
    Ok(Selection {
        l2: l2_grid[best],
        folds,
        log_loss,
        out_of_fold: out_of_fold.swap_remove(best),
    })
}

fn fit_final(kind: Learned, items: &[&LabeledItem], l2: f64) -> Result<(Transform, LogisticFit)> {
    let transform = Transform::fit(kind, items);
    let targets: Vec<f64> = items.iter().map(|item| target(item.label)).collect();
    let model = fit(&transform.apply(items), &targets, l2)?;
    Ok((transform, model))
}

fn fit_platt(items: &[&LabeledItem]) -> Result<Platt> {
    let first = items[0].zero_shot;
    ensure!(
        items.iter().any(|item| item.zero_shot != first),
        "platt scaling: every training item has the same zero-shot score ({first}), so the \
         score cannot be calibrated"
    );
    let n_pass = items.iter().filter(|item| item.label).count() as f64;
    let n_fail = items.len() as f64 - n_pass;
    let (high, low) = ((n_pass + 1.0) / (n_pass + 2.0), 1.0 / (n_fail + 2.0));
    let design = DenseMatrix {
        n_rows: items.len(),
        n_cols: 1,
        values: items.iter().map(|item| item.zero_shot).collect(),
    };
    let targets: Vec<f64> = items
        .iter()
        .map(|item| if item.label { high } else { low })
        .collect();
    let model = fit(&design, &targets, 0.0).context("platt scaling")?;
    Ok(Platt {
        a: model.weights[0],
        b: model.bias,
    })
}

fn target(label: bool) -> f64 {
    if label {
        1.0
    } else {
        0.0
    }
}

fn mean_log_loss(probabilities: &[f64], labels: &[bool]) -> f64 {
    let total: f64 = probabilities
        .iter()
        .zip(labels)
        .map(|(&p, &label)| {
            let p = p.clamp(1e-15, 1.0 - 1e-15);
            -if label { p.ln() } else { (1.0 - p).ln() }
        })
        .sum();
    total / labels.len() as f64
}

/// A seed for a separate random stream (splitmix64's increment spreads the streams apart;
/// the generator mixes the result again).
fn derive_seed(seed: u64, stream: u64) -> u64 {
    seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

#[cfg(test)]
mod tests;
