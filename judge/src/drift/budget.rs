//! Alarm budgets: from one system-wide false-alarm rate to per-stream ARL0 targets.
//!
//! A chart that is restarted after every alarm is a renewal process, so in the long run
//! it raises false alarms at exactly `1 / ARL0` per period (the renewal-reward theorem).
//! Expected counts add whatever the dependence between streams, so streams whose rates
//! sum to `1 / ARL0_system` give the whole system one false alarm per `ARL0_system`
//! periods on average. With equal shares that is the Bonferroni-style split
//! `ARL0_stream = S * ARL0_system`; read as a bound on the chance of any false alarm in a
//! window, it is Bonferroni's union bound and so conservative.

use super::{require, Result};

/// Periods between system-wide false alarms for one false alarm every `years` years
/// when each stream is checked `periods_per_year` times a year (52 for weekly checks).
pub fn periods_between_false_alarms(years: f64, periods_per_year: f64) -> Result<f64> {
    require(
        years.is_finite() && years > 0.0,
        "years",
        "must be positive and finite",
    )?;
    require(
        periods_per_year.is_finite() && periods_per_year > 0.0,
        "periods_per_year",
        "must be positive and finite",
    )?;
    Ok(years * periods_per_year)
}

/// Per-stream in-control ARL target when `streams` streams share a system-wide budget of
/// one false alarm per `system_arl0` periods equally: `streams * system_arl0`.
pub fn per_stream_arl0(system_arl0: f64, streams: usize) -> Result<f64> {
    require(streams >= 1, "streams", "must be at least 1")?;
    Ok(split_alarm_budget(system_arl0, &vec![1.0; streams])?[0])
}

/// Per-stream in-control ARL targets when stream `i` receives the share
/// `weights[i] / sum(weights)` of the system-wide false-alarm rate `1 / system_arl0`:
/// `ARL0_i = system_arl0 * sum(weights) / weights[i]`.
pub fn split_alarm_budget(system_arl0: f64, weights: &[f64]) -> Result<Vec<f64>> {
    require(
        system_arl0.is_finite() && system_arl0 >= 1.0,
        "system_arl0",
        "must be finite and at least 1",
    )?;
    require(!weights.is_empty(), "weights", "must not be empty")?;
    require(
        weights.iter().all(|w| w.is_finite() && *w > 0.0),
        "weights",
        "must all be positive and finite",
    )?;
    let total: f64 = weights.iter().sum();
    Ok(weights
        .iter()
        .map(|weight| system_arl0 * total / weight)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_split_multiplies_by_the_number_of_streams() {
        let system = periods_between_false_alarms(2.0, 52.0).unwrap();
        assert_eq!(system, 104.0);
        assert_eq!(per_stream_arl0(system, 25).unwrap(), 2600.0);
        assert!(per_stream_arl0(system, 0).is_err());
    }

    #[test]
    fn weighted_split_keeps_the_total_false_alarm_rate() {
        let targets = split_alarm_budget(104.0, &[1.0, 3.0, 4.0]).unwrap();
        let rate: f64 = targets.iter().map(|arl0| 1.0 / arl0).sum();
        assert!((rate - 1.0 / 104.0).abs() < 1e-15);
        assert_eq!(targets[0], 832.0);
        assert!(split_alarm_budget(104.0, &[1.0, 0.0]).is_err());
    }
}
