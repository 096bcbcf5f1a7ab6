//! `judge.toml`: the settings a deployment keeps in one file. Today it holds the drift
//! settings; every key is optional and the command line overrides it.
//!
//! ```toml
//! [drift]
//! burn_in = 3            # periods that estimate a baseline that is not declared
//! budget_years = 2.0     # one false alarm in this many years of weekly checks, all streams
//! shift = 0.4            # the relative change each chart is tuned to catch fastest
//! period = "week"        # day, week (ISO weeks) or month
//!
//! [drift.baselines]      # declared in-control rates, e.g. from the deploy-time eval
//! "escalations/worker" = 0.375
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub drift: DriftSettings,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DriftSettings {
    pub burn_in: Option<usize>,
    pub budget_years: Option<f64>,
    pub shift: Option<f64>,
    /// `day`, `week` (ISO weeks) or `month`.
    pub period: Option<crate::streams::PeriodKind>,
    /// Stream name to its declared in-control rate.
    #[serde(default)]
    pub baselines: BTreeMap<String, f64>,
}

/// Reads `path`; errors name the file and the offending key.
pub fn load_config(path: &Path) -> Result<Config> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let config: Config = toml::from_str(&text)
        .map_err(|err| anyhow::anyhow!("{}: {}", path.display(), err.message()))?;
    for (stream, rate) in &config.drift.baselines {
        anyhow::ensure!(
            rate.is_finite() && *rate > 0.0,
            "{}: drift.baselines.\"{stream}\" must be a positive rate, got {rate}",
            path.display()
        );
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_drift_settings_and_rejects_unknown_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("judge.toml");
        std::fs::write(
            &path,
            "[drift]\nburn_in = 4\n[drift.baselines]\n\"escalations/worker\" = 0.375\n",
        )
        .unwrap();
        let config = load_config(&path).unwrap();
        assert_eq!(config.drift.burn_in, Some(4));
        assert_eq!(config.drift.baselines["escalations/worker"], 0.375);

        std::fs::write(&path, "[drift]\nburnin = 4\n").unwrap();
        let err = load_config(&path).unwrap_err().to_string();
        assert!(
            err.contains("burnin") && err.contains("judge.toml"),
            "{err}"
        );
    }
}
