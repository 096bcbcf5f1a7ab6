//! The embedded store: records and their scores in one SQLite file, so that a nightly run skips
//! what is already scored and a killed run loses at most the batch in flight.
//!
//! The file is in WAL mode with `synchronous = NORMAL`: every committed transaction survives a
//! killed process, and a power cut can lose only the last commits, never corrupt the file.
//! Scores are written one transaction per batch, so a batch is stored whole or not at all.
//! The schema is versioned by `PRAGMA user_version` and migrated forward on open; a store
//! written by a newer `judge` is refused rather than guessed at.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::records::{Label, Record, Reject, Source};
use crate::rubrics::Rubric;

/// The schema version this binary writes: the number of migrations it knows.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// A chart in alarm, as `judge drift` raises it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAlarm {
    pub stream: String,
    /// `lower` or `upper`.
    pub direction: String,
    pub alarm_period: String,
    pub change_period: Option<String>,
    pub statistic: f64,
    pub h: f64,
}

/// A stored alarm.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlarmRow {
    pub id: i64,
    pub stream: String,
    pub direction: String,
    pub alarm_period: String,
    pub change_period: Option<String>,
    pub statistic: f64,
    pub h: f64,
    pub raised_at: String,
}

/// An open store. Writes take `&mut self` because each is one transaction on the connection.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// The judge that produced scores: model weights, chat template and engine. Scores are keyed
/// by its fingerprint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JudgeInfo {
    pub fingerprint: String,
    pub model_name: String,
    pub model_sha256: String,
    pub template_sha256: String,
    pub engine_version: String,
}

/// The score of one (record, rubric version, judge) triple.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreRow {
    pub record_id: String,
    pub rubric_id: String,
    pub rubric_version: u32,
    pub fingerprint: String,
    pub outcome: Outcome,
    /// Present exactly when `outcome` is [`Outcome::Scored`].
    pub p_pass: Option<f64>,
    /// Present exactly when `outcome` is [`Outcome::Scored`].
    pub verdict: Option<Verdict>,
    pub logprob_pass: Option<f64>,
    pub logprob_fail: Option<f64>,
    pub n_prompt_tokens: usize,
}

/// What became of a (record, rubric) pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Scored,
    /// The prompt did not fit the model's context; there is no score, and rescoring with the
    /// same judge would give the same result, so the pair counts as done.
    TooLong,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    Fail,
}

/// What [`Store::ingest_records`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordIngest {
    pub inserted: usize,
    /// Ids already stored with identical content (their source may differ).
    pub unchanged: usize,
    /// Ids already stored with different content: the stored version is kept.
    pub conflicts: Vec<String>,
}

/// The tallies of one run, written when it finishes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunCounts {
    pub n_records: usize,
    pub n_rejected: usize,
    pub n_scored: usize,
    pub n_skipped: usize,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Scored => "scored",
            Outcome::TooLong => "too_long",
        }
    }

    pub fn parse(text: &str) -> Result<Outcome> {
        match text {
            "scored" => Ok(Outcome::Scored),
            "too_long" => Ok(Outcome::TooLong),
            other => bail!("unknown score outcome `{other}` (expected scored or too_long)"),
        }
    }
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
        }
    }

    pub fn parse(text: &str) -> Result<Verdict> {
        match text {
            "pass" => Ok(Verdict::Pass),
            "fail" => Ok(Verdict::Fail),
            other => bail!("unknown verdict `{other}` (expected pass or fail)"),
        }
    }
}

/// A held claim on scoring into a store ([`Store::claim_scoring`]); dropping it releases it.
#[derive(Debug)]
pub struct ScoringClaim {
    _file: std::fs::File,
}

impl Store {
    /// Opens the store at `path`, creating the file (not its folder) when missing, and
    /// migrates it to [`SCHEMA_VERSION`].
    pub fn open(path: &Path) -> Result<Store> {
        let parent = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if !parent.is_dir() {
            bail!(
                "cannot open store {}: folder {} does not exist",
                path.display(),
                parent.display()
            );
        }
        let conn = Connection::open(path)
            .with_context(|| format!("cannot open store {}", path.display()))?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        let opened = check_identity(&store.conn)
            .and_then(|()| store.configure())
            .and_then(|()| store.migrate())
            .and_then(|()| store.claim_identity());
        if let Err(error) = opened {
            let read_only = error.chain().any(|cause| {
                matches!(
                    cause.downcast_ref::<rusqlite::Error>(),
                    Some(rusqlite::Error::SqliteFailure(failure, _))
                        if failure.code == rusqlite::ErrorCode::ReadOnly
                            || failure.code == rusqlite::ErrorCode::CannotOpen
                )
            });
            let why = if read_only {
                " (the file or its folder is not writable, e.g. read-only storage; commands \
                 that only read, such as `judge report` and `judge ledger verify`, still work)"
            } else {
                ""
            };
            return Err(error.context(format!("cannot open store {}{why}", path.display())));
        }
        Ok(store)
    }

    /// Opens an existing store for reading only, for the commands that never write (`judge
    /// report`, `judge ledger verify|export|gaps`): a store on read-only storage (a mounted
    /// backup, a read-only volume) can still be reported on and verified. Nothing is created,
    /// migrated or locked; a store with an older schema must be opened once by a writing
    /// command first.
    ///
    /// When the folder is read-only SQLite cannot create the shared-memory file a WAL database
    /// needs, so the store is then read as immutable: that is only safe because nothing can
    /// write there either.
    pub fn open_read_only(path: &Path) -> Result<Store> {
        if !path.is_file() {
            bail!(
                "store {} does not exist: score or ingest records first",
                path.display()
            );
        }
        let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
            | rusqlite::OpenFlags::SQLITE_OPEN_URI
            | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let open = |immutable: bool| -> Result<Connection> {
            let uri = format!(
                "file:{}{}",
                uri_path(path),
                if immutable { "?immutable=1" } else { "" }
            );
            let conn = Connection::open_with_flags(uri, flags)?;
            conn.busy_timeout(BUSY_TIMEOUT)?;
            read_user_version(&conn)?;
            Ok(conn)
        };
        let conn = open(false)
            .or_else(|_| open(true))
            .with_context(|| format!("cannot open store {} for reading", path.display()))?;
        let store = Store {
            conn,
            path: path.to_path_buf(),
        };
        let checked = check_identity(&store.conn).and_then(|()| {
            let found = read_user_version(&store.conn)?;
            if found > SCHEMA_VERSION {
                bail!(
                    "its schema version is {found}, newer than the version {SCHEMA_VERSION} \
                     this judge knows; use a newer judge"
                );
            }
            if found < SCHEMA_VERSION {
                bail!(
                    "its schema version is {found}, older than this judge's {SCHEMA_VERSION}: \
                     run a command that writes to it (`judge ingest`, `judge score`) where it is \
                     writable to migrate it first"
                );
            }
            Ok(())
        });
        checked.with_context(|| format!("cannot read store {}", path.display()))?;
        Ok(store)
    }

    /// Opens a store that must exist already, for commands that add to a store but make no
    /// sense on a new one (`judge sample`, `judge canary`, `judge labels`): [`Store::open`]
    /// would create an empty `judge.db` wherever the command happened to run.
    pub fn open_existing(path: &Path) -> Result<Store> {
        if !path.is_file() {
            bail!(
                "store {} does not exist: score or ingest records first, or give --store",
                path.display()
            );
        }
        Store::open(path)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn schema_version(&self) -> Result<u32> {
        read_user_version(&self.conn).with_context(|| self.failed("reading the schema version of"))
    }

    /// Stores new records in one transaction. A record whose id is already stored is left
    /// as it is: counted `unchanged` when its content is identical, reported in `conflicts`
    /// when it differs, because silently replacing what earlier scores were computed on would
    /// make those scores lie.
    pub fn ingest_records(&mut self, records: &[(Source, Record)]) -> Result<RecordIngest> {
        let ingested_at = now();
        self.in_write_transaction("ingesting records into", |tx| {
            let mut select = tx.prepare_cached(SELECT_RECORD_BY_ID)?;
            let mut insert = tx.prepare_cached(
                "INSERT INTO records (id, ts, role, agent, input, output, escalated, labels, \
                 meta, source_file, source_line, ingested_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?;
            let mut ingest = RecordIngest::default();
            for (source, record) in records {
                let stored = select
                    .query_row([&record.id], record_from_row)
                    .optional()
                    .with_context(|| format!("reading stored record `{}`", record.id))?;
                match stored {
                    Some(stored) if stored == *record => ingest.unchanged += 1,
                    Some(_) => ingest.conflicts.push(record.id.clone()),
                    None => {
                        let at = || {
                            format!(
                                "inserting record `{}` ({}:{})",
                                record.id,
                                source.file.display(),
                                source.line
                            )
                        };
                        let labels = serde_json::to_string(&record.labels).with_context(at)?;
                        let meta = canonical_meta_json(&record.meta).with_context(at)?;
                        let line = i64::try_from(source.line)
                            .context("line number out of range")
                            .with_context(at)?;
                        insert
                            .execute(params![
                                record.id,
                                record.ts,
                                record.role,
                                record.agent,
                                record.input,
                                record.output,
                                record.escalated,
                                labels,
                                meta,
                                source.file.to_string_lossy(),
                                line,
                                ingested_at,
                            ])
                            .with_context(at)?;
                        ingest.inserted += 1;
                    }
                }
            }
            Ok(ingest)
        })
    }

    /// Takes out of `records` every record whose id is already stored with different content
    /// and returns them as rejects naming the id and the store: scoring such a line would store
    /// its score against the stored content, and replacing the stored content would make the
    /// earlier scores lie. Nothing is written.
    pub fn take_conflicts(&self, records: &mut Vec<(Source, Record)>) -> Result<Vec<Reject>> {
        let mut rejects = Vec::new();
        let mut kept = Vec::with_capacity(records.len());
        for (source, record) in records.drain(..) {
            match self.record(&record.id)? {
                Some(stored) if stored != record => rejects.push(Reject {
                    file: source.file,
                    line: source.line,
                    field: Some("id".into()),
                    reason: format!(
                        "record `{}` is already in {} with different content; the stored \
                         version is kept and this line is neither stored nor scored (give a \
                         changed record a new id)",
                        record.id,
                        self.path.display()
                    ),
                    raw: crate::records::cut_at_char_boundary(
                        &serde_json::to_string(&record).unwrap_or_default(),
                        crate::records::MAX_RAW_BYTES,
                    )
                    .to_string(),
                }),
                _ => kept.push((source, record)),
            }
        }
        *records = kept;
        Ok(rejects)
    }

    /// Pins `rubric`'s definition (`Rubric::definition_sha256`) to its id and version the
    /// first time it is used, and refuses it when the same id and version was pinned with a
    /// different definition: an edited rubric needs a new `version`, or its scores would mix
    /// two rubrics under one name.
    pub fn pin_rubric(&mut self, rubric: &Rubric) -> Result<()> {
        let (definition, path, pinned_at) = (
            rubric.definition_sha256(),
            rubric.path.to_string_lossy().into_owned(),
            now(),
        );
        self.in_write_transaction("pinning a rubric version in", |tx| {
            tx.execute(
                "INSERT INTO rubric_pins (rubric_id, rubric_version, definition_sha256, path, \
                 pinned_at) VALUES (?1, ?2, ?3, ?4, ?5) \
                 ON CONFLICT (rubric_id, rubric_version) DO NOTHING",
                params![rubric.id, rubric.version, definition, path, pinned_at],
            )?;
            Ok(())
        })?;
        self.check_rubric_pin(rubric)
    }

    /// Refuses `rubric` when the store pinned its id and version with a different definition
    /// (see [`Store::pin_rubric`]); writes nothing.
    pub fn check_rubric_pin(&self, rubric: &Rubric) -> Result<()> {
        let pinned: Option<(String, String, String)> = self
            .conn
            .query_row(
                "SELECT definition_sha256, path, pinned_at FROM rubric_pins \
                 WHERE rubric_id = ?1 AND rubric_version = ?2",
                params![rubric.id, rubric.version],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .optional()
            .with_context(|| self.failed("reading rubric pins from"))?;
        match pinned {
            Some((definition, path, pinned_at)) if definition != rubric.definition_sha256() => {
                bail!(
                    "{}: rubric `{}` version {} was edited: it differs from the version {} that \
                     store {} has scored with since {pinned_at} (from {path}); raise `version` \
                     in {} so the scores of the two are kept apart (or undo the edit)",
                    rubric.path.display(),
                    rubric.id,
                    rubric.version,
                    rubric.version,
                    self.path.display(),
                    rubric.path.display()
                )
            }
            _ => Ok(()),
        }
    }

    pub fn record(&self, id: &str) -> Result<Option<Record>> {
        self.conn
            .query_row(SELECT_RECORD_BY_ID, [id], record_from_row)
            .optional()
            .with_context(|| self.failed(&format!("reading record `{id}` from")))
    }

    /// Every record, ordered by timestamp (as written) then id.
    pub fn records(&self) -> Result<Vec<Record>> {
        let read = || -> Result<Vec<Record>> {
            let mut statement = self.conn.prepare(SELECT_RECORDS)?;
            let rows = statement.query_map([], record_from_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        };
        read().with_context(|| self.failed("reading records from"))
    }

    /// Records a judge. Registering the same fingerprint again keeps the first registration:
    /// the fingerprint already covers the weights, template and engine, and the model name
    /// is only a label that may differ between copies of one file.
    pub fn register_judge(&mut self, judge: &JudgeInfo) -> Result<()> {
        let created_at = now();
        let write = |conn: &Connection| -> Result<()> {
            conn.execute(
                "INSERT INTO judges (fingerprint, model_name, model_sha256, template_sha256, \
                 engine_version, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
                 ON CONFLICT (fingerprint) DO NOTHING",
                params![
                    judge.fingerprint,
                    judge.model_name,
                    judge.model_sha256,
                    judge.template_sha256,
                    judge.engine_version,
                    created_at,
                ],
            )?;
            Ok(())
        };
        write(&self.conn)
            .with_context(|| self.failed(&format!("registering judge {} in", judge.fingerprint)))
    }

    /// The records that already have an outcome (a score, or too long) under this rubric
    /// version and judge: the ones a run without `--force` skips.
    pub fn scored_record_ids(
        &self,
        rubric_id: &str,
        rubric_version: u32,
        fingerprint: &str,
    ) -> Result<HashSet<String>> {
        let read = || -> Result<HashSet<String>> {
            let mut statement = self.conn.prepare_cached(
                "SELECT record_id FROM scores \
                 WHERE rubric_id = ?1 AND rubric_version = ?2 AND fingerprint = ?3",
            )?;
            let rows = statement
                .query_map(params![rubric_id, rubric_version, fingerprint], |row| {
                    row.get::<_, String>(0)
                })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        };
        read().with_context(|| {
            self.failed(&format!(
                "reading scored records of rubric {rubric_id} v{rubric_version}, judge \
                 {fingerprint} from"
            ))
        })
    }

    /// Writes one batch of scores in one transaction: either every row is stored or, on any
    /// error, none is. Rows already stored for the same (record, rubric, version, judge) are
    /// kept when `replace` is false and overwritten when it is true (`--force`). Returns how
    /// many rows were written.
    pub fn insert_scores(
        &mut self,
        scores: &[ScoreRow],
        run_id: Option<i64>,
        replace: bool,
    ) -> Result<usize> {
        let scored_at = now();
        let sql = if replace {
            INSERT_SCORE_REPLACING
        } else {
            INSERT_SCORE_KEEPING
        };
        self.in_write_transaction("writing scores to", |tx| {
            let mut record_exists = tx.prepare_cached("SELECT 1 FROM records WHERE id = ?1")?;
            let mut judge_exists =
                tx.prepare_cached("SELECT 1 FROM judges WHERE fingerprint = ?1")?;
            let mut insert = tx.prepare_cached(sql)?;
            let mut written = 0;
            for score in scores {
                let pair = || {
                    format!(
                        "score of record `{}` under rubric {} v{}",
                        score.record_id, score.rubric_id, score.rubric_version
                    )
                };
                check_score(score).with_context(pair)?;
                // The foreign keys would refuse these rows too, but without saying which.
                if !record_exists.exists([&score.record_id])? {
                    bail!("{}: the record is not in the store", pair());
                }
                if !judge_exists.exists([&score.fingerprint])? {
                    bail!(
                        "{}: judge {} is not registered in the store",
                        pair(),
                        score.fingerprint
                    );
                }
                let n_prompt_tokens = i64::try_from(score.n_prompt_tokens)
                    .context("prompt token count out of range")
                    .with_context(pair)?;
                written += insert
                    .execute(params![
                        score.record_id,
                        score.rubric_id,
                        score.rubric_version,
                        score.fingerprint,
                        score.outcome.as_str(),
                        score.p_pass,
                        score.verdict.map(Verdict::as_str),
                        score.logprob_pass,
                        score.logprob_fail,
                        n_prompt_tokens,
                        run_id,
                        scored_at,
                    ])
                    .with_context(pair)?;
            }
            Ok(written)
        })
    }

    /// Every score, ordered by record id, rubric id, rubric version and judge fingerprint.
    pub fn scores(&self) -> Result<Vec<ScoreRow>> {
        let read = || -> Result<Vec<ScoreRow>> {
            let mut statement = self.conn.prepare(
                "SELECT record_id, rubric_id, rubric_version, fingerprint, outcome, p_pass, \
                 verdict, logprob_pass, logprob_fail, n_prompt_tokens FROM scores \
                 ORDER BY record_id, rubric_id, rubric_version, fingerprint",
            )?;
            let mut rows = statement.query([])?;
            let mut scores = Vec::new();
            while let Some(row) = rows.next()? {
                scores.push(score_from_row(row)?);
            }
            Ok(scores)
        };
        read().with_context(|| self.failed("reading scores from"))
    }

    /// Records the start of a run (status `running`) and returns its id.
    pub fn start_run(&mut self, command: &str) -> Result<i64> {
        let started_at = now();
        let write = |conn: &Connection| -> Result<i64> {
            conn.execute(
                "INSERT INTO runs (started_at, command, status) VALUES (?1, ?2, 'running')",
                params![started_at, command],
            )?;
            Ok(conn.last_insert_rowid())
        };
        write(&self.conn).with_context(|| self.failed("recording a run in"))
    }

    /// Claims the store for one scoring run, until the returned claim is dropped: an exclusive
    /// lock on the file `STORE.score.lock` beside it (left in place: removing a lock file
    /// races with the next claim). A second claim while one is held fails at once, naming the
    /// store, instead of both runs doing all the work. Holding the claim proves that no run is
    /// in flight, so runs still marked `running` were killed: they are marked `failed`, and
    /// their number is returned.
    pub fn claim_scoring(&mut self) -> Result<(ScoringClaim, usize)> {
        let mut name = self.path.file_name().unwrap_or_default().to_os_string();
        name.push(".score.lock");
        let lock_path = self.path.with_file_name(name);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .with_context(|| format!("cannot create lock file {}", lock_path.display()))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => bail!(
                "store {} is being scored by another run right now (it holds {}): wait for it \
                 to finish, or score shards into separate stores and `judge store merge` them",
                self.path.display(),
                lock_path.display()
            ),
            Err(std::fs::TryLockError::Error(error)) => {
                return Err(error).with_context(|| format!("cannot lock {}", lock_path.display()))
            }
        }
        let stale = self
            .conn
            .execute(
                "UPDATE runs SET status = 'failed', finished_at = ?1 WHERE status = 'running'",
                [now()],
            )
            .with_context(|| self.failed("marking killed runs failed in"))?;
        Ok((ScoringClaim { _file: file }, stale))
    }

    /// Records the end of a run; `status` is `done` or `failed`.
    pub fn finish_run(&mut self, run_id: i64, status: &str, counts: RunCounts) -> Result<()> {
        let finished_at = now();
        let write = |conn: &Connection| -> Result<()> {
            if !matches!(status, "done" | "failed") {
                bail!("unknown run status `{status}` (expected done or failed)");
            }
            let count = |n: usize| i64::try_from(n).context("run count out of range");
            let updated = conn.execute(
                "UPDATE runs SET finished_at = ?1, status = ?2, n_records = ?3, \
                 n_rejected = ?4, n_scored = ?5, n_skipped = ?6 WHERE id = ?7",
                params![
                    finished_at,
                    status,
                    count(counts.n_records)?,
                    count(counts.n_rejected)?,
                    count(counts.n_scored)?,
                    count(counts.n_skipped)?,
                    run_id,
                ],
            )?;
            if updated == 0 {
                bail!("there is no run {run_id}");
            }
            Ok(())
        };
        write(&self.conn).with_context(|| self.failed(&format!("finishing run {run_id} in")))
    }

    /// Opens an alarm for a chart unless one is already open; returns the open alarm's id and
    /// whether it was raised now.
    pub fn raise_alarm(&mut self, alarm: &NewAlarm) -> Result<(i64, bool)> {
        let raised_at = now();
        let write = |conn: &mut Connection| -> Result<(i64, bool)> {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let open: Option<i64> = tx
                .query_row(
                    "SELECT id FROM alarms WHERE stream = ?1 AND direction = ?2 \
                     AND acknowledged_at IS NULL",
                    params![alarm.stream, alarm.direction],
                    |row| row.get(0),
                )
                .optional()?;
            let result = match open {
                Some(id) => (id, false),
                None => {
                    tx.execute(
                        "INSERT INTO alarms (stream, direction, alarm_period, change_period, \
                         statistic, h, raised_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                        params![
                            alarm.stream,
                            alarm.direction,
                            alarm.alarm_period,
                            alarm.change_period,
                            alarm.statistic,
                            alarm.h,
                            raised_at
                        ],
                    )?;
                    (tx.last_insert_rowid(), true)
                }
            };
            tx.commit()?;
            Ok(result)
        };
        write(&mut self.conn).with_context(|| self.failed("raising an alarm in"))
    }

    /// Marks an open alarm as acknowledged by a decision (`acknowledgement` names it, e.g. the
    /// ledger entry's hash). Errors when the alarm does not exist or is already acknowledged.
    pub fn acknowledge_alarm(&mut self, alarm_id: i64, acknowledgement: &str) -> Result<()> {
        let acknowledged_at = now();
        let write = |conn: &Connection| -> Result<()> {
            let changed = conn.execute(
                "UPDATE alarms SET acknowledged_at = ?1, acknowledgement = ?2 \
                 WHERE id = ?3 AND acknowledged_at IS NULL",
                params![acknowledged_at, acknowledgement, alarm_id],
            )?;
            if changed == 0 {
                bail!("alarm {alarm_id} does not exist or is already acknowledged");
            }
            Ok(())
        };
        write(&self.conn).with_context(|| self.failed("acknowledging an alarm in"))
    }

    /// The connection, for modules that own their tables (the ledger) and run their own
    /// transactions on it.
    pub fn connection(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// Alarms no decision has acknowledged yet, oldest first.
    pub fn open_alarms(&self) -> Result<Vec<AlarmRow>> {
        let read = || -> Result<Vec<AlarmRow>> {
            let mut statement = self.conn.prepare(&format!(
                "SELECT {ALARM_COLUMNS} FROM alarms WHERE acknowledged_at IS NULL ORDER BY id"
            ))?;
            let rows = statement.query_map([], alarm_from_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        };
        read().with_context(|| self.failed("reading alarms from"))
    }

    /// SHA-256 (hex) of the records, scores, labels and review queue, leaving out what differs between runs that
    /// reached the same result: when rows were written (`ingested_at`, `scored_at`), by which
    /// run (`run_id`), and from which file path the records were read (`source_file`,
    /// `source_line`: provenance, not content; likewise a label's source and a queue item's
    /// `added_at` and `reviewed_at`). Two stores with the same digest hold the same records and
    /// bit-identical scores, however they were filled.
    pub fn content_digest(&self) -> Result<String> {
        let digest = || -> Result<String> {
            let mut hasher = Sha256::new();
            hasher.update(b"judge store content v1\0");
            hash_query(
                &self.conn,
                &mut hasher,
                "SELECT id, ts, role, agent, input, output, escalated, labels, meta \
                 FROM records ORDER BY id",
            )?;
            hash_query(
                &self.conn,
                &mut hasher,
                "SELECT record_id, rubric_id, rubric_version, fingerprint, outcome, p_pass, \
                 verdict, logprob_pass, logprob_fail, n_prompt_tokens FROM scores \
                 ORDER BY record_id, rubric_id, rubric_version, fingerprint",
            )?;
            hash_query(
                &self.conn,
                &mut hasher,
                "SELECT record_id, rubric_id, label, reviewer, note FROM labels \
                 ORDER BY record_id, rubric_id",
            )?;
            hash_query(
                &self.conn,
                &mut hasher,
                "SELECT record_id, rubric_id, reason, period, seed, rate, stratify, stratum \
                 FROM review_queue ORDER BY record_id, reason, rubric_id",
            )?;
            Ok(hex::encode(hasher.finalize()))
        };
        digest().with_context(|| self.failed("computing the content digest of"))
    }

    /// The context of an error: "{doing} store {path}".
    fn failed(&self, doing: &str) -> String {
        format!("{doing} store {}", self.path.display())
    }

    /// Sets the connection up; the journal mode and `user_version` live in the file, the rest
    /// is per connection.
    fn configure(&self) -> Result<()> {
        // Another process (a report, a second run) may hold the write lock for one batch;
        // waiting a while for it beats failing a nightly run.
        self.conn.busy_timeout(BUSY_TIMEOUT)?;
        let mode: String =
            self.conn
                .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            bail!("the file system refused WAL journal mode (the journal mode is `{mode}`)");
        }
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        Ok(())
    }

    /// Marks the file as a judge store (`PRAGMA application_id`), once it has the schema.
    fn claim_identity(&self) -> Result<()> {
        let id: i64 = self
            .conn
            .pragma_query_value(None, "application_id", |row| row.get(0))?;
        if id != APPLICATION_ID {
            self.conn
                .pragma_update(None, "application_id", APPLICATION_ID)?;
        }
        Ok(())
    }

    /// Applies the migrations this file lacks, each in its own transaction together with the
    /// version bump, so a crash mid-migration leaves the previous version intact.
    fn migrate(&mut self) -> Result<()> {
        let found = read_user_version(&self.conn)?;
        if found > SCHEMA_VERSION {
            bail!(
                "its schema version is {found}, newer than the version {SCHEMA_VERSION} this \
                 judge knows; use a newer judge"
            );
        }
        // Skipping what is applied keeps an up-to-date open from taking the write lock.
        for (index, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
            let version = index as u32 + 1;
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            // Read again under the write lock: another process may have migrated meanwhile.
            if read_user_version(&tx)? >= version {
                continue;
            }
            tx.execute_batch(sql)
                .with_context(|| format!("applying schema migration {version}"))?;
            tx.pragma_update(None, "user_version", version)?;
            tx.commit()?;
        }
        Ok(())
    }

    /// Runs `work` in a transaction that takes the write lock at once (a deferred one that
    /// reads first and writes later can fail with "database is locked" without waiting for
    /// the busy timeout) and commits it. On error nothing `work` wrote is kept.
    fn in_write_transaction<T>(
        &mut self,
        doing: &str,
        work: impl FnOnce(&rusqlite::Transaction) -> Result<T>,
    ) -> Result<T> {
        let run = |conn: &mut Connection| -> Result<T> {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            // Dropping the transaction without committing rolls it back.
            let value = work(&tx)?;
            tx.commit()?;
            Ok(value)
        };
        run(&mut self.conn).with_context(|| self.failed(doing))
    }

    /// The latest alarm of a chart that a decision acknowledged for this change period (the
    /// period compared exactly, a missing one matching only a missing one), if any. `judge
    /// drift` does not raise a chart's alarm again for a change a human already decided on.
    pub fn acknowledged_alarm(
        &self,
        stream: &str,
        direction: &str,
        change_period: Option<&str>,
    ) -> Result<Option<AlarmRow>> {
        let read = || -> Result<Option<AlarmRow>> {
            let alarm = self
                .conn
                .query_row(
                    &format!(
                        "SELECT {ALARM_COLUMNS} FROM alarms WHERE stream = ?1 \
                         AND direction = ?2 AND change_period IS ?3 \
                         AND acknowledged_at IS NOT NULL ORDER BY id DESC LIMIT 1"
                    ),
                    params![stream, direction, change_period],
                    alarm_from_row,
                )
                .optional()?;
            Ok(alarm)
        };
        read().with_context(|| self.failed("reading acknowledged alarms from"))
    }
}

/// The columns [`alarm_from_row`] reads, in its order.
const ALARM_COLUMNS: &str =
    "id, stream, direction, alarm_period, change_period, statistic, h, raised_at";

fn alarm_from_row(row: &Row) -> rusqlite::Result<AlarmRow> {
    Ok(AlarmRow {
        id: row.get(0)?,
        stream: row.get(1)?,
        direction: row.get(2)?,
        alarm_period: row.get(3)?,
        change_period: row.get(4)?,
        statistic: row.get(5)?,
        h: row.get(6)?,
        raised_at: row.get(7)?,
    })
}

/// How long a statement waits for another connection's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Schema migrations, in order: migration `i` (from 0) takes the file to version `i + 1`.
/// Append only; never edit a migration that has shipped.
const MIGRATIONS: &[&str] = &[
    MIGRATION_1,
    MIGRATION_2,
    MIGRATION_3,
    MIGRATION_SUITES,
    MIGRATION_TRAINED,
    MIGRATION_SAMPLING,
    MIGRATION_PROMOTION,
    MIGRATION_RUBRIC_PINS,
];

/// What each rubric version said when it was first used to score (`Store::pin_rubric`): a
/// rubric edited without a new `version` would otherwise store scores of two different
/// rubrics as one.
const MIGRATION_RUBRIC_PINS: &str = "
CREATE TABLE rubric_pins (
    rubric_id TEXT NOT NULL,
    rubric_version INTEGER NOT NULL,
    definition_sha256 TEXT NOT NULL,
    path TEXT NOT NULL,
    pinned_at TEXT NOT NULL,
    PRIMARY KEY (rubric_id, rubric_version)
);
";

/// Why each trained judge is, or is not, the active one: a judge trained by `judge calibrate`
/// or `judge run` is promoted only when its cross-validated agreement is not worse than the
/// active judge's (`judge::trained::save`); a candidate that was not promoted is stored
/// retired, with the comparison that kept it out.
const MIGRATION_PROMOTION: &str = "
ALTER TABLE trained_judges ADD COLUMN promotion TEXT NULL;
";

/// Suite runs against the live agent (`judge::suite_runs`): one row per run, one per case and
/// one per (case, rubric). Agent failures are outcomes of their own, never `fail`.
const MIGRATION_SUITES: &str = "
CREATE TABLE suite_runs (
    id INTEGER PRIMARY KEY,
    suite_id TEXT NOT NULL,
    suite_version INTEGER NOT NULL,
    suite_sha256 TEXT NOT NULL,
    role TEXT NOT NULL,
    baseline REAL NULL, -- the suite's declared deploy-time pass rate
    agent TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT NULL,
    judge TEXT NULL REFERENCES judges (fingerprint),
    status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    n_cases INTEGER,
    n_pass INTEGER,
    n_fail INTEGER,
    n_agent_error INTEGER,
    n_agent_timeout INTEGER,
    n_too_long INTEGER
);
CREATE INDEX suite_runs_by_suite ON suite_runs (suite_id, id);

CREATE TABLE suite_results (
    run_id INTEGER NOT NULL REFERENCES suite_runs (id),
    case_id TEXT NOT NULL,
    outcome TEXT NOT NULL
        CHECK (outcome IN ('pass', 'fail', 'agent_error', 'agent_timeout', 'too_long')),
    reply TEXT NULL,
    escalated INTEGER NULL CHECK (escalated IN (0, 1)),
    expect_escalation INTEGER NULL CHECK (expect_escalation IN (0, 1)),
    failed_checks TEXT NULL,
    error TEXT NULL,
    stderr TEXT NOT NULL,
    latency_ms INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    PRIMARY KEY (run_id, case_id)
);

CREATE TABLE suite_rubric_results (
    run_id INTEGER NOT NULL,
    case_id TEXT NOT NULL,
    rubric_id TEXT NOT NULL,
    rubric_version INTEGER NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('scored', 'too_long')),
    p_pass REAL NULL,
    verdict TEXT NULL CHECK (verdict IN ('pass', 'fail')),
    PRIMARY KEY (run_id, case_id, rubric_id),
    FOREIGN KEY (run_id, case_id) REFERENCES suite_results (run_id, case_id)
);
";

/// Trained judges (`judge::trained`): fitted parameters and cross-validated metrics as JSON,
/// with what they were trained on; at most one active (not retired) per rubric. Canary checks:
/// a frozen labeled set per rubric re-scored on every run, its agreement a drift stream of the
/// judge itself.
const MIGRATION_TRAINED: &str = "
CREATE TABLE trained_judges (
    id INTEGER PRIMARY KEY,
    rubric_id TEXT NOT NULL,
    rubric_version INTEGER NOT NULL,
    rubric_sha256 TEXT NOT NULL,
    model_name TEXT NOT NULL,
    model_sha256 TEXT NOT NULL,
    base_fingerprint TEXT NOT NULL,
    fingerprint TEXT NOT NULL UNIQUE,
    training_set_sha256 TEXT NOT NULL,
    n_items INTEGER NOT NULL,
    n_pass INTEGER NOT NULL,
    cross_validated TEXT NOT NULL,
    calibrator TEXT NOT NULL,
    created_at TEXT NOT NULL,
    retired_at TEXT NULL
);
CREATE UNIQUE INDEX trained_judges_active_per_rubric ON trained_judges (rubric_id)
    WHERE retired_at IS NULL;

CREATE TABLE canary_checks (
    id INTEGER PRIMARY KEY,
    checked_at TEXT NOT NULL,
    rubric_id TEXT NOT NULL,
    rubric_version INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    canary_sha256 TEXT NOT NULL,
    n_items INTEGER NOT NULL,
    n_agree INTEGER NOT NULL
);
";

/// The review queue and human labels (`judge::review`). A queue item is a record put up for
/// review, for a reason: `sample` (by `judge sample`, with the draw's seed, rate, strata and
/// period; `rubric_id` NULL for every rubric that applies) or `uncertain` (a pair whose P(pass)
/// is near its threshold, with its rubric). A label is one human verdict per (record, rubric);
/// a label replaced by a later import keeps the old one in `label_history`.
const MIGRATION_SAMPLING: &str = "
CREATE TABLE review_queue (
    record_id TEXT NOT NULL REFERENCES records (id),
    rubric_id TEXT NULL,
    reason TEXT NOT NULL CHECK (reason IN ('sample', 'uncertain')),
    period TEXT NULL,
    seed INTEGER NULL,
    rate REAL NULL,
    stratify TEXT NULL,
    stratum TEXT NULL,
    added_at TEXT NOT NULL,
    reviewed_at TEXT NULL
);
-- One item per (record, reason, rubric); a NULL rubric is one value here, not distinct ones.
CREATE UNIQUE INDEX review_queue_item ON review_queue (record_id, reason, ifnull(rubric_id, ''));

CREATE TABLE labels (
    record_id TEXT NOT NULL REFERENCES records (id),
    rubric_id TEXT NOT NULL,
    label TEXT NOT NULL CHECK (label IN ('pass', 'fail')),
    reviewer TEXT NULL,
    note TEXT NULL,
    source_file TEXT NOT NULL,
    source_line INTEGER NOT NULL,
    imported_at TEXT NOT NULL,
    PRIMARY KEY (record_id, rubric_id)
);

CREATE TABLE label_history (
    record_id TEXT NOT NULL,
    rubric_id TEXT NOT NULL,
    label TEXT NOT NULL,
    reviewer TEXT NULL,
    note TEXT NULL,
    source_file TEXT NOT NULL,
    source_line INTEGER NOT NULL,
    imported_at TEXT NOT NULL,
    replaced_at TEXT NOT NULL
);
";

/// The decision ledger: an append-only, hash-chained list of human decisions. `entry` is the
/// entry's canonical JSON (the format `judge::ledger` defines, with its own schema version),
/// `hash` the SHA-256 that chains it to the entry before.
const MIGRATION_3: &str = "
CREATE TABLE ledger (
    seq INTEGER NOT NULL PRIMARY KEY,
    entry TEXT NOT NULL,
    hash TEXT NOT NULL
);
";

/// Drift alarms. An alarm stays open until a recorded human decision acknowledges it (the
/// ledger sets `acknowledged_at` and `acknowledgement`); at most one open alarm per chart.
const MIGRATION_2: &str = "
CREATE TABLE alarms (
    id INTEGER PRIMARY KEY,
    stream TEXT NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('lower', 'upper')),
    alarm_period TEXT NOT NULL,
    change_period TEXT,
    statistic REAL NOT NULL,
    h REAL NOT NULL,
    raised_at TEXT NOT NULL,
    acknowledged_at TEXT,
    acknowledgement TEXT
);
CREATE UNIQUE INDEX alarms_open_per_chart ON alarms (stream, direction)
    WHERE acknowledged_at IS NULL;
";

const MIGRATION_1: &str = "
CREATE TABLE records (
    id TEXT NOT NULL PRIMARY KEY,
    ts TEXT NOT NULL,
    role TEXT NOT NULL,
    agent TEXT NOT NULL,
    input TEXT NOT NULL,
    output TEXT NOT NULL,
    escalated INTEGER NULL CHECK (escalated IN (0, 1)),
    labels TEXT NOT NULL, -- JSON object: rubric id to pass or fail
    meta TEXT NOT NULL, -- JSON object, keys sorted
    source_file TEXT,
    source_line INTEGER,
    ingested_at TEXT NOT NULL
);
CREATE INDEX records_by_role_ts ON records (role, ts);

CREATE TABLE judges (
    fingerprint TEXT NOT NULL PRIMARY KEY,
    model_name TEXT NOT NULL,
    model_sha256 TEXT NOT NULL,
    template_sha256 TEXT NOT NULL,
    engine_version TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE scores (
    record_id TEXT NOT NULL REFERENCES records (id),
    rubric_id TEXT NOT NULL,
    rubric_version INTEGER NOT NULL,
    fingerprint TEXT NOT NULL REFERENCES judges (fingerprint),
    outcome TEXT NOT NULL CHECK (outcome IN ('scored', 'too_long')),
    p_pass REAL NULL,
    verdict TEXT NULL CHECK (verdict IN ('pass', 'fail')),
    logprob_pass REAL NULL,
    logprob_fail REAL NULL,
    n_prompt_tokens INTEGER NOT NULL,
    run_id INTEGER NULL,
    scored_at TEXT NOT NULL,
    PRIMARY KEY (record_id, rubric_id, rubric_version, fingerprint)
);
-- What a run skips is looked up by rubric version and judge, not by record.
CREATE INDEX scores_by_rubric_judge ON scores (rubric_id, rubric_version, fingerprint, record_id);

CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT NULL,
    command TEXT NOT NULL,
    n_records INTEGER,
    n_rejected INTEGER,
    n_scored INTEGER,
    n_skipped INTEGER,
    status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed'))
);
";

/// The columns [`record_from_row`] reads, in its order.
macro_rules! record_columns {
    () => {
        "id, ts, role, agent, input, output, escalated, labels, meta"
    };
}

const SELECT_RECORD_BY_ID: &str =
    concat!("SELECT ", record_columns!(), " FROM records WHERE id = ?1");

const SELECT_RECORDS: &str = concat!(
    "SELECT ",
    record_columns!(),
    " FROM records ORDER BY ts, id"
);

/// An insert of one score row, followed by what to do when the row already exists.
macro_rules! insert_score_then {
    ($on_conflict:literal) => {
        concat!(
            "INSERT INTO scores (record_id, rubric_id, rubric_version, fingerprint, outcome, \
             p_pass, verdict, logprob_pass, logprob_fail, n_prompt_tokens, run_id, scored_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) \
             ON CONFLICT (record_id, rubric_id, rubric_version, fingerprint) ",
            $on_conflict
        )
    };
}

const INSERT_SCORE_KEEPING: &str = insert_score_then!("DO NOTHING");

const INSERT_SCORE_REPLACING: &str = insert_score_then!(
    "DO UPDATE SET outcome = excluded.outcome, p_pass = excluded.p_pass, \
     verdict = excluded.verdict, logprob_pass = excluded.logprob_pass, \
     logprob_fail = excluded.logprob_fail, n_prompt_tokens = excluded.n_prompt_tokens, \
     run_id = excluded.run_id, scored_at = excluded.scored_at"
);

/// Now, as RFC 3339 UTC to the second: the form of every timestamp the store holds.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// `PRAGMA application_id` of a judge store: "JUDG" in ASCII. Stores made before it was set
/// have 0 and are recognized by their schema.
pub const APPLICATION_ID: i64 = 0x4A55_4447;

/// Refuses a file that is some other program's SQLite database before anything is written to
/// it: another `application_id`, or tables without a judge schema version.
fn check_identity(conn: &Connection) -> Result<()> {
    let id: i64 = conn.pragma_query_value(None, "application_id", |row| row.get(0))?;
    if id == APPLICATION_ID {
        return Ok(());
    }
    if id != 0 {
        bail!(
            "it is not a judge store: its SQLite application_id is {id:#x} (a judge store's is \
             {APPLICATION_ID:#x}); give another --store"
        );
    }
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )?
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let version = read_user_version(conn)?;
    // A new file, or a store from before the application id, with its own tables.
    let is_judge_store = version >= 1
        && ["records", "judges", "scores", "runs"]
            .iter()
            .all(|table| tables.iter().any(|name| name == table));
    if tables.is_empty() || is_judge_store {
        return Ok(());
    }
    bail!(
        "it is an SQLite database of another program, not a judge store (it has table(s) {} \
         and no judge schema); give another --store",
        tables
            .iter()
            .take(5)
            .map(|t| format!("`{t}`"))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// `path` as the path part of an SQLite `file:` URI: absolute, with the characters that URIs
/// reserve percent-encoded.
fn uri_path(path: &Path) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = String::new();
    for c in absolute.to_string_lossy().chars() {
        match c {
            '%' | '?' | '#' => out.push_str(&format!("%{:02X}", c as u32)),
            _ => out.push(c),
        }
    }
    out
}

fn read_user_version(conn: &Connection) -> Result<u32> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    u32::try_from(version).with_context(|| format!("invalid schema version {version}"))
}

/// Reads a record from the columns of `record_columns!()`, in that order.
fn record_from_row(row: &Row) -> rusqlite::Result<Record> {
    let labels: String = row.get(7)?;
    let meta: String = row.get(8)?;
    let json_error = |column: usize, error: serde_json::Error| {
        rusqlite::Error::FromSqlConversionFailure(
            column,
            rusqlite::types::Type::Text,
            Box::new(error),
        )
    };
    Ok(Record {
        id: row.get(0)?,
        ts: row.get(1)?,
        role: row.get(2)?,
        agent: row.get(3)?,
        input: row.get(4)?,
        output: row.get(5)?,
        escalated: row.get(6)?,
        labels: serde_json::from_str::<std::collections::BTreeMap<String, Label>>(&labels)
            .map_err(|e| json_error(7, e))?,
        meta: serde_json::from_str(&meta).map_err(|e| json_error(8, e))?,
    })
}

fn score_from_row(row: &Row) -> Result<ScoreRow> {
    let record_id: String = row.get(0)?;
    let outcome: String = row.get(4)?;
    let verdict: Option<String> = row.get(6)?;
    let n_prompt_tokens: i64 = row.get(9)?;
    Ok(ScoreRow {
        rubric_id: row.get(1)?,
        rubric_version: row.get(2)?,
        fingerprint: row.get(3)?,
        outcome: Outcome::parse(&outcome)
            .with_context(|| format!("stored score of record `{record_id}`"))?,
        p_pass: row.get(5)?,
        verdict: verdict
            .as_deref()
            .map(Verdict::parse)
            .transpose()
            .with_context(|| format!("stored score of record `{record_id}`"))?,
        logprob_pass: row.get(7)?,
        logprob_fail: row.get(8)?,
        n_prompt_tokens: usize::try_from(n_prompt_tokens).with_context(|| {
            format!("stored score of record `{record_id}`: negative prompt token count")
        })?,
        record_id,
    })
}

/// Refuses rows that could not be read back as written: SQLite stores NaN as NULL, and an
/// outcome that disagrees with the presence of a score would be ambiguous in reports.
fn check_score(score: &ScoreRow) -> Result<()> {
    for (name, value) in [
        ("p_pass", score.p_pass),
        ("logprob_pass", score.logprob_pass),
        ("logprob_fail", score.logprob_fail),
    ] {
        if value.is_some_and(f64::is_nan) {
            bail!("{name} is NaN");
        }
    }
    if let Some(p_pass) = score.p_pass {
        if !(0.0..=1.0).contains(&p_pass) {
            bail!("p_pass {p_pass} is outside [0, 1]");
        }
    }
    match score.outcome {
        Outcome::Scored if score.p_pass.is_none() || score.verdict.is_none() => {
            bail!("outcome scored needs both p_pass and a verdict")
        }
        Outcome::TooLong if score.p_pass.is_some() || score.verdict.is_some() => {
            bail!("outcome too_long cannot have p_pass or a verdict")
        }
        _ => Ok(()),
    }
}

/// The meta object as JSON with keys sorted at every depth, whatever order the map keeps
/// them in, so equal metadata is stored (and digested) as equal text.
fn canonical_meta_json(meta: &serde_json::Map<String, serde_json::Value>) -> Result<String> {
    fn sorted(value: &serde_json::Value) -> serde_json::Value {
        match value {
            serde_json::Value::Object(map) => {
                let mut entries: Vec<_> = map.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                serde_json::Value::Object(
                    entries
                        .into_iter()
                        .map(|(key, value)| (key.clone(), sorted(value)))
                        .collect(),
                )
            }
            serde_json::Value::Array(items) => {
                serde_json::Value::Array(items.iter().map(sorted).collect())
            }
            other => other.clone(),
        }
    }
    let object = serde_json::Value::Object(meta.clone());
    Ok(serde_json::to_string(&sorted(&object))?)
}

/// Feeds every value of every row of `sql` to `hasher`, each tagged with its type and, for
/// text, its length, so that no two different dumps hash the same bytes. Reals are hashed by
/// their bits, so the digest tells apart values that differ in the last place.
fn hash_query(conn: &Connection, hasher: &mut Sha256, sql: &str) -> Result<()> {
    let mut statement = conn.prepare(sql)?;
    let n_columns = statement.column_count();
    hasher.update((n_columns as u64).to_le_bytes());
    let mut rows = statement.query([])?;
    let mut n_rows: u64 = 0;
    while let Some(row) = rows.next()? {
        hasher.update(b"R");
        for column in 0..n_columns {
            match row.get_ref(column)? {
                ValueRef::Null => hasher.update(b"N"),
                ValueRef::Integer(value) => {
                    hasher.update(b"I");
                    hasher.update(value.to_le_bytes());
                }
                ValueRef::Real(value) => {
                    hasher.update(b"F");
                    hasher.update(value.to_bits().to_le_bytes());
                }
                ValueRef::Text(bytes) | ValueRef::Blob(bytes) => {
                    hasher.update(b"T");
                    hasher.update((bytes.len() as u64).to_le_bytes());
                    hasher.update(bytes);
                }
            }
        }
        n_rows += 1;
    }
    hasher.update(b"E");
    hasher.update(n_rows.to_le_bytes());
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn record(id: &str, ts: &str) -> Record {
        let mut meta = serde_json::Map::new();
        meta.insert("zeta".into(), serde_json::json!({"b": 1, "a": [1.5, "x"]}));
        meta.insert("alpha".into(), serde_json::json!(null));
        Record {
            id: id.to_string(),
            ts: ts.to_string(),
            role: "support".to_string(),
            agent: "agent-7".to_string(),
            input: format!("question {id}"),
            output: format!("answer {id}"),
            escalated: Some(false),
            labels: BTreeMap::from([("tone".to_string(), Label::Pass)]),
            meta,
        }
    }

    fn sourced(records: &[Record]) -> Vec<(Source, Record)> {
        records
            .iter()
            .enumerate()
            .map(|(index, record)| {
                let source = Source {
                    file: PathBuf::from("input.jsonl"),
                    line: index + 1,
                };
                (source, record.clone())
            })
            .collect()
    }

    fn judge() -> JudgeInfo {
        JudgeInfo {
            fingerprint: "f1".to_string(),
            model_name: "tiny".to_string(),
            model_sha256: "00".repeat(32),
            template_sha256: "11".repeat(32),
            engine_version: "engine-1".to_string(),
        }
    }

    fn score(record_id: &str, p_pass: f64) -> ScoreRow {
        ScoreRow {
            record_id: record_id.to_string(),
            rubric_id: "tone".to_string(),
            rubric_version: 1,
            fingerprint: "f1".to_string(),
            outcome: Outcome::Scored,
            p_pass: Some(p_pass),
            verdict: Some(if p_pass >= 0.5 {
                Verdict::Pass
            } else {
                Verdict::Fail
            }),
            logprob_pass: Some(p_pass.ln()),
            logprob_fail: Some((1.0 - p_pass).ln()),
            n_prompt_tokens: 120,
        }
    }

    fn too_long(record_id: &str) -> ScoreRow {
        ScoreRow {
            outcome: Outcome::TooLong,
            p_pass: None,
            verdict: None,
            logprob_pass: None,
            logprob_fail: None,
            n_prompt_tokens: 9000,
            ..score(record_id, 0.5)
        }
    }

    /// A store in a fresh temporary folder, with records a, b, c and judge f1.
    fn filled_store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("judge.db")).unwrap();
        let records = [
            record("a", "2025-01-02T00:00:00Z"),
            record("b", "2025-01-01T00:00:00Z"),
            record("c", "2025-01-03T00:00:00Z"),
        ];
        store.ingest_records(&sourced(&records)).unwrap();
        store.register_judge(&judge()).unwrap();
        (dir, store)
    }

    fn error_text(error: anyhow::Error) -> String {
        format!("{error:#}")
    }

    #[test]
    fn open_creates_and_migrates() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("judge.db");
        let store = Store::open(&path).unwrap();
        assert!(path.is_file());
        assert_eq!(store.path(), path);
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        let tables: Vec<String> = store
            .conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .unwrap()
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(
            tables,
            [
                "alarms",
                "canary_checks",
                "judges",
                "label_history",
                "labels",
                "ledger",
                "records",
                "review_queue",
                "rubric_pins",
                "runs",
                "scores",
                "suite_results",
                "suite_rubric_results",
                "suite_runs",
                "trained_judges"
            ]
        );
    }

    #[test]
    fn an_alarm_stays_open_and_single_per_chart() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("judge.db")).unwrap();
        let alarm = NewAlarm {
            stream: "escalations/worker".into(),
            direction: "lower".into(),
            alarm_period: "2026-W41".into(),
            change_period: Some("2026-W39".into()),
            statistic: 12.0,
            h: 9.0,
        };
        let (first, raised) = store.raise_alarm(&alarm).unwrap();
        assert!(raised);
        let (again, raised) = store.raise_alarm(&alarm).unwrap();
        assert_eq!((again, raised), (first, false));
        let upper = NewAlarm {
            direction: "upper".into(),
            ..alarm
        };
        store.raise_alarm(&upper).unwrap();
        let open = store.open_alarms().unwrap();
        assert_eq!(open.len(), 2);
        assert_eq!(open[0].change_period.as_deref(), Some("2026-W39"));
    }

    #[test]
    fn open_refuses_a_missing_folder() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("absent").join("judge.db");
        let message = error_text(Store::open(&path).unwrap_err());
        assert!(message.contains(&path.display().to_string()), "{message}");
        assert!(message.contains("does not exist"), "{message}");
    }

    #[test]
    fn reopening_is_a_no_op() {
        let (dir, mut store) = filled_store();
        store
            .insert_scores(&[score("a", 0.25)], None, false)
            .unwrap();
        let digest = store.content_digest().unwrap();
        drop(store);
        let store = Store::open(&dir.path().join("judge.db")).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        assert_eq!(store.content_digest().unwrap(), digest);
        assert_eq!(store.records().unwrap().len(), 3);
    }

    #[test]
    fn a_newer_store_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("judge.db");
        drop(Store::open(&path).unwrap());
        let newer = SCHEMA_VERSION + 1;
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", newer)
            .unwrap();
        let message = error_text(Store::open(&path).unwrap_err());
        assert!(message.contains(&path.display().to_string()), "{message}");
        assert!(
            message.contains(&format!("schema version is {newer}")),
            "{message}"
        );
        assert!(
            message.contains(&format!("version {SCHEMA_VERSION} this judge knows")),
            "{message}"
        );
    }

    #[test]
    fn connection_settings() {
        let (_dir, store) = filled_store();
        let pragma = |name: &str| -> String {
            store
                .conn
                .pragma_query_value(None, name, |row| row.get_ref(0).map(|v| format!("{v:?}")))
                .unwrap()
        };
        let mode: String = store
            .conn
            .pragma_query_value(None, "journal_mode", |row| row.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        assert_eq!(pragma("synchronous"), "Integer(1)", "NORMAL is 1");
        assert_eq!(pragma("foreign_keys"), "Integer(1)");
        assert_ne!(pragma("busy_timeout"), "Integer(0)");
    }

    #[test]
    fn ingesting_twice_leaves_everything_unchanged() {
        let (_dir, mut store) = filled_store();
        let records = store.records().unwrap();
        let ids: Vec<&str> = records.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["b", "a", "c"], "ordered by ts");
        assert_eq!(
            store.record("a").unwrap(),
            Some(record("a", "2025-01-02T00:00:00Z"))
        );
        assert_eq!(store.record("zz").unwrap(), None);

        let again = store.ingest_records(&sourced(&records)).unwrap();
        assert_eq!(
            again,
            RecordIngest {
                inserted: 0,
                unchanged: 3,
                conflicts: vec![],
            }
        );
    }

    #[test]
    fn conflicting_content_is_reported_and_not_overwritten() {
        let (_dir, mut store) = filled_store();
        let original = store.record("a").unwrap().unwrap();
        let mut changed = original.clone();
        changed.output = "a different answer".to_string();
        let mut relabeled = store.record("b").unwrap().unwrap();
        relabeled.labels.insert("tone".to_string(), Label::Fail);
        let new = record("d", "2025-01-04T00:00:00Z");
        let ingest = store
            .ingest_records(&sourced(&[changed, relabeled, new.clone(), new]))
            .unwrap();
        assert_eq!(ingest.inserted, 1);
        assert_eq!(ingest.unchanged, 1, "the repeated d within one call");
        assert_eq!(ingest.conflicts, ["a", "b"]);
        assert_eq!(store.record("a").unwrap().unwrap(), original);
        assert_eq!(
            store.record("b").unwrap().unwrap().labels["tone"],
            Label::Pass
        );
    }

    #[test]
    fn scores_round_trip_and_are_found_as_scored() {
        let (_dir, mut store) = filled_store();
        let rows = [score("b", 0.75), too_long("a")];
        assert_eq!(store.insert_scores(&rows, Some(7), false).unwrap(), 2);
        let ids = store.scored_record_ids("tone", 1, "f1").unwrap();
        assert_eq!(ids, HashSet::from(["a".to_string(), "b".to_string()]));
        assert!(store.scored_record_ids("tone", 2, "f1").unwrap().is_empty());
        assert!(store.scored_record_ids("tone", 1, "f2").unwrap().is_empty());
        assert!(store
            .scored_record_ids("other", 1, "f1")
            .unwrap()
            .is_empty());
        assert_eq!(store.scores().unwrap(), [too_long("a"), score("b", 0.75)]);
    }

    #[test]
    fn replace_false_keeps_and_replace_true_overwrites() {
        let (_dir, mut store) = filled_store();
        store
            .insert_scores(&[score("a", 0.25)], None, false)
            .unwrap();
        let kept = store
            .insert_scores(&[score("a", 0.9)], None, false)
            .unwrap();
        assert_eq!(kept, 0);
        assert_eq!(store.scores().unwrap(), [score("a", 0.25)]);
        let replaced = store.insert_scores(&[too_long("a")], None, true).unwrap();
        assert_eq!(replaced, 1);
        assert_eq!(store.scores().unwrap(), [too_long("a")]);
    }

    #[test]
    fn a_batch_is_atomic() {
        let (_dir, mut store) = filled_store();
        let batch = [score("a", 0.5), score("missing", 0.5), score("c", 0.5)];
        let message = error_text(store.insert_scores(&batch, None, false).unwrap_err());
        assert!(message.contains("`missing`"), "{message}");
        assert!(
            message.contains(&store.path().display().to_string()),
            "{message}"
        );
        assert!(store.scores().unwrap().is_empty());

        let mut unknown_judge = score("a", 0.5);
        unknown_judge.fingerprint = "nobody".to_string();
        let message = error_text(
            store
                .insert_scores(&[score("b", 0.5), unknown_judge], None, false)
                .unwrap_err(),
        );
        assert!(message.contains("judge nobody"), "{message}");
        assert!(store.scores().unwrap().is_empty());
    }

    #[test]
    fn the_foreign_key_alone_rolls_a_batch_back() {
        // Bypasses the friendlier existence checks: SQLite itself must refuse the row.
        let (_dir, mut store) = filled_store();
        let result = store.in_write_transaction("testing", |tx| {
            tx.execute_batch(
                "INSERT INTO scores VALUES ('a', 'tone', 1, 'f1', 'too_long', NULL, NULL, \
                 NULL, NULL, 1, NULL, 'now'); \
                 INSERT INTO scores VALUES ('missing', 'tone', 1, 'f1', 'too_long', NULL, \
                 NULL, NULL, NULL, 1, NULL, 'now');",
            )?;
            Ok(())
        });
        assert!(error_text(result.unwrap_err()).contains("FOREIGN KEY"));
        assert!(store.scores().unwrap().is_empty());
    }

    #[test]
    fn inconsistent_scores_are_refused() {
        let (_dir, mut store) = filled_store();
        let mut no_verdict = score("a", 0.5);
        no_verdict.verdict = None;
        let mut nan = score("a", 0.5);
        nan.logprob_fail = Some(f64::NAN);
        let mut out_of_range = score("a", 0.5);
        out_of_range.p_pass = Some(1.5);
        let mut too_long_with_score = too_long("a");
        too_long_with_score.p_pass = Some(0.5);
        for (row, expected) in [
            (no_verdict, "needs both"),
            (nan, "logprob_fail is NaN"),
            (out_of_range, "outside [0, 1]"),
            (too_long_with_score, "cannot have p_pass"),
        ] {
            let message = error_text(store.insert_scores(&[row], None, false).unwrap_err());
            assert!(message.contains(expected), "{message}");
        }
        assert!(store.scores().unwrap().is_empty());
    }

    #[test]
    fn runs_are_recorded() {
        let (_dir, mut store) = filled_store();
        let first = store.start_run("judge score --input x").unwrap();
        let second = store.start_run("judge score --input y").unwrap();
        assert_ne!(first, second);
        let counts = RunCounts {
            n_records: 3,
            n_rejected: 1,
            n_scored: 2,
            n_skipped: 1,
        };
        store.finish_run(first, "done", counts).unwrap();
        let (status, n_scored, finished): (String, i64, Option<String>) = store
            .conn
            .query_row(
                "SELECT status, n_scored, finished_at FROM runs WHERE id = ?1",
                [first],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .unwrap();
        assert_eq!((status.as_str(), n_scored), ("done", 2));
        assert!(finished.unwrap().ends_with('Z'));
        let message = error_text(store.finish_run(second, "weird", counts).unwrap_err());
        assert!(message.contains("unknown run status"), "{message}");
        let message = error_text(store.finish_run(99, "failed", counts).unwrap_err());
        assert!(message.contains("no run 99"), "{message}");
    }

    #[test]
    fn the_digest_ignores_order_batching_and_timestamps() {
        let records = [
            record("a", "2025-01-02T00:00:00Z"),
            record("b", "2025-01-01T00:00:00Z"),
            record("c", "2025-01-03T00:00:00Z"),
        ];
        let sourced_records = sourced(&records);
        let rows = [score("a", 0.1), score("b", 0.6), too_long("c")];

        let dir = tempfile::tempdir().unwrap();
        let mut one = Store::open(&dir.path().join("one.db")).unwrap();
        one.ingest_records(&sourced_records).unwrap();
        one.register_judge(&judge()).unwrap();
        one.insert_scores(&rows, Some(1), false).unwrap();

        // Reversed, one row at a time, with a stale score replaced, another run id, and a
        // different registered model name.
        let mut two = Store::open(&dir.path().join("two.db")).unwrap();
        for pair in sourced_records.iter().rev() {
            two.ingest_records(std::slice::from_ref(pair)).unwrap();
        }
        two.register_judge(&JudgeInfo {
            model_name: "renamed".to_string(),
            ..judge()
        })
        .unwrap();
        let run = two.start_run("judge score").unwrap();
        two.insert_scores(&[score("c", 0.3)], None, false).unwrap();
        for row in rows.iter().rev() {
            two.insert_scores(std::slice::from_ref(row), Some(run + 5), true)
                .unwrap();
        }
        assert_eq!(one.content_digest().unwrap(), two.content_digest().unwrap());
        assert_eq!(one.content_digest().unwrap().len(), 64);

        let mut nudged = rows.clone();
        let p_pass = nudged[1].p_pass.unwrap();
        nudged[1].p_pass = Some(f64::from_bits(p_pass.to_bits() + 1));
        two.insert_scores(&nudged[1..2], None, true).unwrap();
        assert_ne!(one.content_digest().unwrap(), two.content_digest().unwrap());
    }

    #[test]
    fn meta_is_stored_with_sorted_keys() {
        let (_dir, store) = filled_store();
        let meta: String = store
            .conn
            .query_row("SELECT meta FROM records WHERE id = 'a'", [], |row| {
                row.get(0)
            })
            .unwrap();
        assert_eq!(meta, r#"{"alpha":null,"zeta":{"a":[1.5,"x"],"b":1}}"#);
    }
}
