//! The decision ledger: an append-only, hash-chained list of the human decisions on drift
//! alarms, failed verdicts and suite runs, kept in the store's `ledger` table, so that no one
//! can edit, reorder, insert or delete a decision without `judge ledger verify` noticing.
//!
//! # Entry format (schema 1)
//!
//! This format is stable: every entry ever written must verify with every later `judge`. A
//! change of format gets a new `schema` number; schema 1 entries keep their meaning.
//!
//! An entry is one JSON object with exactly these fields:
//!
//! | field        | type    | meaning                                                          |
//! |--------------|---------|------------------------------------------------------------------|
//! | `schema`     | integer | the format version: `1`                                          |
//! | `seq`        | integer | the entry's place in the ledger: 1, 2, 3, ... without gaps       |
//! | `ts`         | string  | when it was appended, RFC 3339 UTC to the second (`...T09:30:00Z`) |
//! | `by`         | string  | who decided (`--by`, else `$USER`): visible text, one line       |
//! | `subject`    | object  | what was decided on, see below                                   |
//! | `position`   | string  | `accepted`, `flagged` or `dismissed`                             |
//! | `reason`     | string  | why, in the decider's words: visible text                        |
//! | `rebaseline` | boolean | on an alarm: the stream should start a new burn-in (see below)   |
//! | `prev`       | string  | the `hash` of entry `seq - 1`, or 64 zeros for entry 1           |
//!
//! `subject` is `{"kind": KIND, "id": ID}` with an optional `"rubric": RUBRIC` (a string; absent,
//! not null, when not given):
//! - `kind` `alarm`: `id` is the alarm's id in the store's `alarms` table, written as a decimal
//!   string (`"1"`). The alarm must exist and be open; the decision acknowledges it.
//! - `kind` `record`: `id` is a record id of the store. With `rubric`, the decision is about
//!   the record's verdict under that rubric id (the record must have a score under it);
//!   without, about the record as a whole, every rubric included.
//! - `kind` `suite-run`: `id` is the id of a stored suite run (`judge suite runs`).
//!
//! `rebaseline` is only ever true on an alarm decision. It records that the stream changed for
//! good: `judge drift` and `judge report` then chart the stream from the period after the
//! alarm on, estimating its baseline afresh from a new burn-in ([`rebaselines`]).
//!
//! **Canonical serialization.** The entry is serialized as compact JSON: object keys sorted
//! by their UTF-8 bytes at every depth, no whitespace, optional fields left out rather than
//! null, integers in decimal, strings in UTF-8 with only `"`, `\` and the control characters
//! U+0000 to U+001F escaped (`\b \f \n \r \t`, the others as `\u00xx` in lowercase hex; `/` and
//! non-ASCII characters are written as they are). This is `serde_json`'s compact output of the
//! key-sorted object. For example (entry 1 on alarm 1):
//!
//! ```text
//! {"by":"ana","position":"accepted","prev":"0000000000000000000000000000000000000000000000000000000000000000","reason":"the worker got the new runbook","rebaseline":false,"schema":1,"seq":1,"subject":{"id":"1","kind":"alarm"},"ts":"2026-10-12T09:30:00Z"}
//! ```
//!
//! **Hash.** An entry's `hash` is the SHA-256 of its canonical serialization's bytes, as 64
//! lowercase hex digits (the example above hashes to
//! `fd509eff1c6ec698aec0aca9ed822ea5c0559ee6ccf9b4b47c354fecf655249e`). Since the serialization
//! includes `prev`, each hash covers every entry before it.
//!
//! **Storage.** The store's `ledger` table holds one row per entry: `seq`, `entry` (the
//! canonical serialization) and `hash`. A decision on an alarm is appended and acknowledges
//! the alarm (its `acknowledgement` is set to the entry's hash) in one transaction.
//!
//! **Export.** `judge ledger export` writes JSONL, one entry a line, in seq order, each line
//! exactly `{"seq":SEQ,"entry":ENTRY,"hash":"HASH"}` with ENTRY the canonical serialization.
//! Reading an export accepts the entry object in any key order or spacing: the hash is always
//! checked against the canonical serialization.
//!
//! # What verification proves
//!
//! [`verify_entries`] recomputes every hash, checks that each `prev` is the hash before it and
//! that seq runs 1..n, so an edited, reordered, inserted or deleted entry, or one appended
//! without the chain, is found and named. What the chain alone cannot show is a rewrite that
//! recomputes every later hash, or entries cut off the end. Two things close that gap: in the
//! store, every acknowledged alarm must be acknowledged by the hash of a decision on it that is
//! in the ledger ([`check_acknowledgements`]); and a hash kept outside the store (printed by
//! `judge decide` and `judge ledger verify`) must still be in the chain, which proves nothing up
//! to that entry was changed (`judge ledger verify --anchor HASH`).
//!
//! The head (the last entry's seq and hash, [`LedgerHead`]) is published where it is kept
//! naturally outside the store: `judge drift`'s Prometheus metrics (`judge_ledger_entries` and
//! `judge_ledger_head{hash="..."}`) and every report (`ledger.head` in JSON, `ledger head:
//! entry N, hash H` in Markdown and HTML). `judge ledger verify --anchor-from FILE` takes the
//! head from such a file ([`read_anchor`]), so yesterday's report anchors today's check.
//!
//! What this does not protect against: someone with write access to the store can rewrite the
//! whole chain consistently, and without an anchor from outside the store nothing inside it
//! can tell; with an anchor, only the entries after it can be rewritten or cut unnoticed.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use anyhow::{bail, Context, Result};
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::store::Store;

/// The entry format this `judge` writes and the only one it reads.
pub const SCHEMA: u32 = 1;

/// The `prev` of the first entry.
pub const GENESIS_PREV: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A decision to append: everything of the entry but what the ledger fills in (seq, time,
/// prev).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub subject: Subject,
    pub position: Position,
    pub reason: String,
    /// Who decided.
    pub by: String,
    /// Only on an alarm: the stream should start a new burn-in.
    pub rebaseline: bool,
}

/// One ledger entry, the hashed content (see the module documentation for the format).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub schema: u32,
    pub seq: i64,
    /// RFC 3339 UTC, to the second.
    pub ts: String,
    pub by: String,
    pub subject: Subject,
    pub position: Position,
    pub reason: String,
    pub rebaseline: bool,
    /// The hash of the entry before, or [`GENESIS_PREV`].
    pub prev: String,
}

/// What a decision is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subject {
    pub kind: SubjectKind,
    pub id: String,
    /// Only on a record: the rubric whose verdict the decision is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rubric: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SubjectKind {
    Alarm,
    Record,
    SuiteRun,
}

/// The decider's position on the subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Position {
    /// The behavior is as intended (an expected change, a correct verdict).
    Accepted,
    /// The behavior is a problem that needs work.
    Flagged,
    /// Not a real issue (a false alarm, a wrong verdict).
    Dismissed,
}

/// One entry as found in the store or in an export, not yet trusted: [`verify_entries`]
/// checks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry {
    /// The row's (or export line's) seq, outside the hashed content.
    pub seq: i64,
    /// The entry's JSON text: as stored, or the export line's entry object serialized
    /// canonically.
    pub entry: String,
    /// The hash stored beside the entry.
    pub hash: String,
}

/// The first entry that breaks the chain, and how.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("entry {seq}: {problem}")]
pub struct ChainError {
    /// Where the entry is in the list that was verified, from 0 (in an export, its line
    /// number minus one).
    pub position: usize,
    /// The seq the entry is stored under.
    pub seq: i64,
    pub problem: ChainProblem,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainProblem {
    #[error(
        "found where entry {expected} belongs: an entry before it was deleted, or entries were \
         reordered or inserted"
    )]
    OutOfSequence { expected: i64 },
    #[error("the entry is not a valid schema 1 entry ({0})")]
    Malformed(String),
    #[error(
        "its content hashes to {computed}, not to its stored hash {stored}: the entry was \
         edited after it was written"
    )]
    HashMismatch { stored: String, computed: String },
    #[error("unknown entry schema {0} (this judge reads schema 1)")]
    UnknownSchema(String),
    #[error("the entry says seq {inside} but is stored as seq {outside}")]
    SeqDisagrees { inside: i64, outside: i64 },
    #[error(
        "its prev {found} is not the hash {expected} of the entry before it: that entry was \
         rewritten, or this one was not appended to this chain"
    )]
    BrokenLink { expected: String, found: String },
}

/// Streams restarted by a decision with `rebaseline`: stream name to the alarm period after
/// which it starts again (the latest such decision of each stream wins).
/// The last entry of a ledger: its seq and hash. Published outside the store so that a later
/// `judge ledger verify --anchor-from` can tell a cut tail from an intact chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerHead {
    pub seq: i64,
    pub hash: String,
}

impl fmt::Display for LedgerHead {
    /// The form reports print and [`read_anchor`] finds in any text file.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "{HEAD_TEXT_PREFIX}{}, hash {}",
            self.seq, self.hash
        )
    }
}

const HEAD_TEXT_PREFIX: &str = "ledger head: entry ";
const HEAD_METRIC_PREFIX: &str = "judge_ledger_head{hash=\"";

impl LedgerHead {
    /// The head of `entries` (as read, in seq order); `None` for an empty ledger.
    pub fn of(entries: &[StoredEntry]) -> Option<LedgerHead> {
        entries.last().map(|last| LedgerHead {
            seq: last.seq,
            hash: last.hash.clone(),
        })
    }

    /// The Prometheus metric families that publish a ledger of `entries` entries, whether its
    /// chain verifies, and its head (only for an intact chain: a broken one anchors nothing).
    pub fn prometheus(entries: usize, intact: bool, head: Option<&LedgerHead>) -> String {
        let mut out = format!(
            "# HELP judge_ledger_entries entries in the decision ledger\n\
             # TYPE judge_ledger_entries gauge\n\
             judge_ledger_entries {entries}\n\
             # HELP judge_ledger_intact 1 when the ledger's hash chain verifies\n\
             # TYPE judge_ledger_intact gauge\n\
             judge_ledger_intact {}\n",
            u8::from(intact)
        );
        if let Some(head) = head.filter(|_| intact) {
            out.push_str(&format!(
                "# HELP judge_ledger_head the decision ledger's last entry (seq), its hash as a \
                 label: an anchor for judge ledger verify --anchor-from\n\
                 # TYPE judge_ledger_head gauge\n\
                 {HEAD_METRIC_PREFIX}{}\"}} {}\n",
                head.hash, head.seq
            ));
        }
        out
    }
}

/// The ledger head recorded in `path`: a JSON report (`ledger.head`), a Prometheus metrics
/// file (`judge_ledger_head`) or any text holding `ledger head: entry N, hash H` (a Markdown
/// or HTML report). `None` when the file records an empty ledger; an error naming the file
/// when it records no head at all.
pub fn read_anchor(path: &Path) -> Result<Option<LedgerHead>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read anchor file {}", path.display()))?;
    let bad = |what: &str| anyhow::anyhow!("{}: {what}", path.display());
    if let Ok(json) = serde_json::from_str::<Value>(&text) {
        let head = json
            .get("ledger")
            .and_then(|ledger| ledger.get("head"))
            .ok_or_else(|| bad("field `ledger.head` is missing: not a judge report"))?;
        return serde_json::from_value(head.clone())
            .map_err(|error| bad(&format!("field `ledger.head`: {error}")));
    }
    for (line_idx, line) in text.lines().enumerate() {
        let at_line = |what: &str| bad(&format!("line {}: {what}", line_idx + 1));
        if let Some(rest) = line.trim_start().strip_prefix(HEAD_METRIC_PREFIX) {
            let (hash, seq) = rest
                .split_once("\"}")
                .ok_or_else(|| at_line("unterminated judge_ledger_head label"))?;
            let seq = seq
                .trim()
                .parse::<f64>()
                .map_err(|_| at_line("judge_ledger_head has no numeric value"))?;
            return Ok(Some(LedgerHead {
                seq: seq as i64,
                hash: hash.to_string(),
            }));
        }
        if let Some(at) = line.find(HEAD_TEXT_PREFIX) {
            let rest = &line[at + HEAD_TEXT_PREFIX.len()..];
            let parsed = rest.split_once(", hash ").and_then(|(seq, hash)| {
                let hash: String = hash.chars().take_while(char::is_ascii_hexdigit).collect();
                Some((seq.parse::<i64>().ok()?, hash))
            });
            let (seq, hash) = parsed.ok_or_else(|| at_line("unreadable ledger head"))?;
            return Ok(Some(LedgerHead { seq, hash }));
        }
        if line.trim() == "judge_ledger_entries 0" {
            return Ok(None);
        }
    }
    if text.contains("Ledger: 0 entries") {
        return Ok(None);
    }
    Err(bad(
        "holds no ledger head (expected a judge report or judge drift's metrics file)",
    ))
}

pub fn rebaselines(store: &mut Store) -> Result<BTreeMap<String, String>> {
    let mut since = BTreeMap::new();
    for stored in entries(store)? {
        let entry = stored.parse()?;
        if !entry.rebaseline {
            continue;
        }
        let Some(alarm_id) = entry.subject.alarm_id()? else {
            continue;
        };
        let alarm: Option<(String, String)> = store
            .connection()
            .query_row(
                "SELECT stream, alarm_period FROM alarms WHERE id = ?1",
                [alarm_id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        if let Some((stream, period)) = alarm {
            since.insert(stream, period);
        }
    }
    Ok(since)
}

/// A decision that is owed: an open alarm, a failed verdict of a sampled output (a record in
/// the review queue) or a suite run with failed cases, that nobody decided on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gap {
    /// What the decision would be about: `judge decide` takes it as it is.
    pub subject: Subject,
    /// When the alarm was raised or the verdict scored (the earliest failing score of the
    /// pair), RFC 3339 UTC.
    pub since: String,
    /// Whole days from `since` to now.
    pub age_days: i64,
    /// The subject in words.
    pub detail: String,
}

impl Subject {
    pub fn alarm(id: i64) -> Subject {
        Subject {
            kind: SubjectKind::Alarm,
            id: id.to_string(),
            rubric: None,
        }
    }

    pub fn record(id: &str, rubric: Option<&str>) -> Subject {
        Subject {
            kind: SubjectKind::Record,
            id: id.to_string(),
            rubric: rubric.map(str::to_string),
        }
    }

    pub fn suite_run(id: &str) -> Subject {
        Subject {
            kind: SubjectKind::SuiteRun,
            id: id.to_string(),
            rubric: None,
        }
    }

    /// The alarm id of an alarm subject.
    pub fn alarm_id(&self) -> Result<Option<i64>> {
        if self.kind != SubjectKind::Alarm {
            return Ok(None);
        }
        let id = self
            .id
            .parse()
            .with_context(|| format!("alarm id `{}` is not a number", self.id))?;
        Ok(Some(id))
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.kind, &self.rubric) {
            (SubjectKind::Alarm, _) => write!(f, "alarm {}", self.id),
            (SubjectKind::Record, None) => write!(f, "record `{}`", self.id),
            (SubjectKind::Record, Some(rubric)) => {
                write!(f, "record `{}` under rubric {rubric}", self.id)
            }
            (SubjectKind::SuiteRun, _) => write!(f, "suite run `{}`", self.id),
        }
    }
}

impl Position {
    pub fn as_str(self) -> &'static str {
        match self {
            Position::Accepted => "accepted",
            Position::Flagged => "flagged",
            Position::Dismissed => "dismissed",
        }
    }
}

impl Entry {
    /// The canonical serialization, the bytes the hash covers.
    pub fn canonical_json(&self) -> String {
        canonical_json(&serde_json::to_value(self).expect("an entry is plain JSON"))
    }

    /// The entry's hash: SHA-256 of [`Entry::canonical_json`], lowercase hex.
    pub fn hash(&self) -> String {
        sha256_hex(&self.canonical_json())
    }
}

impl StoredEntry {
    /// The entry's content, parsed without checking the chain.
    pub fn parse(&self) -> Result<Entry> {
        serde_json::from_str(&self.entry)
            .with_context(|| format!("ledger entry {} is not a valid entry", self.seq))
    }
}

/// Appends a decision, checked against the store: the subject must exist (an alarm open), the
/// reason and the decider must not be blank, and the ledger must verify, since chaining a new
/// decision onto a broken ledger would bury the break. A decision on an alarm acknowledges it
/// in the same transaction, so there is never an acknowledged alarm without its decision nor
/// a decision on an alarm left open.
pub fn append_decision(store: &mut Store, decision: &Decision) -> Result<Entry> {
    let context = format!(
        "recording a decision on {} in the ledger of store {}",
        decision.subject,
        store.path().display()
    );
    check_decision(decision).with_context(|| context.clone())?;
    // IMMEDIATE takes the write lock now: the last entry read below stays the last one until
    // the new entry is written after it.
    store
        .connection()
        .execute_batch("BEGIN IMMEDIATE")
        .with_context(|| context.clone())?;
    let appended = append_in_transaction(store, decision);
    let conn = store.connection();
    let finished = match appended {
        Ok(entry) => match conn.execute_batch("COMMIT") {
            Ok(()) => Ok(entry),
            Err(error) => Err(anyhow::Error::from(error).context("committing")),
        },
        Err(error) => Err(error),
    };
    if finished.is_err() {
        // The error that stopped the append is the one to report; should the rollback fail
        // too, SQLite still drops the uncommitted transaction when the connection closes.
        let _ = conn.execute_batch("ROLLBACK");
    }
    finished.with_context(|| context)
}

/// Every entry of the store's ledger, in seq order, as stored.
pub fn entries(store: &mut Store) -> Result<Vec<StoredEntry>> {
    let path = store.path().display().to_string();
    read_entries(store.connection()).with_context(|| format!("reading the ledger of store {path}"))
}

/// Checks the chain: seq runs 1..n, every entry is a schema 1 entry whose content hashes to
/// its stored hash, and every `prev` is the hash of the entry before. Names the first entry
/// that fails.
pub fn verify_entries(entries: &[StoredEntry]) -> Result<(), ChainError> {
    let mut prev = GENESIS_PREV;
    for (position, stored) in entries.iter().enumerate() {
        let fail = |problem| ChainError {
            position,
            seq: stored.seq,
            problem,
        };
        let expected = position as i64 + 1;
        if stored.seq != expected {
            return Err(fail(ChainProblem::OutOfSequence { expected }));
        }
        let value: Value = serde_json::from_str(&stored.entry)
            .map_err(|e| fail(ChainProblem::Malformed(format!("not JSON: {e}"))))?;
        if !value.is_object() {
            return Err(fail(ChainProblem::Malformed("not a JSON object".into())));
        }
        let computed = sha256_hex(&canonical_json(&value));
        if computed != stored.hash {
            return Err(fail(ChainProblem::HashMismatch {
                stored: stored.hash.clone(),
                computed,
            }));
        }
        match value.get("schema") {
            Some(schema) if schema.as_u64() == Some(u64::from(SCHEMA)) => {}
            Some(other) => return Err(fail(ChainProblem::UnknownSchema(other.to_string()))),
            None => return Err(fail(ChainProblem::UnknownSchema("(missing)".into()))),
        }
        let entry: Entry = serde_json::from_value(value)
            .map_err(|e| fail(ChainProblem::Malformed(e.to_string())))?;
        if entry.seq != stored.seq {
            return Err(fail(ChainProblem::SeqDisagrees {
                inside: entry.seq,
                outside: stored.seq,
            }));
        }
        if entry.prev != prev {
            return Err(fail(ChainProblem::BrokenLink {
                expected: prev.to_string(),
                found: entry.prev,
            }));
        }
        prev = &stored.hash;
    }
    Ok(())
}

/// Checks that every acknowledged alarm of the store was acknowledged by a decision on it
/// that is still in `entries`: this catches a deleted or rewritten last decision, which the
/// chain alone cannot, and an alarm acknowledged outside the ledger.
pub fn check_acknowledgements(store: &mut Store, entries: &[StoredEntry]) -> Result<()> {
    let path = store.path().display().to_string();
    let acknowledged = read_acknowledged_alarms(store.connection())
        .with_context(|| format!("reading the acknowledged alarms of store {path}"))?;
    let decided: BTreeMap<&str, Option<i64>> = entries
        .iter()
        .map(|stored| {
            let alarm = stored
                .parse()
                .ok()
                .and_then(|entry| entry.subject.alarm_id().ok().flatten());
            (stored.hash.as_str(), alarm)
        })
        .collect();
    for (alarm_id, acknowledgement) in acknowledged {
        let by = acknowledgement.as_deref().unwrap_or("");
        if decided.get(by) != Some(&Some(alarm_id)) {
            bail!(
                "alarm {alarm_id} of store {path} is acknowledged by `{by}`, which is not the \
                 hash of a decision on it in the ledger: that decision was deleted or \
                 rewritten, or the alarm was acknowledged outside the ledger"
            );
        }
    }
    Ok(())
}

/// The ledger as JSONL, one entry a line: `{"seq":SEQ,"entry":ENTRY,"hash":"HASH"}`.
pub fn export_jsonl(entries: &[StoredEntry]) -> Result<String> {
    let mut out = String::new();
    for stored in entries {
        let value: Value = serde_json::from_str(&stored.entry)
            .with_context(|| format!("ledger entry {} is not JSON", stored.seq))?;
        out.push_str(&format!(
            "{{\"seq\":{},\"entry\":{},\"hash\":{}}}\n",
            stored.seq,
            canonical_json(&value),
            Value::String(stored.hash.clone())
        ));
    }
    Ok(out)
}

/// Writes [`export_jsonl`] to `path`, atomically: a reader never sees half an export.
pub fn write_export(path: &Path, entries: &[StoredEntry]) -> Result<()> {
    let text = export_jsonl(entries)?;
    crate::output::write_atomically(path, text.as_bytes())?;
    Ok(())
}

/// Reads an export written by [`write_export`], without verifying it. Every line must be one
/// entry: a blank or unreadable line is an error naming it.
pub fn read_export(path: &Path) -> Result<Vec<StoredEntry>> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct ExportLine {
        seq: i64,
        entry: serde_json::Map<String, Value>,
        hash: String,
    }
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading ledger export {}", path.display()))?;
    let mut entries = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let at = || format!("ledger export {} line {}", path.display(), index + 1);
        if line.trim().is_empty() {
            bail!("{} is blank (an export has one entry a line)", at());
        }
        let parsed: ExportLine = serde_json::from_str(line)
            .with_context(|| format!("{} is not a ledger export line", at()))?;
        entries.push(StoredEntry {
            seq: parsed.seq,
            entry: canonical_json(&Value::Object(parsed.entry)),
            hash: parsed.hash,
        });
    }
    Ok(entries)
}

/// The decisions owed, oldest first: open alarms, and (record, rubric) pairs with a failed
/// verdict and no decision on the record under that rubric or on the record as a whole.
pub fn gaps(store: &mut Store) -> Result<Vec<Gap>> {
    gaps_as_of(store, Utc::now())
}

/// The canonical serialization of a JSON value: keys sorted at every depth, compact.
pub fn canonical_json(value: &Value) -> String {
    serde_json::to_string(&sorted(value)).expect("a JSON value serializes")
}

/// SHA-256 of the text's UTF-8 bytes, lowercase hex.
pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Checks what needs no store.
fn check_decision(decision: &Decision) -> Result<()> {
    if !has_visible_text(&decision.reason) {
        bail!("the reason is empty or invisible (only spaces or zero-width characters): say why");
    }
    if !has_visible_text(&decision.by) {
        bail!(
            "the decider's name is empty or invisible (only spaces or zero-width characters): \
             give --by NAME"
        );
    }
    if decision.by.chars().any(char::is_control) {
        bail!("the decider's name holds a control character (a line break?): give one line");
    }
    if PLACEHOLDER_NAMES.contains(&decision.by.trim().to_lowercase().as_str()) {
        bail!(
            "`{}` names nobody: give --by the name of the person who decides",
            decision.by.trim()
        );
    }
    if decision.subject.id.trim().is_empty() {
        bail!("the subject id is empty");
    }
    if decision.rebaseline && decision.subject.kind != SubjectKind::Alarm {
        bail!("rebaseline applies only to a decision on an alarm");
    }
    if decision.subject.rubric.is_some() && decision.subject.kind != SubjectKind::Record {
        bail!("a rubric applies only to a decision on a record");
    }
    decision.subject.alarm_id()?;
    Ok(())
}

/// Names that record nobody in particular; a new decision's `by` may not be one of them.
const PLACEHOLDER_NAMES: [&str; 5] = ["unknown", "nobody", "none", "n/a", "-"];

/// Whether `text` holds a character a reader can see: not whitespace, not a control
/// character, not one of the invisible formatting characters (zero-width space and joiners,
/// word joiner, byte-order mark, soft hyphen, direction marks, Hangul fillers, tag characters).
pub fn has_visible_text(text: &str) -> bool {
    text.chars().any(|c| {
        !(c.is_whitespace()
            || c.is_control()
            || matches!(
                c,
                '\u{00AD}'
                    | '\u{034F}'
                    | '\u{061C}'
                    | '\u{115F}'
                    | '\u{1160}'
                    | '\u{17B4}'
                    | '\u{17B5}'
                    | '\u{180B}'..='\u{180F}'
                    | '\u{200B}'..='\u{200F}'
                    | '\u{202A}'..='\u{202E}'
                    | '\u{2060}'..='\u{206F}'
                    | '\u{2800}'
                    | '\u{3164}'
                    | '\u{FE00}'..='\u{FE0F}'
                    | '\u{FEFF}'
                    | '\u{FFA0}'
                    | '\u{FFF9}'..='\u{FFFB}'
                    | '\u{E0000}'..='\u{E007F}'
            ))
    })
}

/// The append proper, inside the caller's write transaction.
fn append_in_transaction(store: &mut Store, decision: &Decision) -> Result<Entry> {
    let conn = store.connection();
    let existing = read_entries(conn).context("reading the ledger")?;
    verify_entries(&existing).map_err(|error| {
        anyhow::anyhow!("the ledger is broken, refusing to append to it: {error}")
    })?;
    check_subject(conn, &decision.subject, &existing)?;
    let entry = Entry {
        schema: SCHEMA,
        seq: existing.len() as i64 + 1,
        ts: crate::store::now(),
        by: decision.by.clone(),
        subject: decision.subject.clone(),
        position: decision.position,
        reason: decision.reason.clone(),
        rebaseline: decision.rebaseline,
        prev: existing
            .last()
            .map_or(GENESIS_PREV.to_string(), |last| last.hash.clone()),
    };
    let hash = entry.hash();
    conn.execute(
        "INSERT INTO ledger (seq, entry, hash) VALUES (?1, ?2, ?3)",
        params![entry.seq, entry.canonical_json(), hash],
    )
    .with_context(|| format!("writing ledger entry {}", entry.seq))?;
    if let Some(alarm_id) = decision.subject.alarm_id()? {
        store.acknowledge_alarm(alarm_id, &hash)?;
    }
    Ok(entry)
}

/// Refuses a subject that does not exist, or an alarm a decision already acknowledged.
fn check_subject(conn: &Connection, subject: &Subject, existing: &[StoredEntry]) -> Result<()> {
    match subject.kind {
        SubjectKind::Alarm => {
            let alarm_id = subject.alarm_id()?.expect("an alarm subject");
            let found: Option<(Option<String>, Option<String>)> = conn
                .query_row(
                    "SELECT acknowledged_at, acknowledgement FROM alarms WHERE id = ?1",
                    [alarm_id],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()
                .with_context(|| format!("reading alarm {alarm_id}"))?;
            match found {
                None => bail!("alarm {alarm_id} does not exist"),
                Some((Some(at), acknowledgement)) => {
                    let by = acknowledgement.unwrap_or_default();
                    let entry = existing.iter().find(|stored| stored.hash == by);
                    match entry {
                        Some(stored) => bail!(
                            "alarm {alarm_id} is already acknowledged, by ledger entry {} at {at}",
                            stored.seq
                        ),
                        None => bail!("alarm {alarm_id} is already acknowledged (at {at})"),
                    }
                }
                Some((None, _)) => Ok(()),
            }
        }
        SubjectKind::Record => {
            let exists = conn
                .prepare("SELECT 1 FROM records WHERE id = ?1")?
                .exists([&subject.id])
                .with_context(|| format!("reading record `{}`", subject.id))?;
            if !exists {
                bail!("record `{}` does not exist", subject.id);
            }
            if let Some(rubric) = &subject.rubric {
                let scored = conn
                    .prepare("SELECT 1 FROM scores WHERE record_id = ?1 AND rubric_id = ?2")?
                    .exists(params![subject.id, rubric])
                    .with_context(|| format!("reading the scores of record `{}`", subject.id))?;
                if !scored {
                    bail!(
                        "record `{}` has no score under rubric `{rubric}`",
                        subject.id
                    );
                }
            }
            Ok(())
        }
        SubjectKind::SuiteRun => {
            let exists = match subject.id.parse::<i64>() {
                Ok(run_id) => conn
                    .prepare("SELECT 1 FROM suite_runs WHERE id = ?1")?
                    .exists([run_id])
                    .with_context(|| format!("reading suite run {run_id}"))?,
                Err(_) => false,
            };
            if !exists {
                bail!(
                    "suite run `{}` does not exist (`judge suite runs` lists the stored runs)",
                    subject.id
                );
            }
            Ok(())
        }
    }
}

fn read_entries(conn: &Connection) -> Result<Vec<StoredEntry>> {
    let mut statement = conn.prepare("SELECT seq, entry, hash FROM ledger ORDER BY seq")?;
    let rows = statement.query_map([], |row| {
        Ok(StoredEntry {
            seq: row.get(0)?,
            entry: row.get(1)?,
            hash: row.get(2)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Alarm ids and their acknowledgements, of the acknowledged alarms.
fn read_acknowledged_alarms(conn: &Connection) -> Result<Vec<(i64, Option<String>)>> {
    let mut statement = conn.prepare(
        "SELECT id, acknowledgement FROM alarms WHERE acknowledged_at IS NOT NULL ORDER BY id",
    )?;
    let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A (record, rubric) pair with failed verdicts: its record, rubric, the rubric versions
/// that failed, and when the first failure was scored.
struct FailedPair {
    record_id: String,
    rubric_id: String,
    versions: Vec<u32>,
    first_scored_at: String,
}

/// The pairs of reviewed outputs (records in the review queue, for every rubric or for that
/// one) with a scored `fail` verdict under any rubric version or judge: what a human was to
/// look at. `ScoreRow` has no `scored_at`, so this reads the scores table itself.
fn read_failed_pairs(conn: &Connection) -> Result<Vec<FailedPair>> {
    let mut statement = conn.prepare(
        "SELECT record_id, rubric_id, rubric_version, scored_at FROM scores \
         WHERE outcome = 'scored' AND verdict = 'fail' \
         AND EXISTS (SELECT 1 FROM review_queue AS q WHERE q.record_id = scores.record_id \
                     AND (q.rubric_id IS NULL OR q.rubric_id = scores.rubric_id)) \
         ORDER BY record_id, rubric_id, rubric_version, scored_at",
    )?;
    let mut rows = statement.query([])?;
    let mut pairs: Vec<FailedPair> = Vec::new();
    while let Some(row) = rows.next()? {
        let record_id: String = row.get(0)?;
        let rubric_id: String = row.get(1)?;
        let version: u32 = row.get(2)?;
        let scored_at: String = row.get(3)?;
        match pairs.last_mut() {
            Some(pair) if pair.record_id == record_id && pair.rubric_id == rubric_id => {
                if !pair.versions.contains(&version) {
                    pair.versions.push(version);
                }
                if scored_at < pair.first_scored_at {
                    pair.first_scored_at = scored_at;
                }
            }
            _ => pairs.push(FailedPair {
                record_id,
                rubric_id,
                versions: vec![version],
                first_scored_at: scored_at,
            }),
        }
    }
    Ok(pairs)
}

fn gaps_as_of(store: &mut Store, now: DateTime<Utc>) -> Result<Vec<Gap>> {
    let path = store.path().display().to_string();
    let alarms = store.open_alarms()?;
    let decided: Vec<Subject> = entries(store)?
        .iter()
        .map(|stored| stored.parse().map(|entry| entry.subject))
        .collect::<Result<_>>()?;
    let failed = read_failed_pairs(store.connection())
        .with_context(|| format!("reading the failed verdicts of store {path}"))?;

    let mut gaps = Vec::new();
    for alarm in alarms {
        gaps.push(Gap {
            subject: Subject::alarm(alarm.id),
            age_days: age_days(&alarm.raised_at, now)
                .with_context(|| format!("alarm {} of store {path}", alarm.id))?,
            since: alarm.raised_at,
            detail: format!(
                "{} {}: in alarm in {}, changed in {}",
                alarm.stream,
                alarm.direction,
                alarm.alarm_period,
                alarm
                    .change_period
                    .as_deref()
                    .unwrap_or("an unknown period")
            ),
        });
    }
    for pair in failed {
        let covered = decided.iter().any(|subject| {
            subject.kind == SubjectKind::Record
                && subject.id == pair.record_id
                && subject
                    .rubric
                    .as_ref()
                    .is_none_or(|rubric| *rubric == pair.rubric_id)
        });
        if covered {
            continue;
        }
        let versions: Vec<String> = pair.versions.iter().map(|v| format!("v{v}")).collect();
        gaps.push(Gap {
            subject: Subject::record(&pair.record_id, Some(&pair.rubric_id)),
            age_days: age_days(&pair.first_scored_at, now)
                .with_context(|| format!("score of record `{}` in store {path}", pair.record_id))?,
            since: pair.first_scored_at,
            detail: format!(
                "verdict fail under rubric {} {}",
                pair.rubric_id,
                versions.join(", ")
            ),
        });
    }
    for (run, cases) in crate::suite_runs::runs_with_failures(store)
        .with_context(|| format!("reading the suite runs of store {path}"))?
    {
        let id = run.id.to_string();
        let covered = decided
            .iter()
            .any(|subject| subject.kind == SubjectKind::SuiteRun && subject.id == id);
        if covered {
            continue;
        }
        let since = run
            .finished_at
            .clone()
            .unwrap_or_else(|| run.started_at.clone());
        gaps.push(Gap {
            subject: Subject::suite_run(&id),
            age_days: age_days(&since, now)
                .with_context(|| format!("suite run {id} of store {path}"))?,
            since,
            detail: format!(
                "suite {} v{}: {} of {} judged case(s) failed: {}",
                run.suite_id,
                run.suite_version,
                run.counts.n_fail,
                run.counts.n_pass + run.counts.n_fail,
                cases.join(", ")
            ),
        });
    }
    // The timestamps are written by the store as RFC 3339 UTC to the second, so their text
    // order is their time order.
    gaps.sort_by(|a, b| {
        (&a.since, a.subject.kind, &a.subject.id).cmp(&(&b.since, b.subject.kind, &b.subject.id))
    });
    Ok(gaps)
}

fn age_days(since: &str, now: DateTime<Utc>) -> Result<i64> {
    let since = DateTime::parse_from_rfc3339(since)
        .with_context(|| format!("timestamp `{since}` is not RFC 3339"))?;
    Ok((now - since.with_timezone(&Utc)).num_days().max(0))
}

/// The value with object keys sorted at every depth, whatever order its maps keep.
fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut fields: Vec<_> = map.iter().collect();
            fields.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(
                fields
                    .into_iter()
                    .map(|(key, value)| (key.clone(), sorted(value)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    use super::*;
    use crate::records::{Record, Source};
    use crate::store::{JudgeInfo, NewAlarm, Outcome, ScoreRow, Verdict};

    fn record(id: &str) -> Record {
        Record {
            id: id.to_string(),
            ts: "2026-09-01T10:00:00Z".to_string(),
            role: "worker".to_string(),
            agent: "worker-1".to_string(),
            input: "task".to_string(),
            output: "done".to_string(),
            escalated: Some(false),
            labels: BTreeMap::new(),
            meta: serde_json::Map::new(),
        }
    }

    fn score(record_id: &str, rubric_id: &str, verdict: Verdict) -> ScoreRow {
        let p_pass = if verdict == Verdict::Pass { 0.9 } else { 0.1 };
        ScoreRow {
            record_id: record_id.to_string(),
            rubric_id: rubric_id.to_string(),
            rubric_version: 1,
            fingerprint: "f1".to_string(),
            outcome: Outcome::Scored,
            p_pass: Some(p_pass),
            verdict: Some(verdict),
            logprob_pass: Some(f64::ln(p_pass)),
            logprob_fail: Some(f64::ln(1.0 - p_pass)),
            n_prompt_tokens: 100,
        }
    }

    fn alarm(stream: &str) -> NewAlarm {
        NewAlarm {
            stream: stream.to_string(),
            direction: "lower".to_string(),
            alarm_period: "2026-W41".to_string(),
            change_period: Some("2026-W39".to_string()),
            statistic: 12.0,
            h: 9.0,
        }
    }

    /// A store with records a and b, a failed verdict of a under `tone`, a passed one of b, and
    /// two open alarms (ids 1 and 2).
    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("judge.db")).unwrap();
        let sourced: Vec<(Source, Record)> = ["a", "b"]
            .iter()
            .enumerate()
            .map(|(index, id)| {
                let source = Source {
                    file: PathBuf::from("r.jsonl"),
                    line: index + 1,
                };
                (source, record(id))
            })
            .collect();
        store.ingest_records(&sourced).unwrap();
        store
            .register_judge(&JudgeInfo {
                fingerprint: "f1".to_string(),
                model_name: "tiny".to_string(),
                model_sha256: "00".repeat(32),
                template_sha256: "11".repeat(32),
                engine_version: "engine-1".to_string(),
            })
            .unwrap();
        store
            .insert_scores(
                &[
                    score("a", "tone", Verdict::Fail),
                    score("b", "tone", Verdict::Pass),
                ],
                None,
                false,
            )
            .unwrap();
        // Suite run 7, finished, for decisions on suite runs.
        store
            .connection()
            .execute_batch(
                "INSERT INTO suite_runs (id, suite_id, suite_version, suite_sha256, role, agent, \
                 started_at, status) VALUES (7, 'worker', 1, '', 'worker', 'cmd', \
                 '2026-10-01T00:00:00Z', 'done')",
            )
            .unwrap();
        // Failed verdicts owe a decision when a human was to review them: both are sampled.
        store
            .connection()
            .execute_batch(
                "INSERT INTO review_queue (record_id, reason, added_at) VALUES \
                 ('a', 'sample', '2026-10-01T00:00:00Z'), ('b', 'sample', '2026-10-01T00:00:00Z')",
            )
            .unwrap();
        store.raise_alarm(&alarm("escalations/worker")).unwrap();
        store.raise_alarm(&alarm("escalations/foreman")).unwrap();
        (dir, store)
    }

    fn decision(subject: Subject, reason: &str) -> Decision {
        Decision {
            subject,
            position: Position::Accepted,
            reason: reason.to_string(),
            by: "ana".to_string(),
            rebaseline: false,
        }
    }

    /// A store whose ledger holds three decisions: on alarm 1, on record a under tone, and on
    /// a suite run.
    fn chain_of_three() -> (tempfile::TempDir, Store, Vec<StoredEntry>) {
        let (dir, mut store) = store();
        append_decision(
            &mut store,
            &decision(Subject::alarm(1), "the new runbook cut escalations"),
        )
        .unwrap();
        append_decision(
            &mut store,
            &decision(Subject::record("a", Some("tone")), "curt but correct"),
        )
        .unwrap();
        append_decision(
            &mut store,
            &decision(Subject::suite_run("7"), "known flaky case"),
        )
        .unwrap();
        let stored = entries(&mut store).unwrap();
        (dir, store, stored)
    }

    fn problem_at(entries: &[StoredEntry]) -> (i64, ChainProblem) {
        let error = verify_entries(entries).unwrap_err();
        (error.seq, error.problem)
    }

    #[test]
    fn anchors_are_read_from_reports_and_metrics() {
        let dir = tempfile::tempdir().unwrap();
        let head = LedgerHead {
            seq: 3,
            hash: "ab".repeat(32),
        };
        let write = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            path
        };
        let cases = [
            ("m.prom", LedgerHead::prometheus(3, true, Some(&head))),
            (
                "r.md",
                format!("Ledger: 3 entries, hash chain intact; {head}.\n"),
            ),
            (
                "r.json",
                serde_json::json!({"ledger": {"entries": 3, "head": head}}).to_string(),
            ),
        ];
        for (name, text) in cases {
            assert_eq!(
                read_anchor(&write(name, &text)).unwrap(),
                Some(head.clone()),
                "{name}"
            );
        }
        let empty = write("e.prom", &LedgerHead::prometheus(0, true, None));
        assert_eq!(read_anchor(&empty).unwrap(), None);
        // A broken chain publishes no head, and a file without one is no anchor.
        for (name, text) in [
            ("b.prom", LedgerHead::prometheus(3, false, Some(&head))),
            ("x.txt", "hello".to_string()),
        ] {
            let path = write(name, &text);
            let error = read_anchor(&path).unwrap_err().to_string();
            assert!(error.starts_with(&path.display().to_string()), "{error}");
            assert!(error.contains("holds no ledger head"), "{error}");
        }
    }

    #[test]
    fn invisible_text_is_no_text() {
        for invisible in [
            "",
            "  ",
            "\u{200B}",
            "\u{200B}\u{2060}\u{FEFF}",
            "\t\u{00AD}",
            "\u{3164}",
        ] {
            assert!(!has_visible_text(invisible), "{invisible:?}");
        }
        for visible in ["ana", " x ", "\u{200B}a", "李"] {
            assert!(has_visible_text(visible), "{visible:?}");
        }
    }
    #[test]
    fn the_documented_example_hashes_as_documented() {
        let entry = Entry {
            schema: 1,
            seq: 1,
            ts: "2026-10-12T09:30:00Z".to_string(),
            by: "ana".to_string(),
            subject: Subject::alarm(1),
            position: Position::Accepted,
            reason: "the worker got the new runbook".to_string(),
            rebaseline: false,
            prev: GENESIS_PREV.to_string(),
        };
        assert_eq!(
            entry.canonical_json(),
            r#"{"by":"ana","position":"accepted","prev":"0000000000000000000000000000000000000000000000000000000000000000","reason":"the worker got the new runbook","rebaseline":false,"schema":1,"seq":1,"subject":{"id":"1","kind":"alarm"},"ts":"2026-10-12T09:30:00Z"}"#
        );
        assert_eq!(
            entry.hash(),
            "fd509eff1c6ec698aec0aca9ed822ea5c0559ee6ccf9b4b47c354fecf655249e"
        );
        let on_record = Entry {
            subject: Subject::record("r\"1", Some("tone")),
            reason: "line\nbreak, é, /".to_string(),
            ..entry
        };
        let json = on_record.canonical_json();
        assert!(
            json.contains(r#""subject":{"id":"r\"1","kind":"record","rubric":"tone"}"#),
            "{json}"
        );
        assert!(json.contains(r#""reason":"line\nbreak, é, /""#), "{json}");
    }

    #[test]
    fn a_chain_of_three_verifies_and_links() {
        let (_dir, mut store, stored) = chain_of_three();
        assert_eq!(verify_entries(&stored), Ok(()));
        let parsed: Vec<Entry> = stored.iter().map(|s| s.parse().unwrap()).collect();
        assert_eq!(parsed[0].prev, GENESIS_PREV);
        assert_eq!(parsed[1].prev, stored[0].hash);
        assert_eq!(parsed[2].prev, stored[1].hash);
        assert_eq!(parsed.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2, 3]);
        for (entry, row) in parsed.iter().zip(&stored) {
            assert_eq!(entry.canonical_json(), row.entry, "stored canonically");
            assert_eq!(entry.hash(), row.hash);
        }
        assert!(parsed[0].ts.ends_with('Z'));
        check_acknowledgements(&mut store, &stored).unwrap();
    }

    #[test]
    fn one_changed_byte_of_a_reason_is_named() {
        let (_dir, mut store, _) = chain_of_three();
        store
            .connection()
            .execute(
                "UPDATE ledger SET entry = replace(entry, 'curt but correct', 'curt but correcT') \
                 WHERE seq = 2",
                [],
            )
            .unwrap();
        let tampered = entries(&mut store).unwrap();
        let (seq, problem) = problem_at(&tampered);
        assert_eq!(seq, 2);
        assert!(
            matches!(problem, ChainProblem::HashMismatch { .. }),
            "{problem}"
        );
        let message = verify_entries(&tampered).unwrap_err().to_string();
        assert!(message.starts_with("entry 2: "), "{message}");
        assert!(message.contains("edited"), "{message}");
    }

    #[test]
    fn a_rewritten_entry_with_its_hash_recomputed_breaks_the_next_link() {
        let (_dir, _store, mut stored) = chain_of_three();
        let mut entry = stored[1].parse().unwrap();
        entry.position = Position::Dismissed;
        stored[1].entry = entry.canonical_json();
        stored[1].hash = entry.hash();
        let (seq, problem) = problem_at(&stored);
        assert_eq!(seq, 3);
        assert!(
            matches!(problem, ChainProblem::BrokenLink { .. }),
            "{problem}"
        );
    }

    #[test]
    fn swapped_entries_are_caught() {
        let (_dir, _store, mut stored) = chain_of_three();
        stored.swap(1, 2);
        assert_eq!(
            problem_at(&stored),
            (3, ChainProblem::OutOfSequence { expected: 2 })
        );
        // Swapped with their seq numbers exchanged too: the content still says otherwise.
        stored[0].seq = 1;
        stored[1].seq = 2;
        stored[2].seq = 3;
        assert_eq!(
            problem_at(&stored),
            (
                2,
                ChainProblem::SeqDisagrees {
                    inside: 3,
                    outside: 2
                }
            )
        );
    }

    #[test]
    fn a_deleted_entry_is_caught() {
        let (_dir, _store, mut stored) = chain_of_three();
        stored.remove(1);
        assert_eq!(
            problem_at(&stored),
            (3, ChainProblem::OutOfSequence { expected: 2 })
        );
        // Renumbered after the deletion: the link to the entry before is gone.
        let (_dir, _store, mut stored) = chain_of_three();
        stored.remove(0);
        for (index, row) in stored.iter_mut().enumerate() {
            row.seq = index as i64 + 1;
        }
        let (seq, problem) = problem_at(&stored);
        assert_eq!(seq, 1);
        assert!(
            matches!(problem, ChainProblem::SeqDisagrees { .. }),
            "{problem}"
        );
    }

    #[test]
    fn a_forged_entry_with_a_wrong_prev_is_caught() {
        let (_dir, _store, mut stored) = chain_of_three();
        let mut forged = stored[2].parse().unwrap();
        forged.seq = 4;
        forged.reason = "nothing to see".to_string();
        forged.prev = stored[1].hash.clone();
        stored.push(StoredEntry {
            seq: 4,
            entry: forged.canonical_json(),
            hash: forged.hash(),
        });
        let (seq, problem) = problem_at(&stored);
        assert_eq!(seq, 4);
        assert!(
            matches!(problem, ChainProblem::BrokenLink { .. }),
            "{problem}"
        );
    }

    #[test]
    fn malformed_and_unknown_schema_entries_are_named() {
        let (_dir, _store, stored) = chain_of_three();
        let mut not_json = stored.clone();
        not_json[0].entry.push('}');
        assert!(matches!(
            problem_at(&not_json),
            (1, ChainProblem::Malformed(_))
        ));
        let mut future = stored.clone();
        let text = future[0].entry.replace("\"schema\":1", "\"schema\":2");
        future[0].hash = sha256_hex(&text);
        future[0].entry = text;
        assert_eq!(
            problem_at(&future),
            (1, ChainProblem::UnknownSchema("2".into()))
        );
        assert_eq!(verify_entries(&[]), Ok(()));
    }

    #[test]
    fn an_alarm_decision_acknowledges_the_alarm_in_the_same_append() {
        let (_dir, mut store) = store();
        let mut rebaseline = decision(Subject::alarm(2), "the foreman was retrained");
        rebaseline.rebaseline = true;
        let entry = append_decision(&mut store, &rebaseline).unwrap();
        assert!(entry.rebaseline);
        let open: Vec<i64> = store.open_alarms().unwrap().iter().map(|a| a.id).collect();
        assert_eq!(open, [1]);
        let acknowledgement: String = store
            .connection()
            .query_row(
                "SELECT acknowledgement FROM alarms WHERE id = 2",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(acknowledgement, entry.hash());

        let again = append_decision(&mut store, &decision(Subject::alarm(2), "twice"));
        let message = format!("{:#}", again.unwrap_err());
        assert!(
            message.contains("alarm 2 is already acknowledged, by ledger entry 1"),
            "{message}"
        );
        assert_eq!(entries(&mut store).unwrap().len(), 1, "nothing appended");
    }

    #[test]
    fn unknown_subjects_and_blank_reasons_are_refused() {
        let (_dir, mut store) = store();
        let path = store.path().display().to_string();
        for (decision, expected) in [
            (decision(Subject::alarm(9), "why"), "alarm 9 does not exist"),
            (
                decision(Subject::record("zz", None), "why"),
                "record `zz` does not exist",
            ),
            (
                decision(Subject::record("a", Some("accuracy")), "why"),
                "record `a` has no score under rubric `accuracy`",
            ),
            (
                decision(Subject::suite_run("8"), "why"),
                "suite run `8` does not exist",
            ),
            (
                decision(Subject::suite_run("nightly-7"), "why"),
                "suite run `nightly-7` does not exist",
            ),
            (decision(Subject::alarm(1), "  \n"), "the reason is empty"),
            (
                Decision {
                    rebaseline: true,
                    ..decision(Subject::record("a", None), "why")
                },
                "rebaseline applies only to a decision on an alarm",
            ),
        ] {
            let message = format!("{:#}", append_decision(&mut store, &decision).unwrap_err());
            assert!(message.contains(expected), "{message}");
            assert!(message.contains(&path), "{message}");
        }
        assert!(entries(&mut store).unwrap().is_empty());
        assert_eq!(store.open_alarms().unwrap().len(), 2);
    }

    #[test]
    fn appending_to_a_broken_ledger_is_refused() {
        let (_dir, mut store, _) = chain_of_three();
        store
            .connection()
            .execute("DELETE FROM ledger WHERE seq = 2", [])
            .unwrap();
        let result = append_decision(&mut store, &decision(Subject::alarm(2), "why"));
        let message = format!("{:#}", result.unwrap_err());
        assert!(message.contains("the ledger is broken"), "{message}");
        assert!(message.contains("entry 3"), "{message}");
        assert_eq!(store.open_alarms().unwrap().len(), 1, "alarm 2 stays open");
    }

    #[test]
    fn a_deleted_last_alarm_decision_is_caught_by_its_acknowledgement() {
        let (_dir, mut store) = store();
        append_decision(&mut store, &decision(Subject::alarm(1), "fine")).unwrap();
        store
            .connection()
            .execute("DELETE FROM ledger WHERE seq = 1", [])
            .unwrap();
        let stored = entries(&mut store).unwrap();
        assert_eq!(
            verify_entries(&stored),
            Ok(()),
            "the chain alone cannot tell"
        );
        let message = check_acknowledgements(&mut store, &stored)
            .unwrap_err()
            .to_string();
        assert!(message.contains("alarm 1"), "{message}");
        assert!(message.contains("not the hash of a decision"), "{message}");
    }

    #[test]
    fn export_round_trips_and_tolerates_key_order() {
        let (dir, _store, stored) = chain_of_three();
        let path = dir.path().join("ledger.jsonl");
        write_export(&path, &stored).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 3);
        assert!(
            text.starts_with("{\"seq\":1,\"entry\":{\"by\":\"ana\""),
            "{text}"
        );
        assert_eq!(read_export(&path).unwrap(), stored);

        // The same entry with its keys reordered and spaced out is the same entry.
        let first: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        let mut reordered = String::from("{ \"hash\": ");
        reordered.push_str(&first["hash"].to_string());
        reordered.push_str(", \"entry\": { \"ts\": ");
        reordered.push_str(&first["entry"]["ts"].to_string());
        for (key, value) in first["entry"].as_object().unwrap() {
            if key != "ts" {
                reordered.push_str(&format!(", \"{key}\": {value}"));
            }
        }
        reordered.push_str(" }, \"seq\": 1 }");
        let rest: Vec<&str> = text.lines().skip(1).collect();
        std::fs::write(&path, format!("{reordered}\n{}\n", rest.join("\n"))).unwrap();
        let reread = read_export(&path).unwrap();
        assert_eq!(reread, stored);
        assert_eq!(verify_entries(&reread), Ok(()));

        std::fs::write(&path, format!("{}\n\n{}\n", rest[0], rest[1])).unwrap();
        let message = format!("{:#}", read_export(&path).unwrap_err());
        assert!(message.contains("line 2 is blank"), "{message}");
        std::fs::write(&path, "{\"seq\":1}\n").unwrap();
        let message = format!("{:#}", read_export(&path).unwrap_err());
        assert!(
            message.contains("line 1 is not a ledger export line"),
            "{message}"
        );
    }

    #[test]
    fn gaps_list_what_no_decision_covers_oldest_first() {
        let (_dir, mut store) = store();
        store
            .connection()
            .execute_batch(
                "UPDATE alarms SET raised_at = '2026-10-01T00:00:00Z' WHERE id = 1; \
                 UPDATE alarms SET raised_at = '2026-10-05T00:00:00Z' WHERE id = 2; \
                 UPDATE scores SET scored_at = '2026-10-03T12:00:00Z';",
            )
            .unwrap();
        let now = DateTime::parse_from_rfc3339("2026-10-11T06:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let gaps = gaps_as_of(&mut store, now).unwrap();
        let summary: Vec<(String, i64)> = gaps
            .iter()
            .map(|gap| (gap.subject.to_string(), gap.age_days))
            .collect();
        assert_eq!(
            summary,
            [
                ("alarm 1".to_string(), 10),
                ("record `a` under rubric tone".to_string(), 7),
                ("alarm 2".to_string(), 6),
            ]
        );
        assert_eq!(gaps[1].detail, "verdict fail under rubric tone v1");
        assert!(gaps[0].detail.contains("escalations/worker lower"));

        // A decision on the record as a whole covers its failed verdicts; a decision on the
        // alarm closes it.
        append_decision(&mut store, &decision(Subject::record("a", None), "ok")).unwrap();
        append_decision(&mut store, &decision(Subject::alarm(2), "ok")).unwrap();
        let gaps = gaps_as_of(&mut store, now).unwrap();
        assert_eq!(gaps.len(), 1);
        assert_eq!(gaps[0].subject, Subject::alarm(1));
        let json = serde_json::to_value(&gaps[0]).unwrap();
        assert_eq!(
            json["subject"],
            serde_json::json!({"kind": "alarm", "id": "1"})
        );
    }

    #[test]
    fn a_decision_under_another_rubric_leaves_the_gap_open() {
        let (_dir, mut store) = store();
        store
            .insert_scores(&[score("a", "accuracy", Verdict::Pass)], None, false)
            .unwrap();
        append_decision(
            &mut store,
            &decision(Subject::record("a", Some("accuracy")), "fine"),
        )
        .unwrap();
        let records: Vec<String> = gaps(&mut store)
            .unwrap()
            .iter()
            .filter(|gap| gap.subject.kind == SubjectKind::Record)
            .map(|gap| gap.subject.to_string())
            .collect();
        assert_eq!(records, ["record `a` under rubric tone"]);
    }
}
