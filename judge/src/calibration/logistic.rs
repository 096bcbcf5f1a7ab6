//! L2-regularized logistic regression by damped Newton steps, fitted in the primal when there
//! are fewer features than rows and through the Gram matrix otherwise.
//!
//! The objective is the mean log-loss plus `l2 / 2 * |w|^2`; the bias is not penalized.
//! Targets are probabilities in `[0, 1]` (hard labels are 0 and 1; Platt scaling uses
//! smoothed targets).
//!
//! With `p` features and `n` rows, a Newton step in the primal solves a `p x p` system. The
//! hidden states have `p` of 576 or 896 and the TF-IDF vocabulary thousands, against a few
//! hundred rows, so for `p > n` the fit goes through the `n x n` Gram matrix `K = X X^T`
//! instead: a pivoted Cholesky factorization `K = L L^T` (`L` is `n x r`, `r` the numerical
//! rank) gives `L = X Q` for a `Q` with orthonormal columns spanning the rows of `X`. The
//! optimal `w` lies in that span (any other component only adds penalty), so fitting on the
//! `r` features of `L` with the same penalty is the same problem, and `w = Q beta = X^T alpha`
//! for any `alpha` with `L^T alpha = beta`; the pivot rows of `L` form a triangular system
//! that gives one.

use anyhow::{bail, Result};

/// Newton iterations allowed per fit; a strongly convex problem converges in far fewer.
const MAX_NEWTON_ITERATIONS: usize = 200;
/// Convergence: the largest gradient component (the loss is a mean, so this is scale-free
/// in the number of rows).
const GRADIENT_TOLERANCE: f64 = 1e-9;
/// Gram-matrix pivots below this fraction of the largest diagonal entry end the pivoted
/// Cholesky factorization: those directions carry no variance worth fitting.
const RANK_TOLERANCE: f64 = 1e-10;

/// Read access to the rows of a design matrix, dense or sparse.
pub(crate) trait Rows {
    fn n_rows(&self) -> usize;
    fn n_cols(&self) -> usize;
    /// `row(i) . weights`.
    fn dot(&self, row: usize, weights: &[f64]) -> f64;
    /// `row(i) . row(j)`.
    fn row_dot_row(&self, i: usize, j: usize) -> f64;
    /// `target += scale * row(i)`.
    fn add_scaled_row(&self, row: usize, scale: f64, target: &mut [f64]);
}

/// A dense row-major matrix.
#[derive(Debug, Clone)]
pub(crate) struct DenseMatrix {
    pub(crate) n_rows: usize,
    pub(crate) n_cols: usize,
    pub(crate) values: Vec<f64>,
}

/// Sparse rows: `(column, value)` pairs sorted by column.
#[derive(Debug, Clone)]
pub(crate) struct SparseRows {
    pub(crate) n_cols: usize,
    pub(crate) rows: Vec<Vec<(u32, f64)>>,
}

/// A fitted model: `P(pass | x) = sigmoid(x . weights + bias)`.
#[derive(Debug, Clone)]
pub(crate) struct LogisticFit {
    pub(crate) weights: Vec<f64>,
    pub(crate) bias: f64,
}

impl LogisticFit {
    /// The probability of a pass for each row of `design`.
    pub(crate) fn probabilities(&self, design: &impl Rows) -> Vec<f64> {
        (0..design.n_rows())
            .map(|row| sigmoid(design.dot(row, &self.weights) + self.bias))
            .collect()
    }
}

/// Fits one model per entry of `l2_grid` (each strength positive, or zero only when the
/// problem has a finite optimum), returned in the order of the grid.
///
/// The reduction to the Gram matrix is computed once, and the fits run from the strongest
/// penalty to the weakest, each starting from the previous solution, which keeps the Newton
/// iterations few where the data are separable and the weights grow.
pub(crate) fn fit_path(
    design: &impl Rows,
    targets: &[f64],
    l2_grid: &[f64],
) -> Result<Vec<LogisticFit>> {
    assert_eq!(design.n_rows(), targets.len(), "one target per row");
    let reduced = Reduced::new(design);
    let mut order: Vec<usize> = (0..l2_grid.len()).collect();
    order.sort_by(|&a, &b| l2_grid[b].total_cmp(&l2_grid[a]));
    let mut fits: Vec<Option<LogisticFit>> = vec![None; l2_grid.len()];
    let mut start = (vec![0.0; reduced.features.n_cols], initial_bias(targets));
    for index in order {
        let (beta, bias) = newton(&reduced.features, targets, l2_grid[index], start)?;
        fits[index] = Some(LogisticFit {
            weights: reduced.weights(design, &beta),
            bias,
        });
        start = (beta, bias);
    }
    Ok(fits
        .into_iter()
        .map(|fit| fit.expect("every grid entry fitted"))
        .collect())
}

/// Fits one model.
pub(crate) fn fit(design: &impl Rows, targets: &[f64], l2: f64) -> Result<LogisticFit> {
    Ok(fit_path(design, targets, &[l2])?.remove(0))
}

/// The logistic function, without overflow for large `|x|`.
pub(crate) fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// `ln(1 + exp(x))` without overflow.
pub(crate) fn softplus(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

impl Rows for DenseMatrix {
    fn n_rows(&self) -> usize {
        self.n_rows
    }
    fn n_cols(&self) -> usize {
        self.n_cols
    }
    fn dot(&self, row: usize, weights: &[f64]) -> f64 {
        dot(self.row(row), weights)
    }
    fn row_dot_row(&self, i: usize, j: usize) -> f64 {
        dot(self.row(i), self.row(j))
    }
    fn add_scaled_row(&self, row: usize, scale: f64, target: &mut [f64]) {
        for (t, v) in target.iter_mut().zip(self.row(row)) {
            *t += scale * v;
        }
    }
}

impl DenseMatrix {
    pub(crate) fn row(&self, row: usize) -> &[f64] {
        &self.values[row * self.n_cols..(row + 1) * self.n_cols]
    }
}

impl Rows for SparseRows {
    fn n_rows(&self) -> usize {
        self.rows.len()
    }
    fn n_cols(&self) -> usize {
        self.n_cols
    }
    fn dot(&self, row: usize, weights: &[f64]) -> f64 {
        self.rows[row]
            .iter()
            .map(|&(column, value)| value * weights[column as usize])
            .sum()
    }
    fn row_dot_row(&self, i: usize, j: usize) -> f64 {
        let (a, b) = (&self.rows[i], &self.rows[j]);
        let (mut x, mut y, mut sum) = (0, 0, 0.0);
        while x < a.len() && y < b.len() {
            match a[x].0.cmp(&b[y].0) {
                std::cmp::Ordering::Less => x += 1,
                std::cmp::Ordering::Greater => y += 1,
                std::cmp::Ordering::Equal => {
                    sum += a[x].1 * b[y].1;
                    x += 1;
                    y += 1;
                }
            }
        }
        sum
    }
    fn add_scaled_row(&self, row: usize, scale: f64, target: &mut [f64]) {
        for &(column, value) in &self.rows[row] {
            target[column as usize] += scale * value;
        }
    }
}

/// The features the Newton iterations see: the design itself when it has no more columns
/// than rows, else the factor `L` of its Gram matrix.
struct Reduced {
    features: DenseMatrix,
    /// For the Gram route: the pivot rows in pivot order.
    pivots: Option<Vec<usize>>,
}

impl Reduced {
    fn new(design: &impl Rows) -> Reduced {
        let (n, p) = (design.n_rows(), design.n_cols());
        if p <= n {
            let mut values = vec![0.0; n * p];
            if p > 0 {
                for (row, chunk) in values.chunks_exact_mut(p).enumerate() {
                    design.add_scaled_row(row, 1.0, chunk);
                }
            }
            return Reduced {
                features: DenseMatrix {
                    n_rows: n,
                    n_cols: p,
                    values,
                },
                pivots: None,
            };
        }
        let mut gram = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..=i {
                let value = design.row_dot_row(i, j);
                gram[i * n + j] = value;
                gram[j * n + i] = value;
            }
        }
        let (features, pivots) = pivoted_cholesky(&gram, n);
        Reduced {
            features,
            pivots: Some(pivots),
        }
    }

    /// The weights over the design's own columns for the coefficients `beta` over the
    /// reduced features.
    fn weights(&self, design: &impl Rows, beta: &[f64]) -> Vec<f64> {
        let Some(pivots) = &self.pivots else {
            return beta.to_vec();
        };
        // Solve L^T alpha = beta with alpha supported on the pivot rows: row pivots[m] of L
        // is zero beyond column m, so the system is upper triangular in pivot order.
        let factor = &self.features;
        let rank = pivots.len();
        let mut alpha = vec![0.0; rank];
        for column in (0..rank).rev() {
            let mut value = beta[column];
            for later in column + 1..rank {
                value -= factor.values[pivots[later] * rank + column] * alpha[later];
            }
            alpha[column] = value / factor.values[pivots[column] * rank + column];
        }
        let mut weights = vec![0.0; design.n_cols()];
        for (m, &row) in pivots.iter().enumerate() {
            design.add_scaled_row(row, alpha[m], &mut weights);
        }
        weights
    }
}

/// Pivoted (outer-product) Cholesky factorization of a positive semi-definite `n x n`
/// matrix: returns `L` (`n x r`) with `L L^T` equal to the matrix up to the dropped
/// pivots, and the pivot rows in order.
fn pivoted_cholesky(matrix: &[f64], n: usize) -> (DenseMatrix, Vec<usize>) {
    let mut residual: Vec<f64> = (0..n).map(|i| matrix[i * n + i]).collect();
    let largest = residual.iter().fold(0.0f64, |a, &b| a.max(b));
    let mut chosen = vec![false; n];
    let mut pivots = Vec::new();
    // Columns of L, each of length n.
    let mut columns: Vec<Vec<f64>> = Vec::new();
    while pivots.len() < n {
        let Some(pivot) = (0..n)
            .filter(|&i| !chosen[i])
            .max_by(|&a, &b| residual[a].total_cmp(&residual[b]).then(b.cmp(&a)))
        else {
            break;
        };
        if residual[pivot].is_nan() || residual[pivot] <= RANK_TOLERANCE * largest {
            break;
        }
        let root = residual[pivot].sqrt();
        let mut column = vec![0.0; n];
        column[pivot] = root;
        for i in 0..n {
            if chosen[i] || i == pivot {
                continue;
            }
            let mut value = matrix[i * n + pivot];
            for previous in &columns {
                value -= previous[i] * previous[pivot];
            }
            column[i] = value / root;
            residual[i] -= column[i] * column[i];
        }
        chosen[pivot] = true;
        pivots.push(pivot);
        columns.push(column);
    }
    let rank = pivots.len();
    let mut values = vec![0.0; n * rank];
    for (k, column) in columns.iter().enumerate() {
        for i in 0..n {
            values[i * rank + k] = column[i];
        }
    }
    (
        DenseMatrix {
            n_rows: n,
            n_cols: rank,
            values,
        },
        pivots,
    )
}

fn initial_bias(targets: &[f64]) -> f64 {
    let mean = targets.iter().sum::<f64>() / targets.len().max(1) as f64;
    let mean = mean.clamp(1e-6, 1.0 - 1e-6);
    (mean / (1.0 - mean)).ln()
}

/// Minimizes the objective over `(beta, bias)` from `start` by Newton steps with a
/// backtracking (Armijo) line search.
fn newton(
    features: &DenseMatrix,
    targets: &[f64],
    l2: f64,
    start: (Vec<f64>, f64),
) -> Result<(Vec<f64>, f64)> {
    let (n, r) = (features.n_rows, features.n_cols);
    let (mut beta, mut bias) = start;
    let mut scores = scores(features, &beta, bias);
    let mut value = objective(&scores, targets, &beta, l2);
    for _ in 0..MAX_NEWTON_ITERATIONS {
        // Gradient and Hessian; the bias is the last coordinate.
        let mut gradient = vec![0.0; r + 1];
        let mut hessian = vec![0.0; (r + 1) * (r + 1)];
        let size = r + 1;
        for row in 0..n {
            let p = sigmoid(scores[row]);
            let residual = (p - targets[row]) / n as f64;
            let weight = p * (1.0 - p) / n as f64;
            let x = features.row(row);
            for (g, v) in gradient.iter_mut().zip(x) {
                *g += residual * v;
            }
            gradient[r] += residual;
            // Lower triangle only; mirrored below.
            for i in 0..r {
                let scaled = weight * x[i];
                let target = &mut hessian[i * size..i * size + i + 1];
                for (h, v) in target.iter_mut().zip(&x[..=i]) {
                    *h += scaled * v;
                }
            }
            let bias_row = &mut hessian[r * size..r * size + r];
            for (h, v) in bias_row.iter_mut().zip(x) {
                *h += weight * v;
            }
            hessian[r * size + r] += weight;
        }
        for i in 0..r {
            gradient[i] += l2 * beta[i];
            hessian[i * size + i] += l2;
        }
        let largest = gradient.iter().fold(0.0f64, |a, g| a.max(g.abs()));
        if largest < GRADIENT_TOLERANCE {
            return Ok((beta, bias));
        }
        for i in 0..size {
            for j in 0..i {
                hessian[j * size + i] = hessian[i * size + j];
            }
        }
        let negative: Vec<f64> = gradient.iter().map(|g| -g).collect();
        let step = solve_positive_definite(hessian, size, &negative)?;
        let slope: f64 = gradient.iter().zip(&step).map(|(g, s)| g * s).sum();
        // Backtrack until the Armijo condition holds. A step that no longer lowers the
        // objective in floating point means the minimum is reached to machine precision.
        let mut length = 1.0;
        let mut improved = false;
        for _ in 0..60 {
            let trial_beta: Vec<f64> = beta
                .iter()
                .zip(&step)
                .map(|(b, s)| b + length * s)
                .collect();
            let trial_bias = bias + length * step[r];
            let trial_scores = self::scores(features, &trial_beta, trial_bias);
            let trial_value = objective(&trial_scores, targets, &trial_beta, l2);
            if trial_value <= value + 1e-4 * length * slope {
                improved = trial_value < value;
                beta = trial_beta;
                bias = trial_bias;
                scores = trial_scores;
                value = trial_value;
                break;
            }
            length *= 0.5;
        }
        if !improved {
            return Ok((beta, bias));
        }
    }
    bail!(
        "logistic regression did not converge in {MAX_NEWTON_ITERATIONS} Newton steps \
         (l2 = {l2}); a larger l2 strength regularizes it"
    )
}

fn scores(features: &DenseMatrix, beta: &[f64], bias: f64) -> Vec<f64> {
    (0..features.n_rows)
        .map(|row| dot(features.row(row), beta) + bias)
        .collect()
}

fn objective(scores: &[f64], targets: &[f64], beta: &[f64], l2: f64) -> f64 {
    let loss: f64 = scores
        .iter()
        .zip(targets)
        .map(|(&s, &t)| softplus(s) - t * s)
        .sum();
    loss / scores.len() as f64 + 0.5 * l2 * dot(beta, beta)
}

/// Solves `A x = rhs` for a symmetric positive definite `A` by Cholesky factorization; a
/// matrix that is not numerically positive definite (an unpenalized direction the data do
/// not determine) is an error.
fn solve_positive_definite(mut matrix: Vec<f64>, n: usize, rhs: &[f64]) -> Result<Vec<f64>> {
    for j in 0..n {
        let mut diagonal = matrix[j * n + j];
        for k in 0..j {
            diagonal -= matrix[j * n + k] * matrix[j * n + k];
        }
        if diagonal.is_nan() || diagonal <= 1e-300 {
            bail!(
                "logistic regression is singular: the data do not determine the fit \
                 (constant scores, or a single class)"
            );
        }
        let root = diagonal.sqrt();
        matrix[j * n + j] = root;
        for i in j + 1..n {
            let mut value = matrix[i * n + j];
            for k in 0..j {
                value -= matrix[i * n + k] * matrix[j * n + k];
            }
            matrix[i * n + j] = value / root;
        }
    }
    let mut x = rhs.to_vec();
    for i in 0..n {
        let partial = dot(&matrix[i * n..i * n + i], &x[..i]);
        x[i] = (x[i] - partial) / matrix[i * n + i];
    }
    for i in (0..n).rev() {
        let mut value = x[i];
        for k in i + 1..n {
            value -= matrix[k * n + i] * x[k];
        }
        x[i] = value / matrix[i * n + i];
    }
    Ok(x)
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drift::Rng;

    fn random_dense(n: usize, p: usize, seed: u64) -> DenseMatrix {
        let mut rng = Rng::new(seed);
        DenseMatrix {
            n_rows: n,
            n_cols: p,
            values: (0..n * p).map(|_| rng.normal()).collect(),
        }
    }

    /// The full gradient of the objective at a fit, over the design's own columns.
    fn gradient(design: &impl Rows, targets: &[f64], fit: &LogisticFit, l2: f64) -> Vec<f64> {
        let n = design.n_rows();
        let mut gradient: Vec<f64> = fit.weights.iter().map(|w| l2 * w).collect();
        gradient.push(0.0);
        let p = gradient.len() - 1;
        for (row, probability) in fit.probabilities(design).into_iter().enumerate() {
            let residual = (probability - targets[row]) / n as f64;
            design.add_scaled_row(row, residual, &mut gradient[..p]);
            gradient[p] += residual;
        }
        gradient
    }

    #[test]
    fn one_feature_fit_matches_the_hand_solved_optimum() {
        // Two rows, x = -1 labeled fail and x = 1 labeled pass, no penalty on the bias: by
        // symmetry the bias is 0, and the optimum of ln(1 + e^-w) + l2/2 w^2 solves
        // sigmoid(-w) = l2 w. For l2 = 0.5: w = 0.674831614342..., the root of
        // 1 / (1 + e^w) = w / 2 (by bisection).
        let design = DenseMatrix {
            n_rows: 2,
            n_cols: 1,
            values: vec![-1.0, 1.0],
        };
        let fit = fit(&design, &[0.0, 1.0], 0.5).unwrap();
        let w = fit.weights[0];
        assert!((1.0 / (1.0 + w.exp()) - w / 2.0).abs() < 1e-12, "w = {w}");
        assert!((w - 0.674_831_614_342_4).abs() < 1e-9, "w = {w}");
        assert!(fit.bias.abs() < 1e-12);
    }

    #[test]
    fn the_gradient_vanishes_at_the_optimum_in_the_primal_and_through_the_gram_matrix() {
        for (n, p) in [(60, 5), (30, 80)] {
            let design = random_dense(n, p, 7);
            let mut rng = Rng::new(8);
            let targets: Vec<f64> = (0..n)
                .map(|row| {
                    let signal = design.row(row)[0] + 0.5 * rng.normal();
                    if signal > 0.3 {
                        1.0
                    } else {
                        0.0
                    }
                })
                .collect();
            for l2 in [1e-3, 0.1, 3.0] {
                let fit = fit(&design, &targets, l2).unwrap();
                let largest = gradient(&design, &targets, &fit, l2)
                    .iter()
                    .fold(0.0f64, |a, g| a.max(g.abs()));
                assert!(largest < 1e-7, "n {n} p {p} l2 {l2}: gradient {largest}");
            }
        }
    }

    #[test]
    fn separable_data_with_a_penalty_gives_finite_weights() {
        let design = DenseMatrix {
            n_rows: 4,
            n_cols: 2,
            values: vec![-2.0, 0.0, -1.0, 1.0, 1.0, -1.0, 2.0, 0.0],
        };
        let targets = [0.0, 0.0, 1.0, 1.0];
        let fits = fit_path(&design, &targets, &[1e-4, 1e-2, 1.0]).unwrap();
        let norms: Vec<f64> = fits.iter().map(|f| dot(&f.weights, &f.weights)).collect();
        assert!(norms.iter().all(|n| n.is_finite()));
        // Weaker penalties give larger weights, and every fit separates the classes.
        assert!(norms[0] > norms[1] && norms[1] > norms[2], "{norms:?}");
        for fit in &fits {
            let p = fit.probabilities(&design);
            assert!(
                p[0] < 0.5 && p[1] < 0.5 && p[2] > 0.5 && p[3] > 0.5,
                "{p:?}"
            );
        }
    }

    #[test]
    fn sparse_and_dense_designs_give_the_same_fit() {
        let dense = random_dense(12, 30, 3);
        let sparse = SparseRows {
            n_cols: 30,
            rows: (0..12)
                .map(|row| {
                    dense
                        .row(row)
                        .iter()
                        .enumerate()
                        .filter(|(_, v)| v.abs() > 0.5)
                        .map(|(c, &v)| (c as u32, v))
                        .collect()
                })
                .collect(),
        };
        let mut thresholded = dense.clone();
        for v in &mut thresholded.values {
            if v.abs() <= 0.5 {
                *v = 0.0;
            }
        }
        let targets: Vec<f64> = (0..12).map(|i| (i % 2) as f64).collect();
        let a = fit(&sparse, &targets, 0.05).unwrap();
        let b = fit(&thresholded, &targets, 0.05).unwrap();
        for (x, y) in a.weights.iter().zip(&b.weights) {
            assert!((x - y).abs() < 1e-9);
        }
        assert!((a.bias - b.bias).abs() < 1e-9);
    }

    #[test]
    fn the_gram_route_equals_the_primal_route() {
        // 25 columns over 20 rows go through the Gram matrix. The columns repeat 10 base
        // columns (rank 10), and repeated columns get equal weights at the optimum, so the
        // model equals a primal fit on the 10 base columns with each column scaled by the
        // square root of its repeat count.
        let base = random_dense(20, 10, 11);
        let mut wide = DenseMatrix {
            n_rows: 20,
            n_cols: 25,
            values: vec![0.0; 500],
        };
        for row in 0..20 {
            for col in 0..25 {
                wide.values[row * 25 + col] = base.row(row)[col % 10];
            }
        }
        let targets: Vec<f64> = (0..20)
            .map(|row| (base.row(row)[0] + base.row(row)[1] > 0.0) as u8 as f64)
            .collect();
        let l2 = 0.2;
        let through_gram = fit(&wide, &targets, l2).unwrap();
        // Column c appears k_c times with weight u_c / k_c each: penalty u_c^2 / k_c, the
        // same as weight u_c / sqrt(k_c) on the column scaled by sqrt(k_c).
        let counts: Vec<f64> = (0..10).map(|c| if c < 5 { 3.0 } else { 2.0 }).collect();
        let scaled = DenseMatrix {
            n_rows: 20,
            n_cols: 10,
            values: (0..200)
                .map(|i| base.values[i] * counts[i % 10].sqrt())
                .collect(),
        };
        let primal = fit(&scaled, &targets, l2).unwrap();
        let a = through_gram.probabilities(&wide);
        let b = primal.probabilities(&scaled);
        for (x, y) in a.iter().zip(&b) {
            assert!((x - y).abs() < 1e-8, "{x} {y}");
        }
        assert!((through_gram.weights[0] - through_gram.weights[10]).abs() < 1e-8);
    }
}
