//! The weekly report: everything a reviewer needs about one period, gathered from the store
//! into [`ReportData`] and rendered as one self-contained HTML page ([`html`]), Markdown
//! ([`markdown`]) or JSON (the serde form of [`ReportData`], versioned by [`SCHEMA`]).
//!
//! A report covers the history up to and including its period, so that charts show the trend,
//! and highlights the period itself: pass rates per role and rubric, escalations against task
//! volume, every stream's CUSUM charts (computed afresh over that history), the open alarms,
//! the decisions recorded since the period began and the items still waiting for one (the
//! ledger's gaps), oldest first.
//!
//! Gathering only reads the store: it does not raise alarms (that is `judge drift`'s job, and
//! a chart in alarm that `judge drift` has not raised yet shows as `unraised`), and it writes
//! no ledger entry. Open alarms, gaps and decisions are as of the time the report is made.

pub mod charts;
pub mod html;
pub mod markdown;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{bail, Context, Result};
use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use rusqlite::OptionalExtension;
use serde::Serialize;

use crate::ledger::{self, Gap, SubjectKind};
use crate::store::{AlarmRow, Store};
use crate::streams::{self, ChartReport, DriftConfig, PeriodKind, StreamKind};

/// The version of the JSON form. A change that removes or changes the meaning of a field gets
/// a new number; adding a field does not.
pub const SCHEMA: u32 = 1;

/// Everything in a report. Its serde form is the JSON report.
#[derive(Debug, Clone, Serialize)]
pub struct ReportData {
    pub schema: u32,
    /// When the report was made, RFC 3339 UTC: open alarms, gaps and decisions are as of then.
    pub generated_at: String,
    pub store: String,
    /// `day`, `week` or `month`.
    pub period_kind: String,
    /// The period reported on, e.g. `2026-W43`.
    pub period: String,
    /// Every period with data up to and including `period`, oldest first.
    pub periods: Vec<String>,
    pub summary: Summary,
    /// One row per role, rubric version and judge.
    pub pass_rates: Vec<PassRateTrend>,
    /// Escalations and task volume per role.
    pub volume: Vec<RoleVolume>,
    /// Both CUSUM charts (lower and upper) of every stream, as of the end of the period.
    pub charts: Vec<StreamChart>,
    /// Alarms no decision has acknowledged, oldest first.
    pub open_alarms: Vec<AlarmRow>,
    /// Ledger entries recorded from the start of the period until the report was made,
    /// oldest first.
    pub decisions: Vec<DecisionRow>,
    /// Open alarms and failed verdicts no decision covers, oldest first.
    pub undocumented: Vec<Gap>,
    pub ledger: LedgerState,
    /// Suite runs of the period against their baselines; empty until suites are stored.
    pub suite_runs: Vec<SuiteRunResult>,
    /// The period's review sample with its scores; empty until sampling is stored.
    pub sample: Vec<SampleScore>,
    /// Reliability of each judge's P(pass); empty until calibration is stored.
    pub calibration: Vec<CalibrationCurve>,
    /// Baseline warnings of the charts, each once.
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Records whose timestamp falls in the period.
    pub records: usize,
    /// Scored pairs of those records.
    pub judged: u64,
    pub open_alarms: usize,
    pub undocumented: usize,
    pub decisions: usize,
}

/// The pass rate of one role under one rubric version and judge, per period.
#[derive(Debug, Clone, Serialize)]
pub struct PassRateTrend {
    /// The drift stream's name, `pass-rate/ROLE/RUBRIC@vN/JUDGE`.
    pub stream: String,
    pub role: String,
    pub rubric: String,
    pub rubric_version: u32,
    /// The judge fingerprint's first 8 hex digits.
    pub judge: String,
    pub periods: Vec<PassRatePoint>,
    /// The pass rate in the report's period, and in the period with data before it.
    pub current: Option<f64>,
    pub previous: Option<f64>,
    /// `current - previous`.
    pub change: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PassRatePoint {
    pub label: String,
    pub passed: u64,
    pub judged: u64,
    pub pass_rate: f64,
}

/// A role's escalations against its task volume.
#[derive(Debug, Clone, Serialize)]
pub struct RoleVolume {
    /// The escalation stream's name, `escalations/ROLE`.
    pub stream: String,
    pub role: String,
    pub periods: Vec<VolumePoint>,
}

#[derive(Debug, Clone, Serialize)]
pub struct VolumePoint {
    pub label: String,
    /// Records that say whether they escalated.
    pub tasks: u64,
    pub escalations: u64,
    pub rate: f64,
}

/// One CUSUM chart and what the store says about it.
#[derive(Debug, Clone, Serialize)]
pub struct StreamChart {
    #[serde(flatten)]
    pub chart: ChartReport,
    pub status: ChartStatus,
    /// The stored alarm: open for `alarm`, the acknowledged one for `acknowledged`.
    pub alarm_id: Option<i64>,
}

/// A chart's state as of the end of the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChartStatus {
    /// In alarm, with an open stored alarm.
    Alarm,
    /// In alarm for a change a ledger decision acknowledged.
    Acknowledged,
    /// In alarm, but `judge drift` has not raised it (the report does not raise alarms).
    Unraised,
    /// The statistic is above zero: evidence is building.
    Watch,
    Ok,
}

/// A ledger entry in the report.
#[derive(Debug, Clone, Serialize)]
pub struct DecisionRow {
    pub seq: i64,
    pub ts: String,
    pub by: String,
    pub subject: ledger::Subject,
    /// The subject in words, e.g. `alarm 1: escalations/worker lower, in alarm in 2026-W41`.
    pub detail: String,
    pub position: ledger::Position,
    pub reason: String,
    pub rebaseline: bool,
    /// Whether the entry's time falls within the period (else it came after).
    pub in_period: bool,
    pub hash: String,
}

/// Whether the ledger's hash chain verifies.
#[derive(Debug, Clone, Serialize)]
pub struct LedgerState {
    pub entries: usize,
    pub intact: bool,
    /// The first broken entry, when not intact.
    pub problem: Option<String>,
    /// The last entry when the chain is intact (null for an empty or broken ledger): an
    /// anchor for `judge ledger verify --anchor-from` this report.
    pub head: Option<ledger::LedgerHead>,
}

/// A suite run against its baseline (filled once suites are stored).
#[derive(Debug, Clone, Serialize)]
pub struct SuiteRunResult {
    pub suite: String,
    pub run_id: String,
    pub ts: String,
    pub passed: u64,
    pub total: u64,
    pub baseline_pass_rate: Option<f64>,
    /// Case ids that passed in the baseline and fail now.
    pub regressions: Vec<String>,
}

/// A scored record of the period's review sample (filled once sampling is stored).
#[derive(Debug, Clone, Serialize)]
pub struct SampleScore {
    pub record_id: String,
    pub role: String,
    pub rubric: String,
    pub p_pass: Option<f64>,
    pub verdict: Option<String>,
    /// A human's label, when the record has one.
    pub label: Option<String>,
}

/// A judge's reliability diagram under one rubric (filled once calibration is stored).
#[derive(Debug, Clone, Serialize)]
pub struct CalibrationCurve {
    pub rubric: String,
    pub judge: String,
    /// `probe` or `platt`.
    pub method: String,
    /// The hidden states a probe reads (`final + answer@12 + output-mean@12`).
    pub features: String,
    pub trained_at: String,
    /// Labeled items it was trained and cross-validated on, and how many pass.
    pub n_items: usize,
    pub n_pass: usize,
    /// Cross-validated agreement with the labels, with 95% cluster-bootstrap intervals.
    pub auc: IntervalValue,
    pub kappa: IntervalValue,
    pub accuracy: IntervalValue,
    /// Why it is the active judge (`promoted over #3: AUC 0.86 >= 0.84`).
    pub promotion: Option<String>,
    pub bins: Vec<CalibrationBin>,
}

/// A point estimate with its 95% interval.
#[derive(Debug, Clone, Serialize)]
pub struct IntervalValue {
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct CalibrationBin {
    pub lower: f64,
    pub upper: f64,
    pub count: u64,
    pub mean_p_pass: f64,
    pub observed_pass_rate: f64,
}

/// A report's output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Markdown,
    Json,
}

impl ChartStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ChartStatus::Alarm => "alarm",
            ChartStatus::Acknowledged => "acknowledged",
            ChartStatus::Unraised => "unraised",
            ChartStatus::Watch => "watch",
            ChartStatus::Ok => "ok",
        }
    }
}

impl PassRateTrend {
    /// A short name for legends: `ROLE RUBRIC@vN`.
    pub fn name(&self) -> String {
        format!("{} {}@v{}", self.role, self.rubric, self.rubric_version)
    }
}

/// Gathers the report on `period` (a period label such as `2026-W43`, `2026-09` or
/// `2026-09-01`, whose form sets the period kind; by default the latest period of the store
/// in `config.period`). Reads the store only.
pub fn gather(store: &mut Store, config: &DriftConfig, period: Option<&str>) -> Result<ReportData> {
    let store_name = store.path().display().to_string();
    let mut config = config.clone();
    if let Some(label) = period {
        config.period = period_kind_of(label).with_context(|| {
            format!("period `{label}` is not a day (2026-09-01), an ISO week (2026-W36) or a month (2026-09)")
        })?;
    }
    let kind = config.period;
    let records = store.records()?;
    let scores = store.scores()?;
    let mut all = streams::escalation_streams(&records, kind)?;
    all.extend(streams::pass_rate_streams(&records, &scores, kind)?);
    let labels: BTreeSet<&str> = all
        .iter()
        .flat_map(|s| s.periods.iter().map(|p| p.label.as_str()))
        .collect();
    let Some(latest) = labels.last() else {
        bail!("store {store_name} holds no records that streams are built from: ingest or score records first");
    };
    let period = match period {
        Some(label) => {
            if !labels.contains(label) {
                bail!(
                    "period {label} has no data in store {store_name}: it holds {} to {}",
                    labels.first().expect("not empty"),
                    latest
                );
            }
            label.to_string()
        }
        None => latest.to_string(),
    };
    // Period labels of one kind sort as text in time order.
    let periods: Vec<String> = labels
        .iter()
        .filter(|l| **l <= period.as_str())
        .map(|l| l.to_string())
        .collect();
    for stream in &mut all {
        stream.periods.retain(|p| p.label <= period);
    }
    all.retain(|s| !s.periods.is_empty());
    // Suite runs and canary checks are periods of their own (one per run): charted whole.
    let run_streams = streams::run_streams(store)?;
    for (stream, rate) in run_streams.declared_baselines {
        config.baselines.entry(stream).or_insert(rate);
    }
    all.extend(run_streams.streams);
    streams::restart_after(&mut all, &ledger::rebaselines(store)?);

    let reports = streams::monitor(&all, &config)?;
    let open_alarms = store.open_alarms()?;
    let mut charts = Vec::new();
    let mut warnings = Vec::new();
    for chart in reports {
        let open = open_alarms
            .iter()
            .find(|a| a.stream == chart.stream && a.direction == chart.direction);
        let (status, alarm_id) = if chart.in_alarm {
            match open {
                Some(alarm) => (ChartStatus::Alarm, Some(alarm.id)),
                None => match store.acknowledged_alarm(
                    &chart.stream,
                    chart.direction,
                    chart.change_period.as_deref(),
                )? {
                    Some(alarm) => (ChartStatus::Acknowledged, Some(alarm.id)),
                    None => (ChartStatus::Unraised, None),
                },
            }
        } else if chart.statistic > 0.0 {
            (ChartStatus::Watch, None)
        } else {
            (ChartStatus::Ok, None)
        };
        for warning in &chart.warnings {
            let warning = format!("{}: {warning}", chart.stream);
            if !warnings.contains(&warning) {
                warnings.push(warning);
            }
        }
        charts.push(StreamChart {
            chart,
            status,
            alarm_id,
        });
    }

    let pass_rates = pass_rate_trends(&all, &period);
    let volume: Vec<RoleVolume> = all
        .iter()
        .filter(|s| s.kind == StreamKind::Escalations)
        .map(|s| RoleVolume {
            stream: s.name.clone(),
            role: s.name.trim_start_matches("escalations/").to_string(),
            periods: s
                .periods
                .iter()
                .map(|p| VolumePoint {
                    label: p.label.clone(),
                    tasks: p.exposure,
                    escalations: p.events,
                    rate: p.events as f64 / p.exposure.max(1) as f64,
                })
                .collect(),
        })
        .collect();

    let (start, end) = period_bounds(kind, &period)?;
    let stored = ledger::entries(store)?;
    let ledger_state = match ledger::verify_entries(&stored) {
        Ok(()) => LedgerState {
            entries: stored.len(),
            intact: true,
            problem: None,
            head: ledger::LedgerHead::of(&stored),
        },
        Err(error) => LedgerState {
            entries: stored.len(),
            intact: false,
            problem: Some(error.to_string()),
            head: None,
        },
    };
    let mut decisions = Vec::new();
    for entry in &stored {
        let parsed = entry.parse()?;
        let ts = DateTime::parse_from_rfc3339(&parsed.ts)
            .with_context(|| format!("ledger entry {}: field `ts`", entry.seq))?
            .with_timezone(&Utc);
        if ts < start {
            continue;
        }
        let detail = subject_detail(store, &parsed.subject)?;
        decisions.push(DecisionRow {
            seq: parsed.seq,
            ts: parsed.ts,
            by: parsed.by,
            subject: parsed.subject,
            detail,
            position: parsed.position,
            reason: parsed.reason,
            rebaseline: parsed.rebaseline,
            in_period: ts < end,
            hash: entry.hash.clone(),
        });
    }
    let undocumented = ledger::gaps(store)?;

    let in_period = |ts: &str| kind.label(ts).is_ok_and(|l| l == period);
    let n_records = records.iter().filter(|r| in_period(&r.ts)).count();
    let judged = pass_rates
        .iter()
        .flat_map(|t| t.periods.iter().filter(|p| p.label == period))
        .map(|p| p.judged)
        .sum();
    let period_label = period.clone();
    Ok(ReportData {
        schema: SCHEMA,
        generated_at: Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        store: store_name,
        period_kind: match kind {
            PeriodKind::Day => "day",
            PeriodKind::Week => "week",
            PeriodKind::Month => "month",
        }
        .to_string(),
        summary: Summary {
            records: n_records,
            judged,
            open_alarms: open_alarms.len(),
            undocumented: undocumented.len(),
            decisions: decisions.len(),
        },
        period,
        periods,
        pass_rates,
        volume,
        charts,
        open_alarms,
        decisions,
        undocumented,
        ledger: ledger_state,
        suite_runs: suite_results(store)?,
        sample: sample_scores(store, &records, &scores, kind, &period_label)?,
        calibration: calibration_curves(store)?,
        warnings,
    })
}

/// The report as text in `format`.
pub fn render(data: &ReportData, format: Format) -> Result<String> {
    match format {
        Format::Html => html::render(data),
        Format::Markdown => Ok(markdown::render(data)),
        Format::Json => Ok(serde_json::to_string_pretty(data)? + "\n"),
    }
}

/// Renders the report and writes it to `path` atomically.
pub fn write(data: &ReportData, format: Format, path: &Path) -> Result<()> {
    let text = render(data, format)?;
    crate::output::write_atomically(path, text.as_bytes())
}

/// The kind of period a label names: `2026-09-01` a day, `2026-W36` an ISO week, `2026-09` a
/// month.
pub fn period_kind_of(label: &str) -> Option<PeriodKind> {
    if NaiveDate::parse_from_str(label, "%Y-%m-%d").is_ok() {
        return Some(PeriodKind::Day);
    }
    if parse_week(label).is_some() {
        return Some(PeriodKind::Week);
    }
    if NaiveDate::parse_from_str(&format!("{label}-01"), "%Y-%m-%d").is_ok() && label.len() == 7 {
        return Some(PeriodKind::Month);
    }
    None
}

/// The first instant of the period and of the period after it, in UTC.
fn period_bounds(kind: PeriodKind, label: &str) -> Result<(DateTime<Utc>, DateTime<Utc>)> {
    let bad = || anyhow::anyhow!("period `{label}` is not a valid {kind:?} label");
    let (start, end) = match kind {
        PeriodKind::Day => {
            let day = NaiveDate::parse_from_str(label, "%Y-%m-%d").map_err(|_| bad())?;
            (day, day.succ_opt().ok_or_else(bad)?)
        }
        PeriodKind::Week => {
            let monday = parse_week(label).ok_or_else(bad)?;
            (monday, monday + chrono::Duration::days(7))
        }
        PeriodKind::Month => {
            let first =
                NaiveDate::parse_from_str(&format!("{label}-01"), "%Y-%m-%d").map_err(|_| bad())?;
            (
                first,
                first.checked_add_months(Months::new(1)).ok_or_else(bad)?,
            )
        }
    };
    let at_midnight = |date: NaiveDate| date.and_hms_opt(0, 0, 0).expect("midnight").and_utc();
    Ok((at_midnight(start), at_midnight(end)))
}

/// The Monday of an ISO week label `YYYY-Www`.
fn parse_week(label: &str) -> Option<NaiveDate> {
    let (year, week) = label.split_once("-W")?;
    if week.len() != 2 {
        return None;
    }
    let monday =
        NaiveDate::from_isoywd_opt(year.parse().ok()?, week.parse().ok()?, chrono::Weekday::Mon)?;
    (monday.iso_week().week() == week.parse::<u32>().ok()?).then_some(monday)
}

/// Pass-rate trends from the pass-rate streams, whose names are
/// `pass-rate/ROLE/RUBRIC@vN/JUDGE` (a role may hold `/`; rubric ids and judges do not).
/// Every finished suite run, oldest first, with the cases that passed in the first run of the
/// same suite version and fail now.
fn suite_results(store: &mut Store) -> Result<Vec<SuiteRunResult>> {
    use crate::suite_runs::{self, CaseOutcome};
    let mut reference: BTreeMap<(String, u32), BTreeSet<String>> = BTreeMap::new();
    let mut results = Vec::new();
    for listed in suite_runs::suite_runs(store, None)? {
        if listed.status != "done" {
            continue;
        }
        let run = suite_runs::suite_run(store, listed.id)?
            .with_context(|| format!("suite run {} vanished while reading it", listed.id))?;
        let with_outcome = |outcome: CaseOutcome| -> BTreeSet<String> {
            run.results
                .iter()
                .filter(|c| c.outcome == outcome)
                .map(|c| c.case_id.clone())
                .collect()
        };
        let failed = with_outcome(CaseOutcome::Fail);
        let first = reference
            .entry((run.suite_id.clone(), run.suite_version))
            .or_insert_with(|| with_outcome(CaseOutcome::Pass));
        results.push(SuiteRunResult {
            suite: format!("{}@v{}", run.suite_id, run.suite_version),
            run_id: run.id.to_string(),
            ts: run.started_at.clone(),
            passed: run.counts.n_pass as u64,
            total: (run.counts.n_pass + run.counts.n_fail) as u64,
            baseline_pass_rate: run.baseline,
            regressions: failed.intersection(first).cloned().collect(),
        });
    }
    Ok(results)
}

/// The review queue's records of the period with their latest score per rubric and the human
/// label when there is one.
fn sample_scores(
    store: &mut Store,
    records: &[crate::records::Record],
    scores: &[crate::store::ScoreRow],
    kind: PeriodKind,
    period: &str,
) -> Result<Vec<SampleScore>> {
    let labels: BTreeMap<(String, String), crate::records::Label> = crate::review::labels(store)?
        .into_iter()
        .map(|l| ((l.record_id, l.rubric_id), l.label))
        .collect();
    let by_id: BTreeMap<&str, &crate::records::Record> =
        records.iter().map(|r| (r.id.as_str(), r)).collect();
    let mut rows: BTreeMap<(String, String), SampleScore> = BTreeMap::new();
    for item in crate::review::queue(store)? {
        let Some(record) = by_id.get(item.record_id.as_str()) else {
            continue;
        };
        if kind.label(&record.ts)? != period {
            continue;
        }
        // Scores are in store order: the last one of a pair is the latest.
        for score in scores.iter().filter(|s| {
            s.record_id == item.record_id
                && item.rubric_id.as_ref().is_none_or(|r| *r == s.rubric_id)
        }) {
            let key = (score.record_id.clone(), score.rubric_id.clone());
            let label = labels.get(&key).map(|l| match l {
                crate::records::Label::Pass => "pass".to_string(),
                crate::records::Label::Fail => "fail".to_string(),
            });
            rows.insert(
                key,
                SampleScore {
                    record_id: score.record_id.clone(),
                    role: record.role.clone(),
                    rubric: score.rubric_id.clone(),
                    p_pass: score.p_pass,
                    verdict: score.verdict.map(|v| v.as_str().to_string()),
                    label,
                },
            );
        }
    }
    Ok(rows.into_values().collect())
}

/// The reliability diagram of each active trained judge, from its cross-validation.
fn calibration_curves(store: &mut Store) -> Result<Vec<CalibrationCurve>> {
    Ok(crate::trained::all_active(store)?
        .into_iter()
        .map(|artifact| CalibrationCurve {
            rubric: artifact.rubric_id.clone(),
            judge: artifact.judge_name(),
            method: artifact.calibrator.method().to_string(),
            features: artifact.calibrator.features().describe(),
            trained_at: artifact.created_at.clone(),
            n_items: artifact.n_items,
            n_pass: artifact.n_pass,
            auc: interval_value(
                artifact.cross_validated.metrics.auc,
                &artifact.cross_validated.intervals.auc,
            ),
            kappa: interval_value(
                artifact.cross_validated.metrics.kappa,
                &artifact.cross_validated.intervals.kappa,
            ),
            accuracy: interval_value(
                artifact.cross_validated.metrics.accuracy,
                &artifact.cross_validated.intervals.accuracy,
            ),
            promotion: artifact.promotion.clone(),
            bins: artifact
                .cross_validated
                .reliability
                .iter()
                .map(|bin| CalibrationBin {
                    lower: bin.low,
                    upper: bin.high,
                    count: bin.count as u64,
                    mean_p_pass: bin.mean_predicted,
                    observed_pass_rate: bin.observed_pass_rate,
                })
                .collect(),
        })
        .collect())
}

fn interval_value(value: f64, interval: &crate::calibration::Interval) -> IntervalValue {
    IntervalValue {
        value,
        low: interval.low,
        high: interval.high,
    }
}

fn pass_rate_trends(all: &[streams::Stream], period: &str) -> Vec<PassRateTrend> {
    let mut trends = Vec::new();
    for stream in all.iter().filter(|s| s.kind == StreamKind::PassRate) {
        let rest = stream.name.trim_start_matches("pass-rate/");
        let mut parts = rest.rsplitn(3, '/');
        let (Some(judge), Some(rubric), Some(role)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let (rubric, version) = rubric
            .rsplit_once("@v")
            .map_or((rubric, 0), |(r, v)| (r, v.parse().unwrap_or(0)));
        let periods: Vec<PassRatePoint> = stream
            .periods
            .iter()
            .map(|p| PassRatePoint {
                label: p.label.clone(),
                passed: p.exposure - p.events,
                judged: p.exposure,
                pass_rate: (p.exposure - p.events) as f64 / p.exposure.max(1) as f64,
            })
            .collect();
        let current = periods
            .iter()
            .find(|p| p.label == period)
            .map(|p| p.pass_rate);
        let previous = periods
            .iter()
            .rev()
            .find(|p| p.label.as_str() < period)
            .map(|p| p.pass_rate);
        trends.push(PassRateTrend {
            stream: stream.name.clone(),
            role: role.to_string(),
            rubric: rubric.to_string(),
            rubric_version: version,
            judge: judge.to_string(),
            change: current.zip(previous).map(|(c, p)| c - p),
            current,
            previous,
            periods,
        });
    }
    trends
}

/// A decision's subject in words.
fn subject_detail(store: &mut Store, subject: &ledger::Subject) -> Result<String> {
    Ok(match subject.kind {
        SubjectKind::Alarm => {
            let alarm: Option<(String, String, String)> = store
                .connection()
                .query_row(
                    "SELECT stream, direction, alarm_period FROM alarms WHERE id = ?1",
                    [subject.id.parse::<i64>().unwrap_or(-1)],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
                )
                .optional()
                .context("reading an alarm of the ledger's decisions")?;
            match alarm {
                Some((stream, direction, period)) => {
                    format!("{subject}: {stream} {direction}, in alarm in {period}")
                }
                None => format!("{subject} (not in the store)"),
            }
        }
        _ => subject.to_string(),
    })
}

/// The charts grouped by stream (both directions of a stream together), streams by name.
pub(crate) fn charts_by_stream(data: &ReportData) -> BTreeMap<&str, Vec<&StreamChart>> {
    let mut by_stream: BTreeMap<&str, Vec<&StreamChart>> = BTreeMap::new();
    for chart in &data.charts {
        by_stream
            .entry(chart.chart.stream.as_str())
            .or_default()
            .push(chart);
    }
    by_stream
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_labels_name_their_kind_and_bounds() {
        assert_eq!(period_kind_of("2026-W43"), Some(PeriodKind::Week));
        assert_eq!(period_kind_of("2026-10"), Some(PeriodKind::Month));
        assert_eq!(period_kind_of("2026-10-19"), Some(PeriodKind::Day));
        assert_eq!(period_kind_of("2026-W54"), None);
        assert_eq!(period_kind_of("week 43"), None);
        let (start, end) = period_bounds(PeriodKind::Week, "2026-W43").unwrap();
        assert_eq!(start.to_rfc3339(), "2026-10-19T00:00:00+00:00");
        assert_eq!(end.to_rfc3339(), "2026-10-26T00:00:00+00:00");
        let (start, end) = period_bounds(PeriodKind::Month, "2026-12").unwrap();
        assert_eq!(start.to_rfc3339(), "2026-12-01T00:00:00+00:00");
        assert_eq!(end.to_rfc3339(), "2027-01-01T00:00:00+00:00");
    }
}
