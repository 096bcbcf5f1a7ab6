//! The review queue and human labels: records put up for review (by `judge sample`, later by
//! uncertainty routing), their export for reviewers as JSONL or CSV with the judge's scores,
//! and the reviewers' verdicts read back into the store, where calibration takes them from
//! ([`labels`]).
//!
//! Tables (`MIGRATION_SAMPLING` in `store.rs`): `review_queue`, `labels`, `label_history`.
//! A label is one verdict per (record, rubric). Importing the same label again changes
//! nothing; a different one is refused unless `replace` is set, and then the old label is kept
//! in `label_history`, so a changed human verdict stays visible.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::{bail, Context, Result};
use rusqlite::{params, OptionalExtension, TransactionBehavior};
use serde::Serialize;

use crate::records::{Label, Record};
use crate::rubrics::Rubric;
use crate::sampling::{Draw, SampleSpec};
use crate::store::{now, Store};

/// Why a record is in the review queue.
pub const REASON_SAMPLE: &str = "sample";

/// One item of the review queue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueueItem {
    pub record_id: String,
    /// The rubric to review; `None` for every rubric that applies to the record.
    pub rubric_id: Option<String>,
    /// `sample` or `uncertain`.
    pub reason: String,
    pub period: Option<String>,
    pub seed: Option<u64>,
    pub rate: Option<f64>,
    pub stratify: Option<String>,
    pub stratum: Option<String>,
    pub added_at: String,
    pub reviewed_at: Option<String>,
}

/// What [`enqueue_sample`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Enqueued {
    pub added: usize,
    /// Drawn records already queued by an earlier sample: they keep that sample's provenance.
    pub already_queued: usize,
}

/// The format of a review file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewFormat {
    Jsonl,
    Csv,
}

/// One row of a review export: a queued (record, rubric) pair with the judge's latest score
/// and the columns a reviewer fills in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportRow {
    pub record_id: String,
    pub ts: String,
    pub role: String,
    pub agent: String,
    pub input: String,
    pub output: String,
    pub escalated: Option<bool>,
    /// Empty when no rubric applies to the record's role.
    pub rubric: String,
    pub rubric_version: Option<u32>,
    pub judge: Option<String>,
    /// `scored` or `too_long`; empty when the pair is not scored yet.
    pub outcome: Option<String>,
    pub p_pass: Option<f64>,
    pub verdict: Option<String>,
    /// The queue reasons covering the pair, joined by `+`.
    pub reason: String,
    pub stratum: Option<String>,
    /// Filled from the store when the pair is already labelled, empty otherwise.
    pub label: Option<String>,
    pub reviewer: Option<String>,
    pub note: Option<String>,
}

/// A human verdict as read from a review file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelRow {
    pub record_id: String,
    pub rubric_id: String,
    pub label: Label,
    pub reviewer: Option<String>,
    pub note: Option<String>,
    pub source_file: PathBuf,
    /// 1-based line where the row starts.
    pub source_line: usize,
}

/// The labels of a review file, and how many rows had no label yet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelFile {
    pub labels: Vec<LabelRow>,
    pub n_unlabelled: usize,
}

/// What [`import_labels`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LabelImport {
    pub inserted: usize,
    pub unchanged: usize,
    pub replaced: usize,
    /// Queue items marked reviewed by this import.
    pub reviewed: usize,
}

/// A stored human label, as calibration consumes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredLabel {
    pub record_id: String,
    pub rubric_id: String,
    pub label: Label,
    pub reviewer: Option<String>,
    pub note: Option<String>,
    pub source_file: String,
    pub source_line: usize,
    pub imported_at: String,
}

impl FromStr for ReviewFormat {
    type Err = anyhow::Error;

    fn from_str(text: &str) -> Result<ReviewFormat> {
        match text {
            "jsonl" => Ok(ReviewFormat::Jsonl),
            "csv" => Ok(ReviewFormat::Csv),
            other => bail!("unknown review file format `{other}` (expected jsonl or csv)"),
        }
    }
}

impl ReviewFormat {
    /// The format a file's extension names: `.csv` is CSV, anything else JSONL.
    pub fn from_path(path: &Path) -> ReviewFormat {
        match path.extension() {
            Some(ext) if ext.eq_ignore_ascii_case("csv") => ReviewFormat::Csv,
            _ => ReviewFormat::Jsonl,
        }
    }
}

/// Puts the records of a draw in the review queue (reason `sample`, every rubric), in one
/// transaction. A record already queued for a sample keeps its first sample's provenance, so
/// drawing again, or at a higher rate, only adds records.
pub fn enqueue_sample(store: &mut Store, spec: &SampleSpec, draw: &Draw) -> Result<Enqueued> {
    let path = store.path().display().to_string();
    let added_at = now();
    let write = |store: &mut Store| -> Result<Enqueued> {
        let tx = store
            .connection()
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut enqueued = Enqueued::default();
        {
            let mut exists = tx.prepare(
                "SELECT 1 FROM review_queue WHERE record_id = ?1 AND reason = 'sample' \
                 AND rubric_id IS NULL",
            )?;
            let mut insert = tx.prepare(
                "INSERT INTO review_queue (record_id, rubric_id, reason, period, seed, rate, \
                 stratify, stratum, added_at) VALUES (?1, NULL, 'sample', ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for drawn in &draw.drawn {
                if exists.exists([&drawn.record_id])? {
                    enqueued.already_queued += 1;
                    continue;
                }
                insert
                    .execute(params![
                        drawn.record_id,
                        spec.period.as_ref().map(|p| p.label.as_str()),
                        // SQLite integers are signed: the seed is stored by its bits.
                        spec.seed as i64,
                        spec.rate,
                        spec.stratify.as_ref().map(|s| s.name()),
                        drawn.stratum,
                        added_at,
                    ])
                    .with_context(|| format!("queueing record `{}`", drawn.record_id))?;
                enqueued.added += 1;
            }
        }
        tx.commit()?;
        Ok(enqueued)
    };
    write(store).with_context(|| format!("writing the review queue of store {path}"))
}

/// Uncertainty routing: puts (record, rubric) pairs whose P(pass) is near the rubric's
/// threshold in the review queue (reason `uncertain`), where a human label teaches the judge
/// the most. Pairs already queued for that reason stay as they are; returns how many were
/// added.
pub fn enqueue_uncertain(store: &mut Store, pairs: &[(&str, &str)]) -> Result<usize> {
    let path = store.path().display().to_string();
    let added_at = now();
    let write = |store: &mut Store| -> Result<usize> {
        let tx = store
            .connection()
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut added = 0;
        {
            let mut insert = tx.prepare(
                "INSERT INTO review_queue (record_id, rubric_id, reason, added_at) \
                 VALUES (?1, ?2, 'uncertain', ?3) ON CONFLICT DO NOTHING",
            )?;
            for (record_id, rubric_id) in pairs {
                added += insert
                    .execute(params![record_id, rubric_id, added_at])
                    .with_context(|| format!("queueing record `{record_id}`"))?;
            }
        }
        tx.commit()?;
        Ok(added)
    };
    write(store).with_context(|| format!("writing the review queue of store {path}"))
}

/// Every queue item, ordered by record id, reason and rubric.
pub fn queue(store: &mut Store) -> Result<Vec<QueueItem>> {
    let path = store.path().display().to_string();
    let read = |store: &mut Store| -> Result<Vec<QueueItem>> {
        let conn = store.connection();
        let mut statement = conn.prepare(
            "SELECT record_id, rubric_id, reason, period, seed, rate, stratify, stratum, \
             added_at, reviewed_at FROM review_queue ORDER BY record_id, reason, rubric_id",
        )?;
        let rows = statement.query_map([], |row| {
            Ok(QueueItem {
                record_id: row.get(0)?,
                rubric_id: row.get(1)?,
                reason: row.get(2)?,
                period: row.get(3)?,
                seed: row.get::<_, Option<i64>>(4)?.map(|seed| seed as u64),
                rate: row.get(5)?,
                stratify: row.get(6)?,
                stratum: row.get(7)?,
                added_at: row.get(8)?,
                reviewed_at: row.get(9)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    };
    read(store).with_context(|| format!("reading the review queue of store {path}"))
}

/// The (record, rubric) pairs the queue covers: `judge score --sample` scores exactly these.
#[derive(Debug, Clone, Default)]
pub struct QueueScope {
    every_rubric: HashSet<String>,
    pairs: HashSet<(String, String)>,
}

impl QueueScope {
    pub fn new(queue: &[QueueItem]) -> QueueScope {
        let mut scope = QueueScope::default();
        for item in queue {
            match &item.rubric_id {
                None => scope.every_rubric.insert(item.record_id.clone()),
                Some(rubric) => scope.pairs.insert((item.record_id.clone(), rubric.clone())),
            };
        }
        scope
    }

    pub fn contains(&self, record_id: &str, rubric_id: &str) -> bool {
        self.every_rubric.contains(record_id)
            || self
                .pairs
                .contains(&(record_id.to_string(), rubric_id.to_string()))
    }

    pub fn is_empty(&self) -> bool {
        self.every_rubric.is_empty() && self.pairs.is_empty()
    }
}

/// The rows of a review export: per queued record (reviewed ones only with
/// `include_reviewed`), one row per rubric of `library` that applies to its role (or the queue
/// item's own rubric), with the judge's score of the pair: the highest rubric version scored,
/// and of its scores the latest. Ordered by record timestamp, id and rubric.
pub fn export_rows(
    store: &mut Store,
    library: &[Rubric],
    include_reviewed: bool,
) -> Result<Vec<ExportRow>> {
    let queue = queue(store)?;
    let mut wanted: BTreeMap<String, Vec<&QueueItem>> = BTreeMap::new();
    for item in &queue {
        if include_reviewed || item.reviewed_at.is_none() {
            wanted.entry(item.record_id.clone()).or_default().push(item);
        }
    }
    let scores = latest_scores(store)?;
    let stored_labels: HashMap<(String, String), StoredLabel> = labels(store)?
        .into_iter()
        .map(|l| ((l.record_id.clone(), l.rubric_id.clone()), l))
        .collect();
    let mut records: Vec<Record> = Vec::with_capacity(wanted.len());
    for id in wanted.keys() {
        records.push(
            store
                .record(id)?
                .with_context(|| format!("queued record `{id}` is not in the store"))?,
        );
    }
    records.sort_by(|a, b| a.ts.cmp(&b.ts).then(a.id.cmp(&b.id)));

    let mut rows = Vec::new();
    for record in &records {
        let items = &wanted[&record.id];
        // Rubric to the reasons covering it.
        let mut rubrics: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
        for item in items {
            match &item.rubric_id {
                Some(rubric) => {
                    rubrics
                        .entry(rubric.clone())
                        .or_default()
                        .insert(&item.reason);
                }
                None => {
                    let applying = library.iter().filter(|r| r.applies_to(&record.role));
                    for rubric in applying {
                        rubrics
                            .entry(rubric.id.clone())
                            .or_default()
                            .insert(&item.reason);
                    }
                }
            }
        }
        if rubrics.is_empty() {
            // Still listed, so that the reviewer sees every queued record.
            let reasons = items.iter().map(|i| i.reason.as_str()).collect();
            rubrics.insert(String::new(), reasons);
        }
        let stratum = items.iter().find_map(|i| i.stratum.clone());
        for (rubric, reasons) in rubrics {
            let score = scores.get(&(record.id.clone(), rubric.clone()));
            let label = stored_labels.get(&(record.id.clone(), rubric.clone()));
            rows.push(ExportRow {
                record_id: record.id.clone(),
                ts: record.ts.clone(),
                role: record.role.clone(),
                agent: record.agent.clone(),
                input: record.input.clone(),
                output: record.output.clone(),
                escalated: record.escalated,
                rubric,
                rubric_version: score.map(|s| s.rubric_version),
                judge: score.map(|s| s.fingerprint.clone()),
                outcome: score.map(|s| s.outcome.clone()),
                p_pass: score.and_then(|s| s.p_pass),
                verdict: score.and_then(|s| s.verdict.clone()),
                reason: reasons.into_iter().collect::<Vec<_>>().join("+"),
                stratum: stratum.clone(),
                label: label.map(|l| label_str(l.label).to_string()),
                reviewer: label.and_then(|l| l.reviewer.clone()),
                note: label.and_then(|l| l.note.clone()),
            });
        }
    }
    Ok(rows)
}

/// Writes export rows as JSONL (one object a line) or CSV (a header row, then one row a pair;
/// empty cells for missing values), atomically.
pub fn write_export(path: &Path, rows: &[ExportRow], format: ReviewFormat) -> Result<()> {
    let bytes = match format {
        ReviewFormat::Jsonl => {
            let mut text = String::new();
            for row in rows {
                text.push_str(&serde_json::to_string(row)?);
                text.push('\n');
            }
            text.into_bytes()
        }
        ReviewFormat::Csv => {
            let mut writer = csv::Writer::from_writer(Vec::new());
            writer.write_record(EXPORT_COLUMNS)?;
            for row in rows {
                let number = |value: Option<f64>| value.map(|v| v.to_string()).unwrap_or_default();
                writer.write_record([
                    row.record_id.as_str(),
                    &row.ts,
                    &row.role,
                    &row.agent,
                    &row.input,
                    &row.output,
                    &row.escalated.map(|e| e.to_string()).unwrap_or_default(),
                    &row.rubric,
                    &row.rubric_version
                        .map(|v| v.to_string())
                        .unwrap_or_default(),
                    row.judge.as_deref().unwrap_or_default(),
                    row.outcome.as_deref().unwrap_or_default(),
                    &number(row.p_pass),
                    row.verdict.as_deref().unwrap_or_default(),
                    &row.reason,
                    row.stratum.as_deref().unwrap_or_default(),
                    row.label.as_deref().unwrap_or_default(),
                    row.reviewer.as_deref().unwrap_or_default(),
                    row.note.as_deref().unwrap_or_default(),
                ])?;
            }
            writer
                .into_inner()
                .map_err(|e| anyhow::anyhow!("writing CSV: {}", e.error()))?
        }
    };
    crate::output::write_atomically(path, &bytes)
}

/// Reads a review file (an export with the reviewer's `label`, `reviewer` and `note` filled
/// in; other columns are there for the reviewer and are not read back). Rows with an empty
/// label are not reviewed yet and are counted, not taken. Errors name the file, line and
/// column.
pub fn read_label_file(path: &Path, format: ReviewFormat) -> Result<LabelFile> {
    let raw_rows = match format {
        ReviewFormat::Jsonl => read_jsonl_rows(path)?,
        ReviewFormat::Csv => read_csv_rows(path)?,
    };
    let mut file = LabelFile::default();
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    for (line, row) in raw_rows {
        let at = |column: &str| format!("{}:{line}: column `{column}`", path.display());
        let label_text = row.get("label").cloned().flatten().unwrap_or_default();
        if label_text.trim().is_empty() {
            file.n_unlabelled += 1;
            continue;
        }
        let label = match label_text.trim().to_ascii_lowercase().as_str() {
            "pass" => Label::Pass,
            "fail" => Label::Fail,
            _ => bail!("{}: `{label_text}` is not pass or fail", at("label")),
        };
        let required = |column: &str| -> Result<String> {
            match row.get(column).cloned().flatten() {
                Some(value) if !value.trim().is_empty() => Ok(value.trim().to_string()),
                _ => bail!("{}: missing or empty in a labelled row", at(column)),
            }
        };
        let optional = |column: &str| {
            row.get(column)
                .cloned()
                .flatten()
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let record_id = required("record_id")?;
        let rubric_id = required("rubric")?;
        let key = (record_id.clone(), rubric_id.clone());
        let label_row = LabelRow {
            record_id,
            rubric_id,
            label,
            reviewer: optional("reviewer"),
            note: optional("note"),
            source_file: path.to_path_buf(),
            source_line: line,
        };
        if let Some(&index) = seen.get(&key) {
            let earlier: &LabelRow = &file.labels[index];
            if (earlier.label, &earlier.reviewer, &earlier.note)
                != (label_row.label, &label_row.reviewer, &label_row.note)
            {
                bail!(
                    "{}:{line}: record `{}` under rubric `{}` is labelled differently on line {}",
                    path.display(),
                    key.0,
                    key.1,
                    earlier.source_line
                );
            }
            continue;
        }
        seen.insert(key, file.labels.len());
        file.labels.push(label_row);
    }
    Ok(file)
}

/// Stores labels in one transaction: all of them or, on any error, none. An identical label
/// already stored is left as it is; a different one is an error unless `replace` is set, and
/// then the old one moves to `label_history`. Each label marks the queue items of its record
/// (for every rubric, or for its rubric) reviewed.
pub fn import_labels(store: &mut Store, rows: &[LabelRow], replace: bool) -> Result<LabelImport> {
    let path = store.path().display().to_string();
    let imported_at = now();
    let write = |store: &mut Store| -> Result<LabelImport> {
        let tx = store
            .connection()
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut import = LabelImport::default();
        {
            let mut record_exists = tx.prepare("SELECT 1 FROM records WHERE id = ?1")?;
            let mut stored = tx.prepare(
                "SELECT label, reviewer, note, source_file, source_line FROM labels \
                 WHERE record_id = ?1 AND rubric_id = ?2",
            )?;
            let mut keep_history = tx.prepare(
                "INSERT INTO label_history (record_id, rubric_id, label, reviewer, note, \
                 source_file, source_line, imported_at, replaced_at) \
                 SELECT record_id, rubric_id, label, reviewer, note, source_file, source_line, \
                 imported_at, ?3 FROM labels WHERE record_id = ?1 AND rubric_id = ?2",
            )?;
            let mut upsert = tx.prepare(
                "INSERT INTO labels (record_id, rubric_id, label, reviewer, note, source_file, \
                 source_line, imported_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
                 ON CONFLICT (record_id, rubric_id) DO UPDATE SET label = excluded.label, \
                 reviewer = excluded.reviewer, note = excluded.note, \
                 source_file = excluded.source_file, source_line = excluded.source_line, \
                 imported_at = excluded.imported_at",
            )?;
            let mut mark_reviewed = tx.prepare(
                "UPDATE review_queue SET reviewed_at = ?3 WHERE record_id = ?1 \
                 AND (rubric_id IS NULL OR rubric_id = ?2) AND reviewed_at IS NULL",
            )?;
            for row in rows {
                let at = format!("{}:{}", row.source_file.display(), row.source_line);
                if !record_exists.exists([&row.record_id])? {
                    bail!("{at}: record `{}` is not in the store", row.record_id);
                }
                let previous = stored
                    .query_row(params![row.record_id, row.rubric_id], |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            r.get::<_, Option<String>>(1)?,
                            r.get::<_, Option<String>>(2)?,
                            r.get::<_, String>(3)?,
                            r.get::<_, i64>(4)?,
                        ))
                    })
                    .optional()?;
                let new = (label_str(row.label), &row.reviewer, &row.note);
                match &previous {
                    Some((label, reviewer, note, _, _))
                        if (label.as_str(), reviewer, note) == new =>
                    {
                        import.unchanged += 1;
                        continue;
                    }
                    Some((label, _, _, file, line)) if !replace => bail!(
                        "{at}: record `{}` under rubric `{}` is already labelled `{label}` \
                         (from {file}:{line}) and this row differs; pass --replace to replace \
                         it (the old label is kept in the label history)",
                        row.record_id,
                        row.rubric_id
                    ),
                    Some(_) => {
                        keep_history.execute(params![row.record_id, row.rubric_id, imported_at])?;
                        import.replaced += 1;
                    }
                    None => import.inserted += 1,
                }
                let line = i64::try_from(row.source_line).context("line number out of range")?;
                upsert
                    .execute(params![
                        row.record_id,
                        row.rubric_id,
                        label_str(row.label),
                        row.reviewer,
                        row.note,
                        row.source_file.to_string_lossy(),
                        line,
                        imported_at,
                    ])
                    .with_context(|| format!("{at}: storing the label"))?;
                import.reviewed +=
                    mark_reviewed.execute(params![row.record_id, row.rubric_id, imported_at])?;
            }
        }
        tx.commit()?;
        Ok(import)
    };
    write(store).with_context(|| format!("importing labels into store {path}"))
}

/// Every stored label, ordered by record id and rubric: the human verdicts calibration uses.
pub fn labels(store: &mut Store) -> Result<Vec<StoredLabel>> {
    let path = store.path().display().to_string();
    let read = |store: &mut Store| -> Result<Vec<StoredLabel>> {
        let conn = store.connection();
        let mut statement = conn.prepare(
            "SELECT record_id, rubric_id, label, reviewer, note, source_file, source_line, \
             imported_at FROM labels ORDER BY record_id, rubric_id",
        )?;
        let mut rows = statement.query([])?;
        let mut labels = Vec::new();
        while let Some(row) = rows.next()? {
            let label: String = row.get(2)?;
            let line: i64 = row.get(6)?;
            labels.push(StoredLabel {
                record_id: row.get(0)?,
                rubric_id: row.get(1)?,
                label: match label.as_str() {
                    "pass" => Label::Pass,
                    "fail" => Label::Fail,
                    other => bail!("stored label `{other}` is not pass or fail"),
                },
                reviewer: row.get(3)?,
                note: row.get(4)?,
                source_file: row.get(5)?,
                source_line: usize::try_from(line).context("negative source line")?,
                imported_at: row.get(7)?,
            });
        }
        Ok(labels)
    };
    read(store).with_context(|| format!("reading the labels of store {path}"))
}

/// The columns of a CSV export, in order; the JSONL export has the same keys.
pub const EXPORT_COLUMNS: [&str; 18] = [
    "record_id",
    "ts",
    "role",
    "agent",
    "input",
    "output",
    "escalated",
    "rubric",
    "rubric_version",
    "judge",
    "outcome",
    "p_pass",
    "verdict",
    "reason",
    "stratum",
    "label",
    "reviewer",
    "note",
];

/// The score of a (record, rubric) pair an export shows.
struct LatestScore {
    rubric_version: u32,
    fingerprint: String,
    outcome: String,
    p_pass: Option<f64>,
    verdict: Option<String>,
}

/// Per (record, rubric): the score of the highest rubric version, and of those the latest
/// written (then the smallest fingerprint, so the choice is deterministic).
fn latest_scores(store: &mut Store) -> Result<HashMap<(String, String), LatestScore>> {
    let path = store.path().display().to_string();
    let read = |store: &mut Store| -> Result<HashMap<(String, String), LatestScore>> {
        let conn = store.connection();
        let mut statement = conn.prepare(
            "SELECT record_id, rubric_id, rubric_version, fingerprint, outcome, p_pass, verdict \
             FROM scores WHERE record_id IN (SELECT record_id FROM review_queue) \
             ORDER BY record_id, rubric_id, rubric_version DESC, scored_at DESC, fingerprint",
        )?;
        let mut rows = statement.query([])?;
        let mut latest = HashMap::new();
        while let Some(row) = rows.next()? {
            let key = (row.get::<_, String>(0)?, row.get::<_, String>(1)?);
            if latest.contains_key(&key) {
                continue;
            }
            latest.insert(
                key,
                LatestScore {
                    rubric_version: row.get(2)?,
                    fingerprint: row.get(3)?,
                    outcome: row.get(4)?,
                    p_pass: row.get(5)?,
                    verdict: row.get(6)?,
                },
            );
        }
        Ok(latest)
    };
    read(store).with_context(|| format!("reading the scores of store {path}"))
}

/// A review file's rows as (line, column to value); a JSON null is `None`.
type RawRows = Vec<(usize, HashMap<String, Option<String>>)>;

fn read_jsonl_rows(path: &Path) -> Result<RawRows> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read label file {}", path.display()))?;
    let mut rows = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line_no = index + 1;
        if line.trim().is_empty() {
            continue;
        }
        let value: serde_json::Value = serde_json::from_str(line)
            .with_context(|| format!("{}:{line_no}: invalid JSON", path.display()))?;
        let Some(object) = value.as_object() else {
            bail!("{}:{line_no}: not a JSON object", path.display());
        };
        let mut row = HashMap::new();
        for column in ["record_id", "rubric", "label", "reviewer", "note"] {
            let value = match object.get(column) {
                None | Some(serde_json::Value::Null) => None,
                Some(serde_json::Value::String(text)) => Some(text.clone()),
                Some(other) => bail!(
                    "{}:{line_no}: column `{column}`: expected a string, found {other}",
                    path.display()
                ),
            };
            row.insert(column.to_string(), value);
        }
        rows.push((line_no, row));
    }
    Ok(rows)
}

fn read_csv_rows(path: &Path) -> Result<RawRows> {
    let mut reader = csv::ReaderBuilder::new()
        .from_path(path)
        .with_context(|| format!("cannot read label file {}", path.display()))?;
    let headers = reader
        .headers()
        .with_context(|| format!("{}:1: cannot read the header row", path.display()))?
        .clone();
    for column in ["record_id", "rubric", "label"] {
        if !headers.iter().any(|h| h.trim() == column) {
            bail!(
                "{}:1: the header row has no `{column}` column",
                path.display()
            );
        }
    }
    let mut rows = Vec::new();
    for result in reader.records() {
        let record = result.map_err(|err| {
            let line = err.position().map_or(0, |p| p.line());
            anyhow::anyhow!("{}:{line}: {err}", path.display())
        })?;
        let line = record.position().map_or(0, |p| p.line()) as usize;
        let row = headers
            .iter()
            .zip(record.iter())
            .map(|(h, v)| (h.trim().to_string(), Some(v.to_string())))
            .collect();
        rows.push((line, row));
    }
    Ok(rows)
}

fn label_str(label: Label) -> &'static str {
    match label {
        Label::Pass => "pass",
        Label::Fail => "fail",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::Source;
    use crate::sampling::{draw, SampleSpec};

    fn store_with(dir: &Path, ids: &[&str]) -> Store {
        let mut store = Store::open(&dir.join("judge.db")).unwrap();
        let records: Vec<(Source, Record)> = ids
            .iter()
            .map(|id| {
                let record = serde_json::from_value(serde_json::json!({
                    "id": id, "ts": "2026-11-18T10:00:00Z", "role": "worker", "agent": "w",
                    "input": "x", "output": "y",
                }))
                .unwrap();
                let source = Source {
                    file: "in.jsonl".into(),
                    line: 1,
                };
                (source, record)
            })
            .collect();
        store.ingest_records(&records).unwrap();
        store
    }

    #[test]
    fn csv_errors_name_the_file_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("review.csv");
        std::fs::write(
            &path,
            "record_id,rubric,label,note\na,tone,pass,\"two\nlines\"\nb,tone,,\nc,,fail,\n",
        )
        .unwrap();
        let message = format!(
            "{:#}",
            read_label_file(&path, ReviewFormat::Csv).unwrap_err()
        );
        assert!(
            message.ends_with("review.csv:5: column `rubric`: missing or empty in a labelled row"),
            "{message}"
        );
        std::fs::write(&path, "record_id,label\na,pass\n").unwrap();
        let message = format!(
            "{:#}",
            read_label_file(&path, ReviewFormat::Csv).unwrap_err()
        );
        assert!(message.contains("no `rubric` column"), "{message}");
        std::fs::write(&path, "record_id,rubric,label\na,tone,pass\nb,tone,\n").unwrap();
        let file = read_label_file(&path, ReviewFormat::Csv).unwrap();
        assert_eq!((file.labels.len(), file.n_unlabelled), (1, 1));
        assert_eq!(file.labels[0].source_line, 2);
    }

    #[test]
    fn an_import_is_all_or_nothing_and_marks_items_reviewed() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = store_with(dir.path(), &["a", "b"]);
        let spec = SampleSpec {
            rate: 1.0,
            seed: 0,
            stratify: None,
            period: None,
        };
        let drawn = draw(&store.records().unwrap(), &spec).unwrap();
        let enqueued = enqueue_sample(&mut store, &spec, &drawn).unwrap();
        assert_eq!((enqueued.added, enqueued.already_queued), (2, 0));
        let scope = QueueScope::new(&queue(&mut store).unwrap());
        assert!(scope.contains("a", "any-rubric") && !scope.contains("z", "any-rubric"));

        let row = |id: &str, line| LabelRow {
            record_id: id.to_string(),
            rubric_id: "tone".to_string(),
            label: Label::Pass,
            reviewer: None,
            note: None,
            source_file: "r.jsonl".into(),
            source_line: line,
        };
        let message = format!(
            "{:#}",
            import_labels(&mut store, &[row("a", 1), row("zz", 2)], false).unwrap_err()
        );
        assert!(
            message.contains("r.jsonl:2: record `zz` is not in the store"),
            "{message}"
        );
        assert!(
            labels(&mut store).unwrap().is_empty(),
            "nothing half-imported"
        );
        let import = import_labels(&mut store, &[row("a", 1)], false).unwrap();
        assert_eq!((import.inserted, import.reviewed), (1, 1));
        let items = queue(&mut store).unwrap();
        assert!(items[0].reviewed_at.is_some() && items[1].reviewed_at.is_none());
    }
}
