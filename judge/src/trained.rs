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
use crate::scoring::{self, Features, PreparedRubric, Scored, ScoringConfig};
use crate::store::{now, JudgeInfo, Store};

/// The fitted part of a trained judge.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Calibrator {
    /// Logistic regression on the hidden state and the zero-shot score.
    Probe(Box<Probe>),
    /// A logistic function of the zero-shot score alone.
    Platt(Platt),
}

/// A trained judge as it is stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Artifact {
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
    pub created_at: String,
    /// The cross-validated agreement of this method with the labels, measured before the
    /// final fit on all items.
    pub cross_validated: JudgeAgreement,
    pub calibrator: Calibrator,
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

    /// P(pass) of one scored pair.
    pub fn probability(&self, features: &Features) -> Result<f64> {
        match self {
            Calibrator::Probe(probe) => probe.probability(&features.hidden, features.zero_shot),
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
    scoring::score_rubric(model, prepared, records, config, |batch| match trained {
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

/// Stores a new trained judge and makes it the active one for its rubric (retiring the one
/// before), in one transaction.
pub fn save(store: &mut Store, new: NewArtifact) -> Result<Artifact> {
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
    let tx = store
        .connection()
        .transaction()
        .context("starting a transaction")?;
    tx.execute(
        "UPDATE trained_judges SET retired_at = ?2 WHERE rubric_id = ?1 AND retired_at IS NULL",
        params![new.rubric.id, created_at],
    )?;
    tx.execute(
        "INSERT INTO trained_judges (rubric_id, rubric_version, rubric_sha256, model_name, \
         model_sha256, base_fingerprint, fingerprint, training_set_sha256, n_items, n_pass, \
         cross_validated, calibrator, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) \
         ON CONFLICT (fingerprint) DO UPDATE SET retired_at = NULL",
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
        ],
    )?;
    tx.commit().context("saving the trained judge")?;
    let saved = find(store, "fingerprint = ?1", &fingerprint)?;
    saved.context("the trained judge just saved is missing")
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
                       cross_validated, calibrator, created_at";

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
    }))
}
