//! Canary checks: a frozen labeled set per rubric, re-scored by the current judge on every
//! run. The judge is deterministic, so the canary's agreement with its labels only moves when
//! the judge itself changes (model, trained judge, prompt, engine); as a drift stream of its
//! own, such a change is never mistaken for a change of the agent.
//!
//! The canary of rubric `ID` is `<rubrics dir>/canary/ID.jsonl`, records in the usual format
//! with a label for that rubric. Its content hash is stored with every check, so an edited
//! canary shows as such instead of as judge drift.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use rusqlite::params;
use sha2::{Digest, Sha256};

use crate::records::{self, Record, RecordLimits};
use crate::store::{Store, Verdict};
use crate::streams::{Period, Stream, StreamKind};

/// The outcome of scoring one canary set.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Check {
    pub rubric_id: String,
    pub rubric_version: u32,
    pub fingerprint: String,
    pub canary_sha256: String,
    pub n_items: usize,
    /// Items whose verdict equals their label.
    pub n_agree: usize,
}

/// The canary file of a rubric, whether or not it exists.
pub fn canary_path(rubrics_dir: &Path, rubric_id: &str) -> PathBuf {
    rubrics_dir
        .join("canary")
        .join(format!("{rubric_id}.jsonl"))
}

/// The canary's records, each with its label for the rubric; a canary must be whole: any
/// rejected line or a record without the label is an error naming the line.
pub fn load(path: &Path, rubric_id: &str) -> Result<(Vec<Record>, String)> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let loaded = records::load_records(&[path.to_path_buf()], &RecordLimits::default())?;
    if let Some(reject) = loaded.rejects.first() {
        bail!("canary {}: {}", path.display(), reject.describe());
    }
    let mut canary = Vec::new();
    for (source, record) in loaded.records {
        if !record.labels.contains_key(rubric_id) {
            bail!(
                "{}:{}: field `labels`: canary record {} has no label for rubric {rubric_id}",
                source.file.display(),
                source.line,
                record.id
            );
        }
        canary.push(record);
    }
    Ok((canary, hex::encode(Sha256::digest(&bytes))))
}

/// Counts the verdicts that agree with the canary's labels; `verdicts` maps record id to the
/// judge's verdict (a missing verdict, e.g. a prompt too long, counts as disagreement).
pub fn tally(
    canary: &[Record],
    rubric_id: &str,
    verdicts: &BTreeMap<String, Verdict>,
) -> (usize, usize) {
    let agree = canary
        .iter()
        .filter(|record| {
            let label = record.labels[rubric_id];
            let verdict = verdicts.get(&record.id);
            matches!(
                (label, verdict),
                (records::Label::Pass, Some(Verdict::Pass))
                    | (records::Label::Fail, Some(Verdict::Fail))
            )
        })
        .count();
    (canary.len(), agree)
}

pub fn record_check(store: &mut Store, check: &Check) -> Result<()> {
    store.connection().execute(
        "INSERT INTO canary_checks (checked_at, rubric_id, rubric_version, fingerprint, \
         canary_sha256, n_items, n_agree) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            crate::store::now(),
            check.rubric_id,
            check.rubric_version,
            check.fingerprint,
            check.canary_sha256,
            check.n_items as i64,
            check.n_agree as i64,
        ],
    )?;
    Ok(())
}

/// One stream per rubric, `canary/ID`: disagreements out of canary items, one period per
/// check (labelled by its date and id), across judges, so a change of judge shows.
pub fn canary_streams(store: &mut Store) -> Result<Vec<Stream>> {
    let conn = store.connection();
    let mut statement = conn.prepare(
        "SELECT id, checked_at, rubric_id, n_items, n_agree FROM canary_checks ORDER BY id",
    )?;
    let rows = statement.query_map([], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, i64>(3)?,
            row.get::<_, i64>(4)?,
        ))
    })?;
    let mut by_rubric: BTreeMap<String, Vec<Period>> = BTreeMap::new();
    for row in rows {
        let (id, checked_at, rubric_id, n_items, n_agree) = row?;
        by_rubric.entry(rubric_id).or_default().push(Period {
            label: format!("{}#{id}", &checked_at[..checked_at.len().min(10)]),
            events: (n_items - n_agree) as u64,
            exposure: n_items as u64,
            event_ids: Vec::new(),
        });
    }
    Ok(by_rubric
        .into_iter()
        .map(|(rubric_id, periods)| Stream {
            name: format!("canary/{rubric_id}"),
            kind: StreamKind::PassRate,
            periods,
        })
        .collect())
}
