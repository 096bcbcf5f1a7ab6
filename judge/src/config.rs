//! `judge.toml`: the settings a deployment keeps in one file, read by `judge run` (the nightly
//! job) and by `judge drift`. Every key is optional; [`STARTER`] (what `judge init` writes)
//! documents each one with its default. Relative paths are relative to the file's folder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub store: StoreSettings,
    #[serde(default)]
    pub model: ModelSettings,
    #[serde(default)]
    pub input: InputSettings,
    #[serde(default)]
    pub score: ScoreSettings,
    #[serde(default)]
    pub sample: SampleSettings,
    #[serde(default, rename = "suite")]
    pub suites: Vec<SuiteSettings>,
    #[serde(default, rename = "calibrate")]
    pub calibrations: Vec<CalibrateSettings>,
    #[serde(default)]
    pub drift: DriftSettings,
    #[serde(default)]
    pub output: OutputSettings,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreSettings {
    /// The SQLite store (default `judge.db`).
    pub path: Option<PathBuf>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSettings {
    /// A manifest name, a .gguf path or hf:OWNER/REPO/FILE.gguf (default: the manifest's
    /// default model).
    pub name: Option<String>,
    /// `auto`, `cpu`, `cuda` or `metal`.
    pub device: Option<String>,
    pub batch_size: Option<usize>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputSettings {
    /// Record files (JSONL), or folders whose `*.jsonl` files are all read.
    #[serde(default)]
    pub records: Vec<PathBuf>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreSettings {
    /// Rubric ids to score (default: every rubric of the library).
    #[serde(default)]
    pub rubrics: Vec<String>,
    /// The rubric library folder (default: `JUDGE_RUBRICS_DIR`, else `rubrics/` beside the
    /// file, else the working directory's; see `judge::folders`).
    pub rubrics_dir: Option<PathBuf>,
    /// Score only the review sample instead of every record.
    pub only_sample: Option<bool>,
    /// Uncertainty routing: pairs whose P(pass) is within this distance of the rubric's
    /// threshold go to the review queue (0 turns it off).
    pub review_band: Option<f64>,
    /// Re-score each rubric's frozen canary set (`<rubrics>/canary/ID.jsonl`) every run.
    pub canary: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SampleSettings {
    /// Fraction of records put in the review queue (0 turns sampling off).
    pub rate: Option<f64>,
    /// `role` or `meta.FIELD`: sample each stratum at the rate.
    pub stratify: Option<String>,
    pub seed: Option<u64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuiteSettings {
    /// The suite file.
    pub file: PathBuf,
    /// An OpenAI-compatible chat-completions endpoint of the live agent.
    pub agent_url: Option<String>,
    /// Or a program speaking JSON on stdin/stdout.
    pub agent_cmd: Option<String>,
    /// Seconds per case.
    pub timeout: Option<f64>,
    pub concurrency: Option<usize>,
}

/// One rubric's trained judge, kept current by `judge run` (`judge calibrate --if-changed`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalibrateSettings {
    pub rubric: String,
    /// Labeled record files (JSONL with `labels`).
    #[serde(default)]
    pub labels: Vec<PathBuf>,
    /// Also learn from the human labels imported into the store.
    pub labels_store: Option<bool>,
    /// `meta.FIELD`, `agent` or `role`: the cross-validation groups.
    pub group_by: Option<String>,
    /// The hidden states the probe reads (`judge calibrate --features`).
    pub features: Option<String>,
    /// An exported trained judge to use instead of training when it matches the labels.
    pub import: Option<PathBuf>,
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

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputSettings {
    /// Where the nightly job writes its files (default `out`).
    pub dir: Option<PathBuf>,
    /// The Prometheus textfile (default `<dir>/judge.prom`).
    pub metrics_file: Option<PathBuf>,
}

/// The commented starter configuration `judge init` writes: every key, with its default.
pub const STARTER: &str = include_str!("starter.toml");

/// Reads `path`; errors name the file and the offending key.
pub fn load_config(path: &Path) -> Result<Config> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let config: Config = toml::from_str(&text)
        .map_err(|err| anyhow::anyhow!("{}: {}", path.display(), err.message()))?;
    let mut config = config;
    config.resolve_paths(path.parent().unwrap_or(Path::new("")));
    for (stream, rate) in &config.drift.baselines {
        anyhow::ensure!(
            rate.is_finite() && *rate > 0.0,
            "{}: drift.baselines.\"{stream}\" must be a positive rate, got {rate}",
            path.display()
        );
    }
    Ok(config)
}

impl Config {
    /// Makes every relative path relative to `dir` (the config file's folder).
    fn resolve_paths(&mut self, dir: &Path) {
        let resolve = |path: &mut PathBuf| {
            if path.is_relative() {
                *path = lexically_normal(&dir.join(&*path));
            }
        };
        self.store.path.iter_mut().for_each(resolve);
        self.input.records.iter_mut().for_each(resolve);
        self.score.rubrics_dir.iter_mut().for_each(resolve);
        for suite in &mut self.suites {
            resolve(&mut suite.file);
        }
        for calibration in &mut self.calibrations {
            calibration.labels.iter_mut().for_each(resolve);
            calibration.import.iter_mut().for_each(resolve);
        }
        self.output.dir.iter_mut().for_each(resolve);
        self.output.metrics_file.iter_mut().for_each(resolve);
        if let Some(name) = &mut self.model.name {
            if name.ends_with(".gguf") && !name.starts_with("hf:") && Path::new(name).is_relative()
            {
                *name = lexically_normal(&dir.join(&*name))
                    .to_string_lossy()
                    .into_owned();
            }
        }
    }
}

/// `a/b/../c` as `a/c`, without touching the file system: `..` after a normal component
/// cancels it; leading `..` stay.
fn lexically_normal(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut normal = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(normal.components().next_back(), Some(Component::Normal(_))) =>
            {
                normal.pop();
            }
            other => normal.push(other),
        }
    }
    normal
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

    #[test]
    fn the_starter_parses_and_documents_every_section() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("judge.toml");
        std::fs::write(&path, STARTER).unwrap();
        let config = load_config(&path).unwrap();
        assert_eq!(config.store.path, Some(dir.path().join("judge.db")));
        assert_eq!(config.sample.rate, Some(0.1));
        assert_eq!(config.score.canary, Some(true));
        assert_eq!(config.output.dir, Some(dir.path().join("out")));
        for key in [
            "[store]",
            "[model]",
            "[input]",
            "[score]",
            "[sample]",
            "[[suite]]",
            "[[calibrate]]",
            "labels",
            "labels_store",
            "group_by",
            "features",
            "import",
            "[drift]",
            "[drift.baselines]",
            "[output]",
            "name",
            "device",
            "batch_size",
            "records",
            "rubrics",
            "rubrics_dir",
            "only_sample",
            "review_band",
            "canary",
            "rate",
            "stratify",
            "seed",
            "file",
            "agent_url",
            "agent_cmd",
            "timeout",
            "concurrency",
            "burn_in",
            "budget_years",
            "shift",
            "period",
            "dir",
            "metrics_file",
        ] {
            assert!(STARTER.contains(key), "the starter does not document {key}");
        }
    }

    #[test]
    fn relative_paths_are_relative_to_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("judge.toml");
        std::fs::write(
            &path,
            "[input]\nrecords = [\"in/a.jsonl\", \"/abs/b.jsonl\"]\n[model]\nname = \"m.gguf\"\n",
        )
        .unwrap();
        let config = load_config(&path).unwrap();
        assert_eq!(
            config.input.records,
            vec![dir.path().join("in/a.jsonl"), PathBuf::from("/abs/b.jsonl")]
        );
        assert_eq!(
            lexically_normal(Path::new("data/sample/../../out/judge.db")),
            PathBuf::from("out/judge.db")
        );
        assert_eq!(
            lexically_normal(Path::new("../x/./y")),
            PathBuf::from("../x/y")
        );
        let model = dir.path().join("m.gguf");
        assert_eq!(config.model.name.as_deref(), Some(model.to_str().unwrap()));
    }
}
