//! Trained judges: a probe on the judge model's hidden state (or a Platt scaling of its
//! zero-shot score) fitted on human-labeled records for one rubric, kept in the store as an
//! artifact with everything it depends on, and applied by `judge score`.
//!
//! An artifact is only ever applied to the exact judge it was trained on: the same model file,
//! chat template, prompt format and engine (the zero-shot fingerprint) and the same rubric
//! version and content. Anything else is refused with a message saying what changed, never
//! silently used or silently ignored. Scores of a trained judge carry their own fingerprint,
//! so they never mix with zero-shot scores or with another artifact's.
//!
//! At most one artifact per rubric is active; `judge calibrate` activates the new one and
//! retires the one before, and `--retire` goes back to zero-shot. Retired artifacts stay in the
//! store: old scores keep pointing at the judge that made them.

use anyhow::{bail, Context, Result};
use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::calibration::{JudgeAgreement, Platt, Probe};
use crate::judge_model::JudgeModel;
use crate::records::{Label, Record};
use crate::rubrics::Rubric;
use crate::scoring::{self, FeatureSpec, Features, PreparedRubric, Scored, ScoringConfig};
use crate::store::{now, JudgeInfo, Store};

/// The fitted part of a trained judge.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Calibrator {
    /// Logistic regression on hidden states and the zero-shot score.
    Probe(Box<FeatureProbe>),
    /// A logistic function of the zero-shot score alone.
    Platt(Platt),
}

/// A probe with the hidden states it reads. Probes stored before feature specs existed read
/// the final hidden state alone, which is what the default spec says.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FeatureProbe {
    #[serde(flatten)]
    pub probe: Probe,
    #[serde(default)]
    pub features: FeatureSpec,
}

/// A trained judge as it is stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Artifact {
    /// The store's row id (0 in an exported file).
    #[serde(default)]
    pub id: i64,
    pub rubric_id: String,
    pub rubric_version: u32,
    /// [`Rubric::content_sha256`] at training time: the prompt the hidden state came from.
    pub rubric_sha256: String,
    pub model_name: String,
    pub model_sha256: String,
    /// The zero-shot judge the features came from (model, chat template, prompt format,
    /// engine).
    pub base_fingerprint: String,
    /// The fingerprint of this trained judge's scores.
    pub fingerprint: String,
    /// SHA-256 over the training records and their labels ([`training_set_sha256`]).
    pub training_set_sha256: String,
    pub n_items: usize,
    pub n_pass: usize,
    /// When it was stored (empty in an exported file).
    #[serde(default)]
    pub created_at: String,
    /// The cross-validated agreement of this method with the labels, measured before the
    /// final fit on all items.
    pub cross_validated: JudgeAgreement,
    pub calibrator: Calibrator,
    /// Why it was or was not made the active judge ([`save`]); absent for judges stored
    /// before promotions were recorded.
    #[serde(default)]
    pub promotion: Option<String>,
}

/// A trained judge before it gets its id.
#[derive(Debug, Clone)]
pub struct NewArtifact<'a> {
    pub rubric: &'a Rubric,
    pub model_name: &'a str,
    pub model_sha256: &'a str,
    pub base_fingerprint: &'a str,
    pub training_set_sha256: String,
    pub n_items: usize,
    pub n_pass: usize,
    pub cross_validated: JudgeAgreement,
    pub calibrator: Calibrator,
}

impl Calibrator {
    pub fn method(&self) -> &'static str {
        match self {
            Calibrator::Probe(_) => "probe",
            Calibrator::Platt(_) => "platt",
        }
    }

    /// The hidden states this calibrator reads from each scored pair.
    pub fn features(&self) -> FeatureSpec {
        match self {
            Calibrator::Probe(probe) => probe.features.clone(),
            Calibrator::Platt(_) => FeatureSpec::default(),
        }
    }

    /// P(pass) of one scored pair.
    pub fn probability(&self, features: &Features) -> Result<f64> {
        match self {
            Calibrator::Probe(p) => p.probe.probability(&features.hidden, features.zero_shot),
            Calibrator::Platt(platt) => Ok(platt.probability(features.zero_shot)),
        }
    }
}

impl Artifact {
    /// Refuses an artifact trained for another judge or rubric than the one about to score.
    pub fn check_applies(&self, rubric: &Rubric, base_fingerprint: &str) -> Result<()> {
        let retrain = format!(
            "retrain it (`judge calibrate --rubric {0} --labels ...`) or go back to zero-shot \
             scoring (`judge calibrate --rubric {0} --retire`)",
            self.rubric_id
        );
        if self.rubric_version != rubric.version {
            bail!(
                "trained judge #{} for rubric {} was trained on rubric version {}, the library \
                 has version {}: {retrain}",
                self.id,
                self.rubric_id,
                self.rubric_version,
                rubric.version
            );
        }
        if self.rubric_sha256 != rubric.content_sha256() {
            bail!(
                "trained judge #{} for rubric {}: the rubric's text changed since training \
                 (same version {}; bump the version when editing a rubric): {retrain}",
                self.id,
                self.rubric_id,
                rubric.version
            );
        }
        if self.base_fingerprint != base_fingerprint {
            bail!(
                "trained judge #{} for rubric {} was trained on judge {} (model {}), not on \
                 the judge scoring now ({base_fingerprint}): a model, chat template or engine \
                 change invalidates it; {retrain}",
                self.id,
                self.rubric_id,
                self.base_fingerprint,
                self.model_name
            );
        }
        Ok(())
    }

    /// Whether this judge was trained on exactly `training_set_sha256` with `method` and the
    /// features `spec`, for `rubric` as it is now and the zero-shot judge `base_fingerprint`:
    /// retraining would give the same judge.
    pub fn is_trained_on(
        &self,
        rubric: &Rubric,
        base_fingerprint: &str,
        training_set_sha256: &str,
        method: &str,
        spec: &FeatureSpec,
    ) -> bool {
        self.check_applies(rubric, base_fingerprint).is_ok()
            && self.training_set_sha256 == training_set_sha256
            && self.calibrator.method() == method
            && (method != "probe" || &self.calibrator.features() == spec)
    }

    /// Replaces a zero-shot score's P(pass) by this judge's; the zero-shot log-probs stay as
    /// they are (they are what the features were made of).
    pub fn apply(&self, mut scored: Scored) -> Result<Scored> {
        if let Some(features) = &scored.features {
            scored.p_pass = Some(self.calibrator.probability(features)?);
        }
        Ok(scored)
    }

    /// The name this judge is registered under in the store's `judges` table.
    pub fn judge_name(&self) -> String {
        format!(
            "{}+{}#{}",
            self.model_name,
            self.calibrator.method(),
            self.id
        )
    }
}

/// [`scoring::score_rubric`] with the rubric's trained judge, when it has one, giving each
/// pair's P(pass): what `judge score`, `judge canary` and suite runs all score with.
pub fn score_rubric(
    model: &JudgeModel,
    prepared: &PreparedRubric,
    records: &[&Record],
    config: &ScoringConfig,
    trained: Option<&Artifact>,
    mut on_batch: impl FnMut(&[Scored]) -> Result<()>,
) -> Result<()> {
    let config = ScoringConfig {
        features: trained.map_or_else(FeatureSpec::default, |a| a.calibrator.features()),
        ..config.clone()
    };
    scoring::score_rubric(model, prepared, records, &config, |batch| match trained {
        None => on_batch(batch),
        Some(artifact) => {
            let scored = batch
                .iter()
                .map(|s| artifact.apply(s.clone()))
                .collect::<Result<Vec<_>>>()?;
            on_batch(&scored)
        }
    })
}

/// The trained judge that scores `rubric` now, if the rubric has one: checked against the
/// zero-shot judge about to run (refused when stale) and registered in the store's judges.
pub fn for_rubric(
    store: &mut Store,
    rubric: &Rubric,
    base: &JudgeInfo,
) -> Result<Option<Artifact>> {
    let Some(artifact) = active(store, &rubric.id)? else {
        return Ok(None);
    };
    artifact.check_applies(rubric, &base.fingerprint)?;
    store.register_judge(&JudgeInfo {
        fingerprint: artifact.fingerprint.clone(),
        model_name: artifact.judge_name(),
        ..base.clone()
    })?;
    Ok(Some(artifact))
}

/// SHA-256 over the training set: each labeled record's id, content and label, in id order.
pub fn training_set_sha256(items: &[(&Record, Label)]) -> String {
    let mut sorted: Vec<&(&Record, Label)> = items.iter().collect();
    sorted.sort_by(|a, b| a.0.id.cmp(&b.0.id));
    let mut hasher = Sha256::new();
    for (record, label) in sorted {
        let content = serde_json::to_string(record).expect("records always serialize");
        hasher.update(content.as_bytes());
        hasher.update([0]);
        hasher.update(if *label == Label::Pass {
            b"pass"
        } else {
            b"fail"
        });
        hasher.update([0]);
    }
    hex::encode(hasher.finalize())
}

/// What [`save`] did with a new trained judge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Promotion {
    /// It is the active judge now (it may have been active already: the same fit again).
    Promoted,
    /// The active judge stays: the new one's cross-validated agreement is worse. The new one
    /// is stored retired, with the comparison.
    Kept { active: i64 },
}

/// Whether a candidate's cross-validated agreement is not worse than the active judge's: its
/// AUC (how well it ranks passes above failures, independent of the threshold) is not lower.
pub fn not_worse(candidate: &JudgeAgreement, active: &JudgeAgreement) -> bool {
    candidate.metrics.auc >= active.metrics.auc
}

/// Stores a new trained judge, in one transaction, and makes it the active one for its
/// rubric (retiring the one before) unless the active judge still applies to the same zero-shot
/// judge and rubric and has a better cross-validated AUC ([`not_worse`]); `force` promotes
/// regardless. Each stored judge records why it was or was not promoted.
pub fn save(store: &mut Store, new: NewArtifact, force: bool) -> Result<(Artifact, Promotion)> {
    let created_at = now();
    let calibrator_json = serde_json::to_string(&new.calibrator)?;
    let cv_json = serde_json::to_string(&new.cross_validated)?;
    let rubric_sha256 = new.rubric.content_sha256();
    // The fingerprint covers the fitted parameters, so two fits never share scores.
    let fingerprint = {
        let mut hasher = Sha256::new();
        for part in [
            new.base_fingerprint,
            new.rubric.id.as_str(),
            &rubric_sha256,
            &calibrator_json,
        ] {
            hasher.update(part.as_bytes());
            hasher.update([0]);
        }
        hex::encode(&hasher.finalize()[..12])
    };
    let current = active(store, &new.rubric.id)?;
    let auc = new.cross_validated.metrics.auc;
    let (promote, promotion) = match &current {
        None => (
            true,
            format!("promoted: first trained judge (AUC {auc:.3})"),
        ),
        Some(current) if current.fingerprint == fingerprint => (
            true,
            "promoted: the same fit as the active judge".to_string(),
        ),
        Some(current)
            if current.base_fingerprint != new.base_fingerprint
                || current.rubric_sha256 != rubric_sha256 =>
        {
            (
                true,
                format!(
                    "promoted: #{} was trained for another judge or rubric text and cannot \
                     score any more (AUC {auc:.3})",
                    current.id
                ),
            )
        }
        Some(current) => {
            let current_auc = current.cross_validated.metrics.auc;
            if not_worse(&new.cross_validated, &current.cross_validated) {
                (
                    true,
                    format!(
                        "promoted over #{}: AUC {auc:.3} >= {current_auc:.3}",
                        current.id
                    ),
                )
            } else if force {
                (
                    true,
                    format!(
                        "promoted over #{} by --force: AUC {auc:.3} < {current_auc:.3}",
                        current.id
                    ),
                )
            } else {
                (
                    false,
                    format!(
                        "not promoted: AUC {auc:.3} < {current_auc:.3} of the active judge #{}",
                        current.id
                    ),
                )
            }
        }
    };
    let tx = store
        .connection()
        .transaction()
        .context("starting a transaction")?;
    if promote {
        tx.execute(
            "UPDATE trained_judges SET retired_at = ?2 \
             WHERE rubric_id = ?1 AND retired_at IS NULL AND fingerprint != ?3",
            params![new.rubric.id, created_at, fingerprint],
        )?;
    }
    tx.execute(
        "INSERT INTO trained_judges (rubric_id, rubric_version, rubric_sha256, model_name, \
         model_sha256, base_fingerprint, fingerprint, training_set_sha256, n_items, n_pass, \
         cross_validated, calibrator, created_at, retired_at, promotion) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15) \
         ON CONFLICT (fingerprint) DO UPDATE SET retired_at = excluded.retired_at, \
         promotion = excluded.promotion",
        params![
            new.rubric.id,
            new.rubric.version,
            rubric_sha256,
            new.model_name,
            new.model_sha256,
            new.base_fingerprint,
            fingerprint,
            new.training_set_sha256,
            new.n_items as i64,
            new.n_pass as i64,
            cv_json,
            calibrator_json,
            created_at,
            (!promote).then_some(&created_at),
            promotion,
        ],
    )?;
    tx.commit().context("saving the trained judge")?;
    let saved = find(store, "fingerprint = ?1", &fingerprint)?
        .context("the trained judge just saved is missing")?;
    let outcome = match (&current, promote) {
        (Some(current), false) => Promotion::Kept { active: current.id },
        _ => Promotion::Promoted,
    };
    Ok((saved, outcome))
}

/// A trained judge as a file: what `judge calibrate --export` writes and `--import` reads, so a
/// judge trained once can be shipped and used where training would take too long. Only what
/// training computed is written (not the store's row id, date or promotion), so training again
/// on the same labels with the same model on the same kind of CPU writes the same bytes.
pub fn export(artifact: &Artifact) -> Result<String> {
    let portable = Artifact {
        id: 0,
        created_at: String::new(),
        promotion: None,
        ..artifact.clone()
    };
    let mut value = serde_json::to_value(&portable)?;
    if let Some(object) = value.as_object_mut() {
        for key in ["id", "created_at", "promotion"] {
            object.remove(key);
        }
    }
    Ok(serde_json::to_string_pretty(&value)? + "\n")
}

/// Reads an exported trained judge, checking that it was trained on exactly `training_set`
/// (the labeled records given now) and applies to `rubric` and the zero-shot judge `base`:
/// an imported judge is always the result of the labels it claims.
pub fn import(
    path: &std::path::Path,
    rubric: &Rubric,
    base: &JudgeInfo,
    training_set_sha256: &str,
) -> Result<Artifact> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let artifact: Artifact = serde_json::from_str(&text)
        .with_context(|| format!("{}: not an exported trained judge", path.display()))?;
    if artifact.rubric_id != rubric.id {
        bail!(
            "{}: trained for rubric {}, not {}",
            path.display(),
            artifact.rubric_id,
            rubric.id
        );
    }
    artifact
        .check_applies(rubric, &base.fingerprint)
        .with_context(|| format!("{}", path.display()))?;
    if artifact.training_set_sha256 != training_set_sha256 {
        bail!(
            "{}: trained on other labeled records (training set {}) than the ones given now \
             ({training_set_sha256}): retrain instead of importing",
            path.display(),
            artifact
                .training_set_sha256
                .chars()
                .take(12)
                .collect::<String>(),
        );
    }
    Ok(artifact)
}

/// The part of an artifact [`save`] stores again when importing it.
pub fn as_new<'a>(artifact: &'a Artifact, rubric: &'a Rubric) -> NewArtifact<'a> {
    NewArtifact {
        rubric,
        model_name: &artifact.model_name,
        model_sha256: &artifact.model_sha256,
        base_fingerprint: &artifact.base_fingerprint,
        training_set_sha256: artifact.training_set_sha256.clone(),
        n_items: artifact.n_items,
        n_pass: artifact.n_pass,
        cross_validated: artifact.cross_validated.clone(),
        calibrator: artifact.calibrator.clone(),
    }
}

/// The active trained judge of a rubric, if any.
pub fn active(store: &mut Store, rubric_id: &str) -> Result<Option<Artifact>> {
    find(store, "rubric_id = ?1 AND retired_at IS NULL", rubric_id)
}

/// Retires the active trained judge of a rubric; returns it, or `None` when there was none.
pub fn retire(store: &mut Store, rubric_id: &str) -> Result<Option<Artifact>> {
    let Some(artifact) = active(store, rubric_id)? else {
        return Ok(None);
    };
    store.connection().execute(
        "UPDATE trained_judges SET retired_at = ?2 WHERE id = ?1",
        params![artifact.id, now()],
    )?;
    Ok(Some(artifact))
}

/// Every active trained judge, by rubric id.
pub fn all_active(store: &mut Store) -> Result<Vec<Artifact>> {
    let conn = store.connection();
    let mut statement = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM trained_judges WHERE retired_at IS NULL ORDER BY rubric_id"
    ))?;
    let rows = statement.query_map([], artifact_from_row)?;
    rows.map(|row| row?).collect()
}

const COLUMNS: &str = "id, rubric_id, rubric_version, rubric_sha256, model_name, model_sha256, \
                       base_fingerprint, fingerprint, training_set_sha256, n_items, n_pass, \
                       cross_validated, calibrator, created_at, promotion";

fn find(store: &mut Store, condition: &str, value: &str) -> Result<Option<Artifact>> {
    let sql = format!("SELECT {COLUMNS} FROM trained_judges WHERE {condition}");
    let found = store
        .connection()
        .query_row(&sql, params![value], artifact_from_row)
        .optional()
        .context("reading trained judges")?;
    found.transpose()
}

fn artifact_from_row(row: &Row) -> rusqlite::Result<Result<Artifact>> {
    let id: i64 = row.get(0)?;
    let cv: String = row.get(11)?;
    let calibrator: String = row.get(12)?;
    let parsed = (|| -> Result<(JudgeAgreement, Calibrator)> {
        Ok((
            serde_json::from_str(&cv)?,
            serde_json::from_str(&calibrator)?,
        ))
    })()
    .with_context(|| format!("trained judge #{id}: its stored parameters do not parse"));
    let (cross_validated, calibrator) = match parsed {
        Ok(parsed) => parsed,
        Err(error) => return Ok(Err(error)),
    };
    Ok(Ok(Artifact {
        id,
        rubric_id: row.get(1)?,
        rubric_version: row.get(2)?,
        rubric_sha256: row.get(3)?,
        model_name: row.get(4)?,
        model_sha256: row.get(5)?,
        base_fingerprint: row.get(6)?,
        fingerprint: row.get(7)?,
        training_set_sha256: row.get(8)?,
        n_items: row.get::<_, i64>(9)? as usize,
        n_pass: row.get::<_, i64>(10)? as usize,
        cross_validated,
        calibrator,
        created_at: row.get(13)?,
        promotion: row.get(14)?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibration::{self, CvConfig, JudgeKind, LabeledItem};

    /// A cross-validated agreement whose AUC is then set to `auc`.
    fn agreement_with_auc(auc: f64) -> JudgeAgreement {
        let items: Vec<LabeledItem> = (0..24)
            .map(|i| LabeledItem {
                label: i % 2 == 0,
                group: format!("g{}", i / 2),
                text: format!("record {i}"),
                zero_shot: (i % 3) as f64 - 1.0,
                hidden: Vec::new(),
            })
            .collect();
        let config = CvConfig {
            folds: 3,
            n_bootstrap: 10,
            ..CvConfig::default()
        };
        let agreement = calibration::agreement(&items, &config).unwrap();
        let mut judge = agreement
            .judges
            .into_iter()
            .find(|j| j.kind == JudgeKind::Platt)
            .unwrap();
        judge.metrics.auc = auc;
        judge
    }

    fn candidate<'a>(rubric: &'a Rubric, base: &'a str, auc: f64, b: f64) -> NewArtifact<'a> {
        NewArtifact {
            rubric,
            model_name: "model",
            model_sha256: "00",
            base_fingerprint: base,
            training_set_sha256: format!("labels-{b}"),
            n_items: 24,
            n_pass: 12,
            cross_validated: agreement_with_auc(auc),
            calibrator: Calibrator::Platt(Platt { a: 1.0, b }),
        }
    }

    #[test]
    fn a_judge_with_worse_agreement_is_stored_but_never_promoted() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("judge.db")).unwrap();
        let library = crate::rubrics::load_library(&crate::rubrics::default_rubrics_dir()).unwrap();
        let rubric = library
            .iter()
            .find(|r| r.id == "escalates-ambiguity")
            .unwrap();

        let (first, outcome) =
            save(&mut store, candidate(rubric, "base", 0.80, 0.0), false).unwrap();
        assert_eq!(outcome, Promotion::Promoted);
        assert!(first
            .promotion
            .as_deref()
            .unwrap()
            .contains("first trained judge"));

        let (worse, outcome) =
            save(&mut store, candidate(rubric, "base", 0.70, 1.0), false).unwrap();
        assert_eq!(outcome, Promotion::Kept { active: first.id });
        assert!(
            worse.promotion.as_deref().unwrap().contains("not promoted"),
            "{worse:?}"
        );
        assert_eq!(
            active(&mut store, &rubric.id).unwrap().unwrap().id,
            first.id
        );

        // Equal is not worse.
        let (equal, outcome) =
            save(&mut store, candidate(rubric, "base", 0.80, 2.0), false).unwrap();
        assert_eq!(outcome, Promotion::Promoted);
        assert_eq!(
            active(&mut store, &rubric.id).unwrap().unwrap().id,
            equal.id
        );

        // --force promotes a worse judge, and says so.
        let (forced, outcome) =
            save(&mut store, candidate(rubric, "base", 0.60, 3.0), true).unwrap();
        assert_eq!(outcome, Promotion::Promoted);
        assert!(forced.promotion.as_deref().unwrap().contains("--force"));

        // A judge for another zero-shot judge replaces one that could no longer score.
        let (other, outcome) =
            save(&mut store, candidate(rubric, "other", 0.55, 4.0), false).unwrap();
        assert_eq!(outcome, Promotion::Promoted);
        assert!(other.promotion.as_deref().unwrap().contains("cannot score"));
        assert_eq!(all_active(&mut store).unwrap().len(), 1);
    }

    #[test]
    fn an_exported_judge_imports_only_for_its_own_labels() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("judge.db")).unwrap();
        let library = crate::rubrics::load_library(&crate::rubrics::default_rubrics_dir()).unwrap();
        let rubric = library
            .iter()
            .find(|r| r.id == "escalates-ambiguity")
            .unwrap();
        let (saved, _) = save(&mut store, candidate(rubric, "base", 0.8, 0.5), false).unwrap();
        let path = dir.path().join("judge.json");
        std::fs::write(&path, export(&saved).unwrap()).unwrap();
        let base = JudgeInfo {
            fingerprint: "base".into(),
            model_name: "model".into(),
            model_sha256: "00".into(),
            template_sha256: "00".into(),
            engine_version: "e".into(),
        };
        let imported = import(&path, rubric, &base, "labels-0.5").unwrap();
        assert_eq!(imported.fingerprint, saved.fingerprint);
        // The file holds what training computed, nothing of the store: it exports the same.
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains("created_at") && !text.contains("\"id\""),
            "{text}"
        );
        assert_eq!(export(&imported).unwrap(), text);
        let err = import(&path, rubric, &base, "labels-other")
            .unwrap_err()
            .to_string();
        assert!(err.contains("other labeled records"), "{err}");
        let other_base = JudgeInfo {
            fingerprint: "another".into(),
            ..base
        };
        let err = format!(
            "{:#}",
            import(&path, rubric, &other_base, "labels-0.5").unwrap_err()
        );
        assert!(err.contains("not on the judge scoring now"), "{err}");
    }
}
