//! Group k-fold assignment: every item of a group in the same fold, folds balanced by item
//! count and by label, deterministic from the seed.

use anyhow::{ensure, Result};

use crate::drift::Rng;

/// Assigns each item to one of `n_folds` folds; returns the fold of each item.
///
/// `groups[i]` is item `i`'s group index (`0..n_groups`). The groups are shuffled with the
/// seeded xoshiro256** generator, then stably sorted largest first (the shuffle breaks ties
/// between groups of equal size), and dealt out greedily: the first `n_folds` groups each
/// open their own fold, and every later group joins the fold where it brings the fold's pass
/// and fail counts closest (in squared distance) to their shares of the totals. That balances
/// the folds by size and stratifies them by label as far as the groups allow.
pub(crate) fn group_folds(
    groups: &[usize],
    labels: &[bool],
    n_folds: usize,
    seed: u64,
) -> Result<Vec<usize>> {
    assert_eq!(groups.len(), labels.len(), "one group per label");
    let n_groups = groups.iter().map(|&g| g + 1).max().unwrap_or(0);
    ensure!(
        n_folds >= 2,
        "cross-validation needs at least 2 folds, got {n_folds}"
    );
    ensure!(
        n_groups >= n_folds,
        "{n_groups} groups cannot fill {n_folds} folds: every fold needs at least one group \
         (use fewer folds or a finer grouping)"
    );
    let mut counts = vec![[0.0f64; 2]; n_groups];
    for (&group, &label) in groups.iter().zip(labels) {
        counts[group][usize::from(label)] += 1.0;
    }
    let mut order: Vec<usize> = (0..n_groups).collect();
    let mut rng = Rng::new(seed);
    for i in (1..n_groups).rev() {
        let j = below(&mut rng, i + 1);
        order.swap(i, j);
    }
    order.sort_by(|&a, &b| {
        let size = |g: usize| counts[g][0] + counts[g][1];
        size(b).total_cmp(&size(a))
    });
    let totals = counts
        .iter()
        .fold([0.0, 0.0], |acc, c| [acc[0] + c[0], acc[1] + c[1]]);
    let share = [totals[0] / n_folds as f64, totals[1] / n_folds as f64];
    let mut fold_counts = vec![[0.0f64; 2]; n_folds];
    let mut fold_of_group = vec![0; n_groups];
    for (rank, &group) in order.iter().enumerate() {
        let fold = if rank < n_folds {
            rank
        } else {
            let added = counts[group];
            let increase = |fold: usize| -> f64 {
                (0..2)
                    .map(|c| added[c] * (2.0 * (fold_counts[fold][c] - share[c]) + added[c]))
                    .sum()
            };
            (0..n_folds)
                .min_by(|&a, &b| increase(a).total_cmp(&increase(b)).then(a.cmp(&b)))
                .expect("at least two folds")
        };
        fold_of_group[group] = fold;
        for c in 0..2 {
            fold_counts[fold][c] += counts[group][c];
        }
    }
    Ok(groups.iter().map(|&g| fold_of_group[g]).collect())
}

/// A uniform draw from `0..bound` (Lemire's multiply-shift; the bias is below 2^-50 for the
/// bounds used here).
pub(crate) fn below(rng: &mut Rng, bound: usize) -> usize {
    ((u128::from(rng.next_u64()) * bound as u128) >> 64) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(n_groups: usize, seed: u64) -> (Vec<usize>, Vec<bool>) {
        let mut rng = Rng::new(seed);
        let mut groups = Vec::new();
        let mut labels = Vec::new();
        for group in 0..n_groups {
            let size = 1 + below(&mut rng, 4);
            for _ in 0..size {
                groups.push(group);
                labels.push(rng.bernoulli(0.3));
            }
        }
        (groups, labels)
    }

    #[test]
    fn groups_never_straddle_folds_and_folds_are_balanced() {
        for seed in 0..20 {
            let (groups, labels) = example(60, seed);
            let folds = group_folds(&groups, &labels, 5, seed).unwrap();
            let mut fold_of_group = std::collections::HashMap::new();
            for (&g, &f) in groups.iter().zip(&folds) {
                assert_eq!(*fold_of_group.entry(g).or_insert(f), f, "seed {seed}");
            }
            let sizes: Vec<usize> = (0..5)
                .map(|f| folds.iter().filter(|&&x| x == f).count())
                .collect();
            let passes: Vec<usize> = (0..5)
                .map(|f| {
                    (0..folds.len())
                        .filter(|&i| folds[i] == f && labels[i])
                        .count()
                })
                .collect();
            let spread = |v: &[usize]| v.iter().max().unwrap() - v.iter().min().unwrap();
            // Groups hold at most 4 items, so greedy dealing keeps folds within a few items.
            assert!(spread(&sizes) <= 4, "seed {seed}: sizes {sizes:?}");
            assert!(spread(&passes) <= 4, "seed {seed}: passes {passes:?}");
        }
    }

    #[test]
    fn the_seed_decides_the_assignment() {
        let (groups, labels) = example(40, 1);
        let a = group_folds(&groups, &labels, 4, 9).unwrap();
        assert_eq!(a, group_folds(&groups, &labels, 4, 9).unwrap());
        assert_ne!(a, group_folds(&groups, &labels, 4, 10).unwrap());
    }

    #[test]
    fn fewer_groups_than_folds_is_an_error() {
        let err = group_folds(&[0, 0, 1, 1], &[true, false, true, false], 3, 0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "2 groups cannot fill 3 folds: every fold needs at least one group \
             (use fewer folds or a finer grouping)"
        );
    }
}
