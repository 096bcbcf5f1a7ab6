//! Drift streams from the store, and their monitoring: the glue between stored records and
//! scores and the pure statistics of [`crate::drift`].
//!
//! Two kinds of stream, per period (ISO week by default; day or month on request):
//! - `escalations/ROLE`: how many of the role's records escalated, with the number of records
//!   that say whether they escalated (the task volume) as exposure: a Poisson CUSUM with
//!   exposure (Lucas 1985), one chart for suppression and one for surges.
//! - `pass-rate/ROLE/RUBRIC@vN/JUDGE`: failed verdicts out of judged pairs, one binomial CUSUM
//!   per direction.
//!
//! Baselines come from the first `burn_in_periods` periods of each stream, or are declared.
//! Thresholds are designed from a system-wide false-alarm budget split evenly over every chart
//! (one chart per stream and direction).

use std::collections::BTreeMap;

use anyhow::{bail, Result};
use chrono::Datelike;
use serde::Serialize;

use crate::config::DriftSettings;
use crate::drift::{
    design_threshold, per_stream_arl0, BinomialCusum, Chart, ChartPath, Direction, PoissonCusum,
};
use crate::records::{self, Record};
use crate::store::{ScoreRow, Store, Verdict};

/// How streams are built and charts designed.
#[derive(Debug, Clone)]
pub struct DriftConfig {
    /// Periods whose data estimate a baseline that is not declared.
    pub burn_in_periods: usize,
    /// One false alarm in this many periods across all charts (by default two years of weeks).
    pub system_arl0: f64,
    /// The relative change each chart is tuned to detect fastest: 0.4 means a 40% drop (or
    /// rise) of the escalation rate or the fail rate.
    pub relative_shift: f64,
    /// Declared baselines (stream name to in-control rate), which take precedence over
    /// burn-in estimates.
    pub baselines: BTreeMap<String, f64>,
    /// The period streams are aggregated by.
    pub period: PeriodKind,
}

/// How timestamps are grouped into periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PeriodKind {
    Day,
    /// ISO 8601 weeks, Monday to Sunday: `2026-W36`.
    #[default]
    Week,
    Month,
}

impl PeriodKind {
    /// Periods in a year, to turn a budget in years into periods.
    pub fn per_year(self) -> f64 {
        match self {
            PeriodKind::Day => 365.25,
            PeriodKind::Week => 52.18,
            PeriodKind::Month => 12.0,
        }
    }

    /// The label of the period holding an RFC 3339 timestamp (in UTC): `2026-09-01`,
    /// `2026-W36` or `2026-09`.
    pub fn label(self, ts: &str) -> Result<String> {
        let Some(time) = records::parse_ts(ts) else {
            bail!("timestamp `{ts}` is not RFC 3339");
        };
        let date = time.naive_utc().date();
        Ok(match self {
            PeriodKind::Day => date.format("%Y-%m-%d").to_string(),
            PeriodKind::Week => {
                let week = date.iso_week();
                format!("{}-W{:02}", week.year(), week.week())
            }
            PeriodKind::Month => date.format("%Y-%m").to_string(),
        })
    }
}

impl Default for DriftConfig {
    fn default() -> Self {
        DriftConfig {
            burn_in_periods: 3,
            system_arl0: 2.0 * PeriodKind::Week.per_year(),
            relative_shift: 0.4,
            baselines: BTreeMap::new(),
            period: PeriodKind::Week,
        }
    }
}

impl DriftConfig {
    /// The settings of `judge.toml`'s `[drift]` table with `overrides` (the command line's
    /// flags) on top; what neither gives takes its default. Baselines from both are kept, an
    /// override winning for the same stream. The budget is given in years and turned into
    /// periods of the chosen kind.
    pub fn from_settings(file: &DriftSettings, overrides: &DriftSettings) -> DriftConfig {
        let defaults = DriftConfig::default();
        let period = overrides.period.or(file.period).unwrap_or_default();
        let mut baselines = file.baselines.clone();
        baselines.extend(overrides.baselines.clone());
        DriftConfig {
            burn_in_periods: overrides
                .burn_in
                .or(file.burn_in)
                .unwrap_or(defaults.burn_in_periods),
            system_arl0: overrides
                .budget_years
                .or(file.budget_years)
                .unwrap_or(defaults.system_arl0 / PeriodKind::Week.per_year())
                * period.per_year(),
            relative_shift: overrides
                .shift
                .or(file.shift)
                .unwrap_or(defaults.relative_shift),
            baselines,
            period,
        }
    }
}

/// One period's data of a stream.
#[derive(Debug, Clone, Serialize)]
pub struct Period {
    /// ISO week, e.g. `2026-W36`.
    pub label: String,
    /// Escalations, or failed verdicts.
    pub events: u64,
    /// Task volume, or judged pairs.
    pub exposure: u64,
    /// Record ids that contributed an event, in time order.
    #[serde(skip)]
    pub event_ids: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Stream {
    pub name: String,
    pub kind: StreamKind,
    pub periods: Vec<Period>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StreamKind {
    Escalations,
    PassRate,
}

/// The state of one chart (a stream in one direction) after the latest period.
#[derive(Debug, Clone, Serialize)]
pub struct ChartReport {
    pub stream: String,
    pub kind: StreamKind,
    /// `lower` or `upper`: the direction of the monitored rate (escalations per task, or
    /// failed verdicts per pair).
    pub direction: &'static str,
    /// In-control rate per unit of exposure, and where it came from.
    pub baseline: f64,
    pub baseline_source: &'static str,
    /// The rate the chart is tuned to catch.
    pub target_rate: f64,
    pub h: f64,
    pub llr_h: f64,
    pub arl0: f64,
    pub arl1: f64,
    pub statistic: f64,
    pub statistics: Vec<f64>,
    pub in_alarm: bool,
    /// The period of the first alarm, if any.
    pub alarm_period: Option<String>,
    /// The period right after the statistic last left zero.
    pub change_period: Option<String>,
    pub rate_before: Option<f64>,
    pub rate_since: Option<f64>,
    /// Record ids behind the events since the change.
    pub evidence: Vec<String>,
    pub periods: Vec<Period>,
    pub warnings: Vec<String>,
}

/// Every stream of the store: escalations per role, then pass rates per role, rubric version
/// and judge. Reads only.
pub fn store_streams(store: &Store, period: PeriodKind) -> Result<Vec<Stream>> {
    let records = store.records()?;
    let scores = store.scores()?;
    let mut all = escalation_streams(&records, period)?;
    all.extend(pass_rate_streams(&records, &scores, period)?);
    Ok(all)
}

/// Drops the periods up to and including each rebaselined stream's alarm period (see
/// `ledger::rebaselines`): the stream starts again, with a new burn-in. Period labels of one
/// stream sort as text in time order.
pub fn restart_after(streams: &mut Vec<Stream>, since: &BTreeMap<String, String>) {
    for stream in streams.iter_mut() {
        if let Some(last_dropped) = since.get(&stream.name) {
            stream.periods.retain(|p| p.label > *last_dropped);
        }
    }
    streams.retain(|s| !s.periods.is_empty());
}

/// Streams whose periods are runs rather than calendar periods: each suite's pass rate per run
/// and each rubric's canary agreement per check.
pub struct RunStreams {
    pub streams: Vec<Stream>,
    /// The suites' declared in-control rates, by stream name.
    pub declared_baselines: BTreeMap<String, f64>,
}

pub fn run_streams(store: &mut Store) -> Result<RunStreams> {
    let suites = crate::suite_runs::suite_streams(store)?;
    let mut streams = suites.streams;
    streams.extend(crate::canary::canary_streams(store)?);
    Ok(RunStreams {
        streams,
        declared_baselines: suites.baselines,
    })
}

/// Escalation streams per role, from the records that say whether they escalated.
pub fn escalation_streams(records: &[Record], period: PeriodKind) -> Result<Vec<Stream>> {
    let mut by_role: BTreeMap<&str, BTreeMap<String, Period>> = BTreeMap::new();
    for record in records {
        let Some(escalated) = record.escalated else {
            continue;
        };
        let label = period.label(&record.ts)?;
        let period = by_role
            .entry(&record.role)
            .or_default()
            .entry(label.clone())
            .or_insert_with(|| empty_period(label));
        period.exposure += 1;
        if escalated {
            period.events += 1;
            period.event_ids.push(record.id.clone());
        }
    }
    Ok(by_role
        .into_iter()
        .map(|(role, periods)| Stream {
            name: format!("escalations/{role}"),
            kind: StreamKind::Escalations,
            periods: fill_gaps(periods),
        })
        .collect())
}

/// Pass-rate streams per role, rubric version and judge, from scored pairs.
pub fn pass_rate_streams(
    records: &[Record],
    scores: &[ScoreRow],
    period: PeriodKind,
) -> Result<Vec<Stream>> {
    let by_id: BTreeMap<&str, &Record> = records.iter().map(|r| (r.id.as_str(), r)).collect();
    let mut streams: BTreeMap<String, BTreeMap<String, Period>> = BTreeMap::new();
    for score in scores {
        let (Some(verdict), Some(record)) = (score.verdict, by_id.get(score.record_id.as_str()))
        else {
            continue;
        };
        let name = format!(
            "pass-rate/{}/{}@v{}/{}",
            record.role,
            score.rubric_id,
            score.rubric_version,
            &score.fingerprint[..score.fingerprint.len().min(8)]
        );
        let label = period.label(&record.ts)?;
        let period = streams
            .entry(name)
            .or_default()
            .entry(label.clone())
            .or_insert_with(|| empty_period(label));
        period.exposure += 1;
        if verdict == Verdict::Fail {
            period.events += 1;
            period.event_ids.push(record.id.clone());
        }
    }
    Ok(streams
        .into_iter()
        .map(|(name, periods)| Stream {
            name,
            kind: StreamKind::PassRate,
            periods: fill_gaps(periods),
        })
        .collect())
}

/// Streams aggregated elsewhere: a CSV file with a header row, or JSONL, one period of one
/// stream a line, with `period`, `stream`, and either `events` and `exposure` (counts per task
/// volume: a Poisson chart) or `successes` and `trials` (monitored events out of trials: a
/// binomial chart). Periods are taken in file order; errors name the file, line and field.
pub fn load_series(path: &std::path::Path) -> Result<Vec<Stream>> {
    let text = std::fs::read_to_string(path)
        .map_err(|err| anyhow::anyhow!("cannot read {}: {err}", path.display()))?;
    let is_csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let mut rows: Vec<(usize, BTreeMap<String, String>)> = Vec::new();
    if is_csv {
        let mut lines = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty());
        let Some((_, header)) = lines.next() else {
            bail!("{}: empty file", path.display());
        };
        let columns: Vec<String> = header.split(',').map(|c| c.trim().to_string()).collect();
        for (index, line) in lines {
            let values: Vec<&str> = line.split(',').map(str::trim).collect();
            if values.len() != columns.len() {
                bail!(
                    "{}:{}: {} values for {} columns",
                    path.display(),
                    index + 1,
                    values.len(),
                    columns.len()
                );
            }
            let row = columns
                .iter()
                .cloned()
                .zip(values.iter().map(|v| v.to_string()))
                .collect();
            rows.push((index + 1, row));
        }
    } else {
        for (index, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let value: serde_json::Value = serde_json::from_str(line).map_err(|err| {
                anyhow::anyhow!("{}:{}: invalid JSON: {err}", path.display(), index + 1)
            })?;
            let Some(object) = value.as_object() else {
                bail!("{}:{}: not a JSON object", path.display(), index + 1);
            };
            let row = object
                .iter()
                .map(|(k, v)| {
                    let text = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                    (k.clone(), text)
                })
                .collect();
            rows.push((index + 1, row));
        }
    }

    let mut streams: Vec<Stream> = Vec::new();
    for (line, row) in rows {
        let field = |name: &str| -> Result<&str> {
            row.get(name).map(String::as_str).ok_or_else(|| {
                anyhow::anyhow!("{}:{line}: field `{name}` is missing", path.display())
            })
        };
        let count = |name: &str| -> Result<u64> {
            field(name)?.parse().map_err(|_| {
                anyhow::anyhow!(
                    "{}:{line}: field `{name}` must be a non-negative integer",
                    path.display()
                )
            })
        };
        let name = field("stream")?.to_string();
        let label = field("period")?.to_string();
        let (kind, events, exposure) = if row.contains_key("trials") {
            (StreamKind::PassRate, count("successes")?, count("trials")?)
        } else {
            (
                StreamKind::Escalations,
                count("events")?,
                count("exposure")?,
            )
        };
        if events > exposure && kind == StreamKind::PassRate {
            bail!(
                "{}:{line}: field `successes` exceeds `trials`",
                path.display()
            );
        }
        let position = match streams.iter().position(|s| s.name == name) {
            Some(position) => position,
            None => {
                streams.push(Stream {
                    name: name.clone(),
                    kind,
                    periods: Vec::new(),
                });
                streams.len() - 1
            }
        };
        if streams[position].kind != kind {
            bail!(
                "{}:{line}: stream `{name}` mixes events/exposure and successes/trials rows",
                path.display()
            );
        }
        if exposure > 0 {
            streams[position].periods.push(Period {
                label,
                events,
                exposure,
                event_ids: Vec::new(),
            });
        }
    }
    Ok(streams)
}

/// Designs and runs both charts of every stream.
pub fn monitor(streams: &[Stream], config: &DriftConfig) -> Result<Vec<ChartReport>> {
    let n_charts = 2 * streams.len();
    let arl0 = per_stream_arl0(config.system_arl0, n_charts.max(1))
        .map_err(|err| anyhow::anyhow!("alarm budget: {err}"))?;
    let mut reports = Vec::new();
    for stream in streams {
        for direction in [Direction::Decrease, Direction::Increase] {
            if let Some(report) = monitor_chart(stream, direction, arl0, config)? {
                reports.push(report);
            }
        }
    }
    Ok(reports)
}

fn monitor_chart(
    stream: &Stream,
    direction: Direction,
    arl0: f64,
    config: &DriftConfig,
) -> Result<Option<ChartReport>> {
    let mut warnings = Vec::new();
    let burn_in = &stream.periods[..config.burn_in_periods.min(stream.periods.len())];
    let burn_events: u64 = burn_in.iter().map(|p| p.events).sum();
    let burn_exposure: u64 = burn_in.iter().map(|p| p.exposure).sum();
    let (baseline, baseline_source) = match config.baselines.get(&stream.name) {
        Some(&rate) => (rate, "declared"),
        None => {
            if burn_exposure == 0 {
                return Ok(None);
            }
            // An estimated baseline is itself noisy, which shortens the real in-control run
            // length; with fewer than about 100 events its relative error exceeds 10%.
            if burn_events < 100 {
                warnings.push(format!(
                    "baseline estimated from {burn_events} events in {} periods: its relative \
                     error is about {:.0}%, so false alarms may come sooner than designed; \
                     declare the baseline or lengthen the burn-in",
                    burn_in.len(),
                    100.0 / (burn_events.max(1) as f64).sqrt()
                ));
            }
            (burn_events as f64 / burn_exposure as f64, "burn-in")
        }
    };
    let factor = match direction {
        Direction::Decrease => 1.0 - config.relative_shift,
        Direction::Increase => 1.0 + config.relative_shift,
    };
    let target_rate = baseline * factor;
    // A rate of 0 or 1 leaves nothing to monitor in that direction.
    let degenerate = baseline <= 0.0
        || (stream.kind == StreamKind::PassRate && (baseline >= 1.0 || target_rate >= 1.0));
    if degenerate {
        return Ok(None);
    }
    let mean_exposure = (stream.periods.iter().map(|p| p.exposure).sum::<u64>() as f64
        / stream.periods.len() as f64)
        .max(1.0);
    let chart = match stream.kind {
        StreamKind::Escalations => Chart::Poisson(
            PoissonCusum::new(baseline, target_rate, mean_exposure, 1.0)
                .map_err(|err| anyhow::anyhow!("{}: {err}", stream.name))?,
        ),
        StreamKind::PassRate => Chart::Binomial(
            BinomialCusum::new(baseline, target_rate, mean_exposure.round() as u64, 1.0)
                .map_err(|err| anyhow::anyhow!("{}: {err}", stream.name))?,
        ),
    };
    let design = design_threshold(&chart, arl0)
        .map_err(|err| anyhow::anyhow!("{}: designing the threshold: {err}", stream.name))?;
    let (path, change): (ChartPath, _) = match &design.chart {
        Chart::Poisson(chart) => {
            let periods: Vec<(u64, f64)> = stream
                .periods
                .iter()
                .map(|p| (p.events, p.exposure as f64))
                .collect();
            (chart.run(&periods), chart.change_point(&periods))
        }
        Chart::Binomial(chart) => {
            let periods: Vec<(u64, u64)> = stream
                .periods
                .iter()
                .map(|p| (p.events, p.exposure))
                .collect();
            (chart.run(&periods), chart.change_point(&periods))
        }
        _ => bail!("{}: unexpected chart kind", stream.name),
    };
    let statistic = path.statistics.last().copied().unwrap_or(0.0);
    let change = change.filter(|c| c.index < stream.periods.len());
    let evidence = change
        .as_ref()
        .map(|c| {
            stream.periods[c.index..]
                .iter()
                .flat_map(|p| p.event_ids.iter().cloned())
                .collect()
        })
        .unwrap_or_default();
    Ok(Some(ChartReport {
        stream: stream.name.clone(),
        kind: stream.kind,
        direction: match direction {
            Direction::Decrease => "lower",
            Direction::Increase => "upper",
        },
        baseline,
        baseline_source,
        target_rate,
        h: design.threshold,
        llr_h: design.llr_threshold,
        arl0: design.in_control.arl,
        arl1: design.out_of_control.arl,
        statistic,
        in_alarm: path.first_alarm.is_some(),
        alarm_period: path.first_alarm.map(|i| stream.periods[i].label.clone()),
        change_period: change
            .as_ref()
            .map(|c| stream.periods[c.index].label.clone()),
        rate_before: change.as_ref().and_then(|c| c.rate_before),
        rate_since: change.as_ref().map(|c| c.rate_since),
        evidence,
        statistics: path.statistics,
        periods: stream.periods.clone(),
        warnings,
    }))
}

/// The ISO week of an RFC 3339 timestamp, as `YYYY-Www`.
pub fn iso_week(ts: &str) -> Result<String> {
    PeriodKind::Week.label(ts)
}

fn empty_period(label: String) -> Period {
    Period {
        label,
        events: 0,
        exposure: 0,
        event_ids: Vec::new(),
    }
}

/// Periods in order, with weeks that had no data kept out: a CUSUM step needs exposure, and
/// an empty week carries no evidence either way.
fn fill_gaps(periods: BTreeMap<String, Period>) -> Vec<Period> {
    periods.into_values().filter(|p| p.exposure > 0).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, week_day: u32, escalated: bool) -> Record {
        serde_json::from_value(serde_json::json!({
            "id": id,
            "ts": format!("2026-09-{:02}T10:00:00Z", week_day),
            "role": "worker", "agent": "w", "input": "x", "output": "y",
            "escalated": escalated,
        }))
        .unwrap()
    }

    #[test]
    fn series_files_in_csv_and_jsonl_give_the_same_streams() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("s.csv");
        std::fs::write(
            &csv,
            "period,stream,events,exposure\nW1,esc,15,40\nW2,esc,4,40\n",
        )
        .unwrap();
        let jsonl = dir.path().join("s.jsonl");
        std::fs::write(
            &jsonl,
            "{\"period\": \"W1\", \"stream\": \"esc\", \"events\": 15, \"exposure\": 40}\n\
             {\"period\": \"W2\", \"stream\": \"esc\", \"events\": 4, \"exposure\": 40}\n",
        )
        .unwrap();
        let (a, b) = (load_series(&csv).unwrap(), load_series(&jsonl).unwrap());
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].periods.len(), 2);
        assert_eq!((b[0].periods[1].events, b[0].periods[1].exposure), (4, 40));
        assert_eq!(a[0].kind, StreamKind::Escalations);

        std::fs::write(&csv, "period,stream,events,exposure\nW1,esc,x,40\n").unwrap();
        let err = load_series(&csv).unwrap_err().to_string();
        assert!(err.contains("s.csv:2: field `events`"), "{err}");
    }

    #[test]
    fn iso_weeks_follow_iso_8601() {
        assert_eq!(iso_week("2026-08-31T09:00:00Z").unwrap(), "2026-W36");
        assert_eq!(iso_week("2027-01-01T09:00:00Z").unwrap(), "2026-W53");
        assert!(iso_week("yesterday").is_err());
        assert_eq!(
            PeriodKind::Day.label("2026-09-01T23:00:00-02:00").unwrap(),
            "2026-09-02"
        );
        assert_eq!(
            PeriodKind::Month.label("2026-09-01T10:00:00Z").unwrap(),
            "2026-09"
        );
    }

    #[test]
    fn escalations_are_counted_per_week_with_task_volume() {
        let records = vec![
            record("a", 1, true),
            record("b", 1, false),
            record("c", 8, true),
        ];
        let streams = escalation_streams(&records, PeriodKind::Week).unwrap();
        assert_eq!(streams.len(), 1);
        let periods = &streams[0].periods;
        assert_eq!(periods.len(), 2);
        assert_eq!((periods[0].events, periods[0].exposure), (1, 2));
        assert_eq!(periods[1].event_ids, ["c"]);
    }
}
