//! Small dense and banded LU solvers for the Markov-chain run-length systems.

use super::{DriftError, Result};

/// Pivots smaller than this, relative to the largest entry of their column or row, mean
/// the matrix is singular for our purposes (an absorbing chain that never absorbs).
const SINGULAR_PIVOT: f64 = 1e-13;

/// An LU factorization with partial pivoting of a dense square matrix.
#[derive(Debug, Clone)]
pub(super) struct DenseLu {
    size: usize,
    factors: Vec<f64>,
    pivots: Vec<usize>,
}

/// Factorizes the row-major `size` x `size` matrix `matrix` by Gaussian elimination with
/// partial pivoting.
pub(super) fn dense_lu(mut matrix: Vec<f64>, size: usize) -> Result<DenseLu> {
    assert_eq!(matrix.len(), size * size, "matrix must be square");
    let scale = matrix
        .iter()
        .fold(0.0f64, |largest, v| largest.max(v.abs()));
    let mut pivots = Vec::with_capacity(size);
    for column in 0..size {
        let pivot_row = (column..size)
            .max_by(|&a, &b| {
                matrix[a * size + column]
                    .abs()
                    .total_cmp(&matrix[b * size + column].abs())
            })
            .unwrap_or(column);
        if matrix[pivot_row * size + column].abs() <= SINGULAR_PIVOT * scale {
            return Err(DriftError::InfiniteRunLength);
        }
        if pivot_row != column {
            for k in 0..size {
                matrix.swap(column * size + k, pivot_row * size + k);
            }
        }
        pivots.push(pivot_row);
        let pivot = matrix[column * size + column];
        let (upper_rows, lower_rows) = matrix.split_at_mut((column + 1) * size);
        let pivot_row_values = &upper_rows[column * size..];
        for row in lower_rows.chunks_exact_mut(size) {
            let multiplier = row[column] / pivot;
            row[column] = multiplier;
            if multiplier != 0.0 {
                for (target, source) in row[column + 1..]
                    .iter_mut()
                    .zip(&pivot_row_values[column + 1..])
                {
                    *target -= multiplier * source;
                }
            }
        }
    }
    Ok(DenseLu {
        size,
        factors: matrix,
        pivots,
    })
}

impl DenseLu {
    /// Solves `A x = rhs`.
    pub(super) fn solve(&self, rhs: &[f64]) -> Vec<f64> {
        let size = self.size;
        let mut x = rhs.to_vec();
        for (column, &pivot_row) in self.pivots.iter().enumerate() {
            x.swap(column, pivot_row);
        }
        for row in 0..size {
            let dot: f64 = self.factors[row * size..row * size + row]
                .iter()
                .zip(&x[..row])
                .map(|(l, v)| l * v)
                .sum();
            x[row] -= dot;
        }
        for row in (0..size).rev() {
            let dot: f64 = self.factors[row * size + row + 1..(row + 1) * size]
                .iter()
                .zip(&x[row + 1..])
                .map(|(u, v)| u * v)
                .sum();
            x[row] = (x[row] - dot) / self.factors[row * size + row];
        }
        x
    }
}

/// A square matrix stored by rows within a band: row `i` keeps columns
/// `i - lower ..= i + upper`, clipped to the matrix.
#[derive(Debug, Clone)]
pub(super) struct BandedMatrix {
    size: usize,
    lower: usize,
    upper: usize,
    values: Vec<f64>,
}

impl BandedMatrix {
    /// A zero matrix with the given bandwidths.
    pub(super) fn zeros(size: usize, lower: usize, upper: usize) -> Self {
        let lower = lower.min(size.saturating_sub(1));
        let upper = upper.min(size.saturating_sub(1));
        BandedMatrix {
            size,
            lower,
            upper,
            values: vec![0.0; size * (lower + upper + 1)],
        }
    }

    /// Adds `value` to entry `(row, column)`, which must lie inside the band.
    pub(super) fn add(&mut self, row: usize, column: usize, value: f64) {
        let index = self.index(row, column);
        self.values[index] += value;
    }

    fn width(&self) -> usize {
        self.lower + self.upper + 1
    }

    fn index(&self, row: usize, column: usize) -> usize {
        assert!(
            column + self.lower >= row && column <= row + self.upper,
            "entry ({row}, {column}) lies outside the band"
        );
        row * self.width() + column + self.lower - row
    }
}

/// An LU factorization without pivoting of a banded matrix.
///
/// Without row exchanges the factors of every leading principal submatrix are the leading
/// blocks of the full factors, so one factorization answers the linear systems of all
/// smaller absorbing chains nested inside the largest one.
#[derive(Debug, Clone)]
pub(super) struct BandedLu {
    factors: BandedMatrix,
}

/// Factorizes a banded matrix without pivoting.
///
/// Only for matrices where elimination without pivoting is stable: the `I - Q` matrices
/// of absorbing Markov chains are weakly row diagonally dominant M-matrices, every Schur
/// complement keeps that property, and so the pivots stay positive and the growth factor
/// stays at most two.
pub(super) fn banded_lu_without_pivoting(mut matrix: BandedMatrix) -> Result<BandedLu> {
    let size = matrix.size;
    let (lower, upper) = (matrix.lower, matrix.upper);
    for column in 0..size {
        let pivot = matrix.values[matrix.index(column, column)];
        if pivot.is_nan() || pivot <= SINGULAR_PIVOT {
            return Err(DriftError::InfiniteRunLength);
        }
        let last_row = (column + lower).min(size - 1);
        let last_column = (column + upper).min(size - 1);
        let pivot_start = matrix.index(column, column);
        for row in column + 1..=last_row {
            let start = matrix.index(row, column);
            let multiplier = matrix.values[start] / pivot;
            matrix.values[start] = multiplier;
            if multiplier == 0.0 {
                continue;
            }
            let count = last_column - column;
            let (head, tail) = matrix.values.split_at_mut(start);
            let pivot_values = &head[pivot_start + 1..pivot_start + 1 + count];
            for (target, source) in tail[1..1 + count].iter_mut().zip(pivot_values) {
                *target -= multiplier * source;
            }
        }
    }
    Ok(BandedLu { factors: matrix })
}

impl BandedLu {
    /// Solves `A_m x = rhs[..m]` for the leading `m` x `m` block `A_m` of the factorized
    /// matrix, where `m = rhs.len()`.
    pub(super) fn solve_leading(&self, rhs: &[f64]) -> Vec<f64> {
        let matrix = &self.factors;
        let size = rhs.len();
        assert!(size <= matrix.size, "leading block larger than the matrix");
        let mut x = rhs.to_vec();
        for row in 0..size {
            let first = row.saturating_sub(matrix.lower);
            let start = matrix.index(row, first);
            let dot: f64 = matrix.values[start..start + row - first]
                .iter()
                .zip(&x[first..row])
                .map(|(l, v)| l * v)
                .sum();
            x[row] -= dot;
        }
        for row in (0..size).rev() {
            let last = (row + matrix.upper).min(size - 1);
            let diagonal = matrix.index(row, row);
            let dot: f64 = matrix.values[diagonal + 1..diagonal + 1 + last - row]
                .iter()
                .zip(&x[row + 1..=last])
                .map(|(u, v)| u * v)
                .sum();
            x[row] = (x[row] - dot) / matrix.values[diagonal];
        }
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn multiply(matrix: &[f64], size: usize, x: &[f64]) -> Vec<f64> {
        (0..size)
            .map(|row| {
                (0..size)
                    .map(|column| matrix[row * size + column] * x[column])
                    .sum()
            })
            .collect()
    }

    #[test]
    fn dense_lu_solves_a_system_that_needs_pivoting() {
        let matrix = vec![0.0, 2.0, 1.0, 1.0, 1.0, 0.0, 3.0, 0.0, 1.0];
        let expected = [1.0, -2.0, 3.0];
        let rhs = multiply(&matrix, 3, &expected);
        let solution = dense_lu(matrix, 3).unwrap().solve(&rhs);
        for (actual, wanted) in solution.iter().zip(expected) {
            assert!((actual - wanted).abs() < 1e-12, "{solution:?}");
        }
    }

    #[test]
    fn dense_lu_reports_singular_matrices() {
        let matrix = vec![1.0, 2.0, 2.0, 4.0];
        assert_eq!(
            dense_lu(matrix, 2).unwrap_err(),
            DriftError::InfiniteRunLength
        );
    }

    #[test]
    fn banded_lu_solves_every_leading_block() {
        // I - Q for a lazy random walk on 0..6 with steps -2, 0 and +1, reflected at 0 and
        // absorbed at the top: diagonally dominant, as the solver requires.
        let size = 6;
        let mut dense = vec![0.0; size * size];
        let mut banded = BandedMatrix::zeros(size, 2, 1);
        for row in 0..size {
            dense[row * size + row] += 1.0;
            banded.add(row, row, 1.0);
            for (step, probability) in [(-2i64, 0.3), (0, 0.2), (1, 0.5)] {
                let target = (row as i64 + step).max(0) as usize;
                if target < size {
                    dense[row * size + target] -= probability;
                    banded.add(row, target, -probability);
                }
            }
        }
        let factors = banded_lu_without_pivoting(banded).unwrap();
        for block in 1..=size {
            let mut block_matrix = vec![0.0; block * block];
            for row in 0..block {
                for column in 0..block {
                    block_matrix[row * block + column] = dense[row * size + column];
                }
            }
            let expected = dense_lu(block_matrix, block)
                .unwrap()
                .solve(&vec![1.0; block]);
            let actual = factors.solve_leading(&vec![1.0; block]);
            for (a, e) in actual.iter().zip(&expected) {
                assert!((a - e).abs() < 1e-10 * e.abs(), "{actual:?} {expected:?}");
            }
        }
    }
}
