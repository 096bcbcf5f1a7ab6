//! Tests of the public calibration API on seeded synthetic labeled items.

use super::*;
use crate::drift::Rng;

const FILLER: [&str; 24] = [
    "the", "agent", "checked", "order", "customer", "ticket", "account", "refund", "policy",
    "reply", "sent", "email", "status", "update", "review", "case", "note", "team", "asked",
    "shipping", "invoice", "record", "today", "later",
];

/// Settings of [`synthetic`].
#[derive(Clone, Copy)]
struct Synthetic {
    n_groups: usize,
    per_group: usize,
    hidden_dim: usize,
    /// Shift of the hidden state along one fixed direction, +signal for pass, -signal for fail.
    hidden_signal: f64,
    /// Whether pass items' text says "escalated" (and fail items' text "resolved").
    cue_word: bool,
    seed: u64,
}

/// [`synthetic`] items whose hidden signal lies along the direction drawn from
/// `direction_seed` instead of their own seed: two sets made independently (their own
/// scenarios, noise and wording) that share the one thing a judge should learn.
fn synthetic_along(spec: &Synthetic, direction_seed: u64) -> Vec<LabeledItem> {
    let mut items = synthetic(&Synthetic {
        hidden_signal: 0.0,
        ..*spec
    });
    let mut rng = Rng::new(direction_seed);
    let raw: Vec<f64> = (0..spec.hidden_dim).map(|_| rng.normal()).collect();
    let norm = raw.iter().map(|x| x * x).sum::<f64>().sqrt();
    for item in &mut items {
        let sign = if item.label { 1.0 } else { -1.0 };
        for (h, r) in item.hidden.iter_mut().zip(&raw) {
            *h += (spec.hidden_signal * sign * r / norm) as f32;
        }
    }
    items
}

/// Items whose groups share a scenario vector, whose zero-shot score is a weak hint of the
/// label, and whose hidden state and text carry the label as configured.
fn synthetic(spec: &Synthetic) -> Vec<LabeledItem> {
    let mut rng = Rng::new(spec.seed);
    let direction: Vec<f64> = {
        let raw: Vec<f64> = (0..spec.hidden_dim).map(|_| rng.normal()).collect();
        let norm = raw.iter().map(|x| x * x).sum::<f64>().sqrt();
        raw.iter().map(|x| x / norm).collect()
    };
    let mut items = Vec::new();
    for group in 0..spec.n_groups {
        let scenario: Vec<f64> = (0..spec.hidden_dim).map(|_| 0.5 * rng.normal()).collect();
        for variant in 0..spec.per_group {
            let label = rng.bernoulli(0.4);
            let sign = if label { 1.0 } else { -1.0 };
            let hidden = (0..spec.hidden_dim)
                .map(|d| {
                    let shift = spec.hidden_signal * sign * direction[d];
                    (scenario[d] + rng.normal() + shift) as f32
                })
                .collect();
            let mut words: Vec<&str> = (0..8)
                .map(|_| FILLER[folds::below(&mut rng, FILLER.len())])
                .collect();
            if spec.cue_word {
                let cue = if label == rng.bernoulli(0.9) {
                    "escalated"
                } else {
                    "resolved"
                };
                words.insert(folds::below(&mut rng, words.len()), cue);
            }
            items.push(LabeledItem {
                label,
                group: format!("scenario-{group}"),
                text: format!("{}? variant {variant}", words.join(" ")),
                zero_shot: 0.3 * sign + 2.0 * rng.normal(),
                hidden,
            });
        }
    }
    items
}

fn config(seed: u64, n_bootstrap: usize) -> CvConfig {
    CvConfig {
        seed,
        n_bootstrap,
        ..CvConfig::default()
    }
}

fn judge(agreement: &Agreement, kind: JudgeKind) -> &JudgeAgreement {
    agreement.judges.iter().find(|j| j.kind == kind).unwrap()
}

#[test]
fn a_hidden_signal_makes_the_probe_win_and_a_cue_word_makes_the_lexical_baseline_win() {
    let hidden = synthetic(&Synthetic {
        n_groups: 70,
        per_group: 3,
        hidden_dim: 48,
        hidden_signal: 1.2,
        cue_word: false,
        seed: 1,
    });
    let result = agreement(&hidden, &config(7, 200)).unwrap();
    let auc = |kind| judge(&result, kind).metrics.auc;
    let probe = judge(&result, JudgeKind::Probe);
    assert!(
        auc(JudgeKind::Probe) > 0.8,
        "probe {}",
        auc(JudgeKind::Probe)
    );
    assert!(
        auc(JudgeKind::Lexical) < 0.65,
        "lexical {}",
        auc(JudgeKind::Lexical)
    );
    assert!(
        auc(JudgeKind::ZeroShot) < 0.7,
        "zero-shot {}",
        auc(JudgeKind::ZeroShot)
    );
    // Clearly: the probe's interval lies above the other judges' point estimates.
    assert!(probe.intervals.auc.low > auc(JudgeKind::Lexical));
    assert!(probe.intervals.auc.low > auc(JudgeKind::ZeroShot));
    assert!(probe.metrics.brier < judge(&result, JudgeKind::Lexical).metrics.brier);
    // The zero-shot score is overconfident noise; Platt scaling shrinks it toward the base
    // rate, which lowers the Brier score.
    let brier = |kind| judge(&result, kind).metrics.brier;
    assert!(brier(JudgeKind::Platt) < brier(JudgeKind::ZeroShot));
    assert_eq!(probe.l2_per_fold.len(), 5);

    let cue = synthetic(&Synthetic {
        n_groups: 70,
        per_group: 3,
        hidden_dim: 48,
        hidden_signal: 0.0,
        cue_word: true,
        seed: 2,
    });
    let result = agreement(&cue, &config(7, 200)).unwrap();
    let auc = |kind| judge(&result, kind).metrics.auc;
    let lexical = judge(&result, JudgeKind::Lexical);
    assert!(
        auc(JudgeKind::Lexical) > 0.8,
        "lexical {}",
        auc(JudgeKind::Lexical)
    );
    assert!(
        lexical.intervals.auc.low > auc(JudgeKind::Probe),
        "probe {}",
        auc(JudgeKind::Probe)
    );
    assert!(lexical.intervals.auc.low > auc(JudgeKind::ZeroShot));
    assert!(lexical.metrics.accuracy > judge(&result, JudgeKind::Probe).metrics.accuracy);
}

fn small(seed: u64) -> Vec<LabeledItem> {
    synthetic(&Synthetic {
        n_groups: 20,
        per_group: 3,
        hidden_dim: 6,
        hidden_signal: 1.0,
        cue_word: true,
        seed,
    })
}

#[test]
fn the_same_seed_gives_the_same_agreement_and_groups_stay_in_one_fold() {
    let items = small(4);
    let a = agreement(&items, &config(11, 100)).unwrap();
    let b = agreement(&items, &config(11, 100)).unwrap();
    assert_eq!(a, b);
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&b).unwrap()
    );
    let c = agreement(&items, &config(12, 100)).unwrap();
    assert_ne!(a.fold_of_item, c.fold_of_item);
    for i in 0..items.len() {
        for j in 0..items.len() {
            if items[i].group == items[j].group {
                assert_eq!(a.fold_of_item[i], a.fold_of_item[j]);
            }
        }
    }
    assert_eq!((a.n_items, a.n_groups, a.folds), (60, 20, 5));
    assert_eq!(a.judges.len(), 4);
    let json = serde_json::to_value(&a).unwrap();
    assert_eq!(json["judges"][0]["kind"], "zero_shot");
    assert_eq!(json["judges"][3]["kind"], "lexical");
    let back: Agreement = serde_json::from_value(json).unwrap();
    assert_eq!(back.fold_of_item, a.fold_of_item);
    assert!((back.judges[2].metrics.auc - a.judges[2].metrics.auc).abs() < 1e-12);
    for judge in &a.judges {
        let m = &judge.metrics;
        let c = &judge.confusion;
        assert_eq!(c.true_pass + c.false_pass + c.true_fail + c.false_fail, 60);
        assert_eq!(judge.reliability.iter().map(|b| b.count).sum::<usize>(), 60);
        for (value, interval) in [
            (m.auc, judge.intervals.auc),
            (m.brier, judge.intervals.brier),
        ] {
            assert!(interval.low <= interval.high, "{:?}", judge.kind);
            assert!(value.is_finite());
        }
    }
}

#[test]
fn the_probe_trains_serializes_and_scores_new_records() {
    let items = synthetic(&Synthetic {
        n_groups: 50,
        per_group: 2,
        hidden_dim: 10,
        hidden_signal: 2.0,
        cue_word: false,
        seed: 9,
    });
    let probe = train_probe(&items, &config(3, 1)).unwrap();
    assert_eq!(probe.hidden_dim, 10);
    assert_eq!(probe.cv.log_loss.len(), DEFAULT_L2_GRID.len());
    assert!(DEFAULT_L2_GRID.contains(&probe.l2));
    assert!(probe.cv.metrics.auc > 0.9, "{:?}", probe.cv.metrics);
    // JSON keeps the probe to the last digit or two of each float.
    let back: Probe = serde_json::from_str(&serde_json::to_string(&probe).unwrap()).unwrap();
    for item in &items[..10] {
        let a = probe.probability(&item.hidden, item.zero_shot).unwrap();
        let b = back.probability(&item.hidden, item.zero_shot).unwrap();
        assert!((a - b).abs() < 1e-12);
    }
    // In-sample, the trained probe ranks the items at least as well as cross-validation did.
    let p: Vec<f64> = items
        .iter()
        .map(|item| probe.probability(&item.hidden, item.zero_shot).unwrap())
        .collect();
    let labels: Vec<bool> = items.iter().map(|item| item.label).collect();
    assert!(metrics(&p, &labels, 0.5).auc >= probe.cv.metrics.auc - 1e-9);
    let err = probe.probability(&[0.0; 9], 0.0).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the probe was trained on hidden states of 10 values, got 9: a different judge model \
         or layer"
    );
}

#[test]
fn platt_scaling_recovers_the_generating_slope_and_intercept() {
    let mut rng = Rng::new(21);
    let items: Vec<LabeledItem> = (0..4000)
        .map(|i| {
            let zero_shot = 2.0 * rng.normal();
            LabeledItem {
                label: rng.bernoulli(logistic::sigmoid(1.5 * zero_shot - 0.5)),
                group: i.to_string(),
                text: String::new(),
                zero_shot,
                hidden: Vec::new(),
            }
        })
        .collect();
    let platt = train_platt(&items, &CvConfig::default()).unwrap();
    assert!((platt.a - 1.5).abs() < 0.15, "{platt:?}");
    assert!((platt.b + 0.5).abs() < 0.15, "{platt:?}");
    assert!((platt.probability(0.0) - logistic::sigmoid(platt.b)).abs() < 1e-15);
    // Separable scores stay finite thanks to the smoothed targets.
    let separable: Vec<LabeledItem> = (0..20)
        .map(|i| LabeledItem {
            label: i >= 10,
            group: i.to_string(),
            text: String::new(),
            zero_shot: i as f64 - 9.5,
            hidden: Vec::new(),
        })
        .collect();
    let platt = train_platt(&separable, &CvConfig::default()).unwrap();
    assert!(platt.a.is_finite() && platt.a > 0.0, "{platt:?}");
}

#[test]
fn bad_input_gets_one_clear_error() {
    let items = small(5);
    let check = |items: &[LabeledItem], config: &CvConfig, expected: &str| {
        let err = agreement(items, config).unwrap_err();
        assert_eq!(format!("{err:#}"), expected);
    };
    check(
        &items[..8],
        &CvConfig::default(),
        "too few labeled items: 8 for 5 folds; need at least 10",
    );
    let mut all_pass = items.clone();
    all_pass.iter_mut().for_each(|item| item.label = true);
    check(
        &all_pass,
        &CvConfig::default(),
        "all 60 labeled items are pass: training needs both pass and fail labels",
    );
    let mut few_groups = items.clone();
    for (i, item) in few_groups.iter_mut().enumerate() {
        item.group = format!("g{}", i % 4);
    }
    check(
        &few_groups,
        &CvConfig::default(),
        "the labeled items fall in 4 groups but cross-validation uses 5 folds: every fold \
         needs a group of its own (use fewer folds or a finer grouping)",
    );
    let mut ragged = items.clone();
    ragged[6].hidden.pop();
    check(
        &ragged,
        &CvConfig::default(),
        "labeled item 7 (group \"scenario-2\") has a hidden state of 5 values but item 1 has 6",
    );
    let mut not_finite = items.clone();
    not_finite[0].hidden[2] = f32::NAN;
    check(
        &not_finite,
        &CvConfig::default(),
        "labeled item 1 (group \"scenario-0\"): hidden[2] is not a finite number",
    );
    check(
        &items,
        &CvConfig {
            l2_grid: vec![1.0, 0.0],
            ..CvConfig::default()
        },
        "l2 strengths must be positive numbers, got 0",
    );
}

/// The size the issue names: 300 items of 900 hidden values, 5 outer folds, an inner
/// cross-validation over the default grid, 1000 bootstrap resamples. Gated because an
/// unoptimized build is slow; run with `JUDGE_CALIB_TIMING=1 cargo test --release -p judge
/// --lib production_size -- --nocapture`.
#[test]
fn agreement_at_production_size() {
    if std::env::var_os("JUDGE_CALIB_TIMING").is_none() {
        return;
    }
    let items = synthetic(&Synthetic {
        n_groups: 100,
        per_group: 3,
        hidden_dim: 900,
        hidden_signal: 1.5,
        cue_word: false,
        seed: 31,
    });
    let start = std::time::Instant::now();
    let result = agreement(&items, &config(1, 1000)).unwrap();
    let elapsed = start.elapsed();
    for judge in &result.judges {
        println!(
            "{:?}: auc {:.3}, l2 {:?}",
            judge.kind, judge.metrics.auc, judge.l2_per_fold
        );
    }
    println!("agreement on 300 items x 900 dims: {elapsed:?}");
    assert!(judge(&result, JudgeKind::Probe).metrics.auc > 0.75);
}

#[test]
fn transfer_scores_an_independent_set_with_judges_trained_on_another() {
    // The training set's cue word predicts its labels, and its hidden signal too; the test
    // set was made independently: its words carry nothing, its hidden signal lies along the
    // same direction.
    let spec = Synthetic {
        n_groups: 60,
        per_group: 3,
        hidden_dim: 32,
        hidden_signal: 1.5,
        cue_word: true,
        seed: 21,
    };
    let train = synthetic_along(&spec, 99);
    let test = synthetic_along(
        &Synthetic {
            n_groups: 50,
            cue_word: false,
            seed: 22,
            ..spec
        },
        99,
    );
    let result = transfer(&train, &test, &config(3, 100)).unwrap();
    assert_eq!(result.n_items, test.len());
    assert_eq!(result.folds, 0);
    let auc = |kind| judge(&result, kind).metrics.auc;
    assert!(
        auc(JudgeKind::Probe) > 0.85,
        "probe {}",
        auc(JudgeKind::Probe)
    );
    assert!(
        (auc(JudgeKind::Lexical) - 0.5).abs() < 0.12,
        "lexical {}",
        auc(JudgeKind::Lexical)
    );
    let probe = judge(&result, JudgeKind::Probe);
    assert_eq!(probe.out_of_fold.len(), test.len());
    assert_eq!(probe.l2_per_fold.len(), 1);
    assert!(
        probe.intervals.auc.low <= probe.metrics.auc
            && probe.metrics.auc <= probe.intervals.auc.high
    );

    // The probe trained on the whole training set gives the same test probabilities.
    let trained = train_probe(&train, &config(3, 100)).unwrap();
    for (item, p) in test.iter().zip(&probe.out_of_fold) {
        let direct = trained.probability(&item.hidden, item.zero_shot).unwrap();
        assert!((direct - p).abs() < 1e-12, "{direct} vs {p}");
    }

    let other_width = synthetic(&Synthetic {
        hidden_dim: 8,
        ..spec
    });
    let err = transfer(&train, &other_width, &config(3, 10)).unwrap_err();
    assert!(err.to_string().contains("different judge models"), "{err}");
}
