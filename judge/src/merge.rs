//! Merging stores: the stores of sharded scoring runs (`judge score --shard I/N` on N
//! machines) combined into one, with no duplicates, so that the result equals one unsharded
//! run's store.
//!
//! Each input is attached to the output's connection and copied in one transaction: rubric
//! pins, judges, records, runs (renumbered in the output; an identical run is not copied
//! twice), scores (their run ids mapped along), labels, label history and the review queue. A row whose key is
//! already in the output is skipped when its content is identical and is an error when it
//! differs, naming both stores and the key; the input is then not merged at all. Ledger entries
//! and alarms are per-deployment state (a hash chain, a chart's open alarm), not shardable
//! results: an input holding any is refused, as is one holding rows in a table this module
//! does not know, so that nothing is dropped silently.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{bail, Context, Result};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use crate::store::Store;

/// What merging one input added to the output, and what it found already there.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MergeCounts {
    pub records_added: usize,
    pub records_present: usize,
    pub judges_added: usize,
    pub runs_added: usize,
    pub scores_added: usize,
    pub scores_present: usize,
    pub labels_added: usize,
    pub queue_added: usize,
}

/// Merges the store at `input` into `into`, in one transaction. The input is opened (and so
/// migrated to this judge's schema) but otherwise only read.
pub fn merge_store(into: &mut Store, input: &Path) -> Result<MergeCounts> {
    let output_name = into.path().display().to_string();
    let context = || {
        format!(
            "cannot merge store {} into store {output_name}",
            input.display()
        )
    };
    if !input.is_file() {
        bail!("store {} does not exist", input.display());
    }
    let same_file = match (input.canonicalize(), into.path().canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if same_file {
        bail!("{}: it is the same file", context());
    }
    // Brings an older input to this schema, and refuses a newer one, before it is attached.
    drop(Store::open(input).with_context(context)?);

    let input_name = input.display().to_string();
    let conn = into.connection();
    conn.execute(
        "ATTACH DATABASE ?1 AS src",
        [input.to_string_lossy().as_ref()],
    )
    .with_context(context)?;
    let merged = check_tables(conn, &input_name)
        .and_then(|()| merge_attached(conn, &input_name, &output_name));
    // Detached whatever happened, so that the next input can be attached under the same name.
    let detached = conn.execute_batch("DETACH DATABASE src");
    let counts = merged.with_context(context)?;
    detached.with_context(context)?;
    Ok(counts)
}

/// The tables this module merges, in the order their foreign keys need.
const MERGED_TABLES: [&str; 8] = [
    "rubric_pins",
    "judges",
    "records",
    "runs",
    "scores",
    "labels",
    "label_history",
    "review_queue",
];

/// Tables whose rows are per-deployment state: an input holding any is refused.
const REFUSED_TABLES: [(&str, &str); 7] = [
    (
        "ledger",
        "ledger entries (a hash chain belongs to one deployment's store)",
    ),
    (
        "alarms",
        "drift alarms (run `judge drift` on the merged store instead)",
    ),
    (
        "suite_runs",
        "suite runs (run suites against the merged store instead)",
    ),
    (
        "suite_results",
        "suite results (run suites against the merged store instead)",
    ),
    (
        "suite_rubric_results",
        "suite results (run suites against the merged store instead)",
    ),
    (
        "canary_checks",
        "canary checks (run `judge canary` on the merged store instead)",
    ),
    (
        "trained_judges",
        "trained judges (sharded scoring with a trained judge is not supported yet: score \
         zero-shot in shards, or unsharded)",
    ),
];

fn check_tables(conn: &Connection, input: &str) -> Result<()> {
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM src.sqlite_master WHERE type = 'table' ORDER BY name")?
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for table in tables {
        if MERGED_TABLES.contains(&table.as_str()) || table.starts_with("sqlite_") {
            continue;
        }
        let has_rows: bool = conn.query_row(
            &format!("SELECT EXISTS (SELECT 1 FROM src.\"{table}\")"),
            [],
            |row| row.get(0),
        )?;
        if !has_rows {
            continue;
        }
        match REFUSED_TABLES.iter().find(|(name, _)| *name == table) {
            Some((_, what)) => bail!(
                "store {input} holds {what}; merge only stores of scoring runs (records, \
                 scores, labels, review queue)"
            ),
            None => {
                bail!("store {input} has rows in table `{table}`, which merging does not cover")
            }
        }
    }
    Ok(())
}

/// For each kind of row: a query for the first key present in both stores with different
/// content, and how to name that key.
const CONFLICTS: [(&str, &str); 6] = [
    (
        "rubric definition of (rubric, version)",
        "SELECT s.rubric_id || ', v' || s.rubric_version FROM src.rubric_pins s \
         JOIN main.rubric_pins m USING (rubric_id, rubric_version) \
         WHERE s.definition_sha256 IS NOT m.definition_sha256 LIMIT 1",
    ),
    (
        "judge",
        "SELECT s.fingerprint FROM src.judges s JOIN main.judges m USING (fingerprint) \
         WHERE s.model_sha256 IS NOT m.model_sha256 OR s.template_sha256 IS NOT m.template_sha256 \
         OR s.engine_version IS NOT m.engine_version LIMIT 1",
    ),
    (
        "record",
        "SELECT s.id FROM src.records s JOIN main.records m USING (id) \
         WHERE s.ts IS NOT m.ts OR s.role IS NOT m.role OR s.agent IS NOT m.agent \
         OR s.input IS NOT m.input OR s.output IS NOT m.output \
         OR s.escalated IS NOT m.escalated OR s.labels IS NOT m.labels OR s.meta IS NOT m.meta \
         LIMIT 1",
    ),
    (
        "score of (record, rubric, version, judge)",
        "SELECT s.record_id || ', ' || s.rubric_id || ', v' || s.rubric_version || ', ' || \
         s.fingerprint FROM src.scores s \
         JOIN main.scores m USING (record_id, rubric_id, rubric_version, fingerprint) \
         WHERE s.outcome IS NOT m.outcome OR s.p_pass IS NOT m.p_pass \
         OR s.verdict IS NOT m.verdict OR s.logprob_pass IS NOT m.logprob_pass \
         OR s.logprob_fail IS NOT m.logprob_fail OR s.n_prompt_tokens IS NOT m.n_prompt_tokens \
         LIMIT 1",
    ),
    (
        "label of (record, rubric)",
        "SELECT s.record_id || ', ' || s.rubric_id FROM src.labels s \
         JOIN main.labels m USING (record_id, rubric_id) \
         WHERE s.label IS NOT m.label OR s.reviewer IS NOT m.reviewer OR s.note IS NOT m.note \
         LIMIT 1",
    ),
    (
        "review queue item of (record, reason, rubric)",
        "SELECT s.record_id || ', ' || s.reason || ', ' || ifnull(s.rubric_id, 'every rubric') \
         FROM src.review_queue s JOIN main.review_queue m ON m.record_id = s.record_id \
         AND m.reason = s.reason AND m.rubric_id IS s.rubric_id \
         WHERE s.period IS NOT m.period OR s.seed IS NOT m.seed OR s.rate IS NOT m.rate \
         OR s.stratify IS NOT m.stratify OR s.stratum IS NOT m.stratum LIMIT 1",
    ),
];

fn merge_attached(conn: &mut Connection, input: &str, output: &str) -> Result<MergeCounts> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    for (what, sql) in CONFLICTS {
        let conflict: Option<String> = tx.query_row(sql, [], |row| row.get(0)).optional()?;
        if let Some(key) = conflict {
            bail!(
                "{what} `{key}` differs between store {input} and store {output}; nothing of \
                 {input} was merged"
            );
        }
    }

    tx.execute(
        "INSERT INTO main.rubric_pins (rubric_id, rubric_version, definition_sha256, path, \
         pinned_at) SELECT rubric_id, rubric_version, definition_sha256, path, pinned_at \
         FROM src.rubric_pins s WHERE NOT EXISTS (SELECT 1 FROM main.rubric_pins m \
         WHERE m.rubric_id = s.rubric_id AND m.rubric_version = s.rubric_version)",
        [],
    )?;
    let judges_added = tx.execute(
        "INSERT INTO main.judges (fingerprint, model_name, model_sha256, template_sha256, \
         engine_version, created_at) SELECT fingerprint, model_name, model_sha256, \
         template_sha256, engine_version, created_at FROM src.judges \
         WHERE fingerprint NOT IN (SELECT fingerprint FROM main.judges)",
        [],
    )?;
    let mut counts = MergeCounts {
        judges_added,
        ..MergeCounts::default()
    };
    let n_records = count(&tx, "src.records")?;
    counts.records_added = tx.execute(
        "INSERT INTO main.records (id, ts, role, agent, input, output, escalated, labels, meta, \
         source_file, source_line, ingested_at) SELECT id, ts, role, agent, input, output, \
         escalated, labels, meta, source_file, source_line, ingested_at FROM src.records \
         WHERE id NOT IN (SELECT id FROM main.records)",
        [],
    )?;
    counts.records_present = n_records - counts.records_added;

    let (run_map, runs_added) = merge_runs(&tx)?;
    counts.runs_added = runs_added;
    tx.execute_batch(
        "CREATE TEMP TABLE merge_run_map (old INTEGER PRIMARY KEY, new INTEGER NOT NULL)",
    )?;
    {
        let mut insert = tx.prepare("INSERT INTO temp.merge_run_map (old, new) VALUES (?1, ?2)")?;
        for (old, new) in &run_map {
            insert.execute(params![old, new])?;
        }
    }
    let n_scores = count(&tx, "src.scores")?;
    counts.scores_added = tx.execute(
        "INSERT INTO main.scores (record_id, rubric_id, rubric_version, fingerprint, outcome, \
         p_pass, verdict, logprob_pass, logprob_fail, n_prompt_tokens, run_id, scored_at) \
         SELECT s.record_id, s.rubric_id, s.rubric_version, s.fingerprint, s.outcome, s.p_pass, \
         s.verdict, s.logprob_pass, s.logprob_fail, s.n_prompt_tokens, \
         (SELECT new FROM temp.merge_run_map WHERE old = s.run_id), s.scored_at \
         FROM src.scores s WHERE NOT EXISTS (SELECT 1 FROM main.scores m \
         WHERE m.record_id = s.record_id AND m.rubric_id = s.rubric_id \
         AND m.rubric_version = s.rubric_version AND m.fingerprint = s.fingerprint)",
        [],
    )?;
    counts.scores_present = n_scores - counts.scores_added;
    tx.execute_batch("DROP TABLE temp.merge_run_map")?;

    counts.labels_added = tx.execute(
        "INSERT INTO main.labels (record_id, rubric_id, label, reviewer, note, source_file, \
         source_line, imported_at) SELECT record_id, rubric_id, label, reviewer, note, \
         source_file, source_line, imported_at FROM src.labels s WHERE NOT EXISTS \
         (SELECT 1 FROM main.labels m WHERE m.record_id = s.record_id \
         AND m.rubric_id = s.rubric_id)",
        [],
    )?;
    tx.execute(
        "INSERT INTO main.label_history (record_id, rubric_id, label, reviewer, note, \
         source_file, source_line, imported_at, replaced_at) SELECT record_id, rubric_id, label, \
         reviewer, note, source_file, source_line, imported_at, replaced_at \
         FROM src.label_history s WHERE NOT EXISTS (SELECT 1 FROM main.label_history m \
         WHERE m.record_id = s.record_id AND m.rubric_id = s.rubric_id AND m.label = s.label \
         AND m.reviewer IS s.reviewer AND m.note IS s.note AND m.source_file = s.source_file \
         AND m.source_line = s.source_line AND m.imported_at = s.imported_at \
         AND m.replaced_at = s.replaced_at)",
        [],
    )?;
    // A pair reviewed in either store is reviewed in the merged one.
    tx.execute(
        "UPDATE main.review_queue SET reviewed_at = (SELECT s.reviewed_at \
         FROM src.review_queue s WHERE s.record_id = review_queue.record_id \
         AND s.reason = review_queue.reason AND s.rubric_id IS review_queue.rubric_id) \
         WHERE reviewed_at IS NULL AND EXISTS (SELECT 1 FROM src.review_queue s \
         WHERE s.record_id = review_queue.record_id AND s.reason = review_queue.reason \
         AND s.rubric_id IS review_queue.rubric_id AND s.reviewed_at IS NOT NULL)",
        [],
    )?;
    counts.queue_added = tx.execute(
        "INSERT INTO main.review_queue (record_id, rubric_id, reason, period, seed, rate, \
         stratify, stratum, added_at, reviewed_at) SELECT record_id, rubric_id, reason, period, \
         seed, rate, stratify, stratum, added_at, reviewed_at FROM src.review_queue s \
         WHERE NOT EXISTS (SELECT 1 FROM main.review_queue m WHERE m.record_id = s.record_id \
         AND m.reason = s.reason AND m.rubric_id IS s.rubric_id)",
        [],
    )?;
    tx.commit()?;
    Ok(counts)
}

fn count(tx: &rusqlite::Transaction, table: &str) -> Result<usize> {
    let n: i64 = tx.query_row(&format!("SELECT count(*) FROM {table}"), [], |row| {
        row.get(0)
    })?;
    Ok(usize::try_from(n)?)
}

/// Copies the input's runs, each as a new run of the output unless an identical run (same
/// command, times, counts and status) is already there; returns old id to new id.
fn merge_runs(tx: &rusqlite::Transaction) -> Result<(HashMap<i64, i64>, usize)> {
    const COLUMNS: &str =
        "started_at, finished_at, command, n_records, n_rejected, n_scored, n_skipped, status";
    let mut map = HashMap::new();
    let mut added = 0;
    let mut runs = tx.prepare(&format!("SELECT id, {COLUMNS} FROM src.runs ORDER BY id"))?;
    let mut find = tx.prepare(
        "SELECT id FROM main.runs WHERE started_at IS ?1 AND finished_at IS ?2 \
         AND command IS ?3 AND n_records IS ?4 AND n_rejected IS ?5 AND n_scored IS ?6 \
         AND n_skipped IS ?7 AND status IS ?8 ORDER BY id LIMIT 1",
    )?;
    let mut insert = tx.prepare(&format!(
        "INSERT INTO main.runs ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
    ))?;
    let mut rows = runs.query([])?;
    while let Some(row) = rows.next()? {
        let old: i64 = row.get(0)?;
        let values: Vec<rusqlite::types::Value> = (1..=8)
            .map(|i| row.get(i))
            .collect::<rusqlite::Result<_>>()?;
        let existing: Option<i64> = find
            .query_row(rusqlite::params_from_iter(&values), |r| r.get(0))
            .optional()?;
        let new = match existing {
            Some(id) => id,
            None => {
                insert.execute(rusqlite::params_from_iter(&values))?;
                added += 1;
                tx.last_insert_rowid()
            }
        };
        map.insert(old, new);
    }
    Ok((map, added))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    use super::*;
    use crate::records::{Record, Source};
    use crate::store::{JudgeInfo, Outcome, ScoreRow, Verdict};

    fn record(id: &str, output: &str) -> (Source, Record) {
        let record = Record {
            id: id.to_string(),
            ts: "2026-11-18T10:00:00Z".to_string(),
            role: "worker".to_string(),
            agent: "w1".to_string(),
            input: "task".to_string(),
            output: output.to_string(),
            escalated: Some(false),
            labels: BTreeMap::new(),
            meta: serde_json::Map::new(),
        };
        let source = Source {
            file: PathBuf::from("in.jsonl"),
            line: 1,
        };
        (source, record)
    }

    fn score(id: &str, p_pass: f64) -> ScoreRow {
        ScoreRow {
            record_id: id.to_string(),
            rubric_id: "tone".to_string(),
            rubric_version: 1,
            fingerprint: "f1".to_string(),
            outcome: Outcome::Scored,
            p_pass: Some(p_pass),
            verdict: Some(Verdict::Pass),
            logprob_pass: Some(-0.1),
            logprob_fail: Some(-2.0),
            n_prompt_tokens: 50,
        }
    }

    fn store(dir: &Path, name: &str, ids: &[&str], p_pass: f64) -> Store {
        let mut store = Store::open(&dir.join(name)).unwrap();
        let records: Vec<_> = ids.iter().map(|id| record(id, "done")).collect();
        store.ingest_records(&records).unwrap();
        store
            .register_judge(&JudgeInfo {
                fingerprint: "f1".into(),
                model_name: "tiny".into(),
                model_sha256: "00".into(),
                template_sha256: "11".into(),
                engine_version: "e1".into(),
            })
            .unwrap();
        let run = store
            .start_run(&format!("judge score --store {name}"))
            .unwrap();
        let scores: Vec<_> = ids.iter().map(|id| score(id, p_pass)).collect();
        store.insert_scores(&scores, Some(run), false).unwrap();
        store
    }

    #[test]
    fn disjoint_stores_merge_to_their_union_and_merging_again_adds_nothing() {
        let dir = tempfile::tempdir().unwrap();
        drop(store(dir.path(), "a.db", &["a1", "a2"], 0.7));
        drop(store(dir.path(), "b.db", &["b1"], 0.7));
        let whole = store(dir.path(), "whole.db", &["a1", "a2", "b1"], 0.7);
        let mut merged = Store::open(&dir.path().join("merged.db")).unwrap();
        let first = merge_store(&mut merged, &dir.path().join("a.db")).unwrap();
        assert_eq!((first.records_added, first.scores_added), (2, 2));
        assert_eq!((first.judges_added, first.runs_added), (1, 1));
        let second = merge_store(&mut merged, &dir.path().join("b.db")).unwrap();
        assert_eq!((second.records_added, second.judges_added), (1, 0));
        assert_eq!(
            merged.content_digest().unwrap(),
            whole.content_digest().unwrap()
        );
        let again = merge_store(&mut merged, &dir.path().join("b.db")).unwrap();
        assert_eq!(
            again,
            MergeCounts {
                records_present: 1,
                scores_present: 1,
                ..MergeCounts::default()
            }
        );
        let runs: i64 = merged
            .connection()
            .query_row("SELECT count(*) FROM runs", [], |r| r.get(0))
            .unwrap();
        assert_eq!(runs, 2, "an identical run is not copied twice");
    }

    #[test]
    fn conflicts_name_both_stores_and_the_key_and_merge_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut out = store(dir.path(), "out.db", &["x"], 0.7);
        let before = out.content_digest().unwrap();
        drop(store(dir.path(), "other.db", &["y", "x"], 0.2));
        let message = format!(
            "{:#}",
            merge_store(&mut out, &dir.path().join("other.db")).unwrap_err()
        );
        assert!(message.contains("score of"), "{message}");
        assert!(message.contains("`x, tone, v1, f1`"), "{message}");
        assert!(
            message.contains("other.db") && message.contains("out.db"),
            "{message}"
        );
        assert_eq!(out.content_digest().unwrap(), before, "y was not merged");

        let mut changed = Store::open(&dir.path().join("changed.db")).unwrap();
        changed.ingest_records(&[record("x", "other")]).unwrap();
        drop(changed);
        let message = format!(
            "{:#}",
            merge_store(&mut out, &dir.path().join("changed.db")).unwrap_err()
        );
        assert!(message.contains("record `x` differs"), "{message}");
    }

    #[test]
    fn stores_with_ledger_entries_or_alarms_and_missing_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut out = Store::open(&dir.path().join("out.db")).unwrap();
        let mut alarmed = store(dir.path(), "alarmed.db", &["a"], 0.5);
        alarmed
            .raise_alarm(&crate::store::NewAlarm {
                stream: "escalations/worker".into(),
                direction: "lower".into(),
                alarm_period: "2026-W41".into(),
                change_period: None,
                statistic: 9.0,
                h: 6.0,
            })
            .unwrap();
        drop(alarmed);
        let message = format!(
            "{:#}",
            merge_store(&mut out, &dir.path().join("alarmed.db")).unwrap_err()
        );
        assert!(message.contains("drift alarms"), "{message}");
        assert!(out.records().unwrap().is_empty());

        let message = format!(
            "{:#}",
            merge_store(&mut out, &dir.path().join("absent.db")).unwrap_err()
        );
        assert!(message.contains("absent.db does not exist"), "{message}");
        assert!(!dir.path().join("absent.db").exists());
        let own = out.path().to_path_buf();
        let message = format!("{:#}", merge_store(&mut out, &own).unwrap_err());
        assert!(message.contains("same file"), "{message}");
    }
}
