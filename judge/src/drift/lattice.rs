//! Rational lattices on which the discrete charts' statistics live.
//!
//! A chart that adds integer counts and subtracts a reference value `r = a/q` only ever
//! takes values on the grid `j/q`, so its statistic is a Markov chain on finitely many
//! states below the threshold (Brook & Evans 1972). An irrational reference value is
//! replaced by a nearby fraction, which is the only approximation in the discrete run
//! lengths.

use super::{require, DriftError, Result};

/// The grid `j / denominator` of a discrete chart whose reference value per period is
/// exactly `reference_units / denominator`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lattice {
    /// Grid points per unit of the chart's statistic.
    pub denominator: u64,
    /// The reference value per period in grid steps.
    pub reference_units: u64,
}

impl Lattice {
    /// The reference value this lattice represents.
    pub fn reference(&self) -> f64 {
        self.reference_units as f64 / self.denominator as f64
    }

    /// Grid index of the smallest grid point at or above `value`, the state index from
    /// which a statistic at least `value` counts as reaching it.
    pub fn index_at_or_above(&self, value: f64) -> u64 {
        let scaled = value * self.denominator as f64;
        // The slack absorbs the rounding of values that are grid points in exact arithmetic.
        (scaled - SLACK * scaled.abs().max(1.0)).ceil().max(0.0) as u64
    }

    /// Grid index of the largest grid point at or below `value`.
    pub fn index_at_or_below(&self, value: f64) -> u64 {
        let scaled = value * self.denominator as f64;
        (scaled + SLACK * scaled.abs().max(1.0)).floor().max(0.0) as u64
    }
}

/// How to round an off-lattice reference value onto the grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Rounding {
    /// The closest fraction: best for approximating a given chart.
    Nearest,
    /// A fraction at or above the value.
    Up,
    /// A fraction at or below the value.
    Down,
}

/// Chooses the lattice for a reference value `reference` (per period, in count units).
///
/// A value that already is a fraction with denominator at most `max_denominator` gets
/// that exact lattice. Otherwise the smallest denominator whose rounding error is within
/// `tolerance * reference` wins, because the number of Markov states grows with the
/// denominator; failing that, the denominator with the smallest error. `max_denominator`
/// already reflects the caller's budget of states.
pub(super) fn choose_lattice(
    reference: f64,
    rounding: Rounding,
    tolerance: f64,
    max_denominator: u64,
) -> Result<Lattice> {
    require(
        reference.is_finite() && reference > 0.0,
        "reference",
        "must be positive and finite",
    )?;
    require(
        max_denominator >= 1,
        "max_denominator",
        "must be at least 1",
    )?;
    let mut first_within_tolerance = None;
    let mut best: Option<(f64, Lattice)> = None;
    for denominator in 1..=max_denominator {
        let scaled = reference * denominator as f64;
        let nearest = scaled.round();
        if nearest >= 1.0 && (scaled - nearest).abs() <= SLACK * scaled {
            return Ok(Lattice {
                denominator,
                reference_units: nearest as u64,
            });
        }
        let units = match rounding {
            Rounding::Nearest => nearest,
            Rounding::Up => scaled.ceil(),
            Rounding::Down => scaled.floor(),
        };
        if units < 1.0 {
            continue;
        }
        let lattice = Lattice {
            denominator,
            reference_units: units as u64,
        };
        let error = (lattice.reference() - reference).abs();
        if first_within_tolerance.is_none() && error <= tolerance * reference {
            first_within_tolerance = Some(lattice);
        }
        if best.is_none_or(|(smallest, _)| error < smallest) {
            best = Some((error, lattice));
        }
    }
    first_within_tolerance
        .or(best.map(|(_, lattice)| lattice))
        .ok_or(DriftError::InvalidParameter {
            name: "reference",
            requirement: "must be at least one grid step of the largest allowed lattice",
        })
}

/// Relative rounding slack when deciding whether a float lies on a grid point.
const SLACK: f64 = 1e-9;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_fractions_get_their_own_lattice() {
        let lattice = choose_lattice(233.0 / 28.0, Rounding::Up, 1e-1, 1000).unwrap();
        assert_eq!(
            lattice,
            Lattice {
                denominator: 28,
                reference_units: 233
            }
        );
        let lattice = choose_lattice(0.25, Rounding::Nearest, 0.0, 1000).unwrap();
        assert_eq!(lattice.denominator, 4);
    }

    #[test]
    fn rounding_respects_its_direction_and_tolerance() {
        let reference = std::f64::consts::PI;
        let up = choose_lattice(reference, Rounding::Up, 1e-4, 1000).unwrap();
        assert!(up.reference() >= reference);
        assert!(up.reference() - reference <= 1e-4 * reference);
        let down = choose_lattice(reference, Rounding::Down, 1e-4, 1000).unwrap();
        assert!(down.reference() <= reference);
        assert!(reference - down.reference() <= 1e-4 * reference);
        let nearest = choose_lattice(reference, Rounding::Nearest, 1e-3, 1000).unwrap();
        assert_eq!(nearest.denominator, 7);
    }

    #[test]
    fn grid_indices_absorb_float_rounding() {
        let lattice = Lattice {
            denominator: 3,
            reference_units: 25,
        };
        assert_eq!(lattice.index_at_or_above(2.0 / 3.0 * 3.0 / 3.0), 2);
        assert_eq!(lattice.index_at_or_above(0.1 + 0.2 + 0.4), 3);
        assert_eq!(lattice.index_at_or_below(0.7), 2);
        assert_eq!(lattice.index_at_or_below(1.0 - 1e-15), 3);
    }
}
